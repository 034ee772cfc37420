#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite (the CI command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
# The live tests start the built maas-proxy and fake-model-server binaries as separate processes.
swift test --skip-build
