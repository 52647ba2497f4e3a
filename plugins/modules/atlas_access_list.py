#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_access_list
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Sync addresses into a MongoDB Atlas project or App Services app access list
version_added: 0.1.0
description:
  - Makes the IP access list of an Atlas project (Admin API v2, C(/api/atlas/v2/groups/{group_id}/accessList)) or of
    an App Services app (C(/api/admin/v3.0/groups/{group_id}/apps/{app_id}/security/access_list)) hold a list of
    addresses, such as the OutSystems front-ends that P(allowlist.egress.outsystems_frontends#lookup) returns, so that
    a platform's egress addresses can reach the cluster or app.
  - "Ownership: every entry this module writes has a comment that starts with O(managed_comment_prefix). Unless
    O(exclusive=true), a O(state=replaced) sync only ever removes entries with that prefix: entries that people added
    by hand stay, and an address that is already on the list by hand is left as it is (RV(kept_unmanaged))."
  - O(remove_allow_all=true) removes a C(0.0.0.0/0) entry (a new App Services app allows every address by default),
    whoever added it, and RV(removed_allow_all) says so.
  - Reads every page of the list. HTTP 429 and 503 wait as long as C(Retry-After) asks, within O(max_retry_wait).
    Errors show Atlas's error code and the entry concerned. A project holds at most 200 entries (Atlas's documented
    limit); a sync that would exceed it fails before any change.
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
      - The diff lists the entries this module manages (all entries with O(exclusive=true)), before and after.
  idempotent:
    support: full
options:
  state:
    description:
      - As for every backend of this collection (see O(addresses)), without V(absent).
    type: str
    default: replaced
    choices: [replaced, merged, deleted, gathered, rendered]
  target:
    description: V(project) for an Atlas project's access list, V(app_services) for an App Services app's.
    type: str
    required: true
    choices: [project, app_services]
  group_id:
    description: The Atlas project (group) id.
    type: str
    required: true
  app_id:
    description: The App Services app's id (its internal C(_id)), for O(target=app_services).
    type: str
  public_key:
    description:
      - Public key of an Atlas API key (HTTP Digest for the Admin API; the App Services admin login).
      - Default from E(MONGODB_ATLAS_PUBLIC_KEY).
    type: str
  private_key:
    description:
      - Private key of that API key. Default from E(MONGODB_ATLAS_PRIVATE_KEY).
      - Give it here (from a vault), not with the C(environment) keyword, which Ansible prints at C(-vvv).
    type: str
  client_id:
    description:
      - Client id of an Atlas service account, instead of an API key (O(target=project) only; a Bearer token from
        C(/api/oauth/token)). Default from E(MONGODB_ATLAS_CLIENT_ID).
    type: str
  client_secret:
    description: The service account's secret. Default from E(MONGODB_ATLAS_CLIENT_SECRET).
    type: str
  base_url:
    description:
      - The API's base URL. Default V(https://cloud.mongodb.com) (project) or V(https://services.cloud.mongodb.com)
        (App Services).
    type: str
  comment:
    description:
      - Comment for entries without one of their own (the same as O(entry_comment)); written after
        O(managed_comment_prefix).
    type: str
  managed_comment_prefix:
    description:
      - The start of the comment of every entry this module writes, and how it knows its own entries.
    type: str
    default: allowlist.egress
  exclusive:
    description: Manage the whole list, including entries that other people added.
    type: bool
    default: false
  remove_allow_all:
    description: Remove a C(0.0.0.0/0) (or C(::/0)) entry, whoever added it.
    type: bool
    default: false
  timeout:
    description:
      - Seconds that each API call may take in all (connecting, TLS, headers and body), however slowly Atlas
        answers; a call that takes longer fails and is retried (O(retries)).
    type: float
    default: 30
  retries:
    description: Retries after a connection error, HTTP 5xx or 429.
    type: int
    default: 3
  max_retry_wait:
    description: Total seconds that retries may spend waiting (C(Retry-After) included).
    type: float
    default: 120
  validate_certs:
    description: Verify the server's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: A CA bundle to verify the server's certificate with.
    type: path
requirements:
  - requests
seealso:
  - plugin: allowlist.egress.outsystems_frontends
    plugin_type: lookup
  - name: Atlas Administration API, project IP access list
    description: The Admin API v2 endpoints this module uses.
    link: https://www.mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Project-IP-Access-List
  - name: App Services admin API, access list
    description: The App Services endpoints this module uses.
    link: https://www.mongodb.com/docs/atlas/app-services/admin/api/v3/#tag/security
"""

EXAMPLES = r"""
- name: OutSystems front-ends on an Atlas project's access list (run it nightly, e.g. an AWX schedule)
  allowlist.egress.atlas_access_list:
    target: project
    group_id: 5f1a2b3c4d5e6f7a8b9c0d1e
    addresses: "{{ query('allowlist.egress.outsystems_frontends', 'myenv-fe01', 'myenv-fe02', ip_version='4') }}"
    comment: OutSystems front-ends
    # Keys as options (from a vault), not with `environment:`, which -vvv prints.
    public_key: "{{ vault_atlas_public_key }}"
    private_key: "{{ vault_atlas_private_key }}"

- name: An App Services app, and remove the 0.0.0.0/0 that new apps allow
  allowlist.egress.atlas_access_list:
    target: app_services
    group_id: 5f1a2b3c4d5e6f7a8b9c0d1e
    app_id: 64b0c1d2e3f4a5b6c7d8e9f0
    addresses: "{{ query('allowlist.egress.egress_ranges', 'cloudgov') }}"
    remove_allow_all: true

- name: What the project's list holds
  allowlist.egress.atlas_access_list:
    target: project
    group_id: 5f1a2b3c4d5e6f7a8b9c0d1e
    state: gathered
  register: atlas_list
"""

RETURN = r"""
added:
  description:
    - Addresses the list allows after the sync and did not before (among managed entries), as CIDRs.
    - At most O(list_limit) entries (the first ones, in address order), unless C(--diff) or verbosity 2
      (C(-vv)) asks for all of them; RV(added_count) is the full number.
  returned: always
  type: list
  elements: str
removed:
  description:
    - Addresses removed from the managed entries, as CIDRs.
    - At most O(list_limit) entries (the first ones, in address order), unless C(--diff) or verbosity 2
      (C(-vv)) asks for all of them; RV(removed_count) is the full number.
  returned: always
  type: list
  elements: str
before_count:
  description: Managed entries before the sync (all entries with O(exclusive=true)).
  returned: always
  type: int
after_count:
  description: Managed entries after the sync.
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
  description: The API calls, in order (C(DELETE path), C(POST path entries), C(PATCH path entry)).
  returned: when O(return_commands=true), at verbosity 3 (C(-vvv)), or with O(state=rendered)
  type: list
  elements: str
removed_allow_all:
  description: Whether a C(0.0.0.0/0) entry was (or in check mode would be) removed.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: bool
kept_unmanaged:
  description: Addresses of the list that were already there by hand, left as they are.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: list
  elements: str
unmanaged:
  description: The entries without the managed prefix, which the sync did not touch.
  returned: when O(state) is V(replaced), V(merged) or V(deleted)
  type: list
  elements: dict
gathered:
  description: Every entry of the list, with its comment.
  returned: when O(state=gathered)
  type: list
  elements: dict
rendered:
  description: The calls that would put O(addresses) on an empty list.
  returned: when O(state=rendered)
  type: str
exists:
  description: Always true for an access list.
  returned: when O(state=gathered)
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _atlas_access_list as atlas


def main():
    module = AnsibleModule(argument_spec=atlas.argument_spec(), supports_check_mode=True,
                           required_if=[('target', 'app_services', ('app_id',))])
    if not atlas.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=atlas.REQUESTS_IMPORT_ERROR)
    params = dict(module.params)
    params['entry_comment'] = params['comment'] or params['entry_comment']

    def client():
        return atlas.AtlasClient(params['target'], base_url=params['base_url'], public_key=params['public_key'],
                                 private_key=params['private_key'], client_id=params['client_id'],
                                 client_secret=params['client_secret'], timeout=params['timeout'],
                                 retries=params['retries'], max_retry_wait=params['max_retry_wait'],
                                 validate_certs=params['validate_certs'], ca_path=params['ca_path'])

    _address_set.run_module(module, lambda: atlas.AtlasAccessList(
        client, params['target'], params['group_id'], app_id=params['app_id'], prefix=params['managed_comment_prefix'],
        # gathered shows every entry, whoever wrote it
        exclusive=params['exclusive'] or params['state'] == 'gathered', remove_allow_all=params['remove_allow_all']),
        params=params)


if __name__ == '__main__':
    main()
