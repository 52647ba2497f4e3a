# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # The entry policy (plugins/module_utils/_entry_policy.py), shared by every lookup and address-set module.
    DOCUMENTATION = r"""
options:
  min_prefixlen_v4:
    description:
      - Refuse an IPv4 entry wider than this prefix length (more addresses than one C(/8) by default), naming the
        entry and where it came from. The widest prefix in the real AWS, Google, GitHub, Cloudflare, Fastly and
        Atlassian lists is a C(/11).
      - Whatever this says, the whole address space C(0.0.0.0/0), the unspecified address, loopback, link-local,
        multicast and reserved ranges are always refused.
    type: int
    default: 8
  min_prefixlen_v6:
    description:
      - Refuse an IPv6 entry wider than this prefix length (more addresses than one C(/16) by default). The widest
        in the real lists above is a C(/29).
      - Whatever this says, C(::/0), C(::), C(::1), IPv4-mapped IPv6, link-local, multicast and reserved ranges
        are always refused.
    type: int
    default: 16
notes:
  - The documentation ranges (C(192.0.2.0/24), C(198.51.100.0/24), C(203.0.113.0/24), C(2001:db8::/32)) are
    ordinary addresses here.
"""

    # For what comes from the network: lookups and egress_ranges_info.
    REMOTE = r"""
options:
  allow_private:
    description:
      - Accept private (RFC 1918), carrier-grade NAT (C(100.64.0.0/10)), unique local IPv6 (C(fc00::/7)) and other
        not globally routable ranges in what was fetched over HTTP(S) or resolved through DNS. By default they are
        refused, whatever the host (a mirror on loopback is remote too), since a public platform never publishes them,
        so they mean a broken or hostile source.
      - To allowlist a private range (a VPN's), write it yourself, as a C(static) source of the
        C(allowlist.egress.egress_sync) role or in a module's C(addresses).
    type: bool
    default: false
"""

    # For the address-set modules, whose addresses the playbook's author wrote (or checked through a lookup).
    LOCAL = r"""
options:
  allow_anywhere:
    description:
      - Accept C(0.0.0.0/0) or C(::/0) in O(addresses), which allows every address. Refused by default, naming
        the entry.
      - The one legitimate use is an Atlas access list's "allow access from anywhere" entry, which a new App
        Services app has; to remove it instead, see O(allowlist.egress.atlas_access_list#module:remove_allow_all).
    type: bool
    default: false
notes:
  - O(addresses) may hold private ranges (the OutSystems VPN range is one); the other refusals of the entry
    policy (loopback, link-local, multicast, reserved, wider than O(min_prefixlen_v4) / O(min_prefixlen_v6))
    apply to the states that add entries (V(replaced), V(merged), V(rendered)), before anything is read or changed.
"""
