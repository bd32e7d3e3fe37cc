#!/bin/sh
# Builds the benchmarks and runs the whole table: every JMH benchmark (with -prof gc) and the
# end-to-end throughput on an in-process KRaft broker. Raw results go to benchmarks/target/results/.
#
#   benchmarks/run.sh                 the whole table (about 11 minutes on 2 cores)
#   benchmarks/run.sh KafkaHeaders    only the JMH benchmarks matching a regex, no end-to-end run
#
# Environment: JMH_OPTS replaces the default JMH options; E2E_RECORDS / E2E_ROUNDS / E2E_PASSES
# size the end-to-end run (records per topic, measured rounds after one warm-up round, reads of
# each topic per round); MVN_OPTS_EXTRA is passed to Maven (for example "-o" when offline).
# On a shared machine the whole run holds /tmp/baton-mvn.lock (the lock every build here uses).
set -eu

if [ -z "${BATON_BENCH_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
  BATON_BENCH_LOCKED=1 exec flock /tmp/baton-mvn.lock "$0" "$@"
fi

cd "$(dirname "$0")/.."
OUT=benchmarks/target/results
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 2 -w 1s -i 5 -r 1s -prof gc"}
E2E_RECORDS=${E2E_RECORDS:-100000}
E2E_ROUNDS=${E2E_ROUNDS:-5}
E2E_PASSES=${E2E_PASSES:-4}
start=$(date +%s)

mvn -B -q ${MVN_OPTS_EXTRA:-} -pl benchmarks -am package -DskipTests
mkdir -p "$OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(grep -m1 MemTotal /proc/meminfo | awk '{print $2 " kB"}')"
  echo "java: $(java -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "jmh options: $JMH_OPTS"
} > "$OUT/machine.txt"

# shellcheck disable=SC2086
java -jar benchmarks/target/benchmarks.jar $JMH_OPTS -rf json -rff "$OUT/jmh.json" "$@" \
  | tee "$OUT/jmh.txt"

if [ $# -eq 0 ]; then
  java -cp benchmarks/target/benchmarks.jar dev.baton.benchmarks.EndToEndThroughput \
    "$E2E_RECORDS" "$E2E_ROUNDS" "$OUT/end-to-end.txt" "$E2E_PASSES" 2>&1 | grep -v '^SLF4J' \
    | tee "$OUT/end-to-end.log"
fi

python3 benchmarks/table.py "$OUT/jmh.json" > "$OUT/table.md" 2>/dev/null || true
end=$(date +%s)
echo "run.sh took $((end - start)) s" | tee -a "$OUT/machine.txt"
