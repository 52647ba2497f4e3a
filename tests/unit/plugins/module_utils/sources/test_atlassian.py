# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Atlassian ip-ranges parser and its filters."""

from __future__ import annotations

import json

from tests.support.sources import records


def test_atlassian_filters():
    atl = json.dumps({'creationDate': '2026-11-20', 'syncToken': 7, 'items': [
        {'cidr': '192.0.2.0/24', 'product': ['jira'], 'direction': ['egress'], 'region': ['global']},
        {'cidr': '198.51.100.0/24', 'product': ['confluence'], 'direction': ['ingress'], 'region': ['global']}]})
    assert records('atlassian', atl, {'product': ['jira'], 'direction': ['egress']})[0] == ['192.0.2.0/24']
