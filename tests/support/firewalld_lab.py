# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A real firewalld (Debian's) inside a network namespace, on a private D-Bus system bus, with its own config.

firewalld talks on the system bus; here a dbus-daemon of our own listens on a unix socket in a temporary
directory (policy: root may own and call anything), and firewalld runs in the namespace with
DBUS_SYSTEM_BUS_ADDRESS pointing to it, `--system-config` in the same directory (so /etc/firewalld is never
read or written; its defaults stay /usr/lib/firewalld, only read) and its log there too. Its nftables table lives
in the namespace's own netfilter state.
firewalld runs in a mount namespace with a tmpfs on /run, so its temporary files do not reach the host's /run.
Both processes belong to the network namespace, so Netns.destroy() kills them.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

SYSTEM_PYTHON = '/usr/bin/python3'
QUERY = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'firewalld_query.py')

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

# The settings Debian's /etc/firewalld/firewalld.conf has, written here so the host's file is not even read.
FIREWALLD_CONF = """DefaultZone=public
CleanupOnExit=yes
CleanupModulesOnExit=no
Lockdown=no
IPv6_rpfilter=yes
IndividualCalls=no
LogDenied=off
FirewallBackend=nftables
FlushAllOnReload=yes
RFC3964_IPv4=yes
"""


class FirewalldLab(object):
    def __init__(self, ns, directory):
        self.ns = ns
        self.dir = str(directory)
        self.socket = os.path.join(self.dir, 'bus.sock')
        self.config = os.path.join(self.dir, 'etc-firewalld')
        self.log = os.path.join(self.dir, 'firewalld.log')
        self.address = 'unix:path=%s' % self.socket
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.dbus = self.firewalld = None

    def start(self, zones=None, timeout=30):
        """Start dbus-daemon and firewalld; `zones` ({name: XML}) are written to its configuration first."""
        with open(os.path.join(self.dir, 'bus.conf'), 'w') as f:
            f.write(BUS_CONFIG % self.socket)
        for sub in ('zones', 'ipsets', 'services', 'icmptypes', 'helpers', 'policies'):
            os.makedirs(os.path.join(self.config, sub))
        for name, xml in (zones or {}).items():
            with open(os.path.join(self.config, 'zones', '%s.xml' % name), 'w') as f:
                f.write(xml)
        with open(os.path.join(self.config, 'firewalld.conf'), 'w') as f:
            f.write(FIREWALLD_CONF)
        self.dbus = self.ns.popen(['dbus-daemon', '--config-file=%s' % os.path.join(self.dir, 'bus.conf'), '--nofork'],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(lambda: os.path.exists(self.socket), timeout, 'dbus-daemon')
        # A mount namespace of its own with a tmpfs on /run: firewalld's temporary files (/run/firewalld) stay out of
        # the host's /run. The arguments reach firewalld as "$@", never through the shell's parser.
        self.firewalld = self.ns.popen(
            ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$@"',
             'sh', 'firewalld', '--nofork', '--nopid', '--system-config', self.config, '--log-target', 'file',
             '--log-file', self.log], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(lambda: self.cmd(['--state'], check=False).returncode == 0, timeout, 'firewalld')
        return self

    def _wait(self, ready, timeout, what):
        deadline = time.time() + timeout
        while not ready():
            for proc in (self.dbus, self.firewalld):
                if proc is not None and proc.poll() is not None:
                    raise AssertionError('%s exited (%s); log: %s' % (what, proc.returncode, self.read_log()))
            if time.time() > deadline:
                raise AssertionError('%s did not start in %d s; log: %s' % (what, timeout, self.read_log()))
            time.sleep(0.1)

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()[-3000:]
        except IOError:
            return '(no log)'

    def cmd(self, args, check=True):
        """firewall-cmd against this firewalld (on the private bus)."""
        proc = self.ns.run(['env', 'DBUS_SYSTEM_BUS_ADDRESS=%s' % self.address, 'firewall-cmd'] + list(args), check=False)
        return proc if not check else _checked(proc, args)

    def stop(self):
        for proc in (self.firewalld, self.dbus):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    # -- assertions -------------------------------------------------------
    def query(self, *zones, **kwargs):
        """Every ipset's entries, permanent and runtime, and the sources of `zones`, through firewalld's D-Bus API
        (firewalld_query.py); reload=True reloads first, as `firewall-cmd --reload` does."""
        argv = [SYSTEM_PYTHON, QUERY] + (['--reload'] if kwargs.get('reload') else []) + list(zones)
        proc = self.ns.run(['env', 'DBUS_SYSTEM_BUS_ADDRESS=%s' % self.address] + argv)
        return json.loads(proc.stdout)

    def nft_elements(self, name):
        """The elements of firewalld's nft set, as `nft list set` prints them (None when there is no such set)."""
        proc = self.ns.run(['nft', 'list', 'set', 'inet', 'firewalld', name], check=False)
        if proc.returncode != 0:
            return None
        text = proc.stdout
        if 'elements = {' not in text:
            return []
        body = text.split('elements = {', 1)[1].split('}', 1)[0]
        return sorted(e.strip() for e in body.replace('\n', ' ').split(',') if e.strip())

    def state(self):
        """Everything firewalld holds, permanent and runtime, plus its nft table: for 'nothing changed' checks."""
        config = []
        for directory, _dirs, files in sorted(os.walk(self.config)):
            for name in sorted(files):
                with open(os.path.join(directory, name)) as f:
                    config.append((os.path.relpath(os.path.join(directory, name), self.config), f.read()))
        table = self.ns.run(['nft', 'list', 'table', 'inet', 'firewalld'], check=False).stdout
        return config, table


def _checked(proc, args):
    if proc.returncode != 0:
        raise AssertionError('firewall-cmd %s failed (%d): %s%s' % (args, proc.returncode, proc.stdout, proc.stderr))
    return proc
