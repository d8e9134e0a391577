// uxc create: a new container's config, from default.conf and the
// template, and its rootfs (storage/rootfs.h, storage/images.h), written
// as the container's root.
//
// The config is written last: a directory without one, marked unfinished
// (storage/store.h), is not a container, so a create that is interrupted,
// even by SIGKILL, never shows up in `uxc ls`. Its directory stays locked
// while the create runs; the next create of the same name removes what a
// dead one left.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "policy/config.h"
#include "policy/image.h"
#include "policy/names.h"
#include "policy/oci.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/settings.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/host/userns.h"
#include "user/storage/container.h"
#include "user/storage/hostname.h"
#include "user/storage/images.h"
#include "user/storage/rootfs.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

const char kTemplates[] = "use -t busybox, -t download -- -d DIST -r RELEASE, -t local -- PATH or -t oci -- PATH[:TAG]";

// The image server: the user's uxc.conf, then the administrator's, then
// LXC's default.
std::string image_server(const policy::UserSettings& user_settings) {
  if (user_settings.image_server_given) return user_settings.image_server;
  const policy::AdminSettings admin = load_admin_settings();
  return admin.image_server.empty() ? user_settings.image_server : admin.image_server;
}

// An absolute path for what the user named relative to here; it must exist.
std::string existing_path(const std::string& path, const char* what) {
  if (!path_exists(path)) throw Error(std::string(what) + " " + path + " does not exist");
  if (path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == nullptr) throw_errno("getcwd");
  return std::string(cwd) + "/" + path;
}

std::string default_config_text(const Paths& paths, const std::string& override_path, std::string* source) {
  std::string text;
  const std::vector<std::string> candidates =
      override_path.empty()
          ? std::vector<std::string>{paths.config_dir + "/default.conf", std::string(UXC_SYSCONFDIR) + "/uxc/default.conf"}
          : std::vector<std::string>{override_path};
  for (const auto& c : candidates) {
    if (read_file(c, &text, policy::kMaxConfigBytes + 1)) {
      *source = c;
      return text;
    }
    if (errno != ENOENT || !override_path.empty()) throw_errno("cannot read " + c);
  }
  *source = "(built-in defaults)";
  return "";
}

std::string record_lines(const policy::ImageRecord& r) {
  std::string out;
  const std::pair<const char*, const std::string*> fields[] = {
      {"dist", &r.dist},       {"release", &r.release}, {"arch", &r.arch},
      {"variant", &r.variant}, {"build", &r.build},     {"server", &r.server}};
  for (const auto& [key, value] : fields)
    if (!value->empty()) out += std::string("uxc.image.") + key + " = " + *value + "\n";
  return out;
}

// The container's directory, new and locked for as long as the create
// runs. A directory without a config that is marked unfinished is what a
// killed create left: it is removed, unless another create still holds
// it. One without the mark is a container whose config went missing
// (storage/store.h): its files may matter, so the refusal says what to do.
Fd claim_container_dir(const Paths& paths, const std::string& dir, const std::string& name,
                       const policy::IdmapRequest& maps) {
  const bool made = mkdir(dir.c_str(), 0700) == 0;
  if (!made && errno != EEXIST) throw_errno("cannot create " + dir);
  if (!made && path_exists(dir + "/config")) throw Error("container " + name + " already exists (" + dir + ")");
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) throw_errno("cannot open " + dir);
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) throw Error("container " + name + " is being created by another uxc create");
  if (!made && !path_exists(dir + "/config") && !path_exists(dir + "/" + kUnfinishedMarker))
    throw Error(name_taken_message(paths, name));
  if (made) mark_unfinished(dir);
  // A leftover of an interrupted create made before directories were private.
  if (!made && fchmod(fd.get(), 0700) != 0) throw_errno("cannot make " + dir + " private");
  if (!made) {
    if (path_exists(dir + "/config")) throw Error("container " + name + " already exists (" + dir + ")");
    const std::string rootfs = dir + "/rootfs";
    if (path_exists(rootfs)) run_as_container_root(maps, [&] { remove_tree(rootfs); });
  }
  return fd;
}

// `-t oci -- PATH[:TAG]`. A path that exists is the image whatever its
// colons; otherwise the tag follows the first ':' after the last '/', so
// a docker archive's "busybox:latest" stays whole.
FetchedImage::OciSource oci_source(const std::vector<std::string>& args) {
  if (args.size() != 1) throw UsageError("the oci template takes one argument: -- PATH[:TAG]");
  FetchedImage::OciSource source;
  const std::string& arg = args[0];
  if (arg.empty()) throw UsageError("the oci template takes one argument: -- PATH[:TAG]");
  if (path_exists(arg)) {
    source.path = existing_path(arg, "the image");
    return source;
  }
  const size_t slash = arg.rfind('/');
  const size_t colon = arg.find(':', slash == std::string::npos ? 0 : slash + 1);
  if (colon == std::string::npos || colon == 0) existing_path(arg, "the image");  // throws
  source.path = existing_path(arg.substr(0, colon), "the image");
  source.tag = arg.substr(colon + 1);
  if (source.tag.empty()) throw UsageError("'" + arg + "' names no tag after ':'");
  return source;
}

// The lines the image's config gives the container's, under a comment
// saying where they come from.
std::string oci_config_text(const FetchedImage& image, const FetchedImage::OciSource& source,
                            std::vector<std::string>* left_out) {
  std::string text = "\n# Imported from the " + std::string(image.get("format") == "docker" ? "docker save archive"
                                                                                              : "OCI image layout") +
                     " " + source.path;
  if (!image.get("ref").empty()) text += ", image " + image.get("ref");
  text += " (" + image.get("manifest") + ", " + image.get("layers") + " layers)\n";
  for (size_t i = 0; !image.get("config-line-" + std::to_string(i)).empty(); ++i)
    text += image.get("config-line-" + std::to_string(i)) + "\n";
  for (size_t i = 0; !image.get("left-out-" + std::to_string(i)).empty(); ++i)
    left_out->push_back(image.get("left-out-" + std::to_string(i)));
  return text;
}

// The image's User by name (or a uid alone): its ids from the unpacked
// tree's /etc/passwd and /etc/group, as Docker looks them up at run time.
std::string oci_user_lines(const std::string& rootfs, const std::string& user, std::vector<std::string>* left_out) {
  const std::string passwd = read_rootfs_file(rootfs, "etc/passwd", policy::kMaxMetaFileBytes);
  const std::string group = read_rootfs_file(rootfs, "etc/group", policy::kMaxMetaFileBytes);
  uint32_t uid = 0, gid = 0;
  std::string why;
  if (!policy::resolve_oci_user(user, passwd, group, &uid, &gid, &why)) {
    left_out->push_back(why + ": the command runs as the container's root");
    return "";
  }
  std::string lines;
  if (uid != 0) lines += "lxc.init.uid = " + std::to_string(uid) + "\n";
  if (gid != 0) lines += "lxc.init.gid = " + std::to_string(gid) + "\n";
  return lines.empty() ? "" : "\n# The image's User " + user + ", from its /etc/passwd and /etc/group\n" + lines;
}

// uxc.image.*: the image's architecture and the start of its digest as
// the build; the distribution and release as its tree tells them.
void oci_record(const FetchedImage& image, policy::ImageRecord* record) {
  if (policy::is_valid_image_word(image.get("arch"))) record->arch = image.get("arch");
  const std::string digest = image.get("manifest");
  if (digest.size() > 19) record->build = digest.substr(0, 19);  // sha256:0123456789ab
}

}  // namespace

int cmd_create(int argc, char** argv) {
  auto args = parse_args(
      argc, argv, "create", "[-n] NAME -t TEMPLATE [-f CONFIG] [[--] TEMPLATE-ARGS]",
      "Create a container from a template. Templates:\n"
      "  download  a distribution image from an LXC image server, kept in a cache:\n"
      "            -- -d DIST -r RELEASE [-a ARCH] [--variant V] [--server HOST[:PORT]]\n"
      "               [--flush-cache | --force-cache | --no-cache]\n"
      "            or -- --list [-d DIST] [-r RELEASE] [-a ARCH] [--variant V]: what the\n"
      "            server offers (no container is made)\n"
      "  local     a root filesystem from a tarball (.tar, .tar.gz, .tar.xz, .tar.zst)\n"
      "            or a directory: -- PATH; or an image's two tarballs, as distrobuilder\n"
      "            and image servers make them: -- -m META.tar.xz -f ROOTFS.tar.xz\n"
      "  oci       an image of an OCI image layout (a directory or a tarball of one) or\n"
      "            of a docker save archive, its layers applied in order: -- PATH[:TAG]\n"
      "            (TAG: the layout's ref name or the archive's repository:tag); its\n"
      "            Entrypoint, Cmd, Env, WorkingDir and User become lxc.init.cmd,\n"
      "            lxc.environment, lxc.init.cwd and lxc.init.uid/gid\n"
      "  busybox   a small system from Debian's busybox-static: init, getty on the\n"
      "            console, DHCP on interfaces without a static address\n"
      "The new config starts from ~/.config/uxc/default.conf (or -f CONFIG), with each\n"
      "'xx' of an hwaddr template replaced by random hex digits. uxc-create(1) and\n"
      "'uxc image --help' say more.",
      {{'n', "name", "NAME", "name of the new container"},
       {'t', "template", "TEMPLATE", "download, local, oci or busybox (default: uxc.conf's [create] template)"},
       {'f', "config", "CONFIG", "start from this file instead of default.conf"}});
  // `-t download -- --list` (LXC's): what the server offers. Nothing is
  // created, so no name is needed; one given is ignored.
  if (args.get('t') == "download") {
    const bool named_by_operand = !args.has('n') && args.operands > 0;
    const std::vector<std::string> template_args(args.rest.begin() + (named_by_operand ? 1 : 0), args.rest.end());
    policy::DownloadArgs d;
    std::string err;
    const bool list_asked = std::find_if(template_args.begin(), template_args.end(), [](const std::string& a) {
                              return a == "-l" || a == "--list";
                            }) != template_args.end();
    if (list_asked && !policy::parse_download_args(template_args, &d, &err)) throw UsageError(err);
    if (list_asked && d.list) {
      std::vector<std::string> tool = {"list", "--default-server",
                                       image_server(load_user_settings(command_paths(args, current_user())))};
      if (quiet()) tool.push_back("--quiet");
      tool.push_back("--");
      tool.insert(tool.end(), template_args.begin(), template_args.end());
      std::fflush(nullptr);
      exec_image_tool(tool);
    }
  }
  const std::string name = require_name(args, "create");
  const policy::UserSettings user_settings = load_user_settings(command_paths(args, current_user()));
  const std::string tmpl = args.has('t') ? args.get('t') : user_settings.default_template;
  if (tmpl.empty()) throw UsageError(std::string("-t TEMPLATE is required: ") + kTemplates);
  const bool be_quiet = quiet();
  if (tmpl != "busybox" && tmpl != "local" && tmpl != "download" && tmpl != "oci")
    throw UsageError("unknown template '" + tmpl + "': " + kTemplates);
  std::string local_source, local_metadata;
  FetchedImage::OciSource oci;
  if (tmpl == "local") {
    policy::LocalArgs local;
    std::string err;
    if (!policy::parse_local_args(args.rest, &local, &err)) throw UsageError(err);
    local_source = existing_path(local.rootfs, "the rootfs");
    if (!local.metadata.empty()) local_metadata = existing_path(local.metadata, "the metadata tarball");
  } else if (tmpl == "oci") {
    oci = oci_source(args.rest);
  } else if (tmpl == "busybox" && !args.rest.empty()) {
    throw UsageError("the busybox template takes no arguments");
  }
  const std::string busybox = "/bin/busybox";
  if (tmpl == "busybox" && access(busybox.c_str(), X_OK) != 0)
    throw Error(busybox + " not found: ask your administrator to install busybox-static");

  const User user = current_user();
  const Paths paths = command_paths(args, user);
  const std::string dir = container_dir(paths, name);
  if (path_exists(dir + "/config")) throw Error("container " + name + " already exists (" + dir + ")");
  if (is_directory(dir) && !is_unfinished(dir)) throw Error(name_taken_message(paths, name));

  std::string source;
  const std::string defaults = default_config_text(paths, args.get('f'), &source);
  policy::Config from_defaults;
  {
    std::vector<std::string> errors;
    if (!policy::parse_config(defaults, source, &from_defaults, &errors, &config_includes()))
      throw Error("bad configuration, fix these lines:\n  " + join(errors, "\n  "));
  }
  // The image first: a create whose image cannot be had leaves nothing.
  std::unique_ptr<FetchedImage> image;
  std::string distribution;
  std::vector<std::string> left_out;
  if (tmpl == "oci") {
    image = std::make_unique<FetchedImage>(oci);
    distribution = oci_config_text(*image, oci, &left_out);
  }
  if (tmpl == "download" || !local_metadata.empty()) {
    if (tmpl == "download") image = std::make_unique<FetchedImage>(args.rest, image_server(user_settings), be_quiet);
    else image = std::make_unique<FetchedImage>(local_metadata);
    std::string config_user;
    if (!image->get("config").empty()) config_user = read_file_or_throw(image->get("config"));
    std::vector<std::string> errors;
    if (!policy::check_image_config(config_user, &errors))
      throw Error("the image's " + image->get("config") + " cannot be used:\n  " + join(errors, "\n  "));
    if (!config_user.empty() && config_user.back() != '\n') config_user += '\n';
    if (tmpl == "download") {
      policy::ImageRecord record{image->get("dist"), image->get("release"), image->get("arch"),
                                 image->get("variant"), image->get("build"), image->get("server")};
      distribution = "\n# Distribution configuration: " + record.dist + " " + record.release + " " + record.arch +
                     " (" + record.variant + "), build " + record.build + " from " + record.server + "\n" +
                     config_user + record_lines(record);
    } else {
      distribution = "\n# Distribution configuration, from " + local_metadata + "\n" + config_user;
    }
  }

  // The lines uxc writes above the defaults. The host name is the
  // container's name where that is one; a name that is not ("a_b") gets
  // one derived from it, and the user is told where to change it.
  const std::string config_path = dir + "/config";
  const std::string rootfs = dir + "/rootfs";
  std::string text = "# Container " + name + ", created by 'uxc create -t " + tmpl;
  if (!args.rest.empty()) text += " -- " + join(args.rest, " ");
  text += "' from " + source + "\n";
  text += "lxc.rootfs.path = dir:" + rootfs + "\n";
  std::string not_allowed;
  const std::string host = policy::hostname_for_container(name, &not_allowed);
  if (from_defaults.uts_name.empty()) {
    if (host.empty())
      throw Error("'" + name + "' leaves nothing for a host name (" + not_allowed +
                  " cannot be in one, which holds letters, digits, '-' and '.'): set lxc.uts.name in a config and "
                  "create from it: uxc create " + name + " -t " + tmpl + " -f CONFIG");
    text += "lxc.uts.name = " + host + "\n";
  }
  if (tmpl == "busybox") text += "# busybox's init halts on SIGUSR1\nlxc.signal.halt = SIGUSR1\nlxc.tty.max = 1\n";
  text += distribution;
  const std::string settings = "\n" + policy::instantiate_hwaddrs(defaults, random_bytes(12 * 64));

  // Parse the result as start will, and check the id map before any file
  // is written. Each part is read under its own name, so that a problem
  // is reported where it is: uxc's lines (and the image's) in the new
  // config, the defaults in the file they come from, at its own lines.
  policy::Config config;
  std::vector<std::string> errors;
  if (!policy::parse_config(text, config_path, &config, &errors, &config_includes()) ||
      !policy::parse_config(settings.substr(1), source, &config, &errors, &config_includes()) ||
      !policy::validate_config(config, config_path, &errors))
    throw Error("bad configuration, fix these lines:\n  " + join(errors, "\n  "));
  text += settings;
  if (from_defaults.uts_name.empty() && config.uts_name == host && host != name && !be_quiet)
    std::fprintf(stderr, "uxc create: '%s' is not a valid host name (%s cannot be in one): its host name is %s "
                 "(lxc.uts.name in %s, line 3)\n", name.c_str(), not_allowed.c_str(), host.c_str(), config_path.c_str());
  const policy::IdmapRequest maps = file_work_idmap(config, user);
  const policy::IdmapRequest container_maps = container_idmap(config, user);
  const std::vector<std::string> applets = tmpl == "busybox" ? busybox_applets(busybox) : std::vector<std::string>{};

  // Private: other users must not read a config or rootfs, nor reach a
  // running container's /tmp (1777 inside) through the host. The data
  // directory only lists names; it is closed too, and an older one made
  // readable by everyone is closed on the way.
  make_dirs(paths.data_dir, 0700);
  struct stat data_st;
  if (lstat(paths.data_dir.c_str(), &data_st) == 0 && data_st.st_uid == user.uid && (data_st.st_mode & 077) != 0 &&
      chmod(paths.data_dir.c_str(), data_st.st_mode & 07700) != 0)
    throw_errno("cannot make " + paths.data_dir + " private");
  const Fd dir_lock = claim_container_dir(paths, dir, name, maps);
  const InterruptGuard interrupt;
  // From here on a failure removes everything created.
  auto remove_all = [&] {
    try {
      if (path_exists(rootfs)) run_as_container_root(maps, [&] { remove_tree(rootfs); });
      unlink((dir + "/config").c_str());
      mark_finished(dir);
      rmdir(dir.c_str());
    } catch (const Error& e) {
      std::fprintf(stderr, "uxc create: could not remove all of %s: %s\n", dir.c_str(), e.what());
    }
  };
  Defer undo(remove_all);
  UnpackResult unpacked;
  try {
    if (tmpl == "busybox") {
      run_as_container_root(maps, [&] { build_busybox_rootfs(rootfs, busybox, applets); });
    } else {
      UnpackRequest req;
      req.rootfs = rootfs;
      req.quiet = be_quiet;
      if (image && tmpl != "oci") {
        req.excludes = image->get("excludes");
        req.templates = image->get("templates");
        req.name = name;
        req.path = dir;
        req.tee_fd = image->tee_fd();
      }
      if (tmpl == "oci") {
        req.source = oci.path;
        req.label = oci.path.substr(oci.path.rfind('/') + 1);
        req.oci = true;
        req.oci_tag = oci.tag;
        req.oci_manifest = image->get("manifest");
      } else if (tmpl == "download") {
        req.source = image->get("rootfs");
        req.stream = image->stream();
        // The download's progress line shows the unpack's progress.
        if (req.stream != nullptr) req.quiet = true;
        req.label = image->get("dist") + " " + image->get("release");
      } else {
        req.source = local_source;
        req.label = local_source.substr(local_source.rfind('/') + 1);
      }
      // A download is unpacked as it arrives; the container is finished
      // only once the download is whole and matches its SHA256SUMS.
      std::string unpack_error;
      try {
        unpacked = unpack_rootfs(maps, container_maps, req);
      } catch (const Error& e) {
        if (!image) throw;
        unpack_error = e.what();
      }
      if (image) {
        image->close_tee();
        image->check_download(unpack_error);
      }
    }
    if (interrupt.signal() != 0) throw Error("interrupted");
    if (tmpl == "local" || tmpl == "oci") {
      // A distribution's init takes the host name from /etc/hostname.
      const std::string uts = config.uts_name.empty() ? host : config.uts_name;
      run_as_container_root(maps, [&] { name_rootfs_after_container(rootfs, uts); });
      // What the imported tree says it is, for `uxc ls -F`; an image's
      // own architecture and digest where it has them.
      policy::ImageRecord found = identify_rootfs(rootfs);
      if (tmpl == "oci") oci_record(*image, &found);
      if (tmpl == "oci" && !image->get("user").empty())
        text.insert(text.size() - settings.size(), oci_user_lines(rootfs, image->get("user"), &left_out));
      const std::string record = record_lines(found);
      if (!record.empty()) text.insert(text.size() - settings.size(), "\n# The imported rootfs\n" + record);
    }
    write_file_atomic(config_path, text, 0600);
    mark_finished(dir);
  } catch (const Error&) {
    if (interrupt.signal() == 0) throw;
    undo.dismiss();
    remove_all();  // before reporting, so the message is true
    throw Error(std::string("interrupted by SIG") + sigabbrev_np(interrupt.signal()) +
                ": the half-made container " + name + " was removed");
  }
  undo.dismiss();
  std::string message;
  if (image && !image->get("create-message").empty()) message = read_file_or_throw(image->get("create-message"));
  if (image) image->release(true);
  if (unpacked.devices > 0 && !be_quiet)
    std::printf("Skipped %llu device node%s of the image: uxc creates /dev at every start\n",
                static_cast<unsigned long long>(unpacked.devices), unpacked.devices == 1 ? "" : "s");
  if (unpacked.dropped_xattrs > 0 && !be_quiet)
    std::printf("Skipped %llu extended attribute%s a container cannot own (trusted.*, security.selinux, ...)\n",
                static_cast<unsigned long long>(unpacked.dropped_xattrs), unpacked.dropped_xattrs == 1 ? "" : "s");
  if (!be_quiet) std::printf("Created container %s\n", name.c_str());
  if (!left_out.empty() && !be_quiet) {
    std::printf("Not carried over from the image's config (see uxc-create(1)):\n");
    for (const auto& line : left_out) std::printf("  %s\n", line.c_str());
  }
  if (!message.empty()) {
    std::printf(be_quiet ? "%s" : "\n---\n%s", message.c_str());
    if (message.back() != '\n') std::printf("\n");
  }
  return 0;
}

}  // namespace uxc
