#!/bin/sh
# Builds the C# SDK into OUTDIR and runs its unit and end-to-end tests under Mono.
#   sdk/unity/test.sh OUTDIR [path/to/gamelake]   (or GAMELAKE_BINARY in the environment)
# Exit status is nonzero when a test fails.
set -eu
out=${1:?usage: test.sh OUTDIR [gamelake binary]}
here=$(cd "$(dirname "$0")" && pwd)
"$here/build.sh" "$out"
bin=${2:-${GAMELAKE_BINARY:-}}
GAMELAKE_UNITY_PACKAGE=$here exec mono --debug "$out/CoreTests.exe" "$bin"
