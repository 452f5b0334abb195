#!/usr/bin/env bash
# What the usage ledger adds to a request's latency: the gateway in front of a zero-latency upstream
# (stub-upstream), with the ledger on and off in turn, at fixed open-loop rates, non-streaming and
# streaming. See docs/benchmarks.md, "Usage ledger".
#
#   loadtest/bench/ledger.sh [--rates R1,R2] [--duration D] [--rounds N] [--event-loops N]
#
# Every process listens on 127.0.0.1 only and is stopped on exit. The ledger is written to a
# temporary directory on the same file system as $TMPDIR (default /tmp).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GATEWAY_JAR=$ROOT/gateway/target/spillway-gateway.jar
LOADTEST_JAR=$ROOT/loadtest/target/spillway-loadtest.jar
RATES=200,1000
DURATION=20s
WARMUP=5s
ROUNDS=2
EVENT_LOOPS=$(nproc)
CHUNKS=16

while [[ $# -gt 0 ]]; do
  case $1 in
    --rates) RATES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --event-loops) EVENT_LOOPS=$2; shift 2 ;;
    --help|-h) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "unknown flag: $1 (expected: --rates, --duration, --warmup, --rounds, --event-loops)" >&2; exit 2 ;;
  esac
done
for jar in "$GATEWAY_JAR" "$LOADTEST_JAR"; do
  [[ -f $jar ]] || { echo "missing $jar (expected: ./mvnw -B -ntp package -DskipTests)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "jq: missing (expected: on PATH)" >&2; exit 2; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() { # file pattern
  for _ in $(seq 1 300); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1
}

java -jar "$LOADTEST_JAR" stub-upstream --chunks "$CHUNKS" --lifetime 2h > "$WORK/stub.out" 2>&1 &
PIDS+=($!)
wait_for "$WORK/stub.out" '127\.0\.0\.1:[0-9]+'
STUB_PORT=$(grep -oE '127\.0\.0\.1:[0-9]+' "$WORK/stub.out" | head -1 | cut -d: -f2)

start_gateway() { # name ledger-yaml
  cat > "$WORK/$1.yaml" <<YAML
server: {host: 127.0.0.1, port: 0, eventLoops: $EVENT_LOOPS}
ledger: $2
defaults:
  routing: round-robin
  queueCapacity: {priority: 100000, default: 100000, flex: 100000, batch: 100000}
models:
  - name: bench
    pools:
      - {kind: upstream, url: "http://127.0.0.1:$STUB_PORT/v1", model: bench, maxConcurrency: 4096}
YAML
  java -jar "$GATEWAY_JAR" --config "$WORK/$1.yaml" > "$WORK/$1.out" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/$1.out" 'models at http://127\.0\.0\.1:[0-9]+'
  grep -oE 'models at http://127\.0\.0\.1:[0-9]+' "$WORK/$1.out" | grep -oE '[0-9]+$'
}

ON_PORT=$(start_gateway on "{path: $WORK/ledger}")
OFF_PORT=$(start_gateway off "{enabled: false}")

run() { # port stream-flag rate out
  java -jar "$LOADTEST_JAR" run --lean --url "http://127.0.0.1:$1/v1" --model bench $2 \
    --rate "$3" --duration "$DURATION" --requests 100000000 --warmup "$WARMUP" \
    --input-len 64 --output-len "$CHUNKS" --out "$4" > "$4.log" 2>&1
  jq -r '[.completed, .failed, .median_ttft_ms, .p99_ttft_ms, .median_e2el_ms, .p99_e2el_ms, ."p99.9_e2el_ms"] | @tsv' "$4/summary.json"
}

# JIT warm-up of both gateways, not measured.
for port in $ON_PORT $OFF_PORT; do run "$port" --no-stream 500 "$WORK/warm-$port" > /dev/null; done

printf 'round\tledger\tmode\trate\tcompleted\tfailed\tttft_p50\tttft_p99\te2e_p50\te2e_p99\te2e_p99.9\n'
for round in $(seq 1 "$ROUNDS"); do
  for rate in ${RATES//,/ }; do
    for mode in json sse; do
      flag=$([[ $mode == json ]] && echo --no-stream || echo "")
      for ledger in off on; do
        port=$([[ $ledger == on ]] && echo "$ON_PORT" || echo "$OFF_PORT")
        printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$ledger" "$mode" "$rate" \
          "$(run "$port" "$flag" "$rate" "$WORK/r$round-$ledger-$mode-$rate")"
      done
    done
  done
done
echo "ledger: $(cat "$WORK"/ledger/*.jsonl | wc -l) records in $(ls "$WORK"/ledger | wc -l) files"
