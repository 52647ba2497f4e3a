# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A module carries only its own backend: Ansible packs every module_utils file it imports (even inside a
function) into the payload it builds, and builds it again on every run."""

from __future__ import annotations

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREFIX = 'ansible_collections.allowlist.egress.'


def imported(path):
    """The collection modules that the file at `path` imports, anywhere in it."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            names.add(node.module)
            names.update('%s.%s' % (node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith(PREFIX))
    return set(name for name in names if os.path.exists(file_of(name)))


def file_of(name):
    return os.path.join(ROOT, *name[len(PREFIX):].split('.')) + '.py'


def payload(module):
    """Every collection module_utils file the module reaches, as Ansible's finder walks them."""
    seen, todo = set(), [PREFIX + 'plugins.modules.' + module]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(imported(file_of(name)))
    return set(name[len(PREFIX + 'plugins.module_utils.'):] for name in seen if '.module_utils.' in name)


@pytest.mark.parametrize('module, backend', [('nftables_set', 'targets._nftables'), ('ipset', 'targets._ipset'),
                                             ('aws_prefix_list', 'targets._aws_prefix_list'),
                                             ('aws_wafv2_ip_set', 'targets._aws_wafv2_ip_set'),
                                             ('atlas_access_list', 'targets._atlas_access_list'),
                                             ('address_feed', 'targets._address_feed'),
                                             ('firewalld_ipset', 'targets._firewalld_ipset')])
def test_an_address_set_module_carries_its_own_backend_only(module, backend):
    reached = payload(module)
    assert backend in reached and 'targets._base' in reached and '_address_set' in reached
    others = set(name for name in reached if name.startswith('targets.')) - {backend, 'targets._base', 'targets._commands'}
    assert others == set()
    assert not reached & {'_sync_targets', '_sync_plan', 'targets._registry', 'sources._registry'}


def test_only_the_backends_that_speak_http_carry_the_http_client():
    assert '_http' not in (payload('nftables_set') | payload('ipset') | payload('aws_prefix_list')
                           | payload('address_feed') | payload('firewalld_ipset'))
    assert '_http' in payload('atlas_access_list')
