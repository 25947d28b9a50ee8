"""A fake BOINC GUI RPC peer, the attacker of issue 12: any local user can bind the client's
port while the client is stopped. Listens on 127.0.0.1:PORT and answers every request (read
up to its \\003) with the bytes of REPLY_FILE and a \\003, one connection after the other.
Appends one line per request to LOG ("ready" once listening). Started by hostile.sh as an
unprivileged user. When REPLY_FILE is a directory, each request is answered with the file named
after its request element (get_state.xml for <get_state/>, get_messages.xml, ...), an <error>
reply when there is none.

    python3 fake_gui_rpc.py PORT REPLY_FILE|REPLY_DIR LOG
"""
import os
import re
import socket
import sys

port, reply_file, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
replies = {}
reply = None
if os.path.isdir(reply_file):
    for name in os.listdir(reply_file):
        if name.endswith(".xml"):
            with open(os.path.join(reply_file, name), "rb") as f:
                replies[name[:-4]] = f.read() + b"\003"
else:
    with open(reply_file, "rb") as f:
        reply = f.read() + b"\003"
unknown = b"<boinc_gui_rpc_reply>\n<error>unknown request</error>\n</boinc_gui_rpc_reply>\n\003"
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# The previous peer on this port closed first and left TIME_WAIT behind: bind anyway.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
with open(log, "a") as f:
    f.write("ready\n")
while True:
    c, _ = s.accept()
    c.settimeout(10)
    request = b""
    try:
        while b"\003" not in request and len(request) < 65536:
            chunk = c.recv(4096)
            if not chunk:
                break
            request += chunk
        first = request.split(b"\n")[1].decode(errors="replace") if b"\n" in request else ""
        with open(log, "a") as f:
            f.write(f"request {first}\n")
        if reply is not None:
            c.sendall(reply)
        else:
            m = re.search(rb"<(get_[a-z_]+)", request)
            c.sendall(replies.get(m.group(1).decode() if m else "", unknown))
    except OSError as e:
        with open(log, "a") as f:
            f.write(f"error {e}\n")
    finally:
        c.close()
