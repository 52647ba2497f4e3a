# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/docs_site.py: the Markdown guides as pages (pandoc), and a link that leads nowhere fails the build."""

from __future__ import annotations

import importlib.util
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("docs_site", ROOT / "scripts" / "docs_site.py")
docs_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_site)

PREFIX = "ansible_collections.allowlist.egress.docsite."


def make_repo(tmp_path: Path, readme: str) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "sources.md").write_text("# Sources\n\n## Air-gapped\n\nSee [the table](../README.md#what-you-get).\n")
    (tmp_path / "docs" / "plan-report.md").write_text("# Plan report\n\nText with a [schema](plan.schema.json).\n")
    (tmp_path / "docs" / "plan.schema.json").write_text("{}")
    (tmp_path / "roles" / "r1").mkdir(parents=True)
    (tmp_path / "roles" / "r1" / "README.md").write_text("# allowlist.egress.r1\n\nSee [the README](../../README.md#threat-model).\n")
    (tmp_path / "COPYING").write_text("GPL")
    (tmp_path / "README.md").write_text(readme)
    return tmp_path


README = """# allowlist.egress

Intro, see [Threat model](#threat-model) and [sources](docs/sources.md#air-gapped).

## What you get

| plugin | what |
| --- | --- |
| `a` | the [licence](COPYING) |

## Threat model

### Guards: `max_removals`

Back to [what you get](#what-you-get), [guards](#guards-max_removals), <https://example.com/x>.
"""


def test_pages_and_links(tmp_path):
    pages, sections = docs_site.guide_pages(make_repo(tmp_path, README))
    by_name = {name: (title, rst) for name, title, rst in pages}
    assert sections["Guide (from the README)"] == ["readme_overview", "readme_what_you_get", "readme_threat_model"]
    assert sections["More guides"] == ["sources", "plan_report"]
    assert sections["Role guides"] == ["role_r1"]
    overview = by_name["readme_overview"][1]
    assert f".. _{PREFIX}readme_overview:" in overview
    assert f":ref:`Threat model <{PREFIX}readme_threat_model>`" in overview
    assert f":ref:`sources <{PREFIX}sources.air-gapped>`" in overview
    title, threat = by_name["readme_threat_model"]
    assert title == "Threat model"
    # the page's own heading is its title; the ### below it is a section with its own label
    assert f".. _{PREFIX}readme_threat_model.guards-max_removals:\n\nGuards: ``max_removals``\n---" in threat
    assert f":ref:`guards <{PREFIX}readme_threat_model.guards-max_removals>`" in threat
    assert f":ref:`what you get <{PREFIX}readme_what_you_get>`" in threat
    assert "https://example.com/x" in threat
    assert "<https://github.com/allowlist/egress/blob/main/COPYING>`__" in by_name["readme_what_you_get"][1]
    assert "<https://github.com/allowlist/egress/blob/main/docs/plan.schema.json>`__" in by_name["plan_report"][1]
    assert f":ref:`the README <{PREFIX}readme_threat_model>`" in by_name["role_r1"][1]


@pytest.mark.parametrize(("link", "error"), [
    ("[gone](#no-such-heading)", "README.md: link to '#no-such-heading': README.md has no heading #no-such-heading"),
    ("[gone](docs/sources.md#nope)", "README.md: link to 'docs/sources.md#nope': docs/sources.md has no heading #nope"),
    ("[gone](docs/missing.md)", "README.md: link to 'docs/missing.md': no file docs/missing.md in the repository"),
    ("[out](../outside.md)", "README.md: link to '../outside.md': no file ../outside.md in the repository"),
])
def test_a_link_that_leads_nowhere_fails(tmp_path, link, error):
    with pytest.raises(docs_site.DocsError) as exc:
        docs_site.guide_pages(make_repo(tmp_path, README + f"\nAnd {link}.\n"))
    assert str(exc.value) == error


def test_offline_inventory(tmp_path):
    source = tmp_path / "inv.txt"
    source.write_text("# comment\n\nansible_collections.ansible.builtin.iptables_module__parameter-match_set"
                      "  collections/ansible/builtin/iptables_module.html  match_set\n")
    docs_site.write_inventory(source, tmp_path / "x.inv")
    header, _sep, body = (tmp_path / "x.inv").read_bytes().partition(b"compressed using zlib.\n")
    assert header.startswith(b"# Sphinx inventory version 2\n")
    assert zlib.decompress(body).decode() == (
        "ansible_collections.ansible.builtin.iptables_module__parameter-match_set std:label -1 "
        "collections/ansible/builtin/iptables_module.html"
        "#ansible-collections-ansible-builtin-iptables-module-parameter-match-set match_set\n")
