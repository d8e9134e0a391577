// idmap_probe: runs an id-map helper against a fresh target the way a
// client would, and reports what happened and what the kernel holds.
//
//   idmap_probe [OPTIONS] -- HELPER [ARG...]   (the request is read from stdin)
//
// It forks a child that unshares a user namespace and parks, opens
// /proc/CHILD as a directory fd, runs HELPER with fd 0 = a pipe carrying
// the request, fd 1 = a pipe it reads the answer from, fd 2 = its own
// stderr, fd 3 = the target, then prints, one key a line:
//
//   status=exit:N | signal:N
//   answer=TEXT            (the helper's fd 1, newlines as '|')
//   uid_map=I O C|...      (read back from /proc/CHILD, blanks squeezed)
//   gid_map=...
//   setgroups=allow|deny
//
// ARGs equal to "{pid}" become the child's pid (for shadow's command line).
// Options make the target or the caller hostile:
//   --no-userns           the child stays in the caller's user namespace
//   --premap              the child maps its own uid (0 UID 1) itself first
//   --exited              the child is killed and reaped before the helper runs
//   --target-path PATH    fd 3 is PATH instead (a file, another process...)
//   --target-sub NAME     fd 3 is /proc/CHILD/NAME instead
//   --argv0 NAME          the helper's argv[0]
//   --close FDS           close these of 0,1,2 (comma-separated) before exec
//   --nofile N            RLIMIT_NOFILE for the helper
//   --fsize N             RLIMIT_FSIZE for the helper
//   --stop-us N           SIGSTOP the helper N us after it starts, SIGCONT 20 ms later
//   --kill-us N           SIGKILL the helper N us after the request is sent
//   --hold-request        send SIGSTOP/SIGKILL before writing the request
//   --kill-on-uid-map     SIGKILL the helper the moment the target's uid_map
//                         is no longer empty (between its two map writes)
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Options {
  bool userns = true, premap = false, exited = false, hold_request = false, kill_on_map = false;
  std::string target_path, target_sub, argv0;
  std::vector<int> close_fds;
  long nofile = -1, fsize = -1, stop_us = -1, kill_us = -1;
  std::vector<std::string> command;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "idmap_probe: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

std::string read_file_at(int dir, const char* name) {
  const int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "<" + std::string(std::strerror(errno)) + ">";
  std::string text = read_all(fd);
  close(fd);
  return text;
}

// "         0     100000      65536\n" lines become "0 100000 65536|...".
std::string squeeze(const std::string& text) {
  std::istringstream lines(text);
  std::string line, out;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word, joined;
    while (words >> word) joined += (joined.empty() ? "" : " ") + word;
    if (!joined.empty()) out += (out.empty() ? "" : "|") + joined;
  }
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  auto value = [&](const char* name) -> std::string {
    if (i + 1 >= argc) {
      std::fprintf(stderr, "idmap_probe: %s needs a value\n", name);
      std::exit(2);
    }
    return argv[++i];
  };
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") { ++i; break; }
    if (a == "--no-userns") o.userns = false;
    else if (a == "--premap") o.premap = true;
    else if (a == "--exited") o.exited = true;
    else if (a == "--hold-request") o.hold_request = true;
    else if (a == "--kill-on-uid-map") o.kill_on_map = true;
    else if (a == "--target-path") o.target_path = value("--target-path");
    else if (a == "--target-sub") o.target_sub = value("--target-sub");
    else if (a == "--argv0") o.argv0 = value("--argv0");
    else if (a == "--nofile") o.nofile = std::stol(value("--nofile"));
    else if (a == "--fsize") o.fsize = std::stol(value("--fsize"));
    else if (a == "--stop-us") o.stop_us = std::stol(value("--stop-us"));
    else if (a == "--kill-us") o.kill_us = std::stol(value("--kill-us"));
    else if (a == "--close") {
      std::istringstream fds(value("--close"));
      std::string fd;
      while (std::getline(fds, fd, ',')) o.close_fds.push_back(std::stoi(fd));
    } else {
      std::fprintf(stderr, "idmap_probe: unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  for (; i < argc; ++i) o.command.push_back(argv[i]);
  if (o.command.empty()) {
    std::fprintf(stderr, "usage: idmap_probe [OPTIONS] -- HELPER [ARG...]\n");
    std::exit(2);
  }
  return o;
}

// The target: a child in a new user namespace (or not), parked on a pipe
// until `release` is closed.
pid_t start_target(const Options& o, int* release) {
  int ready[2], park[2];
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(park, O_CLOEXEC) != 0) die("pipe2");
  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(ready[0]);
    close(park[1]);
    if (o.userns && unshare(CLONE_NEWUSER) != 0) _exit(3);
    if (write(ready[1], "r", 1) != 1) _exit(4);
    char byte;
    while (read(park[0], &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  close(ready[1]);
  close(park[0]);
  char byte;
  if (read(ready[0], &byte, 1) != 1) die("target child did not start");
  close(ready[0]);
  *release = park[1];
  return pid;
}

void premap(int dir) {
  const std::string map = "0 " + std::to_string(getuid()) + " 1\n";
  const int fd = openat(dir, "uid_map", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, map.data(), map.size()) != static_cast<ssize_t>(map.size()))
    die("premap uid_map");
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::string request = read_all(STDIN_FILENO);

  int release = -1;
  const pid_t child = start_target(o, &release);
  const std::string proc = "/proc/" + std::to_string(child);
  const int dir = open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) die("open " + proc);
  if (o.premap) premap(dir);
  int target = dir;
  if (!o.target_path.empty()) target = open(o.target_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (!o.target_sub.empty()) target = openat(dir, o.target_sub.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) die("open target");
  if (o.exited) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }

  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) die("pipe2");
  std::vector<std::string> args = o.command;
  for (std::string& a : args)
    if (a == "{pid}") a = std::to_string(child);
  if (!o.argv0.empty()) args[0] = o.argv0;
  const pid_t helper = fork();
  if (helper < 0) die("fork");
  if (helper == 0) {
    // Through a spare fd, so that dup2() always makes fresh copies without
    // O_CLOEXEC even when a pipe end or the target already sits on 0, 1 or 3.
    const int spare_in = fcntl(in[0], F_DUPFD_CLOEXEC, 10), spare_out = fcntl(out[1], F_DUPFD_CLOEXEC, 10),
              spare_target = fcntl(target, F_DUPFD_CLOEXEC, 10);
    if (spare_in < 0 || spare_out < 0 || spare_target < 0 || dup2(spare_in, 0) < 0 ||
        dup2(spare_out, 1) < 0 || dup2(spare_target, 3) < 0)
      _exit(126);
    for (int fd : o.close_fds) close(fd);
    if (o.nofile >= 0) {
      const rlimit l{static_cast<rlim_t>(o.nofile), static_cast<rlim_t>(o.nofile)};
      if (setrlimit(RLIMIT_NOFILE, &l) != 0) _exit(126);
    }
    if (o.fsize >= 0) {
      const rlimit l{static_cast<rlim_t>(o.fsize), static_cast<rlim_t>(o.fsize)};
      if (setrlimit(RLIMIT_FSIZE, &l) != 0) _exit(126);
    }
    std::vector<char*> cargs;
    for (std::string& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execv(o.command[0].c_str(), cargs.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  signal(SIGPIPE, SIG_IGN);
  auto hostile_signals = [&] {
    if (o.stop_us >= 0) {
      usleep(static_cast<useconds_t>(o.stop_us));
      kill(helper, SIGSTOP);
      usleep(20000);
      kill(helper, SIGCONT);
    }
    if (o.kill_us >= 0) {
      usleep(static_cast<useconds_t>(o.kill_us));
      kill(helper, SIGKILL);
    }
  };
  if (o.hold_request) hostile_signals();
  if (!request.empty() && write(in[1], request.data(), request.size()) < 0 && errno != EPIPE)
    die("write request");
  close(in[1]);
  if (!o.hold_request) hostile_signals();
  siginfo_t info{};
  while (o.kill_on_map && waitid(P_PID, static_cast<id_t>(helper), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == 0) {
    const int fd = openat(dir, "uid_map", O_RDONLY | O_CLOEXEC);
    char byte;
    const bool mapped = fd >= 0 && read(fd, &byte, 1) == 1;
    if (fd >= 0) close(fd);
    if (mapped) {
      kill(helper, SIGKILL);
      break;
    }
  }
  const std::string answer = read_all(out[0]);
  int status = 0;
  while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }

  std::string shown = answer;
  for (char& c : shown)
    if (c == '\n') c = '|';
  if (!shown.empty() && shown.back() == '|') shown.pop_back();
  std::printf("status=%s:%d\n", WIFEXITED(status) ? "exit" : "signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  std::printf("answer=%s\n", shown.c_str());
  std::printf("uid_map=%s\n", squeeze(read_file_at(dir, "uid_map")).c_str());
  std::printf("gid_map=%s\n", squeeze(read_file_at(dir, "gid_map")).c_str());
  std::printf("setgroups=%s\n", squeeze(read_file_at(dir, "setgroups")).c_str());
  close(release);
  if (!o.exited) waitpid(child, nullptr, 0);
  return 0;
}
