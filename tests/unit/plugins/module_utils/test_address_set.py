# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared backend contract: parsing with comments, plans, max_removals, locking and atomic files."""

from __future__ import annotations

import multiprocessing
import os
import re
import time

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def elements(*specs):
    """Elements as a backend reads them: (text, comment)."""
    out = []
    for text, comment in specs:
        version, first, last = _intervals.parse(text)[0]
        out.append(_address_set.Element(version, first, last, comment, text))
    return out


def plan_for(current, addresses, state='replaced', **kwargs):
    desired = _address_set.parse_desired(addresses)
    return _address_set.Plan(current, _address_set.target_groups(state, current, desired), **kwargs)


def test_parse_desired_groups_by_comment_and_first_entry_wins():
    desired = _address_set.parse_desired([
        {'address': '192.0.2.0/25', 'comment': 'a'}, '198.51.100.0/24', {'address': '192.0.2.0/24', 'comment': 'b'},
        {'address': '192.0.2.128/25', 'comment': 'a'}])
    groups = dict((c, _intervals.to_cidr_strings(g)) for c, g in desired.groups.items())
    assert groups == {'a': ['192.0.2.0/24'], None: ['198.51.100.0/24']}


def test_parse_desired_default_comment_and_errors():
    desired = _address_set.parse_desired(['192.0.2.1', {'address': '192.0.2.2', 'comment': 'own'}], default_comment='pipeline')
    assert list(desired.groups) == ['pipeline', 'own']
    with pytest.raises(EgressError, match=r"addresses\[1\]: a dict entry needs the key \"address\""):
        _address_set.parse_desired(['192.0.2.1', {'cidr': '192.0.2.0/24'}])
    with pytest.raises(EgressError, match=r"'bogus' from addresses\[0\]"):
        _address_set.parse_desired(['bogus'])


def test_plan_keeps_what_is_covered_and_adds_the_rest():
    current = elements(('192.0.2.0/25', None), ('192.0.2.128/25', None), ('198.51.100.7', 'old'))
    plan = plan_for(current, ['192.0.2.0/24', {'address': '198.51.100.7', 'comment': 'new'}, '203.0.113.0/30'])
    assert [e.token for e in plan.keep] == ['192.0.2.0/25', '192.0.2.128/25']
    assert [e.token for e in plan.delete] == ['198.51.100.7']
    assert sorted(_intervals.cidr_text(p) for p, _comment in plan.add) == ['198.51.100.7/32', '203.0.113.0/30']
    assert plan.added == ['203.0.113.0/30'] and plan.removed == []
    assert plan.before_entries == [('192.0.2.0/24', None), ('198.51.100.7/32', 'old')]


def test_no_change_whatever_the_representation():
    current = elements(('192.0.2.0/25', None), ('192.0.2.128/25', None), ('203.0.113.1-203.0.113.9', None))
    plan = plan_for(current, ['192.0.2.0/24', '203.0.113.1', '203.0.113.2/31', '203.0.113.4/30', '203.0.113.8/31'])
    assert not plan.changed


def test_merged_and_deleted_targets():
    current = elements(('192.0.2.0/24', 'keep'))
    merged = plan_for(current, [{'address': '192.0.2.0/25', 'comment': 'mine'}, '198.51.100.1'], state='merged')
    assert merged.after_entries == [('192.0.2.0/25', 'mine'), ('192.0.2.128/25', 'keep'), ('198.51.100.1/32', None)]
    assert merged.removed == [] and merged.added == ['198.51.100.1/32']
    deleted = plan_for(current, ['192.0.2.0/26', '203.0.113.1'], state='deleted')
    assert deleted.after_entries == [('192.0.2.64/26', 'keep'), ('192.0.2.128/25', 'keep')]
    assert deleted.removed == ['192.0.2.0/26']


def test_host_only_and_min_prefix_expansion():
    plan = plan_for([], ['192.0.2.0/30'], host_only=True)
    assert [_intervals.cidr_text(p) for p, _comment in plan.add] == ['192.0.2.%d/32' % i for i in range(4)]
    plan = plan_for([], ['0.0.0.0/0'], min_prefix=1)
    assert [_intervals.cidr_text(p) for p, _comment in plan.add] == ['0.0.0.0/1', '128.0.0.0/1']


@pytest.mark.parametrize('value, before, limit', [('50%', 10, 5), ('0', 10, 0), ('7', 3, 7), (' 12.5 % ', 80, 10), ('100%', 0, 0)])
def test_removal_limit(value, before, limit):
    assert _address_set.removal_limit(value, before) == limit


@pytest.mark.parametrize('value', ['-1', 'half', '50 percent', '', '\u00b2', '\u0665', '\u0665\u0660%', '1e3', '+5',
                                   '-10%', '5.%', '%', '0x10', '1_000', '50%%'])
def test_removal_limit_rejects(value):
    # '²'.isdigit() is true and int('²') raises ValueError; '٥' (Arabic-Indic five) is read as 5 by int().
    with pytest.raises(EgressError, match='Invalid max_removals %s' % re.escape(repr(value))):
        _address_set.removal_limit(value, 10)


def test_removal_limit_above_100_percent_allows_everything_and_never_overflows():
    assert _address_set.removal_limit('150%', 10) == 15
    assert _address_set.removal_limit('50 %', 10) == 5
    assert _address_set.removal_limit(7, 10) == 7
    assert _address_set.removal_limit('1' + '0' * 400 + '%', 3) == 3 * 10 ** 398
    assert _address_set.removal_limit('1' + '0' * 400 + '%', 0) == 0


@pytest.mark.parametrize('comment, char', [
    ('line\nbreak', 'U+000A'), ('tab\there', 'U+0009'), ('nul\x00', 'U+0000'), ('del\x7f', 'U+007F'),
    ('c1\x85', 'U+0085'), ('evil\u202egnp.exe', 'U+202E'), ('isolate\u2066x', 'U+2066'), ('mark\u200f', 'U+200F'),
    ('sep\u2028', 'U+2028'), ('surrogate\udc80', 'U+DC80'),
])
def test_comments_with_control_or_bidi_characters_are_refused(comment, char):
    with pytest.raises(EgressError, match=r'Invalid comment .* at addresses\[1\]: it holds %s' % re.escape(char)):
        _address_set.parse_desired(['192.0.2.1', {'address': '192.0.2.2', 'comment': comment}])
    with pytest.raises(EgressError, match='at entry_comment: it holds %s' % re.escape(char)):
        _address_set.parse_desired(['192.0.2.1'], default_comment=comment)


def test_ordinary_unicode_comments_pass_and_each_comment_is_checked_once():
    seen = []
    desired = _address_set.parse_desired(
        ['192.0.2.%d' % i for i in range(50)] + [{'address': '198.51.100.1', 'comment': 'Ação São João 🚀 עברית'}],
        default_comment='padrão', check_comment=lambda comment, where: seen.append((comment, where)))
    assert list(desired.groups) == ['padrão', 'Ação São João 🚀 עברית']
    assert seen == [('padrão', 'entry_comment'), ('Ação São João 🚀 עברית', 'addresses[50]')]


def test_backend_comment_limits_are_bytes_of_utf8():
    from ansible_collections.allowlist.egress.plugins.module_utils.firewalls import _ipset, _nftables
    portuguese = ('ção' * 40)[:117]
    assert len(portuguese) == 117 and len(portuguese.encode('utf-8')) > 128
    with pytest.raises(EgressError, match=r'at addresses\[3\]: at most 128 bytes in UTF-8 \(this one is 195\)'):
        _nftables.NftablesSet.check_comment(portuguese, 'addresses[3]')
    _nftables.NftablesSet.check_comment('a' * 128, 'addresses[0]')
    _ipset.Ipset.check_comment('ç' * 127 + 'a', 'addresses[0]')
    with pytest.raises(EgressError, match='at entry_comment: at most 255 bytes in UTF-8 \\(this one is 256\\)'):
        _ipset.Ipset.check_comment('ç' * 128, 'entry_comment')
    with pytest.raises(EgressError, match='U\\+202E'):
        _nftables.NftablesSet(lambda argv, data=None: (0, '', ''), table='filter', name='allow', comment='a\u202eb')


def hosts(count, start=0):
    return ['198.51.100.%d' % i for i in range(start, start + count)]


def test_max_removals_counts_addresses_not_merged_prefixes():
    # 100 addresses that the kernel stores as three prefixes (.0/26, .64/27, .96/30): losing .0/26 is
    # 64 addresses gone, not "1 of 3 entries".
    current = elements(('198.51.100.0/26', None), ('198.51.100.64/27', None), ('198.51.100.96/30', None))
    plan = plan_for(current, hosts(36, 64))
    assert plan.address_counts()[4] == (100, 64, 0)
    with pytest.raises(EgressError, match='Refusing to remove 64 of 100 IPv4 addresses from the set: more than '
                                          r'max_removals=50% allows \(50\)'):
        _address_set.check_removals(plan, '50%', False, 'the set')
    with pytest.raises(EgressError, match='max_removals=63 allows'):
        _address_set.check_removals(plan, '63', False, 'the set')
    _address_set.check_removals(plan, '64', False, 'the set')
    _address_set.check_removals(plan, '50%', True, 'the set')


def test_max_removals_is_per_family():
    # One IPv6 /64 dwarfs every IPv4 address: each family is judged against its own size.
    current = elements(('192.0.2.0/24', None), ('2001:db8::/64', None), ('2001:db8:1::/64', None))
    plan = plan_for(current, ['192.0.2.0/25', '2001:db8::/64', '2001:db8:1::/64'])
    with pytest.raises(EgressError, match='Refusing to remove 128 of 256 IPv4 addresses'):
        _address_set.check_removals(plan, '49%', False, 'the set')
    _address_set.check_removals(plan, '50%', False, 'the set')


def test_max_removals_a_bad_value_fails_even_with_nothing_removed():
    plan = plan_for(elements(('192.0.2.1', None)), ['192.0.2.1'])
    with pytest.raises(EgressError, match='Invalid max_removals'):
        _address_set.check_removals(plan, 'x', False, 'the set')


def test_max_additions_counts_addresses_and_spares_a_new_object():
    current = elements(*[(h, None) for h in hosts(10)])
    grown = plan_for(current, hosts(10) + ['203.0.113.0/24'])
    assert grown.address_counts()[4] == (10, 0, 256)
    with pytest.raises(EgressError, match='Refusing to add 256 IPv4 addresses to the 10 in the set: more than '
                                          r'max_additions=100% allows \(10\)'):
        _address_set.check_additions(grown, '100%', False, 'the set')
    _address_set.check_additions(grown, '256', False, 'the set')
    _address_set.check_additions(grown, '100%', True, 'the set')
    _address_set.check_additions(grown, None, False, 'the set')  # off unless set
    _address_set.check_additions(grown, '', False, 'the set')
    # Into an empty object: never blocked, however large the first list.
    _address_set.check_additions(plan_for([], hosts(200)), '0', False, 'the set')
    # A family that is new to the object counts as empty too.
    _address_set.check_additions(plan_for(current, hosts(10) + ['2001:db8::/48']), '0', False, 'the set')
    merged = plan_for(current, ['203.0.113.0/24'], state='merged')
    with pytest.raises(EgressError, match='Refusing to add 256 IPv4'):
        _address_set.check_additions(merged, '50%', False, 'the set')
    with pytest.raises(EgressError, match="Invalid max_additions 'lots'"):
        _address_set.check_additions(merged, 'lots', False, 'the set')


def test_sync_refuses_the_whole_space_unless_allowed():
    class Backend(object):
        """Nothing but what sync() calls before it reads: the policy runs before any backend call."""
        state = None

        def check_comment(self, comment, where):
            pass

        def __getattr__(self, name):
            raise AssertionError('the backend was called (%s) before the policy refused the entries' % name)

    for entry in ('0.0.0.0/0', '::/0'):
        with pytest.raises(EgressError, match=r'Refusing %s from addresses\[1\]: it is the whole IPv. address '
                                              'space.*allow_anywhere=true' % entry.replace('.', '[.]')):
            _address_set.sync(Backend(), dict(addresses=['192.0.2.1', entry], state='replaced'))
    with pytest.raises(EgressError, match=r'Refusing 127.0.0.1 from addresses\[0\]: it is in the loopback range'):
        _address_set.sync(Backend(), dict(addresses=['127.0.0.1'], state='merged', allow_anywhere=True))
    with pytest.raises(EgressError, match=r'Refusing 10.0.0.0-11.255.255.255 \(10.0.0.0/7\) from addresses\[0\]: it is wider than /8'):
        _address_set.sync(Backend(), dict(addresses=['10.0.0.0-11.255.255.255'], state='rendered'))


def test_diff_lines_show_comments():
    plan = plan_for(elements(('192.0.2.1', 'a')), ['192.0.2.1', '192.0.2.2'])
    d = _address_set.diff(plan, 'ipset allow')
    assert d['before'] == '192.0.2.1/32  # a\n'
    assert d['after'] == '192.0.2.1/32\n192.0.2.2/32\n'
    assert d['before_header'] == 'ipset allow (before)'


def _hold(path, ready, seconds):
    with _address_set.lock(path, 10):
        ready.set()
        time.sleep(seconds)


def test_lock_serialises_processes(tmp_path):
    path = str(tmp_path / 'locks' / 'x.lock')
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold, args=(path, ready, 1.0))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(EgressError, match='Timed out after 0.2s waiting for the lock'):
        with _address_set.lock(path, 0.2):
            pass
    started = time.monotonic()
    with _address_set.lock(path, 10):
        assert not holder.is_alive() or time.monotonic() - started > 0.5
    holder.join()


def test_write_atomic_replaces_whole_files(tmp_path):
    (tmp_path / 'd').mkdir()
    path = str(tmp_path / 'd' / 'set.nft')
    _address_set.write_atomic(path, 'one\n')
    _address_set.write_atomic(path, 'two\n')
    assert _address_set.read_text(path) == 'two\n'
    assert os.listdir(str(tmp_path / 'd')) == ['set.nft']
    assert oct(os.stat(path).st_mode & 0o777) == '0o644'
    assert _address_set.read_text(str(tmp_path / 'missing')) is None


def test_default_lock_path_is_one_file_per_object():
    a = _address_set.default_lock_path('nftables_set', 'inet', 'filter', 'allow')
    b = _address_set.default_lock_path('nftables_set', 'inet', 'filter', 'other/../x')
    assert a != b and a.endswith('nftables_set.inet.filter.allow.lock') and '/../' not in b


def test_default_lock_path_of_long_names_fits_a_file_name(tmp_path):
    long_table, long_set = 't' * 255, 's' * 255
    path = _address_set.default_lock_path('nftables_set', 'inet', long_table, long_set)
    other = _address_set.default_lock_path('nftables_set', 'inet', long_table, 's' * 254 + 'x')
    name = os.path.basename(path)
    assert len(name.encode('utf-8')) <= 255 and name.startswith('nftables_set.inet.ttt') and path != other
    assert path == _address_set.default_lock_path('nftables_set', 'inet', long_table, long_set)
    with _address_set.lock(str(tmp_path / name), 1):
        pass


def test_lock_in_check_mode_creates_nothing_and_waits_for_a_writer(tmp_path):
    path = str(tmp_path / 'locks' / 'x.lock')
    with _address_set.lock(path, 1, create=False):
        pass
    assert not os.path.exists(str(tmp_path / 'locks'))
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold, args=(path, ready, 1.0))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(EgressError, match='Timed out after 0.2s waiting for the lock'):
        with _address_set.lock(path, 0.2, create=False):
            pass
    holder.join()


def test_persist_target_rules(tmp_path):
    with pytest.raises(EgressError, match=r"Invalid persist 'allow.nft': use an absolute path"):
        _address_set.persist_target('allow.nft')
    with pytest.raises(EgressError, match='the directory %s does not exist' % re.escape(str(tmp_path / 'missing'))):
        _address_set.persist_target(str(tmp_path / 'missing' / 'allow.nft'))
    (tmp_path / 'dir.nft').mkdir()
    with pytest.raises(EgressError, match='exists and is not a regular file'):
        _address_set.persist_target(str(tmp_path / 'dir.nft'))
    (tmp_path / 'real').mkdir()
    os.symlink(str(tmp_path / 'real' / 'allow.nft'), str(tmp_path / 'link.nft'))
    assert _address_set.persist_target(str(tmp_path / 'link.nft')) == str(tmp_path / 'real' / 'allow.nft')


def test_pending_file_keeps_owner_and_mode_and_leaves_nothing_when_discarded(tmp_path):
    path = str(tmp_path / 'set.nft')
    _address_set.write_atomic(path, 'one\n')
    os.chmod(path, 0o640)
    os.chown(path, 1234, 5678)
    pending = _address_set.PendingFile(path, 'two\n')
    assert os.path.dirname(pending.tmp) == str(tmp_path) and _address_set.read_text(path) == 'one\n'
    pending.commit()
    st = os.stat(path)
    assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o640, 1234, 5678)
    _address_set.PendingFile(path, 'three\n').discard()
    assert os.listdir(str(tmp_path)) == ['set.nft'] and _address_set.read_text(path) == 'two\n'


class FakeBackend(object):
    """Records the order of what sync() does; `fail` names the step that raises."""

    min_prefix = 0
    host_only = False

    def __init__(self, log, fail=None, elements=()):
        self.log, self.fail, self.elements = log, fail, list(elements)

    def _step(self, name, *args):
        self.log.append((name,) + args)
        if self.fail == name:
            raise EgressError('%s failed' % name)

    def check_comment(self, comment, where):
        pass

    def describe(self):
        return 'fake'

    def lock_path(self):
        raise AssertionError('the tests give lock_file')

    def read(self):
        return _address_set.Current(True, self.elements, {})

    def prepare(self, current, desired):
        pass

    def commands(self, current, plan):
        return ['change'] if plan.changed else []

    def apply(self, current, plan):
        self._step('apply')

    def persist_text(self, plan):
        return ''.join('%s\n' % a for a, _c in plan.after_entries)

    def validate_persist(self, text, path):
        self._step('validate', text, path and _address_set.read_text(path))

    def facts(self, current, plan):
        return {}


def _sync(tmp_path, log, persist, fail=None, check_mode=False, **params):
    params = dict(dict(addresses=['192.0.2.1'], state='replaced', persist=persist,
                       lock_file=str(tmp_path / 'locks' / 'fake.lock')), **params)
    return _address_set.sync(FakeBackend(log, fail), params, check_mode=check_mode)


def test_sync_checks_the_written_persist_file_before_the_kernel_and_renames_it_after(tmp_path):
    (tmp_path / 'etc').mkdir()
    path = str(tmp_path / 'etc' / 'allow.nft')
    log = []
    result = _sync(tmp_path, log, path)
    assert log == [('validate', '192.0.2.1/32\n', '192.0.2.1/32\n'), ('apply',)]
    assert result['persisted'] == path and _address_set.read_text(path) == '192.0.2.1/32\n'
    for fail in ('validate', 'apply'):
        log = []
        with pytest.raises(EgressError, match='%s failed' % fail):
            _sync(tmp_path, log, path, fail=fail, addresses=['192.0.2.2'])
        assert ('apply',) not in log or fail == 'apply'
        assert os.listdir(str(tmp_path / 'etc')) == ['allow.nft'], 'a temporary file was left behind'
        assert _address_set.read_text(path) == '192.0.2.1/32\n'


@pytest.mark.parametrize('persist', ['relative.nft', 'MISSING/allow.nft'])
def test_sync_refuses_a_bad_persist_path_before_anything(tmp_path, persist):
    persist = persist.replace('MISSING', str(tmp_path / 'missing'))
    log = []
    with pytest.raises(EgressError, match='Invalid persist'):
        _sync(tmp_path, log, persist)
    assert log == [] and not os.path.exists(str(tmp_path / 'locks'))


def test_sync_follows_a_symlinked_persist_file(tmp_path):
    (tmp_path / 'real').mkdir()
    target = tmp_path / 'real' / 'allow.nft'
    target.write_text('old\n')
    link = str(tmp_path / 'allow.nft')
    os.symlink(str(target), link)
    _sync(tmp_path, [], link)
    assert os.path.islink(link) and target.read_text() == '192.0.2.1/32\n'


def test_check_mode_only_warns_about_a_missing_persist_directory(tmp_path):
    warnings = []
    path = str(tmp_path / 'made-by-an-earlier-task' / 'allow.nft')
    params = dict(addresses=['192.0.2.1'], state='replaced', persist=path, lock_file=str(tmp_path / 'x.lock'))
    result = _address_set.sync(FakeBackend([]), params, check_mode=True, warn=warnings.append)
    assert result['persisted'] == path and 'does not exist' in warnings[0]
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_writes_nothing(tmp_path):
    (tmp_path / 'etc').mkdir()
    log = []
    result = _sync(tmp_path, log, str(tmp_path / 'etc' / 'allow.nft'), check_mode=True)
    assert result['changed'] and log == [('validate', '192.0.2.1/32\n', None)]
    assert sorted(os.listdir(str(tmp_path))) == ['etc'] and os.listdir(str(tmp_path / 'etc')) == []


def test_lock_refuses_symlinks_foreign_directories_and_relative_paths(tmp_path):
    # Under a world-writable /run/lock, a local user must not make a root-run sync create files elsewhere.
    victim = tmp_path / 'victim'
    (tmp_path / 'locks').mkdir()
    os.symlink(str(victim), str(tmp_path / 'locks' / 'set.lock'))
    with pytest.raises(EgressError, match='Refusing the lock file .*set.lock: it is a symlink'):
        with _address_set.lock(str(tmp_path / 'locks' / 'set.lock'), 1):
            pass
    assert not victim.exists()
    os.symlink(str(tmp_path / 'elsewhere'), str(tmp_path / 'linked-dir'))
    (tmp_path / 'elsewhere').mkdir()
    with pytest.raises(EgressError, match='Refusing the lock directory .*linked-dir: it is a symlink'):
        with _address_set.lock(str(tmp_path / 'linked-dir' / 'set.lock'), 1):
            pass
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    os.chown(str(foreign), 4321, 4321)
    with pytest.raises(EgressError, match='Refusing the lock directory .*foreign: it is owned by uid 4321'):
        with _address_set.lock(str(foreign / 'set.lock'), 1):
            pass
    assert os.listdir(str(foreign)) == []
    with pytest.raises(EgressError, match="Invalid lock_file 'relative.lock': use an absolute path"):
        with _address_set.lock('relative.lock', 1):
            pass


def _hosts(count, offset=0):
    """/32s that never merge: every other address of 10.0.0.0/16 (a module's own list may be private)."""
    return ['10.0.%d.%d' % ((offset + i) * 2 // 256, (offset + i) * 2 % 256) for i in range(count)]


def _element(cidr):
    version, first, last = _intervals.parse(cidr)[0]
    return _address_set.Element(version, first, last, None, cidr)


def test_results_hold_counts_and_at_most_list_limit_entries(tmp_path):
    params = dict(addresses=_hosts(300), state='replaced', lock_file=str(tmp_path / 'x.lock'), max_removals='100%')
    backend = FakeBackend([], elements=[_element(c) for c in _hosts(200, offset=200)])
    result = _address_set.sync(backend, dict(params))
    assert result['added_count'] == 200 and result['removed_count'] == 100
    assert result['added'] == ['%s/32' % a for a in _hosts(100)] and len(result['removed']) == 100
    assert result['lists_truncated'] is True and 'commands' not in result
    # --diff or -vv: everything; -vvv or return_commands: the batch too.
    for kwargs in (dict(want_diff=True), dict(verbosity=2)):
        full = _address_set.sync(backend, dict(params), **kwargs)
        assert len(full['added']) == 200 and len(full['removed']) == 100 and full['lists_truncated'] is False
        assert 'commands' not in full
    assert _address_set.sync(backend, dict(params), verbosity=3)['commands'] == ['change']
    limited = _address_set.sync(backend, dict(params, list_limit=0, return_commands=True))
    assert limited['added'] == limited['removed'] == [] and limited['commands'] == ['change']
    assert limited['added_count'] == 200


@pytest.mark.parametrize('value', [-1, '5', True, 1.5])
def test_list_limit_must_be_a_count(tmp_path, value):
    log = []
    with pytest.raises(EgressError, match='Invalid list_limit'):
        _sync(tmp_path, log, None, list_limit=value)
    assert log == []


def test_invocation_echoes_only_the_first_addresses():
    params = dict(addresses=_hosts(5000), state='replaced', private_key='secret')
    echo = _address_set.invocation(params)['module_args']
    assert echo['addresses'] == _hosts(10) + ['(4990 more, 5000 in all)']
    assert echo['state'] == 'replaced' and echo['private_key'] == 'secret'  # AnsibleModule scrubs no_log values
    assert len(params['addresses']) == 5000, 'the parameters themselves are untouched'
    assert _address_set.invocation(dict(addresses=_hosts(3)))['module_args']['addresses'] == _hosts(3)
