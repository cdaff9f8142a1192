#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/bench.sh (make bench): kipc against its peers, in one guest run.
#
# Installs what it needs, builds, boots a QEMU guest (Debian's 6.1 kernel,
# or KIPC_KERNEL=6.12|debug) in bench mode, where tools/kipc-bench runs with
# --json; then writes, outside the source tree:
#
#   results.json   the guest's JSON lines (one per figure, and a meta line)
#   results.csv    the same as CSV, with each figure's ratio
#   tables.txt     the tables (printed too)
#   latency.png    round-trip latency (median) against message size
#   throughput.png one-way streaming bandwidth against message size
#   scale.png      calls per second against client threads
#   guest/         the guest's console and results port
#
# Timings under TCG are emulated: compare the ratios within one run.
#
# Environment:
#   KIPC_KERNEL       6.1 (default), 6.12 or debug
#   KIPC_BENCH_DIR    where results go (default
#                     ${XDG_CACHE_HOME:-~/.cache}/kipc/bench/<timestamp>)
#   KIPC_BENCH_ARGS   more kipc-bench arguments, e.g. "--quick" or
#                     "--bench rtt --time 2"
#   KIPC_TIMEOUT      seconds before the guest is declared hung (3600)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

k=${KIPC_KERNEL:-6.1}
# three rounds of every case take minutes under TCG, more on the debug kernel
export KIPC_TIMEOUT=${KIPC_TIMEOUT:-3600}
dir=${KIPC_BENCH_DIR:-$KIPC_CACHE/bench/$(date +%Y%m%d-%H%M%S)}
build="$KIPC_TOP/build/bench"
# The guest is disposable: let kipc-bench raise the limits that would
# otherwise make peers skip large messages (SysV msgmax, socket buffers).
args="--json --raise-limits ${KIPC_BENCH_ARGS:-}"

"$KIPC_TOP/scripts/deps.sh"
mkdir -p "$build" "$dir/guest"
make -s -C "$KIPC_TOP" lib tools selftests >"$build.log" 2>&1 ||
	{ cat "$build.log" >&2; die "build failed"; }
rc=0
"$KIPC_TOP/scripts/prepare-guest.sh" "$k" "$build" || rc=$?
if [ "$rc" -ne 0 ]; then
	cat "$build"/*.log >&2
	die "cannot prepare a $k guest"
fi
# shellcheck disable=SC1091
. "$build/kernel.env"

say "booting $k ($KRELEASE) under QEMU (TCG) to run: kipc-bench $args"
qrc=0
KIPC_BENCH_ARGS=$args "$KIPC_TOP/scripts/run-guest.sh" "$KIMAGE" \
	"$build/initrd" bench "$dir/guest" "$KCMDLINE" >"$dir/guest/qemu.log" 2>&1 ||
	qrc=$?
tr -d '\r' <"$dir/guest/results.log" >"$dir/guest/results.txt"
grep '^{' "$dir/guest/results.txt" >"$dir/results.json" || true
# anything else kipc-bench said (errors) is worth showing
grep -v -e '^{' -e '^KIPC-' "$dir/guest/results.txt" >&2 || true

bench() { LD_LIBRARY_PATH="$KIPC_TOP/libkipc" "$KIPC_TOP/tools/kipc-bench" "$@"; }
bench --render "$dir/results.json" >"$dir/tables.txt"
bench --render "$dir/results.json" --csv >"$dir/results.csv"
"$KIPC_TOP/scripts/bench-plot.sh" "$dir" || say "warning: plots failed"

cat "$dir/tables.txt"
echo
grep -q '^KIPC-CHECK insmod ok' "$dir/guest/results.txt" || die "kipc.ko did not load"
grep -q '^KIPC-DONE' "$dir/guest/results.txt" && [ "$qrc" -eq 0 ] ||
	die "the guest did not finish cleanly (status $qrc); see $dir/guest"
say "results, tables and plots are in $dir"
grep -q '^KIPC-RC kipc-bench 0' "$dir/guest/results.txt" ||
	die "kipc-bench reported failed figures (see the tables)"
