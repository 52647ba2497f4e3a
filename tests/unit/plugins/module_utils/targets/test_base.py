# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Target base class: what a target must implement, and what it gets by default."""

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target


class Minimal(Target):
    def describe(self):
        return 'minimal set'

    def lock_path(self):
        return '/run/lock/minimal.lock'

    def read(self):
        return None

    def commands(self, current, plan):
        return []

    def apply(self, current, plan):
        pass

    def remove_commands(self, current):
        return []

    def remove(self, current):
        pass


def test_a_target_missing_an_operation_cannot_be_made():
    class Incomplete(Target):
        def describe(self):
            return 'incomplete'

    with pytest.raises(TypeError, match='abstract'):
        Incomplete()  # pylint: disable=abstract-class-instantiated


def test_defaults_refuse_persist_and_check_comment_text():
    target = Minimal()
    with pytest.raises(EgressError, match='persist does not apply to minimal set'):
        target.persist_text(None)
    assert target.validate_persist('text', None) is None and target.facts(None, None) == {}
    with pytest.raises(EgressError, match=r'Invalid comment .* at addresses\[0\]'):
        target.check_comment('line\nbreak', 'addresses[0]')
