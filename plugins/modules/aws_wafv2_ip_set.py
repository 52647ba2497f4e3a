#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_wafv2_ip_set
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Sync a list of addresses into an AWS WAF (WAFv2) IP set
version_added: 0.3.0
description:
  - Makes an AWS WAF IP set hold a list of IPv4 or IPv6 CIDRs, such as the egress addresses the
    P(allowlist.egress.egress_ranges#lookup) lookup returns. Web ACL rules (an C(IPSetReferenceStatement) with
    RV(ip_set_arn)) then follow it.
  - C(UpdateIPSet) replaces the whole set and needs the C(LockToken) of the read it was planned from. When another
    writer was first (C(WAFOptimisticLockException)), the module reads the set again, plans again from what it holds
    now (O(max_removals) and O(max_additions) checked again) and sends the new plan with the new token, at most
    5 times; it never replays a stale plan.
  - An IP set holds CIDRs of one address family, a single address as a C(/32) or C(/128), never a C(/0), and at
    most 10,000 of them; a longer list fails before any call that changes anything.
  - WAF entries have no descriptions. The comments of O(addresses) (and O(entry_comment)) are therefore not stored,
    and two lists that differ only in comments compare equal.
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
      - The diff lists the canonical CIDRs before and after, one per line.
  idempotent:
    support: full
options:
  name:
    description:
      - The IP set's name (1 to 128 letters, digits, V(_) and V(-)), unique per scope and region. Used to find the
        set, and to create it when missing.
    type: str
    required: true
  scope:
    description:
      - V(REGIONAL) for a set used by regional resources (load balancers, API Gateway and the like) in O(region),
        V(CLOUDFRONT) for a set used by CloudFront distributions, which AWS manages in V(us-east-1) only (the
        module refuses any other region with this scope).
    type: str
    choices: [REGIONAL, CLOUDFRONT]
    default: REGIONAL
  address_family:
    description:
      - V(IPv4) or V(IPv6) (WAF's C(IPAddressVersion)). Default the existing set's family, or the family of
        O(addresses) for a new set.
      - Addresses of the other family are an error that names the first one.
    type: str
    choices: [IPv4, IPv6]
  description:
    description:
      - The set's description, 3 to 256 characters of letters, digits, spaces and V(_+=:#@/-,.), not starting or
        ending with a space (WAF's rule; checked before any call).
      - Default the existing set's description, kept as it is (C(UpdateIPSet) would otherwise clear it).
    type: str
notes:
  - The lock of O(lock_timeout) serialises runs on one set from one machine; runs from elsewhere are caught by the
    C(LockToken).
  - O(state=absent) deletes the set; WAF refuses while a web ACL or rule group references it, and the module says so.
seealso:
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
  - module: allowlist.egress.aws_prefix_list
  - name: IP sets in AWS WAF
    description: IP sets and how rules reference them.
    link: https://docs.aws.amazon.com/waf/latest/developerguide/waf-referenced-set-managing.html
  - name: AWS WAF quotas
    description: Among them, the 10,000 addresses of an IP set.
    link: https://docs.aws.amazon.com/waf/latest/developerguide/limits.html
  - name: UpdateIPSet
    description: The API call, its LockToken and what it replaces.
    link: https://docs.aws.amazon.com/waf/latest/APIReference/API_UpdateIPSet.html
"""

EXAMPLES = r"""
- name: A partner's egress addresses into a regional WAF IP set
  allowlist.egress.aws_wafv2_ip_set:
    name: partner-egress
    scope: REGIONAL
    region: eu-west-1
    description: Partner egress, synced by allowlist.egress
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='aws', ip_version='4') }}"
  register: partner_ip_set

- name: The IPv6 part into a CloudFront set (us-east-1 only)
  allowlist.egress.aws_wafv2_ip_set:
    name: partner-egress-v6
    scope: CLOUDFRONT
    region: us-east-1
    address_family: IPv6
    addresses: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='aws', ip_version='6') }}"

- name: Review a change first
  allowlist.egress.aws_wafv2_ip_set:
    name: partner-egress
    region: eu-west-1
    addresses: "{{ new_list }}"
    max_removals: 10
  check_mode: true
  diff: true

- name: Remove the set
  allowlist.egress.aws_wafv2_ip_set:
    name: partner-egress
    region: eu-west-1
    state: absent
"""

RETURN = r"""
ip_set_id:
  description: The set's id.
  returned: when O(state) is V(replaced), V(merged) or V(deleted) (in check mode, null for a set not created yet)
  type: str
  sample: a1b2c3d4-5678-90ab-cdef-EXAMPLE11111
ip_set_arn:
  description: The set's ARN, for an C(IPSetReferenceStatement) of a web ACL rule.
  returned: when O(state) is V(replaced), V(merged) or V(deleted) (in check mode, null for a set not created yet)
  type: str
address_family:
  description: The set's address family.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
  sample: IPv4
scope:
  description: The set's scope.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: str
  sample: REGIONAL
added:
  description:
    - The addresses that the IP set matches after the sync and did not before, as canonical CIDRs.
    - At most O(list_limit) entries (the first ones, in address order), unless C(--diff) or verbosity 2
      (C(-vv)) asks for all of them; RV(added_count) is the full number.
  returned: always
  type: list
  elements: str
removed:
  description:
    - The addresses that the IP set matched before the sync and no longer does, as canonical CIDRs.
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
    - One V(null) per entry of RV(added) (WAF stores no comments, so the entries are compared without them).
  returned: when the object is synced (states replaced, merged, deleted, rendered)
  type: list
  elements: str
removed_comments:
  description: One V(null) per entry of RV(removed).
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
  sample: ['update-ip-set name=partner-egress scope=REGIONAL id=a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 addresses=3 add=192.0.2.10/32 remove=-']
rendered:
  description: The call that would create the IP set with O(addresses).
  returned: when O(state=rendered)
  type: str
gathered:
  description: The addresses of the IP set, canonical (C(comment) is always V(null), WAF stores none).
  returned: when O(state=gathered)
  type: list
  elements: dict
exists:
  description: Whether the IP set exists.
  returned: when O(state=gathered)
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _aws
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _aws_wafv2_ip_set as waf


def main():
    module = AnsibleModule(argument_spec=waf.argument_spec(), supports_check_mode=True)
    if not _aws.HAS_BOTO3:
        module.fail_json(msg=missing_required_lib('boto3'), exception=_aws.BOTO3_IMPORT_ERROR)
    params = module.params

    def backend():
        client = _aws.client_from_params('wafv2', params, module='aws_wafv2_ip_set')
        guards = dict((key, params[key]) for key in ('max_removals', 'max_additions', 'force'))
        return waf.AwsWafv2IpSet(client, params['name'], scope=params['scope'], address_family=params['address_family'],
                                 description=params['description'], guards=guards)

    _address_set.run_module(module, backend)


if __name__ == '__main__':
    main()
