# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A real HTTPS server on loopback, with certificates from trustme, standing in for the publishers.

Each path serves a document with an ETag and Last-Modified and honours
conditional GETs (304); a queue of scripted responses per path (429 with
Retry-After, 500, an HTML error page, ...) is served first. Every request is
recorded, so tests can assert what was sent.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import ssl
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme


class Route(object):
    """`auth` (user, password) or `headers` (name: value) must be sent, else 401; `drip` sends one byte
    every `drip` seconds (of the headers too with `drip_headers`), a server that never trips a read timeout;
    `redirect` answers 302 (or `status`) to that Location."""

    def __init__(self, body, content_type='application/json', etag=True, last_modified=True, auth=None,
                 headers=None, drip=None, drip_headers=False, redirect=None, status=302):
        self.body = body if isinstance(body, bytes) else body.encode('utf-8')
        self.content_type = content_type
        self.etag = '"%s"' % hashlib.sha256(self.body).hexdigest()[:16] if etag else None
        self.last_modified = formatdate(time.time() - 3600, usegmt=True) if last_modified else None
        self.required = dict(headers or {})
        if auth:
            self.required['Authorization'] = 'Basic ' + base64.b64encode(('%s:%s' % auth).encode()).decode()
        self.drip, self.drip_headers = drip, drip_headers
        self.redirect, self.status = redirect, status


def serve_tls(handler, ca, host='127.0.0.1', tls=True):
    """Serve `handler` over HTTPS on a free port of `host`, with a certificate from the trustme `ca`, in a thread.

    tls=False serves plain http (to test that a redirect from https to http is refused)."""
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(host, 'localhost').configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class HttpsServer(object):

    def __init__(self, ca=None, host='127.0.0.1', tls=True):
        self.ca = ca or trustme.CA()
        self.host = host
        self.tls = tls
        self.routes = {}
        self.scripted = {}  # path -> [(status, headers, body)]
        self.requests = []  # dicts: method, path, headers
        self._server = None
        self._lock = threading.Lock()

    def serve(self, path, body, **kwargs):
        self.routes[path] = Route(body, **kwargs)

    def script(self, path, *responses):
        """Serve these (status, headers, body) first, in order, then the route."""
        self.scripted.setdefault(path, []).extend(responses)

    def requests_for(self, path):
        return [r for r in self.requests if r['path'] == path]

    def url(self, path):
        return '%s://%s:%d%s' % ('https' if self.tls else 'http', self.host, self._server.server_address[1], path)

    def write_ca(self, path):
        self.ca.cert_pem.write_to_path(path)
        return path

    def start(self):
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_POST(self):
                # Query APIs (AWS EC2) POST their form to '/': scripted answers and routes as for GET.
                length = int(self.headers.get('Content-Length') or 0)
                self.rfile.read(length)
                self.do_GET(method='POST')

            def do_GET(self, method='GET'):
                path = self.path
                with server_self._lock:
                    server_self.requests.append({'method': method, 'path': path, 'headers': dict(self.headers)})
                    queued = server_self.scripted.get(path)
                    scripted = queued.pop(0) if queued else None
                if scripted is not None:
                    status, headers, body = scripted
                    return self._send(status, headers, body)
                route = server_self.routes.get(path)
                if route is None:
                    return self._send(404, {'Content-Type': 'text/html'}, b'<html><body>Not Found</body></html>')
                if any(self.headers.get(k) != v for k, v in route.required.items()):
                    return self._send(401, {'Content-Type': 'text/plain'}, b'Unauthorized')
                if route.redirect:
                    return self._send(route.status, {'Location': route.redirect}, b'')
                if route.drip:
                    return self._drip(route)
                if route.etag and self.headers.get('If-None-Match') == route.etag:
                    return self._send(304, {'ETag': route.etag}, b'')
                headers = {'Content-Type': route.content_type}
                if route.etag:
                    headers['ETag'] = route.etag
                if route.last_modified:
                    headers['Last-Modified'] = route.last_modified
                return self._send(200, headers, route.body)

            def _drip(self, route):
                head = ('HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n'
                        % (route.content_type, len(route.body))).encode('ascii')
                data = head + route.body if route.drip_headers else route.body
                if not route.drip_headers:
                    self.wfile.write(head)
                try:
                    for i in range(len(data)):
                        self.wfile.write(data[i:i + 1])
                        self.wfile.flush()
                        time.sleep(route.drip)
                except (OSError, ValueError):
                    pass  # the client gave up, as it should
                self.close_connection = True

            def _send(self, status, headers, body):
                body = body if isinstance(body, bytes) else body.encode('utf-8')
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        self._server = serve_tls(Handler, self.ca, self.host, self.tls)
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description='Serve files from a directory over HTTPS on loopback.')
    parser.add_argument('--directory', required=True)
    parser.add_argument('--ca-file', required=True, help='write the CA certificate (PEM) here')
    parser.add_argument('--url-file', help='write the base URL here once listening')
    args = parser.parse_args()
    server = HttpsServer()
    for name in sorted(os.listdir(args.directory)):
        with open(os.path.join(args.directory, name), 'rb') as f:
            content_type = 'text/csv' if name.endswith('.csv') else 'application/json'
            server.serve('/' + name, f.read(), content_type=content_type)
    server.write_ca(args.ca_file)
    server.start()
    base = server.url('')
    if args.url_file:
        with open(args.url_file, 'w') as f:
            f.write(base)
    print('https_server serving %s at %s' % (args.directory, base), flush=True)
    threading.Event().wait()


if __name__ == '__main__':
    main()
