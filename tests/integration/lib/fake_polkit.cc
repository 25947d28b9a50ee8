// platformd-test-polkit: a stand-in for polkitd on a TEST bus, so that the D-Bus tests can show
// what platformd asks polkit and what it does with each answer. It owns
// org.freedesktop.PolicyKit1 and answers Authority.CheckAuthorization:
//
//   platformd-test-polkit ADDRESS LOG ANSWER
//     ANSWER  yes        authorised
//             no         not authorised
//             challenge  not authorised, but a password would do (is_challenge)
//     LOG     one line per request: "<subject-kind> <name> <action> flags=<n>"
//
// Never used on a real system bus: it takes the bus address as its first argument.
#include <cstdio>
#include <cstring>
#include <string>

#include <systemd/sd-bus.h>

#include "system/sd_ptr.h"

namespace {

struct Config {
  std::string log;
  std::string answer;
};

int check_authorization(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* cfg = static_cast<Config*>(userdata);
  const char* kind = nullptr;
  std::string name;
  int r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
  if (r < 0) return r;
  if ((r = sd_bus_message_read(m, "s", &kind)) < 0) return r;
  if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0) return r;
  while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
    const char* key = nullptr;
    if ((r = sd_bus_message_read(m, "s", &key)) < 0) return r;
    if (std::strcmp(key, "name") == 0) {
      const char* v = nullptr;
      if ((r = sd_bus_message_read(m, "v", "s", &v)) < 0) return r;
      name = v;
    } else if ((r = sd_bus_message_skip(m, "v")) < 0) {
      return r;
    }
    if ((r = sd_bus_message_exit_container(m)) < 0) return r;
  }
  if ((r = sd_bus_message_exit_container(m)) < 0 || (r = sd_bus_message_exit_container(m)) < 0) return r;
  const char* action = nullptr;
  if ((r = sd_bus_message_read(m, "s", &action)) < 0) return r;
  if ((r = sd_bus_message_skip(m, "a{ss}")) < 0) return r;
  uint32_t flags = 0;
  if ((r = sd_bus_message_read(m, "u", &flags)) < 0) return r;

  if (FILE* f = std::fopen(cfg->log.c_str(), "a")) {
    std::fprintf(f, "%s %s %s flags=%u\n", kind, name.c_str(), action, flags);
    std::fclose(f);
  }
  bool yes = cfg->answer == "yes", challenge = cfg->answer == "challenge";
  return sd_bus_reply_method_return(m, "(bba{ss})", yes, challenge, 0);
}

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS(
        "CheckAuthorization",
        SD_BUS_ARGS("(sa{sv})", subject, "s", action_id, "a{ss}", details, "u", flags, "s", cancellation_id),
        SD_BUS_RESULT("(bba{ss})", result), check_authorization, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END};

}  // namespace

int main(int argc, char** argv) {
  using namespace platformd;
  if (argc != 4) {
    std::fprintf(stderr, "usage: platformd-test-polkit ADDRESS LOG yes|no|challenge\n");
    return 2;
  }
  Config cfg{argv[2], argv[3]};
  sd_bus* raw = nullptr;
  if (sd_bus_new(&raw) < 0) return 1;
  sd::Bus bus(raw);
  int r;
  if ((r = sd_bus_set_address(raw, argv[1])) < 0 || (r = sd_bus_set_bus_client(raw, 1)) < 0 ||
      (r = sd_bus_start(raw)) < 0) {
    std::fprintf(stderr, "platformd-test-polkit: %s: %s\n", argv[1], std::strerror(-r));
    return 1;
  }
  sd_bus_slot* slot = nullptr;
  if ((r = sd_bus_add_object_vtable(raw, &slot, "/org/freedesktop/PolicyKit1/Authority",
                                    "org.freedesktop.PolicyKit1.Authority", kVtable, &cfg)) < 0)
    return 1;
  sd::Slot owned(slot);
  if ((r = sd_bus_request_name(raw, "org.freedesktop.PolicyKit1", 0)) < 0) {
    std::fprintf(stderr, "platformd-test-polkit: cannot own org.freedesktop.PolicyKit1: %s\n", std::strerror(-r));
    return 1;
  }
  for (;;) {
    r = sd_bus_process(raw, nullptr);
    if (r < 0) return 0;  // the bus went away: the test is over
    if (r > 0) continue;
    if (sd_bus_wait(raw, UINT64_MAX) < 0) return 0;
  }
}
