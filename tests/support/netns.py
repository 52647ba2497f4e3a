# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Network namespaces for the firewall tests: each test gets its own kernel netfilter state.

`ip netns add` makes the namespace; commands run in it through `nsenter --net`,
which (unlike `ip netns exec`) does not remount /sys and costs milliseconds.
Everything a namespace started is killed when it is destroyed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid


def _run(argv, data=None, check=True, timeout=300):
    proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          check=False, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError('%s failed (%d): %s%s' % (argv, proc.returncode, proc.stdout, proc.stderr))
    return proc


class Netns(object):
    def __init__(self, prefix='ae'):
        # NETNS_PREFIX goes in front of every name, so that a run's namespaces can be told from another's.
        self.name = '%s%s-%s' % (os.environ.get('NETNS_PREFIX', ''), prefix, uuid.uuid4().hex[:8])
        self.path = '/run/netns/%s' % self.name
        self.processes = []

    @property
    def prefix(self):
        """argv prefix that runs a command inside this namespace."""
        return ['nsenter', '--net=%s' % self.path]

    def create(self):
        _run(['ip', 'netns', 'add', self.name])
        self.run(['ip', 'link', 'set', 'lo', 'up'])
        return self

    def python_wrapper(self, path):
        """Write an interpreter at `path` that runs Python inside this namespace: an Ansible host's
        ansible_python_interpreter (it must be one path, so a script)."""
        with open(str(path), 'w') as f:
            f.write('#!/bin/sh\nexec nsenter --net=%s %s "$@"\n' % (self.path, sys.executable))
        os.chmod(str(path), 0o755)
        return str(path)

    def run(self, argv, data=None, check=True, timeout=300):
        return _run(self.prefix + list(argv), data=data, check=check, timeout=timeout)

    def popen(self, argv, **kwargs):
        proc = subprocess.Popen(self.prefix + list(argv), **kwargs)
        self.processes.append(proc)
        return proc

    def destroy(self):
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        pids = _run(['ip', 'netns', 'pids', self.name], check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        _run(['ip', 'netns', 'del', self.name], check=False)

    # -- netfilter state, for assertions ------------------------------------
    def ruleset(self):
        """Everything netfilter holds here: the nft ruleset and every ipset, as text."""
        nft = self.run(['nft', 'list', 'ruleset']).stdout
        return nft + '\n--- ipset ---\n' + self.run(['ipset', 'save']).stdout

    def nft_set(self, family, table, name):
        """The elements of an nft set as nft's JSON shows them, or None when it does not exist."""
        command = {'nftables': [{'list': {'set': {'family': family, 'table': table, 'name': name}}}]}
        proc = self.run(['nft', '-j', '-f', '-'], data=json.dumps(command), check=False)
        if proc.returncode != 0:
            return None
        found = [i['set'] for i in json.loads(proc.stdout)['nftables'] if 'set' in i][0]
        return found

    def ipset_entries(self, name):
        proc = self.run(['ipset', 'save', name], check=False)
        if proc.returncode != 0:
            return None
        return sorted(line.split(' ', 2)[2] for line in proc.stdout.splitlines() if line.startswith('add '))


def link(left, right, left_addresses, right_addresses):
    """A veth pair between two namespaces, with addresses (CIDR strings) on each end."""
    left_if, right_if = 'v%s' % left.name[-8:], 'v%s' % right.name[-8:]
    _run(['ip', 'link', 'add', left_if, 'netns', left.name, 'type', 'veth', 'peer', 'name', right_if,
          'netns', right.name])
    for ns, ifname, addresses in ((left, left_if, left_addresses), (right, right_if, right_addresses)):
        for address in addresses:
            extra = ['nodad'] if ':' in address else []
            ns.run(['ip', 'addr', 'add', address, 'dev', ifname] + extra)
        ns.run(['ip', 'link', 'set', ifname, 'up'])
    return left_if, right_if


def rerun_in_new_netns(prefix, what):
    """Run this script again inside a network namespace of its own (with --in-netns), remove the namespace
    after, and exit with the script's code: for the benchmarks, whose kernel state must not touch the host's."""
    if os.geteuid() != 0:
        raise SystemExit('%s needs root: it makes a network namespace' % what)
    name = '%s-%s' % (prefix, uuid.uuid4().hex[:6])
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    try:
        code = subprocess.call(['nsenter', '--net=/run/netns/%s' % name, sys.executable] + sys.argv + ['--in-netns'])
    finally:
        subprocess.run(['ip', 'netns', 'del', name], check=False)
    raise SystemExit(code)
