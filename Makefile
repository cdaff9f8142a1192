# SPDX-License-Identifier: GPL-2.0
#
# kipc: doors and zero-copy message channels for Linux.
#
#   make                 module, libkipc, tools and selftests
#   make check           the whole test suite in QEMU guests (scripts/test.sh)
#   make demo            a guest with kipc loaded doing real work
#   make bench           kipc against its peers in a guest (scripts/bench.sh)
#   make shell           an interactive guest with kipc loaded
#   make style sparse    checkpatch and sparse over the module
#   make install         module (extra/), library, headers, pkg-config, udev
#
# KDIR selects the kernel build tree (default: the running kernel's, else the
# newest installed Debian headers).  Kbuild reads ./Kbuild, not this file.

KDIR ?= $(shell $(CURDIR)/scripts/default-kdir.sh)
PREFIX ?= /usr/local
DESTDIR ?=
export PREFIX DESTDIR

SUBDIRS := libkipc tools selftests/kipc

all: module lib tools selftests

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C libkipc

tools: lib
	$(MAKE) -C tools

selftests: lib
	$(MAKE) -C selftests/kipc

style:
	scripts/style.sh

sparse:
	KDIR=$(KDIR) scripts/sparse.sh

check:
	scripts/test.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

shell:
	scripts/shell.sh

# The release the module is built for (Debian's 6.1 headers have a
# kernel.release that differs from it).
KRELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h)

install: module lib tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KRELEASE) \
		INSTALL_MOD_DIR=extra \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),,depmod -a $(KRELEASE))
	$(MAKE) -C libkipc install
	$(MAKE) -C tools install
	install -D -m 0644 scripts/60-kipc.rules \
		$(DESTDIR)/etc/udev/rules.d/60-kipc.rules

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	for d in $(SUBDIRS); do $(MAKE) -C $$d clean; done

.PHONY: all module lib tools selftests style sparse check demo bench shell \
	install clean
