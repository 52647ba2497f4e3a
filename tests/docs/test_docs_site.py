# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The built documentation site (``make docs``) as a reader sees it: served on loopback, opened in
Debian's headless Chromium, every page reached by following links from the start page.

The pages the collection must have are derived from the collection's own files (plugins/, roles/,
playbooks/, README.md), not from the site, so a plugin without a page, a page without rendered
examples, or a link to a page or #anchor that does not exist fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from docutils.nodes import make_id

from tests.support.site_browser import chromium, crawl, png_info, serve

ROOT = Path(__file__).resolve().parents[2]

SITE = ROOT / "build" / "docs" / "html"
SCREENSHOT = ROOT / "build" / "docs" / "screenshots" / "nftables_set.png"
COLLECTION_DIR = "collections/allowlist/egress/"
PLUGIN_TYPES = {"modules": "module", "lookup": "lookup", "filter": "filter", "test": "test"}


def plugin_pages() -> list[tuple[str, str, int]]:
    """(page path in the site, FQCN, number of entry points) of every plugin and role of the collection."""
    pages = []
    for folder, kind in PLUGIN_TYPES.items():
        for path in sorted((ROOT / "plugins" / folder).glob("*.py")):
            if path.name != "__init__.py":
                pages.append((f"{COLLECTION_DIR}{path.stem}_{kind}.html", f"allowlist.egress.{path.stem}", 1))
    for spec in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        role = spec.parent.parent.name
        entry_points = yaml.safe_load(spec.read_text(encoding="utf-8"))["argument_specs"]
        pages.append((f"{COLLECTION_DIR}{role}_role.html", f"allowlist.egress.{role}", len(entry_points)))
    return pages


@pytest.fixture(scope="module")
def driver():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def base_url():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site in {SITE}: run `make docs` first (make docs-test does)")
    with serve(SITE) as url:
        yield url


@pytest.fixture(scope="module")
def site(driver, base_url):
    return crawl(driver, base_url + "index.html")


@pytest.mark.parametrize(("page", "fqcn", "entry_points"), plugin_pages(), ids=lambda v: str(v).rsplit("/", 1)[-1])
def test_plugin_page_renders_its_examples(site, base_url, page, fqcn, entry_points):
    url = base_url + page
    assert url in site.pages, f"{page} is not reachable by links from the start page"
    rendered = site.pages[url]
    assert fqcn in rendered.title
    assert len(rendered.examples) >= entry_points, f"{page}: {len(rendered.examples)} examples sections"
    for example in rendered.examples:
        assert example["height"] > 0, f"{page}: examples section #{example['id']} is not displayed"
        assert example["text"].strip(), f"{page}: examples section #{example['id']} shows no code"
        assert fqcn in example["text"], f"{page}: the examples do not use {fqcn}"


def test_no_internal_link_is_broken(site, base_url):
    assert not site.broken, "\n".join(f"{page}: {href} -> {why}" for page, href, why in site.broken)
    # The crawl saw the whole site: every plugin page, every guide page, and links with #anchors.
    assert len(site.pages) >= len(plugin_pages()) + 20
    anchored = [href for page in site.pages.values() for href, url in page.links
                if "#" in href and url.startswith(base_url)]
    assert len(anchored) > 100


def test_every_html_file_is_reached(site, base_url):
    """No page of the build is an orphan that only a search would find."""
    skip = {"search.html"}  # reached through the search form, not a link
    built = {p.relative_to(SITE.resolve()).as_posix() for p in SITE.resolve().rglob("*.html")}
    reached = {url[len(base_url):] for url in site.pages}
    assert built - reached - skip == set()


def test_every_playbook_has_a_section(site, base_url):
    page = site.pages[base_url + COLLECTION_DIR + "docsite/playbooks.html"]
    for playbook in sorted((ROOT / "playbooks").glob("*.yml")):
        label = f"ansible_collections.allowlist.egress.docsite.playbooks.{playbook.stem}"
        assert make_id(label) in page.ids, f"playbooks/{playbook.name} has no section on the playbooks page"
        assert f"allowlist.egress.{playbook.stem}" in page.text


def test_every_readme_section_is_a_guide_page(site):
    text = re.sub(r"^```.*?^```", "", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S | re.M)
    headings = [re.sub(r"[`*]", "", h).strip() for h in re.findall(r"^## (.+)$", text, flags=re.M)]
    titles = [page.title for page in site.pages.values()]
    assert len(headings) > 10
    for heading in headings:
        assert any(title.startswith(heading + " —") for title in titles), f"README section {heading!r} has no page"


def test_screenshot_of_the_nftables_set_page(driver, base_url, site):
    url = base_url + COLLECTION_DIR + "nftables_set_module.html"
    assert url in site.pages
    driver.get(url)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    assert driver.save_screenshot(str(SCREENSHOT))
    width, height, distinct = png_info(SCREENSHOT)
    assert (width, height) >= (800, 600)
    assert SCREENSHOT.stat().st_size > 20_000
    assert distinct > 16, "the screenshot is (nearly) one colour"


def test_crawler_reports_what_the_rendered_dom_lacks(driver, tmp_path):
    """The crawler itself, on a tiny site: a missing page, a missing #anchor, an anchor that only the
    HTML source has (a script removes it) and one that only the DOM has (a script adds it), a hidden
    examples section; links outside the site are not followed."""
    (tmp_path / "index.html").write_text(
        '<html><body id="top"><a href="#top">top</a><a href="good.html">good</a><a href="good.html#here">ok</a>'
        '<a href="good.html#made-by-script">ok</a><a href="good.html#nowhere">bad anchor</a>'
        '<a href="missing.html">bad page</a><a href="good.html#removed">removed</a>'
        '<a href="https://example.com/elsewhere">outside</a><a href="mailto:x@example.com">mail</a></body></html>',
        encoding="utf-8")
    (tmp_path / "good.html").write_text(
        '<html><body><p id="here">here</p><p id="removed">gone</p>'
        '<section id="examples"><h2>Examples</h2><pre style="display:none">- name: hidden</pre></section>'
        '<script>document.getElementById("removed").remove();'
        'const d = document.createElement("div"); d.id = "made-by-script"; document.body.appendChild(d);</script>'
        '</body></html>', encoding="utf-8")
    with serve(tmp_path) as url:
        result = crawl(driver, url + "index.html")
    assert sorted(href for _page, href, _why in result.broken) == ["good.html#nowhere", "good.html#removed",
                                                                   "missing.html"]
    assert set(result.pages) == {url + "index.html", url + "good.html"}
    (examples,) = result.pages[url + "good.html"].examples
    assert examples["text"] == ""


def test_role_examples_pass_the_argument_specs():
    """Each role's examples (shown on its page) use only the role's variables, with valid values."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    checked = 0
    for spec_file in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        role = f"allowlist.egress.{spec_file.parent.parent.name}"
        for name, entry in yaml.safe_load(spec_file.read_text(encoding="utf-8"))["argument_specs"].items():
            plays = yaml.safe_load(entry.get("examples") or "[]")
            assert plays, f"{role} entry point {name} has no examples"
            validator = ArgumentSpecValidator(entry.get("options") or {})
            for play in plays:
                for item in play.get("roles", []):
                    if item.get("role") == role:
                        result = validator.validate(dict(item.get("vars") or {}))
                        assert not result.error_messages, f"{role} example {play['name']!r}: {result.error_messages}"
                        checked += 1
    assert checked >= 4
