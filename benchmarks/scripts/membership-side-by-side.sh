#!/usr/bin/env bash
# Swimlog's half of the side-by-side with ScaleCube (../shared/bench/swim/run.sh): the same measurements of
# 'swimlog membership run' JVMs, one per member on 127.0.0.1 in a network namespace of their own, for each size.
#
#   benchmarks/scripts/membership-side-by-side.sh            # N = 5 10 20 (about 5 minutes per size)
#   SIZES="5" benchmarks/scripts/membership-side-by-side.sh  # one size
#   ARGS="--transport udp" benchmarks/scripts/membership-side-by-side.sh  # members over plain UDP
#
# Needs root (ip netns) and a build: mvn -B -Dswimlog.target=target-faults -pl tools -am package -DskipTests
# Each size runs under 'flock /tmp/bench.lock', as the anchors do, so no other timing run overlaps it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${SIZES:=5 10 20}"
: "${TARGET:=target-faults}"
: "${LOCK:=/tmp/bench.lock}"
: "${ARGS:=}"
JAR="$ROOT/tools/$TARGET/swimlog.jar"
CLASSES="$ROOT/tools/$TARGET/test-classes"
if [ ! -f "$JAR" ] || [ ! -f "$CLASSES/io/swimlog/tools/netfault/SideBySideBenchmark.class" ]; then
  echo "build first: mvn -B -Dswimlog.target=$TARGET -pl tools -am package -DskipTests" >&2
  exit 1
fi
# A private copy, so that a rebuild during the run cannot change what runs.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$JAR" "$WORK/swimlog.jar"
cp -r "$CLASSES" "$WORK/test-classes"
for N in $SIZES; do
  flock -w 3600 "$LOCK" java -Xmx256m --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
    -Dswimlog.jar="$WORK/swimlog.jar" -Dswimlog.sidebyside.args="$ARGS" \
    -cp "$WORK/swimlog.jar:$WORK/test-classes" io.swimlog.tools.netfault.SideBySideBenchmark "$N"
done
