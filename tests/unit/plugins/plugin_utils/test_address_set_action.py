# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cheap way in for `addresses` must give exactly what Ansible's own templating gives, or step aside."""

from __future__ import annotations

import pickle

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.release import __version__ as ansible_version

from ansible_collections.allowlist.egress.plugins.module_utils.targets import (
    _address_feed, _atlas_access_list, _aws_prefix_list, _aws_wafv2_ip_set, _firewalld_ipset, _ipset, _nftables)
from ansible_collections.allowlist.egress.plugins.plugin_utils._address_set_action import (
    AddressSetAction, comma_joined, plain_strings, untemplated_list)

try:
    from ansible._internal._templating import _engine as engine
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19: no data tagging, and no finalize_task_arg to compare with
    engine = None

    def trust_as_template(text):
        return text

needs_finalize = pytest.mark.skipif(
    engine is None, reason='ansible-core %s never calls finalize_task_arg (a hook of 2.19 and later): nothing to compare'
    % ansible_version)


def templar(variables):
    return engine.TemplateEngine(loader=DataLoader(), variables=variables)


def tagged(text):
    # Text from a vars file or a playbook is a tagged str subclass, trusted as a template.
    return trust_as_template(text)


VARIABLES = {
    'plain': ['192.0.2.1', '198.51.100.0/24', '2001:db8::/32'],
    'from_file': [tagged('192.0.2.%d' % i) for i in range(1, 50)],
    'nested': ['192.0.2.1', tagged('{{ one }}/32')],
    'one': '203.0.113.9',
    'entries': [{'address': '192.0.2.1', 'comment': 'atlas'}],
    'text': '192.0.2.1,192.0.2.2',
    'pointer': tagged('{{ plain }}'),
    'header': [tagged('#jinja2:variable_start_string:"<<", variable_end_string:">>"\n<< one >>/32')],
    'empty': [],
}

CASES = ['{{ plain }}', '{{from_file}}', '{{ nested }}', '{{ entries }}', '{{ text }}', '{{ pointer }}',
         '{{ plain | reverse | list }}', '{{ plain + nested }}', '{{ header }}', '{{ empty }}']


@needs_finalize
@pytest.mark.parametrize('value', CASES)
def test_the_result_is_what_ansible_templating_gives(value):
    engine_ = templar(VARIABLES)
    ours = AddressSetAction.finalize_task_arg('addresses', tagged(value), engine_, None)
    ansibles = NormalAction.finalize_task_arg('addresses', tagged(value), templar(VARIABLES), None)
    assert ours == ansibles


def test_a_list_of_plain_strings_is_taken_as_is_and_pickles_as_plain_str():
    strings = untemplated_list(tagged('{{ from_file }}'), VARIABLES)
    assert strings == ['192.0.2.%d' % i for i in range(1, 50)]
    assert all(s.__class__ is str for s in strings)  # not a tagged subclass
    assert pickle.loads(pickle.dumps(strings)) == strings


@pytest.mark.parametrize('value', ['{{ nested }}', '{{ entries }}', '{{ text }}', '{{ pointer }}', '{{ header }}',
                                   '{{ plain | list }}', '{{ missing }}', '{{ plain }} ', 'x{{ plain }}', '{{ plain.0 }}'])
def test_anything_but_one_variable_of_plain_strings_takes_ansibles_path(value):
    assert untemplated_list(tagged(value), VARIABLES) is None


@needs_finalize
def test_an_undefined_variable_fails_as_ansible_fails():
    with pytest.raises(Exception) as ours:
        AddressSetAction.finalize_task_arg('addresses', tagged('{{ missing }}'), templar(VARIABLES), None)
    with pytest.raises(Exception) as ansibles:
        NormalAction.finalize_task_arg('addresses', tagged('{{ missing }}'), templar(VARIABLES), None)
    assert type(ours.value) is type(ansibles.value)


@needs_finalize
def test_other_arguments_are_templated_by_ansible():
    assert AddressSetAction.finalize_task_arg('comment', tagged('{{ one }}'), templar(VARIABLES), None) == '203.0.113.9'
    # A list in another option is never taken as is.
    assert AddressSetAction.finalize_task_arg('other', tagged('{{ nested }}'), templar(VARIABLES), None) == [
        '192.0.2.1', '203.0.113.9/32']


def test_plain_strings():
    assert plain_strings(('192.0.2.1',)) == ['192.0.2.1']
    assert plain_strings('192.0.2.1') is None
    assert plain_strings(['192.0.2.1', 3]) is None
    assert plain_strings(['{%raw%}']) is None
    assert plain_strings([]) == []


BACKENDS = [_address_feed, _atlas_access_list, _aws_prefix_list, _aws_wafv2_ip_set, _firewalld_ipset, _ipset, _nftables]


def validated_addresses(backend, value):
    # What the module sees: its own argument_spec validating `addresses` as AnsibleModule does.
    result = ArgumentSpecValidator(backend.argument_spec()).validate({'addresses': value})
    assert not [e for e in result.errors if 'addresses' in str(e)], result.error_messages
    return result.validated_parameters['addresses']


@pytest.mark.parametrize('backend', BACKENDS, ids=lambda b: b.__name__.rsplit('.', 1)[-1])
@pytest.mark.parametrize('addresses', [['192.0.2.1'], ['192.0.2.1', '198.51.100.0/24', '2001:db8::/32'],
                                       [' 192.0.2.1 ', '', '192.0.2.9-192.0.2.12', 'not an address', '\u00b2'],
                                       ['203.0.113.%d' % i for i in range(1000)]])
def test_a_joined_list_reaches_every_module_as_the_same_list(backend, addresses):
    joined = comma_joined(addresses)
    assert isinstance(joined, str) and joined.__class__ is str
    assert validated_addresses(backend, joined) == addresses


@pytest.mark.parametrize('value', [[], ['192.0.2.1,198.51.100.1'], ['192.0.2.1', 7], [{'address': '192.0.2.1'}],
                                   [['192.0.2.1']], '192.0.2.1', None, ('192.0.2.1',)])
def test_what_a_comma_string_would_not_carry_exactly_keeps_its_form(value):
    # [] would split into [''], an element with a comma into two entries, a dict or number loses its type.
    assert comma_joined(value) is None


def test_an_element_holding_a_comma_still_fails_as_one_entry():
    # Not joined, so the module sees (and refuses, naming it) the one entry the user wrote.
    addresses = ['192.0.2.1', '192.0.2.2,0.0.0.0/0']
    assert comma_joined(addresses) is None
    assert validated_addresses(_nftables, addresses) == addresses


@pytest.mark.skipif(engine is not None, reason='ansible-core %s calls finalize_task_arg' % ansible_version)
def test_older_cores_have_no_hook_to_call():
    # Before 2.19 the override is dead code and every argument is templated as it always was; should a core
    # without data tagging grow the hook, its super() call would have to be checked against that core.
    assert not hasattr(ActionBase, 'finalize_task_arg')
    assert not hasattr(NormalAction, 'finalize_task_arg')
