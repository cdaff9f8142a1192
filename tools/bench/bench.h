/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-bench: the plug-in interface between the benchmark driver and the
 * mechanisms it measures.
 *
 * A mechanism lives in one source file and exports one (or a few closely
 * related) `struct mech`; registry.c lists them.  The driver (run.c) owns
 * processes, threads, timing, calibration and the accounting that proves
 * the data was really moved; a mechanism only moves and checks bytes.
 *
 * Two kinds of case:
 *
 *  call    a round trip: a client sends an argument of `size` bytes and
 *          waits for a result of `size` bytes.  Used by the latency bench
 *          (one client thread, every call timed) and the scaling bench
 *          (N client threads against N server threads, calls/s).
 *  stream  one way: a sender sends `count` messages of `size` bytes; the
 *          receiver reads and checks every byte of each.
 *
 * The server (or receiver) is a child process made with fork(); the client
 * (or sender) is the parent.  Nothing is pinned: the scheduler places the
 * two processes as it would for a user, and both benefit equally.
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_THREADS	8
#define MAX_SIZE	(1u << 20)

enum bench_kind {
	BENCH_RTT,	/* round-trip latency, one client */
	BENCH_STREAM,	/* one-way throughput */
	BENCH_SCALE,	/* calls/s with 1..8 client threads */
	BENCH_STATS,	/* null door call, statistics off and on */
	NR_BENCH,
};

#define CAN(b)	(1u << (b))

/*
 * Shared between the two processes (MAP_SHARED|MAP_ANONYMOUS, made before
 * fork).  The server side accounts for every call or message it checked, so
 * the driver can prove after the run that every byte was received and
 * checked on both sides.  One cache line per server thread: accounting must
 * not add cache-line bouncing to the figure it proves.
 */
struct acct {
	_Alignas(64) uint64_t calls;	/* calls served / messages received */
	uint64_t bytes;			/* payload bytes read and checked */
	uint64_t errors;		/* payload or sequence mismatches */
};

struct shared {
	struct acct srv[MAX_THREADS];
	_Alignas(64) atomic_uint next_slot;	/* hands out srv[] slots */
	_Alignas(64) uint64_t t_end;		/* stream: receiver done, ns */
	char error[256];			/* first error, for the report */
};

struct mech;

/* The state of one call case (latency, scaling, statistics). */
struct call_ctx {
	const struct mech *m;
	enum bench_kind bench;	/* which bench this case is for */
	size_t size;		/* argument and result bytes; 0: null call */
	int threads;		/* client threads == server threads */
	struct shared *sh;
	int ctl;		/* the other side of a socketpair, for fd passing */
	void *priv;		/* the mechanism's */
};

/* The state of one stream case. */
struct stream_ctx {
	const struct mech *m;
	size_t size;		/* bytes per message */
	uint64_t count;		/* messages to send */
	unsigned int batch;	/* messages per batch, for batched forms */
	struct shared *sh;
	int ctl;
	void *priv;
};

/*
 * A mechanism.  Every callback returns 0 or a negative errno; a mechanism
 * that fails records why with bench_error().  Callbacks a mechanism does not
 * need may be NULL.
 */
struct mech {
	const char *name;	/* the `impl` column */
	const char *what;	/* one line for --list */
	unsigned int benches;	/* CAN(BENCH_...) */
	bool is_kipc;		/* the reference the ratios are taken to */

	/* NULL if usable here, else why not (a skipped row's reason). */
	const char *(*probe)(void);
	/* NULL if @size can be used, else why not. */
	const char *(*size_ok)(size_t size, enum bench_kind b);

	/* call: before fork */
	int (*call_setup)(struct call_ctx *c);
	/* call, server process: after fork, before the server threads */
	int (*server_start)(struct call_ctx *c);
	/*
	 * call, server thread @idx: serve calls until stopped.  May never
	 * return when the mechanism has no stop (the process exits instead).
	 */
	int (*serve)(struct call_ctx *c, int idx);
	/* call, client process: after the server reported ready */
	int (*client_start)(struct call_ctx *c);
	/* call, client thread @idx: one round trip numbered @seq, checked */
	int (*call)(struct call_ctx *c, int idx, uint64_t seq);
	/*
	 * call, client: make every serve() return.  NULL when serve() never
	 * returns: the server process then exits without joining.
	 */
	int (*call_stop)(struct call_ctx *c);
	/* call: in both processes at the end (@server tells which) */
	void (*call_teardown)(struct call_ctx *c, bool server);
	/* stats, client: switch kipc's statistics off or on; 0 or -errno */
	int (*stats_switch)(struct call_ctx *c, bool on);

	/* stream: before fork; then receiver (child) and sender (parent) */
	int (*stream_setup)(struct stream_ctx *s);
	int (*stream_recv)(struct stream_ctx *s);
	int (*stream_send)(struct stream_ctx *s);
	void (*stream_teardown)(struct stream_ctx *s, bool receiver);
	bool batched;		/* stream: sends s->batch messages at a time */
};

/* registry.c */
extern const struct mech *const mechs[];

/* payload.c: the pattern every payload byte carries (see there) */
void payload_fill(void *buf, size_t len, uint64_t seq, int dir);
bool payload_check(const void *buf, size_t len, uint64_t seq, int dir);
uint64_t payload_seq(const void *buf, size_t len);
/* Set from KIPC_BENCH_FAULT: corrupt some payloads on purpose. */
extern int bench_fault;
#define DIR_REQ		0
#define DIR_RESP	1

/*
 * The sequence number of client thread @idx's first call; a connection's
 * calls are numbered on from there, so a server that serves one connection
 * knows which number comes next.
 */
static inline uint64_t bench_seq_base(int idx)
{
	return ((uint64_t)idx << 40) + 1;
}

/*
 * bytestream.c: the receiving side of a byte stream (pipe, AF_UNIX stream)
 * carrying s->count messages of s->size bytes: reads as much as is there,
 * checks every complete message.
 */
int bytestream_recv(struct stream_ctx *s, int fd);
/* ... and the sending side: one write per message. */
int bytestream_send(struct stream_ctx *s, int fd);

/* run.c: helpers for mechanisms */
uint64_t now_ns(void);
void bench_error(struct shared *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The calling server thread's accounting slot. */
struct acct *bench_acct(struct shared *sh);
/* Account one call or message of @bytes checked bytes, @ok or not. */
static inline void acct_add(struct acct *a, uint64_t bytes, bool ok)
{
	a->calls++;
	a->bytes += bytes;
	a->errors += !ok;
}
int send_fd(int sock, int fd);
int recv_fd(int sock);
/* read/write exactly @len bytes (0, or -errno; -EPIPE at end of file) */
int read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);
/* A page-aligned buffer, pre-faulted (so first touches are not timed). */
void *bench_alloc(size_t len);
void bench_free(void *p, size_t len);
/* A pre-faulted MAP_SHARED anonymous mapping, inherited over fork(). */
void *shm_alloc(size_t len);
/* Spin politely: pause, and yield now and then on an oversubscribed CPU. */
void cpu_relax_n(unsigned int *spins);

/* Whether --raise-limits was given: mechanisms may raise system limits. */
extern bool opt_raise_limits;
int write_sysctl(const char *path, unsigned long value);
unsigned long read_sysctl(const char *path);

#endif /* KIPC_BENCH_H */
