# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Report one egress_sync run for every host: plan files, history, webhook, drift (docs: plugins/modules/egress_report.py)."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.allowlist.egress.plugins.module_utils import _history, _report
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('plan', 'hosts', 'result_var', 'report_dir', 'history', 'notify_url', 'notify_format',
                             'notify_timeout', 'fail_on_drift'))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        plan = args.get('plan')
        if not isinstance(plan, dict) or 'digest' not in plan:
            return dict(result, failed=True, msg='plan must be the plan that allowlist.egress.egress_plan returns')
        fmt = args.get('notify_format') or 'json'
        if fmt not in _report.NOTIFY_FORMATS:
            return dict(result, failed=True, msg='Invalid notify_format %r: use one of %s'
                        % (fmt, ', '.join(_report.NOTIFY_FORMATS)))
        try:
            timeout = float(args.get('notify_timeout', 10))
        except (TypeError, ValueError):
            return dict(result, failed=True, msg='Invalid notify_timeout %r: a number of seconds'
                        % (args.get('notify_timeout'),))
        # Every host's sync_targets result, read here on the controller: this task runs once, after all of them.
        hosts = args.get('hosts') or task_vars.get('ansible_play_hosts_all') or []
        name = args.get('result_var') or 'egress_sync__synced'
        hostvars = task_vars.get('hostvars') or {}
        host_results = [(host, hostvars[host].get(name) if host in hostvars else None) for host in hosts]
        check_mode = bool(self._play_context.check_mode)
        warnings = []
        try:
            report = _report.build(plan, host_results, check_mode)
            if args.get('report_dir'):
                result['report_files'] = list(_report.write(report, args['report_dir']))
            if args.get('history') and not check_mode:
                result['history_records'] = _history.append(args['history'], _history.records(report))
        except EgressError as error:
            return dict(result, failed=True, msg=to_native(error))
        if args.get('notify_url') and _report.should_notify(report, args.get('fail_on_drift')):
            problem = _report.post(args['notify_url'], _report.notify_body(report, fmt), timeout)
            result['notified'] = problem is None
            if problem:
                warnings.append(problem)
        result.update(changed=False, summary=report['summary'], plan_digest=plan['digest'], mode=report['mode'])
        result['msg'] = report['summary']['text']
        if check_mode and args.get('fail_on_drift') and report['summary']['drifted']:
            result.update(failed=True, msg=_report.drift_message(report))
        if warnings:
            result['warnings'] = warnings
        return result
