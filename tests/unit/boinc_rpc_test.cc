// The GUI RPC exchange through a real loopback socket (RealMachine::loopback_exchange and
// rpc_get_state) against peers that misbehave: garbage, silence, an early close, a flood.
// docs/bad-input.md, "BOINC GUI RPC peer". The server side runs in a thread of this process
// on a port the kernel picks.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "boinc/boinc_rpc.h"
#include "exit_codes.h"

using namespace platformd;
using namespace std::chrono_literals;

namespace {

// One connection: reads the request up to its \003 (when `read_request`), then `answer(fd)`.
class FakePeer {
 public:
  FakePeer(std::function<void(int)> answer, bool read_request = true) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listen_fd_ >= 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(listen_fd_, 1) == 0);
    socklen_t len = sizeof sa;
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this, answer = std::move(answer), read_request] {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      char c = 0;
      while (read_request && ::recv(fd, &c, 1, 0) == 1 && c != '\003') {
      }
      answer(fd);
      ::close(fd);
    });
  }
  ~FakePeer() {
    thread_.join();
    ::close(listen_fd_);
  }
  GuiRpcEndpoint endpoint(std::chrono::milliseconds timeout = 2000ms) const {
    GuiRpcEndpoint e;
    e.port = port_;
    e.timeout = timeout;
    return e;
  }
  int port() const { return port_; }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

void send_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Waits until the client hangs up (or 10 s), so a silent peer stays silent until then.
void wait_for_hangup(int fd) {
  char buf[256];
  auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until && ::recv(fd, buf, sizeof buf, 0) > 0) {
  }
}

}  // namespace

TEST_CASE("bad input: a GUI RPC peer that sends garbage is a clean error naming it") {
  for (std::string garbage : {std::string("garbage\003"), std::string("<boinc_gui_rpc_reply>\n<client_st\003"),
                              std::string("\xff\xfe\x01<x>\003"),
                              std::string("<boinc_gui_rpc_reply>\n<unauthorized/>\n</boinc_gui_rpc_reply>\n\003")}) {
    FakePeer peer([&](int fd) { send_all(fd, garbage); });
    RealMachine m;
    auto r = rpc_get_state(m, peer.endpoint());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == exit_code::failure);
    CHECK_MESSAGE(r.error().message.starts_with(fmt::format("BOINC GUI RPC reply from 127.0.0.1:{}", peer.port())),
                  r.error().message);
  }
}

TEST_CASE("bad input: a GUI RPC peer that never answers is given up on at the deadline") {
  FakePeer peer(wait_for_hangup);
  RealMachine m;
  std::string why;
  const auto start = std::chrono::steady_clock::now();
  auto r = rpc_get_state(m, peer.endpoint(300ms), &why);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(r);
  CHECK_FALSE(r->has_value());  // treated as "no client": the caller falls back to client_state.xml
  CHECK(why == fmt::format("BOINC GUI RPC on 127.0.0.1:{} did not answer within 300 ms", peer.port()));
  CHECK(took >= 250ms);  // poll(2) counts in whole milliseconds
  CHECK(took < 5s);
}

TEST_CASE("bad input: a GUI RPC peer that closes early") {
  SUBCASE("without an answer") {
    FakePeer peer([](int) {});
    RealMachine m;
    auto r = rpc_get_state(m, peer.endpoint());
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          fmt::format("BOINC GUI RPC reply from 127.0.0.1:{}: the connection closed without an answer", peer.port()));
  }
  SUBCASE("before reading the request") {
    FakePeer peer([](int) {}, false);
    RealMachine m;
    std::string why;
    auto r = rpc_get_state(m, peer.endpoint(), &why);
    // Either the exchange fails (reset: no client) or the reply is empty: never a hang.
    if (r)
      CHECK_FALSE(r->has_value());
    else
      CHECK(r.error().message.ends_with("the connection closed without an answer"));
  }
  SUBCASE("half way through the reply") {
    FakePeer peer([](int fd) { send_all(fd, "<boinc_gui_rpc_reply>\n<client_state>\n<platform_name>x86_64"); });
    RealMachine m;
    auto r = rpc_get_state(m, peer.endpoint());
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("malformed") != std::string::npos);
  }
}

TEST_CASE("bad input: a GUI RPC peer that floods is cut off at the size cap") {
  FakePeer peer([](int fd) {
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 64; ++i) send_all(fd, chunk);  // 4 MiB, never a terminator
  });
  RealMachine m;
  std::string why;
  auto ep = peer.endpoint();
  ep.max_reply = 1 << 20;
  auto r = rpc_get_state(m, ep, &why);
  // Something answered, with more than a client sends: an error, never "no client here".
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("exceeds 1048576 bytes") != std::string::npos);
  CHECK(r.error().message.find(describe(ep)) != std::string::npos);
  CHECK(why.empty());
}
