# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A plugin's documented options, its doc fragments merged in, to compare with the argument specs.

ansible-test's validate-modules does this for modules; nothing does it for lookups, whose documented
defaults are the values they run with.
"""

from __future__ import annotations

import importlib

import yaml

PREFIX = 'allowlist.egress.'


def documented_options(plugin):
    """The options of a plugin module (imported), from its DOCUMENTATION and every fragment it extends."""
    doc = yaml.safe_load(plugin.DOCUMENTATION)
    options = {}
    for name in doc.get('extends_documentation_fragment', []):
        assert name.startswith(PREFIX), name
        parts = name[len(PREFIX):].split('.')
        fragment = importlib.import_module('ansible_collections.allowlist.egress.plugins.doc_fragments.' + parts[0])
        text = getattr(fragment.ModuleDocFragment, parts[1].upper() if len(parts) > 1 else 'DOCUMENTATION')
        options.update(yaml.safe_load(text).get('options') or {})
    options.update(doc.get('options') or {})
    return options


def default_mismatches(options, spec):
    """(name, documented, spec) for every option of `spec` whose documented default differs."""
    convert = {'float': float, 'int': int, 'str': str}
    found = []
    for name, arg in sorted(spec.items()):
        documented = options.get(name, {}).get('default')
        wanted = arg.get('default')
        to_type = convert.get(arg.get('type'))
        if to_type and documented is not None:
            documented = to_type(documented)
        if wanted == [] and documented is None:
            continue  # a list option without items: nothing to document
        if documented != wanted:
            found.append((name, documented, wanted))
    return found
