# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The GitHub meta API parser and its key option."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import get_source
from tests.support.sources import records


def test_github_keys():
    body = json.dumps({'verifiable_password_authentication': False, 'hooks': ['192.0.2.0/28', '2001:db8::/64'],
                       'actions': ['198.51.100.0/24'], 'domains': {'website': ['github.com']}})
    assert records('github', body, {'key': ['hooks']})[0] == ['192.0.2.0/28', '2001:db8::/64']
    with pytest.raises(EgressError, match="Invalid key 'hook' for source github: .* lists actions, hooks"):
        records('github', body, {'key': ['hook']})
    with pytest.raises(EgressError, match='needs the key option'):
        get_source('github').requests({}, None)
