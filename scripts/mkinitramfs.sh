#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs in two parts that the kernel concatenates:
#
#   mkinitramfs.sh common OUT
#       busybox, /init, libkipc, the tools, the selftests and every shared
#       library they need (the same for every kernel)
#   mkinitramfs.sh kernel OUT KIPC_KO [MODULE_KO...]
#       kipc.ko for one kernel, and other modules (binder_linux.ko) it needs
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkcpio() {
	local dir=$1 out=$2
	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --owner 0:0 --quiet) | gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
}

# Copy every shared library ELF file $1 needs to the same path under $2.
copy_libs() {
	local elf=$1 root=$2 lib
	{ LD_LIBRARY_PATH="$KIPC_TOP/libkipc" ldd "$elf" 2>/dev/null || true; } |
		sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
	while read -r lib; do
		case "$lib" in "$KIPC_TOP"/*) continue ;; esac
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
	return 0
}

common() {
	local out=$1
	local root
	root=$(mktemp -d)
	trap 'rm -rf "$root"' RETURN

	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lib/kipc}
	mkdir -p "$root"/usr/{bin,sbin,lib/kipc/selftests}
	install -m 0755 /bin/busybox "$root/bin/busybox"
	install -m 0755 "$KIPC_TOP/scripts/guest/init" "$root/init"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

	# libkipc and its tools
	cp -a "$KIPC_TOP"/libkipc/libkipc.so* "$root/usr/lib/"
	local t
	for t in $(make -s -C "$KIPC_TOP/tools" print-programs); do
		install -m 0755 "$KIPC_TOP/tools/$t" "$root/usr/bin/$t"
		copy_libs "$KIPC_TOP/tools/$t" "$root"
	done

	# the selftests, in the order the Makefile lists them
	local sdir="$KIPC_TOP/selftests/kipc"
	make -s -C "$sdir" emit_tests | sed 's/^[^:]*://' \
		>"$root/usr/lib/kipc/selftests/tests.list"
	for t in $(cat "$root/usr/lib/kipc/selftests/tests.list") \
		$(make -s -C "$sdir" print-extended); do
		install -m 0755 "$sdir/$t" "$root/usr/lib/kipc/selftests/$t"
		copy_libs "$sdir/$t" "$root"
	done
	install -m 0644 "$sdir/settings" "$sdir/config" "$root/usr/lib/kipc/selftests/"
	# glibc loads libgcc_s at run time to unwind (pthread_exit, cancel).
	local gcc_s
	gcc_s=$(gcc -print-file-name=libgcc_s.so.1)
	install -D -m 0755 "$(readlink -f "$gcc_s")" "$root/lib/x86_64-linux-gnu/libgcc_s.so.1"
	mkcpio "$root" "$out"
}

kernel() {
	local out=$1 ko=$2
	shift 2
	local root
	root=$(mktemp -d)
	trap 'rm -rf "$root"' RETURN
	mkdir -p "$root/lib/kipc"
	install -m 0644 "$ko" "$root/lib/kipc/kipc.ko"
	local m
	for m in "$@"; do
		install -m 0644 "$m" "$root/lib/kipc/$(basename "$m")"
	done
	mkcpio "$root" "$out"
}

cmd=${1:-}
shift || true
case "$cmd" in
common) common "$@" ;;
kernel) kernel "$@" ;;
*) die "usage: mkinitramfs.sh common OUT | kernel OUT KIPC_KO [MODULE_KO...]" ;;
esac
