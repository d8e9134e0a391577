#include "user/common/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "policy/settings.h"
#include "user/common/util.h"

namespace uxc {

Log::Log(const std::string& path, const std::string& level, const std::string& name) : name_(name) {
  if (!policy::parse_log_level(level, &threshold_))
    throw Error("unknown log level '" + level + "': use TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT or FATAL");
  if (path.empty()) return;
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd_ < 0) throw_errno("cannot open log file " + path);
}

Log::~Log() {
  if (fd_ >= 0) close(fd_);
}

void Log::write(int level, const char* level_name, const std::string& message) {
  if (fd_ < 0 || level < threshold_) return;
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d%02d%02d%02d%02d%02d.%03ld", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000);
  (void)write_all(fd_, "uxc " + name_ + " " + stamp + " " + level_name + " " + message + "\n");
}

}  // namespace uxc
