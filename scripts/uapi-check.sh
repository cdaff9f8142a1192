#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The uapi header compiles on its own as C99 and as C++ with -Wall -Werror
# -pedantic, has no implicit padding (-Wpadded), and its layout matches
# uapi/kipc_layout_check.c.  With gcc-multilib installed the layout is also
# checked for 32-bit processes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KIPC_TOP"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo '#include <linux/kipc.h>' >"$tmp/only.c"
cp "$tmp/only.c" "$tmp/only.cc"
gcc -std=c99 -Wall -Wextra -Werror -pedantic -Wpadded -Iuapi -c \
	-o "$tmp/c.o" "$tmp/only.c"
g++ -std=c++11 -Wall -Wextra -Werror -pedantic -Wpadded -Iuapi -c \
	-o "$tmp/cc.o" "$tmp/only.cc"
# The statistics family's header (generated from its netlink spec).
echo '#include <linux/kipc_stats.h>' >"$tmp/stats.c"
cp "$tmp/stats.c" "$tmp/stats.cc"
gcc -std=c99 -Wall -Wextra -Werror -pedantic -Iuapi -c -o "$tmp/s.o" "$tmp/stats.c"
g++ -std=c++11 -Wall -Wextra -Werror -pedantic -Iuapi -c -o "$tmp/ss.o" "$tmp/stats.cc"
gcc -std=c11 -Wall -Wextra -Werror -pedantic -Iuapi \
	-o "$tmp/layout" uapi/kipc_layout_check.c
"$tmp/layout"
if echo 'int main(void){return 0;}' | gcc -m32 -x c -o "$tmp/m32" - 2>/dev/null; then
	gcc -m32 -std=c11 -Wall -Werror -pedantic -Iuapi \
		-o "$tmp/layout32" uapi/kipc_layout_check.c
	say "uapi layout checked for 64-bit and 32-bit"
else
	say "uapi layout checked for 64-bit (no gcc-multilib for 32-bit)"
fi
