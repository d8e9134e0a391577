#include "user/common/park.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace uxc {

char park(int fd) {
  char step = 0;
  ssize_t n;
  do {
    n = read(fd, &step, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) _exit(1);  // the parent gave up
  return step;
}

bool release(int fd, char step) {
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
  const bool written = write(fd, &step, 1) == 1;
  const int err = errno;
  const timespec now{0, 0};
  while (sigtimedwait(&pipe_signal, nullptr, &now) == SIGPIPE) {
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return written;
}

}  // namespace uxc
