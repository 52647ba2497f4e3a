# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ip_address
author: Allowlist Egress maintainers (@allowlist-egress)
version_added: 0.1.0
short_description: Is the value one IPv4 or IPv6 address?
description:
  - True for a single IPv4 or IPv6 address such as V(192.0.2.53) or V(2001:db8::53); false for a network
    (V(192.0.2.0/24)), a name, a number, or anything else.
  - Only a plain literal passes, because the value is written into server configuration files as it is. An IPv6
    scope id (V(fe80::1%eth0), which Python's C(ipaddress) accepts with anything after the V(%)), brackets
    (V([2001:db8::53])), a port suffix (V(192.0.2.53#53), V(192.0.2.53:53)), whitespace, a newline or any other
    character outside hexadecimal digits, V(.) and V(:) make it false.
  - Used by the roles of this collection to check server addresses before anything is written.
options:
  _input:
    description: The value to test.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse DNS servers that are not IP addresses
  ansible.builtin.assert:
    that: servers | reject('allowlist.egress.ip_address') | list | length == 0
    fail_msg: "Not IP addresses: {{ servers | reject('allowlist.egress.ip_address') | list }}"
"""

RETURN = r"""
_value:
  description: Whether the value is one IPv4 or IPv6 address.
  type: boolean
"""

import ipaddress
import re

# Digits, dots and colons only: this rules out a scope id, brackets, a port, whitespace and control characters
# before ipaddress parses the rest (it accepts anything after "%" in an IPv6 address).
_LITERAL = re.compile(r'[0-9A-Fa-f.:]{2,45}')


def ip_address(value):
    if not isinstance(value, str) or not _LITERAL.fullmatch(value):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class TestModule(object):
    def tests(self):
        return {'ip_address': ip_address}
