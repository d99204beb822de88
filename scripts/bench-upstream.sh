#!/usr/bin/env bash
# Upstream benchmark: the gateway draining a backlog of journal events (100,000 by default:
# 98,000 customers' messages in 2,000 chats, each message one `message.received` and each chat
# one `chat.opened`) to a lean headquarters on loopback that verifies every signature; and, in
# the same run, a bare hyper client posting the same batch bodies, re-signed, to a fresh lean HQ.
#
# upstream-bench (tests/src/bin/upstream-bench.rs) fills the backlog while the gateway has no
# [upstream], restarts it with one, and measures at HQ the events per second from the first
# batch's arrival to the last, and the gateway's CPU time (utime + stime of /proc/<pid>/stat)
# over that span, per event. Prints a markdown section. Not part of any test command.
#
# Environment knobs:
#   MESSAGES=98000 CHATS=2000   the backlog (events = MESSAGES + CHATS)
#   MAX_BATCH_EVENTS=500        upstream.max_batch_events
#   SKIP_BUILD=1                use the existing release binaries
#   RUNNER=                     words in front of the gateway (e.g. qemu-aarch64-static) with
#   WAYGATE_BIN=                the gateway binary to run (default: the native release build)
#   CARGO_TARGET_DIR            as for cargo
set -euo pipefail

MESSAGES=${MESSAGES:-98000}
CHATS=${CHATS:-2000}
MAX_BATCH_EVENTS=${MAX_BATCH_EVENTS:-500}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
case $target_dir in /*) ;; *) target_dir=$root/$target_dir ;; esac
bin=$target_dir/release

log() { printf '%s\n' "bench: $*" >&2; }

if [[ -z ${SKIP_BUILD:-} ]]; then
    log "building release binaries"
    (cd "$root" && cargo build --release -p gateway --bin waygate -p waygate-e2e --bin upstream-bench >&2)
fi

gateway=${WAYGATE_BIN:-$bin/waygate}
log "$MESSAGES messages in $CHATS chats, max_batch_events = $MAX_BATCH_EVENTS, gateway $gateway${RUNNER:+ under $RUNNER}"
rows=$(WAYGATE_BIN=$gateway WAYGATE_RUNNER=${RUNNER:-} RUST_LOG=${RUST_LOG:-warn} \
    "$bin/upstream-bench" --messages "$MESSAGES" --chats "$CHATS" \
    --max-batch-events "$MAX_BATCH_EVENTS" --clock-ticks "$(getconf CLK_TCK)")

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "### Upstream: a backlog drained to headquarters"
echo
echo "Machine: $(uname -m), $(nproc) CPUs${cpu:+ ($cpu)}, kernel $(uname -r). Loopback; the lean HQ and the driver on the same machine.${RUNNER:+ The gateway runs under $RUNNER.}"
echo "$((MESSAGES + CHATS)) events ($MESSAGES messages in $CHATS chats), max_batch_events = $MAX_BATCH_EVENTS; rates and CPU from the first batch's arrival to the last."
echo
echo "$rows"
