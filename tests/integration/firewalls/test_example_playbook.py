# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The README's playbook (playbooks/nftables_allowlist.yml), run as written, with real DNS and real traffic."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.integration.conftest import Ansible
from tests.integration.firewalls.test_traffic import PROBE
from tests.support.netns import link

PLAYBOOK = os.path.join(ROOT, 'playbooks', 'nftables_allowlist.yml')


def wait_for_file(path):
    for _attempt in range(100):
        if os.path.exists(path) and open(path).read().strip():
            return open(path).read().strip()
        time.sleep(0.05)
    raise AssertionError('%s never appeared' % path)


def test_readme_shows_the_tested_playbook():
    with open(os.path.join(ROOT, 'README.md')) as f:
        readme = f.read()
    with open(PLAYBOOK) as f:
        playbook = f.read()
    assert playbook.split('\n', 1)[1] in readme, 'README.md must show playbooks/nftables_allowlist.yml as it is'


@pytest.mark.parametrize('fqcn', [False, True])
def test_example_playbook_end_to_end(netns, tmp_path, fqcn):
    server, client = netns('srv'), netns('cli')
    link(server, client, ['192.0.2.1/24'], ['192.0.2.10/24', '192.0.2.11/24', '192.0.2.12/24'])
    port_file = str(tmp_path / 'dns-port')
    server.popen([sys.executable, '-m', 'tests.support.dns_server', '--zone', os.path.join(ROOT, 'demo', 'zone.json'),
                  '--port-file', port_file], cwd=ROOT, stdout=subprocess.DEVNULL)
    dns_port = int(wait_for_file(port_file))
    web = server.popen([sys.executable, PROBE, 'serve', '--port', '8080'], stdout=subprocess.PIPE, text=True)
    assert web.stdout.readline().strip() == 'ready'

    ansible = Ansible(tmp_path, prefix=server.prefix)
    extra = {'egress_hosts': 'localhost', 'ansible_become': False, 'allow_port': 8080,
             'nftables_dir': str(tmp_path / 'nftables.d'), 'outsystems_frontends': ['demo-fe01', 'demo-fe02'],
             'outsystems_dns': {'nameservers': ['127.0.0.1'], 'port': dns_port}}
    playbook = 'allowlist.egress.nftables_allowlist' if fqcn else PLAYBOOK

    results, proc = ansible.run_playbook(playbook, check=True, diff=True, extra_vars=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = results['Sync them into the set, in one transaction (also written for the next boot)']
    assert plan['changed'] and '192.0.2.11/32\n192.0.2.12/32\n' in plan['diff']['after']
    assert '52.222.122.97/32' in plan['diff']['after']
    assert server.nft_set('inet', 'filter', 'egress_allow_v4') is None, 'check mode changed the kernel'

    results, proc = ansible.run_playbook(playbook, extra_vars=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['Load the rule']['changed']
    connect = [sys.executable, PROBE, 'connect', '--dest', '192.0.2.1', '--port', '8080', '--timeout', '0.5', '--source']
    assert client.run(connect + ['192.0.2.11'], check=False).returncode == 0
    assert client.run(connect + ['192.0.2.12'], check=False).returncode == 0
    assert client.run(connect + ['192.0.2.10'], check=False).returncode == 1, 'an address not in the set got through'

    results, proc = ansible.run_playbook(playbook, extra_vars=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'ok=5 ' in proc.stdout and 'changed=0' in proc.stdout, proc.stdout
