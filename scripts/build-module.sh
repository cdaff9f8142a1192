#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KDIR OUTDIR: build kipc.ko against KDIR in OUTDIR (a copy of
# the module sources, so that builds for several kernels do not clobber each
# other or the source tree) with W=1, then run sparse (C=2) over it.
# Fails if the compiler or sparse says anything: kipc builds warning-free.
# Prints the path of the module.  Logs: OUTDIR/build.log, OUTDIR/sparse.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1 out=$2
mkdir -p "$out"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
	--exclude='*.mod*' --exclude='.*' "$KIPC_TOP/module/" "$out/module/"
rsync -a "$KIPC_TOP/uapi/" "$out/uapi/"
cp "$KIPC_TOP/Kbuild" "$out/Kbuild"

if ! make -C "$kdir" M="$out" W=1 modules >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	die "kipc.ko does not build against $kdir"
fi
if grep -E 'warning:|error:' "$out/build.log" >&2; then
	die "kipc.ko builds with warnings against $kdir (W=1)"
fi

if ! make -C "$kdir" M="$out" C=2 modules >"$out/sparse.log" 2>&1; then
	cat "$out/sparse.log" >&2
	die "sparse run failed against $kdir"
fi
if grep -E 'warning:|error:' "$out/sparse.log" >&2; then
	die "sparse is not clean against $kdir"
fi
echo "$out/module/kipc.ko"
