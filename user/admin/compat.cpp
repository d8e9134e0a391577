// uxc-admin compat install|remove [--prefix DIR | --divert] [--force]
// [--helpers DIR]: the compat names engines look for (newuidmap,
// newgidmap, lxc-user-nic) as symbolic links to uxc's setuid helpers, in a
// directory of the administrator's choice or, with dpkg-divert, in place
// of shadow's and LXC's own.
//
// A link, not a copy: the helper's setuid bit, owner and every upgrade
// (make install) carry over, and "ours" is a link that resolves to the
// helper, which nobody else makes.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "user/admin/admin.h"

namespace uxc::admin {

namespace {

const CommandHelp kHelp = {
    "compat",
    "install|remove [--prefix DIR | --divert] [--force] [--helpers DIR]",
    "Install (or remove) the names engines look for as links to uxc's setuid helpers:\n"
    "newuidmap and newgidmap (uxc-idmap; RootlessKit, rootless Docker and containerd,\n"
    "podman find them on PATH) and lxc-user-nic (uxc-nic; RootlessKit's --net=lxc-user-nic).\n"
    "By default they go into /usr/local/bin, ahead of /usr/bin on the usual PATH.\n"
    "--divert puts each where its Debian package has it instead (/usr/bin/newuidmap,\n"
    "/usr/bin/newgidmap, /usr/libexec/lxc/lxc-user-nic, RootlessKit's default), moving\n"
    "shadow's and LXC's files aside with dpkg-divert (to NAME.distrib), so that upgrades\n"
    "of those packages keep them aside; remove --divert puts them back.\n"
    "Install never overwrites a file it did not make unless --force is given (and then\n"
    "replaces it); nothing is changed unless every name can be installed. Remove takes\n"
    "away only its own links, and says which files it leaves.",
    {{"prefix", "DIR", "where the names go (default /usr/local/bin)"},
     {"divert", nullptr, "replace shadow's and LXC's files, diverted with dpkg-divert"},
     {"force", nullptr, "install: replace a file that is not uxc's"},
     {"helpers", "DIR", "where uxc's helpers are (default " UXC_LIBEXECDIR ")"}},
};

constexpr char kDefaultPrefix[] = "/usr/local/bin";
constexpr char kDpkgDivert[] = "/usr/bin/dpkg-divert";
constexpr char kDivertSuffix[] = ".distrib";

struct Entry {
  std::string path;    // where the name goes
  std::string helper;  // what the link points to
  policy::CompatFile state = policy::CompatFile::kAbsent;
};

// A helper that engines may be pointed at: a setuid-root regular file
// that only root can change. Anything else would make the engines fail
// later, in a user's hands, with a less clear message.
void require_setuid_helper(const std::string& helper) {
  struct stat st;
  if (stat(helper.c_str(), &st) != 0) throw_errno(helper + " (install uxc first: make install)");
  if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & S_ISUID) == 0 ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    throw Error(helper + " is not a setuid-root helper that only root can change; install uxc with make install (as root)");
}

policy::CompatFile compat_state(const std::string& path, const std::string& helper) {
  struct stat link_st, target_st, helper_st;
  if (lstat(path.c_str(), &link_st) != 0) {
    if (errno == ENOENT) return policy::CompatFile::kAbsent;
    throw_errno("cannot look at " + path);
  }
  if (!S_ISLNK(link_st.st_mode)) return policy::CompatFile::kForeign;
  // Ours: the link's text is the helper's path, or it resolves to it.
  char text[4096];
  const ssize_t n = readlink(path.c_str(), text, sizeof text - 1);
  if (n > 0 && std::string(text, static_cast<size_t>(n)) == helper) return policy::CompatFile::kOurs;
  if (stat(path.c_str(), &target_st) == 0 && stat(helper.c_str(), &helper_st) == 0 &&
      target_st.st_dev == helper_st.st_dev && target_st.st_ino == helper_st.st_ino)
    return policy::CompatFile::kOurs;
  return policy::CompatFile::kForeign;
}

// The link made beside the name and renamed over it: the name is the old
// file or the link, never missing.
void make_link(const Entry& e) {
  const std::string temp = e.path + ".uxc-new";
  (void)unlink(temp.c_str());
  if (symlink(e.helper.c_str(), temp.c_str()) != 0) throw_errno("cannot create " + temp);
  if (rename(temp.c_str(), e.path.c_str()) != 0) {
    const int err = errno;
    (void)unlink(temp.c_str());
    errno = err;
    throw_errno("cannot put the link at " + e.path);
  }
}

// dpkg-divert ARGS..., its standard output in *out; its exit status.
int dpkg_divert(const std::vector<std::string>& args, std::string* out) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  std::vector<char*> argv = {const_cast<char*>(kDpkgDivert)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child < 0) throw_errno("fork");
  if (child == 0) {
    if (dup2(write_end.get(), STDOUT_FILENO) < 0) _exit(127);
    execv(kDpkgDivert, argv.data());
    _exit(127);
  }
  write_end.reset();
  out->clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(read_end.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out->append(buf, static_cast<size_t>(n));
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && access(kDpkgDivert, X_OK) != 0)
    throw Error(std::string(kDpkgDivert) + " is not there: --divert needs dpkg");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Who diverts PATH: "" (nobody), "LOCAL" (an administrator, or us), or a
// package's name; and where to.
void diversion_of(const std::string& path, std::string* holder, std::string* to) {
  std::string out;
  if (dpkg_divert({"--listpackage", path}, &out) != 0) throw Error("dpkg-divert --listpackage " + path + " failed");
  *holder = trimmed(out);
  if (dpkg_divert({"--truename", path}, &out) != 0) throw Error("dpkg-divert --truename " + path + " failed");
  *to = trimmed(out);
}

// Called once the holder was checked: nobody, or us.
void divert(const std::string& path) {
  std::string holder, to, out;
  diversion_of(path, &holder, &to);
  if (!holder.empty()) return;  // ours, from an earlier install
  if (dpkg_divert({"--local", "--rename", "--divert", path + kDivertSuffix, "--add", path}, &out) != 0)
    throw Error("dpkg-divert could not divert " + path);
  std::printf("%s: diverted to %s%s\n", path.c_str(), path.c_str(), kDivertSuffix);
}

void undivert(const std::string& path) {
  std::string holder, to, out;
  diversion_of(path, &holder, &to);
  if (holder != "LOCAL" || to != path + kDivertSuffix) return;  // not ours to undo
  if (dpkg_divert({"--local", "--rename", "--remove", path}, &out) != 0)
    throw Error("dpkg-divert could not remove the diversion of " + path);
  std::printf("%s: diversion removed, the package's file is back\n", path.c_str());
}

}  // namespace

int cmd_compat(int argc, char** argv) {
  const CommandLine args = parse_command_line(argc, argv, kHelp);
  if (args.operands.size() != 1 || (args.operands[0] != "install" && args.operands[0] != "remove"))
    throw UsageError("expected install or remove");
  const bool install = args.operands[0] == "install";
  const bool divert_packages = args.has("divert");
  if (divert_packages && args.has("prefix")) throw UsageError("--prefix and --divert exclude each other");
  if (!install && args.has("force")) throw UsageError("--force is for install only");
  const std::string prefix = args.has("prefix") ? args.get("prefix") : kDefaultPrefix;
  const std::string helpers = args.has("helpers") ? args.get("helpers") : UXC_LIBEXECDIR;
  for (const std::string* dir : {&prefix, &helpers})
    if (dir->empty() || dir->front() != '/') throw UsageError("\"" + *dir + "\" is not an absolute path");
  if (geteuid() != 0) throw Error("must run as root: it installs links to setuid helpers");

  std::vector<Entry> entries;
  for (const policy::CompatName& name : policy::kCompatNames) {
    Entry e;
    e.path = std::string(divert_packages ? name.debian_dir : prefix) + "/" + std::string(name.name);
    e.helper = helpers + "/" + std::string(name.helper);
    e.state = compat_state(e.path, e.helper);
    entries.push_back(std::move(e));
  }

  if (!install) {
    for (const Entry& e : entries) {
      switch (policy::decide_compat_remove(e.state)) {
        case policy::CompatAction::kRemove:
          if (unlink(e.path.c_str()) != 0) throw_errno("cannot remove " + e.path);
          std::printf("%s: removed\n", e.path.c_str());
          break;
        case policy::CompatAction::kLeave:
          std::printf("%s: not uxc's link; left alone\n", e.path.c_str());
          continue;  // a diversion under a foreign file stays too
        default:
          break;
      }
      if (divert_packages) undivert(e.path);
    }
    return 0;
  }

  // Every check before the first change. Under --divert, the package's
  // file is moved aside, not replaced; a file at a name we diverted
  // already is someone else's, as it is without --divert.
  const bool force = args.has("force");
  for (const Entry& e : entries) {
    require_setuid_helper(e.helper);
    bool ours_diverted = false;
    if (divert_packages) {
      std::string holder, to;
      diversion_of(e.path, &holder, &to);
      ours_diverted = holder == "LOCAL" && to == e.path + kDivertSuffix;
      if (!holder.empty() && !ours_diverted)
        throw Error(e.path + " is diverted already (by " + holder + ", to " + to + "); remove that diversion first");
    }
    if ((!divert_packages || ours_diverted) &&
        policy::decide_compat_install(e.state, force) == policy::CompatAction::kRefuse)
      throw Error(e.path + " exists and is not uxc's: remove it, or give --force to replace it");
  }
  // The directory of each name (--prefix's, or /usr/libexec/lxc on a host
  // without LXC, where RootlessKit still looks), before any diversion.
  for (const Entry& e : entries) {
    const std::string dir = e.path.substr(0, e.path.rfind('/'));
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("cannot create " + dir);
  }
  for (Entry& e : entries) {
    if (divert_packages && e.state != policy::CompatFile::kOurs) {
      divert(e.path);  // moves the package's file (if any) aside
      e.state = compat_state(e.path, e.helper);
    }
    switch (policy::decide_compat_install(e.state, force)) {
      case policy::CompatAction::kKeep:
        std::printf("%s -> %s: already in place\n", e.path.c_str(), e.helper.c_str());
        break;
      case policy::CompatAction::kReplace:
        make_link(e);
        std::printf("%s -> %s (replaced a file that was not uxc's)\n", e.path.c_str(), e.helper.c_str());
        break;
      case policy::CompatAction::kCreate:
        make_link(e);
        std::printf("%s -> %s\n", e.path.c_str(), e.helper.c_str());
        break;
      default:
        throw Error(e.path + " exists and is not uxc's");
    }
  }
  return 0;
}

}  // namespace uxc::admin
