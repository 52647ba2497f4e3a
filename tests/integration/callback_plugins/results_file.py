# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: results_file
type: aggregate
short_description: Test helper that writes every task result to the JSON file named by E(RESULTS_FILE)
description:
  - Used by this collection's integration tests only (ansible-core has no JSON callback of its own).
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'results_file'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.results = []

    def _record(self, result, status):
        data = dict(self._clean_results(result._result, result._task.action) or result._result)
        data['_status'] = status
        self.results.append({'task': result._task.get_name(), 'result': data})
        self._write()

    def _write(self):
        with open(os.environ['RESULTS_FILE'], 'w') as f:
            json.dump(self.results, f, default=str)

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')
