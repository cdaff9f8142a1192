#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl.sh: the kernel's YAML netlink tools (tools/net/ynl of the installed
# linux-source-6.12 package, unpacked into the cache, never copied into the
# repository) applied to kipc's statistics family.
#
#   ynl.sh dir     print the directory holding tools/net/ynl (cli.py,
#                  ynl-gen-c.py, lib/) and Documentation/netlink (the schemas)
#   ynl.sh check   validate Documentation/netlink/specs/kipc.yaml against the
#                  genetlink-legacy schema (ynl's own jsonschema validation),
#                  and check that uapi/linux/kipc_stats.h is what ynl-gen-c
#                  generates from it
#   ynl.sh gen     regenerate uapi/linux/kipc_stats.h from the spec
#   ynl.sh files   print the files python3 loads to run the ynl CLI on the
#                  spec with --no-schema (what the guest needs of python3:
#                  scripts/mkinitramfs.sh copies them)
#
# Debian's /usr/bin/python3 runs them, with python3-yaml and
# python3-jsonschema (scripts/deps.sh), whatever python3 comes first in PATH.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

py=/usr/bin/python3
tarball=/usr/src/linux-source-6.12.tar.xz
spec=Documentation/netlink/specs/kipc.yaml
header=uapi/linux/kipc_stats.h

ynl_dir() {
	local dir="$KIPC_CACHE/ynl" stamp ver
	[ -f "$tarball" ] || die "linux-source-6.12 is not installed (run scripts/deps.sh)"
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null)
	stamp="$dir/.version"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$ver" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir" --strip-components=1 \
			linux-source-6.12/tools/net/ynl \
			linux-source-6.12/Documentation/netlink/genetlink-legacy.yaml \
			linux-source-6.12/Documentation/netlink/genetlink-c.yaml \
			linux-source-6.12/Documentation/netlink/genetlink.yaml ||
			die "cannot extract tools/net/ynl from $tarball"
		echo "$ver" >"$stamp"
	fi
	echo "$dir"
}

# gen OUT: the uapi header ynl-gen-c makes of the spec, into OUT.
gen() {
	local dir
	dir=$(ynl_dir)
	# ynl-gen-c finds the schema beside the spec's directory: run it on a
	# copy of the spec in the unpacked tree, under the same relative path.
	# It names the spec relative to the kernel tree's root, which it finds
	# by looking for MAINTAINERS upwards (forever, if there is none).
	mkdir -p "$dir/Documentation/netlink/specs"
	touch "$dir/MAINTAINERS"
	cp "$KIPC_TOP/$spec" "$dir/$spec"
	(cd "$dir" && timeout 120 "$py" tools/net/ynl/ynl-gen-c.py --mode uapi --header \
		--spec "$spec" -o "$1") >/dev/null
}

cmd=${1:-}
case "$cmd" in
dir)
	ynl_dir
	;;
check)
	dir=$(ynl_dir)
	# SpecFamily validates the spec against the schema (jsonschema) and
	# resolves every reference in it, as the ynl CLI does before use.
	PYTHONPATH="$dir/tools/net/ynl" "$py" - "$KIPC_TOP/$spec" \
		"$dir/Documentation/netlink/genetlink-legacy.yaml" <<'EOPY'
import sys
from lib import SpecFamily
f = SpecFamily(sys.argv[1], sys.argv[2])
assert f.proto == 'genetlink-legacy', f.proto
ops = {name: sorted(op.modes) for name, op in f.ops.items()}
print('spec', f.name, 'version', f.yaml.get('version', 1), 'valid;', ops)
EOPY
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' EXIT
	gen "$tmp"
	if ! diff -u "$KIPC_TOP/$header" "$tmp"; then
		die "$header is not what ynl-gen-c makes of $spec: run scripts/ynl.sh gen"
	fi
	say "$spec validates and $header is generated from it"
	;;
files)
	dir=$(ynl_dir)
	# Run the CLI as the guest will, up to where it looks for the family
	# (which this kernel does not have), and list every module loaded.
	PYTHONPATH="$dir/tools/net/ynl" "$py" - "$dir/tools/net/ynl/cli.py" \
		"$KIPC_TOP/$spec" <<'EOPY'
import os, runpy, sys
cli, spec = sys.argv[1], sys.argv[2]
sys.argv = [cli, '--spec', spec, '--no-schema', '--output-json',
            '--do', 'stats-get']
try:
    runpy.run_path(cli, run_name='__main__')
except BaseException:
    pass
files = set()
for m in list(sys.modules.values()):
    f = getattr(m, '__file__', None)
    if f and os.path.isabs(f) and os.path.exists(f) and \
            not f.startswith(os.path.dirname(cli)):
        files.add(os.path.realpath(f))
print('\n'.join(sorted(files)))
EOPY
	;;
gen)
	gen "$KIPC_TOP/$header"
	say "regenerated $header"
	;;
*)
	die "usage: ynl.sh dir|check|gen|files"
	;;
esac
