#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: platformd contributors
# MIT License (see LICENSE in the platformd repository)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: platform
short_description: Enable or disable one foreign CPU platform for BOINC with platformd
version_added: "0.1.0"
description:
  - Brings one platform to the wanted state through C(platformctl --json apply), so the
    broker's protections hold as for C(platformctl enable) and C(platformctl disable)
    (BOINC tasks of a platform block its withdrawal, another tool's conflicting handler is
    verified instead of doubled, a platform is advertised only when its probes verify).
  - Reads only platformctl's JSON. Fails with platformctl's own message.
  - Idempotent; supports check mode (nothing changes, the would-be change is reported) and
    diff mode (the platform before and after).
options:
  name:
    description: Platform name as the catalog knows it (arch, alias or BOINC name), e.g. C(aarch64).
    type: str
    required: true
  state:
    description: C(enabled) registers, verifies and advertises it; C(disabled) withdraws it.
    type: str
    choices: [enabled, disabled]
    default: enabled
  strict:
    description: Any floating-point deviation blocks (only with I(state=enabled)).
    type: bool
    default: false
  allow_slow:
    description:
      - Advertise it even though it is below platformd's speed threshold (only with
        I(state=enabled)). Refused by a platformd whose broker has no such policy.
    type: bool
    default: false
  translator:
    description:
      - The translator to use, by its description name (C(qemu-user-static), C(box64)) or the
        path of its binary. Default is the first usable one.
    type: str
  scope:
    description:
      - Where its handler serves (only with I(state=enabled)). C(global) registers it in the
        machine's binfmt_misc table, for every program; C(boinc), for BOINC's tasks alone, in
        BOINC's own binfmt_misc instance (Linux 6.7 or later; the client started through
        platformd's boinc-client.service drop-in), leaving the machine's table (box64's entry,
        for one) as it is. Default is platformctl's.
    type: str
    choices: [global, boinc]
  platformctl:
    description: Path of platformctl. Default is the one on C(PATH).
    type: path
author:
  - platformd contributors
notes:
  - Needs root on the managed host (or platformd's polkit authorisation).
"""

EXAMPLES = r"""
- name: Run aarch64 BOINC work on this x86_64 host
  platformd.boinc.platform:
    name: aarch64

- name: x86_64 on a Raspberry Pi, through box64, only if exact
  platformd.boinc.platform:
    name: x86_64
    translator: box64
    strict: true

- name: x86_64 for BOINC's tasks alone; box64's own entry keeps serving the board's games
  platformd.boinc.platform:
    name: x86_64
    scope: boinc

- name: Withdraw riscv64 (refused while BOINC holds tasks of it)
  platformd.boinc.platform:
    name: riscv64
    state: disabled
"""

RETURN = r"""
changed:
  description: The platform was (check mode - would be) changed.
  returned: always
  type: bool
platform:
  description: The platform's entry of the apply report (see docs/fleet.md).
  returned: always
  type: dict
before:
  description: The platform before (enabled, state, translator, fidelity, speed_ratio, reason).
  returned: always
  type: dict
after:
  description: The platform after; in check mode the prediction (only C(enabled) changes).
  returned: always
  type: dict
verdict:
  description: Fidelity verdict of its verification (C(exact), C(warning), C(blocked)) or null.
  returned: always
  type: str
reason:
  description: Why it was changed or not, or why it failed.
  returned: always
  type: str
lines:
  description: What platformd did, one line each.
  returned: always
  type: list
  elements: str
warnings_from_platformd:
  description: platformd's warnings (BOINC restart, kept handlers, ...).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.platformd.boinc.plugins.module_utils.platformctl import apply_document


def describe(snapshot, name):
    """A few lines for diff mode."""
    lines = ["name: %s" % name]
    for key in ("enabled", "state", "translator", "fidelity"):
        value = snapshot.get(key)
        if isinstance(value, bool):
            value = "true" if value else "false"
        lines.append("%s: %s" % (key, value if value not in (None, "") else "-"))
    return "\n".join(lines) + "\n"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["enabled", "disabled"], default="enabled"),
            strict=dict(type="bool", default=False),
            allow_slow=dict(type="bool", default=False),
            translator=dict(type="str"),
            scope=dict(type="str", choices=["global", "boinc"]),
            platformctl=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    entry = {"name": p["name"], "state": p["state"]}
    # Options are sent only when asked for: platformctl refuses them with state disabled,
    # with its own message, rather than this module guessing.
    if p["strict"]:
        entry["strict"] = True
    if p["allow_slow"]:
        entry["allow_slow"] = True
    if p["translator"]:
        entry["translator"] = p["translator"]
    if p["scope"]:
        entry["scope"] = p["scope"]
    report = apply_document(module, {"version": 1, "platforms": [entry]}, module.check_mode)

    items = report.get("platforms") or []
    item = items[0] if items else {}
    result = dict(
        changed=bool(item.get("changed")),
        platform=item,
        before=item.get("before", {}),
        after=item.get("after", {}),
        verdict=item.get("verdict"),
        reason=item.get("reason", ""),
        lines=report.get("lines", []),
        warnings_from_platformd=report.get("warnings", []),
    )
    if module._diff and item:
        name = item.get("name", p["name"])
        result["diff"] = dict(
            before=describe(result["before"], name),
            after=describe(result["after"], name),
            before_header="%s (before)" % name,
            after_header="%s (%s)" % (name, "would be" if module.check_mode else "after"),
        )
    error = report.get("error")
    if error:
        module.fail_json(msg=error.get("message", "platformctl apply failed"), rc=report.get("rc"), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
