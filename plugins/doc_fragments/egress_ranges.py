# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # The terms of the egress_ranges lookup (the same text as MODULE_SOURCES: ansible-test needs literal strings).
    LOOKUP_TERMS = r"""
options:
  _terms:
    description:
      - Source names; several return the sorted union.
      - "V(atlas): MongoDB Atlas App Services outbound IPs, from the published JSON (or CSV, chosen by the URL) files.
        O(provider) selects V(aws), V(azure), V(gcp) or V(all) (default)."
      - "V(atlas_control_plane): Atlas Admin API C(controlPlaneIPAddresses). Filters O(service) (V(controlPlane),
        V(data_federation), V(app_services); default all), O(direction) (V(inbound), V(outbound); default V(outbound)),
        O(provider) and O(region)."
      - "V(cloudgov): the two cloud.gov egress addresses. There is no machine-readable feed, so the list is bundled with
        the URL and date of the page that publishes it; O(verify=true) fetches the page and warns when it lists something else."
      - "V(aws): C(ip-ranges.json); filters O(region), O(service), O(network_border_group). Provenance has its C(syncToken) and C(createDate)."
      - "V(gcp): Google Cloud C(cloud.json); filters O(scope) and O(service)."
      - "V(github): the GitHub meta API; O(key) (required) such as V(hooks), V(actions), V(web), V(api), V(git)."
      - "V(cloudflare): Cloudflare's C(client/v4/ips) API. V(fastly): Fastly's C(public-ip-list)."
      - "V(atlassian): Atlassian's C(ip-ranges); filters O(product), O(direction) and O(region)."
      - "V(azure): Azure Service Tags, the weekly C(ServiceTags_Public_*.json) (or the C(AzureGovernment) / C(China) file).
        Its URL changes every week, so O(url) is required (the current file is linked from
        U(https://www.microsoft.com/en-us/download/details.aspx?id=56519)). Filters O(name) (tag names such as
        V(ActionGroup), V(AzureDevOps), V(AzureCloud.westeurope)), O(service) (C(systemService)) and O(region); at least
        one is required. Provenance has the file's C(changeNumber) and C(cloud)."
      - "V(stripe): the addresses Stripe sends webhooks from, C(ips_webhooks.json) (a URL ending in C(.txt) reads the text twin)."
      - "V(datadog): Datadog's C(ip-ranges); O(key) (required) such as V(webhooks), V(synthetics), V(api). Another Datadog
        site through O(url), e.g. U(https://ip-ranges.datadoghq.eu/). Provenance has its C(version) and C(modified)."
      - "V(okta): Okta's C(ip_ranges.json); O(cell) such as V(us_cell_1), V(emea_cell_2) (default all cells)."
      - "V(custom): any list at O(url), in O(format) V(text), V(json) or V(csv), with a O(selector)."
      - Every source accepts O(url) to use a mirror instead of the publisher.
      - A response that is not what the source publishes (an HTML error page instead of JSON, truncated JSON, an entry
        that is not an address, an empty list) is an error naming the URL. It never becomes an empty allowlist.
    type: list
    elements: str
    required: true
"""

    # The sources option of the egress_ranges_info module.
    MODULE_SOURCES = r"""
options:
  sources:
    description:
      - Source names; several return the sorted union.
      - "V(atlas): MongoDB Atlas App Services outbound IPs, from the published JSON (or CSV, chosen by the URL) files.
        O(provider) selects V(aws), V(azure), V(gcp) or V(all) (default)."
      - "V(atlas_control_plane): Atlas Admin API C(controlPlaneIPAddresses). Filters O(service) (V(controlPlane),
        V(data_federation), V(app_services); default all), O(direction) (V(inbound), V(outbound); default V(outbound)),
        O(provider) and O(region)."
      - "V(cloudgov): the two cloud.gov egress addresses. There is no machine-readable feed, so the list is bundled with
        the URL and date of the page that publishes it; O(verify=true) fetches the page and warns when it lists something else."
      - "V(aws): C(ip-ranges.json); filters O(region), O(service), O(network_border_group). Provenance has its C(syncToken) and C(createDate)."
      - "V(gcp): Google Cloud C(cloud.json); filters O(scope) and O(service)."
      - "V(github): the GitHub meta API; O(key) (required) such as V(hooks), V(actions), V(web), V(api), V(git)."
      - "V(cloudflare): Cloudflare's C(client/v4/ips) API. V(fastly): Fastly's C(public-ip-list)."
      - "V(atlassian): Atlassian's C(ip-ranges); filters O(product), O(direction) and O(region)."
      - "V(azure): Azure Service Tags, the weekly C(ServiceTags_Public_*.json) (or the C(AzureGovernment) / C(China) file).
        Its URL changes every week, so O(url) is required (the current file is linked from
        U(https://www.microsoft.com/en-us/download/details.aspx?id=56519)). Filters O(name) (tag names such as
        V(ActionGroup), V(AzureDevOps), V(AzureCloud.westeurope)), O(service) (C(systemService)) and O(region); at least
        one is required. Provenance has the file's C(changeNumber) and C(cloud)."
      - "V(stripe): the addresses Stripe sends webhooks from, C(ips_webhooks.json) (a URL ending in C(.txt) reads the text twin)."
      - "V(datadog): Datadog's C(ip-ranges); O(key) (required) such as V(webhooks), V(synthetics), V(api). Another Datadog
        site through O(url), e.g. U(https://ip-ranges.datadoghq.eu/). Provenance has its C(version) and C(modified)."
      - "V(okta): Okta's C(ip_ranges.json); O(cell) such as V(us_cell_1), V(emea_cell_2) (default all cells)."
      - "V(custom): any list at O(url), in O(format) V(text), V(json) or V(csv), with a O(selector)."
      - Every source accepts O(url) to use a mirror instead of the publisher.
      - A response that is not what the source publishes (an HTML error page instead of JSON, truncated JSON, an entry
        that is not an address, an empty list) is an error naming the URL. It never becomes an empty allowlist.
    type: list
    elements: str
    required: true
"""

    # The options shared by the lookup and the module.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Fetch from this URL instead of the publisher's (a mirror, or a proxy cache). Only with one source.
      - Required for V(custom) and V(azure). For V(cloudgov), the page that O(verify) reads.
      - A C(user:password@) part and the values of the query string are shown as C(***) wherever the URL
        is printed or returned (provenance, errors, warnings, the cache's metadata, the module's
        C(invocation)). Prefer O(headers) for tokens.
      - A plain C(http://) URL works, with a warning (anyone on the path can change the list).
      - Redirects (at most 5) are followed only from https to https, and never to a loopback, link-local
        or private address unless this URL already points at one (a mirror on loopback may redirect on
        loopback). Provenance keeps this URL and adds C(final_url).
    type: str
  ip_version:
    description: Which addresses to return.
    type: str
    choices: ['4', '6', 'all']
    default: all
  aggregate:
    description:
      - Collapse overlapping and adjacent prefixes per family (lossless, never a wider supernet).
      - Cannot be combined with O(details).
    type: bool
    default: false
  details:
    description:
      - Return one dictionary per address (C(address), C(version), C(sources), C(attributes) such as region
        and service, and C(provenance)) instead of CIDR strings.
    type: bool
    default: false
  strict:
    description:
      - An entry with host bits set (C(192.0.2.5/24)) is an error. With V(false) it is normalised
        (C(192.0.2.0/24)) with a warning.
    type: bool
    default: true
  provider:
    description:
      - "V(atlas): V(aws), V(azure), V(gcp) or V(all)."
      - "V(atlas_control_plane): cloud provider keys such as V(aws), V(azure), V(gcp)."
    type: list
    elements: str
  service:
    description:
      - "V(atlas_control_plane): V(controlPlane), V(data_federation), V(app_services)."
      - "V(aws): service names such as V(AMAZON), V(EC2), V(S3), V(CLOUDFRONT)."
      - "V(gcp): service names such as V(Google Cloud)."
      - "V(azure): a tag's C(systemService), such as V(AzureDevOps), V(ActionGroup)."
    type: list
    elements: str
  direction:
    description:
      - "V(atlas_control_plane): V(inbound) or V(outbound) (default V(outbound))."
      - "V(atlassian): V(egress) or V(ingress)."
    type: list
    elements: str
  region:
    description: Region names (V(atlas_control_plane), V(aws), V(atlassian)), e.g. V(us-east-1); V(azure), e.g. V(westeurope).
    type: list
    elements: str
  network_border_group:
    description: "V(aws): network border groups, e.g. V(us-east-1)."
    type: list
    elements: str
  scope:
    description: "V(gcp): scopes (regions), e.g. V(europe-west1)."
    type: list
    elements: str
  key:
    description:
      - "V(github): keys of the meta API, e.g. V(hooks), V(actions)."
      - "V(datadog): keys of the document, e.g. V(webhooks), V(synthetics), V(api). A key the document does not hold is an
        error that names the ones it holds."
    type: list
    elements: str
  product:
    description: "V(atlassian): products, e.g. V(jira), V(confluence)."
    type: list
    elements: str
  name:
    description:
      - "V(azure): Service Tag names, e.g. V(ActionGroup), V(AzureDevOps), V(AzureCloud.westeurope). A name the file does
        not list is an error naming the closest ones."
    type: list
    elements: str
  cell:
    description:
      - "V(okta): cells, e.g. V(us_cell_1), V(emea_cell_2) (Okta's support article maps org names such as OK1 or EU1 to
        cells). A cell the file does not list is an error naming the ones it lists."
    type: list
    elements: str
  verify:
    description: "V(cloudgov): fetch the publishing page and warn when it lists other addresses than the bundled ones."
    type: bool
  format:
    description: "V(custom): V(text) (one entry per line, C(#) comments), V(json) or V(csv). Default from the URL's extension, else V(text)."
    type: str
    choices: [text, json, csv]
  selector:
    description:
      - "V(custom) with V(json): a dotted path, where C(name[]) walks a list, e.g. V(prefixes[].ip_prefix) or V(result.ipv4_cidrs).
        Empty: the document is a list of strings."
      - "V(custom) with V(csv): a 0-based column number (default V(0), no header) or a header name."
    type: str
"""
