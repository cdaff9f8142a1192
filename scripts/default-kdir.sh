#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the default kernel build tree: the running kernel's if it has one,
# else the newest installed Debian headers.
set -e
run=/lib/modules/$(uname -r)/build
if [ -e "$run/Makefile" ]; then
	echo "$run"
	exit 0
fi
best=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$best" ] && echo "$best"
