// SPDX-License-Identifier: GPL-2.0
/*
 * kipc statistics: the global per-CPU counters and their switch.
 * See stats.h for how they are kept and netlink.c for how they are read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "stats.h"

DEFINE_PER_CPU(struct kipc_stats, kipc_stats);

bool kipc_stats_enabled = true;
module_param_named(stats, kipc_stats_enabled, bool, 0644);
MODULE_PARM_DESC(stats,
		 "Count door calls, bytes, errors, handoffs and round-trip times (default Y; N measures what counting costs)");

/* The sum of every CPU's counters, into @sum. */
void kipc_stats_read(struct kipc_stats *sum)
{
	const size_t n = sizeof(*sum) / sizeof(u64);
	u64 *out = (u64 *)sum;
	int cpu;

	BUILD_BUG_ON(sizeof(*sum) % sizeof(u64));
	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const u64 *c = (const u64 *)per_cpu_ptr(&kipc_stats, cpu);
		size_t i;

		for (i = 0; i < n; i++)
			out[i] += READ_ONCE(c[i]);
	}
}
