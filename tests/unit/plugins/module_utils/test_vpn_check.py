# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _vpn_check
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


@pytest.mark.parametrize('address, private', [
    ('10.20.0.5', True), ('172.16.0.1', True), ('192.168.1.1', True), ('100.64.0.1', True), ('fd00::1', True),
    ('203.0.113.5', False), ('192.0.2.1', False), ('52.222.122.97', False), ('2001:db8::1', False),
])
def test_private_means_routable_only_over_a_vpn(address, private):
    assert _vpn_check.is_private(address) is private


@pytest.mark.parametrize('kwargs, message', [
    (dict(dns_servers=['dns.example'], environment_fqdn='a.outsystemsenterprise.com'), "Invalid DNS server 'dns.example'"),
    (dict(dns_servers=['10.0.0.2'], environment_fqdn='localhost'), "Invalid environment_fqdn 'localhost'"),
    (dict(dns_servers=['10.0.0.2'], environment_fqdn='a.b', edition='gold'), "Invalid edition 'gold'"),
    (dict(dns_servers=['10.0.0.2'], environment_fqdn='a.b', resolver='resolver; reboot'), "'resolver; reboot'"),
])
def test_bad_options_fail_before_any_check(kwargs, message):
    calls = []
    with pytest.raises(EgressError, match=message):
        _vpn_check.run_checks(calls.append, **kwargs)
    assert calls == []
