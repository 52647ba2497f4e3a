# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.firewalld_ipset against a real firewalld (Debian's) in a network namespace, on a private D-Bus.

The module runs under the system Python (/usr/bin/python3, which has python3-firewall), as on a managed host, and
reaches the private bus through the task's `environment` keyword (DBUS_SYSTEM_BUS_ADDRESS).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT
from tests.integration.conftest import Ansible
from tests.integration.cases import module_task
from tests.support.firewalld_lab import SYSTEM_PYTHON, FirewalldLab
from tests.support.netns import link

MODULE = 'allowlist.egress.firewalld_ipset'
PREFIX = 'i14w'
PROBE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'support', 'tcp_probe.py')
PORT = 8080
SYNC = os.path.join(ROOT, 'playbooks', 'sync.yml')


# A zone of the test's own that opens the probe's port; interfaces stay in the default zone (public), which rejects it.
ZONE = 'i14w'
ZONE_XML = '<?xml version="1.0" encoding="utf-8"?>\n<zone><short>i14w</short><port protocol="tcp" port="%d"/></zone>\n' % PORT


@pytest.fixture
def lab(netns, tmp_path):
    """A firewalld in its own namespace, and an Ansible whose modules run there under the system Python."""
    yield from _lab(netns, tmp_path, PREFIX)


@pytest.fixture
def review_lab(netns, tmp_path):
    """The same lab, in namespaces named fxr-* (the tests of the review fixes)."""
    yield from _lab(netns, tmp_path, 'fxr')


def _lab(netns, tmp_path, prefix):
    if not os.path.exists('/usr/lib/python3/dist-packages/firewall/client.py'):
        pytest.fail('firewalld and python3-firewall are needed (make test installs them)')
    ns = netns(prefix)
    directory = tmp_path / 'firewalld'
    directory.mkdir()
    lab = FirewalldLab(ns, directory).start(zones={ZONE: ZONE_XML})
    ansible = Ansible(tmp_path, prefix=ns.prefix)
    ansible.env['ANSIBLE_PYTHON_INTERPRETER'] = SYSTEM_PYTHON
    yield ns, lab, ansible
    lab.stop()


def task(lab, title, **kwargs):
    result = module_task(MODULE, title, **kwargs)
    result['environment'] = {'DBUS_SYSTEM_BUS_ADDRESS': lab.address}
    return result


def run(ansible, tasks):
    results, proc = ansible.playbook(tasks)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results


FIRST = ['192.0.2.0/25', '192.0.2.128/25', '198.51.100.7', {'address': '203.0.113.0/28', 'comment': 'partner A'}]
FINAL = ['192.0.2.128/25', '198.51.100.7', '198.51.100.8']


def test_states_check_mode_diff_traffic_reload_drift_and_absent(lab, netns):
    ns, fw, ansible = lab
    # A peer with one address the list allows (198.51.100.7) and one it never does (198.51.100.9).
    peer = netns(PREFIX)
    link(ns, peer, ['198.51.100.1/24'], ['198.51.100.7/24', '198.51.100.9/24'])
    server = ns.popen([sys.executable, PROBE, 'serve', '--port', str(PORT)], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == 'ready'

    def connects(source):
        return peer.run([sys.executable, PROBE, 'connect', '--source', source, '--dest', '198.51.100.1', '--port',
                         str(PORT), '--timeout', '2'], check=False).returncode == 0

    pristine = fw.state()
    results = run(ansible, [
        task(fw, 'plan', check=True, diff=True, name='allow', zone=ZONE, addresses=FIRST, return_commands=True),
        task(fw, 'gather missing', name='allow', state='gathered'),
        task(fw, 'render', name='allow', state='rendered', addresses=FIRST),
    ])
    assert fw.state() == pristine  # check mode, gathered and rendered change nothing
    assert not connects('198.51.100.7') and not connects('198.51.100.9')
    plan = results['plan']
    assert plan['changed'] and plan['added'] == ['192.0.2.0/24', '198.51.100.7/32', '203.0.113.0/28']
    assert plan['diff']['after'] == '192.0.2.0/24\n198.51.100.7/32\n203.0.113.0/28\n'
    assert plan['commands'] == ['permanent: create ipset allow type hash:net family inet with 3 entries',
                                'permanent: zone i14w add source ipset:allow',
                                'reload (firewalld 1.x creates runtime ipsets only from the permanent configuration)']
    assert results['gather missing']['exists'] is False
    assert results['render']['rendered'].splitlines()[1:] == [
        '<ipset type="hash:net">', '  <option name="family" value="inet"/>', '  <entry>192.0.2.0/24</entry>',
        '  <entry>198.51.100.7</entry>', '  <entry>203.0.113.0/28</entry>', '</ipset>']

    results = run(ansible, [
        task(fw, 'create', name='allow', zone=ZONE, addresses=FIRST),
        task(fw, 'again', name='allow', zone=ZONE, addresses=FIRST, return_commands=True),
        task(fw, 'same list spelled otherwise', name='allow', zone=ZONE,
             addresses=['198.51.100.7/32', '192.0.2.0/24', '192.0.2.77/26', '203.0.113.0-203.0.113.15']),
        task(fw, 'merge one', name='allow', state='merged', addresses=['198.51.100.8'], return_commands=True),
        task(fw, 'merge again', name='allow', state='merged', addresses=['198.51.100.8']),
        task(fw, 'delete half', name='allow', state='deleted', addresses=['192.0.2.0/25']),
        task(fw, 'replace', diff=True, return_commands=True, name='allow', addresses=FINAL),
        task(fw, 'gather', name='allow', state='gathered'),
    ])
    create = results['create']
    assert create['changed'] and create['reloaded'] is True and create['set_type'] == 'hash:net'
    for name in ('again', 'same list spelled otherwise', 'merge again'):
        assert results[name]['changed'] is False and results[name]['added_count'] == results[name]['removed_count'] == 0, name
    assert results['again']['commands'] == []
    # An existing ipset: one bulk call per configuration, and no reload.
    assert results['merge one']['commands'] == ['permanent: setEntries allow (4 entries)',
                                                'runtime: setEntries allow (4 entries)']
    assert results['merge one']['reloaded'] is False
    assert results['delete half']['removed'] == ['192.0.2.0/25']
    replace = results['replace']
    assert replace['removed'] == ['203.0.113.0/28'] and replace['added'] == []
    assert replace['diff']['after'] == '192.0.2.128/25\n198.51.100.7/32\n198.51.100.8/32\n'
    assert results['gather']['gathered'] == [{'address': a if '/' in a else a + '/32', 'comment': None} for a in FINAL]
    # Through firewalld (permanent and runtime), in its XML and in the kernel, all alike; and real traffic.
    state = fw.query(ZONE)
    assert state['permanent'] == state['runtime'] == {'allow': FINAL}
    assert state['sources'][ZONE] == {'permanent': ['ipset:allow'], 'runtime': ['ipset:allow']}
    assert fw.nft_elements('allow') == FINAL
    with open(os.path.join(fw.config, 'ipsets', 'allow.xml')) as f:
        assert '<entry>198.51.100.8</entry>' in f.read()
    assert connects('198.51.100.7') and not connects('198.51.100.9')

    # A reload loads the permanent configuration: the list and the binding survive it.
    state = fw.query(ZONE, reload=True)
    assert state['runtime'] == {'allow': FINAL} and state['sources'][ZONE]['runtime'] == ['ipset:allow']
    assert fw.nft_elements('allow') == FINAL
    assert connects('198.51.100.7') and not connects('198.51.100.9')

    # Runtime drift (firewall-cmd without --permanent) is put back in step with the permanent list.
    fw.cmd(['--ipset=allow', '--add-entry=198.51.100.9'])
    assert connects('198.51.100.9')
    results = run(ansible, [task(fw, 'resync', name='allow', addresses=FINAL, return_commands=True)])
    assert results['resync']['changed'] and results['resync']['runtime_synced'] is True
    assert results['resync']['commands'] == ['runtime: setEntries allow (3 entries)']
    assert fw.nft_elements('allow') == FINAL and not connects('198.51.100.9')

    results = run(ansible, [
        task(fw, 'absent check', check=True, name='allow', state='absent', return_commands=True),
        task(fw, 'absent', name='allow', state='absent'),
        task(fw, 'absent again', name='allow', state='absent'),
    ])
    assert results['absent check']['commands'] == ['runtime: zone i14w remove source ipset:allow',
                                                   'permanent: zone i14w remove source ipset:allow',
                                                   'permanent: remove ipset allow', 'reload (drops the runtime ipset)']
    assert results['absent']['changed'] and not results['absent again']['changed']
    state = fw.query(ZONE)
    assert state['permanent'] == state['runtime'] == {}
    assert state['sources'][ZONE] == {'permanent': [], 'runtime': []}
    assert fw.nft_elements('allow') is None and not connects('198.51.100.7')
    assert not os.path.exists(os.path.join(fw.config, 'ipsets', 'allow.xml'))


def test_families_types_guards_bad_input_and_missing_prerequisites(lab):
    ns, fw, ansible = lab
    ten = ['192.0.2.%d' % (i * 2) for i in range(10)]
    results = run(ansible, [
        task(fw, 'seed', name='allow', zone=ZONE, addresses=ten),
        task(fw, 'other', name='other', zone='work', addresses=['198.51.100.1']),
        task(fw, 'v6', name='atlas_v6', addresses=['2001:db8::/48', '2001:DB8:1::/48']),
        task(fw, 'v6 again', name='atlas_v6', addresses=['2001:db8::/47']),
        task(fw, 'hosts', name='hosts', set_type='hash:ip', addresses=['192.0.2.0/30', '192.0.2.9']),
        task(fw, 'hosts again', name='hosts', addresses=['192.0.2.0', '192.0.2.1', '192.0.2.2-192.0.2.3', '192.0.2.9']),
        task(fw, 'everything', name='all', addresses=['0.0.0.0/0'], allow_anywhere=True),
        task(fw, 'everything again', name='all', addresses=['0.0.0.0/0'], allow_anywhere=True),
    ])
    assert results['v6']['family'] == 'inet6' and results['v6 again']['changed'] is False
    assert results['hosts again']['changed'] is False and results['everything again']['changed'] is False
    state = fw.query()
    hosts = ['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.9']
    assert state['permanent'] == state['runtime'] == {
        'allow': sorted(ten), 'other': ['198.51.100.1'], 'atlas_v6': ['2001:db8::/47'], 'hosts': hosts,
        'all': ['0.0.0.0/1', '128.0.0.0/1']}
    assert fw.nft_elements('hosts') == hosts
    # A rich rule of the administrator's that names an ipset: firewalld would remove the ipset and fail its next reload.
    fw.cmd(['--permanent', '--zone=public', '--add-rich-rule=rule family="ipv4" source ipset="hosts" service name="ssh" accept'])

    before = fw.state()
    cases = [
        ('empty source', dict(name='allow', addresses=[]), ['Refusing to remove 10 of 10 IPv4 addresses']),
        ('growth', dict(name='allow', addresses=ten + ['198.51.100.0/24'], max_additions='100%'),
         ['Refusing to add 256 IPv4 addresses to the 10']),
        ('not an address', dict(name='allow', addresses=ten + ['192.0.2.1/33']), ["'192.0.2.1/33'", 'addresses[10]']),
        ('anywhere', dict(name='allow', addresses=ten + ['0.0.0.0/0']), ['0.0.0.0/0', 'addresses[10]']),
        ('loopback', dict(name='allow', addresses=ten + ['127.0.0.1']), ['127.0.0.1', 'addresses[10]']),
        ('injection in name', dict(name='allow; rm', addresses=ten), ["'allow; rm'"]),
        ('name too long', dict(name='x' * 32, addresses=ten), ['31 characters']),
        ('other family', dict(name='allow', addresses=['2001:db8::1']), ['family inet', 'IPv6']),
        ('type clash', dict(name='allow', set_type='hash:ip', addresses=ten), ['exists with set_type hash:net']),
        ('too wide for hash:ip', dict(name='new', set_type='hash:ip', addresses=['10.0.0.0/8']),
         ['10.0.0.0/8 is too wide']),
        ('unknown zone', dict(name='allow', zone='nosuchzone', addresses=ten), ["'nosuchzone'", 'no such zone']),
        ('bound elsewhere', dict(name='other', zone=ZONE, addresses=['198.51.100.1']),
         ['already a source of the permanent zone work']),
        ('bad comment', dict(name='allow', addresses=ten, entry_comment='a\u202eb'), ['U+202E', 'entry_comment']),
        ('bad guard', dict(name='allow', addresses=ten, max_removals='-1'), ["max_removals '-1'"]),
        ('used by a rich rule', dict(name='hosts', state='absent'), ['rich rules still use it', 'zone public: rule']),
    ]
    results = run(ansible, [task(fw, c[0], ignore_errors=True, **c[1]) for c in cases])
    for title, _args, fragments in cases:
        assert results[title]['_status'] == 'failed', title
        for fragment in fragments:
            assert fragment in results[title]['msg'], (title, results[title]['msg'])
    assert fw.state() == before

    # The module under an interpreter without python3-firewall, then with firewalld stopped: clear errors.
    ansible.env['ANSIBLE_PYTHON_INTERPRETER'] = sys.executable  # the tests' virtualenv
    results = run(ansible, [task(fw, 'venv', name='allow', addresses=ten, ignore_errors=True)])
    assert results['venv']['_status'] == 'failed'
    assert 'python3-firewall' in results['venv']['msg']
    assert 'ansible_python_interpreter=/usr/bin/python3' in results['venv']['msg']
    ansible.env['ANSIBLE_PYTHON_INTERPRETER'] = SYSTEM_PYTHON
    fw.stop()
    results = run(ansible, [task(fw, 'stopped', name='allow', addresses=ten, ignore_errors=True),
                            task(fw, 'render', name='allow', state='rendered', addresses=['192.0.2.1'])])
    assert results['stopped']['_status'] == 'failed'
    assert 'firewalld is not reachable' in results['stopped']['msg'] and fw.address in results['stopped']['msg']
    assert '<entry>192.0.2.1</entry>' in results['render']['rendered']  # rendered needs no firewalld


def test_egress_sync_target(lab, tmp_path):
    """The pipeline into firewalld: IPv4 into `name`, IPv6 into `name6`, comments of the sources dropped."""
    ns, fw, ansible = lab
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': {
        'fw': {'ansible_connection': 'local', 'ansible_python_interpreter': SYSTEM_PYTHON},
        'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
    # A local connection: the module inherits the controller's environment, so the private bus is found.
    ansible.env['DBUS_SYSTEM_BUS_ADDRESS'] = fw.address
    variables = {'egress_sync_hosts': 'fw', 'ansible_become': False,
                 'egress_sync_sources': [{'type': 'static', 'addresses': ['192.0.2.0/28', '198.51.100.7', '2001:db8::7'],
                                          'comment': 'partners'}],
                 'egress_sync_targets': [{'backend': 'firewalld_ipset', 'name': 'egress4', 'name6': 'egress6',
                                          'zone': ZONE}]}
    pristine = fw.state()
    results, proc = ansible.run_playbook(SYNC, check=True, diff=True, extra_vars=variables, inventory=str(inventory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert fw.state() == pristine
    results, proc = ansible.run_playbook(SYNC, extra_vars=variables, inventory=str(inventory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    synced = [r['result'] for r in ansible.last_results if r['task'].endswith('Sync the plan into every target')][0]
    assert [(t['backend'], t['object'], t['added_count']) for t in synced['targets']] == [
        ('firewalld_ipset', 'egress4', 2), ('firewalld_ipset', 'egress6', 1)]
    state = fw.query(ZONE)
    assert state['permanent'] == state['runtime'] == {'egress4': ['192.0.2.0/28', '198.51.100.7'],
                                                      'egress6': ['2001:db8::7']}
    assert state['sources'][ZONE]['runtime'] == ['ipset:egress4', 'ipset:egress6']
    results, proc = ansible.run_playbook(SYNC, extra_vars=variables, inventory=str(inventory))
    assert proc.returncode == 0 and 'changed=0' in proc.stdout, proc.stdout


def test_a_zone_that_restricts_nothing_warns_and_the_report_names_each_source(review_lab, tmp_path):
    """firewalld's default zone, and a zone with an interface, handle every packet of their interfaces: binding the
    ipset there opens nothing less, and the module says so (read over D-Bus: the default zone, the zone's interfaces,
    runtime ones too). firewalld stores no comments, yet plan.json names the source of each addition."""
    ns, fw, ansible = review_lab
    # The ipsets first: a new ipset reloads firewalld, which drops a runtime-only interface binding.
    run(ansible, [task(fw, 'new %s' % name, name=name, addresses=['192.0.2.1']) for name in 'abc'])
    ns.run(['ip', 'link', 'add', 'fxr0', 'type', 'veth', 'peer', 'name', 'fxr1'])  # no dummy module here
    fw.cmd(['--zone=work', '--add-interface=fxr0'])  # runtime only, as NetworkManager binds interfaces
    _results, proc = ansible.playbook([task(fw, 'default zone', name='a', zone='public', addresses=['192.0.2.1']),
                                       task(fw, 'interface', name='b', zone='work', addresses=['192.0.2.1']),
                                       task(fw, 'dedicated', name='c', zone=ZONE, addresses=['192.0.2.1'])])
    output = ' '.join((proc.stdout + proc.stderr).split())  # a warning may be wrapped over lines
    assert proc.returncode == 0, output
    assert ('Binding firewalld ipset a to the zone public restricts nothing: it is the default zone' in output
            and 'Binding firewalld ipset b to the zone work restricts nothing: the interfaces fxr0 are bound' in output)
    assert 'firewalld ipset c' not in output and 'zone %s restricts' % ZONE not in output

    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': {
        'fw': {'ansible_connection': 'local', 'ansible_python_interpreter': SYSTEM_PYTHON},
        'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
    ansible.env['DBUS_SYSTEM_BUS_ADDRESS'] = fw.address
    report = tmp_path / 'report'
    variables = {'egress_sync_hosts': 'fw', 'ansible_become': False, 'egress_sync_report_dir': str(report),
                 'egress_sync_sources': [{'type': 'static', 'addresses': ['192.0.2.0/28'], 'comment': 'partners'},
                                         {'type': 'static', 'addresses': ['198.51.100.7'], 'comment': 'office'}],
                 'egress_sync_targets': [{'backend': 'firewalld_ipset', 'name': 'egress4', 'zone': ZONE}]}
    _results, proc = ansible.run_playbook(SYNC, extra_vars=variables, inventory=str(inventory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(str(report / 'plan.json')) as f:
        (target,) = json.load(f)['targets']
    assert target['added'] == [{'address': '192.0.2.0/28', 'source': 'partners'},
                               {'address': '198.51.100.7/32', 'source': 'office'}]
    with open(str(report / 'plan.md')) as f:
        text = f.read()
    assert '| + | 192.0.2.0/28 | `partners` |' in text and '(several)' not in text
