# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the egress_sync history says changed, per source (docs: plugins/modules/egress_history.py)."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.allowlist.egress.plugins.module_utils import _history
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC = dict(path=dict(type='path', required=True), last=dict(type='int', default=20))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(self.ARGUMENT_SPEC)
        warnings = []
        try:
            changes = _history.changes_by_source(_history.read(args['path'], warn=warnings.append))
        except EgressError as error:
            return dict(result, failed=True, msg=to_native(error))
        last = args['last']
        changes = changes[-last:] if last > 0 else changes
        result.update(changed=False, changes=changes, lines=[c['line'] for c in changes],
                      msg='%d changes recorded' % len(changes))
        if warnings:
            result['warnings'] = warnings
        return result
