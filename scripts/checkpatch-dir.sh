#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print a directory holding checkpatch.pl (and the files it reads) taken from
# the installed linux-source-6.1 package.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$(kipc_source_tarball)" ] || die "linux-source-6.1 is not installed (run scripts/deps.sh)"
dir="$KIPC_CACHE/checkpatch"
extract_from_source "$dir" scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch
echo "$dir/scripts"
