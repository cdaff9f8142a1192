/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: kipc's statistics, read from the generic netlink family "kipc"
 * (Documentation/kipc/statistics.rst) with libnl-3.  Included by <kipc.h>.
 *
 * Functions return 0 (or a non-negative value) on success and -errno on
 * failure; they never set errno.  -ENOENT from kipc_stats_open() means the
 * family is not there (kipc.ko is not loaded).  Documented in
 * Documentation/kipc/libkipc.rst.
 */
#ifndef LIBKIPC_KIPC_STATS_H
#define LIBKIPC_KIPC_STATS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A connection to the family: two netlink sockets (requests, events). */
struct kipc_stats;

/* Kinds of failed door calls, indexes of kipc_stats_global.door_errors. */
enum kipc_stats_error {
	KIPC_STATS_EBADF,
	KIPC_STATS_EINTR,
	KIPC_STATS_ETIMEDOUT,
	KIPC_STATS_EAGAIN,
	KIPC_STATS_ELIMIT,	/* E2BIG, ENOBUFS, ENFILE, EOPNOTSUPP */
	KIPC_STATS_EMFILE,
	KIPC_STATS_EFAULT,
	KIPC_STATS_EOTHER,
	KIPC_STATS_NR_ERRORS,
};

/* The global counters (statistics.rst defines each). */
struct kipc_stats_global {
	bool enabled;
	uint64_t contexts;
	uint64_t door_created;
	uint64_t door_live;
	uint64_t door_calls;
	uint64_t door_errors[KIPC_STATS_NR_ERRORS];
	uint64_t door_errors_total;	/* the sum of door_errors */
	uint64_t door_bytes_in;
	uint64_t door_bytes_out;
	uint64_t door_handoffs;
	uint64_t door_queued;
	uint64_t door_depletions;
	uint64_t door_unrefs;
	uint64_t chan_created;
	uint64_t chan_live;
	uint64_t chan_messages;
	uint64_t chan_bytes;
	uint64_t chan_waits;
	uint64_t chan_wakeups;
	uint64_t chan_memory;
	uint64_t chan_memory_user;
	uint64_t chan_memory_limit;
	uint64_t events_dropped;
};

/* Longest door name reported, with its NUL; longer ones are cut. */
#define KIPC_STATS_NAME_MAX	256

/* A door, as the caller may see it. */
struct kipc_stats_door {
	uint64_t id;
	uint32_t pid;		/* the server, in the caller's pid namespace */
	uint32_t uid;		/* its creator's effective uid */
	uint32_t attributes;	/* KIPC_DOOR_* */
	uint32_t active;	/* invocations in progress */
	uint32_t threads;	/* server threads of its pool */
	uint32_t idle_threads;
	uint64_t calls;
	uint64_t errors;
	uint64_t bytes_in;
	uint64_t bytes_out;
	char name[KIPC_STATS_NAME_MAX];	/* "" when it has none */
};

/* Endpoints of a channel reported, at most. */
#define KIPC_STATS_MAX_ENDPOINTS	64

enum kipc_stats_role {
	KIPC_STATS_RECEIVER = 1,
	KIPC_STATS_SENDER = 2,
};

/* A channel, as the caller may see it. */
struct kipc_stats_chan {
	uint64_t id;
	uint32_t pid;
	uint32_t uid;
	uint32_t senders;
	uint32_t live_senders;
	uint32_t depth;
	bool rx_closed;
	uint64_t messages;
	uint64_t bytes;
	uint64_t rx_waits;
	uint64_t tx_waits;
	uint64_t rx_wakeups;
	uint64_t tx_wakeups;
	uint64_t empty;
	uint64_t full;
	uint64_t connects;
	uint64_t memory;
	unsigned int nr_endpoints;
	struct {
		uint32_t role;	/* enum kipc_stats_role */
		uint32_t pid;
	} endpoints[KIPC_STATS_MAX_ENDPOINTS];
};

/* Buckets of the round-trip histogram. */
#define KIPC_STATS_HIST_BUCKETS	64

/* Door call round trips: bucket i counts [2^i, 2^(i+1)) nanoseconds. */
struct kipc_stats_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t buckets[KIPC_STATS_HIST_BUCKETS];
};

/* Kinds of events: the values of enum kipc_event_type. */
enum kipc_stats_event_type {
	KIPC_STATS_EV_DOOR_CREATED = 1,
	KIPC_STATS_EV_DOOR_REVOKED,
	KIPC_STATS_EV_DOOR_UNREFERENCED,
	KIPC_STATS_EV_DOOR_SERVER_DIED,
	KIPC_STATS_EV_POOL_DEPLETED,
	KIPC_STATS_EV_CHAN_CREATED,
	KIPC_STATS_EV_CHAN_PEER_CLOSED,
};

struct kipc_stats_event {
	uint32_t type;		/* enum kipc_stats_event_type */
	uint32_t pid;		/* in the initial pid namespace */
	uint64_t door_id;	/* 0 unless a door event */
	uint64_t chan_id;	/* 0 unless a channel event */
	uint32_t attributes;	/* the door's KIPC_DOOR_* */
};

int kipc_stats_open(struct kipc_stats **stats);
void kipc_stats_close(struct kipc_stats *stats);
int kipc_stats_global(struct kipc_stats *stats, struct kipc_stats_global *g);
int kipc_stats_hist(struct kipc_stats *stats, struct kipc_stats_hist *h);
int kipc_stats_door(struct kipc_stats *stats, uint64_t id,
		    struct kipc_stats_door *door);

/*
 * Called for each object of a dump; a nonzero return stops the iteration,
 * which then returns that value.
 */
typedef int (*kipc_stats_door_fn)(const struct kipc_stats_door *door,
				  void *arg);
typedef int (*kipc_stats_chan_fn)(const struct kipc_stats_chan *chan,
				  void *arg);

int kipc_stats_doors(struct kipc_stats *stats, kipc_stats_door_fn fn,
		     void *arg);
int kipc_stats_chans(struct kipc_stats *stats, kipc_stats_chan_fn fn,
		     void *arg);

int kipc_stats_subscribe(struct kipc_stats *stats);
int kipc_stats_event_fd(struct kipc_stats *stats);
int kipc_stats_event(struct kipc_stats *stats, struct kipc_stats_event *ev,
		     int timeout_ms);
const char *kipc_stats_event_name(uint32_t type);

int kipc_stats_set_enabled(bool on);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_KIPC_STATS_H */
