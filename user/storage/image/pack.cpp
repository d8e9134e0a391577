// uxc-image pack: a rootfs directory (debootstrap, mmdebstrap, an
// unpacked `docker export`) as a pax stream on stdout, with owners as the
// container will see them, for `uxc-image unpack --source -`.
//
// uxc runs it in one of two places. A tree of the user's own or of the
// user's subordinate ids (mmdebstrap --mode=unshare, another container's
// rootfs) is read inside the container's user namespace, where its files
// are all readable and show their container ids; only the user's own ids
// (--own-uid/--own-gid, as seen there) are changed, to root. Any other
// tree (debootstrap run by root) is read as the user outside any
// namespace, the only place its real owners show: the user's ids become
// root, ids in the container's map (--uid-map/--gid-map) the ids inside,
// and every other id stays the number it is (root:shadow stays 0:42).
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <cerrno>
#include <unistd.h>

#include <memory>

#include "policy/text.h"
#include "user/storage/image/image.h"

namespace uxc::image {

namespace {

struct MapLine {
  uint32_t inside = 0, outside = 0, count = 0;
};

MapLine parse_map(const std::string& text) {
  MapLine m;
  const auto f = policy::split_fields(text);
  if (f.size() != 3 || !policy::parse_u32(f[0], &m.inside) || !policy::parse_u32(f[1], &m.outside) ||
      !policy::parse_u32(f[2], &m.count))
    throw Error("pack: bad map line '" + text + "' (INSIDE OUTSIDE COUNT)");
  return m;
}

int64_t container_id(int64_t host_id, int64_t own, const std::vector<MapLine>& map) {
  if (host_id == own) return 0;
  for (const auto& m : map)
    if (host_id >= m.outside && host_id - m.outside < m.count) return m.inside + (host_id - m.outside);
  return host_id;
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const {
    if (a != nullptr) archive_free(a);
  }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const {
    if (e != nullptr) archive_entry_free(e);
  }
};
struct ResolverDeleter {
  void operator()(struct archive_entry_linkresolver* r) const {
    if (r != nullptr) archive_entry_linkresolver_free(r);
  }
};

void write_entry(struct archive* out, struct archive* disk, struct archive_entry* entry, const std::string& shown) {
  if (archive_write_header(out, entry) < ARCHIVE_OK)
    throw Error("cannot pack " + shown + ": " + archive_error_string(out));
  if (archive_entry_size(entry) <= 0 || archive_entry_filetype(entry) != AE_IFREG) return;
  const void* block = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  la_int64_t written = 0;
  std::string zeros;
  int r = ARCHIVE_OK;
  // read_disk reports sparse files block by block; the tar member is
  // written whole (holes as zeros: pax without sparse maps), and unpack
  // makes holes again where whole blocks are zero.
  while ((r = archive_read_data_block(disk, &block, &size, &offset)) == ARCHIVE_OK) {
    while (written < offset) {
      const size_t gap = static_cast<size_t>(std::min<la_int64_t>(offset - written, 1 << 20));
      zeros.assign(gap, '\0');
      if (archive_write_data(out, zeros.data(), gap) < 0) throw Error("cannot pack " + shown);
      written += static_cast<la_int64_t>(gap);
    }
    if (size > 0 && archive_write_data(out, block, size) < 0)
      throw Error("cannot pack " + shown + ": " + archive_error_string(out));
    written = offset + static_cast<la_int64_t>(size);
  }
  if (r != ARCHIVE_EOF) throw Error("cannot read " + shown + ": " + archive_error_string(disk));
}

}  // namespace

int cmd_pack(int argc, char** argv, Answer& answer) {
  std::string dir;
  std::vector<MapLine> uid_map, gid_map;
  int64_t own_uid = getuid(), own_gid = getgid();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    uint32_t id = 0;
    if (a == "--dir") dir = v;
    else if (a == "--uid-map") uid_map.push_back(parse_map(v));
    else if (a == "--gid-map") gid_map.push_back(parse_map(v));
    else if ((a == "--own-uid" || a == "--own-gid") && policy::parse_u32(v, &id)) (a == "--own-uid" ? own_uid : own_gid) = id;
    else throw Error("pack: unknown option " + a);
  }
  if (argc % 2 == 0 || dir.empty() || dir[0] != '/') throw Error("pack: --dir DIR (absolute) is required");
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (isatty(1)) throw Error("pack writes a tarball to its stdout: not to a terminal");

  std::unique_ptr<struct archive, ArchiveDeleter> disk(archive_read_disk_new());
  std::unique_ptr<struct archive, ArchiveDeleter> out(archive_write_new());
  std::unique_ptr<struct archive_entry_linkresolver, ResolverDeleter> links(archive_entry_linkresolver_new());
  if (!disk || !out || !links) throw Error("cannot set up libarchive");
  archive_read_disk_set_symlink_physical(disk.get());
  // One file system, as `cp -ax` would: a /proc or a bind mount inside the
  // tree is not part of the rootfs.
  archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
  archive_write_set_format_pax_restricted(out.get());
  archive_write_set_bytes_in_last_block(out.get(), 1);
  if (archive_write_open_fd(out.get(), 1) != ARCHIVE_OK)
    throw Error(std::string("cannot write the stream: ") + archive_error_string(out.get()));
  archive_entry_linkresolver_set_strategy(links.get(), archive_format(out.get()));
  if (archive_read_disk_open(disk.get(), dir.c_str()) != ARCHIVE_OK)
    throw Error("cannot read " + dir + ": " + archive_error_string(disk.get()));

  uint64_t files = 0;
  for (;;) {
    std::unique_ptr<struct archive_entry, EntryDeleter> entry(archive_entry_new());
    const int r = archive_read_next_header2(disk.get(), entry.get());
    if (r == ARCHIVE_EOF) break;
    const char* named = archive_entry_pathname(entry.get());
    const std::string shown = named != nullptr ? named : dir;
    if (r < ARCHIVE_OK) {
      const int e = archive_errno(disk.get());
      throw Error("cannot read " + shown + ": " + (e > 0 ? errno_text(e) : archive_error_string(disk.get())) +
                  (e == EACCES ? ". The tree is not all readable by you: have its owner (root, for a debootstrap "
                                 "tree) make a tarball of it with 'tar -C " + dir + " --numeric-owner --xattrs "
                                 "--xattrs-include=* -cf rootfs.tar .' and import that"
                               : ""));
    }
    archive_read_disk_descend(disk.get());
    const std::string full = archive_entry_pathname(entry.get());
    std::string relative = full.size() > dir.size() ? "." + full.substr(dir.size()) : "./";
    if (dir == "/") relative = "./" + full.substr(1);
    archive_entry_copy_pathname(entry.get(), relative.c_str());
    archive_entry_set_uid(entry.get(), container_id(archive_entry_uid(entry.get()), own_uid, uid_map));
    archive_entry_set_gid(entry.get(), container_id(archive_entry_gid(entry.get()), own_gid, gid_map));
    archive_entry_set_uname(entry.get(), nullptr);
    archive_entry_set_gname(entry.get(), nullptr);
    if (archive_entry_filetype(entry.get()) == AE_IFSOCK) continue;
    archive_entry_sparse_clear(entry.get());
    // Hard links: the first name carries the data, the others link to it.
    struct archive_entry* sparse = nullptr;
    struct archive_entry* current = entry.get();
    archive_entry_linkify(links.get(), &current, &sparse);
    if (current != nullptr) write_entry(out.get(), disk.get(), current, shown);
    ++files;
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK)
    throw Error(std::string("cannot finish the stream: ") + archive_error_string(out.get()));
  answer.put("files", std::to_string(files));
  answer.ok();
  return 0;
}

}  // namespace uxc::image
