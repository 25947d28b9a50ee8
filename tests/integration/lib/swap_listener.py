#!/usr/bin/env python3
"""The attacker of issue 12: a local user listening on the GUI RPC port.

  swap_listener.py PORT STATE_DIR HOLD_SECONDS COMMAND

Binds 127.0.0.1:PORT, writes STATE_DIR/ready, waits for ONE connection and, the moment it is
accepted, runs COMMAND (sh -c, as this process's user): platformd checks its paths first and
asks the BOINC client afterwards, so the accept says exactly when the check is over. Then it
writes STATE_DIR/swapped (the command's exit status), keeps the connection open HOLD_SECONDS
without answering (a client that hangs), closes it and exits. It never answers anything.
"""
import os
import socket
import subprocess
import sys
import time


def main():
    port, state, hold, command = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    open(os.path.join(state, "ready"), "w").close()
    conn, _ = srv.accept()
    rc = subprocess.call(["sh", "-c", command])
    with open(os.path.join(state, "swapped"), "w") as f:
        f.write(f"{rc} {time.time():.3f}\n")
    srv.close()  # later connections are refused: no client runs
    time.sleep(hold)
    conn.close()


if __name__ == "__main__":
    main()
