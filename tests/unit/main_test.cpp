// The one translation unit that defines the Boost.Test module.
#define BOOST_TEST_MODULE uxc_unit
#include <boost/test/unit_test.hpp>
