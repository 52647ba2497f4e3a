# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The with_comment filter: addresses become entries with a comment, entries keep their own."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.allowlist.egress.plugins.filter.with_comment import FilterModule


def test_addresses_get_the_comment_and_entries_keep_theirs():
    with_comment = FilterModule().filters()['with_comment']
    assert with_comment(['192.0.2.1', {'address': '198.51.100.0/24', 'comment': 'own'}, {'address': '203.0.113.1'}],
                        'vpn') == [{'address': '192.0.2.1', 'comment': 'vpn'},
                                   {'address': '198.51.100.0/24', 'comment': 'own'},
                                   {'address': '203.0.113.1', 'comment': 'vpn'}]
    with pytest.raises(AnsibleFilterError, match='expects a list of addresses'):
        with_comment('192.0.2.1', 'vpn')
