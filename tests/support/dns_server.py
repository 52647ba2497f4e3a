# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small authoritative DNS server on loopback (UDP and TCP, one port) for tests, the demo and bench/.

It answers real DNS queries over the wire with dnspython messages, and can
misbehave on purpose: SERVFAIL, silence (a slow server), a fixed delay per
answer, truncation over UDP. Run it alone with `python -m tests.support.dns_server --zone FILE`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


def _name(text):
    return dns.name.from_text(text).to_text().lower()


class DnsServer(object):
    """records: {name: {'A': [...], 'AAAA': [...]}}; cnames: {name: target}."""

    def __init__(self, records=None, cnames=None, servfail=(), silent=(), truncate=(), delay=0.0, host='127.0.0.1',
                 port=0, query_log=None):
        self.query_log = query_log
        self.records = dict((_name(k), v) for k, v in (records or {}).items())
        self.cnames = dict((_name(k), _name(v)) for k, v in (cnames or {}).items())
        self.servfail = set(_name(n) for n in servfail)
        self.silent = set(_name(n) for n in silent)
        self.truncate = set(_name(n) for n in truncate)
        self.delay = delay
        self.host = host
        self.port = port
        self.queries = []  # (name, type, 'udp' | 'tcp')
        self._loop = None
        self._thread = None

    # The answer logic, shared by UDP and TCP.
    def answer(self, wire, proto):
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        qname = question.name.to_text().lower()
        rdtype = question.rdtype
        self.queries.append((qname.rstrip('.'), dns.rdatatype.to_text(rdtype), proto))
        if self.query_log:
            # For tests that check, from another process, which names reached this server.
            with open(self.query_log, 'a') as f:
                f.write('%s %s %s\n' % (qname.rstrip('.'), dns.rdatatype.to_text(rdtype), proto))
        if qname in self.silent:
            return None
        if qname in self.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        name, seen = qname, 0
        while name in self.cnames and seen < 10:
            target = self.cnames[name]
            response.answer.append(dns.rrset.from_text(name, 300, 'IN', 'CNAME', target))
            name, seen = target, seen + 1
        if name not in self.records and name not in self.cnames:
            if seen == 0:
                response.set_rcode(dns.rcode.NXDOMAIN)
                return response.to_wire()
        values = self.records.get(name, {}).get(dns.rdatatype.to_text(rdtype), [])
        if values:
            response.answer.append(dns.rrset.from_text_list(name, 300, 'IN', rdtype, values))
        if proto == 'udp' and qname in self.truncate:
            response.flags |= dns.flags.TC
            response.answer = []
        return response.to_wire()

    # asyncio plumbing
    class _Udp(asyncio.DatagramProtocol):
        def __init__(self, server):
            self.server = server
            self.transport = None

        def connection_made(self, transport):
            self.transport = transport

        def datagram_received(self, data, addr):
            reply = self.server.answer(data, 'udp')
            if reply is None:
                return
            loop = asyncio.get_running_loop()
            if self.server.delay:
                loop.call_later(self.server.delay, self.transport.sendto, reply, addr)
            else:
                self.transport.sendto(reply, addr)

    async def _tcp(self, reader, writer):
        try:
            while True:
                head = await reader.readexactly(2)
                data = await reader.readexactly(int.from_bytes(head, 'big'))
                reply = self.answer(data, 'tcp')
                if reply is None:
                    continue
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(len(reply).to_bytes(2, 'big') + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _pick_port(self):
        family = socket.AF_INET6 if ':' in self.host else socket.AF_INET
        for _attempt in range(20):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            udp.bind((self.host, self.port))
            port = udp.getsockname()[1]
            tcp = socket.socket(family, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((self.host, port))
            except OSError:
                udp.close()
                tcp.close()
                if self.port:
                    raise
                continue
            tcp.listen(64)
            return udp, tcp, port
        raise RuntimeError('no free port for UDP and TCP on %s' % self.host)

    def start(self):
        udp, tcp, self.port = self._pick_port()
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._loop.create_datagram_endpoint(lambda: self._Udp(self), sock=udp))
            self._loop.run_until_complete(asyncio.start_server(self._tcp, sock=tcp))
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--zone', required=True, help='JSON: {"records": {...}, "cnames": {...}}')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--delay', type=float, default=0.0)
    parser.add_argument('--port-file', help='write the chosen port here once listening')
    parser.add_argument('--query-log', help='append "name type proto" here for every query')
    args = parser.parse_args()
    with open(args.zone) as f:
        zone = json.load(f)
    server = DnsServer(records=zone.get('records'), cnames=zone.get('cnames'), delay=args.delay, host=args.host,
                       port=args.port, query_log=args.query_log).start()
    if args.port_file:
        with open(args.port_file, 'w') as f:
            f.write(str(server.port))
    print('dns_server listening on %s port %d' % (args.host, server.port), flush=True)
    threading.Event().wait()


if __name__ == '__main__':
    main()
