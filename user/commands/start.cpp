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

#include "policy/names.h"
#include "policy/settings.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/log.h"
#include "user/common/settings.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/host/helpers.h"
#include "user/runtime/init.h"
#include "user/runtime/init_probe.h"
#include "user/runtime/launch.h"
#include "user/runtime/monitor.h"
#include "user/storage/container.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

// -s KEY=VALUE, each read as a line `KEY = VALUE` after the config's
// lines: a single-valued key is replaced, a list key gets one more entry
// (LXC's lxc-start -s).
void apply_overrides(const ParsedArgs& args, policy::Config* config) {
  std::vector<std::string> errors;
  for (const auto& [flag, define] : args.given) {
    if (flag != 's') continue;
    const size_t eq = define.find('=');
    if (eq == std::string::npos || eq == 0 || define.find('\n') != std::string::npos)
      throw UsageError("-s takes KEY=VALUE (one setting), not '" + define + "'");
    (void)policy::parse_config(define.substr(0, eq) + " = " + define.substr(eq + 1) + "\n", "-s " + define, config, &errors);
  }
  if (errors.empty()) (void)policy::validate_config(*config, "-s", &errors);
  if (!errors.empty()) throw Error("bad -s setting, fix it:\n  " + join(errors, "\n  "));
}

std::string absolute_path(const std::string& path) {
  if (path.empty()) throw UsageError("-p PIDFILE must not be empty");
  if (path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == nullptr) throw_errno("getcwd");
  return std::string(cwd) + "/" + path;
}

// Everything after the options: start (or, `execute`, run COMMAND under
// a minimal init) the container.
int start_container(ParsedArgs& args, const char* command, bool execute);

}  // namespace

int cmd_start(int argc, char** argv) {
  auto args = parse_args(
      argc, argv, "start", "[-n] NAME [-d|-F] [-f CONFIG] [-s KEY=VALUE]... [-p PIDFILE] [-l LEVEL [-o LOGFILE]]\n"
      "                 [[--] COMMAND...]",
      "Start a container. Without -F it runs in the background (-d) and this command\n"
      "returns once it is RUNNING; with -F the console stays on this terminal and the\n"
      "exit status is the container init's (0 when 'uxc stop' halted it). COMMAND\n"
      "replaces the container's init.",
      {{'n', "name", "NAME", "the container"},
       {'d', "daemon", nullptr, "run in the background (the default)"},
       {'F', "foreground", nullptr, "run in the foreground, console on this terminal"},
       {'f', "rcfile", "CONFIG", "use this config file instead of the container's"},
       {'s', "define", "KEY=VALUE", "this setting for this start only, after the config's"},
       {'p', "pidfile", "PIDFILE", "write the monitor's pid to PIDFILE while the container runs"},
       {'l', "logpriority", "LEVEL", "log level: TRACE DEBUG INFO NOTICE WARN ERROR (default: uxc.conf's) CRIT ALERT FATAL"},
       {'o', "logfile", "LOGFILE", "write the log to LOGFILE (without it, -l logs to stderr)"}});
  if (args.has('d') && args.has('F')) throw UsageError("-d and -F exclude each other");
  return start_container(args, "start", false);
}

int cmd_execute(int argc, char** argv) {
  auto args = parse_args(
      argc, argv, "execute", "[-n] NAME [-f CONFIG] [-s KEY=VALUE]... [-l LEVEL [-o LOGFILE]] [--] COMMAND...",
      "Run COMMAND in the container, in the foreground, as lxc-execute does: 'uxc start\n"
      "-F NAME -- COMMAND', but with a minimal init as the container's pid 1 that runs\n"
      "COMMAND, passes signals on to it (the halt signal as SIGTERM to every process),\n"
      "reaps orphans, and ends the container when COMMAND ends. The exit status is\n"
      "COMMAND's (128+N when signal N killed it).",
      {{'n', "name", "NAME", "the container"},
       {'f', "rcfile", "CONFIG", "use this config file instead of the container's"},
       {'s', "define", "KEY=VALUE", "this setting for this run only, after the config's"},
       {'l', "logpriority", "LEVEL", "log level: TRACE DEBUG INFO NOTICE WARN ERROR (default: uxc.conf's) CRIT ALERT FATAL"},
       {'o', "logfile", "LOGFILE", "write the log to LOGFILE (without it, -l logs to stderr)"}});
  return start_container(args, "execute", true);
}

namespace {

int start_container(ParsedArgs& args, const char* command, bool execute) {
  StartRequest req;
  req.name = require_name(args, command);
  req.foreground = execute || args.has('F');
  req.execute = execute;
  req.command = args.rest;
  if (execute && req.command.empty())
    throw UsageError("a COMMAND is required: uxc execute " + req.name + " -- COMMAND [ARG...]");
  req.user = current_user();
  req.paths = command_paths(args, req.user);
  if (!args.has('f')) require_container(req.paths, req.name);
  req.config_path = args.has('f') ? args.get('f') : container_config(req.paths, req.name);
  // LXC's -l without -o: the log goes to stderr.
  const std::string level = args.has('l') ? args.get('l') : load_user_settings(req.paths).log_level;
  int threshold = 0;
  if (!policy::parse_log_level(level, &threshold))
    throw UsageError("unknown log level '" + level + "': use TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT or FATAL");
  Log log(args.get('o'), level, req.name, args.has('l') && !args.has('o'));
  set_start_log(&log);
  req.config = load_config(req.config_path);
  apply_overrides(args, &req.config);
  if (args.has('p')) req.pidfile = absolute_path(args.get('p'));
  warn_ignored(req.config, req.config_path);
  if (req.config.uts_name.empty()) {
    // A config without lxc.uts.name (LXC's, say): the host name derived
    // from the container's name.
    std::string not_allowed;
    req.config.uts_name = policy::hostname_for_container(req.name, &not_allowed);
    if (req.config.uts_name.empty())
      throw Error("'" + req.name + "' leaves nothing for a host name (" + not_allowed +
                  " cannot be in one): set lxc.uts.name in " + req.config_path);
  }
  req.rootfs = req.config.rootfs.empty() ? container_dir(req.paths, req.name) + "/rootfs" : req.config.rootfs;
  check_rootfs_dirs(req.rootfs, req.config_path);
  // Checked here so a refusal comes before anything is created.
  (void)container_idmap(req.config, req.user);
  check_veth_links(req.config, req.config_path, req.user);
  req.init = probe_init(req.rootfs, container_argv(req.command, req.config).front());
  // Under execute's minimal init, whatever the command is, it is no init.
  if (req.execute) req.init.system = policy::InitSystem::kOther;
  req.defaults = policy::init_defaults(req.init.system);
  // A distribution's gettys expect ttys (LXC's common.conf gives 4).
  if (req.defaults.full_system && req.config.tty_max == 0) req.config.tty_max = req.defaults.tty_max;
  if (req.init.system == policy::InitSystem::kSystemd) {
    const std::string problem = systemd_cgroup_problem();
    if (!problem.empty()) throw Error(req.name + ": " + problem);
  }
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
  if (!lock_runtime(lock.get())) throw Error(req.name + " is already running");
  log.info("starting " + req.name + " from " + req.config_path + "; its init " + req.init.invoked + " is " +
           policy::init_system_name(req.init.system));
  log.debug("rootfs " + req.rootfs + "; runtime directory " + runtime);
  for (const auto& [flag, define] : args.given)
    if (flag == 's') log.debug("-s " + define);

  // An lxc.ephemeral container is removed once its monitor is done,
  // while this process still holds its lock.
  const bool own_config = !args.has('f');
  if (req.foreground) {
    // Only the container ends this: the terminal is its console, and no
    // key is kept back from it.
    if (isatty(0) == 1 && isatty(2) == 1 && !quiet())
      req.foreground_note = "uxc " + std::string(command) + ": " + req.name + "'s console is on this terminal; every key goes to it.\n"
                            "  To stop it: 'uxc stop " + req.name + "' from another terminal, or halt it from inside.\n"
                            "  To detach and come back later, start it with -d and use 'uxc console " + req.name + "'.";
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
    // The lock stays open until this process exits, unless the monitor
    // hands it to a `uxc stop` (monitor.h).
    bool handed_over = false;
    const int rc = run_monitor(req, status_write.release(), log, lock.release(), &handed_over);
    if (own_config && !handed_over) remove_if_ephemeral(req.paths, req.user, req.name);
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

}  // namespace

}  // namespace uxc
