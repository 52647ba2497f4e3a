#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: address_feed
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Publish a list of addresses as a feed file that firewall appliances pull
version_added: 0.2.0
description:
  - Writes a list of addresses to the file O(path) in the format a firewall appliance pulls from a URL on a
    schedule (Palo Alto External Dynamic List, FortiGate threat feed, Check Point Network Feed, OPNsense or pfSense
    URL Table, Cisco Secure Firewall Security Intelligence feed), or as plain CIDRs or JSON. Serve the directory with
    the C(allowlist.egress.feed_server) role.
  - The file is written atomically (a temporary file in the same directory, fsync, rename), so a consumer that
    polls during a sync gets the old list or the new one, whole. A list that does not change leaves the file
    untouched, so its ETag and Last-Modified stay and a consumer's conditional GET answers 304. A rewritten file
    gets a modification time at least one second after the one it replaces, because nginx's ETag is the
    modification time in seconds and the size, and a change that kept both would be answered with 304.
  - Every entry is a canonical CIDR (a range becomes the CIDRs that cover exactly it), IPv4 first, one per line,
    LF line endings, UTF-8. IPv4 and IPv6 go into the same file, as FortiOS, Cisco and the pf tables of OPNsense and
    pfSense document and PAN-OS IP lists accept. O(ip_version)
    restricts a feed to one family for a consumer configured that way.
  - Next to the file, a sidecar (O(sidecar), default O(path) with C(.meta.json) appended) holds the file's SHA-256,
    its size and its entry counts. The module reads the file back through its own parser before each sync and
    compares its checksum with the sidecar; a file that someone edited, or that this module did not write, is
    refused (see O(edited)), and so is a symlink, a FIFO or anything but a regular file at O(path).
  - Each entry's source (its comment, for example C(egress_ranges:atlas) in the C(allowlist.egress.egress_sync)
    pipeline) is written where the format has comments, and is kept in the V(json) and V(checkpoint_json) formats.
  - The consumer's limits (O(max_entries), O(max_size)) are checked before anything is written; the defaults are the
    vendor's documented figures.
  - "Formats, as each vendor documents them:"
  - "V(plain): one CIDR per line, nothing else. Any consumer that reads a list of addresses."
  - "V(paloalto_edl): PAN-OS External Dynamic List of type IP List. Each line is C(<CIDR> <comment>), the syntax
    PAN-OS documents (an address, an address/mask or a range, a space, then an optional comment). PAN-OS counts the
    IP entries of all its lists together, 50,000 on most models (150,000 on PA-5000 and PA-7000), so
    O(max_entries) defaults to 50,000.
    U(https://docs.paloaltonetworks.com/pan-os/9-1/pan-os-admin/policy/use-an-external-dynamic-list-in-policy/\
    formatting-guidelines-for-an-external-dynamic-list/ip-address-list.html),
    U(https://docs.paloaltonetworks.com/pan-os/7-1/pan-os-web-interface-help/objects/objects-external-dynamic-lists.html)."
  - "V(fortinet): FortiGate threat feed of type IP Address (Security Fabric, External Connectors). One IP, range or
    subnet per line, IPv4 and IPv6; FortiOS documents no comment syntax for it, so none is written. Up to FortiOS
    7.4.3 a feed holds at most 10 MB or 131,072 entries (the defaults here); from 7.4.4 the limit is per model
    (300,000 IP entries, 32 to 128 MB). U(https://docs.fortinet.com/document/fortigate/7.0.11/administration-guide/9463),
    U(https://docs.fortinet.com/document/fortigate/7.4.0/new-features/677896/external-resource-entry-limit-enhancements-7-4-4)."
  - "V(checkpoint): Check Point Network Feed object, Feed Format C(Flat List), Feed Type IP Address. A header line and
    C(# source: ...) lines before each source's entries; set C(Ignore lines that start with) to V(#) and the data
    column to 1.
    U(https://sc1.checkpoint.com/documents/R81.20/WebAdminGuides/EN/CP_R81.20_SecurityManagement_AdminGuide/\
    Content/Topics-SECMG/Network_Feed.htm)."
  - "V(checkpoint_json): the same Network Feed with Feed Format JSON and the jq query C(.entries[].address): the
    document of V(json), each entry with its source."
  - "V(opnsense): OPNsense alias of type URL Table (IPs). OPNsense takes the first word of each line (up to white
    space, C(,), C(;), C(|) or C(#)), so the C(#) lines give nothing and each entry line one address; IPv4 and IPv6
    together. U(https://github.com/opnsense/core/blob/master/src/opnsense/scripts/filter/lib/alias/uri.py)."
  - "V(pfsense): pfSense alias of type URL Table (IPs): one address per line, C(#) lines ignored. An alias must fit
    pfSense's C(Firewall Maximum Table Entries) (System, Advanced, Firewall and NAT); set O(max_entries) to yours.
    U(https://docs.netgate.com/pfsense/en/latest/firewall/aliases-types.html)."
  - "V(cisco_ftd): Cisco Secure Firewall Management Center (FTD) Security Intelligence network feed. One IP address
    or address block per line, comment lines start with C(#), at most 500 MB (the default O(max_size)).
    U(https://docs.defenseorchestrator.com/cdfmc/c_custom_security_intelligence_lists_2.html)."
  - "V(json): this collection's own document: C(generator), C(format), C(count), C(count_ipv4), C(count_ipv6),
    O(provenance) when given, and C(entries), each C({address, comment})."
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
      - The diff lists the canonical entries before and after, one per line, with their sources.
  idempotent:
    support: full
options:
  path:
    description:
      - The feed file, an absolute path in a directory that exists (the one the web server serves). A symlink or
        anything but a regular file there is refused.
      - A new file gets O(mode); an existing one keeps its owner, group and mode.
    type: path
    required: true
  format:
    description: The consumer's format (see the description for each one's rules and the vendor's page).
    type: str
    required: true
    choices: [plain, paloalto_edl, fortinet, checkpoint, checkpoint_json, opnsense, pfsense, cisco_ftd, json]
  sidecar:
    description:
      - The sidecar file (JSON with C(sha256), C(size), C(count), C(count_ipv4), C(count_ipv6), C(format) and, after a
        change, the C(previous_sha256)). Default O(path) with C(.meta.json) appended.
      - It is written first, then the feed; it names the previous file's checksum too, so a crash between the two
        renames still leaves a pair the next run accepts.
      - A file at this path that is not a sidecar this module wrote for O(path) (not JSON, another generator, or the
        sidecar of another feed file) is treated like an edited feed, see O(edited); O(state=absent) never removes it.
    type: path
  max_entries:
    description:
      - The most entries (CIDRs) the consumer takes. A list with more fails before anything is written.
      - Default the vendor's documented figure (V(paloalto_edl) 50,000; V(fortinet) 131,072), or no limit where the
        vendor documents none. V(0) turns the check off.
    type: int
  max_size:
    description:
      - The largest file, in bytes, the consumer takes. Default the vendor's figure (V(fortinet) 10 MiB,
        V(cisco_ftd) 500 MiB), or no limit. V(0) turns the check off.
    type: int
  ip_version:
    description:
      - V(4) or V(6) for a consumer that takes one family only; an address of the other family is then an error
        naming it (nothing is left out silently). V(all) writes both.
    type: str
    choices: ['4', '6', all]
    default: all
  edited:
    description:
      - What to do when O(path) exists but its SHA-256 is not the one the sidecar records (someone edited it, or
        another tool wrote it, or there is no sidecar), or when the file at O(sidecar) is not this module's sidecar
        of O(path).
      - V(fail) stops before anything is written, naming the file and both checksums.
      - V(overwrite) reads it with the parser of O(format) so that the guards count what it holds (or as empty,
        with a warning, when it cannot be parsed), then replaces it. Its entries are never kept, so V(overwrite)
        works only with O(state=replaced) (and V(absent) and V(gathered)); O(state=merged) and O(state=deleted)
        fail, because they would keep what someone wrote into the file and sign it with a new sidecar.
    type: str
    choices: [fail, overwrite]
    default: fail
  provenance:
    description:
      - Plain data written as C(provenance) in the V(json) and V(checkpoint_json) documents (for example the
        plan digest of a pipeline). Keep it stable, since a value that changes on every run rewrites the file every run.
    type: dict
  mode:
    description:
      - The mode of a new feed file and sidecar, in octal.
      - Group and others may not write a served file, so a mode with either write bit (V(0664), V(0666)) fails.
    type: str
    default: '0644'
notes:
  - The module never follows a symlink at O(path), because the directory is served over HTTPS, and a link there could make
    a root-run sync overwrite any file of the host.
  - Comments may not hold control, line-separator or bidirectional-override characters, so a source can never add
    a line to a feed.
seealso:
  - module: allowlist.egress.nftables_set
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Atlas App Services egress as a Palo Alto External Dynamic List
  allowlist.egress.address_feed:
    path: /srv/feeds/atlas.txt
    format: paloalto_edl
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='aws') }}"
    entry_comment: Atlas App Services

- name: The same list for a FortiGate, whose feed takes no comments
  allowlist.egress.address_feed:
    path: /srv/feeds/atlas-fortigate.txt
    format: fortinet
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='aws') }}"
    max_entries: 300000   # FortiOS 7.4.4 and later, mid-range model

- name: What the feed holds now
  allowlist.egress.address_feed:
    path: /srv/feeds/atlas.txt
    format: paloalto_edl
    state: gathered
  register: feed
"""

RETURN = r"""
added:
  description:
    - The addresses the feed lists after the sync and did not before, as canonical CIDRs.
    - At most O(list_limit) entries unless C(--diff) or C(-vv); RV(added_count) is the full number.
  returned: always
  type: list
  elements: str
  sample: ['192.0.2.10/32']
removed:
  description: The addresses the feed listed before the sync and no longer does, as canonical CIDRs.
  returned: always
  type: list
  elements: str
before_count:
  description: Number of entries before the sync.
  returned: always
  type: int
after_count:
  description: Number of entries after the sync.
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
  description: Whether RV(added) or RV(removed) holds fewer entries than there are.
  returned: always
  type: bool
commands:
  description: What the sync writes (one line per file); the whole file with O(state=rendered).
  returned: when O(return_commands=true), at verbosity 3, or with O(state=rendered)
  type: list
  elements: str
rendered:
  description: The feed file O(addresses) make, in O(format).
  returned: when O(state=rendered)
  type: str
gathered:
  description: The entries of the feed, canonical, with their sources (V(null) when none).
  returned: when O(state=gathered)
  type: list
  elements: dict
exists:
  description: Whether the feed file (or its sidecar) exists.
  returned: when O(state=gathered)
  type: bool
format:
  description: The format written.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
sidecar:
  description: The sidecar file.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
sha256:
  description: The SHA-256 of the feed file after the sync.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
size:
  description: The feed file's size in bytes after the sync.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: int
count:
  description: The number of entries in the file.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: int
max_entries:
  description: The entry limit that was checked (V(null) for none).
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: int
max_size:
  description: The size limit that was checked, in bytes (V(null) for none).
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils.targets._address_feed import argument_spec, from_params


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    _address_set.run_module(module, lambda: from_params(module.params, warn=module.warn))


if __name__ == '__main__':
    main()
