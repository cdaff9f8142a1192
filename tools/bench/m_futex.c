// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: futex wake/wait on shared memory.  The payload is written and
 * read in place in a shared mapping; a 32-bit word each way holds the number
 * of the last request (or result), the sleeper waits on it with FUTEX_WAIT
 * and the other side stores the new number and calls FUTEX_WAKE.
 *
 * No spinning before sleeping: that would make this the shared-memory
 * spinning case, not futex wake/wait (published futex ping-pong figures,
 * which kipc's doors are compared with, are pure wake/wait).  FUTEX_WAKE is
 * always called: in a ping-pong the peer is asleep by then, so a waiters
 * flag to skip it would save nothing.  The mapping is shared between
 * processes, so the futexes are not FUTEX_PRIVATE.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

#define STOP	0xffffffffu	/* never the low half of a call's number */

struct futex_area {
	_Alignas(64) _Atomic uint32_t req;
	_Alignas(64) _Atomic uint32_t resp;
	_Alignas(64) unsigned char data[];	/* request, then result */
};

struct futex_priv {
	struct futex_area *f;
	size_t len, maplen;
};

static long futex(_Atomic uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Wait until *w is no longer @old; returns the new value. */
static uint32_t wait_change(_Atomic uint32_t *w, uint32_t old)
{
	uint32_t v;

	/* FUTEX_WAIT sleeps only while *w == old: no wakeup is lost */
	while ((v = atomic_load_explicit(w, memory_order_acquire)) == old)
		futex(w, FUTEX_WAIT, old);
	return v;
}

static void post(_Atomic uint32_t *w, uint32_t v)
{
	atomic_store_explicit(w, v, memory_order_release);
	futex(w, FUTEX_WAKE, 1);
}

static int futex_setup(struct call_ctx *c)
{
	struct futex_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	c->priv = p;
	p->len = c->size;
	p->maplen = sizeof(struct futex_area) + 2 * c->size;
	p->f = shm_alloc(p->maplen);
	return p->f ? 0 : -ENOMEM;
}

static int futex_serve(struct call_ctx *c, int idx)
{
	struct futex_priv *p = c->priv;
	struct futex_area *f = p->f;
	struct acct *a = bench_acct(c->sh);
	uint64_t seq = bench_seq_base(idx);
	uint32_t last = 0, v;

	for (;; seq++) {
		v = wait_change(&f->req, last);
		if (v == STOP)
			return 0;
		last = v;
		acct_add(a, p->len, v == (uint32_t)seq &&
			 payload_check(f->data, p->len, seq, DIR_REQ));
		payload_fill(f->data + p->len, p->len, seq, DIR_RESP);
		post(&f->resp, (uint32_t)seq);
	}
}

static int futex_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct futex_priv *p = c->priv;
	struct futex_area *f = p->f;
	uint32_t v;

	(void)idx;
	payload_fill(f->data, p->len, seq, DIR_REQ);
	post(&f->req, (uint32_t)seq);
	v = wait_change(&f->resp, (uint32_t)(seq - 1));
	if (v != (uint32_t)seq ||
	    !payload_check(f->data + p->len, p->len, seq, DIR_RESP)) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int futex_stop(struct call_ctx *c)
{
	struct futex_priv *p = c->priv;

	post(&p->f->req, STOP);
	return 0;
}

static void futex_teardown(struct call_ctx *c, bool server)
{
	struct futex_priv *p = c->priv;

	(void)server;
	if (!p)
		return;
	if (p->f)
		munmap(p->f, p->maplen);
	free(p);
}

const struct mech mech_futex = {
	.name = "futex-shm",
	.what = "payload in shared memory, FUTEX_WAIT/FUTEX_WAKE each way",
	.benches = CAN(BENCH_RTT),
	.call_setup = futex_setup,
	.serve = futex_serve,
	.call = futex_call,
	.call_stop = futex_stop,
	.call_teardown = futex_teardown,
};
