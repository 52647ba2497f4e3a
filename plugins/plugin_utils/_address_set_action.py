# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action every address-set module runs through: the module itself, with a cheap way in for a long list.

ansible-core 2.19 finalises a task argument element by element: `addresses: "{{ allow_list }}"` with
100,000 entries costs seconds before the module starts, and as much again to pickle the tagged strings
back to the main process; more than the module's own work. When the argument is nothing but one
variable whose value is a list of plain strings, none of which could be a template, the result of
templating is exactly those strings, so they are taken as they are. Anything else (a filter, an
expression, an element holding `{`, a dictionary entry, an undefined name) takes Ansible's own path.
Older ansible-core versions never call finalize_task_arg and template as they always did.

On every version, a list of strings then travels to the module as the one comma-separated string that
its `type: list` option splits back into the same list: the module's own argument handling deep-copies
and walks a list element by element (0.3 s for 100,000 entries), a string it copies whole.
"""

from __future__ import annotations

import re

from ansible.plugins.action.normal import ActionModule as NormalAction

_ONE_VARIABLE = re.compile(r'\A\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\Z')
LIST_ARGUMENTS = frozenset(('addresses',))


def plain_strings(value):
    """`value` as a list of plain str when it is a list of strings that hold no template; else None."""
    if not isinstance(value, (list, tuple)):
        return None
    plain = []
    for item in value:
        # str subclasses only: Ansible tags plain text as a str subclass, while vault values are another type.
        # '{' opens every Jinja delimiter; '#jinja2:' would choose other delimiters.
        if not isinstance(item, str) or '{' in item or item.startswith('#jinja2:'):
            return None
        plain.append(''.join((item,)))  # a plain str copy, without tags to pickle
    return plain


def untemplated_list(value, variables):
    """The strings `value` names when it is exactly `{{ name }}` of a list of plain strings; else None."""
    if not isinstance(value, str):
        return None
    match = _ONE_VARIABLE.match(value)
    if match is None or match.group(1) not in variables:
        return None
    return plain_strings(variables[match.group(1)])


def comma_joined(value):
    """A non-empty list of strings, none holding a comma, as one comma-separated string; else None.

    Ansible splits a string given for a `type: list` option on every comma (check_type_list), so the
    module receives exactly this list, element for element; an element holding a comma would become two
    and keeps the list form, as do dictionaries and an empty list (an empty string splits into `['']`).
    """
    if not isinstance(value, list) or not value:
        return None
    for item in value:
        if not isinstance(item, str) or ',' in item:
            return None
    return ','.join(value)


class AddressSetAction(NormalAction):
    def run(self, tmp=None, task_vars=None):
        for name in LIST_ARGUMENTS:
            joined = comma_joined(self._task.args.get(name))
            if joined is not None:
                self._task.args[name] = joined
        return super(AddressSetAction, self).run(tmp, task_vars)

    @classmethod
    def finalize_task_arg(cls, name, value, templar, context):
        if name in LIST_ARGUMENTS:
            fast = untemplated_list(value, templar.available_variables)
            if fast is not None:
                return fast
        return super(AddressSetAction, cls).finalize_task_arg(name, value, templar, context)
