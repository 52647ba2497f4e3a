# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a firewalld holds, asked over its D-Bus API in one process (firewall-cmd costs 0.4 s per question).

Run with the system Python (python3-firewall):  python3 firewalld_query.py [--reload] [zone ...]
Prints JSON: {"permanent": {ipset: entries}, "runtime": {ipset: entries},
              "sources": {zone: {"permanent": [...], "runtime": [...]}}}.
"""

from __future__ import annotations

import json
import sys

import dbus
from firewall.config import dbus as names


def main(argv):
    bus = dbus.SystemBus(private=True)
    main_obj = bus.get_object(names.DBUS_INTERFACE, names.DBUS_PATH)
    if argv[:1] == ['--reload']:
        dbus.Interface(main_obj, names.DBUS_INTERFACE).reload()
        argv = argv[1:]
    config = dbus.Interface(bus.get_object(names.DBUS_INTERFACE, names.DBUS_PATH_CONFIG), names.DBUS_INTERFACE_CONFIG)
    ipset = dbus.Interface(main_obj, names.DBUS_INTERFACE_IPSET)
    zone = dbus.Interface(main_obj, names.DBUS_INTERFACE_ZONE)

    def config_object(path, interface):
        return dbus.Interface(bus.get_object(names.DBUS_INTERFACE, path), interface)

    result = {'permanent': {}, 'runtime': {}, 'sources': {}}
    for name in config.getIPSetNames():
        obj = config_object(config.getIPSetByName(name), names.DBUS_INTERFACE_CONFIG_IPSET)
        result['permanent'][str(name)] = sorted(str(e) for e in obj.getEntries())
    for name in ipset.getIPSets():
        result['runtime'][str(name)] = sorted(str(e) for e in ipset.getEntries(name))
    for name in argv:
        obj = config_object(config.getZoneByName(name), names.DBUS_INTERFACE_CONFIG_ZONE)
        result['sources'][name] = {'permanent': sorted(str(s) for s in obj.getSources()),
                                   'runtime': sorted(str(s) for s in zone.getSources(name))}
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1:])
