#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh KIMAGE INITRD MODE OUTDIR [EXTRA_CMDLINE]
#
# Boot one QEMU guest under TCG and wait for it to power off.  The console
# goes to OUTDIR/console.log, the results port (the guest's ttyS1) to
# OUTDIR/results.log.  MODE is test, demo, bench or shell (shell attaches the
# console to this terminal).  The guest is killed after KIPC_TIMEOUT seconds
# (default 2400); the exit status is QEMU's, or 124 on timeout.
#
# KVM hangs on these machines, so it is used only when KIPC_KVM=1.  Guests
# of all work trees sharing KIPC_CACHE run one at a time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

image=$1 initrd=$2 mode=$3 out=$4 extra=${5:-}
mkdir -p "$out"
: >"$out/console.log"
: >"$out/results.log"

accel=(-accel tcg,thread=multi -cpu max)
if [ "${KIPC_KVM:-0}" = 1 ]; then
	accel=(-accel kvm -cpu host)
fi

cmdline="console=ttyS0 panic=-1 oops=panic loglevel=7 kipc_guest=$mode"
[ -n "${KIPC_TESTS:-}" ] && cmdline+=" kipc_tests=$KIPC_TESTS"
# Quoted, so that several arguments reach the guest's init as one variable.
[ -n "${KIPC_BENCH_ARGS:-}" ] && cmdline+=" kipc_bench_args=\"$KIPC_BENCH_ARGS\""
cmdline+=" $extra"

if [ "$mode" = shell ]; then
	console=(-serial mon:stdio)
	limit=0
else
	console=(-serial "file:$out/console.log")
	limit=${KIPC_TIMEOUT:-2400}
fi

qemu=(qemu-system-x86_64 "${accel[@]}" -smp "${KIPC_SMP:-2}"
	-m "${KIPC_MEM:-2048}" -nodefaults -display none -vga none
	-no-reboot -kernel "$image" -initrd "$initrd" -append "$cmdline"
	"${console[@]}" -serial "file:$out/results.log")

# One guest at a time on this machine: guests are CPU-bound under TCG, and
# two at once would distort both (several work trees share the cache).
mkdir -p "$KIPC_CACHE"
exec 9>"$KIPC_CACHE/guest.lock"
flock 9

if [ "$limit" -gt 0 ]; then
	rc=0
	timeout -k 10 "$limit" "${qemu[@]}" </dev/null || rc=$?
	exit "$rc"
fi
exec "${qemu[@]}"
