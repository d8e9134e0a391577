#include "user/host/userns.h"

#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>

#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/common/park.h"

namespace uxc {

void run_as_container_root(const policy::IdmapRequest& maps, const std::function<void()>& work,
                           const std::function<void(pid_t)>& started) {
  if (run_as_container_root_status(maps, work, started) != 0) throw Error("file work in the user namespace failed");
}

std::function<void(const std::function<void()>&)> container_root(const policy::IdmapRequest& maps) {
  return [maps](const std::function<void()>& work) { run_as_container_root(maps, work); };
}

int run_as_container_root_status(const policy::IdmapRequest& maps, const std::function<void()>& work,
                                 const std::function<void(pid_t)>& started) {
  auto [ready_read, ready_write] = make_pipe();
  auto [go_read, go_write] = make_pipe();
  auto [err_read, err_write] = make_pipe();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ready_read.reset();
    go_write.reset();
    err_read.reset();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::string failure;
    try {
      if (unshare(CLONE_NEWUSER) != 0)
        throw_errno("cannot create a user namespace (is kernel.unprivileged_userns_clone 0?)");
      (void)write_all(ready_write.get(), "r");
      ready_write.reset();
      (void)park(go_read.get());  // the maps are written
      if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) throw_errno("cannot become root in the user namespace");
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // cleared by the credential change
      umask(022);
      work();
      _exit(0);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    (void)write_all(err_write.get(), failure);
    _exit(1);
  }
  ready_write.reset();
  go_read.reset();
  err_write.reset();
  if (started) started(pid);
  Defer reap([pid] {
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  });
  char ready = 0;
  if (read(ready_read.get(), &ready, 1) != 1) {
    std::string msg;
    (void)read_all(err_read.get(), &msg, 4096);
    throw Error(msg.empty() ? "the user namespace child died" : msg);
  }
  map_user_namespace(pid, maps);
  if (!release(go_write.get(), 'g')) throw_errno("cannot release the user namespace child");
  go_write.reset();
  std::string msg;
  (void)read_all(err_read.get(), &msg, 4096);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  reap.dismiss();
  if (!msg.empty()) throw Error(msg);
  return exit_code(status);
}

}  // namespace uxc
