// ignore_signals SIGNO... -- PROGRAM [ARG...]: runs PROGRAM with each
// numbered signal ignored, including the two glibc reserves for itself
// (32, 33), which no shell or env(1) can set: the raw rt_sigaction call
// is the only way, and a hostile caller may use it.
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    char* end = nullptr;
    const long sig = std::strtol(argv[i], &end, 10);
    // handler first, flags, mask zero: SIG_IGN in every kernel layout.
    unsigned long ignore[8] = {reinterpret_cast<unsigned long>(SIG_IGN)};
    if (*end != '\0' || syscall(SYS_rt_sigaction, sig, ignore, nullptr, NSIG / 8) != 0) {
      std::fprintf(stderr, "ignore_signals: cannot ignore signal '%s'\n", argv[i]);
      return 2;
    }
  }
  if (i + 1 >= argc) {
    std::fprintf(stderr, "usage: ignore_signals SIGNO... -- PROGRAM [ARG...]\n");
    return 2;
  }
  execvp(argv[i + 1], argv + i + 1);
  std::perror(argv[i + 1]);
  return 127;
}
