# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stripe: the addresses Stripe sends webhooks from (ips_webhooks.json, or its .txt twin)."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, expect, load_json, nonempty, string_list, text_lines,
)


class StripeWebhooks(Source):
    name = 'stripe'
    description = 'Stripe webhook source addresses (stripe.com/files/ips/ips_webhooks.json, or the .txt twin)'
    default_url = 'https://stripe.com/files/ips/ips_webhooks.json'

    def parse(self, body, url):
        if url.split('?', 1)[0].lower().endswith('.txt'):
            return nonempty(text_lines(body, url), url)
        data = load_json(body, url)
        expect(isinstance(data, dict) and 'WEBHOOKS' in data, url, 'expected an object with a WEBHOOKS list')
        return nonempty(string_list(data['WEBHOOKS'], url, 'WEBHOOKS'), url)

    def records(self, parsed, params, url):
        return [(entry, None) for entry in parsed]
