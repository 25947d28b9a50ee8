# A GUI RPC "peer" that accepts every connection and never answers (issue 19): the attacker's
# move that stalled the daemon's one event loop. Logs each accepted connection to LOG.
#   silent_listener.py PORT LOG
import socket
import sys
import time

port, log = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
held = []
with open(log, "a", buffering=1) as f:
    f.write("ready\n")
    while True:
        c, _ = s.accept()
        held.append(c)  # kept open, never read from, never written to
        f.write("accepted %d\n" % len(held))
        if len(held) > 200:
            held.pop(0).close()
        time.sleep(0)
