#!/usr/bin/env bash
# Sender benchmark: waygate's sender draining a backlog at `messages_per_second` (1,000 by
# default) to the simulated Graph API on loopback, and, in the same run, a bare paced hyper
# client sending as many requests to a fresh simulated Meta at the same rate.
#
# sender-bench (tests/src/bin/sender-bench.rs) queues the backlog while the gateway has no access
# token, restarts it with the token, and measures at the simulated Meta: the arrival rate over
# the middle 90 % of arrivals and over the whole run; and the CPU time (utime + stime of
# /proc/<pid>/stat) from the first arrival to the last, per message. Prints a markdown section.
# Not part of any test command.
#
# Environment knobs:
#   MESSAGES=20000        messages per run (10 per chat)
#   RATE=1000             the business number's messages_per_second
#   STRICT_ORDER=true     the business number's strict_order
#   SKIP_BUILD=1          use the existing release binaries
#   RUNNER=               words in front of the gateway (e.g. qemu-aarch64-static) with
#   WAYGATE_BIN=          the gateway binary to run (default: the native release build)
#   CARGO_TARGET_DIR      as for cargo
set -euo pipefail

MESSAGES=${MESSAGES:-20000}
RATE=${RATE:-1000}
STRICT_ORDER=${STRICT_ORDER:-true}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
case $target_dir in /*) ;; *) target_dir=$root/$target_dir ;; esac
bin=$target_dir/release

log() { printf '%s\n' "bench: $*" >&2; }

if [[ -z ${SKIP_BUILD:-} ]]; then
    log "building release binaries"
    (cd "$root" && cargo build --release -p gateway --bin waygate -p waygate-e2e --bin sender-bench >&2)
fi

gateway=${WAYGATE_BIN:-$bin/waygate}
log "$MESSAGES messages at $RATE msg/s (strict_order = $STRICT_ORDER), gateway $gateway${RUNNER:+ under $RUNNER}"
rows=$(WAYGATE_BIN=$gateway WAYGATE_RUNNER=${RUNNER:-} RUST_LOG=${RUST_LOG:-warn} \
    "$bin/sender-bench" --messages "$MESSAGES" --rate "$RATE" --strict-order "$STRICT_ORDER" \
    --clock-ticks "$(getconf CLK_TCK)")

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "### Sender: waygate vs a bare paced hyper client"
echo
echo "Machine: $(uname -m), $(nproc) CPUs${cpu:+ ($cpu)}, kernel $(uname -r). Loopback; the simulated Graph API and the driver on the same machine.${RUNNER:+ The gateway runs under $RUNNER.}"
echo "$MESSAGES messages (10 per chat), messages_per_second = $RATE, strict_order = $STRICT_ORDER; CPU time from the first arrival at the simulated Meta to the last."
echo
echo "$rows"
