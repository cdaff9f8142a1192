/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc statistics: the global counters, kept per CPU so that the hot paths
 * (a door call, a handoff) only add to their own CPU's copy with one
 * instruction, without a lock or a shared cache line.  Readers sum the
 * copies (kipc_stats_read()).  Documentation/kipc/statistics.rst defines
 * every counter.
 *
 * The module parameter "stats" (on by default; writable at run time in
 * /sys/module/kipc/parameters/stats) turns the counting of the call path
 * off, so that its cost can be measured (kipc-bench --bench stats).  Object
 * counts (doors created and alive) and events do not depend on it.
 */
#ifndef _KIPC_STATS_H
#define _KIPC_STATS_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uidgid.h>

/* Kinds of door call errors, as the netlink family reports them. */
enum kipc_stats_err {
	KIPC_STATS_ERR_EBADF,
	KIPC_STATS_ERR_EINTR,
	KIPC_STATS_ERR_ETIMEDOUT,
	KIPC_STATS_ERR_EAGAIN,
	KIPC_STATS_ERR_LIMIT,		/* E2BIG ENOBUFS ENFILE EOPNOTSUPP */
	KIPC_STATS_ERR_EMFILE,
	KIPC_STATS_ERR_EFAULT,
	KIPC_STATS_ERR_OTHER,
	KIPC_STATS_ERR_NR,
};

/* Buckets of the round-trip histogram: bucket i holds [2^i, 2^(i+1)) ns. */
#define KIPC_STATS_HIST_BUCKETS	64

/**
 * struct kipc_stats - the global counters (one copy per CPU)
 *
 * Every member is a u64 that only grows, so that kipc_stats_read() can sum
 * the copies member by member.  Each CPU writes only its own copy, with
 * this_cpu_*() or with preemption disabled (no lock; nothing counts from
 * interrupts); readers read the copies of all CPUs without a lock: a sum
 * may miss an increment in flight, never tear (64-bit words on the 64-bit
 * kernels kipc is built for).
 */
struct kipc_stats {
	u64 door_created;
	u64 door_calls;
	u64 door_errors[KIPC_STATS_ERR_NR];
	u64 door_bytes_in;
	u64 door_bytes_out;
	u64 door_handoffs;
	u64 door_queued;
	u64 door_depletions;
	u64 door_unrefs;
	u64 chan_created;
	u64 events_dropped;
	u64 hist_sum_ns;
	u64 hist[KIPC_STATS_HIST_BUCKETS];
};

DECLARE_PER_CPU(struct kipc_stats, kipc_stats);

/* Whether the call path counts: the module parameter "stats". */
extern bool kipc_stats_enabled;

static inline bool kipc_stats_on(void)
{
	return READ_ONCE(kipc_stats_enabled);
}

/* Add to a counter of this CPU: kipc_stats_add(door_handoffs, 1). */
#define kipc_stats_add(member, n)	this_cpu_add(kipc_stats.member, (n))
#define kipc_stats_inc(member)		this_cpu_inc(kipc_stats.member)

static inline enum kipc_stats_err kipc_stats_err_of(int error)
{
	switch (error) {
	case -EBADF:
		return KIPC_STATS_ERR_EBADF;
	case -EINTR:
		return KIPC_STATS_ERR_EINTR;
	case -ETIMEDOUT:
		return KIPC_STATS_ERR_ETIMEDOUT;
	case -EAGAIN:
		return KIPC_STATS_ERR_EAGAIN;
	case -E2BIG:
	case -ENOBUFS:
	case -ENFILE:
	case -EOPNOTSUPP:
		return KIPC_STATS_ERR_LIMIT;
	case -EMFILE:
		return KIPC_STATS_ERR_EMFILE;
	case -EFAULT:
		return KIPC_STATS_ERR_EFAULT;
	default:
		return KIPC_STATS_ERR_OTHER;
	}
}

/*
 * A door call handed to its pool at @start (local_clock(); 0: unknown)
 * ended with @error, having passed @in argument bytes and @out result bytes.  Called
 * with preemption disabled (the caller is updating its door's per-CPU
 * counters too): plain additions to this CPU's copy, no per-access
 * preemption games.
 */
static inline void kipc_stats_door_call(u64 start, u64 end, int error,
					u64 in, u64 out)
{
	struct kipc_stats *s = this_cpu_ptr(&kipc_stats);
	u64 ns;

	s->door_calls++;
	if (error) {
		s->door_errors[kipc_stats_err_of(error)]++;
		return;
	}
	s->door_bytes_in += in;
	s->door_bytes_out += out;
	/* Queued while counting was off: no start time to measure from. */
	if (!start)
		return;
	/*
	 * A clock reading the caller's busy-wait made anyway, or our own.
	 * Clocks of two CPUs may disagree a little: never below zero.
	 */
	ns = (end ?: local_clock()) - start;
	if ((s64)ns < 0)
		ns = 0;
	s->hist[ns ? ilog2(ns) : 0]++;
	s->hist_sum_ns += ns;
}

void kipc_stats_read(struct kipc_stats *sum);

/* One counter summed over the CPUs: kipc_stats_sum(chan_created). */
#define kipc_stats_sum(member) ({					\
	u64 __sum = 0;							\
	int __cpu;							\
									\
	for_each_possible_cpu(__cpu)					\
		__sum += READ_ONCE(per_cpu_ptr(&kipc_stats, __cpu)->member); \
	__sum;								\
})

/* Doors alive (created and not yet freed), kept by door.c. */
unsigned long kipc_door_count_live(void);

/* The channels' part of the global counters (channel_stats.c). */
struct kipc_chan_totals {
	u64 created;
	u64 live;
	u64 messages;
	u64 bytes;
	u64 waits;
	u64 wakeups;
	u64 memory;
	u64 memory_user;	/* charged to the user @uid below */
	u64 memory_limit;
};

void kipc_chan_read_totals(struct kipc_chan_totals *t, kuid_t uid);

#endif /* _KIPC_STATS_H */
