#!/usr/bin/env bash
# Sets everything up, builds, and starts the server with demo data flowing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/gamelake serve --demo "$@"
