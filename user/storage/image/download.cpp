// HTTPS with libcurl: the system's CA store, HTTPS only, redirects only to
// HTTPS, one connection reused for every file of an image.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "user/storage/image/image.h"

namespace uxc::image {

namespace {

struct Sink {
  std::string* text = nullptr;  // get_small
  size_t max_bytes = 0;
  bool too_big = false;
  int fd = -1;  // get_file
  int stream_fd = -1;  // get_file's wake-ups for the unpack, or -1
  bool stream_closed = false;
  Sha256* hash = nullptr;
  int write_errno = 0;
  Progress* progress = nullptr;
};

size_t on_data(char* data, size_t one, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t size = one * count;
  if (sink->text != nullptr) {
    if (sink->text->size() + size > sink->max_bytes) {
      sink->too_big = true;
      return 0;
    }
    sink->text->append(data, size);
    return size;
  }
  if (!write_all(sink->fd, std::string_view(data, size))) {
    sink->write_errno = errno;
    return 0;
  }
  sink->hash->add(data, size);
  // One byte wakes the unpack that follows the file; a full pipe (O_NONBLOCK)
  // already holds a wake-up it has not read.
  const char wake = 1;
  if (sink->stream_fd >= 0 && write(sink->stream_fd, &wake, 1) < 0 && errno != EAGAIN && errno != EINTR) {
    sink->stream_closed = true;
    return 0;
  }
  return size;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->progress != nullptr && now > 0)
    sink->progress->update(static_cast<uint64_t>(now), total > 0 ? static_cast<uint64_t>(total) : 0);
  return 0;
}

bool is_unreachable(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_CONNECT ||
         code == CURLE_OPERATION_TIMEDOUT || code == CURLE_GOT_NOTHING || code == CURLE_SEND_ERROR ||
         code == CURLE_RECV_ERROR;
}

bool is_certificate_problem(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
         code == CURLE_SSL_INVALIDCERTSTATUS;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
    throw Error("cannot set up SHA-256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::add(const void* data, size_t size) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size) != 1) throw Error("SHA-256 failed");
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &size) != 1) throw Error("SHA-256 failed");
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 15];
  }
  return out;
}

Http::Http(std::string server) : server_(std::move(server)), curl_(nullptr) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw Error("cannot initialise libcurl");
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw Error("cannot initialise libcurl");
}

Http::~Http() { curl_easy_cleanup(curl_); }

namespace {

// One GET; throws with a message that says what to do.
void perform(CURL* curl, const std::string& server, const std::string& path, Sink* sink, long* status) {
  const std::string url = "https://" + server + path;
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "uxc/0.1 compat:7");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 20L);
  // A stalled transfer (under 1 KiB/s for a minute) is a failure, not a hang.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, sink->progress != nullptr ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, sink);
  const CURLcode code = curl_easy_perform(curl);
  *status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  if (code == CURLE_OK) return;
  const std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  if (code == CURLE_HTTP_RETURNED_ERROR) return;  // the caller reads *status
  if (code == CURLE_WRITE_ERROR && sink->stream_closed)
    throw StreamClosedError("the unpack stopped reading the download of " + url);
  if (code == CURLE_WRITE_ERROR && sink->too_big)
    throw Error(url + " is larger than " + human_size(sink->max_bytes) + ": is " + server + " an LXC image server?");
  if (code == CURLE_WRITE_ERROR && sink->write_errno != 0)
    throw Error("cannot store the download of " + url + ": " + errno_text(sink->write_errno) +
                (sink->write_errno == ENOSPC ? " (free some space, or remove cached images with 'uxc image rm')" : ""));
  if (is_certificate_problem(code))
    throw Error("cannot verify the TLS certificate of " + server + " (" + why +
                "). uxc trusts the system's CA store only: if " + server +
                " is a private mirror with its own certificate authority, ask your administrator to add that CA "
                "to the system's store (Debian: copy it to /usr/local/share/ca-certificates/NAME.crt and run "
                "update-ca-certificates)");
  if (code == CURLE_SSL_CONNECT_ERROR)
    throw Error("the TLS handshake with " + server + " failed (" + why +
                "): it may not speak HTTPS on that port, or its certificate is not one the system's CA store can check");
  if (code == CURLE_PARTIAL_FILE)
    throw Error("the download of " + url + " stopped before its end (" + why + "): the connection broke; try again");
  if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_TOO_MANY_REDIRECTS)
    throw Error(url + ": " + why + " (uxc follows redirects only to HTTPS)");
  if (is_unreachable(code)) throw UnreachableError("cannot reach " + server + ": " + why);
  throw Error("cannot download " + url + ": " + why);
}

}  // namespace

bool Http::get_small(const std::string& path, std::string* out, size_t max_bytes) {
  out->clear();
  Sink sink;
  sink.text = out;
  sink.max_bytes = max_bytes;
  long status = 0;
  perform(static_cast<CURL*>(curl_), server_, path, &sink, &status);
  if (status == 404 || status == 410) return false;
  if (status >= 400) throw Error(server_ + " answered HTTP " + std::to_string(status) + " for " + path);
  return true;
}

std::string Http::get_file(const std::string& path, int fd, const std::string& label, bool show_progress,
                           int stream_fd) {
  Sha256 hash;
  Progress progress(label, 0, show_progress);
  Sink sink;
  sink.fd = fd;
  sink.stream_fd = stream_fd;
  sink.hash = &hash;
  sink.progress = &progress;
  long status = 0;
  // The total comes from the server's Content-Length, once known.
  perform(static_cast<CURL*>(curl_), server_, path, &sink, &status);
  progress.finish();
  if (status >= 400) throw Error(server_ + " answered HTTP " + std::to_string(status) + " for " + path);
  return hash.hex();
}

std::string sha256_file(int fd) {
  Sha256 hash;
  std::string buf(1 << 20, '\0');
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read for SHA-256");
    if (n == 0) break;
    hash.add(buf.data(), static_cast<size_t>(n));
  }
  return hash.hex();
}

}  // namespace uxc::image
