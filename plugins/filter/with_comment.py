# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: with_comment
author: Allowlist Egress maintainers (@allowlist-egress)
version_added: 0.1.0
short_description: Turn a list of addresses into entries with a comment
description:
  - Makes C({address, comment}) entries, which M(allowlist.egress.nftables_set), M(allowlist.egress.ipset) and
    M(allowlist.egress.aws_prefix_list) write as the entries' comments (or descriptions), from a list of address
    strings such as the lookups of this collection return. Entries that are already dictionaries keep their own
    comment.
options:
  _input:
    description: Addresses (strings) or C({address, comment}) dictionaries.
    type: list
    elements: raw
    required: true
  comment:
    description: The comment for entries that have none.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Atlas entries marked with their source
  ansible.builtin.set_fact:
    entries: "{{ query('allowlist.egress.egress_ranges', 'atlas') | allowlist.egress.with_comment('atlas') }}"
"""

RETURN = r"""
_value:
  description: One C({address, comment}) dictionary per input entry, in order.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def with_comment(entries, comment):
    if isinstance(entries, (str, bytes)) or not hasattr(entries, '__iter__'):
        raise AnsibleFilterError('with_comment expects a list of addresses, got %r' % (entries,))
    result = []
    for entry in entries:
        if isinstance(entry, dict):
            result.append(dict(entry, comment=entry.get('comment', comment)))
        else:
            result.append({'address': entry, 'comment': comment})
    return result


class FilterModule(object):
    def filters(self):
        return {'with_comment': with_comment}
