// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: eventfd with shared memory.  The payload is written and read
 * in place in a shared mapping (the zero-copy a user of this pattern gets);
 * each side signals the other with an eventfd and sleeps in read() on its
 * own.  The eventfd value carries the call's number, so a null call is
 * checked too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define STOP	(1ull << 62)	/* no call is ever numbered this high */

struct efd_priv {
	int req, resp;			/* eventfds: client -> server, back */
	unsigned char *area;		/* shared: request, then result */
	size_t len, maplen;
};

static int efd_setup(struct call_ctx *c)
{
	struct efd_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	c->priv = p;
	p->req = p->resp = -1;
	p->len = c->size;
	p->maplen = 2 * (c->size ? c->size : 64);
	p->area = shm_alloc(p->maplen);
	p->req = eventfd(0, EFD_CLOEXEC);
	p->resp = eventfd(0, EFD_CLOEXEC);
	if (!p->area || p->req < 0 || p->resp < 0)
		return -errno;
	return 0;
}

static int get(int fd, uint64_t *v)
{
	ssize_t n;

	do
		n = read(fd, v, sizeof(*v));
	while (n < 0 && errno == EINTR);
	return n == sizeof(*v) ? 0 : n < 0 ? -errno : -EIO;
}

static int put(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

static int efd_serve(struct call_ctx *c, int idx)
{
	struct efd_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	uint64_t seq = bench_seq_base(idx), v;
	int ret;

	for (;; seq++) {
		ret = get(p->req, &v);
		if (ret)
			return ret;
		if (v == STOP)
			return 0;
		acct_add(a, p->len, v == seq &&
			 payload_check(p->area, p->len, seq, DIR_REQ));
		payload_fill(p->area + p->len, p->len, seq, DIR_RESP);
		ret = put(p->resp, seq);
		if (ret)
			return ret;
	}
}

static int efd_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct efd_priv *p = c->priv;
	uint64_t v;
	int ret;

	(void)idx;
	payload_fill(p->area, p->len, seq, DIR_REQ);
	ret = put(p->req, seq);
	if (!ret)
		ret = get(p->resp, &v);
	if (ret)
		return ret;
	if (v != seq || !payload_check(p->area + p->len, p->len, seq, DIR_RESP)) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int efd_stop(struct call_ctx *c)
{
	struct efd_priv *p = c->priv;

	return put(p->req, STOP);
}

static void efd_teardown(struct call_ctx *c, bool server)
{
	struct efd_priv *p = c->priv;

	(void)server;
	if (!p)
		return;
	if (p->req >= 0)
		close(p->req);
	if (p->resp >= 0)
		close(p->resp);
	if (p->area)
		munmap(p->area, p->maplen);
	free(p);
}

const struct mech mech_eventfd = {
	.name = "eventfd-shm",
	.what = "payload in shared memory, an eventfd each way to wake the peer",
	.benches = CAN(BENCH_RTT),
	.call_setup = efd_setup,
	.serve = efd_serve,
	.call = efd_call,
	.call_stop = efd_stop,
	.call_teardown = efd_teardown,
};
