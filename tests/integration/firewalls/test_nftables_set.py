# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.nftables_set through ansible-playbook, against the kernel of a fresh network namespace."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import threading
import time

import netaddr
import pytest

from tests.integration.conftest import BIN, Ansible

from tests.integration.cases import assert_refused_without_change, module_task

MODULE = 'allowlist.egress.nftables_set'


def task(title, **kwargs):
    return module_task(MODULE, title, **kwargs)


def elements(ns, table='filter', name='allow', family='inet'):
    """The set's elements as the kernel lists them: ['192.0.2.0/24', '198.51.100.7 comment "x"', ...]."""
    found = ns.nft_set(family, table, name)
    if found is None:
        return None
    out = []
    for item in found.get('elem', []):
        comment = None
        if isinstance(item, dict) and 'elem' in item:
            comment, item = item['elem'].get('comment'), item['elem']['val']
        if isinstance(item, dict) and 'prefix' in item:
            item = '%s/%d' % (item['prefix']['addr'], item['prefix']['len'])
        elif isinstance(item, dict):
            item = '-'.join(item['range'])
        out.append('%s comment "%s"' % (item, comment) if comment else item)
    return out


def space(ns, *args):
    """The addresses the set matches, whatever elements the kernel stores them in."""
    result = netaddr.IPSet()
    for element in elements(ns, *args):
        text = element.split(' ')[0]
        result.update(netaddr.IPSet(netaddr.IPRange(*text.split('-')) if '-' in text else [text]))
    return result


FIRST = ['192.0.2.0/25', '192.0.2.128/25', '198.51.100.7', {'address': '203.0.113.0/28', 'comment': 'partner A'}]
SAME_SPELLED_OTHERWISE = ['198.51.100.7/32', '192.0.2.0/24', '192.0.2.64/26',
                          {'address': '203.0.113.0-203.0.113.15', 'comment': 'partner A'}]


CHANGED_COMMENT = ['192.0.2.128/25', '198.51.100.7', '198.51.100.8', {'address': '203.0.113.0/28', 'comment': 'partner B'}]


def test_states_check_mode_diff_idempotence(host):
    ns, ansible = host
    base = dict(table='filter', set='allow')
    results, proc = ansible.playbook([
        task('plan', check=True, diff=True, addresses=FIRST, comment='egress allowlist', return_commands=True, **base),
        task('gather missing', state='gathered', **base),
        task('create', addresses=FIRST, comment='egress allowlist', **base),
        {'name': 'kernel after create', 'ansible.builtin.command': 'nft -j list set inet filter allow', 'register': 'k'},
        task('again', addresses=FIRST, return_commands=True, **base),
        task('same list spelled otherwise', addresses=SAME_SPELLED_OTHERWISE, **base),
        task('host bits strict', addresses=['192.0.2.5/24'], strict=True, ignore_errors=True, **base),
        task('merge one', state='merged', addresses=['198.51.100.8'], **base),
        task('merge again', state='merged', addresses=['198.51.100.8'], **base),
        task('delete half', state='deleted', addresses=['192.0.2.0/25'], **base),
        task('change a comment', diff=True, addresses=CHANGED_COMMENT, **base),
        task('gather', state='gathered', **base),
        task('render', state='rendered', addresses=['192.0.2.10', '2001:db8::/32'], ignore_errors=True, **base),
        task('render v4', state='rendered', addresses=['192.0.2.10', '198.51.100.0/24'], **base),
        task('absent check', check=True, state='absent', **base),
        task('absent', state='absent', **base),
        task('absent again', state='absent', **base),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr

    plan = results['plan']
    assert plan['changed'] is True
    assert plan['added'] == ['192.0.2.0/24', '198.51.100.7/32', '203.0.113.0/28']
    assert plan['before_count'] == 0 and plan['after_count'] == 3
    assert plan['diff']['before'] == ''
    assert plan['diff']['after'] == '192.0.2.0/24\n198.51.100.7/32\n203.0.113.0/28  # partner A\n'
    assert any(c.startswith('add set inet filter allow') for c in plan['commands'])
    assert results['gather missing']['exists'] is False, 'check mode created the set'

    assert results['create']['changed'] is True
    kernel = json.loads(results['kernel after create']['stdout'])['nftables'][1]['set']
    assert kernel['type'] == 'ipv4_addr' and kernel['flags'] == ['interval'] and kernel['comment'] == 'egress allowlist'

    assert results['again']['commands'] == []
    for name in ('again', 'same list spelled otherwise', 'merge again'):
        assert results[name]['changed'] is False, name
        assert results[name]['added_count'] == results[name]['removed_count'] == 0, name
    assert 'commands' not in results['create'], 'the batch is returned only when asked'
    assert results['host bits strict']['_status'] == 'failed'
    assert "'192.0.2.5/24'" in results['host bits strict']['msg'] and 'addresses[0]' in results['host bits strict']['msg']

    assert results['merge one']['added'] == ['198.51.100.8/32']
    assert results['delete half']['removed'] == ['192.0.2.0/25']
    change = results['change a comment']
    assert change['changed'] is True and change['added'] == [] and change['removed'] == []
    assert '203.0.113.0/28  # partner A' in change['diff']['before']
    assert '203.0.113.0/28  # partner B' in change['diff']['after']

    assert results['gather']['gathered'] == [
        {'address': '192.0.2.128/25', 'comment': None},
        {'address': '198.51.100.7/32', 'comment': None},
        {'address': '198.51.100.8/32', 'comment': None},
        {'address': '203.0.113.0/28', 'comment': 'partner B'},
    ]
    assert 'mix IPv4 and IPv6' in results['render']['msg']
    rendered = results['render v4']['rendered']
    assert 'add element inet filter allow { 192.0.2.10/32, 198.51.100.0/24 }' in rendered
    assert results['render v4']['changed'] is False
    assert results['render v4']['commands'][-1] == 'add element inet filter allow { 192.0.2.10/32, 198.51.100.0/24 }'

    assert results['absent check']['changed'] is True
    assert results['absent']['changed'] is True and results['absent again']['changed'] is False
    assert elements(ns) is None
    assert 'table inet filter' in ns.run(['nft', 'list', 'tables']).stdout, 'absent must leave the table'


def test_kernel_holds_exactly_the_list(host):
    ns, ansible = host
    ns.run(['nft', '-f', '-'], data='add table inet filter\n'
           'add set inet filter allow { type ipv4_addr; flags interval; auto-merge; }\n'
           'add element inet filter allow { 192.0.2.0/24, 198.51.100.0/24 comment "by hand" }\n')
    results, proc = ansible.playbook([
        task('narrow', addresses=['192.0.2.0/25', '198.51.100.0/24', '203.0.113.1-203.0.113.9'], force=True,
             table='filter', set='allow'),
        task('again', addresses=['192.0.2.0/25', '198.51.100.0/24', '203.0.113.1-203.0.113.9'],
             table='filter', set='allow'),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['narrow']['removed'] == ['192.0.2.128/25'] and results['narrow']['changed']
    # An auto-merge set stores the range as one element; the comparison is by address space, so no change.
    assert results['again']['changed'] is False
    got = elements(ns)
    assert '198.51.100.0/24' in got and '192.0.2.0/25' in got, got
    assert not any('by hand' in e for e in got)


def test_ipv6_and_families(host):
    ns, ansible = host
    results, proc = ansible.playbook([
        task('v6', family='ip6', table='f6', set='atlas_v6', addresses=['2001:db8::/48', '2001:db8:1::/48', '2001:DB8::5']),
        task('v6 again', family='ip6', table='f6', set='atlas_v6', addresses=['2001:db8::/47']),
        task('v4 into v6 set', family='ip6', table='f6', set='atlas_v6', addresses=['192.0.2.1'], ignore_errors=True),
        task('v6 into ip table', family='ip', table='f4', set='s', addresses=['2001:db8::1'], ignore_errors=True),
        task('mixed', table='f', set='m', addresses=['192.0.2.1', '2001:db8::1'], ignore_errors=True),
        task('empty new set', table='f', set='e', addresses=[], ignore_errors=True),
        task('empty new set typed', table='f', set='e', addresses=[], type='ipv6_addr'),
        task('keyword names', table='set', set='counter', addresses=['192.0.2.1']),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['v6']['added'] == ['2001:db8::/47']
    assert results['v6 again']['changed'] is False
    assert elements(ns, 'f6', 'atlas_v6', 'ip6') == ['2001:db8::/47']
    assert 'is of type ipv6_addr but the addresses are IPv4 (for example 192.0.2.1/32)' in results['v4 into v6 set']['msg']
    assert 'cannot hold a set of type ipv6_addr' in results['v6 into ip table']['msg']
    mixed = results['mixed']['msg']
    assert '192.0.2.1/32' in mixed and '2001:db8::1/128' in mixed and 'type=ipv4_addr' in mixed
    assert 'set type=ipv4_addr or type=ipv6_addr' in results['empty new set']['msg']
    assert ns.nft_set('inet', 'f', 'e')['type'] == 'ipv6_addr'
    assert elements(ns, 'set', 'counter') == ['192.0.2.1']


def test_max_removals_protects_the_set(host):
    ns, ansible = host
    ten = ['192.0.2.%d' % (i * 2) for i in range(10)]
    base = dict(table='filter', set='allow')
    results, proc = ansible.playbook([
        task('ten', addresses=ten, **base),
        task('empty source', addresses=[], ignore_errors=True, **base),
        task('six of ten', addresses=ten[:4], ignore_errors=True, **base),
        task('six of ten allowed by count', addresses=ten[:4], max_removals='6', check=True, **base),
        task('bad max_removals', addresses=ten[:4], max_removals='lots', ignore_errors=True, **base),
        task('five of ten', addresses=ten[:5], **base),
        task('all, forced', addresses=[], force=True, **base),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['empty source']['_status'] == 'failed'
    assert 'Refusing to remove 10 of 10 IPv4 addresses' in results['empty source']['msg']
    assert 'Refusing to remove 6 of 10' in results['six of ten']['msg'] and 'max_removals=50%' in results['six of ten']['msg']
    assert results['six of ten allowed by count']['removed'] == ['192.0.2.%d/32' % (i * 2) for i in range(4, 10)]
    assert "'lots'" in results['bad max_removals']['msg']
    assert results['five of ten']['changed'] and len(results['five of ten']['removed']) == 5
    assert results['all, forced']['after_count'] == 0
    assert elements(ns) == []


def test_bad_input_leaves_the_kernel_unchanged(host):
    ns, ansible = host
    ns.run(['nft', '-f', '-'], data='add table inet filter\nadd set inet filter allow { type ipv4_addr; flags interval; }\n'
           'add element inet filter allow { 192.0.2.0/24 }\n')
    base = dict(table='filter', set='allow')
    bad = [
        ('not an address', dict(addresses=['192.0.2.1', 'not-an-ip'], **base), ["'not-an-ip'", 'addresses[1]']),
        ('out of range', dict(addresses=['192.0.2.300'], **base), ["'192.0.2.300'"]),
        ('injection in table', dict(table='filter; flush ruleset', set='allow', addresses=['192.0.2.1']),
         ["'filter; flush ruleset'", 'table name']),
        ('injection in set', dict(table='filter', set='$(reboot)', addresses=['192.0.2.1']), ["'$(reboot)'", 'set name']),
        ('quote in comment', dict(addresses=[{'address': '192.0.2.1', 'comment': 'a" } flush ruleset'}], **base),
         ['addresses[0]', 'double quote']),
        ('bad dict', dict(addresses=[{'addr': '192.0.2.1'}], **base), ['addresses[0]', '"address"']),
        ('other family', dict(addresses=['2001:db8::1'], **base), ['type ipv4_addr', 'IPv6']),
        ('missing table, create false', dict(table='nope', set='allow', create=False, addresses=['192.0.2.1']),
         ['table inet nope does not exist']),
        ('missing set, create false', dict(table='filter', set='nope', create=False, addresses=['192.0.2.1']),
         ['nftables set inet filter nope does not exist']),
    ]
    assert_refused_without_change(ns, ansible, MODULE, bad)


def test_persist_survives_a_reboot(host, netns, tmp_path):
    ns, ansible = host
    (tmp_path / 'nftables.d').mkdir()
    path = str(tmp_path / 'nftables.d' / 'allow.nft')
    addresses = ['192.0.2.0/24', {'address': '198.51.100.7', 'comment': 'partner A'}]
    results, proc = ansible.playbook([
        task('persist check', check=True, addresses=addresses, persist=path, table='filter', set='allow'),
        task('persist', addresses=addresses, persist=path, table='filter', set='allow', comment='egress'),
        task('persist again', addresses=addresses, persist=path, table='filter', set='allow'),
        task('keyword name', addresses=addresses, persist=str(tmp_path / 'kw.nft'), table='filter', set='counter',
             ignore_errors=True),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['persist check']['persisted'] == path
    assert results['persist']['changed'] and results['persist']['persisted'] == path
    assert results['persist again']['changed'] is False
    assert 'fails `nft -c`' in results['keyword name']['msg']
    assert not os.path.exists(str(tmp_path / 'kw.nft'))
    assert ns.nft_set('inet', 'filter', 'counter') is None, 'a failed persist check must not change the kernel'
    # "Reboot": a fresh namespace loads the file, then a rule that refers to the set.
    rebooted = netns('boot')
    rebooted.run(['nft', '-f', path])
    rebooted.run(['nft', '-f', '-'], data='add chain inet filter input { type filter hook input priority 0; }\n'
                 'add rule inet filter input ip saddr @allow accept\n')
    assert sorted(elements(rebooted)) == ['192.0.2.0/24', '198.51.100.7 comment "partner A"']
    assert ns.nft_set('inet', 'filter', 'allow')['comment'] == 'egress'


def test_runs_on_one_set_serialise(host, tmp_path):
    ns, ansible = host
    lock_file = str(tmp_path / 'allow.lock')
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    results, proc = ansible.playbook([task('while locked', addresses=['192.0.2.1'], table='filter', set='allow',
                                           lock_file=lock_file, lock_timeout=1, ignore_errors=True)])
    assert 'Timed out after 1.0s waiting for the lock' in results['while locked']['msg']
    assert ns.nft_set('inet', 'filter', 'allow') is None

    threading.Timer(2.0, os.close, [fd]).start()
    started = time.monotonic()
    results, proc = ansible.playbook([task('waits', addresses=['192.0.2.1'], table='filter', set='allow',
                                           lock_file=lock_file, lock_timeout=30)])
    assert results['waits']['changed'] and time.monotonic() - started >= 2.0


def test_concurrent_merges_lose_nothing(host, tmp_path):
    ns, ansible = host
    procs = []
    for i in range(4):
        playbook = tmp_path / ('merge%d.yml' % i)
        playbook.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
            {'name': 'merge', MODULE: {'table': 'filter', 'set': 'allow', 'state': 'merged',
                                       'addresses': ['198.51.100.%d' % (i * 10 + j) for j in range(5)]}}]}]))
        env = dict(ansible.env, RESULTS_FILE=str(tmp_path / ('r%d.json' % i)))
        procs.append(subprocess.Popen(ns.prefix + [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c',
                                                   'local', str(playbook)], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT))
    for p in procs:
        out = p.communicate(timeout=300)[0]
        assert p.returncode == 0, out
    got = space(ns)
    assert got == netaddr.IPSet('198.51.100.%d' % (i * 10 + j) for i in range(4) for j in range(5))


@pytest.fixture
def hfw(netns, tmp_path):
    ns = netns('hfw')
    return ns, Ansible(tmp_path, prefix=ns.prefix)


# 117 characters, 139 bytes of UTF-8: nft's limit of 128 is in bytes.
PORTUGUESE = ('Autorização de saída para a aplicação de cotação; endereços públicos de integração '
              'com o serviço de emissão çãçãçãçãç')


def test_comments_are_checked_in_bytes_and_for_control_characters(hfw, tmp_path):
    ns, ansible = hfw
    assert len(PORTUGUESE) == 117 and len(PORTUGUESE.encode('utf-8')) == 139
    (tmp_path / 'etc').mkdir()
    path = str(tmp_path / 'etc' / 'allow.nft')
    ns.run(['nft', '-f', '-'], data='add table inet filter\n'
           'add set inet filter svc { type ipv4_addr . inet_service; }\n'
           'add set inet filter mac { type ether_addr; }\n')
    four = ['192.0.2.0/24', '198.51.100.7', '203.0.113.0/28']
    results, proc = ansible.playbook([task('first', table='filter', set='allow', addresses=four, persist=path)])
    assert proc.returncode == 0 and results['first']['changed'], proc.stdout + proc.stderr
    persisted = open(path).read()
    base = dict(table='filter', set='allow', persist=path)
    bad = [
        ('portuguese comment', dict(addresses=four + [{'address': '203.0.113.100', 'comment': PORTUGUESE}], **base),
         ['addresses[3]', 'at most 128 bytes in UTF-8 (this one is 139)']),
        ('portuguese entry_comment', dict(addresses=four, entry_comment=PORTUGUESE, **base),
         ['at entry_comment', '128 bytes']),
        ('portuguese set comment', dict(table='filter', set='new', addresses=four, comment=PORTUGUESE),
         ['at comment', '128 bytes']),
        ('right-to-left override', dict(addresses=four + [{'address': '203.0.113.100', 'comment': 'fdp.\u202eexe'}], **base),
         ['addresses[3]', 'U+202E (RIGHT-TO-LEFT OVERRIDE)']),
        ('newline', dict(addresses=four, entry_comment='one\ntwo', **base), ['entry_comment', 'U+000A']),
        ('tab in set comment', dict(table='filter', set='new', addresses=four, comment='a\tb'), ['at comment', 'U+0009']),
        ('superscript max_removals', dict(addresses=four[:1], max_removals='\u00b2', **base), ["max_removals '\u00b2'"]),
        ('concatenated type', dict(table='filter', set='svc', addresses=['192.0.2.1']),
         ['nftables set inet filter svc has type ipv4_addr . inet_service']),
        ('ether_addr type', dict(table='filter', set='mac', addresses=['192.0.2.1']),
         ['nftables set inet filter mac has type ether_addr']),
    ]
    assert_refused_without_change(ns, ansible, MODULE, bad)
    assert open(path).read() == persisted and os.listdir(str(tmp_path / 'etc')) == ['allow.nft']


def test_persist_path_rules(hfw, netns, tmp_path):
    ns, ansible = hfw
    ns.run(['nft', '-f', '-'], data='add table inet filter\nadd set inet filter allow { type ipv4_addr; flags interval; }\n'
           'add element inet filter allow { 192.0.2.0/24 }\n')
    readonly = tmp_path / 'readonly'
    readonly.mkdir()
    base = dict(table='filter', set='allow', addresses=['192.0.2.0/24', '198.51.100.0/24'])
    bad = [
        ('relative', dict(persist='allow.nft', **base), ["Invalid persist 'allow.nft': use an absolute path"]),
        ('missing directory', dict(persist=str(tmp_path / 'missing' / 'allow.nft'), **base),
         ['the directory %s does not exist' % (tmp_path / 'missing')]),
        ('directory', dict(persist=str(tmp_path), **base), ['is not a regular file']),
        ('read-only directory', dict(persist=str(readonly / 'allow.nft'), **base),
         ['Cannot write the persist file %s' % (readonly / 'allow.nft'), 'Operation not permitted']),
    ]
    # chattr +i: not even root may create a file in the directory.
    subprocess.run(['chattr', '+i', str(readonly)], check=True)
    try:
        assert_refused_without_change(ns, ansible, MODULE, bad)
    finally:
        subprocess.run(['chattr', '-i', str(readonly)], check=True)
    assert not os.path.exists(str(tmp_path / 'missing')) and os.listdir(str(readonly)) == []

    # A symlink is followed: the target is rewritten, in place of its owner and mode, and the link stays.
    (tmp_path / 'real').mkdir()
    (tmp_path / 'etc').mkdir()
    target = tmp_path / 'real' / 'allow.nft'
    target.write_text('# old\n')
    os.chmod(str(target), 0o640)
    os.chown(str(target), 1234, 5678)
    link = str(tmp_path / 'etc' / 'allow.nft')
    os.symlink(str(target), link)
    results, proc = ansible.playbook([task('through a link', persist=link, **base)])
    assert proc.returncode == 0 and results['through a link']['persisted'] == link, proc.stdout + proc.stderr
    assert os.path.islink(link) and os.readlink(link) == str(target)
    st = os.stat(str(target))
    assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o640, 1234, 5678)
    assert sorted(os.listdir(str(tmp_path / 'real'))) == ['allow.nft']
    rebooted = netns('hfw')
    rebooted.run(['nft', '-f', link])
    assert sorted(elements(rebooted)) == ['192.0.2.0/24', '198.51.100.0/24']


def test_check_mode_writes_nothing(hfw, tmp_path):
    ns, ansible = hfw
    (tmp_path / 'etc').mkdir()
    results, proc = ansible.playbook([
        task('check', check=True, table='filter', set='allow', addresses=['192.0.2.0/24'],
             persist=str(tmp_path / 'etc' / 'allow.nft'), lock_file=str(tmp_path / 'locks' / 'allow.lock')),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['check']['changed'] and results['check']['persisted'] == str(tmp_path / 'etc' / 'allow.nft')
    assert not os.path.exists(str(tmp_path / 'locks')) and os.listdir(str(tmp_path / 'etc')) == []
    assert ns.nft_set('inet', 'filter', 'allow') is None


def test_names_of_255_characters(hfw):
    ns, ansible = hfw
    table, name = 't' * 255, 's' * 255
    results, proc = ansible.playbook([
        task('long names', table=table, set=name, addresses=['192.0.2.0/24']),
        task('long names again', table=table, set=name, addresses=['192.0.2.0/24']),
        task('too long', table=table, set='s' * 256, addresses=['192.0.2.0/24'], ignore_errors=True),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['long names']['changed'] and not results['long names again']['changed']
    assert elements(ns, table, name) == ['192.0.2.0/24']
    assert '1 to 255 characters' in results['too long']['msg']


def test_the_whole_persist_file_is_checked_before_the_kernel_changes(hfw, tmp_path):
    ns, ansible = hfw
    # What an older version left: a 139-byte comment, which nft's JSON input takes and `nft -f` refuses.
    ns.run(['nft', '-f', '-'], data='add table inet filter\nadd set inet filter allow { type ipv4_addr; flags interval; }\n')
    ns.run(['nft', '-j', '-f', '-'], data=json.dumps({'nftables': [{'add': {'element': {
        'family': 'inet', 'table': 'filter', 'name': 'allow', 'elem': [{'elem': {'val': '192.0.2.1', 'comment': PORTUGUESE}}]}}}]}))
    (tmp_path / 'etc').mkdir()
    path = str(tmp_path / 'etc' / 'allow.nft')
    args = dict(table='filter', set='allow', state='merged', addresses=['198.51.100.1'], persist=path)
    bad = [('merge beside a comment nft -f refuses', args,
            ['The persist file for nftables set inet filter allow fails `nft -c`', 'comment too long'])]
    assert_refused_without_change(ns, ansible, MODULE, bad)
    assert os.listdir(str(tmp_path / 'etc')) == []


def hosts(count, offset=0):
    """/32s that never merge: every other address of 10.0.0.0/16 (a module's own list may be private)."""
    return ['10.0.%d.%d' % ((offset + i) * 2 // 256, (offset + i) * 2 % 256) for i in range(count)]


def test_results_are_sized_for_people_and_pipelines(host):
    ns, ansible = host
    base = dict(table='filter', set='big')
    results, proc = ansible.playbook([
        task('create', addresses=hosts(5000), **base),
        task('again', addresses=hosts(5000), **base),
        task('again, one string', addresses=','.join(hosts(5000)), **base),
        task('wipe refused', addresses=[], ignore_errors=True, **base),
        task('change half, diff', diff=True, addresses=hosts(5000, offset=2500), force=True, **base),
        task('change back, batch', addresses=hosts(5000), force=True, return_commands=True, list_limit=3, **base),
        task('render', state='rendered', addresses=hosts(5000), **base),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    create = results['create']
    assert create['changed'] and create['after_count'] == 5000
    assert create['added_count'] == 5000 and create['added'] == ['%s/32' % a for a in hosts(100)]
    assert create['lists_truncated'] is True and 'commands' not in create and 'diff' not in create
    assert len(ns.nft_set('inet', 'filter', 'big')['elem']) == 5000
    # The invocation echoes the first 10 addresses, so the whole result stays small.
    assert create['invocation']['module_args']['addresses'] == hosts(10) + ['(4990 more, 5000 in all)']
    for name in ('create', 'again', 'wipe refused'):
        assert len(json.dumps(results[name])) < 50000, (name, len(json.dumps(results[name])))
    assert results['again']['changed'] is False and results['again']['added_count'] == 0
    assert results['again']['lists_truncated'] is False
    assert results['again, one string']['changed'] is False and results['again, one string']['after_count'] == 5000
    assert results['wipe refused']['_status'] == 'failed' and 'Refusing to remove 5000' in results['wipe refused']['msg']

    diff = results['change half, diff']
    assert diff['added_count'] == diff['removed_count'] == 2500 and diff['lists_truncated'] is False
    assert diff['added'] == ['%s/32' % a for a in hosts(2500, offset=5000)] and len(diff['removed']) == 2500
    assert diff['diff']['after'].count('\n') == 5000 and 'commands' not in diff
    batch = results['change back, batch']
    assert batch['added'] == ['%s/32' % a for a in hosts(3)] and batch['added_count'] == 2500
    assert batch['commands'] and batch['commands'][-1].startswith('add element inet filter big {')
    render = results['render']
    assert render['rendered'].count('/32') == 5000 and render['commands'][-1].count('/32') == 5000
    assert len(render['added']) == 100 and render['added_count'] == 5000


def test_verbosity_asks_for_the_full_lists_and_the_batch(host):
    ns, ansible = host
    sync = task('sync', table='filter', set='big', addresses=hosts(500))
    ansible.env['ANSIBLE_VERBOSITY'] = '2'
    results, proc = ansible.playbook([sync])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(results['sync']['added']) == 500 and 'commands' not in results['sync']
    ansible.env['ANSIBLE_VERBOSITY'] = '3'
    results, proc = ansible.playbook([dict(sync, **{MODULE: dict(sync[MODULE], addresses=hosts(600))})])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(results['sync']['added']) == 100 and results['sync']['added_count'] == 100
    assert results['sync']['commands'][-1].count('/32') == 100


def test_a_list_variable_arrives_as_ansible_templates_it(host):
    # `addresses: "{{ name }}"` of plain strings skips Ansible's per-element templating (the module's action
    # plugin); a list whose elements are templates, or an expression, must still be templated by Ansible.
    ns, ansible = host
    nested = dict(task('nested', table='filter', set='nested', addresses='{{ nested_list }}'),
                  vars={'one': '203.0.113.9', 'nested_list': ['192.0.2.1', '{{ one }}/32']})
    expression = task('expression', table='filter', set='expression', addresses='{{ big_list[:3] + [one] }}')
    expression['vars'] = {'one': '198.51.100.1'}
    results, proc = ansible.playbook([
        task('plain', table='filter', set='plain', addresses='{{ big_list }}'),
        task('plain again', table='filter', set='plain', addresses='{{ big_list }}'),
        nested, expression,
    ], extra_vars={'big_list': hosts(3000)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['plain']['after_count'] == 3000 and results['plain again']['changed'] is False
    assert sorted(elements(ns, 'filter', 'plain')) == sorted('%s' % a for a in hosts(3000))
    assert sorted(elements(ns, 'filter', 'nested')) == ['192.0.2.1', '203.0.113.9']
    assert sorted(elements(ns, 'filter', 'expression')) == sorted(hosts(3) + ['198.51.100.1'])
