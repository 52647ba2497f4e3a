#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: egress_plan
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Get every source of an allowlist sync once, and merge them into one plan
version_added: 0.2.0
description:
  - The first step of the pipeline of the C(allowlist.egress.egress_sync) role (sources, then plan, then
    targets). Runs on the controller. Each source is looked up once, with the same
    engine as the P(allowlist.egress.outsystems_frontends#lookup) and P(allowlist.egress.egress_ranges#lookup)
    lookups, and every entry of every source goes through the collection's entry policy.
  - The addresses are merged and de-duplicated in Python (each keeps the first source that lists it as its
    comment), sorted, split into IPv4 and IPv6, and identified by a digest.
  - Run it with C(run_once=true), so every host of the play gets the same plan from one set of DNS queries and
    fetches, and hand the plan to M(allowlist.egress.sync_targets) on each host.
  - A source that fails fails the task, naming it; nothing is touched.
options:
  sources:
    description:
      - "Each one of: C({type: outsystems_frontends, names: [...]}) with any option of the
        P(allowlist.egress.outsystems_frontends#lookup) lookup; C({type: egress_ranges, source: atlas}) with any
        option of the P(allowlist.egress.egress_ranges#lookup) lookup; C({type: static, addresses: [...]})."
      - Each may have a C(comment), written on its entries (default its type and source, such as
        C(egress_ranges:atlas)). Comments must differ between sources.
      - A C(static) source may hold private ranges (a VPN's); C(0.0.0.0/0), loopback, link-local, multicast and
        reserved addresses are refused from every source.
    type: list
    elements: dict
    required: true
  plan_dir:
    description:
      - Where on the controller the plan's file is written (mode 0600), named after its digest; plans older than a
        week are removed from it.
      - Default C(plans) in the collection's cache directory (C($XDG_CACHE_HOME/allowlist.egress) or
        C(~/.cache/allowlist.egress)).
      - It must be yours (or root's) and writable by you only, not a shared directory such as C(/tmp), since another
        user could plant a symlink named like the plan file there, and the file it points to would be overwritten.
    type: path
  entries:
    description: Also return the entries themselves in RV(plan) (for a report; a sync does not need them).
    type: bool
    default: false
extends_documentation_fragment:
  - allowlist.egress.attributes
  - allowlist.egress.attributes.info_module
attributes:
  action:
    description: Runs on the controller as an action plugin; nothing is sent to the managed host.
    support: full
requirements:
  - requests
  - netaddr
  - dnspython
seealso:
  - module: allowlist.egress.sync_targets
"""

EXAMPLES = r"""
- name: Get every source once for the whole play
  allowlist.egress.egress_plan:
    sources:
      - {type: outsystems_frontends, names: [myenv-fe01, myenv-fe02]}
      - {type: egress_ranges, source: cloudgov}
      - {type: static, addresses: [10.10.0.0/16], comment: OutSystems VPN range}
  run_once: true
  register: egress_plan

- name: Sync it into the firewall of every host
  allowlist.egress.sync_targets:
    plan: "{{ egress_plan.plan }}"
    targets:
      - {backend: nftables_set, table: filter, set: egress_allow_v4, set6: egress_allow_v6}
"""

RETURN = r"""
plan:
  description:
    - The merged list, where it came from, and the file that holds its entries (for M(allowlist.egress.sync_targets),
      which checks them against the digest).
  returned: success
  type: dict
  contains:
    digest:
      description: SHA-256 of the sorted entries with their comments; every target's summary repeats it.
      type: str
    file:
      description: The plan with its entries, written on the controller under O(plan_dir).
      type: str
    ipv4_count:
      description: Number of IPv4 entries.
      type: int
    ipv6_count:
      description: Number of IPv6 entries.
      type: int
    ipv4:
      description: With O(entries=true), the IPv4 entries as groups C({comment, addresses}), sorted.
      type: list
      elements: dict
    ipv6:
      description: With O(entries=true), the IPv6 entries as groups C({comment, addresses}), sorted.
      type: list
      elements: dict
    counts:
      description: Number of addresses per source (by its comment).
      type: dict
    origins:
      description: Where each source's list came from, by its comment (dns, network, cache, snapshot, static).
      type: dict
    sources:
      description: Per source, in order, C(label), C(type), C(origin), C(count) and the C(provenance) of its documents.
      type: list
      elements: dict
msg:
  description: One line that names the plan's digest, its counts and every source with its origin.
  returned: success
  type: str
"""
