# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: wide_network
author: Allowlist Egress maintainers (@allowlist-egress)
version_added: 0.2.0
short_description: Is the value an IP network wider than /8 (IPv4) or /16 (IPv6)?
description:
  - True for an IPv4 network shorter than V(/8) or an IPv6 network shorter than V(/16), however it is spelled
    (V(0.0.0.0/0), V(0::/0), V(::0/0), V(0.0.0.0/1)), so that a role can refuse a list of consumers that
    amounts to everyone.
  - An IPv6 network that holds IPv4-mapped addresses (V(::ffff:0:0/96)) counts by its IPv4 part, so
    V(::ffff:0:0/100) is as wide as V(0.0.0.0/4).
  - False for narrower networks, single addresses and anything that is not a network (check that with
    P(allowlist.egress.ip_network#test) first).
options:
  _input:
    description: The value to test.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse consumer networks that are far too wide
  ansible.builtin.assert:
    that: consumers | select('allowlist.egress.wide_network') | list | length == 0
    fail_msg: "Too wide: {{ consumers | select('allowlist.egress.wide_network') | list }}"
"""

RETURN = r"""
_value:
  description: Whether the value is an IP network wider than /8 (IPv4) or /16 (IPv6).
  type: boolean
"""

import ipaddress

MIN_PREFIX = {4: 8, 6: 16}
_MAPPED = ipaddress.ip_network('::ffff:0:0/96')


def wide_network(value):
    if not isinstance(value, str):
        return False
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    if network.prefixlen < MIN_PREFIX[network.version]:
        return True
    # An IPv4 client on a dual-stack socket is ::ffff:a.b.c.d; nginx checks it against its IPv4 rules, but a rule
    # for the mapped range would match every IPv4 client wherever it is compared as IPv6.
    if network.version == 6 and network.overlaps(_MAPPED):
        return max(network.prefixlen, 96) - 96 < MIN_PREFIX[4]
    return False


class TestModule(object):
    def tests(self):
        return {'wide_network': wide_network}
