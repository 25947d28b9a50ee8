#!/usr/bin/env python3
"""A minimal BOINC project for scenario B, served on the guest's loopback only.

What a real project's server does for one task, and nothing more:
  GET  /vmtest/                 master page naming the scheduler (<scheduler> tag)
  POST /vmtest_cgi/cgi          scheduler: answers a request that lists x86_64-pc-linux-gnu
                                (primary or <alt_platform>) with one workunit of an x86_64
                                app version; acknowledges reported results
  GET  /vmtest/download/NAME    the app's executable and the workunit's input
  POST /vmtest_cgi/file_upload_handler  the upload handler (get_file_size, file_upload); the client
                                        takes a file URL for an upload URL only when it contains
                                        "file_upload_handler" (client/client_types.cpp FILE_INFO::parse)
The formats follow BOINC's client (client/scheduler_op.cpp SCHEDULER_REPLY::parse,
client/cs_scheduler.cpp handle_scheduler_reply, lib/crypt.cpp for the code-signing key and
signature; the upload handler's replies as sched/file_upload_handler.cpp writes them).

usage: miniproject.py PORT DIR LOG
DIR holds app (the static x86_64 executable), app.sig (its BOINC signature, hex),
code_sign_key (the public key in BOINC's text form) and in (the workunit's input).
Every request and what was answered is appended to LOG (one line each); uploaded files go
to DIR/uploads/.
"""
import hashlib
import http.server
import os
import re
import sys
import time

PORT = int(sys.argv[1])
DIR = sys.argv[2]
LOG = sys.argv[3]
BASE = f"http://127.0.0.1:{PORT}"
MASTER = f"{BASE}/vmtest/"
PLATFORM = "x86_64-pc-linux-gnu"
APP = "vmtest_app"
APP_FILE = f"{APP}_1.00_{PLATFORM}"
WU = "vmtest_wu_1"
RESULT = f"{WU}_0"
OUT_FILE = f"{RESULT}_out"
sent = False


def log(msg):
    with open(LOG, "a") as f:
        f.write(f"{time.strftime('%H:%M:%S')} {msg}\n")


def read(name, mode="r"):
    with open(os.path.join(DIR, name), mode) as f:
        return f.read()


def file_info_download(name):
    data = read(name if name != APP_FILE else "app", "rb")
    sig = ""
    if name == APP_FILE:
        sig = f"<executable/>\n<file_signature>\n{read('app.sig')}</file_signature>\n"
    return (f"<file_info>\n<name>{name}</name>\n<url>{BASE}/vmtest/download/{name}</url>\n{sig}"
            f"<nbytes>{len(data)}</nbytes>\n<md5_cksum>{hashlib.md5(data).hexdigest()}</md5_cksum>\n"
            f"</file_info>\n")


def work():
    deadline = int(time.time()) + 7 * 86400
    return (f"<app>\n<name>{APP}</name>\n<user_friendly_name>VM test app (x86_64)</user_friendly_name>\n</app>\n"
            + file_info_download(APP_FILE)
            + f"<app_version>\n<app_name>{APP}</app_name>\n<version_num>100</version_num>\n"
            f"<platform>{PLATFORM}</platform>\n<avg_ncpus>1</avg_ncpus>\n<flops>1e9</flops>\n"
            f"<file_ref>\n<file_name>{APP_FILE}</file_name>\n<main_program/>\n</file_ref>\n</app_version>\n"
            + file_info_download("in")
            + f"<workunit>\n<name>{WU}</name>\n<app_name>{APP}</app_name>\n<version_num>100</version_num>\n"
            f"<rsc_fpops_est>1e9</rsc_fpops_est>\n<rsc_fpops_bound>1e14</rsc_fpops_bound>\n"
            f"<rsc_memory_bound>1e8</rsc_memory_bound>\n<rsc_disk_bound>1e8</rsc_disk_bound>\n"
            f"<file_ref>\n<file_name>in</file_name>\n<open_name>in</open_name>\n<copy_file/>\n</file_ref>\n"
            f"</workunit>\n"
            f"<file_info>\n<name>{OUT_FILE}</name>\n<generated_locally/>\n<upload_when_present/>\n"
            f"<max_nbytes>100000</max_nbytes>\n<url>{BASE}/vmtest_cgi/file_upload_handler</url>\n</file_info>\n"
            f"<result>\n<name>{RESULT}</name>\n<wu_name>{WU}</wu_name>\n<platform>{PLATFORM}</platform>\n"
            f"<version_num>100</version_num>\n<report_deadline>{deadline}</report_deadline>\n"
            f"<file_ref>\n<file_name>{OUT_FILE}</file_name>\n<open_name>out</open_name>\n<copy_file/>\n"
            f"</file_ref>\n</result>\n")


def scheduler(body):
    global sent
    platforms = re.findall(r"<platform_name>([^<]*)</platform_name>", body)
    platforms += re.findall(r"<alt_platform>\s*<name>([^<]*)</name>", body)
    reported = re.findall(r"<result>\s*<name>([^<]*)</name>(.*?)</result>", body, re.S)
    cpu_req = re.search(r"<work_req_seconds>([^<]*)</work_req_seconds>", body)
    log(f"scheduler request: platforms {' '.join(platforms)}; work_req_seconds "
        f"{cpu_req.group(1) if cpu_req else '-'}; reported {' '.join(r[0] for r in reported) or '-'}")
    reply = ["<scheduler_reply>\n<scheduler_version>720</scheduler_version>\n",
             f"<master_url>{MASTER}</master_url>\n<project_name>platformd VM test</project_name>\n",
             "<hostid>1</hostid>\n<userid>1</userid>\n<user_name>vmtest</user_name>\n<request_delay>2</request_delay>\n",
             f"<code_sign_key>\n{read('code_sign_key')}</code_sign_key>\n"]
    for name, rest in reported:
        st = re.search(r"<exit_status>([^<]*)</exit_status>", rest)
        state = re.search(r"<state>([^<]*)</state>", rest)
        log(f"reported {name}: state {state.group(1) if state else '?'} exit_status {st.group(1) if st else '?'}")
        reply.append(f"<result_ack>\n<name>{name}</name>\n</result_ack>\n")
    if PLATFORM not in platforms:
        log(f"no work: the client does not list {PLATFORM}")
        reply.append(f"<message priority=\"low\">no work: this host does not run {PLATFORM}</message>\n")
    elif not sent and cpu_req and float(cpu_req.group(1)) > 0:
        sent = True
        log(f"sent {RESULT} ({PLATFORM} app version 100)")
        reply.append(work())
    reply.append("</scheduler_reply>\n")
    return "".join(reply)


def upload(body):
    text = body.decode("latin-1")
    m = re.search(r"<get_file_size>([^<]*)</get_file_size>", text)
    if m:
        p = os.path.join(DIR, "uploads", os.path.basename(m.group(1)))
        size = os.path.getsize(p) if os.path.exists(p) else 0
        log(f"upload: get_file_size {m.group(1)} -> {size}")
        return f"<data_server_reply>\n<status>0</status>\n<file_size>{size}</file_size>\n</data_server_reply>\n"
    name = re.search(r"<name>([^<]*)</name>", text)
    off = re.search(r"<offset>([^<]*)</offset>", text)
    i = body.find(b"<data>\n")
    if not name or i < 0:
        log("upload: malformed request")
        return "<data_server_reply>\n<status>-1</status>\n<message>bad request</message>\n</data_server_reply>\n"
    data = body[i + len(b"<data>\n"):]
    os.makedirs(os.path.join(DIR, "uploads"), exist_ok=True)
    p = os.path.join(DIR, "uploads", os.path.basename(name.group(1)))
    with open(p, "r+b" if os.path.exists(p) else "wb") as f:
        f.seek(int(float(off.group(1))) if off else 0)
        f.write(data)
    log(f"upload: {name.group(1)} {len(data)} bytes at offset {off.group(1) if off else 0}, md5 "
        f"{hashlib.md5(open(p, 'rb').read()).hexdigest()}")
    return "<data_server_reply>\n<status>0</status>\n<file_upload_ack>\n</file_upload_ack>\n</data_server_reply>\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # curl's Expect: 100-continue is answered by the base class

    def reply(self, code, data, ctype="text/xml"):
        if isinstance(data, str):
            data = data.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/") == "/vmtest":
            log("master page")
            return self.reply(200, f"<html><head><title>platformd VM test</title>\n"
                              f"<!-- <scheduler>{BASE}/vmtest_cgi/cgi</scheduler> -->\n"
                              f"</head><body>VM test project</body></html>\n", "text/html")
        m = re.fullmatch(r"/vmtest/download/([A-Za-z0-9_.-]+)", self.path)
        if m:
            name = m.group(1)
            src = "app" if name == APP_FILE else name
            if os.path.exists(os.path.join(DIR, src)):
                data = read(src, "rb")
                log(f"download {name} ({len(data)} bytes)")
                return self.reply(200, data, "application/octet-stream")
        log(f"GET {self.path}: 404")
        self.reply(404, "not found\n", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.path.startswith("/vmtest_cgi/cgi"):
            return self.reply(200, scheduler(body.decode("utf-8", "replace")))
        if self.path.startswith("/vmtest_cgi/file_upload"):
            return self.reply(200, upload(body))
        log(f"POST {self.path}: 404")
        self.reply(404, "not found\n", "text/plain")

    def log_message(self, fmt, *args):
        pass


log(f"serving {MASTER} on 127.0.0.1:{PORT}")
http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
