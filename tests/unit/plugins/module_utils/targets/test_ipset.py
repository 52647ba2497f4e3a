# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ipset target with a recorded runner: what the kernel tests cannot easily provoke."""

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _ipset
from tests.support.runner import Runner


def test_ipset_persist_is_loaded_in_an_empty_namespace():
    runner = Runner((1, '', 'ipset v7.17: Error in line 3: Syntax error: Comment is longer than the maximum'))
    backend = _ipset.Ipset(runner, 'allow')
    with pytest.raises(EgressError, match='fails `ipset restore` in an empty network namespace.*line 3'):
        backend.validate_persist('create allow hash:net\n', '/etc/ipsets/.allow.x')
    assert runner.calls == [(['unshare', '--net', '--', 'ipset', 'restore', '-exist', '-f', '/etc/ipsets/.allow.x'], None)]
    backend.run = Runner((1, '', 'unshare: unshare failed: Operation not permitted'))
    assert 'relying on the checks' in backend.validate_persist('create allow hash:net\n', None)


def test_ipset_new_set_is_filled_under_the_temporary_name():
    backend = _ipset.Ipset(Runner(), 'allow')
    desired = _address_set.parse_desired(['192.0.2.0/24'])
    backend.prepare(_address_set.MISSING, desired)
    lines = backend.commands(_address_set.MISSING, _address_set.Plan([], desired.groups))
    assert lines == ['create %s hash:net family inet maxelem 65536' % backend.tmp, 'add %s 192.0.2.0/24' % backend.tmp,
                     'rename %s allow' % backend.tmp]
    # rendered (no read) shows the batch that makes the set under its own name.
    assert backend.commands(None, _address_set.Plan([], desired.groups))[0] == 'create allow hash:net family inet maxelem 65536'
