# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Resolve OutSystems Cloud front-end server names to their static public addresses.

All or nothing: OutSystems says every front-end must be allowlisted, so any name
that does not resolve fails the whole call, naming each failed front-end and why.
Names are resolved concurrently (asyncio + dnspython), so 200 front-ends cost
about one round trip per `concurrency` queries, not 200.
"""

from __future__ import annotations

import asyncio
import re
import traceback

try:
    import dns.asyncquery
    import dns.exception
    import dns.message
    import dns.name
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
    import dns.resolver
except ImportError:
    HAS_DNSPYTHON = False
    DNSPYTHON_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_DNSPYTHON = True
    DNSPYTHON_IMPORT_ERROR = None

from ansible_collections.allowlist.egress.plugins.module_utils import _addresses, _entry_policy, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, ResolveError

DEFAULT_DOMAIN = 'outsystemsenterprise.com'
DEFAULT_PORT = 53
DEFAULT_TIMEOUT = 3.0
DEFAULT_RETRIES = 2
DEFAULT_CONCURRENCY = 64
_LABEL_RE = re.compile(r'^(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z')
# Elastic Load Balancing names: classic, regional (ALB/NLB) and China regions.
_LOAD_BALANCER_RE = re.compile(r'(^|\.)elb(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?\.?$', re.IGNORECASE)


def argument_spec():
    """The resolver's options with their defaults (the outsystems_frontends lookup documents the same)."""
    return dict(
        nameservers=dict(type='list', elements='str'),
        port=dict(type='int', default=DEFAULT_PORT),
        timeout=dict(type='float', default=DEFAULT_TIMEOUT),
        retries=dict(type='int', default=DEFAULT_RETRIES),
        tcp=dict(type='bool', default=False),
        ip_version=dict(type='str', choices=['4', '6', 'all'], default='all'),
        concurrency=dict(type='int', default=DEFAULT_CONCURRENCY),
        allow_load_balancer=dict(type='bool', default=False),
        domain=dict(type='str', default=DEFAULT_DOMAIN),
        allow_private=dict(type='bool', default=False),
    )


def hostname_for(name, domain=DEFAULT_DOMAIN):
    """The FQDN to resolve for a Service Center front-end name (bare names get `domain`)."""
    if not isinstance(name, str) or not name.strip():
        raise EgressError('Invalid front-end name %r: expected a front-end server name such as myenv-fe01' % (name,))
    text = name.strip()
    fqdn = text.rstrip('.')
    if '.' not in fqdn:
        fqdn = '%s.%s' % (fqdn, domain.strip('.'))
    if len(fqdn) > 253:
        raise EgressError('Invalid front-end name %r: the hostname %s... is %d characters long, more than 253'
                          % (text[:40] + '...' if len(text) > 40 else text, fqdn[:40], len(fqdn)))
    for label in fqdn.split('.'):
        if not _LABEL_RE.match(label):
            raise EgressError('Invalid front-end name %r: %r is not a valid DNS label (letters, digits and inner '
                              'hyphens, 1 to 63 characters)' % (text, label))
    return fqdn.lower()


def is_load_balancer(hostname):
    return bool(_LOAD_BALANCER_RE.search(hostname))


def system_nameservers():
    try:
        return list(dns.resolver.Resolver().nameservers)
    except dns.resolver.NoResolverConfiguration:
        raise EgressError('No nameservers given and none found in /etc/resolv.conf; set nameservers')


def check_nameservers(nameservers):
    checked = []
    for server in nameservers:
        try:
            networks = _addresses.parse_entry(str(server), source='nameservers')
        except EgressError:
            networks = []
        if len(networks) != 1 or networks[0].size != 1:
            raise EgressError('Invalid nameserver %r: nameservers must be IPv4 or IPv6 addresses' % (server,))
        checked.append(str(networks[0].ip))
    return checked


class _Outcome(object):
    def __init__(self, addresses=None, chain=None, error=None, nxdomain=False):
        self.addresses = addresses or []
        self.chain = chain or []
        self.error = error
        self.nxdomain = nxdomain


def _answer(response, qname, rdtype):
    """Follow the CNAME chain in the answer section; return (addresses, chain)."""
    name, chain = qname, []
    for _hop in range(16):
        cname = response.get_rrset(response.answer, name, dns.rdataclass.IN, dns.rdatatype.CNAME)
        if cname is None:
            break
        name = cname[0].target
        chain.append(name.to_text(omit_final_dot=True).lower())
    rrset = response.get_rrset(response.answer, name, dns.rdataclass.IN, rdtype)
    addresses = [rdata.address for rdata in rrset] if rrset is not None else []
    return addresses, chain


class FrontendResolver(object):
    """Options of one resolution run."""

    def __init__(self, nameservers=None, port=DEFAULT_PORT, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, tcp=False,
                 ip_version='all', concurrency=DEFAULT_CONCURRENCY, allow_load_balancer=False, domain=DEFAULT_DOMAIN,
                 allow_private=False):
        if not HAS_DNSPYTHON:
            raise EgressError('The Python library dnspython is required (pip install dnspython): %s'
                              % DNSPYTHON_IMPORT_ERROR)
        if ip_version not in _addresses.IP_VERSIONS:
            raise EgressError('Invalid ip_version %r: use one of %s' % (ip_version, ', '.join(_addresses.IP_VERSIONS)))
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise EgressError('Invalid port %r: use 1 to 65535' % (port,))
        if timeout <= 0 or retries < 0 or concurrency < 1:
            raise EgressError('Invalid timeout %r, retries %r or concurrency %r' % (timeout, retries, concurrency))
        self.nameservers = check_nameservers(nameservers) if nameservers else system_nameservers()
        self.port = port
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.tcp = bool(tcp)
        self.rdtypes = {'4': ['A'], '6': ['AAAA'], 'all': ['A', 'AAAA']}[ip_version]
        self.concurrency = int(concurrency)
        self.allow_load_balancer = allow_load_balancer
        self.domain = domain
        # DNS answers are remote: a sinkhole's 0.0.0.0 or a loopback answer must never reach a firewall.
        self.policy = _entry_policy.EntryPolicy(remote=True, allow_private=allow_private)

    def resolve(self, names):
        """Return one dict per front-end: name, hostname, addresses (canonical CIDRs), cnames."""
        if not names:
            raise EgressError('No front-end names given: pass the front-end server names from Service Center '
                              '(Monitoring > Environment Health), e.g. myenv-fe01')
        hostnames = [hostname_for(name, self.domain) for name in names]
        outcomes = asyncio.run(self._resolve_all(hostnames))
        results, failures = [], []
        for name, hostname in zip(names, hostnames):
            per_type = [outcomes[(hostname, rdtype)] for rdtype in self.rdtypes]
            problem = self._problem(hostname, per_type)
            if problem:
                failures.append('%s (%s): %s' % (name, hostname, problem))
                continue
            chain = []
            for outcome in per_type:
                chain.extend(c for c in outcome.chain if c not in chain)
            addresses = _addresses.canonicalize([a for o in per_type for a in o.addresses], source=hostname)
            results.append({'name': name, 'hostname': hostname, 'addresses': addresses, 'cnames': chain})
        if failures:
            raise ResolveError('%d of %d front-end name(s) failed, so no addresses are returned '
                               '(every front-end must be allowlisted): %s'
                               % (len(failures), len(names), '; '.join(failures)))
        return results

    def _problem(self, hostname, per_type):
        if any(o.nxdomain for o in per_type):
            return 'NXDOMAIN (no such name); check the front-end name in Service Center > Monitoring > Environment Health'
        errors = [o.error for o in per_type if o.error]
        if errors:
            return ', '.join(errors)
        balancers = [c for o in per_type for c in o.chain if is_load_balancer(c)]
        if balancers and not self.allow_load_balancer:
            return ('it is an alias of the load balancer %s. That is the environment address, whose IPs change; '
                    'allowlist the front-end server names from Service Center (Monitoring > Environment Health) '
                    'instead, or set allow_load_balancer=true' % balancers[0])
        if not any(o.addresses for o in per_type):
            return 'no %s records' % ' or '.join(self.rdtypes)
        return self._refused_answer([a for o in per_type for a in o.addresses])

    def _refused_answer(self, addresses):
        for address in addresses:
            interval = _intervals.parse(address)[0]
            why = self.policy.problem(interval)
            if why is None:
                continue
            if not self.policy.allow_private and _entry_policy.private_range(interval):
                return ('it resolved to %s, a private address: this resolver answers through the VPN\'s conditional '
                        'forwarder. Over the internet, resolve the front-ends with public resolvers (nameservers); '
                        'over the VPN, allowlist the VPN\'s private range instead (a static source), as OutSystems '
                        'says; or set allow_private=true' % address)
            return 'it resolved to %s, which is refused: %s' % (address, why)
        return None

    async def _resolve_all(self, hostnames):
        semaphore = asyncio.Semaphore(self.concurrency)
        keys = [(h, t) for h in dict.fromkeys(hostnames) for t in self.rdtypes]
        outcomes = await asyncio.gather(*(self._query(semaphore, h, t) for h, t in keys))
        return dict(zip(keys, outcomes))

    async def _query(self, semaphore, hostname, rdtype_text):
        rdtype = dns.rdatatype.from_text(rdtype_text)
        qname = dns.name.from_text(hostname)
        query = dns.message.make_query(qname, rdtype)
        last = None
        async with semaphore:
            for attempt in range(self.retries + 1):
                server = self.nameservers[attempt % len(self.nameservers)]
                try:
                    if self.tcp:
                        response = await dns.asyncquery.tcp(query, server, timeout=self.timeout, port=self.port)
                    else:
                        response, _used_tcp = await dns.asyncquery.udp_with_fallback(
                            query, server, timeout=self.timeout, port=self.port)
                except dns.exception.Timeout:
                    last = '%s query timed out after %gs (%d attempts)' % (rdtype_text, self.timeout, attempt + 1)
                    continue
                except (OSError, dns.exception.DNSException) as error:
                    last = '%s query to %s failed: %s' % (rdtype_text, server, error)
                    continue
                rcode = response.rcode()
                if rcode == dns.rcode.NXDOMAIN:
                    return _Outcome(nxdomain=True)
                if rcode != dns.rcode.NOERROR:
                    last = '%s from %s (%d attempts)' % (dns.rcode.to_text(rcode), server, attempt + 1)
                    continue
                addresses, chain = _answer(response, qname, rdtype)
                return _Outcome(addresses=addresses, chain=chain)
        return _Outcome(error=last)


def frontend_details(results):
    """One dict per address, with the front-ends it came from."""
    by_address = {}
    for result in results:
        for address in result['addresses']:
            item = by_address.setdefault(address, {'address': address, 'version': _addresses.cidr_version(address),
                                                   'frontends': [], 'hostnames': []})
            item['frontends'].append(result['name'])
            item['hostnames'].append(result['hostname'])
    return [by_address[a] for a in _addresses.canonicalize(list(by_address))]


def frontend_addresses(results):
    return _addresses.canonicalize([a for r in results for a in r['addresses']])
