#include "user/storage/image/zstd_copy.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "policy/image.h"
#include "user/storage/image/image.h"

namespace uxc::image {

namespace {

struct Output {
  int fd;
  Sha256* hash;
};

la_ssize_t write_out(struct archive*, void* self, const void* data, size_t size) {
  auto* out = static_cast<Output*>(self);
  if (!write_all(out->fd, std::string_view(static_cast<const char*>(data), size))) return -1;
  out->hash->add(data, size);
  return static_cast<la_ssize_t>(size);
}

}  // namespace

std::unique_ptr<ZstdCopy> ZstdCopy::claim(const std::string& dir) {
  const std::string path = dir + "/." + kZstdCopy + ".partial";
  Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid() || flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return nullptr;
  // What a killed create left, if anything, goes.
  if (ftruncate(fd.get(), 0) != 0) return nullptr;
  return std::unique_ptr<ZstdCopy>(new ZstdCopy(dir, std::move(fd)));
}

ZstdCopy::~ZstdCopy() {
  if (!done_) unlink(partial().c_str());
}

void ZstdCopy::receive(int fd) {
  Sha256 hash;
  Output out{fd_.get(), &hash};
  struct archive* a = archive_write_new();
  struct archive_entry* entry = archive_entry_new();
  ok_ = a != nullptr && entry != nullptr && archive_write_add_filter_zstd(a) == ARCHIVE_OK &&
        archive_write_set_filter_option(a, "zstd", "compression-level", "1") == ARCHIVE_OK &&
        archive_write_set_format_raw(a) == ARCHIVE_OK && archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
        archive_write_open(a, &out, nullptr, write_out, nullptr) == ARCHIVE_OK;
  if (ok_) {
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_pathname(entry, "rootfs.tar");
    ok_ = archive_write_header(a, entry) == ARCHIVE_OK;
  }
  std::string buf(1 << 20, '\0');
  uint64_t total = 0;
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok_ = ok_ && n == 0;
      break;
    }
    total += static_cast<uint64_t>(n);
    if (ok_ && archive_write_data(a, buf.data(), static_cast<size_t>(n)) != n) ok_ = false;
  }
  if (a != nullptr) {
    ok_ = ok_ && total > 0 && archive_write_close(a) == ARCHIVE_OK;
    archive_write_free(a);
  }
  if (entry != nullptr) archive_entry_free(entry);
  if (ok_) sum_ = hash.hex();
}

void ZstdCopy::finish(bool keep) {
  // No fsync (as for the downloaded files): its sum is checked at every use.
  if (!keep || !ok_) return;
  std::string record;
  if (!read_file(dir_ + "/.sums", &record, 4096)) return;
  std::string kept;
  size_t start = 0;
  while (start < record.size()) {
    const size_t end = record.find('\n', start);
    const std::string line = record.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.find(std::string("  ") + kZstdCopy) == std::string::npos) kept += line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  try {
    write_sums(dir_, kept + sum_ + "  " + kZstdCopy + "\n");
  } catch (const Error&) {
    return;
  }
  if (rename(partial().c_str(), (dir_ + "/" + kZstdCopy).c_str()) == 0) done_ = true;
}

}  // namespace uxc::image
