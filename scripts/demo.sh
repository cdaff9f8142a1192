#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh: kipc's main job.  From a fresh Debian 12 machine: install
# what is needed, build kipc, boot a QEMU guest (Debian's 6.1 kernel, or
# KIPC_KERNEL=6.12|debug) with kipc.ko loaded and run tools/kipc-demo in it:
# kipc doing real work.  Prints what the demonstration printed and kipc's
# kernel messages; fails if the demonstration fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

k=${KIPC_KERNEL:-6.1}
out=${KIPC_OUT:-$KIPC_TOP/build/demo}
mode=${KIPC_GUEST_MODE:-demo}
# A demonstration takes a minute or two; do not wait for a hung one long.
[ "$mode" = demo ] && export KIPC_TIMEOUT=${KIPC_TIMEOUT:-600}

"$KIPC_TOP/scripts/deps.sh"
make -s -C "$KIPC_TOP" lib tools selftests >"$out.build.log" 2>&1 ||
	{ cat "$out.build.log" >&2; die "build failed"; }
rm -rf "$out"
rc=0
"$KIPC_TOP/scripts/prepare-guest.sh" "$k" "$out" || rc=$?
if [ "$rc" -ne 0 ]; then
	cat "$out"/*.log >&2
	die "cannot prepare a $k guest"
fi
# shellcheck disable=SC1091
. "$out/kernel.env"

if [ "$mode" = shell ]; then
	say "booting $k ($KRELEASE) with a shell on this terminal"
	exec "$KIPC_TOP/scripts/run-guest.sh" "$KIMAGE" "$out/initrd" shell "$out" "$KCMDLINE"
fi

say "booting $k ($KRELEASE) under QEMU (TCG); the demonstration follows"
qrc=0
"$KIPC_TOP/scripts/run-guest.sh" "$KIMAGE" "$out/initrd" "$mode" "$out" \
	"$KCMDLINE" >"$out/qemu.log" 2>&1 || qrc=$?
tr -d '\r' <"$out/results.log" >"$out/results.txt"
grep -v '^KIPC-' "$out/results.txt" || true
echo
echo "== kernel messages from kipc"
tr -d '\r' <"$out/console.log" | grep -E '\] kipc: ' || true

grep -q '^KIPC-CHECK insmod ok' "$out/results.txt" || die "kipc.ko did not load"
grep -q "^KIPC-RC kipc-$mode 0" "$out/results.txt" || die "the $mode failed"
grep -q '^KIPC-DONE' "$out/results.txt" && [ "$qrc" -eq 0 ] ||
	die "the guest did not power off cleanly (status $qrc)"
say "$mode completed in a $KRELEASE guest"
