# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: outsystems_frontends
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: The static public addresses of OutSystems Cloud front-end servers
version_added: 0.1.0
description:
  - OutSystems Cloud asks customers to allowlist the static public address of every front-end server of an
    environment. Each front-end's hostname is its name in Service Center (Monitoring > Environment Health)
    followed by C(.outsystemsenterprise.com). This lookup resolves them all and returns the sorted union of
    their addresses as canonical CIDR strings (V(192.0.2.10/32), V(2001:db8::10/128)).
  - All or nothing. Any name that does not resolve (NXDOMAIN, no answer, SERVFAIL after retries, timeout)
    fails the lookup, naming each failed front-end and why. It never returns an empty string or a partial list.
  - It refuses the environment address (C(<env>.outsystemsenterprise.com)). That is an alias of a load balancer
    (C(*.elb.amazonaws.com)) whose addresses change, so allowlisting it breaks later. Set O(allow_load_balancer=true)
    to accept it anyway.
  - Names are resolved concurrently (A and AAAA together), so 200 front-ends take about one round trip
    per O(concurrency) queries.
  - Use C(query) (or C(lookup) with C(wantlist=true)) to get a list, see
    L(Forcing lookups to return lists,https://docs.ansible.com/ansible/latest/plugins/lookup.html#forcing-lookups-to-return-lists-query-and-wantlist-true).
options:
  _terms:
    description:
      - Front-end server names as Service Center shows them, such as V(myenv-fe01), or full hostnames.
    required: true
    type: list
    elements: str
  domain:
    description: Appended to bare names (names without a dot).
    type: str
    default: outsystemsenterprise.com
  nameservers:
    description:
      - IPv4 or IPv6 addresses of the DNS servers to ask. Default the system's (C(/etc/resolv.conf)).
      - Several are tried in turn on retries.
    type: list
    elements: str
  port:
    description: The DNS servers' port.
    type: int
    default: 53
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 3
  retries:
    description: How many times to ask again after a timeout, SERVFAIL or REFUSED (NXDOMAIN is final).
    type: int
    default: 2
  tcp:
    description: Query over TCP instead of UDP (UDP falls back to TCP by itself for truncated answers).
    type: bool
    default: false
  ip_version:
    description: V(4) asks for A records, V(6) for AAAA, V(all) for both.
    type: str
    choices: ['4', '6', 'all']
    default: all
  details:
    description:
      - Return one dictionary per address (C(address), C(version), C(frontends), C(hostnames)) instead of CIDR strings.
    type: bool
    default: false
  allow_load_balancer:
    description: Accept names that are aliases of an AWS load balancer (normally a mistake, see above).
    type: bool
    default: false
  concurrency:
    description: How many queries may be in flight at once.
    type: int
    default: 64
  allow_private:
    description:
      - Accept front-ends that resolve to private addresses (RFC 1918, carrier-grade NAT, unique local IPv6).
      - By default such an answer fails the lookup, naming the front-end. OutSystems Cloud front-ends have static
        public addresses; a private answer means the resolver asks the VPN's DNS servers (through the conditional
        forwarder for C(outsystemsenterprise.com)). Over the internet, resolve with public resolvers (O(nameservers));
        over the VPN, OutSystems asks you to allowlist the VPN's whole private range instead.
      - Answers that are never an allowlist entry (C(0.0.0.0) or C(::) from a DNS sinkhole, loopback, link-local,
        multicast, reserved) always fail the lookup.
    type: bool
    default: false
requirements:
  - dnspython
  - netaddr
seealso:
  - plugin: allowlist.egress.egress_ranges
    plugin_type: lookup
  - name: OutSystems Cloud front-end addresses
    description: How to find the front-end server names in Service Center.
    link: https://success.outsystems.com/documentation/11/setup_outsystems_infrastructure_and_platform/
"""

EXAMPLES = r"""
- name: Front-end addresses of an environment with two front-ends
  ansible.builtin.debug:
    msg: "{{ query('allowlist.egress.outsystems_frontends', 'myenv-fe01', 'myenv-fe02') }}"

- name: From a list in the inventory, asking a given DNS server, IPv4 only
  ansible.builtin.set_fact:
    outsystems_addresses: >-
      {{ query('allowlist.egress.outsystems_frontends', outsystems_frontend_names,
               nameservers=['192.0.2.53'], ip_version='4') }}
  vars:
    outsystems_frontend_names: [myenv-fe01, myenv-fe02, myenv-fe03]

- name: Which front-end each address belongs to
  ansible.builtin.debug:
    msg: "{{ query('allowlist.egress.outsystems_frontends', 'myenv-fe01', 'myenv-fe02', details=true) }}"
"""

RETURN = r"""
_raw:
  description:
    - Canonical CIDR strings (V(/32) or V(/128) each), IPv4 first, then IPv6.
    - With O(details=true), one dictionary per address.
  type: list
  elements: raw
  sample: ['192.0.2.10/32', '192.0.2.11/32']
  contains:
    address:
      description: The canonical CIDR (only with O(details=true)).
      type: str
    version:
      description: 4 or 6.
      type: int
    frontends:
      description: The names (as given) that resolve to this address.
      type: list
      elements: str
    hostnames:
      description: The hostnames that were resolved.
      type: list
      elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._frontends import (
    FrontendResolver, frontend_addresses, frontend_details,
)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        terms = self._flatten(terms)
        try:
            resolver = FrontendResolver(
                nameservers=self.get_option('nameservers'), port=self.get_option('port'),
                timeout=self.get_option('timeout'), retries=self.get_option('retries'), tcp=self.get_option('tcp'),
                ip_version=self.get_option('ip_version'), concurrency=self.get_option('concurrency'),
                allow_load_balancer=self.get_option('allow_load_balancer'), domain=self.get_option('domain'),
                allow_private=self.get_option('allow_private'))
            results = resolver.resolve(terms)
        except EgressError as error:
            raise AnsibleLookupError(to_native(error))
        return frontend_details(results) if self.get_option('details') else frontend_addresses(results)
