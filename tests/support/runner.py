# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A recorded command runner for the Linux targets: what the kernel tests cannot easily provoke."""

from __future__ import annotations


class Runner(object):
    """Answers each call with the next (rc, out, err) and records argv and stdin."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, argv, data=None):
        self.calls.append((list(argv), data))
        return self.answers.pop(0)
