// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc doors, through libkipc's native API as a user would
 * write a door server and client with it.
 *
 * The server process opens a context (asking for KIPC_FEATURE_DOORS),
 * creates the door and hands its fd to the client over the control socket.
 * Each of its c->threads server threads runs libkipc's server loop,
 * kipc_door_serve(), with max_threads 1, so the pool stays the size the
 * scaling bench says; each thread's argument buffer holds the largest
 * argument, as a server expecting such arguments would configure it (else
 * large ones arrive in a new mapping per call).  The handler checks the
 * argument in place and replies from a per-thread result buffer.
 *
 * The client calls with KIPC_IOC_DOOR_CALL (kipc_door_call()) and a result
 * buffer of the right size, so results land in it.
 *
 * A server thread waits in the kernel until its process exits, so there is
 * no call_stop: the server process simply exits when the client is done.
 *
 * Built with tools/Makefile's KIPC_BENCH_DOORS=1 (the default since the
 * doors landed).
 */
#include <errno.h>
#include <kipc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

struct door_priv {
	struct kipc k;				/* the server's context */
	int door;
	size_t len;
	unsigned char *buf[MAX_THREADS];	/* the client's, per thread */
};

/* Each server thread's result buffer, made on its first call. */
static __thread unsigned char *result;

static const char *door_probe(void)
{
	if (access(KIPC_DEVICE_PATH, R_OK | W_OK))
		return "no " KIPC_DEVICE_PATH " (kipc.ko is not loaded)";
	return NULL;
}

/*
 * Switch kipc's call-path counters off or on (the module parameter
 * "stats", through libkipc), so that the stats bench measures what they
 * cost on the null door call.  Needs root, as the guest's bench runs.
 */
static int door_stats_switch(struct call_ctx *c, bool on)
{
	int ret = kipc_stats_set_enabled(on);

	if (ret)
		bench_error(c->sh, "cannot switch kipc statistics %s: %s",
			    on ? "on" : "off", strerror(-ret));
	return ret;
}

static int door_call_setup(struct call_ctx *c)
{
	struct door_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->k.fd = -1;
	p->door = -1;
	p->len = c->size;
	c->priv = p;
	/* The stats bench switches them in turn: see that it can. */
	if (c->bench == BENCH_STATS)
		return door_stats_switch(c, true);
	return 0;
}

static void door_handler(struct kipc_door_request *req, void *arg)
{
	struct call_ctx *c = arg;
	struct acct *a = bench_acct(c->sh);
	size_t len = c->size;
	uint64_t seq = 0;
	bool ok = req->arg_size == len && !req->desc_num &&
		  !(req->flags & KIPC_INV_UNREF);

	if (!result && len) {
		result = bench_alloc(len);
		if (!result) {
			bench_error(c->sh, "out of memory");
			req->abort = 1;
			return;
		}
	}
	/* a null call carries nothing to check but its arrival */
	if (len && ok) {
		seq = payload_seq(req->arg, len);
		ok = payload_check(req->arg, len, seq, DIR_REQ);
	}
	acct_add(a, len, ok);
	if (len)
		payload_fill(result, len, seq, DIR_RESP);
	req->reply = result;
	req->reply_size = len;
}

static int door_server_start(struct call_ctx *c)
{
	struct door_priv *p = c->priv;
	int ret;

	ret = kipc_open(&p->k, KIPC_FEATURE_DOORS);
	if (ret) {
		bench_error(c->sh, "kipc_open with doors: %s", strerror(-ret));
		return ret;
	}
	ret = kipc_door_create(&p->k, 0, 0, 0, NULL);
	if (ret < 0) {
		bench_error(c->sh, "kipc_door_create: %s", strerror(-ret));
		return ret;
	}
	p->door = ret;
	return send_fd(c->ctl, p->door);
}

static int door_serve(struct call_ctx *c, int idx)
{
	struct door_priv *p = c->priv;
	struct kipc_door_server srv = {
		.handler = door_handler,
		.arg = c,
		.max_threads = 1,
		.buf_size = p->len > 16384 ? p->len : 16384,
	};
	int ret;

	(void)idx;
	/* returns only on failure */
	ret = kipc_door_serve(&p->k, &srv);
	bench_error(c->sh, "kipc_door_serve: %s", strerror(ret ? -ret : EPIPE));
	return ret ? ret : -EPIPE;
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
	struct kipc_door_call call;
	const void *res;
	bool ok;
	int ret;

	memset(&call, 0, sizeof(call));
	call.data_ptr = (uintptr_t)buf;
	call.data_size = p->len;
	call.rbuf = (uintptr_t)buf;
	call.rsize = p->len;
	if (p->len)
		payload_fill(buf, p->len, seq, DIR_REQ);
	ret = kipc_door_call(p->door, &call);
	if (ret)
		return ret;
	res = (const void *)(uintptr_t)call.result_ptr;
	ok = call.result_size == p->len && !call.result_desc_num &&
	     (!p->len || payload_check(res, p->len, seq, DIR_RESP));
	if (call.result_flags & KIPC_RESULT_MAPPED)	/* did not fit */
		munmap((void *)res, call.result_map_size);
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
	if (p->k.fd >= 0)
		kipc_close(&p->k);
	for (i = 0; i < c->threads; i++)
		bench_free(p->buf[i], p->len);
	free(p);
	c->priv = NULL;
}

const struct mech mech_kipc_door = {
	.name = "kipc-door",
	.what = "kipc door calls (native libkipc API, kipc_door_serve pool)",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_SCALE) | CAN(BENCH_STATS),
	.is_kipc = true,
	.probe = door_probe,
	.call_setup = door_call_setup,
	.server_start = door_server_start,
	.serve = door_serve,
	.client_start = door_client_start,
	.call = door_do_call,
	.call_teardown = door_teardown,
	.stats_switch = door_stats_switch,
};
