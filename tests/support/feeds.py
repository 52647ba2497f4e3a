# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Documents in the exact shape each publisher serves them, with documentation addresses only.

Shapes as published (fields, nesting, types, key spelling):
- Azure: ServiceTags_Public_YYYYMMDD.json from https://www.microsoft.com/en-us/download/details.aspx?id=56519
  (integer changeNumber, regionId 0 and region "" for a global tag, systemService "" for AzureCloud.*).
- Stripe: https://stripe.com/files/ips/ips_webhooks.json (bare IPv4 strings under WEBHOOKS) and ips_webhooks.txt.
- Datadog: https://ip-ranges.datadoghq.com/ (docs.datadoghq.com/agent/configuration/network/), with the
  synthetics section's extra *_by_location objects and the hyphenated section names.
- Okta: https://s3.amazonaws.com/okta-ip-ranges/ip_ranges.json (help.okta.com "Allow access to Okta IP addresses").
"""

from __future__ import annotations

import copy
import json


def _tag(name, change, region, region_id, service, prefixes, features=('API', 'NSG', 'UDR', 'FW')):
    return {'name': name, 'id': name, 'properties': {
        'changeNumber': change, 'region': region, 'regionId': region_id, 'platform': 'Azure',
        'systemService': service, 'addressPrefixes': list(prefixes), 'networkFeatures': list(features)}}


AZURE = {
    'changeNumber': 351,
    'cloud': 'Public',
    'values': [
        _tag('ActionGroup', 41, '', 0, 'ActionGroup', ['192.0.2.16/28', '198.51.100.64/27', '2001:db8:a::/126']),
        _tag('AzureCloud.westeurope', 97, 'westeurope', 18, '', ['203.0.113.0/24', '2001:db8:e::/48'], features=('NSG',)),
        _tag('AzureDevOps', 12, '', 0, 'AzureDevOps', ['198.51.100.128/26', '203.0.113.128/26']),
        _tag('AzureDevOps.westeurope', 6, 'westeurope', 18, 'AzureDevOps', ['198.51.100.128/26']),
        _tag('AzureDevOps.eastus', 5, 'eastus', 32, 'AzureDevOps', ['203.0.113.128/26']),
        _tag('AzureMonitor.eastus', 3, 'eastus', 32, 'AzureMonitor', []),
    ],
}

STRIPE = {'WEBHOOKS': ['192.0.2.63', '198.51.100.8', '203.0.113.93']}
STRIPE_TXT = '192.0.2.63\n198.51.100.8\n203.0.113.93\n'

DATADOG = {
    'version': 64,
    'modified': '2026-11-18-12-00-00',
    'agents': {'prefixes_ipv4': ['192.0.2.0/28'], 'prefixes_ipv6': ['2001:db8:1::/64']},
    'api': {'prefixes_ipv4': ['192.0.2.16/28'], 'prefixes_ipv6': ['2001:db8:2::/64']},
    'remote-configuration': {'prefixes_ipv4': ['192.0.2.32/28'], 'prefixes_ipv6': []},
    'synthetics': {
        'prefixes_ipv4': ['198.51.100.10/32', '198.51.100.11/32'],
        'prefixes_ipv4_by_location': {'aws:eu-central-1': ['198.51.100.10/32'], 'aws:us-east-1': ['198.51.100.11/32']},
        'prefixes_ipv6': ['2001:db8:5::/64'],
        'prefixes_ipv6_by_location': {'aws:eu-central-1': ['2001:db8:5::/64']},
    },
    'synthetics-private-locations': {'prefixes_ipv4': ['192.0.2.48/28'], 'prefixes_ipv6': []},
    'webhooks': {'prefixes_ipv4': ['203.0.113.32/28', '203.0.113.48/29'], 'prefixes_ipv6': []},
}

OKTA = {
    'us_cell_1': {'ip_ranges': ['192.0.2.43/32', '198.51.100.0/28']},
    'us_cell_14': {'ip_ranges': ['198.51.100.64/28']},
    'emea_cell_2': {'ip_ranges': ['203.0.113.0/28', '203.0.113.16/32']},
    'preview_cell_1': {'ip_ranges': []},
}


def body(document, **changes):
    """The document as JSON, with top-level keys replaced (None removes one): for the nasty variants."""
    document = copy.deepcopy(document)
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return json.dumps(document, indent=2)
