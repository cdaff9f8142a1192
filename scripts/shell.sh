#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/shell.sh: a guest (KIPC_KERNEL=6.1|6.12|debug) with kipc.ko loaded
# and a shell on this terminal, for debugging.  Leave with Ctrl-D.
KIPC_GUEST_MODE=shell KIPC_OUT=${KIPC_OUT:-$(cd "$(dirname "$0")/.." && pwd)/build/shell} \
	exec "$(dirname "$0")/demo.sh"
