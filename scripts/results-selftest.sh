#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that scripts/guest-results.sh turns every kind of guest failure into
# a failed test: a test case that fails, a test program that crashes, hangs
# or never runs, a module that does not unload, a kmemleak report, a kernel
# warning, a guest that hangs.  Feeds it made-up guest logs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

good_results() {
	cat <<'EOR'
KIPC-BEGIN 6.1.0 test
KIPC-CHECK insmod ok
KIPC-TEST a_test
TAP version 13
1..2
ok 1 f.one
ok 2 f.two # SKIP not here
KIPC-RC a_test 0
KIPC-TEST b_test
1..1
ok 1 g.three
KIPC-RC b_test 0
KIPC-CHECK rmmod ok
KIPC-CHECK kmemleak ok
KIPC-DONE
EOR
}

# scenario NAME QEMU_RC EXPECTED_FAILURES EDIT_RESULTS EDIT_CONSOLE
scenario() {
	local name=$1 qrc=$2 want=$3 er=$4 ec=$5 dir="$tmp/$1"
	mkdir -p "$dir"
	good_results | eval "$er" >"$dir/results.log"
	printf '[ 0.1] Linux version 6.1\n[ 1.0] kipc: version 0.1.0\n' |
		eval "$ec" >"$dir/console.log"
	"$KIPC_TOP/scripts/guest-results.sh" 6.1 "$dir" "$qrc" 0 a_test b_test \
		>"$dir/tap"
	# shellcheck disable=SC1091
	. "$dir/counts"
	if [ "$g_failed" != "$want" ]; then
		cat "$dir/tap" >&2
		die "scenario '$name': $g_failed failures, expected $want"
	fi
	echo "ok - $name ($g_failed failed, $g_skipped skipped)"
}

scenario clean 0 0 cat cat
scenario failed-case 0 1 "sed 's/^ok 1 f.one/not ok 1 f.one/; s/a_test 0/a_test 1/'" cat
scenario crashed-program 0 1 "sed 's/a_test 0/a_test 139/'" cat
scenario hung-program 0 1 "sed 's/a_test 0/a_test 137/'" cat
scenario silent-program 0 1 "sed '/^ok 1 g.three/d'" cat
scenario never-ran 0 1 "sed '/b_test/d; /g.three/d; /^1..1/d'" cat
scenario no-rmmod 0 1 "sed 's/rmmod ok/rmmod fail/'" cat
scenario kmemleak 0 1 "sed 's/kmemleak ok/kmemleak fail/'" cat
scenario warning 0 1 cat "sed '\$a[ 2.0] WARNING: CPU: 0 PID: 1 at module/door.c:1 f+0x1/0x2'"
scenario kasan 0 1 cat "sed '\$a[ 2.0] BUG: KASAN: use-after-free in kipc_x+0x1/0x2'"
scenario lockdep 0 1 cat "sed '\$a[ 2.0] WARNING: possible circular locking dependency detected'"
base="sed '\$a[ 1.1] kipc-guest: kmemleak baseline begins\\n[ 1.2] kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)\\n[ 1.3] kipc-guest: kmemleak baseline ends'"
scenario kmemleak-baseline 0 0 cat "$base"
scenario kmemleak-after-baseline 0 1 cat "$base | sed '\$a[ 2.0] kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'"
scenario unreferenced-in-baseline 0 1 cat "$base | sed '/leaks (see/a[ 1.2] unreferenced object 0xffff888000000000 (size 8):'"
scenario hung-guest 124 3 "sed '/b_test/,\$d'" cat
scenario no-insmod 0 2 "sed '/insmod/,\$d'" cat
