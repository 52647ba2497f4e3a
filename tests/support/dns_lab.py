# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The test bed of the dns_forwarder role: a forwarding host and a VPN DNS server, each in its own namespace.

    python -m tests.support.dns_lab up --state-dir DIR     # prints the state as JSON
    python -m tests.support.dns_lab down --state-dir DIR

`up` makes two network namespaces joined by a veth pair: the forwarder (192.0.2.1, 2001:db8::1), where the
role's DNS server runs, and the VPN side (192.0.2.53), where tests.support.dns_server answers for
*.outsystemsenterprise.com with private addresses and logs every query it gets. It writes DIR/python, an
interpreter that runs Ansible modules inside the forwarder's namespace, so the role (and the server it
starts) live there. `down` kills everything that runs in the two namespaces and removes them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from tests.support.netns import Netns, link

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UPSTREAM_ZONE = {
    'records': {
        'env-dev.outsystemsenterprise.com': {'A': ['10.10.1.5']},
        'env-prd.outsystemsenterprise.com': {'A': ['10.10.2.5']},
        # For the role's minimal variables: a zone with no port given.
        'host.corp.example': {'A': ['10.20.0.5']},
    },
}


def up(state_dir):
    os.makedirs(state_dir, exist_ok=True)
    # DNS_LAB_PREFIX: a namespace prefix of the caller's own, so that concurrent runs are told apart.
    prefix = os.environ.get('DNS_LAB_PREFIX') or 'ae'
    forwarder, vpn = Netns(prefix + '-dnsfwd').create(), Netns(prefix + '-dnsvpn').create()
    link(forwarder, vpn, ['192.0.2.1/24', '2001:db8::1/64'], ['192.0.2.53/24', '2001:db8::53/64'])
    zone = os.path.join(state_dir, 'upstream-zone.json')
    with open(zone, 'w') as f:
        json.dump(UPSTREAM_ZONE, f)
    log = os.path.join(state_dir, 'upstream-queries.log')
    open(log, 'w').close()
    with open(os.path.join(state_dir, 'upstream.out'), 'w') as out:
        upstream = subprocess.Popen(vpn.prefix + [sys.executable, '-m', 'tests.support.dns_server', '--zone', zone,
                                                  '--host', '192.0.2.53', '--port', '53', '--query-log', log],
                                    cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    for _attempt in range(100):
        if 'listening' in open(os.path.join(state_dir, 'upstream.out')).read():
            break
        time.sleep(0.05)
    else:
        raise SystemExit('the upstream DNS server did not start: %s' % open(os.path.join(state_dir, 'upstream.out')).read())
    python = forwarder.python_wrapper(os.path.join(state_dir, 'python'))
    state = {'forwarder': forwarder.name, 'vpn': vpn.name, 'upstream_pid': upstream.pid, 'upstream': '192.0.2.53',
             'query_log': log, 'python': python, 'state_dir': state_dir}
    with open(os.path.join(state_dir, 'state.json'), 'w') as f:
        json.dump(state, f)
    return state


def down(state_dir):
    try:
        with open(os.path.join(state_dir, 'state.json')) as f:
            state = json.load(f)
    except (IOError, ValueError):
        return {'removed': False}
    for name in (state['forwarder'], state['vpn']):
        ns = Netns()
        ns.name, ns.path = name, '/run/netns/%s' % name
        ns.destroy()
    os.unlink(os.path.join(state_dir, 'state.json'))
    return {'removed': True}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('action', choices=['up', 'down'])
    parser.add_argument('--state-dir', required=True)
    args = parser.parse_args()
    result = up(args.state_dir) if args.action == 'up' else down(args.state_dir)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
