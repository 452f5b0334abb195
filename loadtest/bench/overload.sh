#!/usr/bin/env bash
# Overload: a gateway over one emulated pool, sent FACTOR times the pool's measured capacity for D,
# with a tier mix (5% priority, 25% default, 70% flex). Reports, per tier, what was served and what
# was refused, how fast refusals came back, priority's TTFT against its objective, and the gateway's
# peak RSS. See docs/benchmarks.md, "Overload".
#
#   loadtest/bench/overload.sh [--factor F] [--duration D] [--heap SIZE]
#
# Every process listens on 127.0.0.1 only and is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GATEWAY_JAR=$ROOT/gateway/target/spillway-gateway.jar
LOADTEST_JAR=$ROOT/loadtest/target/spillway-loadtest.jar
FACTOR=10
DURATION=60s
HEAP=512m
MODEL=llama-3.1-8b

while [[ $# -gt 0 ]]; do
  case $1 in
    --factor) FACTOR=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --help|-h) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "unknown flag: $1 (expected: --factor, --duration, --heap)" >&2; exit 2 ;;
  esac
done
for jar in "$GATEWAY_JAR" "$LOADTEST_JAR"; do
  [[ -f $jar ]] || { echo "missing $jar (expected: ./mvnw -B -ntp package -DskipTests)" >&2; exit 2; }
done
for tool in jq python3; do
  command -v $tool >/dev/null || { echo "$tool: missing (expected: on PATH)" >&2; exit 2; }
done

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/gateway.yaml" <<YAML
server: {host: 127.0.0.1, port: 0}
ledger: {enabled: false}
models:
  - name: $MODEL
    maxQueueWait: 10s
    pools:
      - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, replicas: 1}
YAML
java -Xmx"$HEAP" -jar "$GATEWAY_JAR" --config "$WORK/gateway.yaml" > "$WORK/gateway.out" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
for _ in $(seq 1 300); do
  grep -qE 'at http://[^:]+:[0-9]+/v1' "$WORK/gateway.out" && break
  sleep 0.1
done
PORT=$(grep -oE 'at http://[^:]+:[0-9]+/v1' "$WORK/gateway.out" | head -1 | sed -E 's|.*:([0-9]+)/v1|\1|')
URL=http://127.0.0.1:$PORT/v1
echo "gateway (pid $GW_PID, -Xmx$HEAP) at $URL"

LENGTHS=(--input-len 512 --output-len 64)
echo "measuring capacity: closed loop, 512 clients, 20 s"
java -jar "$LOADTEST_JAR" run --url "$URL" --model "$MODEL" --concurrency 512 --duration 20s \
    --warmup 5s "${LENGTHS[@]}" --lean --out "$WORK/capacity" > "$WORK/capacity.log" 2>&1
CAPACITY=$(jq -r '.request_throughput' "$WORK/capacity/summary.json")
RATE=$(python3 -c "print(round($CAPACITY * $FACTOR))")
echo "capacity: $CAPACITY req/s; sending $RATE req/s ($FACTOR x) for $DURATION"

: > "$WORK/rss"
( while kill -0 "$GW_PID" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$GW_PID/status" >> "$WORK/rss" 2>/dev/null || true
    sleep 1
  done ) &
PIDS+=($!)
java -Xmx2g -jar "$LOADTEST_JAR" run --url "$URL" --model "$MODEL" --rate "$RATE" --duration "$DURATION" \
    --requests 100000000 --tiers priority=0.05,default=0.25,flex=0.7 "${LENGTHS[@]}" --lean \
    --max-inflight 100000 --timeout 60s --out "$WORK/overload" > "$WORK/overload.log" 2>&1
kill -0 "$GW_PID" 2>/dev/null || { echo "the gateway died:" >&2; tail -20 "$WORK/gateway.out" >&2; exit 1; }

python3 - "$WORK/overload/requests.csv" "$(sort -n "$WORK/rss" | tail -1)" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
peak_rss_mb = int(sys.argv[2]) / 1024
def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]
objective = {"priority": 1000, "default": 3000, "flex": 60000}
print(f"{'tier':9} {'sent':>7} {'served':>7} {'refused':>8} {'other':>6} {'ttft p50':>9} {'ttft p99':>9} {'in SLO':>7} {'refusal p50':>12} {'refusal p99':>12}")
for tier in ("priority", "default", "flex"):
    mine = [r for r in rows if r["tier"] == tier]
    ok = [r for r in mine if not r["error"]]
    refused = [r for r in mine if r["error"] in ("http_503", "http_429")]
    other = len(mine) - len(ok) - len(refused)
    ttft = [float(r["ttft_ms"]) for r in ok if r["ttft_ms"]]
    within = sum(1 for t in ttft if t <= objective[tier])
    refusal = [(int(r["end_ns"]) - int(r["sent_ns"])) / 1e6 for r in refused]
    share = f"{100 * within / len(ttft):.1f}%" if ttft else "-"
    print(f"{tier:9} {len(mine):7d} {len(ok):7d} {len(refused):8d} {other:6d} {pct(ttft, 50):9.0f} {pct(ttft, 99):9.0f} {share:>7} {pct(refusal, 50):10.2f}ms {pct(refusal, 99):10.2f}ms")
print(f"gateway peak RSS: {peak_rss_mb:.0f} MiB")
PY
grep -E "OutOfMemory" "$WORK/gateway.out" && { echo "the gateway ran out of memory" >&2; exit 1; } || true
