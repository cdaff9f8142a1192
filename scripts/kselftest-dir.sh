#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print a directory holding the kselftest framework (kselftest_harness.h,
# kselftest.h, lib.mk) taken from the installed linux-source-6.1 package.
# The framework is never copied into the repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$(kipc_source_tarball)" ] || die "linux-source-6.1 is not installed (run scripts/deps.sh)"
dir="$KIPC_CACHE/kselftest"
extract_from_source "$dir" tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h tools/testing/selftests/lib.mk \
	tools/testing/selftests/kselftest
echo "$dir/tools/testing/selftests"
