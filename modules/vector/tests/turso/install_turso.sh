#!/bin/sh
# Installs Turso's Node package for the vector cross-check test
# (vector_turso_test) into DIR (default: build/turso-node in the source tree,
# the directory the CDC cross-check uses too).
#   modules/vector/tests/turso/install_turso.sh [DIR]
set -e
dir=${1:-$(dirname "$0")/../../../../build/turso-node}
mkdir -p "$dir"
cd "$dir"
npm install --no-audit --no-fund @tursodatabase/database@0.7.2
