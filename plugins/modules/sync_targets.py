#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sync_targets
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Sync one allowlist plan into every target of a host
version_added: 0.2.0
description:
  - The last step of the pipeline of the C(allowlist.egress.egress_sync) role. Takes the plan of
    M(allowlist.egress.egress_plan) and syncs it into each target with the target's own module
    (M(allowlist.egress.nftables_set), M(allowlist.egress.ipset), M(allowlist.egress.aws_prefix_list),
    M(allowlist.egress.aws_wafv2_ip_set), M(allowlist.egress.atlas_access_list)), in order; the first target that fails stops the task, naming it.
  - A kernel set, a prefix list or a WAF IP set holds one address family. For those backends the IPv4 entries go to the object
    named by the module's name option (C(set) or C(name)), the IPv6 entries to its twin with a C(6) (C(set6),
    C(name6)), and C(persist6) is the IPv6 object's C(persist). A target without the twin gets no IPv6 entries,
    and a warning says how many were left out. An Atlas access list holds both.
  - Check mode and diff are those of the modules.
options:
  plan:
    description: The RV(allowlist.egress.egress_plan#module:plan) of M(allowlist.egress.egress_plan).
    type: dict
    required: true
  targets:
    description:
      - "Each C({backend: NAME, ...}) with the options of that backend's module, except C(addresses) (the plan
        provides them), plus C(set6) / C(name6) and C(persist6) as above."
    type: list
    elements: dict
    required: true
  max_removals:
    description: O(allowlist.egress.nftables_set#module:max_removals) for the targets that do not set their own.
    type: str
  max_additions:
    description: O(allowlist.egress.nftables_set#module:max_additions) for the targets that do not set their own.
    type: str
  force:
    description: O(allowlist.egress.nftables_set#module:force) for the targets that do not set their own.
    type: bool
  lock_timeout:
    description: O(allowlist.egress.nftables_set#module:lock_timeout) for the targets that do not set their own.
    type: float
  list_limit:
    description: How many of the added and removed addresses each target's summary lists (the counts are always there).
    type: int
    default: 20
extends_documentation_fragment:
  - allowlist.egress.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
  action:
    description: Runs on the controller as an action plugin, which calls each target's module on the managed host.
    support: full
seealso:
  - module: allowlist.egress.egress_plan
"""

EXAMPLES = r"""
- name: Get every source once for the whole play
  allowlist.egress.egress_plan:
    sources:
      - {type: egress_ranges, source: atlas, provider: aws}
  run_once: true
  register: egress_plan

- name: Sync it into nftables (IPv4 and IPv6) and an AWS prefix list
  allowlist.egress.sync_targets:
    plan: "{{ egress_plan.plan }}"
    max_removals: 10%
    targets:
      - {backend: nftables_set, table: filter, set: egress_allow_v4, set6: egress_allow_v6}
      - {backend: aws_prefix_list, name: atlas-egress, region: eu-west-1}
"""

RETURN = r"""
targets:
  description: One summary per object synced, in order.
  returned: always
  type: list
  elements: dict
  contains:
    backend:
      description: The target's backend.
      type: str
    object:
      description: The set, ipset, prefix list or access list.
      type: str
    family:
      description: 4 or 6, or V(null) for an object that holds both.
      type: int
    changed:
      description: Whether the object changed (or in check mode would change).
      type: bool
    plan_digest:
      description: The digest of the plan it was synced to.
      type: str
    before_count:
      description: Entries before.
      type: int
    after_count:
      description: Entries after.
      type: int
    added_count:
      description: How many prefixes start matching.
      type: int
    removed_count:
      description: How many prefixes stop matching.
      type: int
    added:
      description: The first O(list_limit) of them.
      type: list
      elements: str
    removed:
      description: The first O(list_limit) of them.
      type: list
      elements: str
plan_digest:
  description: The digest of the plan.
  returned: always
  type: str
"""
