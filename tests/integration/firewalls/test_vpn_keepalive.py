# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The vpn_keepalive role writes a unit whose command really pings the target every interval.

systemd does not run here, so the test runs the unit's ExecStart itself in a client namespace and counts the
echo requests that reach the target namespace (an nft counter there).
"""

from __future__ import annotations

import configparser
import json
import shlex
import time

from tests.support.netns import link


def test_unit_and_its_command(netns, ansible, tmp_path):
    client, target = netns('cli'), netns('dns')
    link(client, target, ['10.20.0.100/24'], ['10.20.0.2/24'])
    target.run(['nft', '-f', '-'], data='add table inet t\nadd chain inet t input { type filter hook input priority 0; }\n'
               'add rule inet t input icmp type echo-request counter\n')
    unit_dir = tmp_path / 'units'
    unit_dir.mkdir()
    role = {'role': 'allowlist.egress.vpn_keepalive', 'vars': {'vpn_keepalive_target': '10.20.0.2',
                                                               'vpn_keepalive_interval': 1,
                                                               'vpn_keepalive_unit_dir': str(unit_dir)}}
    path = tmp_path / 'keepalive.yml'
    path.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False, 'roles': [role]}]))
    results, proc = ansible.run_playbook(str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'systemd does not run here' in proc.stdout
    unit = configparser.ConfigParser(interpolation=None)
    unit.read(str(unit_dir / 'allowlist-vpn-keepalive.service'))
    assert unit['Service']['Restart'] == 'always' and unit['Install']['WantedBy'] == 'multi-user.target'
    argv = shlex.split(unit['Service']['ExecStart'])
    assert argv[-1] == '10.20.0.2'
    results, proc = ansible.run_playbook(str(path))
    assert 'changed=0' in proc.stdout, proc.stdout

    pinger = client.popen(argv)
    time.sleep(3.5)
    pinger.terminate()
    pinger.wait()
    counted = json.loads(target.run(['nft', '-j', 'list', 'chain', 'inet', 't', 'input']).stdout)
    packets = [e['counter']['packets'] for item in counted['nftables'] if 'rule' in item
               for e in item['rule']['expr'] if 'counter' in e][0]
    assert 3 <= packets <= 5, packets

    path.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False,
                                 'roles': [dict(role, vars=dict(role['vars'], vpn_keepalive_state='absent'))]}]))
    results, proc = ansible.run_playbook(str(path))
    assert proc.returncode == 0 and list(unit_dir.iterdir()) == []

    path.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False,
                                 'roles': [dict(role, vars=dict(role['vars'], vpn_keepalive_target='dns.example'))]}]))
    results, proc = ansible.run_playbook(str(path))
    # The task's own message, not the screen: ansible-core before 2.19 prints it JSON-escaped (got \"dns.example\").
    failed = [r['msg'] for r in results.values() if r.get('_status') == 'failed']
    assert proc.returncode != 0 and 'must be an IP address (got "dns.example")' in ' '.join(failed), proc.stdout
