# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""firewalld backend: one firewalld ipset (hash:net or hash:ip), permanent and runtime in step, over D-Bus.

firewalld owns its ipsets: `ipset` or `nft` commands change a set that firewalld overwrites on its next
reload, so every change goes through firewalld's own D-Bus API (the interface names come from the
`firewall` package of python3-firewall). One bulk call per configuration per change: the permanent
ipset's `setEntries`, then the runtime `setEntries` (firewalld 1.3 has no bulk add or remove; its
`addEntry` is one call, one nft transaction and one D-Bus signal per entry).

The permanent configuration is the reference: it is what a reload or a reboot loads. A runtime set that
drifted from it (a `firewall-cmd` without `--permanent`) is put back in step.

firewalld 1.3 cannot create a runtime ipset over D-Bus: a new ipset is written to the permanent
configuration (with its entries and, when asked, its zone binding) and firewalld is reloaded once.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _files, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._address_set import (
    MISSING, Current, check_expandable, check_one_family,
)
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target, TargetInfo

SET_TYPES = ('hash:net', 'hash:ip')
FAMILIES = {'inet': 4, 'inet6': 6}
FAMILY_OF_VERSION = {4: 'inet', 6: 'inet6'}
# firewalld writes <name>.xml and an nft set (or a kernel ipset, 31 characters) of the same name.
NAME_PATTERN = r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$'
NAME_MAX = 31
NAME_RULE = ('1 to 31 characters: letters, digits, "_", "." or "-", not starting with "." or "-" (firewalld writes '
             '<name>.xml and a kernel set of that name)')
ZONE_PATTERN = r'^[A-Za-z0-9_][A-Za-z0-9_+.-]*$'
ZONE_MAX = 64
DEFAULT_TIMEOUT = 300.0
IMPORT_HINT = ('this module talks to firewalld over D-Bus with the Python modules "dbus" and "firewall", which Debian '
               'and Ubuntu ship for the system Python only (apt-get install python3-firewall; on RHEL and Fedora '
               'python3-firewall). Run it with ansible_python_interpreter=/usr/bin/python3')


def argument_spec():
    spec = _address_set.argument_spec(persist=False)
    spec.update(
        name=dict(type='str', required=True),
        set_type=dict(type='str', choices=list(SET_TYPES)),
        family=dict(type='str', choices=list(FAMILIES)),
        zone=dict(type='str'),
        dbus_timeout=dict(type='float', default=DEFAULT_TIMEOUT),
    )
    return spec


def source_of(name):
    """How a zone names an ipset among its sources."""
    return 'ipset:%s' % name


class FirewalldBus(object):
    """The few firewalld D-Bus calls this backend makes, on the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured).

    dbus-python directly rather than firewall.client.FirewallClient: FirewallClient subscribes to every
    firewalld signal, and a runtime setEntries emits one signal per added and per removed entry, which the
    client then has to receive (measured: 20,000 changed entries took seconds longer through it).
    """

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        try:
            import dbus
            from firewall.config import dbus as names
        except ImportError as error:
            raise EgressError('Cannot import %s (%s): %s' % (error.name or 'dbus/firewall', error, IMPORT_HINT))
        self._dbus, self._names, self.timeout = dbus, names, timeout
        address = os.environ.get('DBUS_SYSTEM_BUS_ADDRESS', 'the default system bus')
        try:
            self._bus = dbus.SystemBus(private=True)
            main = self._bus.get_object(names.DBUS_INTERFACE, names.DBUS_PATH)
            self._main = dbus.Interface(main, names.DBUS_INTERFACE)
            self._ipset = dbus.Interface(main, names.DBUS_INTERFACE_IPSET)
            self._zone = dbus.Interface(main, names.DBUS_INTERFACE_ZONE)
            self._config = dbus.Interface(self._bus.get_object(names.DBUS_INTERFACE, names.DBUS_PATH_CONFIG),
                                          names.DBUS_INTERFACE_CONFIG)
            # A cheap call that fails at once when no firewalld owns its name on this bus.
            self.version = str(self._property('version'))
        except dbus.exceptions.DBusException as error:
            raise EgressError('firewalld is not reachable on the D-Bus system bus (%s): %s. Is firewalld running? '
                              'This module changes firewalld through its D-Bus API only.'
                              % (address, error.get_dbus_message() or error))

    def _property(self, prop):
        props = self._dbus.Interface(self._bus.get_object(self._names.DBUS_INTERFACE, self._names.DBUS_PATH),
                                     'org.freedesktop.DBus.Properties')
        return props.Get(self._names.DBUS_INTERFACE, prop)

    def call(self, what, method, *args):
        try:
            return method(*args, timeout=self.timeout)
        except self._dbus.exceptions.DBusException as error:
            raise EgressError('firewalld refused to %s: %s' % (what, error.get_dbus_message() or error))

    def _config_ipset(self, name):
        path = self.call('find the permanent ipset %s' % name, self._config.getIPSetByName, name)
        return self._dbus.Interface(self._bus.get_object(self._names.DBUS_INTERFACE, path),
                                    self._names.DBUS_INTERFACE_CONFIG_IPSET)

    def _config_zone(self, zone):
        path = self.call('find the permanent zone %s' % zone, self._config.getZoneByName, zone)
        return self._dbus.Interface(self._bus.get_object(self._names.DBUS_INTERFACE, path),
                                    self._names.DBUS_INTERFACE_CONFIG_ZONE)

    # Reading: plain Python values.
    def permanent_ipset(self, name):
        """(type, options, entries) of the permanent ipset, or None."""
        if name not in [str(n) for n in self.call('list the permanent ipsets', self._config.getIPSetNames)]:
            return None
        settings = self.call('read the permanent ipset %s' % name, self._config_ipset(name).getSettings)
        return str(settings[3]), dict((str(k), str(v)) for k, v in settings[4].items()), [str(e) for e in settings[5]]

    def runtime_ipset(self, name):
        """(type, options, entries) of the runtime ipset, or None."""
        if name not in [str(n) for n in self.call('list the runtime ipsets', self._ipset.getIPSets)]:
            return None
        settings = self.call('read the runtime ipset %s' % name, self._ipset.getIPSetSettings, name)
        entries = self.call('read the runtime entries of %s' % name, self._ipset.getEntries, name)
        return str(settings[3]), dict((str(k), str(v)) for k, v in settings[4].items()), [str(e) for e in entries]

    def permanent_zones(self):
        return [str(z) for z in self.call('list the permanent zones', self._config.getZoneNames)]

    def permanent_rich_rules(self):
        """[(where, rule)] for every rich rule of every permanent zone and policy."""
        rules = []
        for zone in self.permanent_zones():
            settings = self.call('read the permanent zone %s' % zone, self._config_zone(zone).getSettings2)
            rules += [('zone %s' % zone, str(r)) for r in settings.get('rules_str', [])]
        for policy in self.call('list the permanent policies', self._config.getPolicyNames):
            path = self.call('find the permanent policy %s' % policy, self._config.getPolicyByName, policy)
            obj = self._dbus.Interface(self._bus.get_object(self._names.DBUS_INTERFACE, path),
                                       self._names.DBUS_INTERFACE_CONFIG_POLICY)
            settings = self.call('read the permanent policy %s' % policy, obj.getSettings)
            rules += [('policy %s' % policy, str(r)) for r in settings.get('rich_rules', [])]
        return rules

    def default_zone(self):
        return str(self.call('read the default zone', self._main.getDefaultZone))

    def zone_interfaces(self, zone):
        """The interfaces bound to `zone`, permanent and runtime (NetworkManager binds at runtime only)."""
        interfaces = set(str(i) for i in self.call('read the interfaces of the permanent zone %s' % zone,
                                                   self._config_zone(zone).getInterfaces))
        if zone in [str(z) for z in self.call('list the runtime zones', self._zone.getZones)]:
            interfaces.update(str(i) for i in self.call('read the interfaces of the runtime zone %s' % zone,
                                                        self._zone.getInterfaces, zone))
        return sorted(interfaces)

    def permanent_zone_of_source(self, source):
        return str(self.call('find the permanent zone of %s' % source, self._config.getZoneOfSource, source)) or None

    def runtime_zone_of_source(self, source):
        return str(self.call('find the runtime zone of %s' % source, self._zone.getZoneOfSource, source)) or None

    # Writing: each one call.
    def add_permanent_ipset(self, name, set_type, options, entries):
        settings = ('', '', '', set_type, self._dbus.Dictionary(options, signature='ss'),
                    self._dbus.Array(entries, signature='s'))
        self.call('create the permanent ipset %s' % name, self._config.addIPSet, name, settings)

    def set_permanent_entries(self, name, entries):
        self.call('set the permanent entries of %s' % name, self._config_ipset(name).setEntries,
                  self._dbus.Array(entries, signature='s'))

    def set_runtime_entries(self, name, entries):
        self.call('set the runtime entries of %s' % name, self._ipset.setEntries, name,
                  self._dbus.Array(entries, signature='s'))

    def remove_permanent_ipset(self, name):
        self.call('remove the permanent ipset %s' % name, self._config_ipset(name).remove)

    def add_permanent_source(self, zone, source):
        self.call('add %s to the permanent zone %s' % (source, zone), self._config_zone(zone).addSource, source)

    def remove_permanent_source(self, zone, source):
        self.call('remove %s from the permanent zone %s' % (source, zone), self._config_zone(zone).removeSource, source)

    def add_runtime_source(self, zone, source):
        self.call('add %s to the runtime zone %s' % (source, zone), self._zone.addSource, zone, source)

    def remove_runtime_source(self, zone, source):
        self.call('remove %s from the runtime zone %s' % (source, zone), self._zone.removeSource, zone, source)

    def reload(self):
        self.call('reload', self._main.reload)


def _intervals_of(entries, where):
    result = []
    for entry in entries:
        result.extend(_intervals.parse(entry, source=where))
    return _intervals.merge(result)


class FirewalldIpset(Target):

    TARGET_INFO = TargetInfo('allowlist.egress.firewalld_ipset', name_option='name', family_option='family',
                             family_values={4: 'inet', 6: 'inet6'}, persist=False)

    def __init__(self, bus, name, set_type=None, family=None, zone=None, warn=None):
        """`bus` is a FirewalldBus, or a callable that makes one (so that `rendered` needs no firewalld); `warn`
        takes the warnings of the sync (module.warn)."""
        if set_type is not None and set_type not in SET_TYPES:
            raise EgressError('Invalid set_type %r: use one of %s' % (set_type, ', '.join(SET_TYPES)))
        if family is not None and family not in FAMILIES:
            raise EgressError('Invalid family %r: use inet or inet6' % (family,))
        if not isinstance(name, str) or not re.match(NAME_PATTERN, name) or len(name) > NAME_MAX or '\n' in name:
            raise EgressError('Invalid ipset name %r: %s' % (name, NAME_RULE))
        if zone is not None and (not isinstance(zone, str) or not re.match(ZONE_PATTERN, zone)
                                 or len(zone) > ZONE_MAX or '\n' in zone):
            raise EgressError('Invalid zone %r: a firewalld zone name (letters, digits, "_", "+", "." or "-")' % (zone,))
        self._bus = bus
        self._warn = warn
        self.name = name
        self.source = source_of(name)
        self.zone = zone
        self.requested_type = set_type
        self.requested_family = family
        self.set_type = set_type or 'hash:net'
        self.family = family or 'inet'
        self._steps = []
        self.reloaded = False
        self.runtime_synced = False

    @property
    def bus(self):
        if callable(self._bus):
            self._bus = self._bus()
        return self._bus

    def describe(self):
        return 'firewalld ipset %s' % self.name

    def lock_path(self):
        return _files.default_lock_path('firewalld_ipset', self.name)

    @staticmethod
    def check_comment(comment, where):
        # firewalld ipsets store no per-entry comment: comments are checked like everywhere, then dropped.
        _address_set.check_comment_text(comment, where)

    def read(self):
        bus = self.bus
        permanent = bus.permanent_ipset(self.name)
        runtime = bus.runtime_ipset(self.name)
        if permanent is None and runtime is None:
            self._read_zones(bus, False, False)
            return MISSING
        set_type, options, entries = permanent if permanent is not None else runtime
        where = '%s (%s configuration)' % (self.describe(), 'permanent' if permanent is not None else 'runtime')
        if set_type not in SET_TYPES:
            raise EgressError('%s is of type %s; this module manages hash:net and hash:ip ipsets'
                              % (self.describe(), set_type))
        if options.get('timeout', '0') != '0':
            raise EgressError('%s has a timeout: entries that expire are not an allowlist this module can own'
                              % self.describe())
        elements = []
        for entry in entries:
            if ',' in entry:
                raise EgressError('%s holds the entry %r, which is not an address' % (self.describe(), entry))
            for interval in _intervals.parse(entry, source=where):
                elements.append(_address_set.Element(interval[0], interval[1], interval[2], None, entry))
        properties = dict(set_type=set_type, family=options.get('family', 'inet'), options=options,
                          permanent=permanent is not None, runtime=runtime is not None)
        if runtime is not None:
            if permanent is not None and sorted(runtime[2]) == sorted(permanent[2]):
                # In step, as after every sync: no need to parse the list twice.
                properties['runtime_intervals'] = _intervals.merge(e.interval for e in elements)
            else:
                properties['runtime_intervals'] = _intervals_of(runtime[2], '%s (runtime configuration)'
                                                                % self.describe())
            properties['runtime_count'] = len(runtime[2])
        properties.update(self._read_zones(bus, permanent is not None, runtime is not None))
        return Current(True, elements, properties)

    def _read_zones(self, bus, permanent, runtime):
        # firewalld refuses to look up the zone of an ipset it does not have (INVALID_IPSET).
        zones = dict(permanent_zone=bus.permanent_zone_of_source(self.source) if permanent else None,
                     runtime_zone=bus.runtime_zone_of_source(self.source) if runtime else None)
        if self.zone is not None and self.state not in ('absent', 'gathered'):
            if self.zone not in bus.permanent_zones():
                raise EgressError('Invalid zone %r: firewalld has no such zone (firewall-cmd --get-zones lists them)'
                                  % self.zone)
            for kind in ('permanent', 'runtime'):
                other = zones['%s_zone' % kind]
                if other and other != self.zone:
                    raise EgressError('%s is already a source of the %s zone %s; firewalld binds a source to one zone '
                                      'only: remove it there first, or sync with zone=%s'
                                      % (self.describe(), kind, other, other))
            self._warn_open_zone(bus)
        self._zones = zones
        return zones

    def _warn_open_zone(self, bus):
        """A binding restricts only in a zone of its own. Traffic that arrives on an interface of the zone, or on any
        interface when it is the default zone, is handled by that zone whatever its source, so the zone's services
        stay open to everyone: warn, since the sync itself is still what was asked."""
        if self._warn is None:
            return
        reasons = []
        if bus.default_zone() == self.zone:
            reasons.append('it is the default zone (every interface bound to no other zone uses it)')
        interfaces = bus.zone_interfaces(self.zone)
        if interfaces:
            reasons.append('the interfaces %s are bound to it' % ', '.join(interfaces))
        if reasons:
            self._warn('Binding %s to the zone %s restricts nothing: %s, so its services and ports are open to every '
                       'address arriving there, listed or not. Bind the ipset to a zone of its own, with no interface, '
                       'that is not the default zone.' % (self.describe(), self.zone, ' and '.join(reasons)))

    def prepare(self, current, desired):
        check_one_family(desired, 'a firewalld ipset holds one family', 'one with family=inet and one with family=inet6')
        versions = desired.versions
        exists = current is not None and current.exists
        if exists:
            self.set_type = current.properties['set_type']
            self.family = current.properties['family']
            for option, requested, actual in (('set_type', self.requested_type, self.set_type),
                                              ('family', self.requested_family, self.family)):
                if requested and requested != actual:
                    raise EgressError('%s exists with %s %s, not %s: remove it first (state=absent) or use another name'
                                      % (self.describe(), option, actual, requested))
        else:
            self.set_type = self.requested_type or 'hash:net'
            self.family = self.requested_family or (FAMILY_OF_VERSION[versions[0]] if versions else 'inet')
        version = FAMILIES.get(self.family)
        if version is None:
            raise EgressError('%s is of family %s; this module manages inet and inet6 ipsets'
                              % (self.describe(), self.family))
        if versions and versions[0] != version:
            raise EgressError('%s is of family %s but the addresses are IPv%d (for example %s)'
                              % (self.describe(), self.family, versions[0], desired.first_of_version(versions[0])))
        # With firewalld's iptables backend the ipset is a kernel hash:net, which refuses a /0; two /1 cover the same
        # space on both backends.
        self.min_prefix = 1 if self.set_type == 'hash:net' else 0
        self.host_only = self.set_type == 'hash:ip'
        if self.host_only:
            check_expandable(desired, '%s is hash:ip, which holds single addresses (use set_type=hash:net)'
                             % self.describe())
        # No per-entry comments in firewalld: one group, so that a list with comments compares equal to the set.
        merged = desired.all()
        desired.groups = OrderedDict([(None, merged)]) if merged else OrderedDict()

    def _entries(self, plan):
        return [_intervals.entry_text(prefix) for prefix, _comment in plan.target_prefixes()]

    def _options(self):
        return {'family': self.family}

    def commands(self, current, plan):
        entries = self._entries(plan)
        steps = []
        if current is None:
            self._steps = []
            return self._xml(entries)
        zones = self._zones
        bind = self.zone is not None
        if not current.exists:
            steps.append(('permanent: create ipset %s type %s family %s with %d entries'
                          % (self.name, self.set_type, self.family, len(entries)), 'create', entries))
            if bind and zones['permanent_zone'] != self.zone:
                steps.append(('permanent: zone %s add source %s' % (self.zone, self.source), 'bind_permanent', None))
            steps.append(('reload (firewalld 1.x creates runtime ipsets only from the permanent configuration)',
                          'reload', None))
        else:
            props = current.properties
            runtime_stale = props['runtime'] and props['runtime_intervals'] != _intervals.merge(
                i for g in plan.target_groups.values() for i in g)
            if not props['permanent']:
                steps.append(('permanent: create ipset %s type %s family %s with %d entries'
                              % (self.name, self.set_type, self.family, len(entries)), 'create', entries))
            elif plan.changed:
                steps.append(('permanent: setEntries %s (%d entries)' % (self.name, len(entries)), 'permanent', entries))
            if bind and zones['permanent_zone'] != self.zone:
                steps.append(('permanent: zone %s add source %s' % (self.zone, self.source), 'bind_permanent', None))
            if not props['runtime']:
                steps.append(('reload (firewalld 1.x creates runtime ipsets only from the permanent configuration)',
                              'reload', None))
            else:
                if plan.changed or runtime_stale:
                    steps.append(('runtime: setEntries %s (%d entries)' % (self.name, len(entries)), 'runtime', entries))
                if bind and zones['runtime_zone'] != self.zone:
                    steps.append(('runtime: zone %s add source %s' % (self.zone, self.source), 'bind_runtime', None))
            self.runtime_synced = bool(runtime_stale and not plan.changed)
        self._steps = steps
        return [s[0] for s in steps]

    def _xml(self, entries):
        """state=rendered: the permanent ipset as firewalld writes it in /etc/firewalld/ipsets/<name>.xml."""
        lines = ['<?xml version="1.0" encoding="utf-8"?>', '<ipset type="%s">' % self.set_type,
                 '  <option name="family" value="%s"/>' % self.family]
        lines += ['  <entry>%s</entry>' % e for e in entries]
        lines.append('</ipset>')
        return lines

    def apply(self, current, plan):
        bus = self.bus
        done = []
        for _text, kind, entries in self._steps:
            if kind == 'create':
                bus.add_permanent_ipset(self.name, self.set_type, self._options(), entries)
            elif kind == 'permanent':
                bus.set_permanent_entries(self.name, entries)
            elif kind == 'runtime':
                try:
                    bus.set_runtime_entries(self.name, entries)
                except EgressError:
                    self._undo_permanent(bus, current, done)
                    raise
            elif kind == 'bind_permanent':
                bus.add_permanent_source(self.zone, self.source)
            elif kind == 'bind_runtime':
                bus.add_runtime_source(self.zone, self.source)
            elif kind == 'reload':
                bus.reload()
                self.reloaded = True
            done.append(kind)

    def _undo_permanent(self, bus, current, done):
        """firewalld refused the runtime entries after it took the permanent ones: put the permanent list back,
        so that the next reload does not load a list the running firewall never had."""
        if 'permanent' in done:
            bus.set_permanent_entries(self.name, [e.token for e in current.elements])

    def remove_commands(self, current):
        self._check_unused()
        steps = self._remove_steps(current)
        return [s[0] for s in steps]

    def _check_unused(self):
        """firewalld removes a permanent ipset that a rich rule still names, and then fails its next reload: refuse
        before anything changes. (The zone bindings are this module's to remove.)"""
        quoted = 'ipset="%s"' % self.name
        users = ['%s: %s' % (where, rule) for where, rule in self.bus.permanent_rich_rules() if quoted in rule]
        if users:
            raise EgressError('Cannot remove %s: rich rules still use it, and firewalld would fail to reload without '
                              'it; remove them first: %s' % (self.describe(), '; '.join(users)))

    def _remove_steps(self, current):
        props = current.properties
        steps = []
        if props.get('runtime_zone'):
            steps.append(('runtime: zone %s remove source %s' % (props['runtime_zone'], self.source), 'unbind_runtime',
                          props['runtime_zone']))
        if props.get('permanent_zone'):
            steps.append(('permanent: zone %s remove source %s' % (props['permanent_zone'], self.source),
                          'unbind_permanent', props['permanent_zone']))
        if props.get('permanent'):
            steps.append(('permanent: remove ipset %s' % self.name, 'remove', None))
        if props.get('runtime'):
            steps.append(('reload (drops the runtime ipset)', 'reload', None))
        return steps

    def remove(self, current):
        # remove_commands() ran first, in the same sync, and checked that no rich rule uses the ipset.
        bus = self.bus
        for _text, kind, zone in self._remove_steps(current):
            if kind == 'unbind_runtime':
                bus.remove_runtime_source(zone, self.source)
            elif kind == 'unbind_permanent':
                bus.remove_permanent_source(zone, self.source)
            elif kind == 'remove':
                bus.remove_permanent_ipset(self.name)
            elif kind == 'reload':
                bus.reload()
                self.reloaded = True

    def facts(self, current, plan):
        return dict(set_type=self.set_type, family=self.family, zone=self.zone, reloaded=self.reloaded,
                    runtime_synced=self.runtime_synced)
