#!/bin/sh
# Installs Turso's Node package for the CDC cross-check test
# (cdc_turso_test) into DIR (default: build/turso-node in the source tree).
#   modules/cdc/tests/turso/install_turso.sh [DIR]
set -e
dir=${1:-$(dirname "$0")/../../../../build/turso-node}
mkdir -p "$dir"
cd "$dir"
npm install --no-audit --no-fund @tursodatabase/database@0.7.2
