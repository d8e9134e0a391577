// The clients' side of the monitor's socket (monitor.h).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "policy/monitor.h"
#include "user/common/util.h"
#include "user/runtime/monitor.h"

namespace uxc {

Fd monitor_connect(const std::string& socket_path) {
  Fd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) throw_errno("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) throw Error("runtime path too long: " + socket_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size());
  if (connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw_errno("cannot reach the container's monitor at " + socket_path);
  return sock;
}

std::string monitor_request(const std::string& socket_path, const std::string& request, int timeout_seconds) {
  Fd sock = monitor_connect(socket_path);
  if (!write_all(sock.get(), request + "\n")) throw_errno("cannot talk to the monitor");
  std::string answer;
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long left_ms = timeout_seconds * 1000L - ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L);
    if (left_ms <= 0) throw Error("the monitor did not answer in time");
    pollfd p{sock.get(), POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left_ms));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    const ssize_t n = read(sock.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return answer;
    answer.append(buf, static_cast<size_t>(n));
    if (answer.size() > 65536) return answer;
  }
}

Addresses ask_addresses(const Paths& paths, const std::string& name) {
  Addresses a;
  std::string answer;
  try {
    answer = monitor_request(container_runtime(paths, name) + "/sock", "info", 5);
  } catch (const Error&) {
    return a;
  }
  policy::MonitorAddresses parsed;
  std::string why;
  if (!policy::parse_info_answer(answer, &parsed, &why)) return a;
  a.ipv4 = std::move(parsed.ipv4);
  a.ipv6 = std::move(parsed.ipv6);
  return a;
}

}  // namespace uxc
