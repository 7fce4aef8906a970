#!/usr/bin/env bash
# Installs the Debian packages that building and testing Keel needs.
# Idempotent: checks what is installed first and runs `apt-get update` only when
# something is missing. Safe to run on every `make`.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config python3
  # kernel, shell and SDK
  libboost-dev libboost-filesystem-dev libedit-dev nlohmann-json3-dev
  # modules
  libxsimd-dev libfaiss-dev libclucene-dev libsodium-dev libssl-dev
  # tests and benchmarks (sqlite3 and libsqlite3 are test oracles only)
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 libsqlite3-dev wamerican
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
