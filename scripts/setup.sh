#!/usr/bin/env bash
# Installs what building maas-proxy needs on Debian/Ubuntu, when it is missing.
set -euo pipefail
need=()
# openssl and curl: the TLS tests make certificates and read a TLS backend with them; jq: the tests
# run scripts/usage-report.sh.
for pkg in libevent-dev libssl-dev pkg-config openssl curl jq; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift 6.2+ is required on PATH" >&2; exit 1; }
