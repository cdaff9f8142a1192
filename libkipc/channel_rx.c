// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: the receiver endpoint of a channel.
 *
 * The receiver maps each sender's TX area read-only (send ring and pool)
 * and its RX area read-write (send ring head, release ring), learning of
 * senders from the control page's generation and the kernel's sender
 * table.  It serves the senders round-robin, one message each in turn.
 *
 * Every index, offset and length a sender writes is checked before use: a
 * sender whose ring tail is more than a ring ahead, or whose descriptor
 * points outside its pool, is disconnected and reported once as -EBADMSG;
 * the others are not affected.
 */
#define _FILE_OFFSET_BITS 64	/* mmap offsets beyond 2 GiB on 32-bit */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc.h"
#include "channel_priv.h"

static void kipc_chan_peer_unmap(struct kipc_chan_rx *rx,
				 struct kipc_chan_peer *p)
{
	if (p->tx_map)
		munmap(p->tx_map, rx->layout.tx_size);
	if (p->rx_map)
		munmap(p->rx_map, rx->layout.rx_size);
	memset(p, 0, sizeof(*p));
	p->flags = KIPC_CHAN_PEER_UNUSED;
}

/* Ask the kernel to take @p out of its table (and cut it off if live). */
static void kipc_chan_peer_detach(struct kipc_chan_rx *rx,
				  struct kipc_chan_peer *p)
{
	struct kipc_chan_sender_ref ref;

	if (p->flags & KIPC_CHAN_PEER_DETACHED)
		return;
	memset(&ref, 0, sizeof(ref));
	ref.sender_id = p->id;
	/* ENOENT: already gone with the receiver; nothing else can fail. */
	kipc_chan_ioctl(rx->fd, KIPC_CHAN_IOC_DETACH, &ref);
	p->flags |= KIPC_CHAN_PEER_DETACHED;
}

/*
 * A sender that is gone or broken is forgotten once nothing of it is held
 * (and, when it merely left, once what it sent is drained).
 */
void kipc_chan__peer_idle(struct kipc_chan_rx *rx, struct kipc_chan_peer *p)
{
	if (p->rel_tail_priv != p->head_priv || !p->flags ||
	    (p->flags & KIPC_CHAN_PEER_UNUSED))
		return;
	if (!(p->flags & KIPC_CHAN_PEER_CUT) &&
	    __atomic_load_n(p->tail, __ATOMIC_ACQUIRE) != p->head_priv)
		return;
	kipc_chan_peer_detach(rx, p);
	kipc_chan_peer_unmap(rx, p);
}

/* The sender wrote garbage: cut it off and say so once. */
static void kipc_chan_peer_break(struct kipc_chan_rx *rx,
				 struct kipc_chan_peer *p)
{
	p->flags |= KIPC_CHAN_PEER_CUT;
	kipc_chan_peer_detach(rx, p);
	rx->error = -EBADMSG;
	kipc_chan__peer_idle(rx, p);
}

int kipc_chan__wake_tx(struct kipc_chan_rx *rx, struct kipc_chan_peer *p)
{
	struct kipc_chan_sender_ref ref;

	memset(&ref, 0, sizeof(ref));
	ref.sender_id = p->id;
	return kipc_chan_ioctl(rx->fd, KIPC_CHAN_IOC_WAKE_TX, &ref);
}

static struct kipc_chan_peer *kipc_chan_find_peer(struct kipc_chan_rx *rx,
						  uint64_t id)
{
	for (uint32_t i = 0; i < rx->nr_peers; i++)
		if (rx->peers[i].id == id)
			return &rx->peers[i];
	return NULL;
}

/* A free entry for a new sender, growing the table when needed. */
static struct kipc_chan_peer *kipc_chan_new_peer(struct kipc_chan_rx *rx)
{
	struct kipc_chan_peer *peers;
	uint32_t cap;

	for (uint32_t i = 0; i < rx->nr_peers; i++)
		if (!rx->peers[i].id)
			return &rx->peers[i];
	if (rx->nr_peers == rx->cap_peers) {
		cap = rx->cap_peers ? 2 * rx->cap_peers : 8;
		peers = realloc(rx->peers, cap * sizeof(*peers));
		if (!peers)
			return NULL;
		memset(peers + rx->cap_peers, 0,
		       (cap - rx->cap_peers) * sizeof(*peers));
		for (uint32_t i = rx->cap_peers; i < cap; i++)
			peers[i].flags = KIPC_CHAN_PEER_UNUSED;
		rx->peers = peers;
		rx->cap_peers = cap;
	}
	return &rx->peers[rx->nr_peers++];
}

static int kipc_chan_map_peer(struct kipc_chan_rx *rx,
			      struct kipc_chan_peer *p,
			      const struct kipc_chan_sender *s)
{
	const struct kipc_chan_layout *l = &rx->layout;
	int err;

	p->tx_map = kipc_chan_mmap(rx->fd, s->tx_mmap, l->tx_size, PROT_READ,
				   &err);
	if (!p->tx_map)
		return err;
	p->rx_map = kipc_chan_mmap(rx->fd, s->rx_mmap, l->rx_size,
				   PROT_READ | PROT_WRITE, &err);
	if (!p->rx_map) {
		munmap(p->tx_map, l->tx_size);
		p->tx_map = NULL;
		return err;
	}
	p->flags = 0;
	p->tail = kipc_chan_at(p->tx_map, l->tx_tail);
	p->ring = kipc_chan_at(p->tx_map, l->tx_ring);
	p->pool = kipc_chan_at(p->tx_map, l->tx_pool);
	p->head = kipc_chan_at(p->rx_map, l->rx_head);
	p->rel_tail = kipc_chan_at(p->rx_map, l->rx_release_tail);
	p->rel_ring = kipc_chan_at(p->rx_map, l->rx_ring);
	p->tx_wakeup = kipc_chan_at(p->rx_map, l->rx_tx_wakeup);
	/* Our own indices: a new sender's start at zero. */
	p->head_priv = __atomic_load_n(p->head, __ATOMIC_RELAXED);
	p->tail_seen = p->head_priv;
	p->rel_tail_priv = __atomic_load_n(p->rel_tail, __ATOMIC_RELAXED);
	p->id = s->id;
	p->pid = s->pid;
	p->uid = s->uid;
	p->gid = s->gid;
	return 0;
}

/* Bring the sender table up to date with the kernel's. */
static int kipc_chan_refresh(struct kipc_chan_rx *rx)
{
	struct kipc_chan_senders s;
	struct kipc_chan_peer *p;
	int ret;

	memset(&s, 0, sizeof(s));
	s.senders = (uintptr_t)rx->list;
	s.nr = rx->max_senders;
	ret = kipc_chan_ioctl(rx->fd, KIPC_CHAN_IOC_SENDERS, &s);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < s.nr; i++) {
		const struct kipc_chan_sender *e = &rx->list[i];

		p = kipc_chan_find_peer(rx, e->id);
		if (!p) {
			p = kipc_chan_new_peer(rx);
			if (!p)
				return -ENOMEM;
			ret = kipc_chan_map_peer(rx, p, e);
			if (ret)
				return ret;
		}
		if (e->flags & KIPC_CHAN_SENDER_CLOSED)
			p->flags |= KIPC_CHAN_PEER_CLOSED;
	}
	rx->gen_seen = s.gen;
	rx->state = s.state;
	return 0;
}

static int kipc_chan_refresh_if_needed(struct kipc_chan_rx *rx)
{
	if (__atomic_load_n(rx->ctl_gen, __ATOMIC_ACQUIRE) == rx->gen_seen)
		return 0;
	return kipc_chan_refresh(rx);
}

int kipc_chan_rx_open(struct kipc_chan_rx *rx, int fd)
{
	const struct kipc_chan_layout *l = &rx->layout;
	struct kipc_chan_info info;
	int ret;

	memset(rx, 0, sizeof(*rx));
	rx->fd = -1;
	memset(&info, 0, sizeof(info));
	ret = kipc_chan_ioctl(fd, KIPC_CHAN_IOC_INFO, &info);
	if (ret)
		return ret == -ENOTTY ? -EINVAL : ret;
	if (info.role != KIPC_CHAN_ROLE_RECEIVER)
		return -EINVAL;
	ret = kipc_chan_check_layout(&info.layout);
	if (ret)
		return ret;
	rx->layout = info.layout;
	rx->spin_ns = kipc_chan_default_spin();
	rx->depth = l->ring_depth;
	rx->mask = l->ring_depth - 1;
	rx->max_msg = l->max_msg;
	rx->max_senders = l->max_senders;
	rx->pool_size = l->pool_size;
	rx->list = calloc(rx->max_senders, sizeof(*rx->list));
	if (!rx->list)
		return -ENOMEM;
	/* This attaches the receiver endpoint to this process. */
	rx->ctl_map = kipc_chan_mmap(fd, l->ctl_mmap, l->ctl_size, PROT_READ,
				     &ret);
	if (!rx->ctl_map) {
		free(rx->list);
		return ret;
	}
	rx->ctl_gen = kipc_chan_at(rx->ctl_map, l->ctl_gen);
	rx->ctl_state = kipc_chan_at(rx->ctl_map, l->ctl_state);
	rx->fd = fd;
	ret = kipc_chan_refresh(rx);
	if (ret) {
		kipc_chan_rx_close(rx);
		return ret;
	}
	return 0;
}

void kipc_chan_rx_close(struct kipc_chan_rx *rx)
{
	for (uint32_t i = 0; i < rx->nr_peers; i++)
		if (rx->peers[i].id)
			kipc_chan_peer_unmap(rx, &rx->peers[i]);
	if (rx->ctl_map)
		munmap(rx->ctl_map, rx->layout.ctl_size);
	if (rx->fd >= 0)
		close(rx->fd);
	free(rx->peers);
	free(rx->list);
	memset(rx, 0, sizeof(*rx));
	rx->fd = -1;
}

/*
 * Take up to @n messages of @p into @msgs: how many, 0 when its ring is
 * empty (or it was found broken).
 */
static unsigned int kipc_chan_take(struct kipc_chan_rx *rx,
				   struct kipc_chan_peer *p, uint32_t idx,
				   struct kipc_chan_msg *msgs, unsigned int n)
{
	uint32_t h = p->head_priv;
	unsigned int got = 0;

	if (h == p->tail_seen) {
		uint32_t t = __atomic_load_n(p->tail, __ATOMIC_ACQUIRE);

		if (t - h > rx->depth) {
			kipc_chan_peer_break(rx, p);
			return 0;
		}
		p->tail_seen = t;
		if (t == h) {
			if (p->flags)
				kipc_chan__peer_idle(rx, p);
			return 0;
		}
	}
	if (n > p->tail_seen - h)
		n = p->tail_seen - h;
	for (; got < n; got++, h++) {
		const struct kipc_chan_desc *d = &p->ring[h & rx->mask];
		struct kipc_chan_msg *msg = &msgs[got];
		uint32_t off, len;

		/* Each field once: the sender may change them under us. */
		off = __atomic_load_n(&d->offset, __ATOMIC_RELAXED);
		len = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
		if ((len > rx->max_msg) |
		    ((uint64_t)off + len > rx->pool_size)) {
			kipc_chan_peer_break(rx, p);
			break;
		}
		msg->data = p->pool + off;
		msg->len = len;
		msg->id = __atomic_load_n(&d->id, __ATOMIC_RELAXED);
		msg->sender = p->id;
		msg->peer = idx;
		msg->reserved = 0;
	}
	if (got) {
		p->head_priv = h;
		/* For the kernel's readiness checks: we are done with them. */
		__atomic_store_n(p->head, h, __ATOMIC_RELEASE);
	}
	return got;
}

/* Whether the channel ended: no writers left and everything drained. */
static bool kipc_chan_ended(struct kipc_chan_rx *rx)
{
	if (!(rx->state & KIPC_CHAN_CTL_NO_WRITERS) ||
	    __atomic_load_n(rx->ctl_gen, __ATOMIC_ACQUIRE) != rx->gen_seen)
		return false;
	for (uint32_t i = 0; i < rx->nr_peers; i++) {
		struct kipc_chan_peer *p = &rx->peers[i];

		if (!(p->flags & (KIPC_CHAN_PEER_UNUSED | KIPC_CHAN_PEER_CUT)) &&
		    __atomic_load_n(p->tail, __ATOMIC_ACQUIRE) != p->head_priv)
			return false;
	}
	return true;
}

int kipc_chan_recv_batch(struct kipc_chan_rx *rx, struct kipc_chan_msg *msgs,
			 unsigned int n)
{
	uint32_t idx, next = rx->cursor, active = 0;
	unsigned int got = 0, quantum, took;
	bool progress;
	int ret;

	if (!n)
		return -EINVAL;
	if (rx->error) {
		ret = rx->error;
		rx->error = 0;
		return ret;
	}
	ret = kipc_chan_refresh_if_needed(rx);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < rx->nr_peers; i++)
		if (!(rx->peers[i].flags & (KIPC_CHAN_PEER_UNUSED |
					    KIPC_CHAN_PEER_CUT)))
			active++;
	/*
	 * Round-robin: each pass gives every sender an equal share of what
	 * is left to take, at least one message.
	 */
	do {
		progress = false;
		quantum = active ? (n - got + active - 1) / active : 1;
		idx = next < rx->nr_peers ? next : 0;
		for (uint32_t i = 0; i < rx->nr_peers && got < n; i++) {
			struct kipc_chan_peer *p = &rx->peers[idx];
			uint32_t cur = idx;

			if (++idx == rx->nr_peers)
				idx = 0;
			if (p->flags & (KIPC_CHAN_PEER_UNUSED |
					KIPC_CHAN_PEER_CUT))
				continue;
			took = kipc_chan_take(rx, p, cur, msgs + got,
					      quantum < n - got ? quantum :
								  n - got);
			if (took) {
				got += took;
				next = idx;
				progress = true;
			}
		}
	} while (progress && got < n);
	rx->cursor = next;
	if (got)
		return (int)got;
	if (rx->error) {
		ret = rx->error;
		rx->error = 0;
		return ret;
	}
	return kipc_chan_ended(rx) ? 0 : -EAGAIN;
}

static bool kipc_chan_rx_pending(struct kipc_chan_rx *rx);

static bool kipc_chan_rx_ready(void *arg)
{
	return kipc_chan_rx_pending(arg);
}

int kipc_chan_recv_wait(struct kipc_chan_rx *rx, struct kipc_chan_msg *msgs,
			unsigned int n, int64_t timeout_ns)
{
	uint64_t deadline = kipc_chan_deadline(timeout_ns);
	int64_t left;
	int ret;

	for (;;) {
		ret = n == 1 ? kipc_chan_recv(rx, msgs) :
			       kipc_chan_recv_batch(rx, msgs, n);
		if (ret != -EAGAIN || !timeout_ns)
			return ret;
		if (kipc_chan_spin(kipc_chan_rx_ready, rx, rx->spin_ns,
				   timeout_ns, deadline))
			continue;
		left = kipc_chan_remaining(timeout_ns, deadline);
		if (!left)
			return -ETIMEDOUT;
		ret = kipc_chan_wait_ioctl(rx->fd, left);
		if (ret == -ETIMEDOUT) {
			ret = kipc_chan_recv_batch(rx, msgs, n);
			return ret == -EAGAIN ? -ETIMEDOUT : ret;
		}
		if (ret)
			return ret;
	}
}

int kipc_chan_release_batch(struct kipc_chan_rx *rx,
			    const struct kipc_chan_msg *msgs, unsigned int n)
{
	struct kipc_chan_peer *p = NULL;
	uint32_t peer = UINT32_MAX, rt = 0;
	bool mixed = false, flagged = false;
	unsigned int i;

	/*
	 * All or nothing: entries are written as they are checked, and only
	 * published (or undone) once all are.  A run of messages of one
	 * sender (a batch usually is one) keeps its release tail at hand.
	 */
	for (i = 0; i < n; i++) {
		if (msgs[i].peer != peer) {
			if (p) {
				p->rel_tail_priv = rt;
				mixed = true;
			}
			if (msgs[i].peer >= rx->nr_peers)
				break;
			peer = msgs[i].peer;
			p = &rx->peers[peer];
			rt = p->rel_tail_priv;
			flagged |= p->flags != 0;
		}
		/* Never more releases than messages received. */
		if ((p->id != msgs[i].sender) | (rt == p->head_priv))
			break;
		__atomic_store_n(&p->rel_ring[rt & rx->mask], msgs[i].id,
				 __ATOMIC_RELAXED);
		rt++;
	}
	if (p)
		p->rel_tail_priv = rt;
	if (i < n) {
		while (i--)
			rx->peers[msgs[i].peer].rel_tail_priv--;
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		p = &rx->peers[msgs[i].peer];
		/* One publication per run of messages of the same sender. */
		if (mixed && i + 1 < n && msgs[i + 1].peer == msgs[i].peer)
			continue;
		__atomic_store_n(p->rel_tail, p->rel_tail_priv,
				 __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(p->tx_wakeup, __ATOMIC_RELAXED))
			kipc_chan__wake_tx(rx, p);
		if (!mixed)
			break;
	}
	/* Last, as it may forget a sender named again later in @msgs. */
	for (i = 0; flagged && i < n; i++) {
		p = &rx->peers[msgs[i].peer];
		if (p->flags && p->rel_tail_priv == p->head_priv)
			kipc_chan__peer_idle(rx, p);
	}
	return 0;
}

/* Whether something awaits the receiver, without taking it. */
static bool kipc_chan_rx_pending(struct kipc_chan_rx *rx)
{
	if (rx->error ||
	    __atomic_load_n(rx->ctl_gen, __ATOMIC_ACQUIRE) != rx->gen_seen)
		return true;
	for (uint32_t i = 0; i < rx->nr_peers; i++) {
		struct kipc_chan_peer *p = &rx->peers[i];

		if (!(p->flags & (KIPC_CHAN_PEER_UNUSED | KIPC_CHAN_PEER_CUT)) &&
		    __atomic_load_n(p->tail, __ATOMIC_ACQUIRE) != p->head_priv)
			return true;
	}
	return kipc_chan_ended(rx);
}

int kipc_chan_rx_wait(struct kipc_chan_rx *rx, int64_t timeout_ns)
{
	uint64_t deadline = kipc_chan_deadline(timeout_ns);
	int64_t left;

	if (kipc_chan_rx_pending(rx))
		return 0;
	if (!timeout_ns)
		return -EAGAIN;
	if (kipc_chan_spin(kipc_chan_rx_ready, rx, rx->spin_ns, timeout_ns,
			   deadline))
		return 0;
	left = kipc_chan_remaining(timeout_ns, deadline);
	if (!left)
		return -ETIMEDOUT;
	return kipc_chan_wait_ioctl(rx->fd, left);
}

void kipc_chan_rx_set_spin(struct kipc_chan_rx *rx, int64_t spin_ns)
{
	rx->spin_ns = spin_ns;
}

int kipc_chan_rx_arm(struct kipc_chan_rx *rx)
{
	int ret;

	if (kipc_chan_rx_pending(rx))
		return 1;
	ret = kipc_chan_wait_ioctl(rx->fd, 0);
	if (ret == -EAGAIN)
		return 0;
	return ret ? ret : 1;
}

int kipc_chan_sender_info(const struct kipc_chan_rx *rx, uint64_t sender,
			  struct kipc_chan_sender_info *info)
{
	for (uint32_t i = 0; i < rx->nr_peers; i++) {
		const struct kipc_chan_peer *p = &rx->peers[i];

		if (p->id != sender)
			continue;
		info->id = p->id;
		info->pid = p->pid;
		info->uid = p->uid;
		info->gid = p->gid;
		info->closed = p->flags != 0;
		return 0;
	}
	return -ENOENT;
}

int kipc_chan_disconnect(struct kipc_chan_rx *rx, uint64_t sender)
{
	struct kipc_chan_peer *p = kipc_chan_find_peer(rx, sender);

	if (!p || !sender)
		return -ENOENT;
	p->flags |= KIPC_CHAN_PEER_CUT;
	kipc_chan_peer_detach(rx, p);
	kipc_chan__peer_idle(rx, p);
	return 0;
}
