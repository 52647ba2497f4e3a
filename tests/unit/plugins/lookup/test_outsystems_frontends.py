# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The outsystems_frontends lookup runs with the defaults that egress_plan validates its sources with."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.lookup import outsystems_frontends
from ansible_collections.allowlist.egress.plugins.module_utils.sources import _frontends
from tests.support.plugin_docs import default_mismatches, documented_options


def test_documented_defaults_are_the_resolver_defaults():
    options = documented_options(outsystems_frontends)
    assert set(_frontends.argument_spec()) <= set(options)
    assert default_mismatches(options, _frontends.argument_spec()) == []
