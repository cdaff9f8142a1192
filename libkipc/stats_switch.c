// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: the switch of kipc's call-path counters, the module parameter
 * "stats".  Apart from the netlink code (stats.c), so that a program
 * linked statically that only flips the switch does not need libnl.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "kipc_stats.h"

#define KIPC_STATS_PARAM	"/sys/module/kipc/parameters/stats"

int kipc_stats_set_enabled(bool on)
{
	int fd, ret = 0;

	fd = open(KIPC_STATS_PARAM, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, on ? "Y\n" : "N\n", 2) != 2)
		ret = -errno;
	close(fd);
	return ret;
}
