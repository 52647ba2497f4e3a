# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: egress_ranges
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: The egress addresses that a platform publishes (Atlas, cloud.gov, AWS, GCP, GitHub, ...)
version_added: 0.1.0
description:
  - Fetch the list of addresses that a platform publishes for customers to allowlist, and return it as sorted,
    de-duplicated, canonical CIDR strings (V(192.0.2.1/32), V(2001:db8::/32)), ready for a firewall.
  - Terms are source names; several sources return the sorted union.
  - Fetches are cached on disk (conditional GET with C(ETag) / C(If-Modified-Since)) and retried politely
    (exponential backoff, C(Retry-After) on HTTP 429 and 503).
  - Use C(query) (or C(lookup) with C(wantlist=true)) to get a list;
    a plain C(lookup) joins the list with commas, see
    L(Forcing lookups to return lists,https://docs.ansible.com/ansible/latest/plugins/lookup.html#forcing-lookups-to-return-lists-query-and-wantlist-true).
  - The same is available as a module, M(allowlist.egress.egress_ranges_info), for runners whose controller
    has no internet access.
extends_documentation_fragment:
  - allowlist.egress.egress_ranges
  - allowlist.egress.egress_ranges.lookup_terms
  - allowlist.egress.fetch
  - allowlist.egress.entry_policy
  - allowlist.egress.entry_policy.remote
requirements:
  - requests
  - netaddr
notes:
  - Errors name the bad entry and the URL it came from; an empty or malformed list always fails the lookup.
seealso:
  - module: allowlist.egress.egress_ranges_info
  - plugin: allowlist.egress.outsystems_frontends
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: The two cloud.gov egress addresses (bundled, no network needed)
  ansible.builtin.debug:
    msg: "{{ query('allowlist.egress.egress_ranges', 'cloudgov') }}"

- name: Atlas App Services outbound addresses on AWS, from a local cache when it is fresh
  ansible.builtin.set_fact:
    atlas_aws: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='aws') }}"

- name: Atlas control plane inbound addresses in two AWS regions
  ansible.builtin.debug:
    msg: >-
      {{ query('allowlist.egress.egress_ranges', 'atlas_control_plane', direction='inbound',
               provider='aws', region=['us-east-1', 'eu-west-1']) }}

- name: AWS S3 and EC2 ranges in us-east-1, IPv4 only, collapsed
  ansible.builtin.debug:
    msg: >-
      {{ query('allowlist.egress.egress_ranges', 'aws', region='us-east-1', service=['S3', 'EC2'],
               ip_version='4', aggregate=true) }}

- name: GitHub webhook senders, with where each address came from
  ansible.builtin.debug:
    msg: "{{ query('allowlist.egress.egress_ranges', 'github', key='hooks', details=true) }}"

- name: Azure Action Group addresses, from this week's Service Tags file (its URL changes every week)
  ansible.builtin.debug:
    msg: >-
      {{ query('allowlist.egress.egress_ranges', 'azure', name='ActionGroup',
               url='https://mirror.example.com/azure/ServiceTags_Public_20261116.json') }}

- name: Where Datadog webhooks and Okta (cell us_cell_1) connect from
  ansible.builtin.debug:
    msg: >-
      {{ query('allowlist.egress.egress_ranges', 'datadog', key='webhooks')
         + query('allowlist.egress.egress_ranges', 'okta', cell='us_cell_1') }}

- name: A list published by someone else, as CSV with a header row
  ansible.builtin.debug:
    msg: >-
      {{ query('allowlist.egress.egress_ranges', 'custom', url='https://mirror.example.com/ips.csv',
               selector='cidr') }}

- name: A mirror that wants a token, sent as a header (never printed)
  ansible.builtin.debug:
    msg: >-
      {{ query('allowlist.egress.egress_ranges', 'custom', url='https://mirror.example.com/ips.txt',
               headers={'Authorization': 'Bearer ' ~ mirror_token}) }}

- name: Atlas App Services (Azure) offline, from the snapshot bundled with the collection
  ansible.builtin.debug:
    msg: "{{ query('allowlist.egress.egress_ranges', 'atlas', provider='azure', offline=true) }}"

- name: Offline (air-gapped runner); uses the cache or the bundled snapshot
  ansible.builtin.debug:
    msg: "{{ query('allowlist.egress.egress_ranges', 'cloudgov', offline=true) }}"
"""

RETURN = r"""
_raw:
  description:
    - Canonical CIDR strings, IPv4 first, then IPv6, each in numeric order.
    - With O(details=true), one dictionary per address.
  type: list
  elements: raw
  sample: ['52.222.122.97/32', '52.222.123.172/32']
  contains:
    address:
      description: The canonical CIDR (only with O(details=true)).
      type: str
    version:
      description: 4 or 6.
      type: int
    sources:
      description: The sources that list this address.
      type: list
      elements: str
    attributes:
      description: What the publisher says of the address (region, service, ...), each a list of values.
      type: dict
    provenance:
      description:
        - Where it came from; one dictionary per document (C(source), C(url), C(final_url) after a redirect,
          C(origin) V(network), V(cache) or V(snapshot), C(fetched_at), C(age_seconds), C(etag), C(sync_token),
          C(create_date), C(change_number) and C(cloud) (V(azure)), C(version) and C(modified) (V(datadog)), C(count)).
          URLs are redacted, see O(url).
      type: list
      elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.allowlist.egress.plugins.module_utils._egress_ranges import run_from_options
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

display = Display()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        terms = self._flatten(terms)
        try:
            result = run_from_options(terms, self.get_option, display.warning)
        except EgressError as error:
            raise AnsibleLookupError(to_native(error))
        return result['details'] if self.get_option('details') else result['addresses']
