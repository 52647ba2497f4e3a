# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The address core: parse, canonicalise, de-duplicate, aggregate, split and sort.

Every backend and source in this collection compares addresses through here, so
that the same input always yields the same canonical strings (`192.0.2.1/32`,
`2001:db8::/32`) whatever the publisher's spelling.
"""

from __future__ import annotations

import traceback

try:
    import netaddr
except ImportError:
    HAS_NETADDR = False
    NETADDR_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_NETADDR = True
    NETADDR_IMPORT_ERROR = None

from ansible_collections.allowlist.egress.plugins.module_utils._errors import AddressError, EgressError

IP_VERSIONS = ('4', '6', 'all')


def require_netaddr():
    if not HAS_NETADDR:
        raise EgressError('The Python library netaddr is required (pip install netaddr): %s' % NETADDR_IMPORT_ERROR)


def _where(source):
    return ' from %s' % source if source else ''


def parse_entry(entry, source=None, strict=True, warn=None):
    """Parse one IP, CIDR or `first-last` range into a list of netaddr.IPNetwork.

    Host bits set (`192.0.2.5/24`) are an error when `strict`, else the network
    is normalised (`192.0.2.0/24`) and `warn` is told.
    """
    require_netaddr()
    if not isinstance(entry, str):
        raise AddressError('Invalid address %r%s: expected a string, got %s'
                           % (entry, _where(source), type(entry).__name__))
    text = entry.strip()
    if not text:
        raise AddressError('Empty address entry%s' % _where(source))
    if '-' in text and '/' not in text:
        return _parse_range(entry, text, source)
    try:
        if '/' in text:
            network = netaddr.IPNetwork(text)
        else:
            network = netaddr.IPNetwork(netaddr.IPAddress(text))
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise AddressError('Invalid address %r%s: not an IP address or CIDR' % (entry, _where(source)))
    if network.ip != network.network:
        fixed = '%s/%d' % (network.network, network.prefixlen)
        if strict:
            raise AddressError('Invalid address %r%s: host bits are set (the network is %s); '
                               'fix the entry or set strict=false to normalise it'
                               % (entry, _where(source), fixed))
        if warn:
            warn('Address %r%s has host bits set; using %s' % (entry, _where(source), fixed))
        network = network.cidr
    return [network]


def _parse_range(entry, text, source):
    first, sep, last = text.partition('-')
    try:
        start = netaddr.IPAddress(first.strip())
        end = netaddr.IPAddress(last.strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise AddressError('Invalid address range %r%s: both ends must be IP addresses' % (entry, _where(source)))
    if start.version != end.version:
        raise AddressError('Invalid address range %r%s: the ends are of different IP versions' % (entry, _where(source)))
    if start > end:
        raise AddressError('Invalid address range %r%s: the first address is after the last' % (entry, _where(source)))
    return list(netaddr.IPRange(start, end).cidrs())


def to_cidr(network):
    """Canonical CIDR string of a netaddr.IPNetwork: `/32` and `/128` always written."""
    return '%s/%d' % (network.network, network.prefixlen)


def sort_key(network):
    """IPv4 before IPv6, then by numeric network address, then shorter prefix first."""
    return (network.version, network.first, network.prefixlen)


def canonical_networks(entries, source=None, strict=True, aggregate=False, ip_version='all', warn=None):
    """Parse entries into sorted, de-duplicated netaddr.IPNetwork objects.

    `aggregate` collapses overlapping and adjacent prefixes per family without
    ever widening the covered space (netaddr.cidr_merge is lossless).
    """
    if ip_version not in IP_VERSIONS:
        raise EgressError('Invalid ip_version %r%s: use one of %s' % (ip_version, _where(source), ', '.join(IP_VERSIONS)))
    networks = {}
    for entry in entries:
        for network in parse_entry(entry, source=source, strict=strict, warn=warn):
            if ip_version != 'all' and str(network.version) != ip_version:
                continue
            networks[(network.version, network.first, network.prefixlen)] = network
    result = list(networks.values())
    if aggregate:
        result = netaddr.cidr_merge(result)
    result.sort(key=sort_key)
    return result


def canonicalize(entries, source=None, strict=True, aggregate=False, ip_version='all', warn=None):
    """Like canonical_networks, as canonical CIDR strings."""
    networks = canonical_networks(entries, source=source, strict=strict, aggregate=aggregate,
                                  ip_version=ip_version, warn=warn)
    return [to_cidr(n) for n in networks]


def split_families(cidrs):
    """Split canonical CIDR strings into (ipv4, ipv6) lists, keeping their order."""
    ipv4 = [c for c in cidrs if ':' not in c]
    ipv6 = [c for c in cidrs if ':' in c]
    return ipv4, ipv6


def cidr_version(cidr):
    return 6 if ':' in cidr else 4
