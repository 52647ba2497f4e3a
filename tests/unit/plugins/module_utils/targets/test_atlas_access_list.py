# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Comment ownership and request paths of the Atlas backend (its HTTP behaviour is in the integration tests)."""

from __future__ import annotations

import time

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _atlas_access_list as atlas


def backend(**kwargs):
    return atlas.AtlasAccessList(lambda: None, kwargs.pop('target', 'project'), 'group/1', **kwargs)


def test_comments_carry_the_prefix_and_come_back_without_it():
    b = backend(prefix='allowlist.egress')
    assert b._stored('OutSystems') == 'allowlist.egress: OutSystems' and b._stored(None) == 'allowlist.egress'
    assert b._user_comment('allowlist.egress: OutSystems') == 'OutSystems' and b._user_comment('allowlist.egress') is None
    assert b._owned('allowlist.egress: x') and not b._owned('office, by hand') and not b._owned(None)


def test_paths_encode_ids_and_entries():
    assert backend()._path('/192.0.2.0%2F24') == '/api/atlas/v2/groups/group%2F1/accessList/192.0.2.0%2F24'
    app = backend(target='app_services', app_id='app 1')
    assert app._path() == '/api/admin/v3.0/groups/group%2F1/apps/app%201/security/access_list'


def test_bad_configuration_is_refused_before_any_request():
    with pytest.raises(EgressError, match='needs app_id'):
        backend(target='app_services')
    with pytest.raises(EgressError, match='must not be empty'):
        backend(prefix='')
    with pytest.raises(EgressError, match='longer than the 80 characters'):
        backend().check_comment('x' * 80, 'addresses[0]')


def test_single_addresses_go_as_ip_address_and_networks_as_cidr_block():
    assert atlas._project_entry('192.0.2.1/32', 'c') == {'ipAddress': '192.0.2.1', 'comment': 'c'}
    assert atlas._project_entry('192.0.2.0/24', 'c') == {'cidrBlock': '192.0.2.0/24', 'comment': 'c'}
    assert atlas._app_address('2001:db8::1/128') == '2001:db8::1'


def test_a_slow_drip_api_fails_at_the_deadline(https_server, ca_file):
    # The API client shares the fetcher's whole-request deadline: one byte every 0.5 s cannot hold a task.
    https_server.serve('/api/atlas/v2/groups/g/accessList', '{"results": [], "totalCount": 0}', drip=0.5)
    client = atlas.AtlasClient('project', base_url=https_server.url(''), public_key='p', private_key='k',
                               timeout=1.5, retries=0, ca_path=ca_file)
    started = time.monotonic()
    with pytest.raises(EgressError, match='no complete answer within the timeout of 1.5s'):
        client.request('GET', '/api/atlas/v2/groups/g/accessList', 'reading the access list')
    assert time.monotonic() - started < 3.5
