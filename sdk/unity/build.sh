#!/bin/sh
# Builds the C# SDK with Mono's mcs into OUTDIR (warnings are errors):
#   Gamelake.Core.dll       Runtime/Core (plain C#, no UnityEngine)
#   Gamelake.UnityCheck.dll Runtime/Unity + Samples~ + Tests~/UnityStub (proves they compile)
#   CoreTests.exe           Tests~/Core (run by test.sh)
#   Driver.exe              the conformance driver (sdk/testing/README.md)
#   sdk_csharp_bench.exe    bench/sdk_csharp_bench.cs (when present)
set -eu
out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)  # absolute: the compiler runs from the package folder
cd "$here"
MCS="mcs -warnaserror -nologo -optimize+ -langversion:7.2"
$MCS -target:library -r:System.Net.Http.dll -r:System.IO.Compression.dll \
    -out:"$out/Gamelake.Core.dll" Runtime/Core/*.cs
$MCS -target:library -r:"$out/Gamelake.Core.dll" -r:System.Net.Http.dll \
    -out:"$out/Gamelake.UnityCheck.dll" Runtime/Unity/*.cs Samples~/LabGameAnalytics/*.cs Tests~/UnityStub/*.cs
$MCS -r:"$out/Gamelake.Core.dll" -r:"$out/Gamelake.UnityCheck.dll" -r:System.Net.Http.dll -r:System.IO.Compression.dll \
    -out:"$out/CoreTests.exe" Tests~/Core/*.cs
$MCS -r:"$out/Gamelake.Core.dll" -out:"$out/Driver.exe" Tests~/Driver.cs
bench="$here/../../bench/sdk_csharp_bench.cs"
if [ -f "$bench" ]; then
    $MCS -r:"$out/Gamelake.Core.dll" -r:System.Net.Http.dll -out:"$out/sdk_csharp_bench.exe" "$bench"
fi
