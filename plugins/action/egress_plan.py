# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get every source of a sync on the controller and merge them into one plan (docs: plugins/modules/egress_plan.py)."""

from __future__ import annotations

import os

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.allowlist.egress.plugins.module_utils import _sync_plan
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._http import default_cache_dir


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('sources', 'plan_dir', 'entries'))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        warnings = []
        try:
            plan = _sync_plan.plan(args.get('sources'), warn=warnings.append)
            path = _sync_plan.save(plan, args.get('plan_dir') or os.path.join(default_cache_dir(), 'plans'))
        except (EgressError, OSError) as error:
            result.update(failed=True, msg=to_native(error))
            return result
        summary = _sync_plan.summary(plan, path)
        if args.get('entries'):
            summary.update(ipv4=plan['ipv4'], ipv6=plan['ipv6'])
        result.update(changed=False, plan=summary)
        result['msg'] = 'plan %s: %d IPv4 and %d IPv6 entries from %s' % (
            plan['digest'][:12], summary['ipv4_count'], summary['ipv6_count'],
            ', '.join('%s (%s, %d)' % (s['label'], s['origin'], s['count']) for s in plan['sources']))
        if warnings:
            result['warnings'] = warnings
        return result
