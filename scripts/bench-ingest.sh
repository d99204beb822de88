#!/usr/bin/env bash
# Webhook ingest benchmark: waygate (fresh temp store) against a bare hyper + tokio-rustls
# server that only reads the body and answers 200, on the same machine in the same run.
#
# For each target and connection count: waygate-load runs a warm-up on the same connections,
# then a measured closed-loop run of unique signed webhooks. Prints a markdown table to stdout
# (requests/s answered 200, p50/p99/p99.9/max latency, non-200 and transport errors), the
# throughput ratio, waygate's peak RSS (VmHWM) and bytes written to disk. Loopback only;
# bounded in time (each load run is killed after WARMUP + DURATION + 60 s).
#
# Environment knobs:
#   DURATION=20           measured seconds per run
#   WARMUP=5              warm-up seconds per run (same connections, not measured)
#   CONNECTIONS="64 32"   connection counts to run, in order
#   BODY_BYTES=           pad each webhook body to this size (default ~400 B text message)
#   SKIP_BUILD=1          use the existing release binaries
#   BENCH_SKIP_WAYGATE=1  bench only the bare server (smoke-testing this script)
#   CARGO_TARGET_DIR      as for cargo
set -euo pipefail

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-"64 32"}
BODY_BYTES=${BODY_BYTES:-}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
case $target_dir in /*) ;; *) target_dir=$root/$target_dir ;; esac
bin=$target_dir/release

log() { printf '%s\n' "bench: $*" >&2; }

if [[ -z ${SKIP_BUILD:-} ]]; then
    log "building release binaries"
    (cd "$root" && cargo build --release -p gateway --bin waygate \
        -p waygate-e2e --bin waygate-load --bin bare-server >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/waygate-bench.XXXXXX")
waygate_pid=""
bare_pid=""
cleanup() {
    for pid in $waygate_pid $bare_pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $waygate_pid $bare_pid; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

random_hex() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
secret=$(random_hex)
verify_token=$(random_hex)

# Polls a condition (a shell command) every 0.1 s for at most $1 seconds.
wait_for() {
    local seconds=$1
    shift
    local tries=$((seconds * 10))
    while ((tries > 0)); do
        if "$@"; then return 0; fi
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# GET /readyz on a plain-HTTP port with bash's /dev/tcp; true when the status is 200.
readyz_ok() {
    local port=$1 status
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
    IFS= read -r status <&3 || true
    exec 3<&- 3>&-
    [[ $status == "HTTP/1.1 200"* ]]
}

json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$2"; }

status_kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$2/status" 2>/dev/null; }

# run_load LABEL URL TRUST_ARGS... -> appends "label conns tsv-fields" to $work/results
run_load() {
    local label=$1 conns=$2 url=$3
    shift 3
    local extra=()
    [[ -n $BODY_BYTES ]] && extra+=(--body-bytes "$BODY_BYTES")
    log "$label: ${WARMUP}s warm-up + ${DURATION}s at $conns connections"
    local line
    line=$(WAYGATE_APP_SECRET=$secret timeout $((WARMUP + DURATION + 60)) \
        "$bin/waygate-load" --url "$url" --connections "$conns" \
        --warmup "$WARMUP" --duration "$DURATION" --tsv "$@" "${extra[@]}")
    printf '%s\t%s\t%s\n' "$label" "$conns" "$line" >>"$work/results"
}

# start_waygate N: a fresh data folder $work/data-N, waits for listeners.json and /readyz.
start_waygate() {
    local data=$work/data-$1
    mkdir -p "$data"
    WAYGATE_APP_SECRET=$secret WAYGATE_VERIFY_TOKEN=$verify_token RUST_LOG=${RUST_LOG:-warn} \
        "$bin/waygate" serve --data-dir "$data" \
        --public-listen 127.0.0.1:0 --local-listen 127.0.0.1:0 >>"$work/waygate.log" 2>&1 &
    waygate_pid=$!
    if ! wait_for 60 test -s "$data/listeners.json"; then
        log "waygate did not write listeners.json"; cat "$work/waygate.log" >&2; exit 1
    fi
    public=$(json_field public "$data/listeners.json")
    local local_addr
    local_addr=$(json_field local "$data/listeners.json")
    if ! wait_for 60 readyz_ok "${local_addr##*:}"; then
        log "waygate /readyz never answered 200"; cat "$work/waygate.log" >&2; exit 1
    fi
    waygate_cert=$data/tls/cert.pem
    log "waygate ready on a fresh store: public $public, local $local_addr, pid $waygate_pid"
}

# stop_waygate N: records peak RSS, bytes written and store size for run N, then SIGTERM.
stop_waygate() {
    local hwm written size exit_code=0
    hwm=$(status_kib VmHWM "$waygate_pid")
    written=$(awk '$1 == "write_bytes:" { print $2 }' "/proc/$waygate_pid/io" 2>/dev/null || true)
    size=$(du -sk "$work/data-$1" | awk '{ print $1 }')
    kill -TERM "$waygate_pid"
    wait "$waygate_pid" || exit_code=$?
    waygate_pid=""
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "${hwm:-}" "${written:-}" "$size" "$exit_code" >>"$work/waygate-runs"
    log "waygate exited with $exit_code after SIGTERM"
}

"$bin/bare-server" --listen 127.0.0.1:0 --addr-file "$work/bare.addr" \
    --write-cert "$work/bare.pem" >"$work/bare.log" 2>&1 &
bare_pid=$!
wait_for 30 test -s "$work/bare.addr" || { log "bare-server did not start"; exit 1; }
bare=$(cat "$work/bare.addr")
log "bare-server ready: $bare, pid $bare_pid"

: >"$work/results"
: >"$work/waygate-runs"
for conns in $CONNECTIONS; do
    if [[ -z ${BENCH_SKIP_WAYGATE:-} ]]; then
        start_waygate "$conns"
        run_load waygate "$conns" "https://$public/webhook" --ca "$waygate_cert"
        stop_waygate "$conns"
    fi
    run_load bare "$conns" "https://$bare/webhook" --ca "$work/bare.pem"
done
bare_hwm=$(status_kib VmHWM "$bare_pid")

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "### Webhook ingest: waygate vs bare hyper + rustls"
echo
echo "Machine: $(uname -m), $(nproc) CPUs${cpu:+ ($cpu)}, kernel $(uname -r). Loopback; load generator on the same machine."
echo "Each run: ${WARMUP} s warm-up then ${DURATION} s closed loop; unique signed text-message webhooks${BODY_BYTES:+ of $BODY_BYTES bytes}; waygate on a fresh store for each connection count."
echo
echo "| server | connections | requests/s (200) | p50 ms | p99 ms | p99.9 ms | max ms | non-200 | transport errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
# results columns: label conns rps ok_rps p50 p99 p999 max requests non200 errors
while IFS=$'\t' read -r label conns _rps ok_rps p50 p99 p999 max _requests non200 errors; do
    name=$label
    [[ $label == bare ]] && name="bare hyper+rustls"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$name" "$conns" "$ok_rps" "$p50" "$p99" "$p999" "$max" "$non200" "$errors"
done <"$work/results"
echo
for conns in $CONNECTIONS; do
    ratio=$(awk -F'\t' -v c="$conns" '
        $2 == c && $1 == "waygate" { w = $4 }
        $2 == c && $1 == "bare" { b = $4 }
        END { if (w != "" && b > 0) printf "%.2f", w / b }' "$work/results")
    [[ -n $ratio ]] && echo "- throughput ratio waygate / bare at $conns connections: **$ratio**"
done
while IFS=$'\t' read -r conns hwm written size exit_code; do
    line="- waygate at $conns connections: peak RSS (VmHWM) $((${hwm:-0} / 1024)) MiB (${hwm:-?} kB)"
    [[ -n $written ]] && line+=", $((written / 1024 / 1024)) MiB written to storage"
    line+=", data folder $((size / 1024)) MiB after the run, exit code $exit_code after SIGTERM"
    echo "$line"
done <"$work/waygate-runs"
[[ -n $bare_hwm ]] && echo "- bare-server peak RSS (VmHWM): $((bare_hwm / 1024)) MiB ($bare_hwm kB)"
exit 0
