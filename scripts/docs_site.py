#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Build the collection's HTML documentation the way docs.ansible.com builds collections.

antsibull-docs writes the plugin, role and extra-docs pages as RST and Sphinx renders them with the
sphinx-ansible-theme (``antsibull-docs sphinx-init`` generates the Sphinx project and its build.sh,
which this script runs unchanged). Two things are added for this repository:

* The Markdown guides stay the only source of their prose: README.md (one page per ``##`` section),
  docs/sources.md, docs/plan-report.md and the roles' READMEs are converted at build time with pandoc
  (Debian) into extra-docs pages of a staged copy of the collection, with every link between them
  rewritten into a Sphinx reference (so a link to a section that moved fails the build) and every link
  to another file of the repository into its URL in the repository.
* The build is offline: intersphinx reads a small local inventory (scripts/docs_intersphinx.txt) of
  the docs.ansible.com labels the generated pages refer to, instead of fetching objects.inv.

Usage: scripts/docs_site.py [--out build/docs]. The site ends up in <out>/html.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import yaml
from docutils.nodes import make_id

ROOT = Path(__file__).resolve().parent.parent
COLLECTION = "allowlist.egress"
LABEL_PREFIX = f"ansible_collections.{COLLECTION}.docsite."
# Where links to repository files that are not pages point (the URL the changelog fragments use).
REPO_URL = "https://github.com/allowlist/egress"
REPO_BRANCH = "main"
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# What the staged collection holds: what antsibull-docs reads (ansible-doc on plugins and roles).
STAGED = ("galaxy.yml", "meta", "plugins", "roles", "playbooks", "docs")
# Markdown guides besides the README, one page each: (source, page name).
GUIDES = [
    ("docs/sources.md", "sources"),
    ("docs/plan-report.md", "plan_report"),
]


class DocsError(Exception):
    """A guide that cannot be turned into pages (a broken link, an unknown heading)."""


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command from an argv list, failing with its output."""
    if shutil.which(argv[0], path=kwargs.get("env", os.environ).get("PATH")) is None:
        raise DocsError(f"{argv[0]} is not installed (scripts/bootstrap.sh installs what `make docs` needs)")
    proc = subprocess.run(argv, text=True, capture_output=True, check=False, **kwargs)
    if proc.returncode != 0:
        raise DocsError(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return proc


# --- Markdown guides -> RST pages (pandoc's JSON AST, rewritten in Python) --------------------------


def stringify(inlines: list) -> str:
    """The plain text of pandoc inlines."""
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind == "Code":
            out.append(content[1])
        elif kind in ("Emph", "Strong", "Strikeout", "Underline", "SmallCaps", "Superscript", "Subscript"):
            out.append(stringify(content))
        elif kind in ("Link", "Span", "Image"):
            out.append(stringify(content[1]))
        elif kind == "Quoted":
            out.append('"' + stringify(content[1]) + '"')
        elif kind == "RawInline":
            out.append(content[1])
    return "".join(out)


def markdown_ast(path: Path) -> dict:
    """pandoc's AST of a GitHub-flavoured Markdown file; header identifiers are GitHub's anchors."""
    proc = run(["pandoc", "--from", "gfm", "--to", "json", str(path)])
    return json.loads(proc.stdout)


def split_readme(ast: dict) -> list[tuple[str, str, list]]:
    """README.md as pages: the part before the first ``##`` (the overview) and one page per ``##``.

    Returns (page name, title, blocks) with the page's own heading removed from blocks.
    """
    pages: list[tuple[str, str, list]] = []
    title, blocks = "Overview", []
    name = "readme_overview"
    for block in ast["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1:
            continue  # the README's title: the site has its own
        if block["t"] == "Header" and block["c"][0] == 2:
            pages.append((name, title, blocks))
            title = stringify(block["c"][2])
            name = "readme_" + make_id(title).replace("-", "_")[:64].rstrip("_")
            blocks = [block]
            continue
        blocks.append(block)
    pages.append((name, title, blocks))
    return pages


def whole_file(ast: dict, page: str, source: str) -> tuple[str, str, list]:
    """A guide with one ``#`` title as one page."""
    blocks = ast["blocks"]
    if not blocks or blocks[0]["t"] != "Header" or blocks[0]["c"][0] != 1:
        raise DocsError(f"{source}: the first line must be a '# Title'")
    return page, stringify(blocks[0]["c"][2]), blocks


class Pages:
    """Every guide page, with the GitHub anchors of each source file mapped to labels."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.pages: list[tuple[str, str, str, list]] = []  # (page, title, source file, blocks)
        self.anchors: dict[tuple[str, str], str] = {}  # (source file, GitHub anchor) -> label
        self.files: dict[str, str] = {}  # source file -> label of its first page

    def add(self, source: str, page: str, title: str, blocks: list) -> None:
        page_label = LABEL_PREFIX + page
        if any(page == known[0] for known in self.pages):
            raise DocsError(f"{source}: two sections make the same page {page!r} ({title!r}); rename one")
        self.pages.append((page, title, source, blocks))
        self.files.setdefault(source, page_label)
        for block in blocks:
            if block["t"] == "Header":
                anchor = block["c"][1][0]
                top = block is blocks[0]
                self.anchors[(source, anchor)] = page_label if top else f"{page_label}.{anchor}"

    def resolve(self, source: str, target: str) -> tuple[str, str]:
        """A Markdown link target of ``source`` as ("ref", label) or ("url", absolute URL)."""
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return "url", target
        path, _hash, anchor = target.partition("#")
        if path:
            repo_path = os.path.normpath(os.path.join(os.path.dirname(source), path))
            if repo_path.startswith("..") or not (self.root / repo_path).exists():
                raise DocsError(f"{source}: link to {target!r}: no file {repo_path} in the repository")
        else:
            repo_path = source
        if repo_path in self.files:
            if not anchor:
                return "ref", self.files[repo_path]
            if (repo_path, anchor) not in self.anchors:
                raise DocsError(f"{source}: link to {target!r}: {repo_path} has no heading #{anchor}")
            return "ref", self.anchors[(repo_path, anchor)]
        return "url", f"{REPO_URL}/blob/{REPO_BRANCH}/{repo_path}" + (f"#{anchor}" if anchor else "")


def rst_text(text: str) -> str:
    """Text for the title part of a :ref: role."""
    return re.sub(r"([\\`<>])", r"\\\1", text)


def rewrite(node, source: str, pages: Pages):
    """Rewrite links (in place) and drop header identifiers (labels are added instead)."""
    if isinstance(node, list):
        return [rewrite(item, source, pages) for item in node]
    if not isinstance(node, dict) or "t" not in node:
        return node
    if node["t"] == "Link":
        kind, value = pages.resolve(source, node["c"][2][0])
        if kind == "ref":
            text = stringify(node["c"][1])
            return {"t": "RawInline", "c": ["rst", f":ref:`{rst_text(text)} <{value}>`"]}
        node["c"][2][0] = value
    if "c" in node:
        node["c"] = rewrite(node["c"], source, pages)
    return node


def page_rst(page: str, title: str, source: str, blocks: list, pages: Pages, api: list) -> str:
    """One page as RST: its label, its title, then the blocks with headings shifted under the title."""
    top = blocks[0]["c"][0] if blocks and blocks[0]["t"] == "Header" else 1
    body = []
    for block in blocks:
        if block["t"] == "Header":
            level, (anchor, classes, attrs), inlines = block["c"]
            if block is blocks[0]:
                continue
            body.append({"t": "RawBlock", "c": ["rst", f".. _{LABEL_PREFIX}{page}.{anchor}:"]})
            block = {"t": "Header", "c": [max(2, level - top + 1), ["", classes, attrs], inlines]}
        body.append(rewrite(block, source, pages))
    doc = {"pandoc-api-version": api, "meta": {}, "blocks": body}
    proc = run(["pandoc", "--from", "json", "--to", "rst", "--wrap=none", "--columns=100000"],
               input=json.dumps(doc))
    # pandoc puts a raw block right above the next one; a label needs a blank line after it.
    text = re.sub(r"^(\.\. _[^\n]+:)\n(?!\n)", "\\1\n\n", proc.stdout, flags=re.M)
    heading = title.replace("\n", " ")
    edit = f"{REPO_URL}/blob/{REPO_BRANCH}/{source}"
    return (f".. Generated by scripts/docs_site.py from {source}: edit that file, not this one.\n\n"
            f".. _{LABEL_PREFIX}{page}:\n\n{heading}\n{'=' * (len(heading) + 4)}\n\n"
            f"*From* `{source} <{edit}>`__.\n\n{text}")


def guide_pages(root: Path = ROOT) -> tuple[list[tuple[str, str, str]], dict[str, list[str]]]:
    """Every Markdown guide as RST pages: ([(page, title, rst)], {section title: [pages]})."""
    pages = Pages(root)
    readme_ast = markdown_ast(root / "README.md")
    api = readme_ast["pandoc-api-version"]
    for name, title, blocks in split_readme(readme_ast):
        pages.add("README.md", name, title, blocks)
    guides = list(GUIDES) + [(f"roles/{role.name}/README.md", f"role_{role.name}")
                             for role in sorted((root / "roles").iterdir()) if (role / "README.md").is_file()]
    for source, page in guides:
        pages.add(source, *whole_file(markdown_ast(root / source), page, source))
    out = [(page, title, page_rst(page, title, source, blocks, pages, api))
           for page, title, source, blocks in pages.pages]
    sources = [(page[0], page[2]) for page in pages.pages]  # (page, source file)
    sections = {
        "Guide (from the README)": [p for p, s in sources if s == "README.md"],
        "More guides": [p for p, s in sources if s != "README.md" and not s.startswith("roles/")],
        "Role guides": [p for p, s in sources if s.startswith("roles/")],
    }
    return out, sections


# --- Offline intersphinx inventory ---------------------------------------------------------------


def write_inventory(source: Path, dest: Path) -> None:
    """Sphinx inventory v2 from lines ``label  relative/page.html  title`` (anchor from the label)."""
    lines = []
    for raw in source.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        label, page, title = re.split(r"\s+", raw.strip(), maxsplit=2)
        lines.append(f"{label} std:label -1 {page}#{make_id(label)} {title}\n")
    header = ("# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              "# The remainder of this file is compressed using zlib.\n")
    dest.write_bytes(header.encode() + zlib.compress("".join(lines).encode()))


# --- The build -----------------------------------------------------------------------------------

INDEX_RST = """\
.. _docsite_root_index:

allowlist.egress
================

Keep firewalls and DNS in step with the egress addresses that cloud platforms publish. The
:ref:`collection's index <plugins_in_allowlist.egress>` lists every module, lookup, filter, test and role;
the guides (from the README) and the playbooks are linked from it too.

.. toctree::
   :maxdepth: 2
   :caption: Collections:

   collections/index

.. toctree::
   :maxdepth: 1
   :caption: Plugin indexes:
   :glob:

   collections/index_*

.. toctree::
   :maxdepth: 1
   :caption: Reference indexes:

   collections/environment_variables
   collections/deprecations
"""

CONF_OFFLINE = """
# Added by scripts/docs_site.py: an offline build. intersphinx reads the local inventory of the
# docs.ansible.com labels these pages refer to instead of fetching objects.inv from the network.
intersphinx_mapping = {{
    'ansible_devel': ('{url}', ('../ansible_devel.inv',)),
}}
"""


def stage_collection(stage: Path) -> None:
    """A copy of the collection with the generated guide pages added to its extra docs."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in STAGED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, stage / name, ignore=ignore)
        else:
            shutil.copy2(src, stage / name)
    rst_dir = stage / "docs" / "docsite" / "rst"
    rst_dir.mkdir(parents=True, exist_ok=True)
    pages, sections = guide_pages()
    for page, _title, text in pages:
        target = rst_dir / f"{page}.rst"
        if target.exists():
            raise DocsError(f"generated page {page} would replace docs/docsite/rst/{page}.rst")
        target.write_text(text, encoding="utf-8")
    index_path = stage / "docs" / "docsite" / "extra-docs.yml"
    index = yaml.safe_load(index_path.read_text(encoding="utf-8")) if index_path.exists() else {}
    generated = [{"title": title, "toctree": refs} for title, refs in sections.items() if refs]
    index["sections"] = generated + list(index.get("sections") or [])
    index_path.write_text(yaml.safe_dump(index, sort_keys=False), encoding="utf-8")


def build(out: Path) -> Path:
    venv_bin = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    collections = out / "collections"
    stage = collections / "ansible_collections" / "allowlist" / "egress"
    site = out / "site"
    started = time.monotonic()
    stage_collection(stage)
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    # The generated pages go through the same lint as the committed ones (the plugin docs are linted
    # in the repository by `make docs-test`).
    lint = run(["antsibull-docs", "lint-collection-docs", "."], cwd=stage, env=env)
    if lint.stdout.strip():
        raise DocsError(f"antsibull-docs lint-collection-docs:\n{lint.stdout}")
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(mode=0o755)  # sphinx-init wants a directory only its owner can write to
    site.chmod(0o755)
    index_src = out / "index.rst"
    index_src.write_text(INDEX_RST, encoding="utf-8")
    run(["antsibull-docs", "sphinx-init", "--use-current", "--fail-on-error", "--dest-dir", str(site),
         "--project", COLLECTION, "--copyright", "allowlist.egress maintainers",
         "--title", f"{COLLECTION} documentation", "--index-rst-source", str(index_src), COLLECTION], env=env)
    write_inventory(ROOT / "scripts" / "docs_intersphinx.txt", site / "ansible_devel.inv")
    with open(site / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(CONF_OFFLINE.format(url=ANSIBLE_DOCS))
    # build.sh runs antsibull-docs collection and sphinx-build -W --keep-going: a warning fails it.
    proc = subprocess.run(["bash", str(site / "build.sh")], env=env, text=True, capture_output=True, check=False)
    (out / "build.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    warnings = [line for line in (proc.stdout + proc.stderr).splitlines() if "WARNING" in line or "ERROR" in line]
    if proc.returncode != 0 or warnings:
        raise DocsError("the Sphinx build failed or warned (log: %s):\n%s" % (out / "build.log", "\n".join(warnings)))
    html = out / "html"
    if html.is_symlink():
        html.unlink()
    elif html.exists():
        shutil.rmtree(html)
    html.symlink_to(Path("site") / "build" / "html")
    print(f"docs: {html}/index.html ({time.monotonic() - started:.1f} s)")
    return html


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "docs"), help="output directory (default build/docs)")
    args = parser.parse_args()
    try:
        build(Path(args.out).resolve())
    except DocsError as exc:
        print(f"docs: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
