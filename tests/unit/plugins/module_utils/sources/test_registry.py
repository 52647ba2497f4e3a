# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every source by name, each describing itself and its options."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import SOURCES


def test_every_source_has_a_description_and_declares_its_options():
    for name, cls in SOURCES.items():
        assert cls.name == name and cls.description
        for option, spec in cls.options.items():
            assert spec['type'] in ('list', 'bool', 'str'), (name, option)
