#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of the test matrix from linux-source-6.1:
# tinyconfig + scripts/debug-kernel.config.  The result is cached under
# $KIPC_CACHE/debug-kernel/<source version>-<fragment hash>/ so that only the
# first run pays for the build.  Prints the build directory (usable as KDIR
# for out-of-tree modules; arch/x86/boot/bzImage is the image).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

frag="$KIPC_TOP/scripts/debug-kernel.config"
ver=$(kipc_source_version)
[ -n "$ver" ] || die "linux-source-6.1 is not installed (run scripts/deps.sh)"
hash=$(cat "$frag" "$0" | sha256sum | cut -c1-12)
out="$KIPC_CACHE/debug-kernel/$ver-$hash"

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

say "building the debug kernel (once; cached in $out)"
src="$KIPC_CACHE/debug-kernel/src-$ver"
if [ ! -f "$src/.done" ]; then
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf "$(kipc_source_tarball)" -C "$src" --strip-components=1
	touch "$src/.done"
fi

rm -rf "$out" && mkdir -p "$out"
log="$out/build.log"
{
	make -C "$src" O="$out" ARCH=x86_64 tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag"
	make -C "$src" O="$out" ARCH=x86_64 olddefconfig
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "debug kernel configuration failed"; }

# Every option the fragment asks for must have survived olddefconfig: a
# silently dropped dependency would give a debug kernel that checks nothing.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		grep -q "^$opt=" "$out/.config" && { say "$opt should be off"; missing=1; } ;;
	CONFIG_*=*) grep -qxF "$line" "$out/.config" || { say "not set: $line"; missing=1; } ;;
	esac
done <"$frag"
[ "$missing" -eq 0 ] || die "the debug kernel configuration lost options (see above)"

jobs=$(nproc)
make -C "$src" O="$out" ARCH=x86_64 -j"$jobs" bzImage modules >>"$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; die "debug kernel build failed (log: $log)"; }
make -C "$src" O="$out" ARCH=x86_64 modules_prepare >>"$log" 2>&1
touch "$out/.done"
echo "$out"
