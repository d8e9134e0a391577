// uxc start: checks the config and the rootfs, takes the container's
// runtime lock, and becomes its monitor (runtime/monitor.h): in this
// process with -F, else in a child that reports "ok" or the error once
// the container runs.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/log.h"
#include "user/common/settings.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/runtime/init.h"
#include "user/runtime/launch.h"
#include "user/runtime/monitor.h"
#include "user/storage/container.h"
#include "user/storage/store.h"

namespace uxc {

int cmd_start(int argc, char** argv) {
  const auto args = parse_args(
      argc, argv, "start", "-n NAME [-d|-F] [-f CONFIG] [-l LEVEL -o LOGFILE] [-- COMMAND...]",
      "Start a container. Without -F it runs in the background (-d) and this command\n"
      "returns once it is RUNNING; with -F the console stays on this terminal and the\n"
      "exit status is the container init's. COMMAND replaces the container's init.",
      {{'n', "name", "NAME", "the container"},
       {'d', "daemon", nullptr, "run in the background (the default)"},
       {'F', "foreground", nullptr, "run in the foreground, console on this terminal"},
       {'f', "rcfile", "CONFIG", "use this config file instead of the container's"},
       {'l', "logpriority", "LEVEL", "log level: TRACE DEBUG INFO NOTICE WARN ERROR (default: uxc.conf's) CRIT ALERT FATAL"},
       {'o', "logfile", "LOGFILE", "write a log of the start to LOGFILE"}});
  StartRequest req;
  req.name = require_name(args, "start");
  if (args.has('d') && args.has('F')) throw Error("-d and -F exclude each other");
  req.foreground = args.has('F');
  req.command = args.rest;
  req.user = current_user();
  req.paths = user_paths(req.user);
  if (!args.has('f')) require_container(req.paths, req.name);
  req.config_path = args.has('f') ? args.get('f') : container_config(req.paths, req.name);
  Log log(args.get('o'), args.has('l') ? args.get('l') : load_user_settings(req.paths).log_level, req.name);
  req.config = load_config(req.config_path);
  warn_ignored(req.config, req.config_path);
  req.rootfs = req.config.rootfs.empty() ? container_dir(req.paths, req.name) + "/rootfs" : req.config.rootfs;
  check_rootfs_dirs(req.rootfs, req.config_path);
  // Checked here so a refusal comes before anything is created.
  (void)container_idmap(req.config, req.user);
  if (req.config.tty_max > kMaxTtys)
    throw Error(req.config_path + ": lxc.tty.max = " + std::to_string(req.config.tty_max) + ": uxc gives a container at most " +
                std::to_string(kMaxTtys) + " ttys");

  // A private runtime directory; its lock says "running" for as long as
  // the monitor lives.
  make_runtime_dir(&req.paths, req.user);
  const std::string runtime = container_runtime(req.paths, req.name);
  make_private_dir(runtime, req.user.uid);
  Fd lock(open((runtime + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) throw_errno("cannot open " + runtime + "/lock");
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) throw Error(req.name + " is already running");
  log.info("starting " + req.name + " from " + req.config_path);

  // An lxc.ephemeral container is removed once its monitor is done,
  // while this process still holds its lock.
  const bool own_config = !args.has('f');
  if (req.foreground) {
    const int rc = run_monitor(req, -1, log);
    if (own_config) remove_if_ephemeral(req.paths, req.user, req.name);
    return rc;
  }

  auto [status_read, status_write] = make_pipe();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    status_read.reset();
    setsid();
    prctl(PR_SET_NAME, "uxc monitor");
    const int rc = run_monitor(req, status_write.release(), log);
    if (own_config) remove_if_ephemeral(req.paths, req.user, req.name);
    std::fflush(nullptr);
    _exit(rc);
  }
  status_write.reset();
  lock.reset();  // the monitor holds it now
  std::string status;
  (void)read_all(status_read.get(), &status, 65536);
  if (status == "ok") return 0;
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  throw Error(status.empty() ? "the monitor died during start-up" : status);
}

}  // namespace uxc
