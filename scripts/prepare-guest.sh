#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-guest.sh KERNEL OUTDIR [COMMON_INITRAMFS]
#
# Everything a guest of one kernel of the matrix needs, in OUTDIR:
#   kernel.env   KNAME KRELEASE KIMAGE KDIR KMODDIR KCMDLINE (scripts/kernel.sh)
#   build/       kipc.ko built against it, W=1 and sparse clean
#   initrd       the common initramfs plus kipc.ko (and binder_linux.ko)
# The libkipc, tools and selftests must be built (make lib tools selftests).
# Exit status: 0, or 2 if the kernel cannot be had, 3 if kipc.ko does not
# build cleanly, 4 if the initramfs cannot be made; logs are in OUTDIR.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

k=$1 out=$2 common=${3:-}
mkdir -p "$out"

"$KIPC_TOP/scripts/kernel.sh" "$k" >"$out/kernel.env" 2>"$out/kernel.log" || exit 2
# shellcheck disable=SC1091
. "$out/kernel.env"

"$KIPC_TOP/scripts/build-module.sh" "$KDIR" "$out/build" \
	>"$out/module.path" 2>"$out/module.log" || exit 3

if [ -z "$common" ]; then
	common="$out/initramfs-common.cpio.gz"
	"$KIPC_TOP/scripts/mkinitramfs.sh" common "$common" \
		>"$out/initramfs.log" 2>&1 || exit 4
fi
extra=()
binder="$KMODDIR/kernel/drivers/android/binder_linux.ko"
# Debian's 6.12 ships its modules xz-compressed: give the guest a plain one.
if [ -n "$KMODDIR" ] && [ ! -f "$binder" ] && [ -f "$binder.xz" ]; then
	xz -dc "$binder.xz" >"$out/binder_linux.ko" && binder="$out/binder_linux.ko"
fi
[ -n "$KMODDIR" ] && [ -f "$binder" ] && extra+=("$binder")
"$KIPC_TOP/scripts/mkinitramfs.sh" kernel "$out/initramfs-kernel.cpio.gz" \
	"$(cat "$out/module.path")" "${extra[@]}" >>"$out/initramfs.log" 2>&1 || exit 4
cat "$common" "$out/initramfs-kernel.cpio.gz" >"$out/initrd" || exit 4
exit 0
