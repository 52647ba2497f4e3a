#!/usr/bin/env bash
# `make demo`: the main job end to end, offline. Starts a DNS server and an HTTPS mirror on loopback,
# runs demo/lookups.yml and an ad-hoc lookup; then, in two network namespaces joined by a veth pair
# (a "firewall" and a "client"), runs playbooks/sync.yml (front-ends, cloud.gov, Atlas App Services on AWS from
# the bundled snapshot and a static range into nftables sets) with --check --diff and for real, shows that the allowed front-end
# addresses connect and another address does not, and runs it again to show that nothing changes.
# Stops every server and removes the namespaces on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py="$root/.venv/bin"
work=$(mktemp -d)
pids=()
fw="ae-demo-fw-$$"
client="ae-demo-cl-$$"
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for ns in "$fw" "$client"; do
        if [ -e "/run/netns/$ns" ]; then
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
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

echo
echo "== pipeline: playbooks/sync.yml (role egress_sync) into nftables in a network namespace, with real traffic"
ip netns add "$fw"
ip netns add "$client"
in_fw=(nsenter --net="/run/netns/$fw")
in_client=(nsenter --net="/run/netns/$client")
ip link add "v-$$-a" netns "$fw" type veth peer name "v-$$-b" netns "$client"
"${in_fw[@]}" ip link set lo up
"${in_fw[@]}" ip addr add 192.0.2.1/24 dev "v-$$-a"
"${in_fw[@]}" ip link set "v-$$-a" up
"${in_client[@]}" ip link set lo up
for address in 192.0.2.10 192.0.2.11 192.0.2.12; do
    "${in_client[@]}" ip addr add "$address/24" dev "v-$$-b"
done
"${in_client[@]}" ip link set "v-$$-b" up
"${in_fw[@]}" "$py/python" tests/support/tcp_probe.py serve --port 443 >/dev/null &
pids+=($!)
# The controller stays here (it reaches the DNS server and the mirror on loopback); modules run in the
# firewall's namespace through this interpreter.
printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$fw" "$py/python" > "$work/python-in-fw"
chmod 755 "$work/python-in-fw"
printf 'fw ansible_connection=local ansible_python_interpreter=%s\n' "$work/python-in-fw" > "$work/inventory"
cat > "$work/allowlist.yml" <<EOF
egress_sync_hosts: fw
ansible_become: false
egress_sync_sources:
  - {type: outsystems_frontends, names: [demo-fe01, demo-fe02], nameservers: ['127.0.0.1'], port: $(cat "$work/dns-port")}
  - {type: egress_ranges, source: cloudgov}
  - {type: egress_ranges, source: atlas, provider: aws, offline: true, cache_dir: '$work/sync-cache'}
  - {type: static, addresses: [10.10.0.0/16], comment: OutSystems VPN range}
egress_sync_targets:
  - {backend: nftables_set, table: filter, set: egress_allow_v4, set6: egress_allow_v6}
EOF
sync=("$py/ansible-playbook" -i "$work/inventory" allowlist.egress.sync -e "@$work/allowlist.yml")
echo "-- the plan: --check --diff (what a merge request shows; nothing changes)"
"${sync[@]}" --check --diff
echo "-- apply"
"${sync[@]}"
"${in_fw[@]}" nft -f - <<EOF
add chain inet filter input { type filter hook input priority 0; policy accept; }
add rule inet filter input tcp dport 443 ip saddr @egress_allow_v4 accept
add rule inet filter input tcp dport 443 drop
EOF
echo "-- the kernel's sets and the rule that uses them"
"${in_fw[@]}" nft list table inet filter
echo "-- traffic to TCP 443 from the client namespace"
for address in 192.0.2.11 192.0.2.12 192.0.2.10; do
    if "${in_client[@]}" "$py/python" tests/support/tcp_probe.py connect --source "$address" --dest 192.0.2.1 \
            --port 443 --timeout 0.5 >/dev/null; then
        echo "   from $address: connected"
    else
        echo "   from $address: blocked"
    fi
done
echo "-- run again (the nightly job): nothing to change"
"${sync[@]}" | grep -E '^fw '
