// idmap_bench: times one full uid + gid map of a fresh user namespace,
// done by uxc-idmap (one exec, request on a pipe, /proc/PID as fd 3)
// against shadow's newuidmap + newgidmap (two execs), interleaved in one
// run so both see the same machine state.
//
//   idmap_bench RUNS UXC_IDMAP NEWUIDMAP NEWGIDMAP INSIDE OUTSIDE COUNT
//
// Each run gets new target processes; only the helper executions (fork,
// exec, wait) are timed. Every run's exit status and the maps read back are
// checked, so a failing helper cannot look fast. Prints the medians in
// microseconds and ours / theirs.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "idmap_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Target {
  pid_t pid;
  int release;  // closing it lets the target exit
  int dir;      // /proc/PID
};

Target start_target() {
  int ready[2], park[2];
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(park, O_CLOEXEC) != 0) die("pipe2");
  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(ready[0]);
    close(park[1]);
    if (unshare(CLONE_NEWUSER) != 0) _exit(3);
    if (write(ready[1], "r", 1) != 1) _exit(4);
    char byte;
    while (read(park[0], &byte, 1) < 0) {
    }
    _exit(0);
  }
  close(ready[1]);
  close(park[0]);
  char byte;
  if (read(ready[0], &byte, 1) != 1) die("target did not start");
  close(ready[0]);
  const std::string proc = "/proc/" + std::to_string(pid);
  const int dir = open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) die("open " + proc);
  return {pid, park[1], dir};
}

std::string read_map(int dir, const char* name) {
  const int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
  std::string text, squeezed;
  char buf[4096];
  ssize_t n;
  while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  if (fd >= 0) close(fd);
  for (char c : text)
    if (c != ' ' || (!squeezed.empty() && squeezed.back() != ' ' && squeezed.back() != '\n'))
      squeezed.push_back(c);
  return squeezed;
}

void finish(const Target& t, const std::string& want) {
  if (read_map(t.dir, "uid_map") != want || read_map(t.dir, "gid_map") != want)
    die("maps not as asked: " + read_map(t.dir, "uid_map") + " / " + read_map(t.dir, "gid_map"));
  close(t.release);
  close(t.dir);
  waitpid(t.pid, nullptr, 0);
}

// Runs argv with fd 0 = a pipe holding input, fd 3 = dir; returns when it exited 0.
void run(const std::vector<std::string>& argv, const std::string& input, int dir) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) die("pipe2");
  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    const int spare = fcntl(dir, F_DUPFD_CLOEXEC, 10);
    const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (spare < 0 || dup2(in[0], 0) < 0 || dup2(devnull, 1) < 0 || dup2(spare, 3) < 0) _exit(126);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  if (!input.empty() && write(in[1], input.data(), input.size()) < 0) die("write");
  close(in[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die(argv[0] + " failed");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr,
                 "usage: idmap_bench RUNS UXC_IDMAP NEWUIDMAP NEWGIDMAP INSIDE OUTSIDE COUNT\n");
    return 2;
  }
  const int runs = std::atoi(argv[1]);
  const std::string ours = argv[2], newuidmap = argv[3], newgidmap = argv[4];
  const std::string extent = std::string(argv[5]) + " " + argv[6] + " " + argv[7];
  const std::string request = "uxc-idmap 1\nuid " + extent + "\ngid " + extent + "\nend\n";
  const std::string want = extent + "\n";
  using clock = std::chrono::steady_clock;
  std::vector<double> ours_us, theirs_us;
  for (int i = 0; i < runs; ++i) {
    for (int turn = 0; turn < 2; ++turn) {
      const bool ours_turn = (turn == 0) == (i % 2 == 0);  // alternate who goes first
      const Target t = start_target();
      const std::string pid = std::to_string(t.pid);
      const auto start = clock::now();
      if (ours_turn) {
        run({ours}, request, t.dir);
      } else {
        run({newuidmap, pid, argv[5], argv[6], argv[7]}, "", t.dir);
        run({newgidmap, pid, argv[5], argv[6], argv[7]}, "", t.dir);
      }
      const double us = std::chrono::duration<double, std::micro>(clock::now() - start).count();
      (ours_turn ? ours_us : theirs_us).push_back(us);
      finish(t, want);
    }
  }
  const double a = median(ours_us), b = median(theirs_us);
  std::printf("runs: %d each\n", runs);
  std::printf("uxc-idmap (uid+gid, one exec):      median %8.0f us\n", a);
  std::printf("newuidmap + newgidmap (two execs):  median %8.0f us\n", b);
  std::printf("ratio ours/theirs: %.2f\n", a / b);
  return 0;
}
