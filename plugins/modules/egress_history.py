#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: egress_history
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: What the history of allowlist syncs says changed, per source
version_added: 0.3.0
description:
  - Reads the JSONL history that M(allowlist.egress.egress_report) appends to, on the controller, and answers "what
    changed, and when" per source, such as C(egress_ranges:atlas (network) +3 -1 on 2026-11-20 11:00:00 UTC from
    syncToken 1700000000 to syncToken 1700086400).
  - A run that changed several targets counts each address once per source. The version before is the one the
    source had in the previous run the history recorded.
options:
  path:
    description: The history file (C(egress_sync_history)) on the controller.
    type: path
    required: true
  last:
    description: How many of the latest changes to return; V(0) for all.
    type: int
    default: 20
extends_documentation_fragment:
  - allowlist.egress.attributes
  - allowlist.egress.attributes.info_module
attributes:
  action:
    description: Runs on the controller as an action plugin.
    support: full
seealso:
  - module: allowlist.egress.egress_report
"""

EXAMPLES = r"""
- name: What changed, and when
  allowlist.egress.egress_history:
    path: /var/lib/allowlist-egress/history.jsonl
  run_once: true
  register: history

- name: Show it
  ansible.builtin.debug:
    msg: "{{ history.lines }}"
  run_once: true
"""

RETURN = r"""
changes:
  description:
    - Oldest first, per run and source that added or removed something, C(source), C(origin), C(time), C(added),
      C(removed) (the addresses), C(before) and C(after) (the source's version markers), and C(line).
  returned: success
  type: list
  elements: dict
lines:
  description: Each change as one line of text.
  returned: success
  type: list
  elements: str
"""
