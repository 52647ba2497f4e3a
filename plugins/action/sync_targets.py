# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sync one plan into every target of a host, each through its module (docs: plugins/modules/sync_targets.py)."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.allowlist.egress.plugins.module_utils import _sync_plan, _sync_targets
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('plan', 'targets', 'list_limit') + _sync_targets.SHARED_OPTIONS)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        plan, targets = args.get('plan'), args.get('targets')
        limit = int(args.get('list_limit', 20))
        if not isinstance(plan, dict) or 'digest' not in plan or not ('file' in plan or 'ipv4' in plan):
            return dict(result, failed=True, msg='plan must be the plan that allowlist.egress.egress_plan returns')
        if not isinstance(targets, list) or not targets:
            return dict(result, failed=True, msg='targets (egress_sync_targets) must be a non-empty list')
        shared = dict((name, args.get(name)) for name in _sync_targets.SHARED_OPTIONS)
        try:
            if 'ipv4' not in plan:
                plan = _sync_plan.load(plan['file'], plan['digest'])
            calls = [(index, target) + _sync_targets.parts(index, target, plan, shared)
                     for index, target in enumerate(targets)]
            for index, target, parts, _unsynced in calls:
                _sync_targets.check_comments(index, target, parts)
        except EgressError as error:
            return dict(result, failed=True, msg=to_native(error))
        summaries, diffs, notes, changed = [], [], [], False
        for index, target, parts, unsynced in calls:
            for part in parts:
                module_args = dict(part.args, addresses=part.entries)
                module_args.setdefault('list_limit', limit)  # the module returns no more than the summary shows
                module_result = self._execute_module(module_name=_sync_targets.registry()[target['backend']].module,
                                                     module_args=module_args, task_vars=task_vars)
                if module_result.get('failed'):
                    return dict(result, failed=True, changed=changed, targets=summaries, plan_digest=plan['digest'],
                                msg='egress_sync_targets[%d] (%s %s): %s' % (
                                    index, target['backend'], part.object, module_result.get('msg', 'failed')))
                changed = changed or bool(module_result.get('changed'))
                summaries.append(_sync_targets.summary(target['backend'], part, module_result, plan['digest'], limit))
                if module_result.get('diff'):
                    diffs.append(module_result['diff'])
            if unsynced:
                notes.append('%d IPv6 addresses were not synced into %s %s: give it a %s6 for them'
                             % (unsynced, target['backend'], target.get('set', target.get('name')),
                                _sync_targets.registry()[target['backend']].name_option))
        result.update(changed=changed, targets=summaries, plan_digest=plan['digest'])
        if diffs:
            result['diff'] = diffs
        if notes:
            result['warnings'] = notes
        return result
