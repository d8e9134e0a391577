// pty_feed CMD ARG...: runs CMD on a new pty (its controlling terminal,
// and its stdin, stdout and stderr), writes this program's stdin to the
// pty as typed input, copies the pty's output to stdout, and exits with
// CMD's status. Unlike script(1) it keeps feeding whatever the terminal
// mode, so a test can paste a large input into a command on a terminal.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: pty_feed CMD [ARG...]\n");
    return 2;
  }
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) {
    std::perror("forkpty");
    return 1;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    std::perror(argv[1]);
    _exit(127);
  }
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  std::string pending;
  bool input_open = true;
  for (;;) {
    pollfd fds[2] = {{pending.empty() && input_open ? 0 : -1, POLLIN, 0},
                     {master, static_cast<short>(POLLIN | (pending.empty() ? 0 : POLLOUT)), 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char buf[16384];
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      const ssize_t n = read(0, buf, sizeof buf);
      if (n > 0) pending.append(buf, static_cast<size_t>(n));
      else input_open = false;
    }
    if (fds[1].revents & POLLOUT) {
      const ssize_t n = write(master, pending.data(), pending.size());
      if (n > 0) pending.erase(0, static_cast<size_t>(n));
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) {
        if (write(1, buf, static_cast<size_t>(n)) < 0) break;
      } else if (n == 0 || errno != EAGAIN) {
        break;  // EIO: the command and everything it started are gone
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
