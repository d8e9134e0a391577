// Answers to uxc, progress lines, notes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "policy/text.h"
#include "user/storage/image/image.h"

namespace uxc::image {

namespace {

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

std::string one_line(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace

Answer::Answer() {
  struct stat st;
  if (fstat(3, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
    throw Error("this command is run by uxc create, with its answer pipe on fd 3");
  fd_ = Fd(fcntl(3, F_DUPFD_CLOEXEC, 3));
  if (!fd_.valid()) throw_errno("cannot keep fd 3");
  close(3);
}

void Answer::put(const std::string& key, const std::string& value) {
  if (!write_all(fd_.get(), key + " " + one_line(value) + "\n")) throw_errno("cannot answer uxc");
}

void Answer::ok() { (void)write_all(fd_.get(), "ok\n"); }

void Answer::error(const std::string& message) { (void)write_all(fd_.get(), "error " + one_line(message) + "\n"); }

bool progress_wanted(bool quiet) { return !quiet && isatty(2) == 1; }

std::string human_size(uint64_t bytes) { return policy::format_size(bytes, 1, "B"); }

void say(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

Progress::Progress(std::string what, uint64_t total, bool enabled)
    : what_(std::move(what)), total_(total), enabled_(enabled), start_ns_(now_ns()) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  if (total > 0) total_ = total;
  const uint64_t now = now_ns();
  if (shown_ && now - last_ns_ < 200000000u) return;
  last_ns_ = now;
  shown_ = true;
  const double seconds = static_cast<double>(now - start_ns_) / 1e9;
  const double rate = seconds > 0.05 ? static_cast<double>(done) / seconds : 0;
  std::string line = what_ + ": " + human_size(done);
  if (total_ > 0) line += " of " + human_size(total_);
  if (rate > 0) {
    line += ", " + human_size(static_cast<uint64_t>(rate)) + "/s";
    if (total_ > done) {
      char eta[32];
      std::snprintf(eta, sizeof eta, ", %.0f s left", static_cast<double>(total_ - done) / rate);
      line += eta;
    }
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (!shown_) return;
  shown_ = false;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace uxc::image
