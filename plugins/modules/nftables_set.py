#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: nftables_set
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Sync a list of addresses into an nftables set, in one atomic transaction
version_added: 0.1.0
description:
  - Makes a named nftables set hold a list of IPv4 or IPv6 addresses, CIDRs and ranges, such as the egress
    addresses the P(allowlist.egress.egress_ranges#lookup) and P(allowlist.egress.outsystems_frontends#lookup)
    lookups return. A rule that refers to the set (C(ip saddr @allow accept)) then allows the traffic.
  - Reads the set with C(nft -j) and writes one JSON batch to C(nft -j -f -) on stdin, whatever the number of entries.
    The kernel commits the batch as one transaction, so packets see the old set or the new one, never an empty or
    half-filled set. A O(state=replaced) sync sends the delta, or a flush and a full add in the same transaction
    when that is cheaper (deleting elements one by one from a large interval set is slow in nft).
  - Names that are nft keywords (V(set), V(counter)) work, because nothing is sent as nft syntax. RV(commands)
    and RV(rendered) show the same batch in nft syntax for review.
  - O(persist) writes the set as an nft file (C(table ... { set ... { elements = { ... } } })). Include it from
    C(/etc/nftables.conf) B(before) the rules that refer to the set, for example C(include "/etc/nftables.d/allow.nft").
  - An existing set keeps its type, flags and comment. A set without the C(interval) flag holds single
    addresses, so CIDRs are expanded (up to 65536 addresses each). An existing set of any other type (a
    concatenation such as C(ipv4_addr . inet_service), C(ether_addr)) is an error naming the set and its type.
  - Entry comments are at most 128 bytes of UTF-8. nft's JSON input takes longer ones, but C(nft -f) then refuses
    the O(persist) file at boot, so they are refused before anything changes.
  - O(persist) is checked with C(nft -c -f) in a new, empty network namespace, so that the elements this run
    replaces do not clash with the file's. Without the privilege to make one (C(CAP_SYS_ADMIN)), the module warns
    and checks only the set's declaration against the live ruleset.
extends_documentation_fragment:
  - allowlist.egress.attributes
  - allowlist.egress.address_set
  - allowlist.egress.entry_policy
  - allowlist.egress.entry_policy.local
  - allowlist.egress.address_set.persist
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff lists the canonical entries before and after, one per line, with their comments.
  idempotent:
    support: full
options:
  family:
    description: The address family of the table.
    type: str
    default: inet
    choices: [ip, ip6, inet, bridge, netdev]
  table:
    description:
      - The table's name. Up to 255 characters (the kernel's limit); a letter or an underscore first, then letters,
        digits, V(_), V(.) or V(-). Anything else is refused before nft runs.
    type: str
    required: true
  set:
    description: The set's name, with the same rules as O(table).
    type: str
    required: true
  type:
    description:
      - The set's element type. When omitted, the existing set's type, or the family of O(addresses) for a new set.
      - A list that mixes IPv4 and IPv6 is an error; sync two sets.
    type: str
    choices: [ipv4_addr, ipv6_addr]
  create:
    description:
      - Create the table and an interval set when they are missing. When V(false), a missing table or set is an error.
    type: bool
    default: true
  comment:
    description:
      - Comment of the set, used when the module creates it. Up to 128 bytes of UTF-8 (what C(nft -f) accepts), no
        double quote, and no control or bidirectional characters (see O(addresses)).
    type: str
requirements:
  - nft (the nftables command-line tool, 0.9.3 or later, with JSON support)
  - unshare (util-linux), to check the O(persist) file in an empty network namespace
notes:
  - Run as root (or with C(CAP_NET_ADMIN)). Runs in the network namespace of the module's process.
seealso:
  - module: allowlist.egress.ipset
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
  - plugin: allowlist.egress.outsystems_frontends
    plugin_type: lookup
  - name: nftables sets
    description: The nftables wiki on named sets.
    link: https://wiki.nftables.org/wiki-nftables/index.php/Sets
"""

EXAMPLES = r"""
- name: OutSystems front-ends and cloud.gov into one set
  allowlist.egress.nftables_set:
    table: filter
    set: egress_allow_v4
    addresses: >-
      {{ query('allowlist.egress.outsystems_frontends', 'myenv-fe01', 'myenv-fe02')
         + query('allowlist.egress.egress_ranges', 'cloudgov') }}
    comment: OutSystems front-ends and cloud.gov
    persist: /etc/nftables.d/egress_allow_v4.nft

- name: A rule that accepts HTTPS from the set (written once, by you)
  ansible.builtin.copy:
    dest: /etc/nftables.d/egress_rules.nft
    content: |
      table inet filter {
        chain input {
          type filter hook input priority 0; policy accept;
          tcp dport 443 ip saddr @egress_allow_v4 accept
          tcp dport 443 drop
        }
      }
    mode: "0644"

- name: Entries with their own comments
  allowlist.egress.nftables_set:
    table: filter
    set: partners
    addresses:
      - address: 192.0.2.0/24
        comment: partner A
      - 198.51.100.7
    entry_comment: added by the pipeline

- name: Atlas App Services on AWS, IPv6 part, review first with --check --diff
  allowlist.egress.nftables_set:
    family: ip6
    table: filter
    set: atlas_v6
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='aws', ip_version='6') }}"
    max_removals: 10

- name: 100,000 addresses, joined into one string so that Ansible passes one string, not 100,000 elements
  allowlist.egress.nftables_set:
    table: filter
    set: big_allow
    addresses: "{{ big_list | join(',') }}"

- name: Read what the set holds
  allowlist.egress.nftables_set:
    table: filter
    set: egress_allow_v4
    state: gathered
  register: current

- name: The batch, without touching the kernel
  allowlist.egress.nftables_set:
    table: filter
    set: egress_allow_v4
    addresses: [192.0.2.10, 198.51.100.0/24]
    state: rendered
  register: batch
"""

RETURN = r"""
added:
  description:
    - The addresses that the set matches after the sync and did not before, as canonical CIDRs.
    - At most O(list_limit) entries (the first ones, in address order), unless C(--diff) or verbosity 2
      (C(-vv)) asks for all of them; RV(added_count) is the full number.
  returned: always
  type: list
  elements: str
  sample: ['192.0.2.10/32']
removed:
  description:
    - The addresses that the set matched before the sync and no longer does, as canonical CIDRs.
    - At most O(list_limit) entries (the first ones, in address order), unless C(--diff) or verbosity 2
      (C(-vv)) asks for all of them; RV(removed_count) is the full number.
  returned: always
  type: list
  elements: str
  sample: ['198.51.100.7/32']
before_count:
  description: Number of canonical entries (CIDRs) before the sync.
  returned: always
  type: int
after_count:
  description: Number of canonical entries (CIDRs) after the sync.
  returned: always
  type: int
added_count:
  description: How many canonical CIDRs RV(added) has in full.
  returned: always
  type: int
removed_count:
  description: How many canonical CIDRs RV(removed) has in full.
  returned: always
  type: int
added_comments:
  description:
    - The comment of each entry of RV(added), in the same order (in the C(allowlist.egress.egress_sync) role, the
      source it came from); null for one that spans entries of several comments.
  returned: when the object is synced (states replaced, merged, deleted, rendered)
  type: list
  elements: str
removed_comments:
  description: The comment each entry of RV(removed) had, in the same order; null when several.
  returned: when the object is synced (states replaced, merged, deleted)
  type: list
  elements: str
guards:
  description:
    - What O(max_removals) and O(max_additions) made of a sync they let through, per address family, as
      C({guard, value, family, before, changed, limit, verdict}) counted in addresses; C(verdict) is C(ok), C(forced)
      (over the limit, let through by O(force)), C(new) (a new or empty object) or C(off).
  returned: when the object is synced (states replaced, merged, deleted)
  type: list
  elements: dict
lists_truncated:
  description: Whether RV(added) or RV(removed) holds fewer entries than there are (see O(list_limit)).
  returned: always
  type: bool
commands:
  description: The batch in nft syntax; empty when nothing changes. The module sends the same batch as JSON.
  returned: when O(return_commands=true), at verbosity 3 (C(-vvv)), or with O(state=rendered)
  type: list
  elements: str
  sample: ['add element inet filter egress_allow_v4 { 192.0.2.10/32 }']
rendered:
  description: The batch that creates the set with O(addresses), in nft syntax.
  returned: when O(state=rendered)
  type: str
gathered:
  description: The entries of the set, canonical, with their comments (V(null) when none).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{address: 192.0.2.0/24, comment: partner A}]
exists:
  description: Whether the set exists.
  returned: when O(state=gathered)
  type: bool
type:
  description: The set's element type.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
  sample: ipv4_addr
persisted:
  description: The O(persist) file, when it was (or in check mode would be) rewritten.
  returned: when the file changed
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils.targets._commands import module_runner
from ansible_collections.allowlist.egress.plugins.module_utils.targets._nftables import NftablesSet, argument_spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    _address_set.run_module(module, lambda: NftablesSet(
        module_runner(module), family=params['family'], table=params['table'], name=params['set'],
        set_type=params['type'], create=params['create'], comment=params['comment']))


if __name__ == '__main__':
    main()
