# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The nftables target with a recorded runner: what the kernel tests cannot easily provoke."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _nftables
from tests.support.runner import Runner


def _listed(set_type):
    found = {'family': 'inet', 'table': 'filter', 'name': 'svc', 'type': set_type, 'handle': 1}
    return (0, json.dumps({'nftables': [{'metainfo': {}}, {'set': found}]}), '')


@pytest.mark.parametrize('set_type, shown', [(['ipv4_addr', 'inet_service'], 'ipv4_addr . inet_service'),
                                             ('ether_addr', 'ether_addr'), ({'typeof': 'x'}, "{'typeof': 'x'}")])
def test_nft_set_of_another_type_is_refused_by_name(set_type, shown):
    backend = _nftables.NftablesSet(Runner(_listed(set_type)), table='filter', name='svc')
    with pytest.raises(EgressError, match='nftables set inet filter svc has type %s; ' % re.escape(shown)):
        backend.read()


def _plan(backend):
    desired = _address_set.parse_desired(['192.0.2.0/24'])
    backend.prepare(_address_set.MISSING, desired)
    return _address_set.Plan([], desired.groups)


def test_nft_persist_is_checked_in_an_empty_namespace():
    runner = Runner((0, '', ''))
    backend = _nftables.NftablesSet(runner, table='filter', name='allow')
    text = backend.persist_text(_plan(backend))
    assert backend.validate_persist(text, '/etc/nftables.d/.allow.nft.x') is None
    assert runner.calls == [(['unshare', '--net', '--', 'nft', '-c', '-f', '/etc/nftables.d/.allow.nft.x'], None)]
    runner = Runner((1, '', '/dev/stdin:5:1: Error: syntax error'))
    backend.run = runner
    with pytest.raises(EgressError, match='fails `nft -c`.*syntax error'):
        backend.validate_persist(text, None)
    assert runner.calls[0] == (['unshare', '--net', '--', 'nft', '-c', '-f', '-'], text)


def test_nft_persist_check_without_namespaces_falls_back_to_the_declaration_with_a_warning():
    runner = Runner((1, '', 'unshare: unshare failed: Operation not permitted\n'), (0, '', ''))
    backend = _nftables.NftablesSet(runner, table='filter', name='allow')
    text = backend.persist_text(_plan(backend))
    note = backend.validate_persist(text, '/tmp/x')
    assert 'Could not check the persist file' in note and 'Operation not permitted' in note
    assert runner.calls[1][0] == ['nft', '-c', '-f', '-'] and 'elements' not in runner.calls[1][1]
