#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make style: checkpatch.pl --no-tree -f over the kernel code and the uapi.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cp=$("$KIPC_TOP/scripts/checkpatch-dir.sh")
cd "$KIPC_TOP"
rc=0
for f in $(find module uapi -name '*.[ch]' ! -name '*.mod.c' | LC_ALL=C sort); do
	out=$(perl "$cp/checkpatch.pl" --no-tree -f -q --show-types "$f") || rc=1
	[ -z "$out" ] || printf '%s\n' "$out"
done
[ "$rc" -eq 0 ] && say "checkpatch clean"
exit "$rc"
