#!/usr/bin/env bash
# Clang's thread-safety analysis over the server's C++ sources: each file that
# includes common/mutex.h (directly or through our headers) is compiled with
# clang++ -fsyntax-only -Wthread-safety -Werror, with the flags CMake gave it
# in BUILD_DIR/compile_commands.json (default build/; the test command uses
# build-asan/, the sanitized build, and -fsanitize flags change nothing here). No
# objects are written: it costs a parse of those files, not a second build.
# The rules it checks are the GL_GUARDED_BY / GL_REQUIRES / GL_EXCLUDES
# annotations (src/common/thread_annotations.h, src/common/mutex.h); a file
# without gl::Mutex has nothing for it to check. It also checks that the
# analysis is on: tests/thread_safety/violation.cc breaks a rule on purpose
# and must be refused.
# Usage: scripts/check_thread_safety.sh [BUILD_DIR [PATH_PREFIX...]]
#   PATH_PREFIX (e.g. src/server/) limits the check to those files.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
shift || true
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "check_thread_safety: no $db (build it first: scripts/build.sh release, or sanitize for build-asan)" >&2; exit 2; }
flags=(-fsyntax-only -Wno-everything -Wthread-safety -Werror)
# One line per file: directory, the compile command's flags (g++'s output,
# optimisation and warning flags dropped), the file.
commands="$(node -e '
  const fs = require("fs"), path = require("path");
  const [dbPath, ...prefixes] = process.argv.slice(1);
  const db = JSON.parse(fs.readFileSync(dbPath, "utf8"));
  const root = process.cwd() + "/";
  const seen = new Map();  // file -> whether it reaches common/mutex.h
  function reaches(file) {
    if (seen.has(file)) return seen.get(file);
    seen.set(file, false);  // a cycle reaches nothing new
    let text = "";
    try { text = fs.readFileSync(file, "utf8"); } catch { return false; }
    for (const m of text.matchAll(/^#include "([^"]+)"/gm)) {
      if (m[1] === "common/mutex.h") { seen.set(file, true); return true; }
      for (const dir of [root + "src/", path.dirname(file) + "/"]) {
        const inc = dir + m[1];
        if (fs.existsSync(inc) && reaches(inc)) { seen.set(file, true); return true; }
      }
    }
    return false;
  }
  for (const e of db) {
    const rel = e.file.startsWith(root) ? e.file.slice(root.length) : e.file;
    if (!rel.startsWith("src/")) continue;
    if (prefixes.length && !prefixes.some((p) => rel.startsWith(p))) continue;
    if (!reaches(e.file)) continue;
    const args = e.command.split(/\s+/).slice(1);
    const kept = [];
    for (let i = 0; i < args.length; i++) {
      if (["-o", "-c", "-MF", "-MT"].includes(args[i])) { i++; continue; }
      if (/^-(MD|MMD|g|O\d?|W.*)$/.test(args[i])) continue;
      kept.push(args[i]);
    }
    console.log(e.directory + "\t" + kept.join(" ") + "\t" + e.file);
  }' "$db" "$@")"
count="$(printf '%s' "$commands" | grep -c . || true)"
export CLANG_FLAGS="${flags[*]}"
failed=0
if [ "$count" -gt 0 ]; then
  printf '%s\n' "$commands" | xargs -d '\n' -P "$(nproc)" -n 1 bash -c '
    IFS=$'"'"'\t'"'"' read -r dir args file <<<"$1"
    cd "$dir" && clang++ $args $CLANG_FLAGS "$file" -o /dev/null' _ || failed=1
fi
[ "$failed" = 0 ] || { echo "check_thread_safety: a locking rule is broken (above)" >&2; exit 1; }
# The analysis must be able to fail.
if clang++ -std=c++20 -Isrc "${flags[@]}" tests/thread_safety/violation.cc -o /dev/null 2>/dev/null; then
  echo "check_thread_safety: tests/thread_safety/violation.cc compiled: the analysis is off" >&2
  exit 1
fi
echo "check_thread_safety: $count files use gl::Mutex; every locking rule holds"
