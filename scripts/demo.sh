#!/usr/bin/env bash
# `make demo`: the lookups end to end, offline. Starts a DNS server and an HTTPS mirror on loopback,
# runs demo/lookups.yml and an ad-hoc lookup, then stops both servers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py="$root/.venv/bin"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

export ANSIBLE_COLLECTIONS_PATH="$root/build/collections" ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-} \
       ANSIBLE_PYTHON_INTERPRETER="$py/python" ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

"$py/python" -m tests.support.dns_server --zone demo/zone.json --port-file "$work/dns-port" >/dev/null &
pids+=($!)
"$py/python" -m tests.support.https_server --directory demo/mirror --ca-file "$work/ca.pem" --url-file "$work/mirror-url" >/dev/null &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/dns-port" ] && [ -s "$work/mirror-url" ] && break; sleep 0.1; done
if ! [ -s "$work/dns-port" ] || ! [ -s "$work/mirror-url" ]; then
    echo "demo: the local DNS server or HTTPS mirror did not start" >&2
    exit 1
fi

echo "== ad hoc: ansible localhost -m debug -a \"msg={{ lookup('allowlist.egress.egress_ranges', 'cloudgov') }}\""
"$py/ansible" localhost -m ansible.builtin.debug -a "msg={{ lookup('allowlist.egress.egress_ranges', 'cloudgov') }}"

echo "== playbook: demo/lookups.yml"
"$py/ansible-playbook" demo/lookups.yml \
    -e demo_dns_port="$(cat "$work/dns-port")" -e demo_mirror="$(cat "$work/mirror-url")" \
    -e demo_ca="$work/ca.pem" -e demo_cache="$work/cache"
