# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Fastly public-ip-list parser."""

from __future__ import annotations

import json

from tests.support.sources import records


def test_fastly_lists():
    assert records('fastly', json.dumps({'addresses': ['192.0.2.0/24'], 'ipv6_addresses': ['2001:db8::/32']}))[0] == [
        '192.0.2.0/24', '2001:db8::/32']
