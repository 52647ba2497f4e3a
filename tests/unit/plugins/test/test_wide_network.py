# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.test.wide_network import TestModule, wide_network


@pytest.mark.parametrize('value', ['0.0.0.0/0', '::/0', '0::/0', '::0/0', '0:0:0:0:0:0:0:0/0', '0.0.0.0/1',
                                   '128.0.0.0/1', '192.0.0.0/7', '2000::/3', '2001::/15', '::ffff:0:0/96',
                                   '::ffff:0:0/100', '::ffff:c000:0/103', '::/16', '0.0.0.0/00'])
def test_wide_networks(value):
    assert wide_network(value)


@pytest.mark.parametrize('value', ['10.0.0.0/8', '192.0.2.0/24', '192.0.2.10', '2001:db8::/16', '2001:db8::/32',
                                   '2001:db8::1', '::ffff:c000:0/104', '::ffff:192.0.2.0/120', 'all', '', None, 0,
                                   ['0.0.0.0/0']])
def test_narrow_networks_and_non_networks(value):
    assert not wide_network(value)


def test_registered_under_its_name():
    assert TestModule().tests()['wide_network'] is wide_network
