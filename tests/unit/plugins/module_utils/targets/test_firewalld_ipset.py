# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewalld target's logic against a recorded stand-in of the bus: call counts and failures that the real
firewalld (tests/integration/firewalls/test_firewalld_ipset.py) cannot easily provoke."""

from __future__ import annotations

import builtins

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _firewalld_ipset
from ansible_collections.allowlist.egress.plugins.module_utils.targets._firewalld_ipset import FirewalldIpset


class RecordedBus(object):
    """firewalld as a dictionary: permanent and runtime ipsets, zone sources, and every writing call made."""

    def __init__(self, permanent=None, runtime=None, zones=('public', 'internal', 'work'), fail=None):
        self.permanent = dict(permanent or {})
        self.runtime = dict(runtime or {})
        self.zones = dict((z, {'permanent': [], 'runtime': []}) for z in zones)
        # As on a stock host: the interface in the default zone public; internal and work dedicated.
        self.default = 'public'
        self.interfaces = {'public': ['eth0']}
        self.calls = []
        self.fail = fail
        self.rich_rules = []

    def _write(self, name, *args):
        self.calls.append((name,) + args)
        if self.fail == name:
            raise EgressError('firewalld refused to %s: INVALID_ENTRY' % name)

    def permanent_ipset(self, name):
        return self.permanent.get(name)

    def runtime_ipset(self, name):
        return self.runtime.get(name)

    def permanent_zones(self):
        return list(self.zones)

    def permanent_rich_rules(self):
        return list(self.rich_rules)

    def _zone_of(self, source, kind):
        for zone, sources in self.zones.items():
            if source in sources[kind]:
                return zone
        return None

    def default_zone(self):
        return self.default

    def zone_interfaces(self, zone):
        return sorted(self.interfaces.get(zone, []))

    def permanent_zone_of_source(self, source):
        return self._zone_of(source, 'permanent')

    def runtime_zone_of_source(self, source):
        return self._zone_of(source, 'runtime')

    def add_permanent_ipset(self, name, set_type, options, entries):
        self._write('add_permanent_ipset', name, len(entries))
        self.permanent[name] = (set_type, options, list(entries))

    def set_permanent_entries(self, name, entries):
        self._write('set_permanent_entries', name, len(entries))
        self.permanent[name] = self.permanent[name][:2] + (list(entries),)

    def set_runtime_entries(self, name, entries):
        self._write('set_runtime_entries', name, len(entries))
        self.runtime[name] = self.runtime[name][:2] + (list(entries),)

    def remove_permanent_ipset(self, name):
        self._write('remove_permanent_ipset', name)
        del self.permanent[name]

    def add_permanent_source(self, zone, source):
        self._write('add_permanent_source', zone, source)
        self.zones[zone]['permanent'].append(source)

    def remove_permanent_source(self, zone, source):
        self._write('remove_permanent_source', zone, source)
        self.zones[zone]['permanent'].remove(source)

    def add_runtime_source(self, zone, source):
        self._write('add_runtime_source', zone, source)
        self.zones[zone]['runtime'].append(source)

    def remove_runtime_source(self, zone, source):
        self._write('remove_runtime_source', zone, source)
        self.zones[zone]['runtime'].remove(source)

    def reload(self):
        self._write('reload')
        self.runtime = dict(self.permanent)
        for sources in self.zones.values():
            sources['runtime'] = list(sources['permanent'])


def sync(bus, check_mode=False, warn=None, **params):
    params.setdefault('state', 'replaced')
    backend = FirewalldIpset(bus, params.pop('name', 'allow'), set_type=params.pop('set_type', None),
                             family=params.pop('family', None), zone=params.pop('zone', None), warn=warn)
    params.setdefault('lock_file', None)
    return _address_set.sync(backend, params, check_mode=check_mode)


@pytest.fixture(autouse=True)
def private_lock_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(FirewalldIpset, 'lock_path', lambda self: str(tmp_path / ('%s.lock' % self.name)))


def hosts(count, offset=0):
    return ['10.%d.%d.%d' % ((offset + 2 * i) >> 16 & 255, (offset + 2 * i) >> 8 & 255, (offset + 2 * i) & 255)
            for i in range(count)]


def test_a_new_ipset_is_one_create_one_bind_and_one_reload_whatever_its_size():
    bus = RecordedBus()
    result = sync(bus, addresses=hosts(5000), zone='internal')
    assert bus.calls == [('add_permanent_ipset', 'allow', 5000), ('add_permanent_source', 'internal', 'ipset:allow'),
                         ('reload',)]
    assert result['changed'] and result['reloaded'] and result['after_count'] == 5000
    assert bus.runtime['allow'][2] == bus.permanent['allow'][2]
    assert bus.zones['internal']['runtime'] == ['ipset:allow']


def test_a_change_is_one_setentries_per_configuration_and_nothing_when_in_step():
    bus = RecordedBus()
    sync(bus, addresses=hosts(5000))
    bus.calls = []
    result = sync(bus, addresses=hosts(5000, offset=1), force=True)
    assert bus.calls == [('set_permanent_entries', 'allow', 5000), ('set_runtime_entries', 'allow', 5000)]
    assert result['reloaded'] is False and result['added_count'] == 5000 and result['removed_count'] == 5000
    bus.calls = []
    again = sync(bus, addresses=hosts(5000, offset=1))
    assert bus.calls == [] and again['changed'] is False


def test_a_refused_runtime_list_puts_the_permanent_list_back():
    bus = RecordedBus()
    sync(bus, addresses=['192.0.2.1', '192.0.2.3'])
    bus.fail = 'set_runtime_entries'
    with pytest.raises(EgressError, match='INVALID_ENTRY'):
        sync(bus, addresses=['192.0.2.1', '192.0.2.3', '192.0.2.5'])
    assert bus.permanent['allow'][2] == ['192.0.2.1', '192.0.2.3']
    assert [c[0] for c in bus.calls[-3:]] == ['set_permanent_entries', 'set_runtime_entries', 'set_permanent_entries']


def test_runtime_drift_is_put_back_in_step_and_reported():
    bus = RecordedBus()
    sync(bus, addresses=['192.0.2.1'])
    bus.runtime['allow'] = ('hash:net', {'family': 'inet'}, ['192.0.2.1', '203.0.113.9'])
    bus.calls = []
    result = sync(bus, addresses=['192.0.2.1'], return_commands=True)
    assert result['changed'] and result['runtime_synced'] and result['commands'] == ['runtime: setEntries allow (1 entries)']
    assert bus.calls == [('set_runtime_entries', 'allow', 1)] and result['added'] == result['removed'] == []


def test_a_permanent_ipset_missing_from_the_runtime_is_loaded_by_a_reload():
    bus = RecordedBus(permanent={'allow': ('hash:net', {'family': 'inet'}, ['192.0.2.1'])})
    result = sync(bus, addresses=['192.0.2.1'], zone='work', return_commands=True)
    assert result['commands'] == ['permanent: zone work add source ipset:allow',
                                  'reload (firewalld 1.x creates runtime ipsets only from the permanent configuration)']
    assert bus.runtime['allow'][2] == ['192.0.2.1'] and bus.zones['work']['runtime'] == ['ipset:allow']


def test_comments_are_checked_then_dropped_so_a_second_run_is_idempotent():
    bus = RecordedBus()
    sync(bus, addresses=[{'address': '192.0.2.0/24', 'comment': 'partner A'}], entry_comment='feed')
    assert sync(bus, addresses=[{'address': '192.0.2.0/24', 'comment': 'partner B'}])['changed'] is False
    with pytest.raises(EgressError, match='U\\+000A'):
        sync(bus, addresses=['192.0.2.0/24'], entry_comment='a\nb')


def test_zone_checks_happen_before_any_call():
    bus = RecordedBus()
    sync(bus, addresses=['192.0.2.1'], zone='work')
    bus.calls = []
    with pytest.raises(EgressError, match='already a source of the permanent zone work'):
        sync(bus, addresses=['192.0.2.1'], zone='internal')
    with pytest.raises(EgressError, match="Invalid zone 'dmz'"):
        sync(bus, addresses=['192.0.2.1'], zone='dmz')
    with pytest.raises(EgressError, match='Invalid zone'):
        FirewalldIpset(bus, 'allow', zone='work\n')
    assert bus.calls == []


def test_names_types_and_foreign_ipsets_are_refused():
    for name in ('', '-x', 'a/b', 'a' * 32, 'a b', 'ipset:x'):
        with pytest.raises(EgressError, match='Invalid ipset name'):
            FirewalldIpset(RecordedBus(), name)
    assert FirewalldIpset(RecordedBus(), 'a' * 31).name == 'a' * 31
    bus = RecordedBus(permanent={'ports': ('hash:ip,port', {}, ['192.0.2.1,tcp:80'])})
    with pytest.raises(EgressError, match='is of type hash:ip,port'):
        sync(bus, name='ports', addresses=['192.0.2.1'])
    bus = RecordedBus(permanent={'tmp': ('hash:ip', {'timeout': '60'}, [])})
    with pytest.raises(EgressError, match='has a timeout'):
        sync(bus, name='tmp', addresses=['192.0.2.1'])


def test_check_mode_and_absent():
    bus = RecordedBus()
    sync(bus, addresses=['192.0.2.1'], zone='internal')
    bus.calls = []
    planned = sync(bus, check_mode=True, state='absent')
    assert planned['changed'] and bus.calls == []
    gone = sync(bus, state='absent')
    assert bus.calls == [('remove_runtime_source', 'internal', 'ipset:allow'),
                         ('remove_permanent_source', 'internal', 'ipset:allow'),
                         ('remove_permanent_ipset', 'allow'), ('reload',)]
    assert gone['removed'] == ['192.0.2.1/32'] and bus.permanent == bus.runtime == {}
    assert sync(bus, state='absent')['changed'] is False


def test_absent_is_refused_while_a_rich_rule_uses_the_ipset():
    bus = RecordedBus()
    sync(bus, addresses=['192.0.2.1'], zone='internal')
    bus.rich_rules = [('zone public', 'rule family="ipv4" source ipset="allowed" accept'),
                      ('policy out', 'rule family="ipv4" destination ipset="allow" reject')]
    bus.calls = []
    with pytest.raises(EgressError, match='rich rules still use it.*policy out: rule family="ipv4" destination '
                                          'ipset="allow" reject$'):
        sync(bus, state='absent')
    assert bus.calls == [] and 'allow' in bus.permanent and bus.zones['internal']['runtime'] == ['ipset:allow']


def test_rendered_needs_no_firewalld():
    def no_bus():
        raise AssertionError('rendered must not open the bus')
    backend = FirewalldIpset(no_bus, 'v6', family='inet6')
    result = _address_set.sync(backend, dict(state='rendered', addresses=['2001:db8::/48', '2001:db8:1::/48']))
    assert result['rendered'].splitlines() == [
        '<?xml version="1.0" encoding="utf-8"?>', '<ipset type="hash:net">', '  <option name="family" value="inet6"/>',
        '  <entry>2001:db8::/47</entry>', '</ipset>']


def test_a_missing_firewall_module_names_the_package_and_the_interpreter(monkeypatch):
    real_import = builtins.__import__

    def without_firewall(name, *args, **kwargs):
        if name.startswith('firewall') or name == 'dbus':
            raise ImportError("No module named 'dbus'", name='dbus')
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, '__import__', without_firewall)
    with pytest.raises(EgressError, match='apt-get install python3-firewall.*ansible_python_interpreter=/usr/bin/python3'):
        _firewalld_ipset.FirewalldBus()


def test_a_zone_that_is_the_default_or_has_interfaces_restricts_nothing_and_warns():
    # firewalld handles every packet of an interface in that interface's zone (and of unbound interfaces in the
    # default zone): binding the ipset there leaves the zone's services open to everyone.
    warnings = []
    bus = RecordedBus()
    sync(bus, addresses=['192.0.2.1'], zone='public', warn=warnings.append)
    assert warnings == ['Binding firewalld ipset allow to the zone public restricts nothing: it is the default zone '
                        '(every interface bound to no other zone uses it) and the interfaces eth0 are bound to it, so '
                        'its services and ports are open to every address arriving there, listed or not. Bind the '
                        'ipset to a zone of its own, with no interface, that is not the default zone.']
    assert bus.zones['public']['permanent'] == ['ipset:allow']  # still done as asked: a warning, not a refusal
    for zone, default, interfaces, reason in (
            ('work', 'work', {}, ': it is the default zone (every interface'),
            ('work', 'public', {'work': ['ens4', 'ens3']}, ': the interfaces ens3, ens4 are bound to it, so')):
        warnings, bus = [], RecordedBus()
        bus.default, bus.interfaces = default, interfaces
        sync(bus, addresses=['192.0.2.1'], zone=zone, warn=warnings.append, check_mode=True)
        assert len(warnings) == 1 and reason in warnings[0] and bus.calls == []


def test_a_dedicated_zone_gets_no_warning_nor_does_a_sync_without_zone_or_absent():
    warnings = []
    bus = RecordedBus()
    sync(bus, addresses=['192.0.2.1'], zone='internal', warn=warnings.append)
    sync(bus, addresses=['192.0.2.1', '192.0.2.3'], zone='internal', warn=warnings.append)
    sync(bus, name='other', addresses=['192.0.2.1'], warn=warnings.append)
    sync(bus, state='absent', zone='public', warn=warnings.append)
    assert warnings == []
