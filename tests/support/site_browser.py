# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A static site served on loopback, opened in Debian's headless Chromium, and crawled link by link.

The crawler reads the rendered DOM (after scripts ran), not the HTML source: the links a reader can
follow, the ids an #anchor can land on, and the examples sections as they are displayed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import struct
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Root needs --no-sandbox; the rest keeps Chromium from reaching for the network (update checks, sync,
# QUIC probes), which on a closed machine floods refused connections and slows every page.
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600")

# What the crawler asks the page, once it is loaded.
_PAGE_SCRIPT = """
const links = Array.from(document.querySelectorAll('a[href]')).map(a => [a.getAttribute('href'), a.href]);
const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id)
    .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.getAttribute('name')));
const examples = Array.from(document.querySelectorAll('section')).filter(s => {
    const h = s.querySelector(':scope > h1, :scope > h2, :scope > h3, :scope > h4');
    // the theme's script appends a link glyph (a private-use character) to every heading
    return h && h.textContent.replace(/[^\\w ]/g, '').trim() === 'Examples';
}).map(s => {
    const pres = Array.from(s.querySelectorAll('pre'));
    const shown = pres.filter(p => p.offsetParent !== null && p.getBoundingClientRect().height > 0);
    return {id: s.id, text: shown.map(p => p.innerText).join('\\n'), height: s.getBoundingClientRect().height};
});
return {links: links, ids: ids, examples: examples, title: document.title,
        text: document.body ? document.body.innerText : ''};
"""


@dataclass
class Page:
    url: str
    title: str = ""
    text: str = ""
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href as written, resolved URL)
    examples: list[dict] = field(default_factory=list)  # [{id, text (displayed <pre> only), height}]


@dataclass
class Crawl:
    pages: dict[str, Page]  # URL without fragment -> page
    broken: list[tuple[str, str, str]]  # (page, href as written, why)
    others: set[str]  # internal non-HTML targets that exist


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser drops connections it no longer needs (a page replaced before its last image came).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` over HTTP on 127.0.0.1, on a port the kernel picks; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium():
    """Headless Chromium driven by chromedriver (both from Debian), with a fresh profile removed after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).is_file():
            raise RuntimeError(f"{program} is missing: scripts/bootstrap.sh installs Debian's chromium and chromium-driver")
    profile = tempfile.mkdtemp(prefix="allowlist-egress-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROMIUM_ARGS + (f"--user-data-dir={profile}",):
        options.add_argument(arg)
    driver = None
    try:
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _status(url: str) -> tuple[int, str]:
    """HTTP status and content type of a URL on the local server."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - our own loopback server
            return resp.status, resp.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def crawl(driver, start: str) -> Crawl:
    """Every page reachable from ``start`` through <a href> inside the site (the URL prefix of ``start``'s
    directory), each loaded in the browser; a link is broken when its target page does not exist or
    its #fragment is no element id (or <a name>) of the rendered target page."""
    base = start.rsplit("/", 1)[0] + "/"
    pages: dict[str, Page] = {}
    others: set[str] = set()
    missing: dict[str, str] = {}  # URL -> why
    wanted: list[tuple[str, str, str, str]] = []  # (page, href, target URL, fragment)
    queue = [start]
    while queue:
        url = queue.pop(0)
        if url in pages or url in others or url in missing:
            continue
        status, ctype = _status(url)
        if status != 200:
            missing[url] = f"HTTP {status}"
            continue
        if ctype != "text/html":
            others.add(url)
            continue
        driver.get(url)
        info = driver.execute_script(_PAGE_SCRIPT)
        page = Page(url=url, title=info["title"], text=info["text"], ids=set(info["ids"]),
                    links=[tuple(link) for link in info["links"]], examples=info["examples"])
        pages[url] = page
        for href, resolved in page.links:
            parts = urllib.parse.urlsplit(resolved)
            if parts.scheme not in ("http", "https"):
                continue
            target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
            if not target.startswith(base):
                continue  # outside the site (docs.ansible.com, the repository)
            wanted.append((url, href, target, urllib.parse.unquote(parts.fragment)))
            queue.append(target)
    broken = []
    for page_url, href, target, fragment in wanted:
        if target in missing:
            broken.append((page_url, href, f"{target}: {missing[target]}"))
        elif fragment and target in pages and fragment not in pages[target].ids:
            broken.append((page_url, href, f"{target} has no element with id {fragment!r}"))
    return Crawl(pages=pages, broken=broken, others=others)


def png_info(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the decoded image data) of a PNG; ValueError if it is not one."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG signature")
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if zlib.crc32(kind + chunk) != struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]:
            raise ValueError(f"{path}: bad CRC in chunk {kind!r}")
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
        pos += 12 + length
    pixels = zlib.decompress(idat)
    return width, height, len(set(pixels))
