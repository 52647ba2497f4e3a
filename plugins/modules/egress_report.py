#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: egress_report
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Report an allowlist sync run for every host, keep its history, notify, and fail on drift
version_added: 0.3.0
description:
  - The step of the pipeline of the C(allowlist.egress.egress_sync) role after M(allowlist.egress.sync_targets).
    Runs on the controller, once for the whole play (C(run_once=true)), and reads every host's
    M(allowlist.egress.sync_targets) result from C(hostvars), so one report covers all hosts' targets.
  - With O(report_dir), writes C(plan.md) (a Markdown merge-request comment) and C(plan.json) (the same as data),
    each atomically, in check mode and in apply mode alike. Their schema is in C(docs/plan-report.md).
  - With O(history), an applied run appends one JSON line per target it changed (nothing when nothing changed, nor
    in check mode), under a lock, never rewriting the file.
  - With O(notify_url), an applied change, or drift found in check mode with O(fail_on_drift=true), is posted as
    JSON to a webhook; a failure to notify is a warning, never a failure.
  - In check mode with O(fail_on_drift=true), the task fails when any target differs from its sources, naming each.
options:
  plan:
    description: The RV(allowlist.egress.egress_plan#module:plan) of this run.
    type: dict
    required: true
  hosts:
    description: The hosts whose results to report. Default all hosts of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
  result_var:
    description: The variable each host registered the M(allowlist.egress.sync_targets) result in.
    type: str
    default: egress_sync__synced
  report_dir:
    description: The directory on the controller to write C(plan.md) and C(plan.json) in (created if missing).
    type: path
  history:
    description:
      - The JSONL history file on the controller, appended to by applied runs that change a target (a relative path is
        relative to the directory ansible-playbook runs in).
      - Appends are serialised on a lock file next to it (C(.lock) appended to its name).
    type: path
  notify_url:
    description:
      - A webhook to POST the run's summary to on an applied change, or on drift with O(fail_on_drift). Its path and
        query often hold a secret (Slack, Teams), so messages only ever show its scheme and host.
    type: str
  notify_format:
    description:
      - V(json) posts the report's summary part; V(slack) a Slack incoming webhook message (C(text) and C(blocks));
        V(teams) a Teams Workflows message with an Adaptive Card.
    type: str
    choices: [json, slack, teams]
    default: json
  notify_timeout:
    description: Seconds the whole webhook request may take (connect, send, answer).
    type: float
    default: 10
  fail_on_drift:
    description:
      - In check mode, fail when any target differs from its sources, naming them. Ignored when not in check mode.
    type: bool
    default: false
extends_documentation_fragment:
  - allowlist.egress.attributes
attributes:
  action:
    description: Runs on the controller as an action plugin; nothing is sent to the managed hosts.
    support: full
  check_mode:
    support: full
    details:
      - In check mode the report is written all the same (it is the plan), the history is not.
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - The report files are rewritten each run; the history only grows when targets change.
seealso:
  - module: allowlist.egress.egress_plan
  - module: allowlist.egress.sync_targets
  - module: allowlist.egress.egress_history
"""

EXAMPLES = r"""
- name: Report the run of every host, once
  allowlist.egress.egress_report:
    plan: "{{ egress_plan.plan }}"
    report_dir: "{{ playbook_dir }}/report"
    history: /var/lib/allowlist-egress/history.jsonl
    notify_url: "{{ vault_slack_webhook }}"
    notify_format: slack
  run_once: true
"""

RETURN = r"""
summary:
  description: The report's summary part (also what a C(json) webhook gets under C(summary)).
  returned: always
  type: dict
  contains:
    targets:
      description: Number of target objects reported.
      type: int
    changed:
      description: How many of them changed (apply) or would change (check).
      type: int
    drifted:
      description: In check mode, each target that differs from its sources, as C(host, backend object).
      type: list
      elements: str
    failed:
      description: Number of hosts whose sync failed or that have no result.
      type: int
    added:
      description: Addresses added over all changed targets.
      type: int
    removed:
      description: Addresses removed over all changed targets.
      type: int
    text:
      description: One line for a log or a chat message.
      type: str
report_files:
  description: The paths of C(plan.json) and C(plan.md).
  returned: with O(report_dir)
  type: list
  elements: str
history_records:
  description: Lines appended to O(history).
  returned: with O(history), when not in check mode
  type: int
notified:
  description: Whether the webhook took the notification.
  returned: when a notification was due
  type: bool
mode:
  description: V(check) or V(apply).
  returned: always
  type: str
"""
