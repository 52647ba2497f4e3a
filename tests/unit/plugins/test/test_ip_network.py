# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.test.ip_network import TestModule, ip_network


@pytest.mark.parametrize('value', ['192.0.2.10', '192.0.2.0/24', '2001:db8::/32', '2001:db8::1', '0.0.0.0/0',
                                   '198.51.100.7/32', '::/0'])
def test_addresses_and_networks_pass(value):
    assert ip_network(value)


@pytest.mark.parametrize('value', ['192.0.2.1/24', '192.0.2.0/33', '192.0.2.0/024', '192.0.2.0/+24', '192.0.2.0/２４',
                                   '192.0.2.0/24\n', '192.0.2.0/24; allow all', 'all', '', None, 24, ['192.0.2.0/24'],
                                   'fe80::1%eth0', '[2001:db8::]/32', ' 192.0.2.0/24', 'unix:', '192.0.2.0/'])
def test_anything_else_fails(value):
    assert not ip_network(value)


def test_registered_under_its_name():
    assert TestModule().tests()['ip_network'] is ip_network
