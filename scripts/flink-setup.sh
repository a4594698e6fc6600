#!/usr/bin/env bash
# Fetch and build everything the Flink side of flowbook needs, from a clean clone:
#   1. Flink's runtime jars into $FLOWBOOK_FLINK_HOME/lib (default <repo>/.cache/flink/lib),
#   2. the native Flink WordCount example jar (flink/examples-wordcount/target/).
# Idempotent and quick when nothing changed (no Maven run at all on the second call).
# Needs: Java 17 (11+), Maven, Node (npm ci done).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "flink-setup: '$1' is required but not on PATH. $2" >&2
    exit 1
  fi
}
need java "Install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless)."
need mvn "Install Maven (e.g. apt-get install maven)."
need node "Install Node 20."

MVN=(mvn -q -B)
if [ -n "${CI:-}" ]; then MVN+=(-ntp); fi

# 1. Runtime jars (a stamp with the pom's hash makes this a no-op when done).
if [ -x node_modules/.bin/tsx ]; then
  node_modules/.bin/tsx src/cli/flink_command.ts install
else
  echo "flink-setup: node_modules/.bin/tsx missing; run 'npm ci' first" >&2
  exit 1
fi

# 2. The example WordCount jar, rebuilt only if a source or the pom is newer than it.
build_jar() { # <project dir> <jar path>
  local dir="$1" jar="$2"
  if [ -f "$jar" ] && [ -z "$(find "$dir/pom.xml" "$dir/src" -newer "$jar" -print -quit)" ]; then
    echo "$jar is up to date"
    return
  fi
  echo "Building $jar …"
  "${MVN[@]}" -f "$dir/pom.xml" package -DskipTests
  test -f "$jar"
}
build_jar flink/examples-wordcount flink/examples-wordcount/target/flowbook-flink-wordcount.jar

# 3. The Java bridge (the Flink runner's Java half), with the bundled Node worker inside it.
if [ -f scripts/bundle-workers.mjs ]; then
  node scripts/bundle-workers.mjs
fi
bridge_jar=flink/bridge/target/flowbook-flink-bridge.jar
if [ -f "$bridge_jar" ] && [ -z "$(find flink/bridge/pom.xml flink/bridge/src -newer "$bridge_jar" -print -quit)" ] \
   && { [ ! -f dist/flink-worker/flowbook-worker.mjs ] || [ ! dist/flink-worker/flowbook-worker.mjs -nt "$bridge_jar" ]; }; then
  echo "$bridge_jar is up to date"
else
  echo "Building $bridge_jar …"
  "${MVN[@]}" -f flink/bridge/pom.xml package -DskipTests
  test -f "$bridge_jar"
fi
