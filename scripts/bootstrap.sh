#!/usr/bin/env bash
# Install what the tests and the demo need, on a fresh Debian machine as root:
# the Debian packages (only those missing, so a second run needs no network),
# then a virtual environment in .venv with the Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
APT_PACKAGES=(ca-certificates git make python3 python3-venv python3-pip shellcheck nftables ipset iptables iproute2 util-linux
              bind9 bind9-utils unbound dnsmasq pdns-recursor knot-resolver dnsutils iputils-ping nginx openssl
              firewalld python3-firewall python3-netaddr dbus
              pandoc chromium chromium-driver)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    # The DNS servers and nginx must not start at install time: they would claim ports 53 and 80 of this machine;
    # nor may firewalld, which would take over the host's netfilter rules. The tests start them inside network
    # namespaces of their own (policy-rc.d 101 = "do not start": firewalld's postinst only enables its
    # systemd unit and asks invoke-rc.d, which refuses; without systemd nothing runs it at boot either).
    policy_rc=/usr/sbin/policy-rc.d
    own_policy=false
    if [ ! -e "$policy_rc" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy_rc"
        chmod 755 "$policy_rc"
        own_policy=true
    fi
    status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
    if [ "$own_policy" = true ]; then rm -f "$policy_rc"; fi
    [ "$status" -eq 0 ] || exit "$status"
    # firewalld's postinst enables its unit, so a host with systemd would start it at the next boot (or on a
    # D-Bus call, through its bus activation file) and it would replace the host's firewall rules. Installed
    # here only for the tests, which run their own firewalld in a namespace: disabled and masked. A firewalld
    # that was installed before is left as it is.
    # `systemctl --root=/` edits the unit links only, so it works with or without a running systemd.
    if printf '%s\n' "${missing[@]}" | grep -qx firewalld && command -v systemctl >/dev/null 2>&1; then
        systemctl --root=/ disable firewalld.service >/dev/null 2>&1 || true
        systemctl --root=/ mask firewalld.service >/dev/null 2>&1 || true
    fi
    # pdns-recursor's and knot-resolver's postinsts enable their units (started at the next boot on 127.0.0.1:53);
    # policy-rc.d kept them from starting now. The tests start them in namespaces of their own.
    if printf '%s\n' "${missing[@]}" | grep -qx pdns-recursor && command -v systemctl >/dev/null 2>&1; then
        systemctl --root=/ disable pdns-recursor.service >/dev/null 2>&1 || true
    fi
    if printf '%s\n' "${missing[@]}" | grep -qx knot-resolver && command -v systemctl >/dev/null 2>&1; then
        systemctl --root=/ disable kresd.target kres-cache-gc.service >/dev/null 2>&1 || true
    fi
fi

stamp="$VENV/.bootstrap-stamp"
want=$(cat requirements.txt tests/requirements.txt | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r requirements.txt -r tests/requirements.txt
echo "$want" > "$stamp"
