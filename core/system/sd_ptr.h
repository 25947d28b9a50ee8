// Owning handles for libsystemd objects (sd-bus, sd-event): unique_ptr with the matching unref
// as deleter, so no code path unrefs by hand and an early return cannot leak or double-free.
// Shared by the daemon and the D-Bus client.
#pragma once

#include <memory>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

namespace platformd::sd {

struct BusUnref {
  // flush_close: queued messages (replies, signals) still go out before the connection closes.
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct SlotUnref {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};
struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
struct CredsUnref {
  void operator()(sd_bus_creds* c) const { sd_bus_creds_unref(c); }
};
struct EventUnref {
  void operator()(sd_event* e) const { sd_event_unref(e); }
};
struct EventSourceUnref {
  // disable first: a source that is merely unreffed stays armed while sd-event holds a ref.
  void operator()(sd_event_source* s) const { sd_event_source_disable_unref(s); }
};

using Bus = std::unique_ptr<sd_bus, BusUnref>;
using Slot = std::unique_ptr<sd_bus_slot, SlotUnref>;
using Message = std::unique_ptr<sd_bus_message, MessageUnref>;
using Creds = std::unique_ptr<sd_bus_creds, CredsUnref>;
using Event = std::unique_ptr<sd_event, EventUnref>;
using EventSource = std::unique_ptr<sd_event_source, EventSourceUnref>;

// Takes a new reference: for messages we keep past the handler that received them.
inline Message ref(sd_bus_message* m) {
  return Message(sd_bus_message_ref(m));
}
// The same, shareable: for continuations stored in std::function (which must be copyable).
inline std::shared_ptr<sd_bus_message> shared_ref(sd_bus_message* m) {
  return std::shared_ptr<sd_bus_message>(sd_bus_message_ref(m), MessageUnref{});
}

// An sd_bus_error freed on scope exit.
class BusError {
 public:
  BusError() = default;
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  ~BusError() { sd_bus_error_free(&e_); }
  sd_bus_error* get() { return &e_; }
  const sd_bus_error* get() const { return &e_; }
  bool is_set() const { return sd_bus_error_is_set(&e_); }
  const char* name() const { return e_.name ? e_.name : ""; }
  const char* message() const { return e_.message ? e_.message : ""; }

 private:
  sd_bus_error e_ = SD_BUS_ERROR_NULL;
};

}  // namespace platformd::sd
