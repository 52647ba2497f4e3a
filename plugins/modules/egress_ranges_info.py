#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: egress_ranges_info
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Get the egress addresses that a platform publishes, on the managed host
version_added: 0.1.0
description:
  - The module twin of the P(allowlist.egress.egress_ranges#lookup) lookup. It fetches on the managed host,
    for runners whose controller has no internet access (or a different proxy).
  - Returns sorted, de-duplicated, canonical CIDR strings, split by family, and where each list came from.
extends_documentation_fragment:
  - allowlist.egress.attributes
  - allowlist.egress.attributes.info_module
  - allowlist.egress.egress_ranges
  - allowlist.egress.egress_ranges.module_sources
  - allowlist.egress.fetch
  - allowlist.egress.entry_policy
  - allowlist.egress.entry_policy.remote
requirements:
  - requests
  - netaddr
seealso:
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Atlas App Services outbound addresses on AWS, fetched by the managed host
  allowlist.egress.egress_ranges_info:
    sources: [atlas]
    provider: [aws]
  register: atlas

- name: cloud.gov and a mirror of Cloudflare's list
  allowlist.egress.egress_ranges_info:
    sources: [cloudgov]
  register: cloudgov

- name: Use them
  ansible.builtin.debug:
    msg: "{{ atlas.addresses + cloudgov.addresses }}"

- name: Azure DevOps addresses in West Europe, from a mirror of the weekly Service Tags file
  allowlist.egress.egress_ranges_info:
    sources: [azure]
    service: [AzureDevOps]
    region: [westeurope]
    url: https://mirror.example.com/azure/ServiceTags_Public_20261116.json
  register: azure_devops

- name: A mirror that wants a token (kept out of the output; put it in a vault)
  allowlist.egress.egress_ranges_info:
    sources: [custom]
    url: https://mirror.example.com/egress/ips.txt
    headers:
      Authorization: "Bearer {{ mirror_token }}"
  register: mirrored
"""

RETURN = r"""
addresses:
  description: Canonical CIDR strings, IPv4 first, then IPv6, each in numeric order.
  returned: success
  type: list
  elements: str
  sample: ['52.222.122.97/32', '52.222.123.172/32']
ipv4:
  description: The IPv4 part of RV(addresses).
  returned: success
  type: list
  elements: str
ipv6:
  description: The IPv6 part of RV(addresses).
  returned: success
  type: list
  elements: str
details:
  description: One dictionary per address (C(address), C(version), C(sources), C(attributes), C(provenance)).
  returned: when O(details=true)
  type: list
  elements: dict
provenance:
  description:
    - One dictionary per document read (C(source), C(url), C(final_url) after a redirect, C(origin) V(network),
      V(cache) or V(snapshot), C(fetched_at), C(age_seconds), C(etag), C(last_modified), C(sync_token), C(create_date),
      C(change_number) and C(cloud) (V(azure)), C(version) and C(modified) (V(datadog)), C(count)).
    - URLs are redacted, see O(url).
  returned: success
  type: list
  elements: dict
  sample:
    - source: cloudgov
      url: https://cloud.gov/docs/management/static-egress/
      origin: snapshot
      fetched_at: '2026-11-22T00:00:00Z'
      recorded: '2026-11-22'
      count: 2
    - source: custom
      url: https://***@mirror.example.com/ips.txt?access_token=***
      final_url: https://mirror.example.com/v2/ips.txt
      origin: network
      fetched_at: '2026-11-22T08:00:00Z'
      age_seconds: 0
      count: 12
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.allowlist.egress.plugins.module_utils import _addresses, _http
from ansible_collections.allowlist.egress.plugins.module_utils._egress_ranges import argument_spec, run_from_options
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not _addresses.HAS_NETADDR:
        module.fail_json(msg=missing_required_lib('netaddr'), exception=_addresses.NETADDR_IMPORT_ERROR)
    if not _http.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=_http.REQUESTS_IMPORT_ERROR)
    params = dict(module.params)
    # `invocation` shows the URL as provenance does; longer secret parts are also masked anywhere else
    # (short ones would mask unrelated text, such as digits of addresses).
    module.params['url'] = _http.redact_url(params['url'])
    module.no_log_values.update(value for value in _http.url_secrets(params['url']) if len(value) >= 6)
    try:
        result = run_from_options(params['sources'], params.get, module.warn)
    except EgressError as error:
        module.fail_json(msg=str(error))
    ipv4, ipv6 = _addresses.split_families(result['addresses'])
    output = dict(changed=False, addresses=result['addresses'], ipv4=ipv4, ipv6=ipv6, provenance=result['provenance'])
    if result['details'] is not None:
        output['details'] = result['details']
    module.exit_json(**output)


if __name__ == '__main__':
    main()
