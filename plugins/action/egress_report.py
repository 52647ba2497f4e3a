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
    _requires_connection = False
    # As in plugins/modules/egress_report.py; checked and coerced here ("false" from -e is not true).
    ARGUMENT_SPEC = dict(
        plan=dict(type='dict', required=True),
        hosts=dict(type='list', elements='str'),
        result_var=dict(type='str', default='egress_sync__synced'),
        report_dir=dict(type='path'),
        history=dict(type='path'),
        notify_url=dict(type='str', no_log=True),
        notify_format=dict(type='str', default='json', choices=list(_report.NOTIFY_FORMATS)),
        notify_timeout=dict(type='float', default=10),
        fail_on_drift=dict(type='bool', default=False),
    )

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(self.ARGUMENT_SPEC)
        plan = args['plan']
        if 'digest' not in plan:
            return dict(result, failed=True, msg='plan must be the plan that allowlist.egress.egress_plan returns')
        if not args['notify_timeout'] > 0:
            return dict(result, failed=True, msg='Invalid notify_timeout %r: a number of seconds above 0'
                        % (args['notify_timeout'],))
        # Every host's sync_targets result, read here on the controller: this task runs once, after all of them.
        hosts = args['hosts'] or task_vars.get('ansible_play_hosts_all') or []
        hostvars = task_vars.get('hostvars') or {}
        host_results = [(host, hostvars[host].get(args['result_var']) if host in hostvars else None) for host in hosts]
        check_mode = bool(self._play_context.check_mode)
        warnings = []
        try:
            report = _report.build(plan, host_results, check_mode)
            if args['report_dir']:
                result['report_files'] = list(_report.write(report, args['report_dir']))
            if args['history'] and not check_mode:
                result['history_records'] = _history.append(args['history'], _history.records(report))
        except EgressError as error:
            return dict(result, failed=True, msg=to_native(error))
        if args['notify_url'] and _report.should_notify(report, args['fail_on_drift']):
            problem = _report.post(args['notify_url'], _report.notify_body(report, args['notify_format']),
                                   args['notify_timeout'])
            result['notified'] = problem is None
            if problem:
                warnings.append(problem)
        result.update(changed=False, summary=report['summary'], plan_digest=plan['digest'], mode=report['mode'])
        result['msg'] = report['summary']['text']
        if check_mode and args['fail_on_drift'] and report['summary']['drifted']:
            result.update(failed=True, msg=_report.drift_message(report))
        if warnings:
            result['warnings'] = warnings
        return result
