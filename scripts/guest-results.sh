#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-results.sh KNAME OUTDIR QEMU_RC FIRST_NUMBER TEST...
#
# Read what a test guest reported on its results port (OUTDIR/results.log)
# and printed on its console (OUTDIR/console.log); print one TAP line per
# test case, per guest check and for the kernel log, numbered from
# FIRST_NUMBER + 1, and write the counts to OUTDIR/counts as
# g_total= g_passed= g_failed= g_skipped=.  TEST... are the selftest programs
# the guest was asked to run: one that never reported is a failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

k=$1 out=$2 qrc=$3 n=$4
shift 4
results="$out/results.log"
console="$out/console.log"
total=0 pass=0 fail=0 skip=0

emit() { # emit ok|fail|skip NAME [DIAG_FILE]
	total=$((total + 1)); n=$((n + 1))
	case "$1" in
	ok) pass=$((pass + 1)); echo "ok $n - $k: $2" ;;
	skip) skip=$((skip + 1)); echo "ok $n - $k: $2" ;;
	fail) fail=$((fail + 1)); echo "not ok $n - $k: $2"
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/#   /' "$3" ;;
	esac
}

tr -d '\r' <"$results" >"$out/results.txt" 2>/dev/null || : >"$out/results.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Split the results into one file per test program: $tmp/<prog>.out, and
# its exit status in $tmp/<prog>.rc.
awk -v dir="$tmp" '
	/^KIPC-TEST / { prog = $2; file = dir "/" prog ".out"; printf "" > file; next }
	/^KIPC-RC / { print $3 > (dir "/" $2 ".rc"); prog = ""; next }
	/^KIPC-/ { next }
	prog != "" { print >> file }
' "$out/results.txt"

grep -q '^KIPC-CHECK insmod ok' "$out/results.txt" && insmod_ok=1 || insmod_ok=0
if [ "$insmod_ok" = 1 ]; then
	emit ok "insmod kipc.ko"
else
	tail -n 30 "$console" >"$tmp/diag" 2>/dev/null
	emit fail "insmod kipc.ko" "$tmp/diag"
fi

for prog in "$@"; do
	if [ ! -f "$tmp/$prog.out" ]; then
		[ "$insmod_ok" = 1 ] && emit fail "$prog: did not run (guest died or hung)"
		continue
	fi
	# One line per test case of the kselftest harness's TAP output.
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# SKIP"*) emit skip "$prog: ${line#ok * }" ;;
		"ok "*) emit ok "$prog: ${line#ok * }" ;;
		"not ok "*)
			name=${line#not ok * }
			name=${name%% #*}
			# The case's own log: from its RUN line to its result.
			awk -v n="$name" '
				index($0, "RUN") && index($0, " " n " ") { on = 1 }
				on { print }
				on && /^not ok / { exit }
			' "$tmp/$prog.out" | tail -n 40 >"$tmp/diag"
			emit fail "$prog: $name" "$tmp/diag" ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+ ' "$tmp/$prog.out")

	rc=$(cat "$tmp/$prog.rc" 2>/dev/null || echo none)
	cases=$(grep -cE '^(not )?ok [0-9]+ ' "$tmp/$prog.out")
	failed_cases=$(grep -cE '^not ok [0-9]+ ' "$tmp/$prog.out")
	case "$rc" in
	0|4) [ "$cases" -gt 0 ] || { tail -n 30 "$tmp/$prog.out" >"$tmp/diag"
		emit fail "$prog: reported no test" "$tmp/diag"; } ;;
	1) [ "$failed_cases" -gt 0 ] || { tail -n 30 "$tmp/$prog.out" >"$tmp/diag"
		emit fail "$prog: exit status 1 without a failed test" "$tmp/diag"; } ;;
	137) tail -n 30 "$tmp/$prog.out" >"$tmp/diag"
		emit fail "$prog: timed out (killed)" "$tmp/diag" ;;
	none) tail -n 30 "$tmp/$prog.out" >"$tmp/diag"
		emit fail "$prog: did not finish (guest died or hung)" "$tmp/diag" ;;
	*) tail -n 30 "$tmp/$prog.out" >"$tmp/diag"
		emit fail "$prog: exit status $rc" "$tmp/diag" ;;
	esac
done

for check in rmmod kmemleak; do
	line=$(grep "^KIPC-CHECK $check " "$out/results.txt" | head -n 1)
	case "$line" in
	*" ok") emit ok "$check after the tests" ;;
	*" fail")
		awk -v c="$check" '$0 ~ "^KIPC-CHECK " c " fail" { on = 1; next }
			on && /^KIPC-/ { exit } on { print }' "$out/results.txt" \
			| head -n 60 >"$tmp/diag"
		emit fail "$check after the tests" "$tmp/diag" ;;
	*) [ "$check" = rmmod ] && [ "$insmod_ok" = 1 ] &&
		emit fail "rmmod after the tests: not reached" ;;
	esac
done

if grep -q '^KIPC-DONE' "$out/results.txt" && [ "$qrc" = 0 ]; then
	emit ok "guest completed and powered off"
else
	why="exit status $qrc"
	[ "$qrc" = 124 ] && why="hung: killed after ${KIPC_TIMEOUT:-2400} s"
	tail -n 40 "$console" | tr -d '\r' >"$tmp/diag"
	emit fail "guest completed and powered off ($why)" "$tmp/diag"
fi

# The debug kernel is only worth running if its checkers are live.
if [ "$k" = debug ]; then
	missing=
	for what in "kasan: KernelAddressSanitizer initialized" \
		"kmemleak: Kernel memory leak detector initialized" \
		"Lock dependency validator"; do
		grep -qF "$what" "$console" || missing+="'$what' "
	done
	if [ -z "$missing" ]; then
		emit ok "KASAN, kmemleak and lockdep are live"
	else
		echo "the console lacks: $missing" >"$tmp/diag"
		emit fail "KASAN, kmemleak and lockdep are live" "$tmp/diag"
	fi
fi

# Anything the kernel said that a healthy run never says.
bad='WARNING:|BUG:|BUG kmalloc|Oops|general protection fault|KASAN|UBSAN|'
bad+='kernel BUG|Kernel panic|possible circular locking|possible recursive locking|'
bad+='inconsistent lock state|suspicious RCU usage|lock held when returning|'
bad+='sleeping function called from invalid context|scheduling while atomic|'
bad+='unreferenced object|suspected memory leak|list_add corruption|'
bad+='list_del corruption|refcount_t:|blocked for more than|soft lockup|'
bad+='hard LOCKUP|stack-protector|Bad page|page dumped because|kipc: .*leak'
# The leaks the kmemleak baseline (scripts/guest/init) found before kipc was
# loaded are not kipc's: that one line is blanked, keeping line numbers.
tr -d '\r' <"$console" | awk '
	/kipc-guest: kmemleak baseline begins/ { base = 1 }
	/kipc-guest: kmemleak baseline ends/ { base = 0 }
	base && /kmemleak: [0-9]+ new suspected memory leaks/ {
		print "(summary of the kmemleak baseline, before kipc was loaded)"
		next
	}
	{ print }' >"$tmp/console"
if grep -nE "$bad" "$tmp/console" >"$tmp/hits"; then
	first=$(head -n 1 "$tmp/hits" | cut -d: -f1)
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 60))p" "$tmp/console" >"$tmp/diag"
	emit fail "kernel log free of warnings, BUG, KASAN, UBSAN, lockdep, kmemleak" "$tmp/diag"
else
	emit ok "kernel log free of warnings, BUG, KASAN, UBSAN, lockdep, kmemleak"
fi

printf 'g_total=%d\ng_passed=%d\ng_failed=%d\ng_skipped=%d\n' \
	"$total" "$pass" "$fail" "$skip" >"$out/counts"
