// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: Android binder, driven with its own ioctls the way libbinder
 * drives them (no libbinder: the figure is the driver's).
 *
 * The server process opens the binder device, maps its receive buffer,
 * becomes the context manager (handle 0) and runs a pool of looper threads
 * (BC_ENTER_LOOPER; BINDER_SET_MAX_THREADS 0, as the pool is fixed).  A
 * call is one BC_TRANSACTION to handle 0 whose data the driver copies once,
 * straight into the server's mapping; the server checks it in place, frees
 * it (BC_FREE_BUFFER) and answers with BC_REPLY, whose data lands in the
 * client's mapping likewise.  As libbinder does, each side frees the buffer
 * it holds with the next command it writes anyway, in the same ioctl.
 * The transaction code carries the call's number, so null calls are
 * checked too.
 *
 * The client needs one ioctl per call (its BC_TRANSACTION completion is
 * deferred until the reply), the server two (the BC_REPLY's completion
 * comes back at once, then it waits for the next call): that is binder's
 * protocol, not a shortcut taken here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* The most a process can map, and room for a 1 MiB call with headroom. */
#define MAP_SIZE	(4u << 20)
#define STOP_CODE	0xffffffffu	/* never the low half of a number */

struct binder_priv {
	int fd;
	void *map;
	unsigned char *buf[MAX_THREADS];	/* data sent from this side */
	size_t len;
};

static const char *device(void)
{
	static const char *const paths[] = {
		"/dev/binder",		/* binder_linux devices=binder */
		"/dev/binderfs/binder",	/* binderfs (the debug kernel) */
	};
	const char *env = getenv("KIPC_BENCH_BINDER");
	size_t i;

	if (env)
		return access(env, R_OK | W_OK) ? NULL : env;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], R_OK | W_OK))
			return paths[i];
	return NULL;
}

static const char *binder_probe(void)
{
	if (!device())
		return "no binder device (/dev/binder, /dev/binderfs/binder): load binder_linux with devices=binder or mount binderfs";
	return NULL;
}

static int binder_call_setup(struct call_ctx *c)
{
	struct binder_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->len = c->size;
	c->priv = p;
	return 0;
}

/* Open the device and map the receive buffer, in the calling process. */
static int binder_open(struct call_ctx *c)
{
	struct binder_priv *p = c->priv;
	struct binder_version v = { 0 };
	int i;

	p->fd = open(device(), O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		return -errno;
	if (ioctl(p->fd, BINDER_VERSION, &v) ||
	    v.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION) {
		bench_error(c->sh, "binder protocol %d, expected %d",
			    v.protocol_version, BINDER_CURRENT_PROTOCOL_VERSION);
		return -EPROTO;
	}
	p->map = mmap(NULL, MAP_SIZE, PROT_READ, MAP_PRIVATE | MAP_NORESERVE,
		      p->fd, 0);
	if (p->map == MAP_FAILED)
		return -errno;
	for (i = 0; i < c->threads; i++) {
		p->buf[i] = bench_alloc(p->len);
		if (!p->buf[i])
			return -ENOMEM;
	}
	return 0;
}

static int binder_server_start(struct call_ctx *c)
{
	struct binder_priv *p = c->priv;
	__u32 max = 0;
	__s32 unused = 0;
	int ret, tries;

	ret = binder_open(c);
	if (ret)
		return ret;
	if (ioctl(p->fd, BINDER_SET_MAX_THREADS, &max))
		return -errno;
	/*
	 * The previous case's server gave up the role when it exited, but
	 * the driver releases it from a work queue: wait for that.
	 */
	for (tries = 0; ioctl(p->fd, BINDER_SET_CONTEXT_MGR, &unused); tries++) {
		if (errno != EBUSY || tries == 500) {
			bench_error(c->sh, "BINDER_SET_CONTEXT_MGR: %s",
				    strerror(errno));
			return -errno;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	return 0;
}

static int binder_client_start(struct call_ctx *c)
{
	return binder_open(c);
}

/* A command buffer: what a thread writes with its next ioctl. */
struct cmds {
	size_t len;
	unsigned char b[128];
};

static void put_cmd(struct cmds *w, __u32 cmd, const void *arg, size_t n)
{
	memcpy(w->b + w->len, &cmd, 4);
	if (n)
		memcpy(w->b + w->len + 4, arg, n);
	w->len += 4 + n;
}

static void put_free(struct cmds *w, binder_uintptr_t buffer)
{
	put_cmd(w, BC_FREE_BUFFER, &buffer, sizeof(buffer));
}

static void put_txn(struct cmds *w, __u32 cmd, __u32 code, const void *data,
		    size_t len)
{
	struct binder_transaction_data tr;

	memset(&tr, 0, sizeof(tr));
	tr.target.handle = 0;	/* the context manager: our server */
	tr.code = code;
	tr.data_size = len;
	tr.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data;
	put_cmd(w, cmd, &tr, sizeof(tr));
}

/*
 * Write @w (if any) and read until a transaction or reply arrives, into
 * *tr.  Returns 0, or -errno; BR_DEAD_REPLY and BR_FAILED_REPLY are -EPIPE.
 */
static int talk(struct binder_priv *p, struct cmds *w, __u32 want,
		struct binder_transaction_data *tr)
{
	unsigned char rb[256];
	struct binder_write_read bwr;
	size_t off;
	__u32 cmd;

	memset(&bwr, 0, sizeof(bwr));
	bwr.write_buffer = (binder_uintptr_t)(uintptr_t)w->b;
	bwr.write_size = w->len;
	for (;;) {
		bwr.read_buffer = (binder_uintptr_t)(uintptr_t)rb;
		bwr.read_size = sizeof(rb);
		bwr.read_consumed = 0;
		if (ioctl(p->fd, BINDER_WRITE_READ, &bwr)) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (bwr.write_consumed == bwr.write_size)
			w->len = 0;
		for (off = 0; off + 4 <= bwr.read_consumed;) {
			memcpy(&cmd, rb + off, 4);
			off += 4;
			if (cmd == want) {
				memcpy(tr, rb + off, sizeof(*tr));
				return 0;
			}
			switch (cmd) {
			case BR_NOOP:
			case BR_TRANSACTION_COMPLETE:
			case BR_SPAWN_LOOPER:	/* the pool is fixed */
				break;
			case BR_DEAD_REPLY:
			case BR_FAILED_REPLY:
				return -EPIPE;
			default:
				return -EPROTO;
			}
			off += _IOC_SIZE(cmd);
		}
	}
}

static int binder_serve(struct call_ctx *c, int idx)
{
	struct binder_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	struct binder_transaction_data tr;
	struct binder_write_read bwr;
	unsigned char *out = p->buf[idx], rb[64];
	struct cmds w = { 0 };
	const void *data;
	uint64_t seq;
	bool ok;
	int ret;

	put_cmd(&w, BC_ENTER_LOOPER, NULL, 0);
	for (;;) {
		ret = talk(p, &w, BR_TRANSACTION, &tr);
		if (ret)
			return ret;
		data = (const void *)(uintptr_t)tr.data.ptr.buffer;
		put_free(&w, tr.data.ptr.buffer);
		if (tr.code == STOP_CODE) {
			/*
			 * Reply, and take the reply's completion (queued at
			 * once, so the read does not wait), leaving nothing
			 * undelivered behind.
			 */
			put_txn(&w, BC_REPLY, tr.code, NULL, 0);
			memset(&bwr, 0, sizeof(bwr));
			bwr.write_buffer = (binder_uintptr_t)(uintptr_t)w.b;
			bwr.write_size = w.len;
			bwr.read_buffer = (binder_uintptr_t)(uintptr_t)rb;
			bwr.read_size = sizeof(rb);
			return ioctl(p->fd, BINDER_WRITE_READ, &bwr) ? -errno : 0;
		}
		/* calls of several client threads share the pool: the number
		 * comes with the call (its low half is the code) */
		seq = p->len >= 8 ? payload_seq(data, p->len) : tr.code;
		ok = tr.data_size == p->len && (__u32)seq == tr.code &&
		     payload_check(data, p->len, seq, DIR_REQ);
		acct_add(a, p->len, ok);
		payload_fill(out, p->len, seq, DIR_RESP);
		put_txn(&w, BC_REPLY, tr.code, out, p->len);
	}
}

static __thread struct cmds client_cmds;

static int binder_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct binder_priv *p = c->priv;
	struct binder_transaction_data tr;
	struct cmds *w = &client_cmds;
	int ret;

	payload_fill(p->buf[idx], p->len, seq, DIR_REQ);
	put_txn(w, BC_TRANSACTION, (__u32)seq, p->buf[idx], p->len);
	ret = talk(p, w, BR_REPLY, &tr);
	if (ret)
		return ret;
	/* the reply's buffer goes back with the next call */
	put_free(w, tr.data.ptr.buffer);
	if (tr.code != (__u32)seq || tr.data_size != p->len ||
	    !payload_check((const void *)(uintptr_t)tr.data.ptr.buffer,
			   p->len, seq, DIR_RESP)) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int binder_stop(struct call_ctx *c)
{
	struct binder_priv *p = c->priv;
	struct binder_transaction_data tr;
	struct cmds *w = &client_cmds;
	int i, ret;

	/* one stop call per server thread: a stopped thread reads no more */
	for (i = 0; i < c->threads; i++) {
		put_txn(w, BC_TRANSACTION, STOP_CODE, NULL, 0);
		ret = talk(p, w, BR_REPLY, &tr);
		if (ret)
			return ret;
		put_free(w, tr.data.ptr.buffer);
	}
	return 0;
}

static void binder_teardown(struct call_ctx *c, bool server)
{
	struct binder_priv *p = c->priv;
	int i;

	(void)server;
	if (!p)
		return;
	for (i = 0; i < c->threads; i++)
		bench_free(p->buf[i], p->len);
	if (p->map && p->map != MAP_FAILED)
		munmap(p->map, MAP_SIZE);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

const struct mech mech_binder = {
	.name = "binder",
	.what = "Android binder transactions to the context manager (one copy)",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_SCALE),
	.probe = binder_probe,
	.call_setup = binder_call_setup,
	.server_start = binder_server_start,
	.serve = binder_serve,
	.client_start = binder_client_start,
	.call = binder_call,
	.call_stop = binder_stop,
	.call_teardown = binder_teardown,
};
