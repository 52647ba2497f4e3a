#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipset
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Sync a list of addresses into an ipset, swapping it in atomically
version_added: 0.1.0
description:
  - Makes an ipset (C(hash:net) or C(hash:ip)) hold a list of addresses, CIDRs and ranges, such as the egress
    addresses the P(allowlist.egress.egress_ranges#lookup) and P(allowlist.egress.outsystems_frontends#lookup)
    lookups return. An iptables rule with C(-m set --match-set <name> src), for example written by
    M(ansible.builtin.iptables) with O(ansible.builtin.iptables#module:match_set), then allows the traffic.
  - Reads the set with C(ipset save) and writes one C(ipset restore) batch on stdin per run.
  - A O(state=replaced) sync fills a temporary set, C(swap)s it with the live one (the kernel swaps them
    atomically and rules keep referring to the name), then destroys the temporary set. O(state=merged) and
    O(state=deleted) edit the live set, adding before deleting, and swap too when the set must be recreated
    (a larger O(maxelem), or entry comments on a set created without comment support).
  - A new set is filled under a temporary name and renamed when complete (C(ipset restore) applies a batch line by
    line), so a line the kernel refuses never leaves an empty or half-filled set behind.
  - Entry comments are at most 255 bytes of UTF-8 (not characters), and may not start with V(-), because ipset
    reads some such comments (V(-exist), V(-q)) as its own options.
  - C(hash:net) cannot hold a /0; V(0.0.0.0/0) is stored as two /1, which cover the same addresses.
    C(hash:ip) holds single addresses, so CIDRs are expanded (up to 65536 addresses each).
  - O(persist) writes the set as an C(ipset restore) file (C(create), C(flush), C(add) lines). Load it at boot with
    C(ipset restore -exist -f <file>) before the iptables rules, for example from a systemd unit or
    C(/etc/iptables/ipsets) with C(ipset-persistent). Before the kernel is touched, the whole file is loaded with
    C(ipset restore -exist) in a new, empty network namespace (ipsets belong to a network namespace, so this changes
    nothing on the host). Without the privilege to make one (C(CAP_SYS_ADMIN)), the module warns and relies on its
    own checks of names and comments.
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
  name:
    description:
      - The set's name. 1 to 31 characters (the kernel's limit), letters, digits, V(_), V(.), V(:) or V(-),
        starting with a letter, a digit or V(_). Anything else is refused before ipset runs.
    type: str
    required: true
  set_type:
    description: The set type. Default the existing set's type, or V(hash:net) for a new set.
    type: str
    choices: ['hash:net', 'hash:ip']
  family:
    description:
      - The set's family. Default the existing set's family, or the family of O(addresses) for a new set
        (V(inet) when there are none). A list that mixes IPv4 and IPv6 is an error; sync two sets.
    type: str
    choices: [inet, inet6]
  maxelem:
    description:
      - The most entries the set may hold. Default the existing set's value, or 65536.
      - When the list needs more, the set is recreated with exactly as many as it needs (and swapped in), and
        RV(maxelem_grown) says so.
    type: int
requirements:
  - ipset (the command-line tool)
  - unshare (util-linux), to check the O(persist) file in an empty network namespace
notes:
  - Run as root (or with C(CAP_NET_ADMIN)). Runs in the network namespace of the module's process.
  - The temporary set of a replaced sync, and of a new set being filled, is named C(ae-swap-) and 12 hex digits
    derived from O(name).
seealso:
  - module: allowlist.egress.nftables_set
  - module: ansible.builtin.iptables
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: OutSystems front-ends and cloud.gov into an ipset
  allowlist.egress.ipset:
    name: egress_allow
    addresses: >-
      {{ query('allowlist.egress.outsystems_frontends', 'myenv-fe01', 'myenv-fe02')
         + query('allowlist.egress.egress_ranges', 'cloudgov') }}
    entry_comment: egress_sync
    persist: /etc/iptables/ipsets.d/egress_allow.save

- name: Accept HTTPS from the set
  ansible.builtin.iptables:
    chain: INPUT
    protocol: tcp
    destination_port: "443"
    match_set: egress_allow
    match_set_flags: src
    jump: ACCEPT

- name: Atlas App Services IPv6 addresses
  allowlist.egress.ipset:
    name: atlas_v6
    family: inet6
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', ip_version='6') }}"

- name: What the set holds
  allowlist.egress.ipset:
    name: egress_allow
    state: gathered
  register: current
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
  description: The C(ipset restore) batch, one line per item; empty when nothing changes.
  returned: when O(return_commands=true), at verbosity 3 (C(-vvv)), or with O(state=rendered)
  type: list
  elements: str
  sample: ['add egress_allow 192.0.2.10']
rendered:
  description: The C(ipset restore) batch that creates the set with O(addresses).
  returned: when O(state=rendered)
  type: str
gathered:
  description: The entries of the set, canonical, with their comments (V(null) when none).
  returned: when O(state=gathered)
  type: list
  elements: dict
exists:
  description: Whether the set exists.
  returned: when O(state=gathered)
  type: bool
set_type:
  description: The set's type.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
family:
  description: The set's family.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
maxelem:
  description: The set's maxelem after the sync.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: int
maxelem_grown:
  description: Whether the set was recreated with a larger maxelem because the list needed more.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: bool
swapped:
  description: Whether the entries went in through a temporary set and C(ipset swap).
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: bool
persisted:
  description: The O(persist) file, when it was (or in check mode would be) rewritten.
  returned: when the file changed
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils.targets._commands import module_runner
from ansible_collections.allowlist.egress.plugins.module_utils.targets._ipset import Ipset, argument_spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    _address_set.run_module(module, lambda: Ipset(module_runner(module), params['name'], set_type=params['set_type'],
                                                  family=params['family'], maxelem=params['maxelem']))


if __name__ == '__main__':
    main()
