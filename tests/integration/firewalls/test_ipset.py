# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.ipset through ansible-playbook, against the kernel of a fresh network namespace."""

from __future__ import annotations

import fcntl
import json
import os
import sys

import pytest

from tests.conftest import COLLECTIONS
from tests.integration.cases import assert_refused_without_change, module_task
from tests.integration.conftest import Ansible

MODULE = 'allowlist.egress.ipset'


def task(title, **kwargs):
    return module_task(MODULE, title, **kwargs)


FIRST = ['192.0.2.0/25', '192.0.2.128/25', '198.51.100.7', {'address': '203.0.113.0/28', 'comment': 'partner A'}]


def test_states_check_mode_diff_idempotence(host):
    ns, ansible = host
    results, proc = ansible.playbook([
        task('plan', check=True, diff=True, name='allow', addresses=FIRST, return_commands=True),
        task('gather missing', name='allow', state='gathered'),
        task('create', name='allow', addresses=FIRST),
        task('again', name='allow', addresses=FIRST, return_commands=True),
        task('same list spelled otherwise', name='allow',
             addresses=['198.51.100.7/32', '192.0.2.0/24', '192.0.2.77/26',
                        {'address': '203.0.113.0-203.0.113.15', 'comment': 'partner A'}]),
        task('merge one', name='allow', state='merged', addresses=['198.51.100.8'], return_commands=True),
        task('merge again', name='allow', state='merged', addresses=['198.51.100.8']),
        task('delete half', name='allow', state='deleted', addresses=['192.0.2.0/25']),
        task('replace', diff=True, return_commands=True, name='allow',
             addresses=['192.0.2.128/25', '198.51.100.7', '198.51.100.8', {'address': '203.0.113.0/28', 'comment': 'partner B'}]),
        task('gather', name='allow', state='gathered'),
        task('render', name='allow', state='rendered', addresses=['192.0.2.10', '198.51.100.0/24']),
        task('absent check', check=True, name='allow', state='absent'),
        task('absent', name='allow', state='absent'),
        task('absent again', name='allow', state='absent'),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = results['plan']
    assert plan['changed'] and plan['added'] == ['192.0.2.0/24', '198.51.100.7/32', '203.0.113.0/28']
    assert plan['diff']['after'] == '192.0.2.0/24\n198.51.100.7/32\n203.0.113.0/28  # partner A\n'
    # A new set is filled under the temporary name and renamed when complete.
    tmp = plan['commands'][0].split()[1]
    assert tmp.startswith('ae-swap-') and plan['commands'][0] == 'create %s hash:net family inet maxelem 65536 comment' % tmp
    assert plan['commands'][-1] == 'rename %s allow' % tmp
    assert results['gather missing']['exists'] is False
    assert results['create']['changed'] and results['create']['swapped'] is False
    assert results['again']['commands'] == [] and 'commands' not in results['create']
    for name in ('again', 'same list spelled otherwise', 'merge again'):
        assert results[name]['changed'] is False and results[name]['added_count'] == results[name]['removed_count'] == 0, name
    assert results['merge one']['commands'] == ['add allow 198.51.100.8'] and results['merge one']['swapped'] is False
    assert results['delete half']['removed'] == ['192.0.2.0/25']
    replace = results['replace']
    assert replace['swapped'] is True and replace['commands'][-2:] == ['swap ae-swap-%s allow' % replace['commands'][0].split()[1][8:],
                                                                       'destroy %s' % replace['commands'][0].split()[1]]
    assert '203.0.113.0/28  # partner B' in replace['diff']['after']
    assert results['gather']['gathered'][-1] == {'address': '203.0.113.0/28', 'comment': 'partner B'}
    assert results['render']['rendered'].splitlines()[1:] == ['add allow 192.0.2.10', 'add allow 198.51.100.0/24']
    assert results['absent check']['changed'] and results['absent']['changed'] and not results['absent again']['changed']
    assert ns.ipset_entries('allow') is None
    # The temporary set of the swap is gone.
    assert ns.run(['ipset', 'list', '-n']).stdout.split() == []


def test_ipv6_hash_ip_maxelem_and_zero_prefix(host):
    ns, ansible = host
    results, proc = ansible.playbook([
        task('v6', name='atlas_v6', addresses=['2001:db8::/48', '2001:DB8:1::/48']),
        task('v6 again', name='atlas_v6', addresses=['2001:db8::/47']),
        task('hosts', name='hosts', set_type='hash:ip', addresses=['192.0.2.0/30', '192.0.2.9']),
        task('hosts again', name='hosts', addresses=['192.0.2.0', '192.0.2.1', '192.0.2.2-192.0.2.3', '192.0.2.9']),
        task('too wide for hash:ip', name='hosts', addresses=['10.0.0.0/8'], ignore_errors=True),
        task('small', name='small', maxelem=4, addresses=['192.0.2.%d' % (i * 2) for i in range(4)]),
        task('grow by merging', name='small', state='merged', addresses=['198.51.100.%d' % (i * 2) for i in range(3)]),
        task('everything', name='all', addresses=['0.0.0.0/0'], allow_anywhere=True),
        task('everything again', name='all', addresses=['0.0.0.0/0'], allow_anywhere=True),
        task('type clash', name='hosts', set_type='hash:net', addresses=['192.0.2.1'], ignore_errors=True),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['v6']['family'] == 'inet6' and results['v6 again']['changed'] is False
    assert ns.ipset_entries('atlas_v6') == ['2001:db8::/47']
    assert ns.ipset_entries('hosts') == ['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.9']
    assert results['hosts again']['changed'] is False
    assert 'hash:ip, which holds single addresses (use set_type=hash:net); 10.0.0.0/8 is too wide' in results['too wide for hash:ip']['msg']
    grown = results['grow by merging']
    assert grown['maxelem'] == 7 and grown['maxelem_grown'] is True and grown['swapped'] is True
    assert 'maxelem 7' in ns.run(['ipset', 'save', 'small']).stdout and len(ns.ipset_entries('small')) == 7
    assert ns.ipset_entries('all') == ['0.0.0.0/1', '128.0.0.0/1']
    assert results['everything again']['changed'] is False
    assert 'exists with set_type hash:ip, not hash:net' in results['type clash']['msg']


def test_max_removals_and_bad_input_leave_the_kernel_unchanged(host):
    ns, ansible = host
    ns.run(['ipset', 'restore'], data='create allow hash:net comment\n' +
           ''.join('add allow 192.0.2.%d\n' % (i * 2) for i in range(10)))
    ns.run(['iptables', '-A', 'INPUT', '-p', 'tcp', '-m', 'set', '--match-set', 'allow', 'src', '-j', 'ACCEPT'])
    assert 'xt match set' in ns.ruleset()
    bad = [
        ('empty source', dict(name='allow', addresses=[]), ['Refusing to remove 10 of 10 IPv4 addresses']),
        ('not an address', dict(name='allow', addresses=['192.0.2.1', '192.0.2.1/33']), ["'192.0.2.1/33'", 'addresses[1]']),
        ('injection in name', dict(name='allow; ipset flush', addresses=['192.0.2.1']), ["'allow; ipset flush'"]),
        ('name too long', dict(name='x' * 32, addresses=['192.0.2.1']), ['31 characters']),
        ('quote in comment', dict(name='allow', entry_comment='x"y', addresses=['192.0.2.1']), ['double quote']),
        ('other family', dict(name='allow', addresses=['2001:db8::1']), ['family inet', 'IPv6']),
        ('referenced set', dict(name='allow', state='absent'), ['iptables -m set']),
    ]
    assert_refused_without_change(ns, ansible, MODULE, bad)


def test_persist_and_lock(host, netns, tmp_path):
    ns, ansible = host
    (tmp_path / 'ipsets').mkdir()
    path = str(tmp_path / 'ipsets' / 'allow.save')
    addresses = ['192.0.2.0/24', {'address': '198.51.100.7', 'comment': 'partner A'}]
    lock_file = str(tmp_path / 'allow.lock')
    results, proc = ansible.playbook([
        task('persist', name='allow', addresses=addresses, persist=path),
        task('persist again', name='allow', addresses=addresses, persist=path),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['persist']['persisted'] == path and results['persist again']['changed'] is False
    rebooted = netns('boot')
    rebooted.run(['ipset', 'restore', '-exist', '-f', path])
    assert rebooted.ipset_entries('allow') == ['192.0.2.0/24', '198.51.100.7 comment "partner A"']
    # A second boot-time load over the existing set works too (-exist, flush).
    rebooted.run(['ipset', 'restore', '-exist', '-f', path])
    assert rebooted.ipset_entries('allow') == ['192.0.2.0/24', '198.51.100.7 comment "partner A"']

    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        results, proc = ansible.playbook([task('locked', name='allow', addresses=['192.0.2.1'], lock_file=lock_file,
                                               lock_timeout=0.5, force=True, ignore_errors=True)])
    finally:
        os.close(fd)
    assert 'waiting for the lock' in results['locked']['msg']
    assert ns.ipset_entries('allow') == ['192.0.2.0/24', '198.51.100.7 comment "partner A"']


@pytest.fixture
def hfw(netns, tmp_path):
    ns = netns('hfw')
    return ns, Ansible(tmp_path, prefix=ns.prefix)


def test_comments_names_and_persist_paths_are_refused_before_anything(hfw, tmp_path):
    ns, ansible = hfw
    ns.run(['ipset', 'restore'], data='create allow hash:net comment\nadd allow 192.0.2.0/24 comment "kept"\n')
    names = ns.run(['ipset', 'list', '-n']).stdout
    long_comment = 'ç' * 128  # 128 characters, 256 bytes: one more than ipset keeps
    bad = [
        ('comment over 255 bytes, new set', dict(name='fresh', addresses=[{'address': '192.0.2.1', 'comment': long_comment}]),
         ['addresses[0]', 'at most 255 bytes in UTF-8 (this one is 256)']),
        ('comment over 255 bytes', dict(name='allow', entry_comment=long_comment, addresses=['192.0.2.0/24']),
         ['entry_comment', '255 bytes']),
        ('comment read as an option', dict(name='fresh', addresses=[{'address': '192.0.2.1', 'comment': '-exist'}]),
         ['addresses[0]', 'may not start with "-"']),
        ('bidi isolate', dict(name='fresh', addresses=['192.0.2.1', {'address': '192.0.2.2', 'comment': 'a\u2067b'}]),
         ['addresses[1]', 'U+2067']),
        ('C1 control', dict(name='fresh', entry_comment='a\x9bb', addresses=['192.0.2.1']), ['entry_comment', 'U+009B']),
        ('name of 32 characters', dict(name='n' * 32, addresses=['192.0.2.1']), ['1 to 31 characters']),
        ('negative max_removals', dict(name='allow', addresses=[], max_removals='-1'), ["max_removals '-1'"]),
        ('relative persist', dict(name='allow', addresses=['192.0.2.0/24'], persist='ipsets/allow.save'),
         ['use an absolute path']),
        ('persist in a missing directory', dict(name='fresh', addresses=['192.0.2.1'],
                                                persist=str(tmp_path / 'missing' / 'fresh.save')), ['does not exist']),
    ]
    assert_refused_without_change(ns, ansible, MODULE, bad)
    assert ns.run(['ipset', 'list', '-n']).stdout == names


# Runs inside the namespace: the module's own code with its comment check disabled, so that the kernel
# refuses a line of the batch (ipset reads the comment "-exist" as an option).
KERNEL_REFUSES = """
import sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _commands, _ipset
_ipset.Ipset.check_comment = staticmethod(lambda comment, where: None)
backend = _ipset.Ipset(_commands.subprocess_runner, sys.argv[2])
try:
    _address_set.sync(backend, dict(addresses=['192.0.2.1', {'address': '192.0.2.2', 'comment': '-exist'}],
                                    state=sys.argv[3], max_removals='100%', lock_file=sys.argv[4]))
except EgressError as error:
    print('refused: %s' % error)
"""


@pytest.mark.parametrize('name, state', [('fresh', 'replaced'), ('fresh', 'merged'), ('allow', 'replaced')])
def test_a_batch_the_kernel_refuses_leaves_no_set_behind(hfw, tmp_path, name, state):
    ns, _ansible = hfw
    ns.run(['ipset', 'restore'], data='create allow hash:net comment\nadd allow 198.51.100.0/24 comment "kept"\n')
    before = ns.ruleset()
    out = ns.run([sys.executable, '-c', KERNEL_REFUSES, COLLECTIONS, name, state, str(tmp_path / 'x.lock')]).stdout
    assert out.startswith('refused: ipset failed to update ipset %s' % name), out
    assert ns.ruleset() == before
    assert ns.run(['ipset', 'list', '-n']).stdout.split() == ['allow']


def test_persist_follows_a_symlink_and_check_mode_writes_nothing(hfw, netns, tmp_path):
    ns, ansible = hfw
    (tmp_path / 'real').mkdir()
    (tmp_path / 'etc').mkdir()
    target = tmp_path / 'real' / 'allow.save'
    target.write_text('# old\n')
    os.chmod(str(target), 0o600)
    link = str(tmp_path / 'etc' / 'allow.save')
    os.symlink(str(target), link)
    results, proc = ansible.playbook([
        task('check', check=True, name='allow', addresses=['192.0.2.0/24'], persist=link,
             lock_file=str(tmp_path / 'locks' / 'allow.lock')),
        task('persist', name='allow', addresses=['192.0.2.0/24'], persist=link),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['check']['changed'] and results['check']['persisted'] == link
    assert not os.path.exists(str(tmp_path / 'locks'))
    assert results['persist']['persisted'] == link and os.path.islink(link)
    assert os.stat(str(target)).st_mode & 0o7777 == 0o600 and 'add allow 192.0.2.0/24' in target.read_text()
    assert sorted(os.listdir(str(tmp_path / 'real'))) == ['allow.save']
    rebooted = netns('hfw')
    rebooted.run(['ipset', 'restore', '-exist', '-f', link])
    assert rebooted.ipset_entries('allow') == ['192.0.2.0/24']


def test_results_are_sized_for_people_and_pipelines(host):
    ns, ansible = host
    wanted = ['10.0.%d.%d' % (i * 2 // 256, i * 2 % 256) for i in range(5000)]  # /32s that never merge
    results, proc = ansible.playbook([
        task('create', name='big', addresses=wanted),
        task('again', name='big', addresses=wanted, return_commands=True),
        task('half, diff', name='big', addresses=wanted[:2500], diff=True),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    create = results['create']
    assert create['added_count'] == 5000 and len(create['added']) == 100 and create['lists_truncated'] is True
    assert 'commands' not in create and len(json.dumps(create)) < 50000
    assert create['after_count'] == 5000 and results['again']['commands'] == [] and results['again']['added_count'] == 0
    half = results['half, diff']
    assert half['removed_count'] == len(half['removed']) == 2500 and half['lists_truncated'] is False
    assert len(ns.ipset_entries('big')) == 2500
