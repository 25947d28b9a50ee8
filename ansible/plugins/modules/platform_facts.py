#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: platformd contributors
# MIT License (see LICENSE in the platformd repository)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: platform_facts
short_description: Facts about a host's CPU platforms from platformd
version_added: "0.1.0"
description:
  - Runs C(platformctl --json status) and returns the host, every platform, and per platform
    its fidelity verdict and its speed relative to native, as facts.
  - Changes nothing; reads only platformctl's JSON.
options:
  platformctl:
    description: Path of platformctl. Default is the one on C(PATH).
    type: path
author:
  - platformd contributors
"""

EXAMPLES = r"""
- name: Gather platformd facts
  platformd.boinc.platform_facts:

- name: Show what this board can run
  ansible.builtin.debug:
    msg: "{{ ansible_facts.platformd_verdicts }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  contains:
    platformd_host:
      description: Kernel and userland architecture, BOINC platform, natively running compat platforms.
      type: dict
    platformd_platforms:
      description: Every catalog platform by arch, as C(platformctl --json status) gives it.
      type: dict
    platformd_enabled:
      description: Archs the administrator enabled.
      type: list
      elements: str
    platformd_verdicts:
      description: Arch to fidelity verdict (C(exact), C(warning), C(blocked)), verified platforms only.
      type: dict
    platformd_speed_ratios:
      description: Arch to emulated/native speed (1.0 is native speed), measured platforms only.
      type: dict
    platformd_notes:
      description: platformd's remarks about the whole report.
      type: list
      elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.platformd.boinc.plugins.module_utils.platformctl import error_message, run_json


def main():
    module = AnsibleModule(argument_spec=dict(platformctl=dict(type="path")), supports_check_mode=True)
    rc, doc, err, out = run_json(module, ["status"])
    if rc != 0 or doc is None:
        module.fail_json(msg=error_message(rc, out, err), rc=rc, stderr=err)
    platforms = dict((p["arch"], p) for p in doc.get("platforms", []))
    facts = dict(
        platformd_host=doc.get("host", {}),
        platformd_platforms=platforms,
        platformd_enabled=sorted(a for a, p in platforms.items() if p.get("enabled")),
        platformd_verdicts=dict((a, p["fidelity"]) for a, p in platforms.items() if p.get("fidelity")),
        platformd_speed_ratios=dict(
            (a, p["speed_ratio"]) for a, p in platforms.items() if p.get("speed_ratio") is not None
        ),
        platformd_notes=doc.get("notes", []),
    )
    module.exit_json(changed=False, ansible_facts=facts)


if __name__ == "__main__":
    main()
