#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms.conf builds kipc.ko for every kernel of the matrix with installed
# headers, in a private DKMS tree (the system's is not touched).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$KIPC_TOP/dkms.conf")
src="$tmp/src/kipc-$ver"
mkdir -p "$src" "$tmp/tree"
(cd "$KIPC_TOP" && git ls-files -co --exclude-standard Kbuild dkms.conf module uapi |
	rsync -a --files-from=- . "$src/")
dkms=(dkms --dkmstree "$tmp/tree" --sourcetree "$tmp/src")
"${dkms[@]}" add -m kipc -v "$ver" >/dev/null
for k in 6.1 6.12; do
	release=$("$KIPC_TOP/scripts/kernel-package.sh" $k)
	release=${release#linux-image-}
	"${dkms[@]}" build -m kipc -v "$ver" -k "$release" >"$tmp/build.log" 2>&1 ||
		{ cat "$tmp/build.log" "$tmp"/tree/kipc/"$ver"/build/make.log 2>/dev/null; die "dkms build for $release failed"; }
	ls "$tmp/tree/kipc/$ver/$release/x86_64/module/"kipc.ko* >/dev/null ||
		die "dkms built no kipc.ko for $release"
	say "dkms builds kipc $ver for $release"
done
