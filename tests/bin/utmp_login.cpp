// utmp_login: records a login of USER on the terminal of fd 0 in the utmp
// file (root only), so that getlogin() in any process with that terminal
// on fd 0 names USER. Used to show that the helpers never take the
// caller's identity from getlogin() (CVE-2016-6251).
//
//   utmp_login USER       prints the terminal it recorded, exits 0
#include <unistd.h>
#include <utmp.h>

#include <cstdio>
#include <cstring>
#include <ctime>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: utmp_login USER\n");
    return 2;
  }
  const char* tty = ttyname(0);
  if (tty == nullptr || std::strncmp(tty, "/dev/", 5) != 0) {
    std::fprintf(stderr, "utmp_login: fd 0 is not a terminal\n");
    return 1;
  }
  struct utmp entry {};
  entry.ut_type = USER_PROCESS;
  entry.ut_pid = getpid();
  std::strncpy(entry.ut_line, tty + 5, sizeof entry.ut_line - 1);
  std::strncpy(entry.ut_id, tty + std::strlen(tty) - 2, sizeof entry.ut_id);
  std::strncpy(entry.ut_user, argv[1], sizeof entry.ut_user - 1);
  entry.ut_tv.tv_sec = static_cast<int32_t>(std::time(nullptr));
  setutent();
  if (pututline(&entry) == nullptr) {
    std::perror("utmp_login: pututline");
    return 1;
  }
  endutent();
  std::printf("%s\n", tty + 5);
  return 0;
}
