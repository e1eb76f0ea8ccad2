#!/usr/bin/env bash
# Installs every Debian package Hestia needs to build, test and benchmark.
# Idempotent: installs only what is missing; safe to run on every build.
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config
  libboost-dev            # Spirit X3 (header-only)
  libsnappy-dev           # remote-write block compression
  libprotobuf-dev protobuf-compiler  # remote-write WriteRequest
  libcpp-httplib-dev      # HTTP server and client
  libfmt-dev
  libyaml-cpp-dev
  libre2-dev              # Prometheus regexes are RE2 syntax
  catch2                  # unit tests (Catch2 v2)
  zlib1g-dev              # gzip for scrapes and HTTP responses
  libssl-dev
)
# Real peers used by the interoperability tests and benchmarks.
peer_pkgs=(prometheus prometheus-alertmanager prometheus-node-exporter victoria-metrics curl python3)

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--with-peers" ]; then want+=("${peer_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
# Never let package scripts start the peers as system services (they would take :9090).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
