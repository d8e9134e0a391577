// Letting go of the start-up code's pages: the monitor is the start
// command's own process and, once its container runs, needs little of
// the code that parsing, checking and launching ran.
#pragma once

namespace uxc {

// Drops this program's mappings of its read-only segments (code,
// constants); pages used again come back from the page cache.
void release_startup_code();

}  // namespace uxc
