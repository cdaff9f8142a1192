#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh NAME: resolve a kernel of the test matrix, fetch what it needs
# and print shell assignments describing it:
#
#   KNAME     the matrix name (6.1, 6.12, debug)
#   KRELEASE  its uname -r
#   KIMAGE    the bootable image
#   KDIR      the build tree to build kipc.ko against
#   KMODDIR   its modules tree (lib/modules/KRELEASE), for binder_linux.ko
#   KCMDLINE  extra kernel command line options
#
# 6.1    Debian's linux-image-amd64 (its current dependency)
# 6.12   the newest linux-image-6.12.*+deb12-amd64 in the archive
# debug  linux-source-6.1 with scripts/debug-kernel.config (cached build)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: kernel.sh 6.1|6.12|debug}

# Unpack a Debian kernel image package into the cache, once.
fetch_debian_image() {
	local pkg=$1 release=$2
	local dir="$KIPC_CACHE/kernels/$release"
	if [ ! -f "$dir/.done" ]; then
		say "fetching $pkg"
		rm -rf "$dir" && mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get download "$pkg" >download.log 2>&1) ||
			{ cat "$dir/deb/download.log" >&2; die "cannot download $pkg"; }
		dpkg-deb -x "$dir"/deb/*.deb "$dir/root" || die "cannot unpack $pkg"
		rm -rf "$dir/deb"
		touch "$dir/.done"
	fi
	echo "$dir/root"
}

debian_kernel() {
	local pkg=$1 release=${1#linux-image-}
	local root
	root=$(fetch_debian_image "$pkg" "$release")
	local kdir="/usr/src/linux-headers-$release"
	[ -e "$kdir/Makefile" ] || die "headers for $release are missing (run scripts/deps.sh)"
	echo "KNAME=$name"
	echo "KRELEASE=$release"
	echo "KIMAGE=$root/boot/vmlinuz-$release"
	echo "KDIR=$kdir"
	echo "KMODDIR=$root/lib/modules/$release"
	echo "KCMDLINE=''"
}

case "$name" in
6.1)
	debian_kernel "$("$KIPC_TOP/scripts/kernel-package.sh" 6.1)"
	;;
6.12)
	debian_kernel "$("$KIPC_TOP/scripts/kernel-package.sh" 6.12)"
	;;
debug)
	out=$("$KIPC_TOP/scripts/build-debug-kernel.sh")
	echo "KNAME=debug"
	echo "KRELEASE=$(cat "$out/include/config/kernel.release")"
	echo "KIMAGE=$out/arch/x86/boot/bzImage"
	echo "KDIR=$out"
	echo "KMODDIR="
	# Any warning is fatal, as the debug kernel's whole point is to
	# catch them; kmemleak is scanned by the guest before power-off.
	echo "KCMDLINE='panic_on_warn=1 kasan.fault=panic'"
	;;
*)
	die "unknown kernel '$name' (known: 6.1 6.12 debug)"
	;;
esac
