#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages kipc's build, tests, demonstration and
# benchmark need, if any is missing.  Needs root (or sudo) only when it has
# something to install.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	make gcc g++ gcc-multilib libc6-dev pkg-config perl python3 rsync cpio gzip xz-utils
	kmod bc flex bison libelf-dev libssl-dev dkms
	qemu-system-x86 busybox-static
	linux-source-6.1 linux-source-6.12 sparse
	libnl-3-dev libnl-genl-3-dev
	python3-yaml python3-jsonschema gnuplot-nox
)

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ] || ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
	say "installing: ${missing[*]:-(package lists)}"
	as_root apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed"
fi

# Headers of the Debian kernels of the matrix (resolved now: 6.12 moves
# with security updates).
headers=()
for k in 6.1 6.12; do
	img=$("$KIPC_TOP/scripts/kernel-package.sh" $k)
	[ -n "$img" ] || die "no Debian $k kernel in the archive"
	h=${img/linux-image-/linux-headers-}
	installed "$h" || headers+=("$h")
done
if [ ${#headers[@]} -gt 0 ]; then
	say "installing: ${headers[*]}"
	as_root apt-get install -y -qq --no-install-recommends "${headers[@]}" >/dev/null ||
		die "apt-get install ${headers[*]} failed"
fi
exit 0
