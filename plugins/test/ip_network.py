# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ip_network
author: Allowlist Egress maintainers (@allowlist-egress)
version_added: 0.2.0
short_description: Is the value one IPv4 or IPv6 address or network (CIDR)?
description:
  - True for a single address (V(192.0.2.10), V(2001:db8::1)) or a network in CIDR notation with its host bits
    clear (V(192.0.2.0/24), V(2001:db8::/32)); false for anything else.
  - Only plain literals pass, because the value is written into server configuration files as it is (an nginx
    C(allow) line, for example). A network with host bits set (V(192.0.2.1/24)), a prefix length with a sign,
    a leading zero or non-ASCII digits, a scope id, brackets, whitespace or a newline make it false.
  - The whole address space (V(0.0.0.0/0), V(::/0)) passes this test; a role that must not allow everyone refuses
    it separately.
options:
  _input:
    description: The value to test.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse consumer networks that are not networks
  ansible.builtin.assert:
    that: consumers | reject('allowlist.egress.ip_network') | list | length == 0
    fail_msg: "Not IP networks: {{ consumers | reject('allowlist.egress.ip_network') | list }}"
"""

RETURN = r"""
_value:
  description: Whether the value is one IPv4 or IPv6 address or network.
  type: boolean
"""

import ipaddress
import re

_LITERAL = re.compile(r'[0-9A-Fa-f.:]{2,45}(/(0|[1-9][0-9]{0,2}))?')


def ip_network(value):
    if not isinstance(value, str) or not _LITERAL.fullmatch(value):
        return False
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return True


class TestModule(object):
    def tests(self):
        return {'ip_network': ip_network}
