# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The OutSystems Cloud VPN troubleshooting guide as checks that return structured results.

Each check is {name, target, ok, detail, diagnosis}; the diagnosis is the guide's advice for that failure.
"""

from __future__ import annotations

import ipaddress
import socket
import traceback

try:
    import dns.exception
    import dns.resolver
except ImportError:
    HAS_DNSPYTHON = False
    DNSPYTHON_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_DNSPYTHON = True
    DNSPYTHON_IMPORT_ERROR = None

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

EDITIONS = ('standard', 'sentry')
DEFAULT_EDITION = 'standard'
DEFAULT_TIMEOUT = 3.0

# Addresses that only a VPN can route: RFC 1918, carrier-grade NAT (RFC 6598) and IPv6 unique local. Not
# ipaddress's is_private, which also counts documentation ranges and would call a public answer private.
PRIVATE_NETWORKS = [ipaddress.ip_network(n) for n in ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10',
                                                      'fc00::/7')]


def is_private(address):
    address = ipaddress.ip_address(address)
    return any(address.version == n.version and address in n for n in PRIVATE_NETWORKS)


DIAGNOSES = {
    'ping': ('The OutSystems DNS servers are the only hosts that answer ICMP over the VPN, and this one does not: the '
             'tunnel is down or does not route to the OutSystems private range. Check the VPN status (phase 1 and 2), '
             'the routes to the OutSystems range, and that your firewall allows ICMP to it. OutSystems never initiates '
             'traffic, so an idle tunnel drops: keep it up with traffic from your side (allowlist.egress.vpn_keepalive).'),
    'dns_public': ('The environment resolves to a public address: your resolver does not forward outsystemsenterprise.com '
                   'to the VPN DNS servers, so traffic would go over the internet. Add a conditional forwarder for '
                   'outsystemsenterprise.com (UDP 53) to the VPN DNS servers (allowlist.egress.dns_forwarder).'),
    'dns_failed': ('The environment name does not resolve through your resolver: the conditional forwarder for '
                   'outsystemsenterprise.com is missing or points at servers it cannot reach over UDP 53. Check the '
                   'forwarder (allowlist.egress.dns_forwarder) and that the VPN DNS servers answer.'),
    'port': ('The environment does not accept TCP %d over the VPN: check the firewalls and security groups between your '
             'network and the OutSystems private range, and that the VPN carries traffic to it.'),
    'port_untested': 'Not tested: the environment name did not resolve (see the DNS check).',
}


def ping(run, address, timeout):
    """ICMP echo through the system's ping (argv, never a shell); returns (ok, detail)."""
    rc, out, err = run(['ping', '-c', '1', '-W', str(max(1, int(round(timeout)))), address])
    lines = (out or err).strip().splitlines()
    return rc == 0, (lines[-1] if lines else 'ping exited with %d' % rc)


def resolve(fqdn, resolver_address=None, timeout=DEFAULT_TIMEOUT):
    """A records of fqdn through the given resolver (or the system's); returns (addresses, error)."""
    resolver = dns.resolver.Resolver(configure=resolver_address is None)
    if resolver_address:
        resolver.nameservers = [resolver_address]
    resolver.lifetime = timeout
    try:
        answer = resolver.resolve(fqdn, 'A')
    except dns.resolver.NXDOMAIN:
        return [], 'NXDOMAIN'
    except dns.resolver.NoAnswer:
        return [], 'no A record'
    except dns.exception.Timeout:
        return [], 'no answer within %ss' % timeout
    except dns.exception.DNSException as error:
        return [], str(error) or type(error).__name__
    return sorted(rr.address for rr in answer), None


def tcp_open(address, port, timeout):
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except OSError as error:
        return False, str(error) or type(error).__name__
    sock.close()
    return True, 'connected'


def check(name, target, ok, detail, diagnosis):
    return dict(name=name, target=target, ok=ok, detail=detail, diagnosis=None if ok else diagnosis)


def run_checks(run, dns_servers, environment_fqdn, edition=DEFAULT_EDITION, timeout=DEFAULT_TIMEOUT, resolver=None):
    if edition not in EDITIONS:
        raise EgressError('Invalid edition %r: standard or sentry' % (edition,))
    for server in list(dns_servers) + ([resolver] if resolver else []):
        try:
            ipaddress.ip_address(server)
        except ValueError:
            raise EgressError('Invalid DNS server %r: an IP address is required' % (server,))
    if not environment_fqdn or '.' not in environment_fqdn:
        raise EgressError('Invalid environment_fqdn %r: e.g. example-dev.outsystemsenterprise.com' % (environment_fqdn,))
    checks = []
    for server in dns_servers:
        ok, detail = ping(run, server, timeout)
        checks.append(check('ping_dns_server', server, ok, detail, DIAGNOSES['ping']))
    addresses, error = resolve(environment_fqdn, resolver, timeout)
    if error:
        checks.append(check('resolve_environment', environment_fqdn, False, error, DIAGNOSES['dns_failed']))
    else:
        public = [a for a in addresses if not is_private(a)]
        checks.append(check('resolve_environment', environment_fqdn, not public,
                            ', '.join(addresses), DIAGNOSES['dns_public']))
    ports = [443] if edition == 'sentry' else [443, 80]
    for port in ports:
        name = 'tcp_%d' % port
        if not addresses:
            checks.append(check(name, '%s:%d' % (environment_fqdn, port), False, 'not tested', DIAGNOSES['port_untested']))
            continue
        results = [(a, tcp_open(a, port, timeout)) for a in addresses]
        failed = ['%s: %s' % (a, detail) for a, (ok, detail) in results if not ok]
        checks.append(check(name, '%s:%d' % (environment_fqdn, port), not failed,
                            '; '.join(failed) or 'connected to %s' % ', '.join(addresses), DIAGNOSES['port'] % port))
    return checks
