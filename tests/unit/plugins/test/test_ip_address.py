# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.test.ip_address import TestModule, ip_address


@pytest.mark.parametrize('value', ['192.0.2.53', '2001:db8::53', '::1', '2001:DB8::53', '::ffff:192.0.2.53'])
def test_addresses(value):
    assert ip_address(value) is True


@pytest.mark.parametrize('value', ['192.0.2.0/24', 'vpn-dns.example', '192.0.2.256', '', None, 3232235777, ['192.0.2.1'],
                                   '192.0.2.1; rm -rf /'])
def test_not_addresses(value):
    assert ip_address(value) is False


# Each value is accepted by Python's ipaddress or close to it, and would change the meaning of a config file.
@pytest.mark.parametrize('value', [
    'fe80::1%lo',                                                   # a scope id
    'fe80::1%lo\nno-resolv\nlisten-address=0.0.0.0\nserver=203.0.113.66',  # dnsmasq lines after the scope id
    'fe80::1%lo port 53; 203.0.113.66',                             # a second BIND forwarder
    '192.0.2.53\n    forward-addr: 203.0.113.66',                   # a second Unbound forward-addr
    '192.0.2.53\n', ' 192.0.2.53', '192.0.2.53 ', '192.0.2.53\t', '\n192.0.2.53',
    '[2001:db8::53]', '192.0.2.53#53', '192.0.2.53:53', '192.0.2.53@53', '[2001:db8::53]:53',
    '2001:db8::53/128', '192.0.2.53\x00', '192.0.2.53\u202e', '\u0661\u0669\u0662.0.2.53',
    '01.2.3.4', b'192.0.2.53', True,
])
def test_injection_attempts(value):
    assert ip_address(value) is False


def test_registered_name():
    assert TestModule().tests() == {'ip_address': ip_address}
