#!/usr/bin/env bash
# Builds a static aarch64-unknown-linux-musl release binary of waygate without Docker:
# rustup's musl target (which ships musl's libc and start files) plus Debian's aarch64 cross gcc
# (used to compile ring's C/assembly and to drive the link).
#
#   scripts/cross-build.sh            # -> target/aarch64-unknown-linux-musl/release/waygate
#   TARGET=... PROFILE=... scripts/cross-build.sh
#
# Installs what it needs when run as root (CI): the rustup target and gcc-aarch64-linux-gnu.
set -euo pipefail

TARGET="${TARGET:-aarch64-unknown-linux-musl}"
PROFILE="${PROFILE:-release}"
CROSS_CC="${CROSS_CC:-aarch64-linux-gnu-gcc}"
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx "$TARGET"; then
  rustup target add "$TARGET"
fi
if ! command -v "$CROSS_CC" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-aarch64-linux-gnu file >/dev/null
  else
    echo "cross-build: $CROSS_CC not found; install gcc-aarch64-linux-gnu (Debian/Ubuntu)" >&2
    exit 1
  fi
fi

target_env=$(echo "$TARGET" | tr 'a-z-' 'A-Z_')
export "CARGO_TARGET_${target_env}_LINKER=$CROSS_CC"
export "CC_$(echo "$TARGET" | tr '-' '_')=$CROSS_CC"

cargo build --locked --profile "$PROFILE" --target "$TARGET" -p gateway --bin waygate

out="target/$TARGET/$PROFILE/waygate"
description=$(file -b "$out")
echo "$out: $description"
case "$description" in
  *"statically linked"*) ;;
  *) echo "cross-build: $out is not statically linked" >&2; exit 1 ;;
esac
ls -l "$out"
