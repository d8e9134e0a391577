#include "user/common/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "policy/settings.h"
#include "user/common/util.h"

namespace uxc {

namespace {
Log* start_log = nullptr;
}

void set_start_log(Log* log) { start_log = log; }

void log_debug(const std::string& message) {
  if (start_log != nullptr) start_log->debug(message);
}

Log::Log(const std::string& path, const std::string& level, const std::string& name, bool to_stderr) : name_(name) {
  if (!policy::parse_log_level(level, &threshold_))
    throw Error("unknown log level '" + level + "': use TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT or FATAL");
  if (path.empty() && to_stderr) {
    fd_ = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (fd_ < 0) throw_errno("cannot log to stderr");
    on_terminal_ = isatty(fd_) == 1;
    to_stderr_ = true;
    return;
  }
  if (path.empty()) return;
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd_ < 0) throw_errno("cannot open log file " + path);
}

void Log::end_stderr() {
  if (!to_stderr_ || fd_ < 0) return;
  close(fd_);
  fd_ = -1;
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
  (void)write_all(fd_, "uxc " + name_ + " " + stamp + " " + level_name + " " + message + (on_terminal_ ? "\r\n" : "\n"));
}

}  // namespace uxc
