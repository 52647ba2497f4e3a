# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared backend contract: parsing with comments, plans, max_removals, locking and atomic files."""

from __future__ import annotations

import multiprocessing
import os
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


@pytest.mark.parametrize('value', ['-1', 'half', '50 percent', '', '\u00b2', '\u0663', '50%%'])
def test_removal_limit_rejects(value):
    with pytest.raises(EgressError, match='Invalid max_removals'):
        _address_set.removal_limit(value, 10)


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
