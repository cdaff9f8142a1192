// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc doors through libkipc's Solaris-compatible <door.h>, so
 * the figure is what an existing illumos doors program gets (kipc-door,
 * m_kipc_door.c, is the native API).
 *
 * The server process creates the door and hands its fd to the client over
 * the control socket; its pool is exactly c->threads threads that join it
 * with door_return(NULL, 0, NULL, 0), and door_server_create() is given a
 * function that starts none, so the pool stays the size the scaling bench
 * says.  The server procedure checks the argument in place and answers with
 * door_return() from a per-thread result buffer.  The client calls with a
 * result buffer of the right size, so results land in it (no new mapping).
 *
 * door_return() never returns on success, so there is no call_stop: the
 * server process simply exits when the client is done.
 *
 * door.h's server threads take arguments into a buffer of libkipc's
 * choosing (larger ones arrive in a mapping per call): a program written
 * for illumos has no say in that, so neither has this case.
 *
 * Built with tools/Makefile's KIPC_BENCH_DOORS=1.
 */
#include <door.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

struct door_priv {
	int door;
	size_t len;
	unsigned char *buf[MAX_THREADS];	/* the client's, per thread */
};

/* Each pool thread's result buffer, made on its first call. */
static __thread unsigned char *result;

static const char *door_probe(void)
{
	if (access("/dev/kipc", R_OK | W_OK))
		return "no /dev/kipc (kipc.ko is not loaded)";
	return NULL;
}

static int door_call_setup(struct call_ctx *c)
{
	struct door_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->door = -1;
	p->len = c->size;
	c->priv = p;
	return 0;
}

static void door_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	struct call_ctx *c = cookie;
	struct acct *a = bench_acct(c->sh);
	size_t len = c->size;
	uint64_t seq = 0;
	bool ok = arg_size == len && !dp && !n_desc;

	if (!result && len) {
		result = bench_alloc(len);
		if (!result) {
			bench_error(c->sh, "out of memory");
			door_return(NULL, 0, NULL, 0);
		}
	}
	/* a null call carries nothing to check but its arrival */
	if (len && ok) {
		seq = payload_seq(argp, len);
		ok = payload_check(argp, len, seq, DIR_REQ);
	}
	acct_add(a, len, ok);
	if (len)
		payload_fill(result, len, seq, DIR_RESP);
	door_return((char *)result, len, NULL, 0);
}

/* The pool is fixed: no thread is added when it runs dry. */
static void no_new_threads(door_info_t *info)
{
	(void)info;
}

static int door_server_start(struct call_ctx *c)
{
	struct door_priv *p = c->priv;
	int ret;

	door_server_create(no_new_threads);
	p->door = door_create(door_proc, c, 0);
	if (p->door < 0) {
		bench_error(c->sh, "door_create: %s", strerror(errno));
		return -errno;
	}
	ret = send_fd(c->ctl, p->door);
	return ret;
}

static int door_serve(struct call_ctx *c, int idx)
{
	(void)idx;
	/* join the pool; returns only on failure */
	door_return(NULL, 0, NULL, 0);
	bench_error(c->sh, "door_return: %s", strerror(errno));
	return -errno;
}

static int door_client_start(struct call_ctx *c)
{
	struct door_priv *p = c->priv;
	int i;

	p->door = recv_fd(c->ctl);
	if (p->door < 0)
		return p->door;
	for (i = 0; i < c->threads; i++) {
		p->buf[i] = bench_alloc(p->len);
		if (!p->buf[i])
			return -ENOMEM;
	}
	return 0;
}

static int door_do_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct door_priv *p = c->priv;
	unsigned char *buf = p->buf[idx];
	door_arg_t arg = {
		.data_ptr = (char *)buf, .data_size = p->len,
		.rbuf = (char *)buf, .rsize = p->len,
	};
	bool ok;

	if (p->len)
		payload_fill(buf, p->len, seq, DIR_REQ);
	if (door_call(p->door, &arg))
		return -errno;
	ok = arg.data_size == p->len && arg.desc_num == 0 &&
	     (!p->len || payload_check(arg.data_ptr, p->len, seq, DIR_RESP));
	if (arg.rbuf != (char *)buf)	/* the library mapped one for us */
		munmap(arg.rbuf, arg.rsize);
	if (!ok) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static void door_teardown(struct call_ctx *c, bool server)
{
	struct door_priv *p = c->priv;
	int i;

	/* the server's threads still wait in the kernel: leave it to exit */
	if (!p || server)
		return;
	if (p->door >= 0)
		close(p->door);
	for (i = 0; i < c->threads; i++)
		bench_free(p->buf[i], p->len);
	free(p);
}

const struct mech mech_kipc_door_sun = {
	.name = "kipc-door-sun",
	.what = "kipc door calls through libkipc's Solaris <door.h>",
	.benches = CAN(BENCH_RTT),
	.is_kipc = true,
	.probe = door_probe,
	.call_setup = door_call_setup,
	.server_start = door_server_start,
	.serve = door_serve,
	.client_start = door_client_start,
	.call = door_do_call,
	.call_teardown = door_teardown,
};
