// The cache's layout and locks (cache.cpp describes them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "user/common/util.h"

namespace uxc::image {

struct CacheKey {
  std::string server, dist, release, arch, variant;
  std::string dir() const;       // CACHE/SERVER/DIST/RELEASE/ARCH/VARIANT
  std::string describe() const;  // "debian bookworm amd64 (default)"
};

// The variant's lock file, opened (not locked) by the constructor.
class VariantLock {
 public:
  explicit VariantLock(const std::string& variant_dir);
  void shared();
  // Waits, with a note on a terminal when another create holds it.
  void exclusive();
  bool try_exclusive();
  void unlock();

 private:
  Fd fd_;
};

// The build `current` names, if that directory exists; else "".
std::string current_build(const std::string& variant_dir);
void set_current_build(const std::string& variant_dir, const std::string& build);
// Removes every build but `keep` (all when empty) and any partial
// download. Only with the lock held exclusively.
void prune_variant(const std::string& variant_dir, const std::string& keep);
// The build's expiry (Unix time); 0 when it has none.
uint64_t cached_expiry(const std::string& build_dir);
std::vector<std::string> build_files(const std::string& build_dir);

}  // namespace uxc::image
