# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Playbook tasks for the address-object modules, and the bad-input check of the firewall modules."""

from __future__ import annotations


def module_task(module, title, check=None, diff=None, ignore_errors=False, **args):
    """One task calling `module` with `args`; its result is keyed by `title`."""
    task = {'name': title, module: args, 'register': 'r'}
    if check is not None:
        task['check_mode'] = check
    if diff is not None:
        task['diff'] = diff
    if ignore_errors:
        task['ignore_errors'] = True
    return task


def assert_refused_without_change(ns, ansible, module, cases):
    """Each (title, args, fragments) fails with a message holding every fragment; the kernel is unchanged."""
    before = ns.ruleset()
    results, proc = ansible.playbook([module_task(module, case[0], ignore_errors=True, **case[1]) for case in cases])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for title, _args, fragments in cases:
        assert results[title]['_status'] == 'failed', title
        for fragment in fragments:
            assert fragment in results[title]['msg'], (title, results[title]['msg'])
    assert ns.ruleset() == before
