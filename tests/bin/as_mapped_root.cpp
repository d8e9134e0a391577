// as_mapped_root BASE COUNT DIR CMD [ARG...]: runs CMD in DIR as uid and
// gid 0 of a new user namespace in which 0..COUNT-1 are the host's
// BASE..BASE+COUNT-1, so that what it creates belongs to a container's
// mapped ids. DIR is entered first, as root, so it may lie below a home
// that the mapped root could not pass through (a rootfs). Run by root in
// the test world, which writes the maps itself (root has no /etc/subuid
// range for newuidmap). Exit status: CMD's, or 125.
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

bool write_proc(pid_t pid, const char* file, const std::string& text) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: as_mapped_root BASE COUNT DIR CMD [ARG...]\n");
    return 125;
  }
  if (chdir(argv[3]) != 0) {
    std::perror("as_mapped_root: chdir");
    return 125;
  }
  const std::string map = std::string("0 ") + argv[1] + " " + argv[2] + "\n";
  int ready[2], go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) return 125;
  const pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    close(ready[0]);
    close(go[1]);
    char c = 0;
    if (unshare(CLONE_NEWUSER) != 0 || write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1) _exit(125);
    if (setgroups(0, nullptr) != 0 || setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
      std::perror("as_mapped_root: cannot become root in the namespace");
      _exit(125);
    }
    execvp(argv[4], argv + 4);
    std::perror("as_mapped_root: exec");
    _exit(125);
  }
  close(ready[1]);
  close(go[0]);
  char c = 0;
  if (read(ready[0], &c, 1) != 1 || !write_proc(pid, "uid_map", map) || !write_proc(pid, "gid_map", map)) {
    std::perror("as_mapped_root: cannot map the namespace");
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return 125;
  }
  if (write(go[1], "g", 1) != 1) return 125;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
