#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make sparse: the module through sparse (C=2) and W=1 against $KDIR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kdir=${KDIR:-$("$KIPC_TOP/scripts/default-kdir.sh")}
ko=$("$KIPC_TOP/scripts/build-module.sh" "$kdir" "$KIPC_TOP/build/sparse")
say "sparse and W=1 clean against $kdir ($ko)"
