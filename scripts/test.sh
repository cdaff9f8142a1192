#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/test.sh: kipc's whole test suite, from a fresh Debian 12 machine.
#
# Installs what it needs, runs the host checks (build, uapi header,
# checkpatch, libkipc ABI), then for each kernel of the matrix builds kipc.ko
# (W=1 and sparse clean), boots a QEMU guest that loads it and runs the
# kselftests, and checks the guest's kernel log for any warning, BUG, KASAN,
# UBSAN, lockdep or kmemleak report.  Prints one TAP line per test and per
# kernel, and ends with "N passed, N failed[, N skipped]".  Exit status is
# nonzero on any failure.
#
# Environment:
#   KIPC_KERNELS   kernels to run (default "6.1 6.12 debug")
#   KIPC_TESTS     comma-separated selftest programs to run (default: all)
#   KIPC_OUT       where logs go (default build/test)
#   KIPC_TIMEOUT   seconds before a guest is declared hung (default 2400)
#   KIPC_KVM=1     use KVM instead of TCG (hangs on the project's machines)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernels=${KIPC_KERNELS:-"6.1 6.12 debug"}
out=${KIPC_OUT:-$KIPC_TOP/build/test}

n=0 passed=0 failed=0 skipped=0

tap_ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
tap_skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP ${2:-}"; }
# tap_fail NAME [LOGFILE]: a failure, with the end of LOGFILE as diagnostics.
tap_fail() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1"
	if [ -n "${2:-}" ] && [ -s "$2" ]; then
		tail -n "${3:-40}" "$2" | sed 's/^/#   /'
	fi
}

# host_step NAME LOG CMD...: run CMD with its output in LOG, report it.
host_step() {
	local name=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		tap_ok "$name"
		return 0
	fi
	tap_fail "$name" "$log"
	return 1
}

finish() {
	local line="$passed passed, $failed failed"
	[ "$skipped" -gt 0 ] && line+=", $skipped skipped"
	echo "1..$n"
	echo "$line"
	[ "$failed" -eq 0 ]
	exit
}

mkdir -p "$out"
rm -rf "${out:?}"/*

if ! "$KIPC_TOP/scripts/deps.sh" >"$out/deps.log" 2>&1; then
	tap_fail "host: install dependencies" "$out/deps.log"
	finish
fi
tap_ok "host: install dependencies"

cd "$KIPC_TOP"
if ! host_step "host: build libkipc, tools and selftests" "$out/build.log" \
	make lib tools selftests; then
	finish
fi
host_step "host: uapi header (C99, C++, padding, layout)" "$out/uapi.log" \
	scripts/uapi-check.sh
host_step "host: checkpatch --no-tree -f clean" "$out/style.log" \
	scripts/style.sh
host_step "host: the results parser fails every kind of guest failure" \
	"$out/results-selftest.log" scripts/results-selftest.sh
host_step "host: libkipc ABI, version script, pkg-config, install" \
	"$out/abi.log" scripts/abi-check.sh
host_step "host: dkms.conf builds kipc.ko for Debian 6.1 and 6.12" \
	"$out/dkms.log" scripts/dkms-check.sh

common="$out/initramfs-common.cpio.gz"
if ! host_step "host: guest initramfs" "$out/initramfs.log" \
	scripts/mkinitramfs.sh common "$common"; then
	finish
fi

for k in $kernels; do
	kout="$out/$k"
	mkdir -p "$kout"
	rc=0
	"$KIPC_TOP/scripts/prepare-guest.sh" "$k" "$kout" "$common" || rc=$?
	if [ "$rc" -eq 2 ]; then
		tap_fail "$k: kernel" "$kout/kernel.log"
		continue
	fi
	# shellcheck disable=SC1091
	. "$kout/kernel.env"
	tap_ok "$k: kernel $KRELEASE"
	if [ "$rc" -eq 3 ]; then
		tap_fail "$k: kipc.ko builds W=1 and sparse clean" "$kout/module.log"
		continue
	fi
	tap_ok "$k: kipc.ko builds W=1 and sparse clean"
	if [ "$rc" -ne 0 ]; then
		tap_fail "$k: initramfs" "$kout/initramfs.log"
		continue
	fi

	say "booting $k ($KRELEASE)"
	rc=0
	"$KIPC_TOP/scripts/run-guest.sh" "$KIMAGE" "$kout/initrd" test "$kout" \
		"$KCMDLINE" >"$kout/qemu.log" 2>&1 || rc=$?

	expected=$(make -s -C selftests/kipc emit_tests | sed 's/^[^:]*://')
	if [ -n "${KIPC_TESTS:-}" ]; then
		expected=$(for t in $expected; do
			case ",$KIPC_TESTS," in *",$t,"*) echo "$t" ;; esac
		done)
	fi
	"$KIPC_TOP/scripts/guest-results.sh" "$k" "$kout" "$rc" "$n" $expected
	# shellcheck disable=SC1091
	. "$kout/counts"
	n=$((n + g_total))
	passed=$((passed + g_passed))
	failed=$((failed + g_failed))
	skipped=$((skipped + g_skipped))
done

finish
