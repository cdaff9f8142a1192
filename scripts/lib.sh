# SPDX-License-Identifier: GPL-2.0
# Shared helpers for kipc's scripts.  Sourced, not executed.

KIPC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KIPC_CACHE=${KIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kipc}
export KIPC_TOP KIPC_CACHE

say() { printf '%s\n' "kipc: $*" >&2; }
die() { say "error: $*"; exit 1; }

# as_root CMD...: run CMD as root (directly, or through sudo).
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run: $*"
	fi
}

# Newest linux-source-6.1 tarball and the version of its package.
kipc_source_tarball() { echo /usr/src/linux-source-6.1.tar.xz; }
kipc_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null
}

# extract_from_source DEST PATH...: unpack PATHs of linux-source-6.1 into DEST
# once per package version.
extract_from_source() {
	local dest=$1; shift
	local stamp="$dest/.version"
	local ver
	ver=$(kipc_source_version)
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver" ]; then
		return 0
	fi
	rm -rf "$dest" && mkdir -p "$dest"
	local p args=()
	for p in "$@"; do args+=("linux-source-6.1/$p"); done
	tar -xJf "$(kipc_source_tarball)" -C "$dest" --strip-components=1 \
		"${args[@]}" || die "cannot extract ${args[*]}"
	echo "$ver" >"$stamp"
}
