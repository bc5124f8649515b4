#!/usr/bin/env bash
# Run the whole test suite on a fresh Debian 12 machine: installs Dovecot, Postfix and
# nftables when missing (the tests start their own mail servers on loopback and leave the
# system's services and configuration alone; nft drops IPv6 connection attempts to them for
# the Happy Eyeballs tests), creates .venv, then runs ruff, mypy --strict and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix nftables; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            SUDO=(false)
        fi
    fi
    if [ "${SUDO[0]:-}" = false ]; then
        # The server tests fail under CI and are skipped elsewhere, with this same advice.
        echo "Cannot install ${need_apt[*]}: not root and no sudo. Install them as root." >&2
    else
        echo "Installing ${need_apt[*]} (the tests run their own copies on loopback)..."
        "${SUDO[@]}" apt-get update -qq
        # Install without starting the system services (policy-rc.d 101 = "do not start"):
        # the tests start their own instances. A policy file already there is left alone.
        made_policy=0
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
            "${SUDO[@]}" chmod +x /usr/sbin/policy-rc.d
            made_policy=1
        fi
        echo "postfix postfix/main_mailer_type select No configuration" | "${SUDO[@]}" debconf-set-selections
        # env: sudo would drop DEBIAN_FRONTEND; no stdin in CI, so nothing may prompt.
        status=0
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends -o Dpkg::Options::=--force-confdef \
            -o Dpkg::Options::=--force-confold "${need_apt[@]}" </dev/null >/dev/null || status=$?
        [ "$made_policy" -eq 0 ] || "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d
        [ "$status" -eq 0 ] || { echo "apt-get install failed ($status)" >&2; exit "$status"; }
    fi
fi

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
ensure_venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== ruff"
.venv/bin/ruff check wizard tests benchmarks screenshots
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
# Four workers even on two cores: a test spends most of its time waiting on servers, time
# limits and the terminal, not on the CPU (each worker starts its own Dovecot and Postfix
# on loopback); --dist loadgroup keeps the tests that edit /etc/hosts and nftables in one
# worker. Arguments given to this script come last and win (for example -n 0 for one process).
exec .venv/bin/python -m pytest -n 4 --dist loadgroup "$@"
