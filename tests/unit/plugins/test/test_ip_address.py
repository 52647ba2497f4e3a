# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.test.ip_address import TestModule, ip_address


@pytest.mark.parametrize('value', ['192.0.2.53', '2001:db8::53', '::1'])
def test_addresses(value):
    assert ip_address(value) is True


@pytest.mark.parametrize('value', ['192.0.2.0/24', 'vpn-dns.example', '192.0.2.256', '', None, 3232235777, ['192.0.2.1'],
                                   '192.0.2.1; rm -rf /'])
def test_not_addresses(value):
    assert ip_address(value) is False


def test_registered_name():
    assert TestModule().tests() == {'ip_address': ip_address}
