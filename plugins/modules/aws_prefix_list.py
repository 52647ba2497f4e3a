#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_prefix_list
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Sync a list of addresses into an EC2 customer-managed prefix list
version_added: 0.1.0
description:
  - Makes an EC2 managed prefix list hold a list of IPv4 or IPv6 CIDRs, such as the egress addresses the
    P(allowlist.egress.egress_ranges#lookup) lookup returns. Security groups (O(amazon.aws.ec2_security_group#module:rules)
    with C(ip_prefix)), route tables and network firewalls that reference the list then follow it, and the
    security groups do not hit their rule limit.
  - Follows the rules AWS sets. At most 100 entries are added plus removed per C(ModifyManagedPrefixList) call, so
    the delta goes in batches. Entries and C(MaxEntries) never change in the same call. Every call passes
    C(CurrentVersion) and waits for C(modify-complete) before the next one.
  - Before C(MaxEntries) grows, the security groups that reference the list are checked against
    O(security_group_rules_quota); a growth that would pass it fails before any change, naming each group.
  - A call that fails because someone else changed the list (its version moved) is retried from a fresh read and
    a fresh plan, never replayed blindly. C(IncorrectState) (a modify still in progress) waits and retries;
    throttling is retried by botocore.
  - Removals go first, so the list never overflows C(MaxEntries) during a sync. A description change removes and
    re-adds that CIDR in one call.
  - C(MaxEntries) grows to what the list needs, never more (AWS counts it against the rule quota of every security
    group that references the list), and RV(max_entries_grown_by) says by how much. A customer-managed prefix list
    holds at most 1,000 entries; a longer list fails before any change.
extends_documentation_fragment:
  - allowlist.egress.attributes
  - allowlist.egress.address_set
  - allowlist.egress.entry_policy
  - allowlist.egress.entry_policy.local
  - allowlist.egress.aws
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff lists the canonical entries before and after, one per line, with their descriptions.
  idempotent:
    support: full
options:
  name:
    description:
      - The prefix list's name (and C(Name) tag). Used to find the list, and to create it when missing.
    type: str
  id:
    description: The prefix list's id (C(pl-...)), to find it when several lists might share a name.
    type: str
  address_family:
    description:
      - V(IPv4) or V(IPv6). Default the existing list's family, or the family of O(addresses) for a new list.
      - Entries of the other family are an error that names the first one.
    type: str
    choices: [IPv4, IPv6]
  max_entries:
    description:
      - The list's C(MaxEntries). Default the existing list's value, grown to what the list needs; for a new list,
        exactly what it needs.
    type: int
  tags:
    description: Tags of the list. A new list also gets C(Name=<name>).
    type: dict
  purge_tags:
    description: Remove tags that are not in O(tags) (never C(Name)).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for each create or modify to complete.
    type: float
    default: 300
  security_group_rules_quota:
    description:
      - The account's quota of inbound (and, apart, outbound) rules per security group (AWS's default is 60).
      - Before C(MaxEntries) grows, the module reads every security group's rules and fails, naming each group and its
        rule count, when a group that references the list would pass this quota; nothing is changed then. A rule that
        references a prefix list counts as that list's C(MaxEntries) rules, a CIDR or a referenced group as one.
      - IPv4 and IPv6 rules are counted together, which is stricter than AWS (it counts them apart) for a group that
        holds both.
    type: int
    default: 60
notes:
  - O(addresses) entries may be dictionaries with C(address) and C(comment) (or C(description)); the comment becomes
    the entry's description (up to 255 characters).
  - The lock of O(lock_timeout) serialises runs on one list from one machine; runs from elsewhere are caught by the
    C(CurrentVersion) check.
seealso:
  - module: amazon.aws.ec2_security_group
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
  - name: Managed prefix lists
    description: The AWS documentation on customer-managed prefix lists and their quotas.
    link: https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html
  - name: Amazon VPC quotas
    description: Rules per security group, and how a prefix list reference counts against them.
    link: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
"""

EXAMPLES = r"""
- name: Atlas App Services egress (AWS) into a prefix list
  allowlist.egress.aws_prefix_list:
    name: atlas-app-services-egress
    region: eu-west-1
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='aws', ip_version='4') }}"
    entry_comment: Atlas App Services
    tags:
      owner: network-team
  register: atlas_pl

- name: A security group that accepts HTTPS from the list
  amazon.aws.ec2_security_group:
    name: from-atlas
    description: HTTPS from Atlas App Services
    vpc_id: vpc-0123456789abcdef0
    region: eu-west-1
    rules:
      - proto: tcp
        ports: [443]
        ip_prefix: "{{ atlas_pl.prefix_list_id }}"

- name: Review a change first
  allowlist.egress.aws_prefix_list:
    name: atlas-app-services-egress
    addresses: "{{ new_list }}"
    max_removals: 10
  check_mode: true
  diff: true

- name: Remove the list
  allowlist.egress.aws_prefix_list:
    name: atlas-app-services-egress
    state: absent
"""

RETURN = r"""
prefix_list_id:
  description: The list's id.
  returned: when O(state) is V(replaced), V(merged) or V(deleted) (in check mode, null for a list not created yet)
  type: str
  sample: pl-0123456789abcdef0
address_family:
  description: The list's address family.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
  sample: IPv4
max_entries:
  description: The list's C(MaxEntries) after the sync.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: int
max_entries_grown_by:
  description: How much C(MaxEntries) grew (0 when it did not).
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: int
added:
  description:
    - The addresses that the list matches after the sync and did not before, as canonical CIDRs.
    - At most O(list_limit) entries (the first ones, in address order), unless C(--diff) or verbosity 2
      (C(-vv)) asks for all of them; RV(added_count) is the full number.
  returned: always
  type: list
  elements: str
removed:
  description:
    - The addresses that the list matched before the sync and no longer does, as canonical CIDRs.
    - At most O(list_limit) entries (the first ones, in address order), unless C(--diff) or verbosity 2
      (C(-vv)) asks for all of them; RV(removed_count) is the full number.
  returned: always
  type: list
  elements: str
before_count:
  description: Number of canonical entries before the sync.
  returned: always
  type: int
after_count:
  description: Number of canonical entries after the sync.
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
  description: The API calls of the sync, one per line, in order; empty when nothing changes.
  returned: when O(return_commands=true), at verbosity 3 (C(-vvv)), or with O(state=rendered)
  type: list
  elements: str
  sample: ['modify-managed-prefix-list add=192.0.2.10/32 remove=-']
rendered:
  description: The calls that would create the list with O(addresses).
  returned: when O(state=rendered)
  type: str
gathered:
  description: The entries of the list, canonical, with their descriptions (V(null) when none).
  returned: when O(state=gathered)
  type: list
  elements: dict
exists:
  description: Whether the list exists.
  returned: when O(state=gathered)
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _aws
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _aws_prefix_list as aws


def main():
    module = AnsibleModule(argument_spec=aws.argument_spec(), supports_check_mode=True,
                           required_one_of=[('name', 'id')])
    if not _aws.HAS_BOTO3:
        module.fail_json(msg=missing_required_lib('boto3'), exception=_aws.BOTO3_IMPORT_ERROR)
    params = module.params

    def backend():
        client = _aws.client_from_params('ec2', params, module='aws_prefix_list')
        return aws.AwsPrefixList(client, name=params['name'], list_id=params['id'],
                                 address_family=params['address_family'], max_entries=params['max_entries'],
                                 tags=params['tags'], purge_tags=params['purge_tags'], wait_timeout=params['wait_timeout'],
                                 security_group_rules_quota=params['security_group_rules_quota'])

    _address_set.run_module(module, backend)


if __name__ == '__main__':
    main()
