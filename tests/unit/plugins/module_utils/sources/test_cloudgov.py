# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cloud.gov page parser."""

from __future__ import annotations

from tests.support.sources import records


def test_cloudgov_page_parser_finds_the_addresses():
    page = '<html><ul><li>52.222.122.97/32</li><li>52.222.123.172/32</li></ul><p>v1.2.3</p></html>'
    assert records('cloudgov', page)[0] == ['52.222.122.97/32', '52.222.123.172/32']
