#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewalld_ipset
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Sync a list of addresses into a firewalld ipset, permanent and runtime, in one call each
version_added: 0.2.0
description:
  - Makes a firewalld ipset (C(hash:net) or C(hash:ip), family C(inet) or C(inet6)) hold a list of addresses,
    CIDRs and ranges, in the permanent configuration and in the running firewall alike, through firewalld's own
    D-Bus API. C(ipset) or C(nft) commands would change a set that firewalld overwrites on its next reload.
  - One bulk call per configuration per change, whatever the size of the list, never one call per entry (a loop of
    C(firewall-cmd --ipset=... --add-entry) takes minutes to hours for thousands of entries). The permanent ipset's
    C(setEntries) is called first, then the runtime C(setEntries); if firewalld refuses the runtime list, the
    permanent one is put back. A run with nothing to change makes no call that writes.
  - firewalld's runtime C(setEntries) (firewalld 1.3) flushes the set and adds the new entries in transactions of
    1,000, so while it runs (seconds at 20,000 entries) addresses that stay may briefly not match. firewalld has no
    atomic bulk replace; if that matters, use M(allowlist.egress.nftables_set) or M(allowlist.egress.ipset).
  - The permanent configuration is the reference, since a reload or a reboot loads it. A runtime set that drifted
    from it (a C(firewall-cmd) run without C(--permanent)) is put back in step, reported as a change with
    RV(runtime_synced).
  - firewalld 1.x cannot create a runtime ipset over D-Bus, so a B(new) ipset is written to the permanent
    configuration with its entries (and its zone binding) and firewalld is B(reloaded) once (RV(reloaded)). A reload
    drops runtime-only changes that anyone made to any part of firewalld, as C(firewall-cmd --reload) does.
    O(state=absent) reloads too, to drop the runtime ipset. Later syncs of an existing ipset never reload.
  - O(zone) binds the ipset as a source (C(ipset:<name>)) of that zone, permanent and runtime. firewalld handles a
    packet from a listed address in that zone, and every other packet in the zone of the interface it arrived on. So
    the binding restricts the zone's services and ports to the listed addresses only when the zone is B(dedicated),
    with no interface bound and not the default zone (create one with C(firewall-cmd --permanent --new-zone)).
    O(zone=public) (the default zone, holding the interface) restricts nothing, since every packet is already handled
    there; the module then returns a warning, as for any zone that is the default zone or has interfaces bound.
    O(zone=trusted) (target ACCEPT) opens every port to the listed addresses.
  - O(state=absent) removes the zone binding, wherever the ipset is bound, before it removes the ipset.
  - firewalld ipsets hold no per-entry comment. Comments in O(addresses) and O(entry_comment) are checked like for
    every module of the collection, then dropped; RV(gathered) has V(null) comments.
  - V(0.0.0.0/0) (with O(allow_anywhere)) is stored as two /1, which cover the same addresses, because a kernel
    C(hash:net) ipset (firewalld's iptables backend) cannot hold a /0.
    C(hash:ip) holds single addresses, so CIDRs are expanded (up to 65536 addresses each).
extends_documentation_fragment:
  - allowlist.egress.attributes
  - allowlist.egress.address_set
  - allowlist.egress.entry_policy
  - allowlist.egress.entry_policy.local
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff lists the canonical entries before and after, one per line.
  idempotent:
    support: full
options:
  name:
    description:
      - The ipset's name. 1 to 31 characters, letters, digits, V(_), V(.) or V(-), starting with a letter, a digit or
        V(_). Anything else is refused before firewalld is asked.
    type: str
    required: true
  set_type:
    description: The ipset type. Default the existing ipset's type, or V(hash:net) for a new one.
    type: str
    choices: ['hash:net', 'hash:ip']
  family:
    description:
      - The ipset's family. Default the existing ipset's family, or the family of O(addresses) for a new one
        (V(inet) when there are none). A list that mixes IPv4 and IPv6 is an error; sync two ipsets.
    type: str
    choices: [inet, inet6]
  zone:
    description:
      - A firewalld zone (it must exist) to bind the ipset to as the source C(ipset:<name>), permanent and runtime.
        A binding to another zone is an error (firewalld binds a source to one zone); not set, bindings are left as
        they are.
      - Use a zone of its own, with no interface and not the default zone, that opens only the services the listed
        addresses need; a warning says when the zone is the default zone or has interfaces (see the description).
    type: str
  dbus_timeout:
    description: Seconds to wait for each D-Bus call to firewalld (a large list or a reload can take seconds).
    type: float
    default: 300
requirements:
  - firewalld running on the managed host, reachable on the D-Bus system bus. The module honours
    C(DBUS_SYSTEM_BUS_ADDRESS), so the task's C(environment) keyword can point it at another bus.
  - The Python modules C(dbus) and C(firewall) in the interpreter that runs the module. Debian and Ubuntu ship them
    for the system Python only (package C(python3-firewall), which pulls C(python3-dbus)), so set
    C(ansible_python_interpreter=/usr/bin/python3) for the host.
  - The Python module C(netaddr) in the same interpreter (Debian and Ubuntu C(python3-netaddr)), for entries that are
    not canonical (C(192.0.2.5/24)) and for the messages about bad entries.
notes:
  - Run as root, or as a user whom firewalld's PolicyKit rules allow to change its configuration.
  - Tested with firewalld 1.3 (Debian 12) and its nftables backend.
  - firewalld's D-Bus API is documented in U(https://firewalld.org/documentation/man-pages/firewalld.dbus.html).
seealso:
  - module: allowlist.egress.nftables_set
  - module: allowlist.egress.ipset
  - module: ansible.posix.firewalld
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: OutSystems front-ends and cloud.gov allowed into the internal zone
  allowlist.egress.firewalld_ipset:
    name: egress_allow
    zone: internal
    addresses: >-
      {{ query('allowlist.egress.outsystems_frontends', 'myenv-fe01', 'myenv-fe02', ip_version='4')
         + query('allowlist.egress.egress_ranges', 'cloudgov') }}
  vars:
    ansible_python_interpreter: /usr/bin/python3

- name: The zone opens HTTPS (to its sources only)
  ansible.posix.firewalld:
    zone: internal
    service: https
    permanent: true
    immediate: true
    state: enabled

- name: Atlas App Services IPv6 addresses
  allowlist.egress.firewalld_ipset:
    name: atlas_v6
    family: inet6
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', ip_version='6') }}"

- name: A firewalld on another D-Bus system bus (a container, a test bed)
  allowlist.egress.firewalld_ipset:
    name: egress_allow
    state: gathered
  environment:
    DBUS_SYSTEM_BUS_ADDRESS: unix:path=/run/firewalld-lab/bus.sock
  register: current
"""

RETURN = r"""
added:
  description:
    - The addresses that the ipset matches after the sync and did not before, as canonical CIDRs.
    - At most O(list_limit) entries, unless C(--diff) or verbosity 2 (C(-vv)) asks for all; RV(added_count) is the
      full number.
  returned: always
  type: list
  elements: str
  sample: ['192.0.2.10/32']
removed:
  description:
    - The addresses that the ipset matched before the sync and no longer does, as canonical CIDRs.
    - At most O(list_limit) entries, unless C(--diff) or verbosity 2 (C(-vv)) asks for all; RV(removed_count) is the
      full number.
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
lists_truncated:
  description: Whether RV(added) or RV(removed) holds fewer entries than there are (see O(list_limit)).
  returned: always
  type: bool
commands:
  description: The D-Bus calls of the sync, one line each; empty when nothing changes.
  returned: when O(return_commands=true), at verbosity 3 (C(-vvv)), or with O(state=rendered)
  type: list
  elements: str
  sample: ['permanent: setEntries egress_allow (3 entries)', 'runtime: setEntries egress_allow (3 entries)']
rendered:
  description: The ipset as firewalld writes it in C(/etc/firewalld/ipsets/<name>.xml); needs no firewalld.
  returned: when O(state=rendered)
  type: str
gathered:
  description: The entries of the ipset (permanent configuration), canonical, with V(null) comments.
  returned: when O(state=gathered)
  type: list
  elements: dict
exists:
  description: Whether the ipset exists.
  returned: when O(state=gathered)
  type: bool
set_type:
  description: The ipset's type.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
family:
  description: The ipset's family.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
zone:
  description: O(zone).
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
reloaded:
  description: Whether firewalld was reloaded (a new ipset; or an ipset missing from the runtime configuration).
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: bool
runtime_synced:
  description: Whether the runtime ipset had drifted from the permanent one and was put back in step.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils.targets._firewalld_ipset import (
    FirewalldBus, FirewalldIpset, argument_spec,
)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    # The bus is opened on first use, so state=rendered needs no firewalld and no dbus module.
    _address_set.run_module(module, lambda: FirewalldIpset(
        lambda: FirewalldBus(params['dbus_timeout']), params['name'], set_type=params['set_type'],
        family=params['family'], zone=params['zone'], warn=module.warn))


if __name__ == '__main__':
    main()
