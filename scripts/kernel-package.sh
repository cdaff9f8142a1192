#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel-package.sh 6.1|6.12: the Debian image package of that matrix entry.
set -euo pipefail
case "${1:-}" in
6.1)
	# What linux-image-amd64 points at today.
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' |
		sort -V | tail -n 1
	;;
6.12)
	apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		sort -V | tail -n 1
	;;
*)
	echo "usage: kernel-package.sh 6.1|6.12" >&2
	exit 2
	;;
esac
