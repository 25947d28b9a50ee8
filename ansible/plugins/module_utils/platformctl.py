# -*- coding: utf-8 -*-
# Copyright: platformd contributors
# MIT License (see LICENSE in the platformd repository)
"""Running platformctl and reading its JSON: the one way this collection talks to platformd.

Nothing here reads human-readable output. A command either prints one JSON document on
standard output (``--json``) or, for an error found before anything ran (bad input, unknown
platform), exits non-zero with one line ``platformctl: MESSAGE`` on standard error; that
message is passed on as the task's failure message, verbatim.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# platformctl's exit codes (core/exit_codes.h in platformd).
EXIT_OK = 0
EXIT_CHANGED = 8


def platformctl_path(module):
    """The platformctl to run: the module's ``platformctl`` option, else the one on PATH."""
    given = module.params.get("platformctl")
    if given:
        return given
    return module.get_bin_path("platformctl", required=True)


def error_message(rc, stdout, stderr):
    """The CLI's own message: its stderr line without the ``platformctl:`` prefix."""
    text = (stderr or "").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("platformctl: ") and not line.startswith("platformctl: warning:"):
            return line[len("platformctl: "):]
    if lines:
        return lines[-1]
    return "platformctl exited %d without a message (stdout: %s)" % (rc, (stdout or "").strip()[:200])


def run_json(module, args, data=None):
    """Runs ``platformctl --json ARGS``; returns (rc, document or None, stderr)."""
    cmd = [platformctl_path(module), "--json"] + list(args)
    rc, out, err = module.run_command(cmd, data=data, binary_data=False, encoding="utf-8")
    try:
        doc = json.loads(out) if out.strip() else None
    except ValueError:
        doc = None
    return rc, doc, err, out


def apply_document(module, document, check):
    """``platformctl --json apply -`` with ``document`` (a dict) on standard input.

    Returns the report (dict). Fails the module with the CLI's message when platformctl
    refused the document before doing anything (no JSON report then).
    """
    args = ["apply", "-"]
    if check:
        args.append("--check")
    rc, doc, err, out = run_json(module, args, data=json.dumps(document))
    if doc is None:
        module.fail_json(msg=error_message(rc, out, err), rc=rc, stderr=err)
    doc["rc"] = rc
    return doc
