// RealMachine::loopback_exchange: one bounded request/reply over TCP to 127.0.0.1 (BOINC's
// GUI RPC). Every wait has a deadline and the reply a size cap, so a peer that stalls, sends
// garbage or floods cannot hang or bloat us.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <cerrno>
#include <cstring>

#include "exit_codes.h"
#include "system/machine.h"
#include "system/unique_fd.h"

namespace platformd {

Result<std::string> RealMachine::loopback_exchange(int port, std::string_view request, char terminator,
                                                   std::chrono::milliseconds timeout, std::size_t max_reply) {
  if (port <= 0 || port > 65535) return fail(exit_code::usage, "GUI RPC port {} is out of range", port);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return fail(exit_code::failure, "socket: {}", std::strerror(errno));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto wait_for = [&](short events) -> Result<void> {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return fail(exit_code::failure, "BOINC GUI RPC on 127.0.0.1:{} did not answer within {} ms", port,
                    timeout.count());
      pollfd p{fd.get(), events, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(exit_code::failure, "poll: {}", std::strerror(errno));
      if (n > 0) return {};
    }
  };
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINPROGRESS)
      return fail(exit_code::failure, "cannot connect to BOINC GUI RPC on 127.0.0.1:{}: {}", port,
                  std::strerror(errno));
    if (auto w = wait_for(POLLOUT); !w) return w.error();
    int soerr = 0;
    socklen_t len = sizeof soerr;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soerr, &len);
    if (soerr != 0)
      return fail(exit_code::failure, "cannot connect to BOINC GUI RPC on 127.0.0.1:{}: {}", port,
                  std::strerror(soerr));
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (auto w = wait_for(POLLOUT); !w) return w.error();
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return fail(exit_code::failure, "GUI RPC send: {}", std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  for (;;) {
    if (auto w = wait_for(POLLIN); !w) return w.error();
    char buf[16384];
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return fail(exit_code::failure, "GUI RPC receive: {}", std::strerror(errno));
    if (n == 0) return reply;  // peer closed: the caller decides whether the reply is complete
    std::string_view chunk(buf, static_cast<std::size_t>(n));
    if (auto t = chunk.find(terminator); t != std::string_view::npos) {
      reply.append(chunk.substr(0, t));
      return reply;
    }
    // bad_config, not failure: the peer answered, with more than any client sends. The
    // caller tells this apart from "nothing answers" (refused, silent), a normal state.
    if (reply.size() + chunk.size() > max_reply)
      return fail(exit_code::bad_config, "BOINC GUI RPC reply from 127.0.0.1:{} exceeds {} bytes; not read further",
                  port, max_reply);
    reply.append(chunk);
  }
}

}  // namespace platformd
