#!/usr/bin/env bash
# The gateway's overhead measured against a plain nginx reverse proxy in front of the same
# zero-latency upstream, on loopback. See docs/benchmarks.md, "Gateway overhead against nginx".
#
#   loadtest/bench/overhead.sh [overhead] [flags]   throughput and latency: direct, nginx, spillway
#   loadtest/bench/overhead.sh streams [flags]      SSE chunks/s, and many slow streams held open
#   loadtest/bench/overhead.sh --help
#
# Every process it starts listens on 127.0.0.1 only, every load run is bounded in time, and all of
# them are stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GATEWAY_JAR=$ROOT/gateway/target/spillway-gateway.jar
LOADTEST_JAR=$ROOT/loadtest/target/spillway-loadtest.jar

MODE=overhead
ROUNDS=3
SAT_DURATION=10s
LAT_DURATION=15s
WARMUP=5s
JIT_WARMUP=20s
RATES=1000,5000,10000
WRK_THREADS=1
WRK_CONNECTIONS=64
EVENT_LOOPS=$(nproc)
UPSTREAM_WORKERS=1
PLAIN_UPSTREAM=auto
STREAM_CHUNKS=200
SHORT_CHUNKS=16
MAX_INFLIGHT=1024
STREAMS=10000
INTERVAL_MS=100
STREAM_SECONDS=30
SLOW_BACKEND=stub
EMULATED_TOKENS=400
OUT=
INSTALL=1
LEDGER=0

usage() {
  cat <<EOF
usage: loadtest/bench/overhead.sh [overhead|streams] [flags]

overhead (default): for each round, in turn nginx then spillway:
  saturation throughput with wrk (non-streaming and streaming), and latency p50/p99/p99.9 at fixed
  open-loop rates with the load tester's lean mode, direct to the upstream as a baseline too.
streams: SSE chunks per second through each proxy, and --streams slow streams (one chunk every
  --interval-ms for --stream-seconds) held open through the gateway, sampling its RSS.

flags:
  --rounds N              rounds of alternating measurements (default $ROUNDS)
  --duration D            each wrk run, e.g. 10s (default $SAT_DURATION)
  --latency-duration D    each open-loop run, warm-up included (default $LAT_DURATION)
  --warmup D              excluded from each open-loop run's numbers (default $WARMUP)
  --jit-warmup D          load on the gateway before any measurement, per case, so the JVM's
                          compilers have done their work (default $JIT_WARMUP)
  --rates R1,R2           open-loop rates, requests/s (default $RATES)
  --wrk-threads N         wrk -t (default $WRK_THREADS)
  --connections N         wrk -c (default $WRK_CONNECTIONS)
  --event-loops N         nginx proxy workers and the gateway's server.eventLoops (default: cores, $EVENT_LOOPS)
  --upstream-workers N    nginx upstream workers (default $UPSTREAM_WORKERS)
  --plain-upstream auto|json|sse
                          what the upstream answers in the non-streaming case: a chat.completion
                          body (json), a short SSE stream of --short-chunks events (sse), or json
                          if the gateway accepts it and sse otherwise (auto, the default)
  --stream-chunks N       SSE events in a streamed answer (default $STREAM_CHUNKS)
  --short-chunks N        SSE events in the short non-streaming fallback (default $SHORT_CHUNKS)
  --max-inflight N        the load tester's bound on outstanding requests (default $MAX_INFLIGHT)
  --streams N             streams mode: slow streams held open (default $STREAMS)
  --interval-ms N         streams mode: gap between a slow stream's chunks (default $INTERVAL_MS)
  --stream-seconds N      streams mode: how long each slow stream lasts (default $STREAM_SECONDS)
  --slow-backend stub|emulated
                          streams mode: the slow streams come from the stub upstream (two
                          descriptors per stream in the gateway) or from an in-process emulated
                          pool (llama-3.3-70b on trn2.48xlarge replicas, one descriptor per
                          stream; each stream --emulated-tokens tokens at the model's pace)
  --emulated-tokens N     streams mode, emulated: tokens per stream (default $EMULATED_TOKENS)
  --out DIR               results directory (default loadtest/bench/results/MODE-DATE)
  --ledger                the gateway records usage in its ledger (a sync before each response's
                          last byte; see docs/benchmarks.md, "Usage ledger"); off by default, as
                          nginx here keeps no durable per-request record either
  --no-install            do not apt-get install missing tools
EOF
}

if [[ $# -gt 0 && $1 != --* ]]; then
  MODE=$1
  shift
fi
case $MODE in overhead|streams) ;; *) echo "unknown mode: $MODE (expected: overhead or streams)" >&2; exit 2 ;; esac
while [[ $# -gt 0 ]]; do
  flag=$1
  case $flag in
    --help|-h) usage; exit 0 ;;
    --no-install) INSTALL=0; shift; continue ;;
    --ledger) LEDGER=1; shift; continue ;;
  esac
  [[ $# -ge 2 ]] || { echo "$flag: missing value" >&2; exit 2; }
  case $flag in
    --rounds) ROUNDS=$2 ;;
    --duration) SAT_DURATION=$2 ;;
    --latency-duration) LAT_DURATION=$2 ;;
    --warmup) WARMUP=$2 ;;
    --jit-warmup) JIT_WARMUP=$2 ;;
    --rates) RATES=$2 ;;
    --wrk-threads) WRK_THREADS=$2 ;;
    --connections) WRK_CONNECTIONS=$2 ;;
    --event-loops) EVENT_LOOPS=$2 ;;
    --upstream-workers) UPSTREAM_WORKERS=$2 ;;
    --plain-upstream) PLAIN_UPSTREAM=$2 ;;
    --stream-chunks) STREAM_CHUNKS=$2 ;;
    --short-chunks) SHORT_CHUNKS=$2 ;;
    --max-inflight) MAX_INFLIGHT=$2 ;;
    --streams) STREAMS=$2 ;;
    --interval-ms) INTERVAL_MS=$2 ;;
    --stream-seconds) STREAM_SECONDS=$2 ;;
    --slow-backend) SLOW_BACKEND=$2 ;;
    --emulated-tokens) EMULATED_TOKENS=$2 ;;
    --out) OUT=$2 ;;
    *) echo "unknown flag: $flag (see --help)" >&2; exit 2 ;;
  esac
  shift 2
done
case $SLOW_BACKEND in stub|emulated) ;; *) echo "--slow-backend: $SLOW_BACKEND (expected: stub or emulated)" >&2; exit 2 ;; esac
case $PLAIN_UPSTREAM in auto|json|sse) ;; *) echo "--plain-upstream: $PLAIN_UPSTREAM (expected: auto, json or sse)" >&2; exit 2 ;; esac

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- prerequisites

install_missing() {
  local missing=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v jq >/dev/null || missing+=(jq)
  command -v java >/dev/null || die "java not found (a JDK 17 is needed to build and run Spillway)"
  [[ ${#missing[@]} -eq 0 ]] && return
  [[ $INSTALL -eq 1 ]] || die "missing: ${missing[*]} (install them, or drop --no-install)"
  local sudo=
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "missing: ${missing[*]}, and not root to apt-get install them"
    sudo=sudo
  fi
  log "installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
install_missing
export PATH=$PATH:/usr/sbin
if [[ ! -f $GATEWAY_JAR || ! -f $LOADTEST_JAR ]]; then
  log "jars missing: building with ./mvnw -q -B package -DskipTests"
  (cd "$ROOT" && ./mvnw -q -B package -DskipTests)
fi

# Many connections at once: the slow streams need two descriptors each in the gateway.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FDS=$(ulimit -n)
PER_STREAM=$([[ $SLOW_BACKEND == emulated ]] && echo 1 || echo 2)
if [[ $MODE == streams && $FDS != unlimited && $FDS -lt $((PER_STREAM * STREAMS + 1024)) ]]; then
  echo "warning: ulimit -n is $FDS; $STREAMS streams need about $((PER_STREAM * STREAMS + 1024)) descriptors in the gateway" >&2
fi

WORK=$(mktemp -d /tmp/spillway-bench.XXXXXX)
chmod 755 "$WORK" # nginx workers run as an unprivileged user when started by root
OUT=${OUT:-$ROOT/loadtest/bench/results/$MODE-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RAW=$OUT/raw.tsv
: > "$RAW"

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pidfile in "$WORK"/*/nginx.pid; do
    [[ -f $pidfile ]] && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing listens on, not handed out before by this script.
USED_PORTS=" "
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      USED_PORTS+="$port "
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

wait_http() { # URL SECONDS PID
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    [[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null && return 1
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------- the upstream (nginx, fixed answers)

chunk() { # CONTENT FINISH ROLE
  local delta="\"content\":\"$1\""
  [[ -n $3 ]] && delta="\"role\":\"assistant\",$delta"
  printf 'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,"model":"bench","choices":[{"index":0,"delta":{%s},"logprobs":null,"finish_reason":%s}]}\n\n' "$delta" "$2"
}

sse_body() { # N: one token per event, the last with finish_reason "length", then usage and [DONE]
  local n=$1 i
  for ((i = 0; i < n; i++)); do
    local finish=null
    ((i == n - 1)) && finish='"length"'
    if ((i == 0)); then chunk tok "$finish" role; else chunk " tok" "$finish" ""; fi
  done
  printf 'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,"model":"bench","choices":[],"usage":{"prompt_tokens":8,"completion_tokens":%d,"total_tokens":%d}}\n\n' "$n" $((n + 8))
  printf 'data: [DONE]\n\n'
}

json_body() {
  printf '{"id":"chatcmpl-bench","object":"chat.completion","created":0,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"tok tok tok tok tok tok tok tok tok tok tok tok tok tok tok tok"},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":8,"completion_tokens":16,"total_tokens":24}}'
}

nginx_common() { # DIR WORKERS
  cat <<EOF
worker_processes $2;
worker_rlimit_nofile $((FDS > 200000 ? 200000 : FDS));
pid $1/nginx.pid;
error_log $1/error.log warn;
daemon on;
events { worker_connections 65535; multi_accept on; }
EOF
}

nginx_http_common() { # DIR
  cat <<EOF
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $1/tmp-body;
  proxy_temp_path $1/tmp-proxy;
  fastcgi_temp_path $1/tmp-fastcgi;
  uwsgi_temp_path $1/tmp-uwsgi;
  scgi_temp_path $1/tmp-scgi;
EOF
}

start_nginx() { # DIR
  nginx -p "$1" -c "$1/nginx.conf" -e "$1/error.log" || die "nginx did not start: $(tail -3 "$1/error.log")"
  for _ in $(seq 50); do [[ -s $1/nginx.pid ]] && break; sleep 0.1; done
  PIDS+=("$(cat "$1/nginx.pid")")
}

# Three answers on three ports: a plain chat.completion, a short SSE stream (the non-streaming
# fallback) and the full SSE stream. Static files, so nginx does no work per request beyond sending
# them; a POST to a static file is a 405, which error_page turns into the file with a 200.
UPSTREAM_DIR=$WORK/upstream
start_upstream() {
  mkdir -p "$UPSTREAM_DIR"/{json,short,sse}/v1/chat
  json_body > "$UPSTREAM_DIR/json/v1/chat/completions"
  sse_body "$SHORT_CHUNKS" > "$UPSTREAM_DIR/short/v1/chat/completions"
  sse_body "$STREAM_CHUNKS" > "$UPSTREAM_DIR/sse/v1/chat/completions"
  UP_JSON=$(free_port); UP_SHORT=$(free_port); UP_SSE=$(free_port)
  {
    nginx_common "$UPSTREAM_DIR" "$UPSTREAM_WORKERS"
    echo "http {"
    nginx_http_common "$UPSTREAM_DIR"
    local kind port type
    for kind in json short sse; do
      case $kind in
        json) port=$UP_JSON; type=application/json ;;
        short) port=$UP_SHORT; type=text/event-stream ;;
        sse) port=$UP_SSE; type=text/event-stream ;;
      esac
      cat <<EOF
  server {
    listen 127.0.0.1:$port backlog=65535;
    root $UPSTREAM_DIR/$kind;
    location = /v1/chat/completions { default_type $type; error_page 405 =200 \$uri; }
    location = /v1/models { default_type application/json; return 200 '{"object":"list","data":[{"id":"bench","object":"model"}]}'; }
    location / { return 404; }
  }
EOF
    done
    echo "}"
  } > "$UPSTREAM_DIR/nginx.conf"
  start_nginx "$UPSTREAM_DIR"
  wait_http "http://127.0.0.1:$UP_SSE/v1/models" 10 || die "the upstream nginx does not answer"
  log "upstream nginx ($UPSTREAM_WORKERS workers): json :$UP_JSON, short SSE :$UP_SHORT, SSE :$UP_SSE"
}

# ---------------------------------------------------------------- the reverse proxy (nginx)

PROXY_DIR=$WORK/proxy
start_proxy() {
  mkdir -p "$PROXY_DIR"
  PX_JSON=$(free_port); PX_SHORT=$(free_port); PX_SSE=$(free_port)
  {
    nginx_common "$PROXY_DIR" "$EVENT_LOOPS"
    echo "http {"
    nginx_http_common "$PROXY_DIR"
    cat <<EOF
  upstream up_json { server 127.0.0.1:$UP_JSON; keepalive 1024; keepalive_requests 10000000; }
  upstream up_short { server 127.0.0.1:$UP_SHORT; keepalive 1024; keepalive_requests 10000000; }
  upstream up_sse { server 127.0.0.1:$UP_SSE; keepalive 1024; keepalive_requests 10000000; }
EOF
    local kind port
    for kind in json short sse; do
      case $kind in json) port=$PX_JSON ;; short) port=$PX_SHORT ;; sse) port=$PX_SSE ;; esac
      cat <<EOF
  server {
    listen 127.0.0.1:$port backlog=65535;
    location / {
      proxy_pass http://up_$kind;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
EOF
    done
    echo "}"
  } > "$PROXY_DIR/nginx.conf"
  start_nginx "$PROXY_DIR"
  wait_http "http://127.0.0.1:$PX_SSE/v1/models" 10 || die "the nginx proxy does not answer"
  log "nginx proxy ($EVENT_LOOPS workers): json :$PX_JSON, short SSE :$PX_SHORT, SSE :$PX_SSE"
}

# ---------------------------------------------------------------- the gateway

GATEWAY_DIR=$WORK/gateway
GATEWAY_EVENT_LOOPS=
gateway_config() {
  cat <<EOF
server:
  host: 127.0.0.1
  port: $GW_PORT
  eventLoops: $EVENT_LOOPS
defaults:
  routing: round-robin
  maxQueueWait: 60s
  queueCapacity: {priority: 100000, default: 100000, flex: 100000, batch: 100000}
ledger: $( [[ $LEDGER -eq 1 ]] && echo "{path: $GATEWAY_DIR/ledger}" || echo "{enabled: false}" )
models:
EOF
  local model url concurrency
  for model in "${!GATEWAY_MODELS[@]}"; do
    url=${GATEWAY_MODELS[$model]}
    concurrency=$((STREAMS > 1024 ? STREAMS + 1024 : 1024))
    cat <<EOF
  - name: $model
    pools:
      - kind: upstream
        url: $url
        model: bench
        maxConcurrency: $concurrency
        timeoutSeconds: 600
EOF
  done
  if [[ $MODE == streams && $SLOW_BACKEND == emulated ]]; then
    # An emulated replica of this deployment runs 64 sequences at once: enough replicas for all.
    cat <<EOF
  - name: bench-emulated
    pools:
      - kind: emulated
        accelerator: trn2.48xlarge
        profile: llama-3.3-70b
        replicas: $(( (STREAMS + 63) / 64 + 2 ))
EOF
  fi
}

start_gateway() {
  mkdir -p "$GATEWAY_DIR"
  GW_PORT=$(free_port)
  gateway_config > "$GATEWAY_DIR/gateway.yaml"
  # GATEWAY_JAVA_OPTS, if set, goes to the gateway's JVM (e.g. -Xmx512m for the RSS measurement).
  java ${GATEWAY_JAVA_OPTS:-} -jar "$GATEWAY_JAR" --config "$GATEWAY_DIR/gateway.yaml" --port "$GW_PORT" \
    > "$GATEWAY_DIR/gateway.log" 2>&1 &
  GW_PID=$!
  PIDS+=("$GW_PID")
  wait_http "http://127.0.0.1:$GW_PORT/ready" 60 "$GW_PID" \
    || die "the gateway did not become ready: $(tail -5 "$GATEWAY_DIR/gateway.log")"
  GATEWAY_EVENT_LOOPS=$EVENT_LOOPS
  log "gateway (pid $GW_PID, event loops: $GATEWAY_EVENT_LOOPS${GATEWAY_JAVA_OPTS:+, JVM: $GATEWAY_JAVA_OPTS}) on :$GW_PORT"
}

# A fresh JVM interprets before it compiles: without this the first round measures the compilers.
warm_up_gateway() { # "MODEL STREAM"...
  local secs
  secs=$(seconds "$JIT_WARMUP")
  [[ $secs -gt 0 ]] || return 0
  local pair
  for pair in "$@"; do
    set -- $pair
    local lua=$WORK/warm-$1.lua
    printf '%s\n' 'wrk.method = "POST"' \
      "wrk.body = '{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"Say tok.\"}],\"max_tokens\":$STREAM_CHUNKS,\"stream\":$2}'" \
      'wrk.headers["Content-Type"] = "application/json"' > "$lua"
    log "warming the gateway up: $JIT_WARMUP of $1 (stream: $2)"
    timeout $((secs + 30)) wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${secs}s" -s "$lua" \
      "http://127.0.0.1:$GW_PORT/v1/chat/completions" > "$WORK/warm-$1.txt" 2>&1 || true
  done
}

# ---------------------------------------------------------------- load

record() { echo -e "$*" >> "$RAW"; } # ROUND KIND CASE RATE TARGET METRIC VALUE

# saturation ROUND CASE TARGET URL MODEL STREAM
saturation() {
  local round=$1 case=$2 target=$3 url=$4 model=$5 stream=$6
  local lua=$WORK/post-$model-$stream.lua
  cat > "$lua" <<EOF
wrk.method = "POST"
wrk.body = '{"model":"$model","messages":[{"role":"user","content":"Say tok."}],"max_tokens":$STREAM_CHUNKS,"stream":$stream}'
wrk.headers["Content-Type"] = "application/json"
EOF
  local text
  text=$(timeout $(( $(seconds "$SAT_DURATION") + 30 )) wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$SAT_DURATION" \
    -s "$lua" "$url/chat/completions" 2>&1) || true
  echo "$text" > "$OUT/wrk-r$round-$case-$target.txt"
  local rps errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<< "$text")
  errors=$(awk '/Non-2xx or 3xx responses:/ {n += $5} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<< "$text")
  record "$round\tsat\t$case\t-\t$target\trps\t${rps:-0}"
  record "$round\tsat\t$case\t-\t$target\terrors\t$errors"
  log "round $round  saturation  $case  $target: ${rps:-?} req/s, $errors errors"
}

seconds() { # 10s, 500ms, 2m -> whole seconds, rounded up
  awk -v d="$1" 'BEGIN { n = d + 0; if (d ~ /ms$/) n = n / 1000; else if (d ~ /m$/) n = n * 60; else if (d ~ /h$/) n = n * 3600; print int(n + 0.999) }'
}

# The gateway's own overhead histogram for MODEL, cumulative: "le count" lines, then "sum S" and
# "count N".
overhead_scrape() { # MODEL
  curl -s --max-time 10 "http://127.0.0.1:$GW_PORT/metrics" | awk -v m="model=\"$1\"" '
    index($0, "spillway_gateway_overhead_seconds_bucket{") == 1 && index($0, m) {
      le = $0; sub(/.*le="/, "", le); sub(/".*/, "", le); print le, $NF }
    index($0, "spillway_gateway_overhead_seconds_sum{") == 1 && index($0, m) { print "sum", $NF }
    index($0, "spillway_gateway_overhead_seconds_count{") == 1 && index($0, m) { print "count", $NF }'
}

# From two scrapes, the run's own histogram: "mean_ms p50_le_ms p99_le_ms count" (the quantiles as
# the upper bound of the bucket they fall in, which is all a histogram knows).
overhead_delta() { # BEFORE AFTER
  awk 'NR == FNR { b[$1] = $2; next } { a[$1] = $2; if ($1 != "sum" && $1 != "count") les[++n] = $1 }
    END {
      c = a["count"] - b["count"]; if (c <= 0) { print "nan nan nan 0"; exit }
      mean = (a["sum"] - b["sum"]) / c * 1000
      p50 = "nan"; p99 = "nan"
      for (i = 1; i <= n; i++) { le = les[i]; d = a[le] - b[le]
        if (p50 == "nan" && d >= 0.5 * c) p50 = (le == "+Inf" ? "inf" : le * 1000)
        if (p99 == "nan" && d >= 0.99 * c) p99 = (le == "+Inf" ? "inf" : le * 1000) }
      printf "%.4f %s %s %d\n", mean, p50, p99, c }' "$1" "$2"
}

# latency ROUND CASE RATE TARGET URL MODEL STREAM
latency() {
  local round=$1 case=$2 rate=$3 target=$4 url=$5 model=$6 stream=$7
  local dir=$OUT/runs/r$round-$case-$rate-$target
  local flags=(run --lean --url "$url" --model "$model" --rate "$rate" --arrival constant
    --duration "$LAT_DURATION" --warmup "$WARMUP" --input-len 8 --output-len "$STREAM_CHUNKS"
    --max-inflight "$MAX_INFLIGHT" --timeout 30s --out "$dir")
  [[ $stream == false ]] && flags+=(--no-stream)
  timeout $(( $(seconds "$LAT_DURATION") + 90 )) java -jar "$LOADTEST_JAR" "${flags[@]}" \
    > "$dir.log" 2>&1 &
  local loader=$!
  if [[ $target == spillway ]]; then
    # The gateway's histogram over the same window as the load tester's numbers: from the end of its
    # warm-up (the load tester's JVM takes about a second to start sending) to the end of the run.
    sleep $(( $(seconds "$WARMUP") + 1 ))
    overhead_scrape "$model" > "$dir.overhead-before"
  fi
  wait "$loader" || true
  if [[ $target == spillway ]]; then
    overhead_scrape "$model" > "$dir.overhead-after"
    local m_mean m_p50 m_p99 m_count
    read -r m_mean m_p50 m_p99 m_count < <(overhead_delta "$dir.overhead-before" "$dir.overhead-after")
    record "$round\tlat\t$case\t$rate\tmetric\tmean\t$m_mean"
    record "$round\tlat\t$case\t$rate\tmetric\tp50\t$m_p50"
    record "$round\tlat\t$case\t$rate\tmetric\tp99\t$m_p99"
  fi
  local s=$dir/summary.json
  if [[ ! -f $s ]]; then
    log "round $round  latency  $case $rate/s  $target: no summary (see $dir.log)"
    record "$round\tlat\t$case\t$rate\t$target\tfailed\t-1"
    return
  fi
  local p50 p99 p999 failed behind
  local mean
  read -r p50 p99 p999 failed behind mean < <(jq -r '[.median_e2el_ms, .p99_e2el_ms, ."p99.9_e2el_ms", .failed,
      (if .schedule_lag.behind_schedule then 1 else 0 end), .mean_e2el_ms] | @tsv' "$s")
  record "$round\tlat\t$case\t$rate\t$target\tmean\t$mean"
  record "$round\tlat\t$case\t$rate\t$target\tp50\t$p50"
  record "$round\tlat\t$case\t$rate\t$target\tp99\t$p99"
  record "$round\tlat\t$case\t$rate\t$target\tp999\t$p999"
  record "$round\tlat\t$case\t$rate\t$target\tfailed\t$failed"
  record "$round\tlat\t$case\t$rate\t$target\tbehind\t$behind"
  log "round $round  latency  $case $rate/s  $target: p50 $p50  p99 $p99  p99.9 $p999 ms, $failed failed$([[ $behind == 1 ]] && echo ', BEHIND SCHEDULE')"
}

# Is the gateway's answer to a non-streaming request over a plain JSON upstream a 200?
choose_plain_upstream() {
  local chosen=$PLAIN_UPSTREAM
  if [[ $chosen == auto ]]; then
    local status
    status=$(curl -s -o "$WORK/probe.json" -w '%{http_code}' --max-time 10 \
      "http://127.0.0.1:$GW_PORT/v1/chat/completions" -H 'content-type: application/json' \
      -d '{"model":"bench-json","messages":[{"role":"user","content":"Say tok."}],"max_tokens":16,"stream":false}')
    if [[ $status == 200 ]]; then
      chosen=json
    else
      chosen=sse
      log "the gateway answers $status to a non-streaming request over a JSON upstream: using a $SHORT_CHUNKS-event SSE answer instead"
    fi
  fi
  if [[ $chosen == json ]]; then
    PLAIN_MODEL=bench-json; PLAIN_PROXY=$PX_JSON; PLAIN_DIRECT=$UP_JSON
    PLAIN_DESC="a chat.completion JSON body"
  else
    PLAIN_MODEL=bench-short; PLAIN_PROXY=$PX_SHORT; PLAIN_DIRECT=$UP_SHORT
    PLAIN_DESC="an SSE stream of $SHORT_CHUNKS events (the gateway asks its upstream to stream)"
  fi
}

# ---------------------------------------------------------------- tables

# Median over rounds of every (kind, case, rate, target, metric).
medians() {
  sort -t$'\t' -k2,2 -k3,3 -k4,4 -k5,5 -k6,6 -k7,7g "$RAW" | awk -F'\t' '
    { key = $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6; v[key, ++n[key]] = $7; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
    END { for (i = 1; i <= k; i++) { key = order[i]; c = n[key];
            m = (c % 2) ? v[key, (c + 1) / 2] : (v[key, c / 2] + v[key, c / 2 + 1]) / 2; print key "\t" m } }'
}

report_overhead() {
  local med=$OUT/medians.tsv
  medians > "$med"
  get() { awk -F'\t' -v a="$1" -v b="$2" -v c="$3" -v d="$4" -v e="$5" \
    '$1 == a && $2 == b && $3 == c && $4 == d && $5 == e { print $6; f = 1 } END { if (!f) print "nan" }' "$med"; }
  {
    echo "Gateway overhead against nginx: medians of $ROUNDS rounds"
    echo "  machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "  nginx proxy workers: $EVENT_LOOPS; gateway event loops: $GATEWAY_EVENT_LOOPS; upstream nginx workers: $UPSTREAM_WORKERS; gateway usage ledger: $( [[ $LEDGER -eq 1 ]] && echo on || echo off )"
    echo "  non-streaming: the upstream answers $PLAIN_DESC; streaming: $STREAM_CHUNKS SSE events"
    echo
    echo "Saturation throughput (wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$SAT_DURATION), requests/s"
    printf '  %-7s %12s %12s %12s %10s  %s\n' case direct nginx spillway "sp/nginx" "errors (direct/nginx/spillway)"
    local case
    for case in plain stream; do
      local d n s
      d=$(get sat "$case" - direct rps); n=$(get sat "$case" - nginx rps); s=$(get sat "$case" - spillway rps)
      printf '  %-7s %12.0f %12.0f %12.0f %10s  %s\n' "$case" "$d" "$n" "$s" \
        "$(awk -v a="$s" -v b="$n" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
        "$(get sat "$case" - direct errors)/$(get sat "$case" - nginx errors)/$(get sat "$case" - spillway errors)"
    done
    echo "  streaming SSE chunks/s (req/s x $STREAM_CHUNKS): nginx $(awk -v r="$(get sat stream - nginx rps)" -v c="$STREAM_CHUNKS" 'BEGIN{printf "%.0f", r*c}'), spillway $(awk -v r="$(get sat stream - spillway rps)" -v c="$STREAM_CHUNKS" 'BEGIN{printf "%.0f", r*c}')"
    echo
    echo "Latency at fixed open-loop rates (load tester --lean, constant arrivals, from each request's"
    echo "intended start to its last byte; $LAT_DURATION per run, first $WARMUP excluded), ms"
    printf '  %-7s %6s  %-9s %9s %9s %9s  %s\n' case rate target p50 p99 p99.9 notes
    local rate target
    for case in plain stream; do
      for rate in ${RATES//,/ }; do
        for target in direct nginx spillway; do
          local notes="" failed behind
          failed=$(get lat "$case" "$rate" "$target" failed); behind=$(get lat "$case" "$rate" "$target" behind)
          if [[ $failed == -1 ]]; then notes+="no result: the run did not end in time "
          elif [[ $failed != nan && $failed != 0 ]]; then notes+="failed $failed "; fi
          [[ $behind != nan && $behind != 0 ]] && notes+="behind schedule"
          printf '  %-7s %6s  %-9s %9.3f %9.3f %9.3f  %s\n' "$case" "$rate" "$target" \
            "$(get lat "$case" "$rate" "$target" p50)" "$(get lat "$case" "$rate" "$target" p99)" \
            "$(get lat "$case" "$rate" "$target" p999)" "$notes"
        done
        local p
        for pair in "nginx direct" "spillway direct" "spillway nginx"; do
          set -- $pair
          printf '  %-7s %6s  %-9s' "" "" "$1-$2" | sed 's/spillway-nginx/sp-nginx/; s/spillway-direct/sp-direct/'
          for p in p50 p99 p999; do
            printf ' %+9.3f' "$(awk -v a="$(get lat "$case" "$rate" "$1" "$p")" -v b="$(get lat "$case" "$rate" "$2" "$p")" 'BEGIN { print a - b }')"
          done
          echo
        done
      done
    done
    echo
    echo "spillway_gateway_overhead_seconds against the external measurement, ms: the metric's mean and"
    echo "the buckets its p50 and p99 fall in (upper bounds), over each run past its warm-up, beside"
    echo "spillway - direct (mean and p50)"
    printf '  %-7s %6s  %12s %12s %12s  %14s %14s\n' case rate "metric mean" "metric p50<=" "metric p99<=" "sp-direct mean" "sp-direct p50"
    for case in plain stream; do
      for rate in ${RATES//,/ }; do
        printf '  %-7s %6s  %12.3f %12s %12s  %+14.3f %+14.3f\n' "$case" "$rate" \
          "$(get lat "$case" "$rate" metric mean)" "$(get lat "$case" "$rate" metric p50)" \
          "$(get lat "$case" "$rate" metric p99)" \
          "$(awk -v a="$(get lat "$case" "$rate" spillway mean)" -v b="$(get lat "$case" "$rate" direct mean)" 'BEGIN { print a - b }')" \
          "$(awk -v a="$(get lat "$case" "$rate" spillway p50)" -v b="$(get lat "$case" "$rate" direct p50)" 'BEGIN { print a - b }')"
      done
    done
    echo
    echo "raw measurements: $RAW; per-run reports: $OUT/runs/"
  } | tee "$OUT/summary.txt"
}

# ---------------------------------------------------------------- modes

run_overhead() {
  start_upstream
  start_proxy
  declare -gA GATEWAY_MODELS=(
    [bench-json]="http://127.0.0.1:$UP_JSON/v1"
    [bench-short]="http://127.0.0.1:$UP_SHORT/v1"
    [bench-sse]="http://127.0.0.1:$UP_SSE/v1")
  STREAMS=0
  start_gateway
  choose_plain_upstream
  warm_up_gateway "$PLAIN_MODEL false" "bench-sse true"
  mkdir -p "$OUT/runs"
  local round case target
  for ((round = 1; round <= ROUNDS; round++)); do
    for case in plain stream; do
      local model stream proxy direct
      if [[ $case == plain ]]; then model=$PLAIN_MODEL; stream=false; proxy=$PLAIN_PROXY; direct=$PLAIN_DIRECT
      else model=bench-sse; stream=true; proxy=$PX_SSE; direct=$UP_SSE; fi
      saturation "$round" "$case" direct "http://127.0.0.1:$direct/v1" "$model" "$stream"
      saturation "$round" "$case" nginx "http://127.0.0.1:$proxy/v1" "$model" "$stream"
      saturation "$round" "$case" spillway "http://127.0.0.1:$GW_PORT/v1" "$model" "$stream"
    done
    for case in plain stream; do
      if [[ $case == plain ]]; then model=$PLAIN_MODEL; stream=false; proxy=$PLAIN_PROXY; direct=$PLAIN_DIRECT
      else model=bench-sse; stream=true; proxy=$PX_SSE; direct=$UP_SSE; fi
      for rate in ${RATES//,/ }; do
        latency "$round" "$case" "$rate" direct "http://127.0.0.1:$direct/v1" "$model" "$stream"
        latency "$round" "$case" "$rate" nginx "http://127.0.0.1:$proxy/v1" "$model" "$stream"
        latency "$round" "$case" "$rate" spillway "http://127.0.0.1:$GW_PORT/v1" "$model" "$stream"
      done
    done
  done
  report_overhead
}

rss_sampler() { # PID FILE: VmRSS and VmHWM in kB every 0.5 s while PID lives
  local pid=$1 file=$2
  echo -e "seconds\tvm_rss_kb\tvm_hwm_kb" > "$file"
  local start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    awk -v t=$((SECONDS - start)) '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} END {print t "\t" r "\t" h}' \
      "/proc/$pid/status" >> "$file" 2>/dev/null || break
    sleep 0.5
  done
}

run_streams() {
  start_upstream
  start_proxy
  local chunks=$(( STREAM_SECONDS * 1000 / INTERVAL_MS ))
  STUB_PORT=$(free_port)
  timeout $((STREAM_SECONDS * 4 + 600)) java -jar "$LOADTEST_JAR" stub-upstream --port "$STUB_PORT" \
    --chunks "$chunks" --interval "${INTERVAL_MS}ms" --event-loops "$EVENT_LOOPS" \
    --lifetime "$((STREAM_SECONDS * 4 + 600))s" > "$WORK/stub.log" 2>&1 &
  PIDS+=("$!")
  wait_http "http://127.0.0.1:$STUB_PORT/health" 30 "$!" || die "the stub upstream did not start: $(cat "$WORK/stub.log")"
  log "stub upstream: $chunks chunks, one every $INTERVAL_MS ms, on :$STUB_PORT"
  declare -gA GATEWAY_MODELS=(
    [bench-sse]="http://127.0.0.1:$UP_SSE/v1"
    [bench-slow]="http://127.0.0.1:$STUB_PORT/v1")
  start_gateway
  warm_up_gateway "bench-sse true"
  mkdir -p "$OUT/runs"
  local round
  for ((round = 1; round <= ROUNDS; round++)); do
    saturation "$round" stream nginx "http://127.0.0.1:$PX_SSE/v1" bench-sse true
    saturation "$round" stream spillway "http://127.0.0.1:$GW_PORT/v1" bench-sse true
  done

  # Slow streams: opened at a constant rate over a third of their length (10 s at most), so all are
  # open together for the rest of it; the gateway's RSS is sampled throughout.
  local ramp_seconds=$(( STREAM_SECONDS / 3 < 10 ? (STREAM_SECONDS / 3 > 0 ? STREAM_SECONDS / 3 : 1) : 10 ))
  local idle_rss ramp_rate=$(( (STREAMS + ramp_seconds - 1) / ramp_seconds ))
  idle_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$GW_PID/status")
  rss_sampler "$GW_PID" "$OUT/rss.tsv" &
  local sampler=$!
  PIDS+=("$sampler")
  log "opening $STREAMS slow streams through the gateway ($ramp_rate/s), each $STREAM_SECONDS s"
  local slow_model=bench-slow slow_tokens=$chunks
  if [[ $SLOW_BACKEND == emulated ]]; then
    slow_model=bench-emulated
    slow_tokens=$EMULATED_TOKENS
  fi
  timeout $((STREAM_SECONDS * 4 + 300)) java -Xmx2g -jar "$LOADTEST_JAR" run --lean \
    --url "http://127.0.0.1:$GW_PORT/v1" --model "$slow_model" --rate "$ramp_rate" --arrival constant \
    --requests "$STREAMS" --input-len 64 --output-len "$slow_tokens" --max-inflight "$STREAMS" \
    --timeout "$((STREAM_SECONDS * 4 + 200))s" --out "$OUT/runs/slow-streams" > "$OUT/runs/slow-streams.log" 2>&1 || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  local s=$OUT/runs/slow-streams/summary.json
  {
    echo "Streams through the gateway (event loops: $GATEWAY_EVENT_LOOPS)"
    echo "  machine: $(nproc) cores, $(java -version 2>&1 | head -1); ulimit -n $FDS"
    echo
    local n sp
    n=$(awk -F'\t' '$2=="sat" && $5=="nginx" && $6=="rps" {print $7}' "$RAW" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
    sp=$(awk -F'\t' '$2=="sat" && $5=="spillway" && $6=="rps" {print $7}' "$RAW" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
    echo "SSE chunks per second at saturation (wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$SAT_DURATION, $STREAM_CHUNKS events per response, median of $ROUNDS)"
    printf '  %-9s %10.0f req/s  %12.0f chunks/s\n' nginx "$n" "$(awk -v r="$n" -v c="$STREAM_CHUNKS" 'BEGIN {print r * c}')"
    printf '  %-9s %10.0f req/s  %12.0f chunks/s\n' spillway "$sp" "$(awk -v r="$sp" -v c="$STREAM_CHUNKS" 'BEGIN {print r * c}')"
    echo
    if [[ $SLOW_BACKEND == emulated ]]; then
      echo "$STREAMS slow streams ($EMULATED_TOKENS tokens of emulated llama-3.3-70b on trn2.48xlarge), opened at $ramp_rate/s"
    else
      echo "$STREAMS slow streams ($chunks chunks, one every $INTERVAL_MS ms), opened at $ramp_rate/s"
    fi
    if [[ -f $s ]]; then
      jq -r '"  completed \(.completed), failed \(.failed) \(.errors | tostring), peak concurrent \(.max_concurrent_requests)",
             "  first bytes p50 \(.median_ttft_ms) ms, p99 \(.p99_ttft_ms) ms; whole stream p50 \(.median_e2el_ms) ms, p99 \(.p99_e2el_ms) ms"' "$s"
    else
      echo "  no summary: see $OUT/runs/slow-streams.log"
    fi
    echo "  gateway RSS idle before: $((idle_rss / 1024)) MiB"
    awk -F'\t' 'NR > 1 { if ($2 > r) r = $2; if ($3 > h) h = $3 } END {
      printf "  gateway RSS peak: VmRSS %d MiB, VmHWM %d MiB (sampled every 0.5 s)\n", r / 1024, h / 1024 }' "$OUT/rss.tsv"
    echo
    echo "raw: $RAW, $OUT/rss.tsv; reports: $OUT/runs/"
  } | tee "$OUT/summary.txt"
}

log "results in $OUT"
case $MODE in
  overhead) run_overhead ;;
  streams) run_streams ;;
esac
