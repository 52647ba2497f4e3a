# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared backend contract: parsing with comments, plans, max_removals, sync with persist."""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _entry_policy, _files, _intervals
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
    from ansible_collections.allowlist.egress.plugins.module_utils.targets import _ipset, _nftables
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


@pytest.mark.parametrize('value', ['9' * 5000, '9' * 5000 + '%', '1.' + '5' * 5000 + '%'])
def test_a_guard_value_with_too_many_digits_is_refused_naming_it(value):
    # int() refuses more than 4,300 digits with a bare ValueError: it must be the guard's own error.
    plan = plan_for(elements(('192.0.2.1', None)), ['192.0.2.1'])
    with pytest.raises(EgressError, match="Invalid max_removals '"):
        _address_set.check_removals(plan, value, False, 'the set')
    with pytest.raises(EgressError, match="Invalid max_additions '"):
        _address_set.check_additions(plan, value, False, 'the set')


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
        self._step('validate', text, path and _files.read_text(path))

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
    assert result['persisted'] == path and _files.read_text(path) == '192.0.2.1/32\n'
    for fail in ('validate', 'apply'):
        log = []
        with pytest.raises(EgressError, match='%s failed' % fail):
            _sync(tmp_path, log, path, fail=fail, addresses=['192.0.2.2'])
        assert ('apply',) not in log or fail == 'apply'
        assert os.listdir(str(tmp_path / 'etc')) == ['allow.nft'], 'a temporary file was left behind'
        assert _files.read_text(path) == '192.0.2.1/32\n'


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


def test_group_entries_share_a_comment_and_errors_name_the_address():
    desired = _address_set.parse_desired([{'comment': 'feed', 'addresses': ['192.0.2.1', '192.0.2.2/31']},
                                          {'address': '198.51.100.1', 'comment': 'own'}, '203.0.113.0/24'])
    assert dict((c, _intervals.to_cidr_strings(g)) for c, g in desired.groups.items()) == {
        'feed': ['192.0.2.1/32', '192.0.2.2/31'], 'own': ['198.51.100.1/32'], None: ['203.0.113.0/24']}
    with pytest.raises(EgressError, match=r"'nope' from addresses\[1\].addresses\[1\]"):
        _address_set.parse_desired(['192.0.2.1', {'comment': 'feed', 'addresses': ['192.0.2.9', 'nope']}])
    with pytest.raises(EgressError, match=r'addresses\[0\]: a dict entry with "addresses" needs a list'):
        _address_set.parse_desired([{'comment': 'feed', 'addresses': '192.0.2.9'}])
    with pytest.raises(EgressError, match=r'Invalid comment .* at addresses\[0\]: it holds U\+202E'):
        _address_set.parse_desired([{'comment': 'a\u202eb', 'addresses': ['192.0.2.9']}])
    entries = [{'comment': 'feed', 'addresses': ['192.0.2.9', '127.0.0.1']}]
    with pytest.raises(EgressError, match=r'Refusing 127.0.0.1 from addresses\[0\].addresses\[1\]: it is in the loopback'):
        _address_set.check_policy(_entry_policy.module_policy({}), _address_set.parse_desired(entries), entries,
                                  'addresses')


def test_expansion_into_single_addresses_is_bounded_per_entry_and_in_total():
    _address_set.check_expandable(_address_set.parse_desired(['11.0.0.0/16']), 'the set holds single addresses')
    with pytest.raises(EgressError, match=r'the set holds single addresses; 11.0.0.0/15 is too wide to expand'):
        _address_set.check_expandable(_address_set.parse_desired(['11.0.0.0/15']), 'the set holds single addresses')
    # Sixteen /16 that do not touch: each fits, together they are 1,048,576 addresses, and one more is too many.
    spread = ['11.%d.0.0/16' % (2 * i) for i in range(17)]
    with pytest.raises(EgressError, match='expand to 1114112 single addresses, more than 1048576'):
        _address_set.check_expandable(_address_set.parse_desired(spread), 'the set holds single addresses')
    _address_set.check_expandable(_address_set.parse_desired(spread[:16]), 'the set holds single addresses')


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


def test_change_comments_name_the_entry_each_change_comes_from():
    current = elements(('192.0.2.0/28', 'old feed'), ('198.51.100.1/32', 'office'))
    plan = plan_for(current, [{'address': '192.0.2.0/29', 'comment': 'old feed'},
                              {'address': '203.0.113.7/32', 'comment': 'new feed'},
                              {'address': '203.0.113.8/32', 'comment': 'office'}])
    assert plan.changes('added') == ['203.0.113.7/32', '203.0.113.8/32']
    assert plan.change_comments('added') == ['new feed', 'office']
    assert plan.changes('removed') == ['192.0.2.8/29', '198.51.100.1/32']
    assert plan.change_comments('removed') == ['old feed', 'office']
    assert plan.change_comments('removed', 1) == ['old feed']


def test_change_comments_is_none_for_a_change_spanning_two_comments():
    plan = plan_for([], [{'address': '192.0.2.0/32', 'comment': 'a'}, {'address': '192.0.2.1/32', 'comment': 'b'}])
    assert plan.changes('added') == ['192.0.2.0/31'] and plan.change_comments('added') == [None]


def test_guard_verdicts_per_family():
    current = elements(*[('192.0.2.%d/32' % i, 'a') for i in range(10)])
    plan = plan_for(current, ['192.0.2.%d/32' % i for i in range(4, 10)] + ['2001:db8::1/128'])
    verdicts = _address_set.guard_verdicts(plan, '50%', '100%', False)
    # No IPv6 before and none removed: no max_removals row for IPv6.
    assert verdicts == [
        dict(guard='max_removals', value='50%', family=4, before=10, changed=4, limit=5, verdict='ok'),
        dict(guard='max_additions', value='100%', family=4, before=10, changed=0, limit=10, verdict='ok'),
        dict(guard='max_additions', value='100%', family=6, before=0, changed=1, limit=0, verdict='new')]
    forced = _address_set.guard_verdicts(plan, '1', None, True, replaced=True)
    assert forced[0]['verdict'] == 'forced' and forced[-1] == dict(
        guard='max_additions', value=None, family=None, before=None, changed=None, limit=None, verdict='off')
    assert [v['guard'] for v in _address_set.guard_verdicts(plan, '50%', '', False, replaced=False)] == ['max_additions']


class ModuleStub(object):
    """What run_module uses of an AnsibleModule: its params and flags, and exit/fail ending the call."""

    check_mode, _diff, _verbosity = False, False, 0

    def __init__(self, params):
        self.params, self.ended = params, None

    def warn(self, message):
        pass

    def exit_json(self, **result):
        self.ended = ('exit', result)
        raise SystemExit(0)

    def fail_json(self, **result):
        self.ended = ('fail', result)
        raise SystemExit(1)


@pytest.mark.parametrize('fail', [None, 'apply'])
def test_run_module_gives_the_collector_back_however_the_sync_ends(tmp_path, fail):
    # run_module pauses the garbage collector for the sync; a failed sync must not leave it off.
    import gc
    module = ModuleStub(dict(addresses=['192.0.2.%d' % i for i in range(1, 30)], state='replaced',
                             lock_file=str(tmp_path / 'fake.lock')))
    with pytest.raises(SystemExit):
        _address_set.run_module(module, lambda: FakeBackend([], fail))
    assert gc.isenabled()
    assert module.ended[0] == ('fail' if fail else 'exit')
    assert len(module.ended[1]['invocation']['module_args']['addresses']) <= _address_set.INVOCATION_ADDRESSES + 1
