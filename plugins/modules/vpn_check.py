#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: vpn_check
author: Allowlist Egress maintainers (@allowlist-egress)
short_description: Check an OutSystems Cloud VPN the way the troubleshooting guide does
version_added: 0.1.0
description:
  - Runs the OutSystems VPN troubleshooting guide as checks, from the managed host, and returns each result with
    the guide's diagnosis.
  - Pings each OutSystems DNS server private IP (the only hosts that answer ICMP over the VPN).
  - Resolves the environment name through the local resolver (or O(resolver)) and checks that the answer is a
    private address, which shows that the conditional forwarder for C(outsystemsenterprise.com) works.
  - Opens TCP 443, and 80 unless the edition is Sentry, to the addresses the environment resolved to.
  - Changes nothing.
extends_documentation_fragment:
  - allowlist.egress.attributes
  - allowlist.egress.attributes.info_module
options:
  dns_servers:
    description: The private IP addresses of the OutSystems DNS servers that the VPN set-up names.
    type: list
    elements: str
    required: true
  environment_fqdn:
    description: An environment's name, such as V(example-dev.outsystemsenterprise.com).
    type: str
    required: true
  edition:
    description: V(sentry) environments accept HTTPS only, so port 80 is not checked.
    type: str
    choices: [standard, sentry]
    default: standard
  resolver:
    description: The DNS server to resolve through. Default the host's resolver (C(/etc/resolv.conf)).
    type: str
  timeout:
    description: Seconds to wait for each ping, query and connection.
    type: float
    default: 3
  fail_on_problem:
    description: Fail when any check fails (the result still has every check).
    type: bool
    default: true
requirements:
  - dnspython
  - ping (iputils-ping)
notes:
  - The role P(allowlist.egress.dns_forwarder#role) configures the conditional forwarder that the DNS check looks for.
"""

EXAMPLES = r"""
- name: Check the VPN to OutSystems Cloud
  allowlist.egress.vpn_check:
    dns_servers: [10.0.0.2, 10.0.0.3]
    environment_fqdn: example-dev.outsystemsenterprise.com
  register: vpn

- name: Report without failing
  allowlist.egress.vpn_check:
    dns_servers: [10.0.0.2]
    environment_fqdn: example-prd.outsystemsenterprise.com
    edition: sentry
    fail_on_problem: false
  register: vpn

- name: Show what is wrong
  ansible.builtin.debug:
    msg: "{{ vpn.checks | rejectattr('ok') | map(attribute='diagnosis') | list }}"
"""

RETURN = r"""
ok:
  description: Whether every check passed.
  returned: always
  type: bool
checks:
  description: One result per check, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: V(ping_dns_server), V(resolve_environment), V(tcp_443) or V(tcp_80).
      type: str
    target:
      description: What was checked (an address, the name, or name:port).
      type: str
    ok:
      description: Whether it passed.
      type: bool
    detail:
      description: What was seen (ping's summary, the addresses, the connection error).
      type: str
    diagnosis:
      description: The guide's advice when the check failed, else null.
      type: str
  sample:
    - name: resolve_environment
      target: example-dev.outsystemsenterprise.com
      ok: false
      detail: 203.0.113.5
      diagnosis: "The environment resolves to a public address: your resolver does not forward ..."
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.allowlist.egress.plugins.module_utils import _vpn_check
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dns_servers=dict(type='list', elements='str', required=True),
            environment_fqdn=dict(type='str', required=True),
            edition=dict(type='str', choices=list(_vpn_check.EDITIONS), default=_vpn_check.DEFAULT_EDITION),
            resolver=dict(type='str'),
            timeout=dict(type='float', default=_vpn_check.DEFAULT_TIMEOUT),
            fail_on_problem=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    if not _vpn_check.HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib('dnspython'), exception=_vpn_check.DNSPYTHON_IMPORT_ERROR)
    params = module.params

    def run(argv):
        binary = module.get_bin_path(argv[0], required=True)
        return module.run_command([binary] + argv[1:])

    try:
        checks = _vpn_check.run_checks(run, params['dns_servers'], params['environment_fqdn'], edition=params['edition'],
                                       timeout=params['timeout'], resolver=params['resolver'])
    except EgressError as error:
        module.fail_json(msg=str(error))
    ok = all(c['ok'] for c in checks)
    if not ok and params['fail_on_problem']:
        failed = ['%s %s: %s' % (c['name'], c['target'], c['diagnosis']) for c in checks if not c['ok']]
        module.fail_json(msg='VPN check found %d problem(s): %s' % (len(failed), ' | '.join(failed)), ok=ok, checks=checks)
    module.exit_json(changed=False, ok=ok, checks=checks)


if __name__ == '__main__':
    main()
