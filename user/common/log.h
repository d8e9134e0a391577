// The start log (-o LOGFILE, -l LEVEL), with LXC's level names: every
// step of a start, so that a user can send a useful log. With -l and no
// -o it goes to stderr, as LXC's does.
#pragma once

#include <string>

namespace uxc {

class Log {
 public:
  // An empty path and !to_stderr logs nothing. Throws Error on an
  // unknown level or a file that cannot be opened.
  Log(const std::string& path, const std::string& level, const std::string& name, bool to_stderr = false);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  void trace(const std::string& message) { write(0, "TRACE", message); }
  void debug(const std::string& message) { write(1, "DEBUG", message); }
  void info(const std::string& message) { write(2, "INFO", message); }
  void warn(const std::string& message) { write(4, "WARN", message); }
  void error(const std::string& message) { write(5, "ERROR", message); }

  // A detached monitor, once `uxc start` has returned: a log on stderr
  // ends there (the terminal belongs to the shell again).
  void end_stderr();

 private:
  void write(int level, const char* level_name, const std::string& message);
  int fd_ = -1;
  bool to_stderr_ = false;
  bool on_terminal_ = false;  // CR LF: a terminal may be in raw mode (start -F)
  int threshold_ = 5;
  std::string name_;
};

// The log of the start under way in this process (and in the container's
// init, a copy of it until its exec), for the parts that are not handed
// one: the helpers' requests and answers, the init's mounts. Nothing
// when none is set.
void set_start_log(Log* log);
void log_debug(const std::string& message);

}  // namespace uxc
