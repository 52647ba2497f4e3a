# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""MongoDB Atlas: App Services outbound IPs (JSON / CSV files) and the control-plane API."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources import _atlas_snapshots
from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    DocumentRequest, Snapshot, Source, check_values, csv_rows, expect, load_json, matches, nonempty, string_list,
)

APP_SERVICES_BASE = 'https://www.mongodb.com/docs/realm-sdks/mongodb/AtlasAppServicesPublicIPs'
APP_SERVICES_PROVIDERS = {'all': '', 'aws': 'AWS', 'azure': 'Azure', 'gcp': 'GCP'}


class AtlasAppServices(Source):
    name = 'atlas'
    description = 'MongoDB Atlas App Services outbound IPs, from the published JSON or CSV files'
    default_url = APP_SERVICES_BASE + '.json'
    options = {'provider': {'type': 'list', 'choices': sorted(APP_SERVICES_PROVIDERS)}}

    def requests(self, params, url):
        providers = params.get('provider') or ['all']
        check_values(self.name, 'provider', providers, APP_SERVICES_PROVIDERS)
        if url:
            return [DocumentRequest(url, label=','.join(providers))]
        if 'all' in providers:
            providers = ['all']
        return [DocumentRequest('%s%s.json' % (APP_SERVICES_BASE, APP_SERVICES_PROVIDERS[p]), label=p)
                for p in providers]

    def snapshot_for(self, request):
        entries = _atlas_snapshots.SNAPSHOTS.get(request.label)
        if not entries:
            return None
        origin = (getattr(_atlas_snapshots, 'ORIGIN_URL', None)
                  or '%s%s.json' % (APP_SERVICES_BASE, APP_SERVICES_PROVIDERS[request.label]))
        note = getattr(_atlas_snapshots, 'NOTE', None) or 'Recorded by scripts/refresh_snapshots.py'
        return Snapshot(entries, origin, _atlas_snapshots.RECORDED, note=note)

    def parse(self, body, url):
        if url.split('?', 1)[0].lower().endswith('.csv'):
            # One address per line, no header; tolerate a trailing comma-separated column.
            entries = [row[0].strip() for row in csv_rows(body, url)]
        else:
            entries = string_list(load_json(body, url), url, 'the document')
        return nonempty(entries, url)

    def records(self, parsed, params, url):
        return [(entry, None) for entry in parsed]


CONTROL_PLANE_URL = 'https://cloud.mongodb.com/api/atlas/v2/unauth/controlPlaneIPAddresses'
CONTROL_PLANE_ACCEPT = 'application/vnd.atlas.2023-11-15+json'
CONTROL_PLANE_SERVICES = ('controlPlane', 'data_federation', 'app_services')
DIRECTIONS = ('inbound', 'outbound')


class AtlasControlPlane(Source):
    name = 'atlas_control_plane'
    description = 'MongoDB Atlas control-plane, Data Federation and App Services IPs from the Admin API'
    default_url = CONTROL_PLANE_URL
    options = {
        'service': {'type': 'list', 'choices': list(CONTROL_PLANE_SERVICES)},
        'direction': {'type': 'list', 'choices': list(DIRECTIONS)},
        'provider': {'type': 'list'},
        'region': {'type': 'list'},
    }

    def requests(self, params, url):
        check_values(self.name, 'service', params.get('service') or [], CONTROL_PLANE_SERVICES)
        check_values(self.name, 'direction', params.get('direction') or [], DIRECTIONS)
        return [DocumentRequest(url or self.default_url, headers={'Accept': CONTROL_PLANE_ACCEPT})]

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict), url, 'expected an object with %s' % ', '.join(CONTROL_PLANE_SERVICES))
        expect(any(s in data for s in CONTROL_PLANE_SERVICES), url,
               'none of the keys %s is present' % ', '.join(CONTROL_PLANE_SERVICES))
        for service, directions in data.items():
            expect(isinstance(directions, dict), url, '%s should be an object' % service)
            for direction, providers in directions.items():
                expect(isinstance(providers, dict), url, '%s.%s should be an object' % (service, direction))
                for provider, regions in providers.items():
                    expect(isinstance(regions, dict), url, '%s.%s.%s should be an object' % (service, direction, provider))
                    for region, cidrs in regions.items():
                        string_list(cidrs, url, '%s.%s.%s.%s' % (service, direction, provider, region))
        return data

    def records(self, parsed, params, url):
        services = params.get('service') or list(CONTROL_PLANE_SERVICES)
        directions = params.get('direction') or ['outbound']
        out = []
        for service in services:
            for direction in directions:
                for provider, regions in (parsed.get(service) or {}).get(direction, {}).items():
                    if not matches(params.get('provider'), provider):
                        continue
                    for region, cidrs in regions.items():
                        if matches(params.get('region'), region):
                            attrs = {'service': service, 'direction': direction, 'provider': provider, 'region': region}
                            out.extend((cidr, attrs) for cidr in cidrs)
        return nonempty(out, url, 'addresses for service=%s direction=%s provider=%s region=%s' % (
            ','.join(services), ','.join(directions), ','.join(params.get('provider') or ['any']),
            ','.join(params.get('region') or ['any'])))
