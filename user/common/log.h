// The start log (-o LOGFILE, -l LEVEL), with LXC's level names.
#pragma once

#include <string>

namespace uxc {

class Log {
 public:
  // An empty path logs nothing. Throws Error on an unknown level or a
  // file that cannot be opened.
  Log(const std::string& path, const std::string& level, const std::string& name);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  void info(const std::string& message) { write(2, "INFO", message); }
  void error(const std::string& message) { write(5, "ERROR", message); }

 private:
  void write(int level, const char* level_name, const std::string& message);
  int fd_ = -1;
  int threshold_ = 5;
  std::string name_;
};

}  // namespace uxc
