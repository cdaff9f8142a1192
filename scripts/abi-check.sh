#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libkipc's ABI and packaging:
#  - the shared library's soname is libkipc.so.<major>;
#  - it exports exactly the functions its version script lists, and each of
#    them has a reference entry in Documentation/kipc/libkipc.rst;
#  - its public headers compile alone as C99 and C++11 with -pedantic;
#  - a program builds against the uninstalled pkg-config file, shared and
#    static, and runs;
#  - make install into a DESTDIR lays out library, headers and pkg-config
#    file so that the installed pkg-config file works too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KIPC_TOP"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib=libkipc/libkipc.so

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libkipc.so.0 ] || die "soname is '$soname'"

sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\);$/\1/p' libkipc/libkipc.map |
	LC_ALL=C sort -u >"$tmp/map"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWiD]$/ { print $3 }' |
	sed 's/@.*//' | grep -v '^KIPC_' | LC_ALL=C sort -u >"$tmp/exported"
if ! diff -u "$tmp/map" "$tmp/exported"; then
	die "exported symbols differ from libkipc/libkipc.map (- map, + exported)"
fi
# Every exported function: a heading "name()" in the reference.
missing=0
while read -r sym; do
	grep -qx "$sym()" Documentation/kipc/libkipc.rst ||
		{ say "no reference entry for $sym in Documentation/kipc/libkipc.rst"; missing=1; }
done <"$tmp/map"
[ "$missing" -eq 0 ] || die "undocumented functions"

# The public headers (with their inline functions) are clean C99 and C++11.
echo '#include <kipc.h>' >"$tmp/hdr.c"
cp "$tmp/hdr.c" "$tmp/hdr.cc"
gcc -std=c99 -Wall -Wextra -Werror -pedantic -Ilibkipc/include -Iuapi \
	-c -o "$tmp/hdr.o" "$tmp/hdr.c"
g++ -std=c++11 -Wall -Wextra -Werror -pedantic -Ilibkipc/include -Iuapi \
	-c -o "$tmp/hdrcc.o" "$tmp/hdr.cc"

cat >"$tmp/use.c" <<'EOC'
#include <errno.h>
#include <kipc.h>
int main(void)
{
	struct kipc k;

	return kipc_open_path(&k, "/nonexistent/kipc", 0) == -ENOENT ? 0 : 1;
}
EOC
export PKG_CONFIG_PATH="$KIPC_TOP/libkipc"
pc_cflags=$(pkg-config --cflags libkipc)
pc_libs=$(pkg-config --libs libkipc)
# shellcheck disable=SC2086
gcc -Wall -Wextra -Werror $pc_cflags -o "$tmp/use" "$tmp/use.c" $pc_libs
LD_LIBRARY_PATH=libkipc "$tmp/use"
# shellcheck disable=SC2086
gcc -Wall -Wextra -Werror -static $pc_cflags -o "$tmp/use-static" \
	"$tmp/use.c" $(pkg-config --libs --static libkipc | sed 's/-lkipc/-l:libkipc.a/')
"$tmp/use-static"
unset PKG_CONFIG_PATH

make -s -C libkipc install DESTDIR="$tmp/root" PREFIX=/usr/local >/dev/null
for f in lib/libkipc.so.0 lib/libkipc.so lib/libkipc.a lib/pkgconfig/libkipc.pc \
	include/kipc/kipc.h include/kipc/kipc_stats.h include/kipc/linux/kipc.h \
	include/kipc/linux/kipc_stats.h; do
	[ -e "$tmp/root/usr/local/$f" ] || die "make install did not install $f"
done
# libkipc.pc requires libnl's .pc files, from the system's own search path.
sys_pc=$(pkg-config --variable pc_path pkg-config)
PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_LIBDIR="$tmp/root/usr/local/lib/pkgconfig:$sys_pc" \
	pkg-config --cflags libkipc >"$tmp/installed.cflags"
PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_LIBDIR="$tmp/root/usr/local/lib/pkgconfig:$sys_pc" \
	pkg-config --libs libkipc >"$tmp/installed.libs"
# shellcheck disable=SC2046
gcc -Wall -Werror $(cat "$tmp/installed.cflags") -o "$tmp/use-installed" \
	"$tmp/use.c" $(cat "$tmp/installed.libs")
LD_LIBRARY_PATH="$tmp/root/usr/local/lib" "$tmp/use-installed"
# The whole of make install, into a DESTDIR, against Debian's 6.1 headers.
kdir=/usr/src/$("$KIPC_TOP/scripts/kernel-package.sh" 6.1 | sed 's/^linux-image-/linux-headers-/')
release=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
make -s install DESTDIR="$tmp/all" KDIR="$kdir" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; die "make install failed"; }
for f in "lib/modules/$release/extra/module/kipc.ko" etc/udev/rules.d/60-kipc.rules \
	usr/local/bin/kipcinfo usr/local/bin/kipcstat \
	usr/local/share/man/man8/kipcstat.8 usr/local/lib/libkipc.so.0 \
	usr/local/lib/pkgconfig/libkipc.pc usr/local/include/kipc/kipc.h; do
	[ -e "$tmp/all/$f" ] || die "make install did not install $f"
done
grep -q 'MODE="0666"' "$tmp/all/etc/udev/rules.d/60-kipc.rules" ||
	die "the udev rule does not make /dev/kipc 0666"
say "libkipc ABI, documentation and packaging check out"
