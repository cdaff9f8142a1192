// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: a busy-polling single-producer single-consumer ring in shared
 * memory, with no system call at all: the practical limit of any design
 * that moves messages through memory (what kipc channels are measured
 * against, as the best user-space design rather than the worst).
 *
 * Written the way it is done in production rings:
 *  - fixed slots of the message size (rounded to a cache line), a power of
 *    two of them, about 256 KiB in all (at least 4), so the ring stays in
 *    the cache;
 *  - head (consumer) and tail (producer) on cache lines of their own;
 *  - each side keeps a private copy of the other's index and reads the
 *    shared one only when its copy says the ring is full (producer) or
 *    empty (consumer), so the lines move only when they must;
 *  - indices published with release stores and read with acquire loads:
 *    a published slot's bytes are visible before its index;
 *  - batching: the producer publishes its tail every few messages (and
 *    always before it waits for room), the consumer its head likewise.
 * The payload is written in place in the slot and checked in place.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

struct ring {
	_Alignas(64) _Atomic uint64_t head;	/* messages consumed */
	_Alignas(64) _Atomic uint64_t tail;	/* messages published */
	_Alignas(64) unsigned char slots[];
};

struct ring_priv {
	struct ring *r;
	size_t maplen, slot;
	uint64_t nslots, batch;
};

static int ring_setup(struct stream_ctx *s)
{
	struct ring_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	s->priv = p;
	p->slot = (s->size + 63) & ~(size_t)63;
	for (p->nslots = 4; p->nslots * p->slot < (256u << 10);)
		p->nslots *= 2;
	p->batch = p->nslots / 4 < 16 ? p->nslots / 4 : 16;
	p->maplen = sizeof(struct ring) + p->nslots * p->slot;
	p->r = shm_alloc(p->maplen);
	return p->r ? 0 : -ENOMEM;
}

static unsigned char *slot(struct ring_priv *p, uint64_t i)
{
	return p->r->slots + (i & (p->nslots - 1)) * p->slot;
}

static int ring_recv(struct stream_ctx *s)
{
	struct ring_priv *p = s->priv;
	struct ring *r = p->r;
	struct acct *a = bench_acct(s->sh);
	uint64_t head = 0, tail = 0, published = 0;
	unsigned int spins = 0;

	while (head < s->count) {
		if (head == tail) {
			tail = atomic_load_explicit(&r->tail,
						    memory_order_acquire);
			if (head == tail) {
				/* about to wait: give back what we hold */
				if (published != head) {
					atomic_store_explicit(&r->head, head,
							      memory_order_release);
					published = head;
				}
				cpu_relax_n(&spins);
				continue;
			}
		}
		acct_add(a, s->size,
			 payload_check(slot(p, head), s->size, head + 1, DIR_REQ));
		head++;
		if (head - published >= p->batch) {
			atomic_store_explicit(&r->head, head,
					      memory_order_release);
			published = head;
		}
	}
	atomic_store_explicit(&r->head, head, memory_order_release);
	return 0;
}

static int ring_send(struct stream_ctx *s)
{
	struct ring_priv *p = s->priv;
	struct ring *r = p->r;
	uint64_t tail = 0, head = 0, published = 0;
	unsigned int spins = 0;

	while (tail < s->count) {
		if (tail - head == p->nslots) {
			head = atomic_load_explicit(&r->head,
						    memory_order_acquire);
			if (tail - head == p->nslots) {
				if (published != tail) {
					atomic_store_explicit(&r->tail, tail,
							      memory_order_release);
					published = tail;
				}
				cpu_relax_n(&spins);
				continue;
			}
		}
		payload_fill(slot(p, tail), s->size, tail + 1, DIR_REQ);
		tail++;
		if (tail - published >= p->batch) {
			atomic_store_explicit(&r->tail, tail,
					      memory_order_release);
			published = tail;
		}
	}
	atomic_store_explicit(&r->tail, tail, memory_order_release);
	return 0;
}

static void ring_teardown(struct stream_ctx *s, bool receiver)
{
	struct ring_priv *p = s->priv;

	(void)receiver;
	if (!p)
		return;
	if (p->r)
		munmap(p->r, p->maplen);
	free(p);
}

const struct mech mech_shm_ring = {
	.name = "shm-ring",
	.what = "busy-polling SPSC ring in shared memory, no kernel (the limit)",
	.benches = CAN(BENCH_STREAM),
	.stream_setup = ring_setup,
	.stream_recv = ring_recv,
	.stream_send = ring_send,
	.stream_teardown = ring_teardown,
	.batched = true,
};
