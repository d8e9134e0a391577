#include "user/storage/image/source.h"

#include <lzma.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace uxc::image {

namespace {

constexpr size_t kChunk = 1 << 20;
// Decoded chunks waiting for the writer: enough to ride out a burst of
// small files, small enough not to matter (16 MiB).
constexpr size_t kMaxQueued = 16;
const char kXzMagic[] = {'\xfd', '7', 'z', 'X', 'Z', '\0'};

std::string lzma_message(lzma_ret ret) {
  switch (ret) {
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "needs more memory than allowed";
    case LZMA_FORMAT_ERROR: return "not an xz stream";
    case LZMA_OPTIONS_ERROR: return "unsupported xz options";
    case LZMA_DATA_ERROR: return "corrupt xz data";
    case LZMA_BUF_ERROR: return "the xz stream ends too early (a truncated file?)";
    default: return "xz error " + std::to_string(static_cast<int>(ret));
  }
}

}  // namespace

TarSource::TarSource(Fd fd, std::string name, std::string hint)
    : fd_(std::move(fd)), name_(std::move(name)), hint_(std::move(hint)) {
  struct stat st;
  if (fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode)) total_ = static_cast<uint64_t>(st.st_size);
}

// The first bytes, which say whether the stream is xz; read before
// open() decides how to decode (read_input hands them out again).
void TarSource::read_prefix() {
  if (follow_.valid()) total_ = 0;  // the file is still growing
  char head[sizeof kXzMagic];
  size_t have = 0;
  while (have < sizeof head) {
    const ssize_t n = read_input(head + have, sizeof head - have);
    if (n < 0) throw_errno("cannot read " + name_);
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  prefix_.assign(head, have);
  xz_ = have == sizeof kXzMagic && std::memcmp(head, kXzMagic, sizeof kXzMagic) == 0;
}

TarSource::~TarSource() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (decoder_.joinable()) decoder_.join();
}

ssize_t TarSource::read_input(char* buffer, size_t size) {
  if (!prefix_.empty()) {
    const size_t n = std::min(size, prefix_.size());
    std::memcpy(buffer, prefix_.data(), n);
    prefix_.erase(0, n);
    return static_cast<ssize_t>(n);
  }
  for (;;) {
    if (follow_.valid()) {
      if (stop_) {
        errno = ECANCELED;
        return -1;
      }
      const ssize_t n = read(fd_.get(), buffer, size);
      if (n < 0 && errno == EINTR) continue;
      if (n != 0) {
        if (n > 0) consumed_ += static_cast<uint64_t>(n);
        return n;
      }
      // Caught up with the download: wait for it to write more, or end.
      pollfd p{follow_.get(), POLLIN, 0};
      const int ready = poll(&p, 1, 200);
      if (ready < 0 && errno != EINTR) return -1;
      if (ready <= 0) continue;
      char wakeups[4096];
      const ssize_t m = read(follow_.get(), wakeups, sizeof wakeups);
      if (m == 0) follow_.reset();  // ended: the file holds all there is
      else if (m < 0 && errno != EINTR && errno != EAGAIN) return -1;
      continue;
    }
    // A pipe may stay silent for long: wake up now and then to see whether
    // the reader has given up, so the decoder thread can always be joined.
    pollfd p{fd_.get(), POLLIN, 0};
    const int ready = poll(&p, 1, 200);
    if (ready < 0 && errno != EINTR) return -1;
    if (stop_) {
      errno = ECANCELED;
      return -1;
    }
    if (ready <= 0) continue;
    const ssize_t n = read(fd_.get(), buffer, size);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) consumed_ += static_cast<uint64_t>(n);
    return n;
  }
}

void TarSource::open(struct archive* reader) {
  read_prefix();
  archive_read_support_format_tar(reader);
  archive_read_support_format_gnutar(reader);
  if (xz_) {
    archive_read_support_filter_none(reader);
    decoder_ = std::thread([this] { decode(); });
  } else {
    archive_read_support_filter_all(reader);
  }
  if (archive_read_open(reader, this, nullptr, read_callback, nullptr) != ARCHIVE_OK)
    throw Error(name_ + " is not a tarball uxc can read (" + archive_error_string(reader) +
                "): " + hint_);
}

la_ssize_t TarSource::read_callback(struct archive* a, void* self, const void** buffer) {
  auto* source = static_cast<TarSource*>(self);
  return source->xz_ ? source->read_decoded(a, buffer) : source->read_raw(a, buffer);
}

la_ssize_t TarSource::read_raw(struct archive* a, const void** buffer) {
  buffer_.resize(kChunk);
  const ssize_t n = read_input(buffer_.data(), buffer_.size());
  if (n < 0) {
    archive_set_error(a, errno, "cannot read %s: %s", name_.c_str(), std::strerror(errno));
    return -1;
  }
  *buffer = buffer_.data();
  return n;
}

void TarSource::drain() {
  if (!xz_) return;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    ready_.clear();
    changed_.notify_all();
    if (decoded_all_) break;
    changed_.wait(lock, [this] { return !ready_.empty() || decoded_all_; });
  }
  if (!decode_error_.empty()) throw Error(decode_error_);
}

la_ssize_t TarSource::read_decoded(struct archive* a, const void** buffer) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty() || decoded_all_; });
  if (ready_.empty()) {
    if (!decode_error_.empty()) {
      archive_set_error(a, EIO, "%s", decode_error_.c_str());
      return -1;
    }
    return 0;
  }
  buffer_ = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  *buffer = buffer_.data();
  return static_cast<la_ssize_t>(buffer_.size());
}

void TarSource::decode() {
  lzma_stream stream = LZMA_STREAM_INIT;
  lzma_mt options{};
  options.flags = LZMA_CONCATENATED;
  options.threads = std::max(1u, std::min(lzma_cputhreads(), 16u));
  // liblzma's advice: a quarter of the memory for threading; it falls back
  // to one thread rather than fail when that is not enough.
  options.memlimit_threading = std::max<uint64_t>(lzma_physmem() / 4, 64u << 20);
  options.memlimit_stop = UINT64_MAX;
  std::string failure;
  lzma_ret ret = lzma_stream_decoder_mt(&stream, &options);
  if (ret != LZMA_OK) failure = lzma_message(ret);
  std::string input(kChunk, '\0');
  std::string output(kChunk, '\0');
  bool input_done = false;
  stream.next_out = reinterpret_cast<uint8_t*>(output.data());
  stream.avail_out = output.size();
  auto deliver = [&](bool last) {
    const size_t size = output.size() - stream.avail_out;
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return ready_.size() < kMaxQueued || stop_; });
    if (stop_) return false;
    if (size > 0) {
      std::string chunk(output.data(), size);
      ready_.push_back(std::move(chunk));
    }
    lock.unlock();
    if (size > 0 && tee_fd_ >= 0 && !write_all(tee_fd_, std::string_view(output.data(), size))) tee_fd_ = -1;
    lock.lock();
    if (last) decoded_all_ = true;
    lock.unlock();
    changed_.notify_all();
    stream.next_out = reinterpret_cast<uint8_t*>(output.data());
    stream.avail_out = output.size();
    return true;
  };
  while (failure.empty()) {
    if (stream.avail_in == 0 && !input_done) {
      const ssize_t n = read_input(input.data(), input.size());
      if (n < 0) {
        failure = "cannot read " + name_ + ": " + std::strerror(errno);
        break;
      }
      input_done = n == 0;
      stream.next_in = reinterpret_cast<const uint8_t*>(input.data());
      stream.avail_in = static_cast<size_t>(n);
    }
    ret = lzma_code(&stream, input_done ? LZMA_FINISH : LZMA_RUN);
    if (ret == LZMA_STREAM_END) {
      (void)deliver(true);
      lzma_end(&stream);
      return;
    }
    if (ret != LZMA_OK) {
      failure = lzma_message(ret);
      break;
    }
    if (stream.avail_out == 0 && !deliver(false)) break;
  }
  lzma_end(&stream);
  std::unique_lock<std::mutex> lock(mutex_);
  if (!failure.empty()) decode_error_ = "cannot decompress " + name_ + ": " + failure;
  decoded_all_ = true;
  lock.unlock();
  changed_.notify_all();
}

}  // namespace uxc::image
