// uxc-image unpack: a rootfs tarball into a new directory, run by uxc as
// the container's root inside its user namespace (mapped by uxc-idmap),
// so the files land owned by the user's subordinate ids exactly as the
// tarball says.
//
// Before the first member is read the process chroots into the new
// rootfs: whatever the tarball holds (a "../" name, a symlink to a
// directory of the host, a hard link to a file outside) can only ever
// reach the rootfs. libarchive's secure-extraction flags and the member
// checks below make such a tarball an error rather than a quiet success,
// so the image is refused and uxc removes what was written.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "policy/image.h"
#include "policy/text.h"
#include "user/storage/image/extract.h"
#include "user/storage/image/image.h"
#include "user/storage/image/source.h"

namespace uxc::image {

namespace {

std::string why(struct archive* a) { return archive_why(a); }

bool in_ranges(int64_t id, const std::vector<IdRange>& ranges) {
  for (const auto& r : ranges)
    if (id >= r.start && id - r.start < r.count) return true;
  return false;
}

std::string describe_ranges(const std::vector<IdRange>& ranges) {
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out += ", ";
    out += std::to_string(r.start) + "-" + std::to_string(static_cast<uint64_t>(r.start) + r.count - 1);
  }
  return out;
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const {
    if (a != nullptr) archive_free(a);
  }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

// What the container's root may own: user.* attributes, file capabilities
// (made namespaced) and POSIX ACLs. trusted.*, security.selinux and the
// like belong to the host and are dropped.
bool keep_xattr(const std::string& name) {
  return name.rfind("user.", 0) == 0 || name == "security.capability" || name == "system.posix_acl_access" ||
         name == "system.posix_acl_default";
}

// Rewrites the entry's attributes; returns how many were dropped.
size_t filter_xattrs(struct archive_entry* entry, const std::string& member) {
  struct Attr {
    std::string name, value;
  };
  std::vector<Attr> attrs;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  if (archive_entry_xattr_reset(entry) == 0) return 0;
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK)
    attrs.push_back({name, std::string(static_cast<const char*>(value), size)});
  size_t dropped = 0;
  archive_entry_xattr_clear(entry);
  for (auto& a : attrs) {
    if (!keep_xattr(a.name)) {
      ++dropped;
      continue;
    }
    if (a.name == "security.capability") {
      std::string converted;
      if (!policy::file_capability_for_namespace(a.value, &converted))
        throw Error("the image is refused: " + member + " has a file capability uxc cannot read");
      a.value = converted;
    }
    archive_entry_xattr_add_entry(entry, a.name.c_str(), a.value.data(), a.value.size());
  }
  return dropped;
}

// The files `templates` names get the container's name and paths, as
// LXC's download template does with sed. Inside the chroot, so a symlink
// among them resolves within the rootfs.
void apply_templates(const std::vector<std::string>& files, const policy::TemplateValues& values) {
  for (const auto& file : files) {
    Fd fd(open(file.c_str(), O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) continue;  // as LXC: only files present
      throw_errno("cannot open /" + file + " of the rootfs");
    }
    struct stat st;
    if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::string text;
    if (!read_all(fd.get(), &text, policy::kMaxMetaFileBytes + 1) || text.size() > policy::kMaxMetaFileBytes)
      throw Error("/" + file + " of the rootfs is too large for a template");
    const std::string result = policy::substitute_template_values(text, values);
    if (result == text) continue;
    if (ftruncate(fd.get(), 0) != 0 || lseek(fd.get(), 0, SEEK_SET) != 0 || !write_all(fd.get(), result))
      throw_errno("cannot write /" + file + " of the rootfs");
  }
}

struct Options {
  std::string rootfs, source, excludes, templates, label = "the rootfs";
  int tee_fd = -1;
  policy::TemplateValues values;
  std::vector<IdRange> uids, gids;
  bool quiet = false;
  bool follow = false;  // --source is a download still being written; stdin wakes us as it grows
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (a == "--follow") {
      o.follow = true;
      continue;
    }
    if (i + 1 >= argc) throw Error("unpack: " + a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--rootfs") o.rootfs = v;
    else if (a == "--source") o.source = v;
    else if (a == "--excludes") o.excludes = v;
    else if (a == "--templates") o.templates = v;
    else if (a == "--name") o.values.name = v;
    else if (a == "--path") o.values.path = v;
    else if (a == "--label") o.label = v;
    else if (a == "--tee-fd") o.tee_fd = v == "4" ? 4 : throw Error("unpack: --tee-fd takes 4");
    else if (a == "--uid-range") o.uids.push_back(parse_range(v));
    else if (a == "--gid-range") o.gids.push_back(parse_range(v));
    else throw Error("unpack: unknown option " + a);
  }
  if (o.rootfs.empty() || o.rootfs[0] != '/' || o.source.empty() || o.uids.empty() || o.gids.empty())
    throw Error("unpack: --rootfs, --source, --uid-range and --gid-range are required");
  o.values.rootfs = o.rootfs;
  return o;
}

}  // namespace

int cmd_unpack(int argc, char** argv, Answer& answer) {
  const Options o = parse_options(argc, argv);
  std::vector<std::string> excludes, templates;
  std::string err;
  if (!o.excludes.empty() && !policy::parse_excludes(read_file_or_throw(o.excludes), &excludes, &err))
    throw Error("the image's excludes file is unreadable: " + err);
  if (!o.templates.empty() && !policy::parse_template_list(read_file_or_throw(o.templates), &templates, &err))
    throw Error("the image's templates file is unreadable: " + err);

  Fd source(o.source == "-" ? fcntl(0, F_DUPFD_CLOEXEC, 3) : open(o.source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!source.valid()) throw_errno("cannot open " + o.source);
  TarSource tar(std::move(source), o.source == "-" ? "the stream of " + o.label
                                   : o.follow      ? "the download of " + o.label
                                                   : o.source);
  if (o.follow) {
    if (o.source == "-") throw Error("unpack: --follow needs a file as --source");
    Fd wakeups(fcntl(0, F_DUPFD_CLOEXEC, 3));
    if (!wakeups.valid()) throw_errno("cannot keep stdin");
    tar.follow(std::move(wakeups));
  }
  if (o.tee_fd >= 0) {
    // The copy's reader may be gone: that is no reason to die of SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
    tar.tee_to(o.tee_fd);
  }

  const Fd root = enter_new_rootfs(o.rootfs);
  umask(022);

  ArchivePtr reader(archive_read_new());
  ArchivePtr disk(make_disk_writer());
  if (!reader) throw Error("cannot set up libarchive");
  tar.open(reader.get());

  Progress progress("Unpacking " + o.label, tar.total(), progress_wanted(o.quiet));
  ExtractRules rules;
  rules.root = root.get();
  rules.source = o.source == "-" ? o.label : o.source;
  rules.excludes = excludes;
  rules.uids = o.uids;
  rules.gids = o.gids;
  rules.on_member = [&] { progress.update(tar.consumed()); };
  ExtractCounts counts;
  extract_members(reader.get(), disk.get(), rules, &counts);
  tar.drain();
  progress.finish();
  if (counts.members == 0) throw Error("the tarball holds no files");
  if (mkdir("/dev", 0755) != 0 && errno != EEXIST) throw_errno("cannot create /dev in the rootfs");
  apply_templates(templates, o.values);
  answer.put("devices", std::to_string(counts.devices));
  answer.put("members", std::to_string(counts.members));
  answer.put("dropped-xattrs", std::to_string(counts.dropped_xattrs));
  answer.ok();
  return 0;
}

struct archive* make_disk_writer() {
  struct archive* disk = archive_write_disk_new();
  if (disk == nullptr) throw Error("cannot set up libarchive");
  archive_write_disk_set_options(
      disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_ACL |
                ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SPARSE | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  return disk;
}

std::string archive_why(struct archive* a) {
  std::string text = archive_error_string(a) != nullptr ? archive_error_string(a) : "unknown error";
  const int e = archive_errno(a);
  if (e > 0 && text.find(std::strerror(e)) == std::string::npos) text += std::string(" (") + std::strerror(e) + ")";
  return text;
}

IdRange parse_range(const std::string& text) {
  IdRange r;
  const size_t colon = text.find(':');
  if (colon == std::string::npos || !policy::parse_u32(text.substr(0, colon), &r.start) ||
      !policy::parse_u32(text.substr(colon + 1), &r.count) || r.count == 0)
    throw Error("bad id range '" + text + "' (START:COUNT)");
  return r;
}

Fd enter_new_rootfs(const std::string& rootfs) {
  if (mkdir(rootfs.c_str(), 0755) != 0) throw_errno("cannot create " + rootfs);
  Fd root(open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root.valid() || fchdir(root.get()) != 0) throw_errno("cannot enter " + rootfs);
#if defined(__SANITIZE_ADDRESS__)
  // LeakSanitizer reads /proc when the process ends, which a process
  // confined to the new rootfs cannot see: a sanitized build looks for
  // leaks here instead (once; none is looked for at the end).
  __lsan_do_leak_check();
#endif
  if (chroot(".") != 0 || chdir("/") != 0) throw_errno("cannot confine the extraction to " + rootfs);
  return root;
}

void extract_members(struct archive* reader, struct archive* disk, const ExtractRules& rules, ExtractCounts* counts) {
  const auto& excludes = rules.excludes;
  uint64_t& devices = counts->devices;
  uint64_t& dropped_xattrs = counts->dropped_xattrs;
  uint64_t& members = counts->members;
  struct archive_entry* entry = nullptr;
  for (;;) {
    const int r = archive_read_next_header(reader, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_OK)
      throw Error("cannot read " + rules.source + " after " + std::to_string(members) +
                  " members: " + why(reader));
    ++members;
    if (rules.on_member) rules.on_member();
    const std::string member = archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
    const mode_t type = archive_entry_filetype(entry);
    // Device nodes cannot be made in a user namespace; uxc builds /dev
    // at every start.
    if (type == AE_IFCHR || type == AE_IFBLK) {
      ++devices;
      continue;
    }
    if (type == AE_IFSOCK) continue;
    std::string path;
    if (!policy::normalize_member_path(member, &path))
      throw Error("the image is refused: its member '" + member + "' would land outside the rootfs");
    if (policy::is_excluded(path, excludes)) continue;
    if (rules.before_write && rules.before_write(path, type)) continue;
    const char* link = archive_entry_hardlink(entry);
    if (link != nullptr) {
      std::string target;
      if (!policy::normalize_member_path(link, &target) || target.empty())
        throw Error("the image is refused: its member '" + member + "' is a hard link to '" + link +
                    "', outside the rootfs");
      archive_entry_copy_hardlink(entry, target.c_str());
    }
    if (!in_ranges(archive_entry_uid(entry), rules.uids) || !in_ranges(archive_entry_gid(entry), rules.gids))
      throw Error("the image's " + member + " belongs to " + std::to_string(archive_entry_uid(entry)) + ":" +
                  std::to_string(archive_entry_gid(entry)) + ", outside the container's ids (uids " +
                  describe_ranges(rules.uids) + ", gids " + describe_ranges(rules.gids) +
                  "): give the container more ids with lxc.idmap in ~/.config/uxc/default.conf");
    dropped_xattrs += filter_xattrs(entry, member);
    if (path.empty()) {
      // The rootfs itself: only its owner and mode.
      if (fchown(rules.root, static_cast<uid_t>(archive_entry_uid(entry)), static_cast<gid_t>(archive_entry_gid(entry))) != 0 ||
          fchmod(rules.root, archive_entry_perm(entry)) != 0)
        throw_errno("cannot set the owner and mode of the rootfs");
      continue;
    }
    archive_entry_copy_pathname(entry, path.c_str());
    if (archive_write_header(disk, entry) != ARCHIVE_OK)
      throw Error("cannot unpack " + member + ": " + why(disk));
    if (archive_entry_size(entry) > 0) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      int rr = ARCHIVE_OK;
      while ((rr = archive_read_data_block(reader, &block, &size, &offset)) == ARCHIVE_OK) {
        if (archive_write_data_block(disk, block, size, offset) < ARCHIVE_OK)
          throw Error("cannot write " + member + ": " + why(disk));
      }
      if (rr != ARCHIVE_EOF) throw Error("cannot read " + member + " from the tarball: " + why(reader));
    }
    if (archive_write_finish_entry(disk) != ARCHIVE_OK)
      throw Error("cannot finish " + member + ": " + why(disk));
  }
  // Directory modes and times are set last (a read-only directory can
  // still be filled).
  if (archive_write_close(disk) != ARCHIVE_OK)
    throw Error(std::string("cannot finish the rootfs: ") + why(disk));
}

void extract_meta(const std::string& tarball, const std::string& dir, const std::string& label) {
  Fd fd(open(tarball.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw_errno("cannot open " + tarball);
  TarSource tar(std::move(fd), label, "give the metadata tarball of an image (meta.tar.xz)");
  ArchivePtr reader(archive_read_new());
  if (!reader) throw Error("cannot set up libarchive");
  tar.open(reader.get());
  size_t total = 0;
  struct archive_entry* entry = nullptr;
  for (;;) {
    const int r = archive_read_next_header(reader.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_OK) throw Error(label + " is unreadable: " + why(reader.get()));
    std::string name;
    if (archive_entry_filetype(entry) != AE_IFREG ||
        !policy::normalize_member_path(archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "", &name) ||
        name.find('/') != std::string::npos || !policy::is_valid_image_word(name))
      continue;
    const auto size = static_cast<size_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
    total += size;
    if (size > policy::kMaxMetaFileBytes || total > 8 * policy::kMaxMetaFileBytes)
      throw Error(label + " is larger than an image's metadata can be");
    std::string data(size, '\0');
    if (size > 0 && archive_read_data(reader.get(), data.data(), size) != static_cast<la_ssize_t>(size))
      throw Error(label + " is unreadable: " + name + " is cut short");
    const std::string path = dir + "/" + name;
    Fd out(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!out.valid()) {
      if (errno == EEXIST) throw Error(label + " holds " + name + " twice");
      throw_errno("cannot write " + path);
    }
    if (!write_all(out.get(), data)) throw_errno("cannot write " + path);
  }
}

}  // namespace uxc::image
