/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: zero-copy message channels (included by <kipc.h>).
 *
 * A sender loans a buffer out of its own pool, writes the payload in place
 * and sends it; the receiver gets a pointer into its read-only mapping of
 * that pool, reads in place and releases the buffer back to the sender.  No
 * system call is made while the other side is awake.  The model, the shared
 * layout and the memory ordering are described in
 * Documentation/kipc/channels.rst, the functions in
 * Documentation/kipc/libkipc.rst.
 *
 * Conventions: functions return 0 or a count on success and -errno on
 * failure, never setting errno.  Timeouts are in nanoseconds: negative
 * waits forever, 0 does not wait.  An endpoint object (struct kipc_chan_rx,
 * struct kipc_chan_tx) is used by one thread at a time.  Everything read
 * from shared memory is validated before use; what the other side writes
 * into the payload may still change while it is read.
 *
 * The structures are public so that the single-message fast paths can be
 * inline; their members are private to the library.
 */
#ifndef LIBKIPC_KIPC_CHANNEL_H
#define LIBKIPC_KIPC_CHANNEL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kipc;

/*
 * How long the blocking calls (kipc_chan_recv_wait(), kipc_chan_loan_wait(),
 * kipc_chan_rx_wait(), kipc_chan_tx_wait()) poll shared memory before they
 * ask the kernel to sleep, unless changed with kipc_chan_rx_set_spin() or
 * kipc_chan_tx_set_spin(); 0 when only one CPU is online.  An answer that
 * comes within it costs neither side a system call.
 */
#define KIPC_CHAN_SPIN_DEFAULT_NS	50000

/* A message as the receiver sees it. */
struct kipc_chan_msg {
	const void *data;	/* the payload, in the receiver's mapping */
	uint32_t len;		/* its length */
	uint32_t id;		/* private: the sender's buffer id */
	uint64_t sender;	/* the sender's id (kipc_chan_sender_info()) */
	uint32_t peer;		/* private */
	uint32_t reserved;
};

/* A buffer loaned to a sender. */
struct kipc_chan_buf {
	void *data;		/* where to write the payload */
	uint32_t len;		/* bytes to send, at most @cap; set by the
				 * caller before sending (loans set it to
				 * the size asked for) */
	uint32_t cap;		/* bytes loaned (a multiple of 64) */
	uint32_t id;		/* private */
	uint32_t reserved;
};

/* The credentials a sender connected with. */
struct kipc_chan_sender_info {
	uint64_t id;
	pid_t pid;		/* 0 when not visible in our pid namespace */
	uid_t uid;		/* effective ids, in our user namespace */
	gid_t gid;
	bool closed;		/* the sender is gone */
};

/* Private: one sender as the receiver's library tracks it. */
struct kipc_chan_peer {
	uint64_t id;			/* 0: unused entry */
	const uint32_t *tail;		/* its TX area, read-only */
	const struct kipc_chan_desc *ring;
	const uint8_t *pool;
	uint32_t *head;			/* its RX area, ours */
	uint32_t *rel_tail;
	uint32_t *rel_ring;
	const uint32_t *tx_wakeup;
	void *tx_map;
	void *rx_map;
	uint32_t head_priv;		/* our copies of the indices */
	uint32_t tail_seen;
	uint32_t rel_tail_priv;		/* head_priv - rel_tail_priv: held */
	uint32_t flags;			/* KIPC_CHAN_PEER_*: any is slow */
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* The receiver endpoint. */
struct kipc_chan_rx {
	int fd;
	uint32_t mask;			/* ring_depth - 1 */
	uint32_t depth;
	uint32_t max_msg;
	uint32_t max_senders;
	uint64_t pool_size;
	struct kipc_chan_layout layout;
	void *ctl_map;
	const uint32_t *ctl_gen;
	const uint32_t *ctl_state;
	struct kipc_chan_peer *peers;
	uint32_t nr_peers;		/* entries in use at the front */
	uint32_t cap_peers;
	uint32_t cursor;		/* next peer to serve */
	uint32_t gen_seen;
	uint32_t state;			/* KIPC_CHAN_CTL_* at gen_seen */
	int error;			/* reported by the next receive */
	struct kipc_chan_sender *list;	/* scratch for the sender table */
	int64_t spin_ns;		/* spin before sleeping */
	void *reserved[4];
};

/*
 * Private: a sender keeps its bookkeeping of a buffer id in one 64-bit
 * word, so that one load or store does what three would (see
 * kipc_chan__slot()).
 */

/* A sender endpoint. */
struct kipc_chan_tx {
	/* the fast paths */
	uint32_t mask;			/* ring_depth - 1 */
	uint32_t max_msg;
	uint32_t units;			/* the pool in KIPC_CHAN_MSG_ALIGN units */
	uint32_t cursor;		/* where the next loan is tried */
	uint32_t nr_free;		/* ids in free_ids */
	uint32_t tail_priv;		/* our copy of the send ring tail */
	int error;			/* sticky: the channel is unusable */
	bool is_blocked;
	uint64_t *bitmap;		/* units in use */
	uint32_t *free_ids;
	uint64_t *slots;		/* by buffer id: kipc_chan__slot() */
	struct kipc_chan_desc *ring;
	uint8_t *pool;
	uint32_t *tail;			/* TX area, ours */
	uint64_t *msgs;
	uint64_t *bytes;
	const uint32_t *rx_flags;	/* flags area, read-only */
	const uint32_t *tx_state;	/* RX area, read-only */
	/* the rest */
	int fd;
	uint32_t depth;
	uint64_t id;
	uint64_t pool_size;
	uint32_t *rel_head;
	uint32_t *blocked;
	const uint32_t *rel_tail;	/* RX area, read-only */
	const uint32_t *rel_ring;
	uint32_t rel_head_priv;
	int64_t spin_ns;		/* spin before sleeping */
	void *tx_map;
	void *rx_map;
	void *flags_map;
	struct kipc_chan_layout layout;
	void *reserved[4];
};

/* Two channels, one each way: request/response between two processes. */
struct kipc_chan_duplex {
	struct kipc_chan_rx rx;
	struct kipc_chan_tx tx;
};

/* Channels: creation and limits */
int kipc_chan_create(const struct kipc *k, const struct kipc_chan_params *p,
		     int *rx_fd, int *connector_fd);
int kipc_chan_limits(const struct kipc *k, struct kipc_chan_limits *limits);

/* The receiver */
int kipc_chan_rx_open(struct kipc_chan_rx *rx, int fd);
void kipc_chan_rx_close(struct kipc_chan_rx *rx);
int kipc_chan_recv_batch(struct kipc_chan_rx *rx, struct kipc_chan_msg *msgs,
			 unsigned int n);
int kipc_chan_recv_wait(struct kipc_chan_rx *rx, struct kipc_chan_msg *msgs,
			unsigned int n, int64_t timeout_ns);
int kipc_chan_release_batch(struct kipc_chan_rx *rx,
			    const struct kipc_chan_msg *msgs, unsigned int n);
int kipc_chan_rx_wait(struct kipc_chan_rx *rx, int64_t timeout_ns);
int kipc_chan_rx_arm(struct kipc_chan_rx *rx);
void kipc_chan_rx_set_spin(struct kipc_chan_rx *rx, int64_t spin_ns);
int kipc_chan_sender_info(const struct kipc_chan_rx *rx, uint64_t sender,
			  struct kipc_chan_sender_info *info);
int kipc_chan_disconnect(struct kipc_chan_rx *rx, uint64_t sender);

/* A sender */
int kipc_chan_connect(struct kipc_chan_tx *tx, int connector_fd);
int kipc_chan_tx_open(struct kipc_chan_tx *tx, int fd);
void kipc_chan_tx_close(struct kipc_chan_tx *tx);
int kipc_chan_loan_batch(struct kipc_chan_tx *tx, size_t size,
			 struct kipc_chan_buf *bufs, unsigned int n);
int kipc_chan_loan_wait(struct kipc_chan_tx *tx, size_t size,
			struct kipc_chan_buf *buf, int64_t timeout_ns);
int kipc_chan_send_batch(struct kipc_chan_tx *tx,
			 const struct kipc_chan_buf *bufs, unsigned int n);
int kipc_chan_unloan(struct kipc_chan_tx *tx, const struct kipc_chan_buf *buf);
int kipc_chan_tx_wait(struct kipc_chan_tx *tx, int64_t timeout_ns);
int kipc_chan_tx_arm(struct kipc_chan_tx *tx);
void kipc_chan_tx_set_spin(struct kipc_chan_tx *tx, int64_t spin_ns);

/* Request/response */
int kipc_chan_duplex_pair(const struct kipc *k,
			  const struct kipc_chan_params *p,
			  struct kipc_chan_duplex *local, int peer_fds[2]);
int kipc_chan_duplex_open(struct kipc_chan_duplex *d, int rx_fd,
			  int connector_fd);
void kipc_chan_duplex_close(struct kipc_chan_duplex *d);

/*
 * By name: the receiver serves a door with kipc_chan_publish_handler
 * (argument: a pointer to the connector's fd) and attaches it to a path;
 * a sender connects through the door or the path.
 */
struct kipc_door_request;
void kipc_chan_publish_handler(struct kipc_door_request *req, void *arg);
int kipc_chan_connect_door(struct kipc_chan_tx *tx, int door,
			   int64_t timeout_ns);
int kipc_chan_connect_path(struct kipc_chan_tx *tx, const char *path,
			   int64_t timeout_ns);

/* Private helpers of the inline functions below. */
int kipc_chan__notify(struct kipc_chan_tx *tx);
void kipc_chan__trim(struct kipc_chan_tx *tx, uint64_t *s, uint32_t len);
int kipc_chan__wake_tx(struct kipc_chan_rx *rx, struct kipc_chan_peer *p);
void kipc_chan__peer_idle(struct kipc_chan_rx *rx, struct kipc_chan_peer *p);

#define KIPC_CHAN_PEER_CLOSED	(1U << 0)	/* the sender is gone */
#define KIPC_CHAN_PEER_CUT	(1U << 1)	/* garbage, or disconnected */
#define KIPC_CHAN_PEER_DETACHED	(1U << 2)	/* out of the kernel's table */
#define KIPC_CHAN_PEER_UNUSED	(1U << 3)	/* a free entry (id 0) */

#define KIPC_CHAN_SLOT_FREE	0U
#define KIPC_CHAN_SLOT_LOANED	1U
#define KIPC_CHAN_SLOT_SENT	2U
#define KIPC_CHAN_SLOT_STATE	3U	/* the state's bits */

/*
 * Private: a buffer's bookkeeping word.  Its start in the pool (bytes) is
 * the high half; its size (bytes, a multiple of KIPC_CHAN_MSG_ALIGN, so
 * the low bits are free) and its state share the low half.  Pools are at
 * most KIPC_CHAN_POOL_MAX bytes: both fit.
 */
static inline uint64_t kipc_chan__slot(uint32_t start, uint32_t size,
				       uint32_t state)
{
	return (uint64_t)start << 32 | size | state;
}

static inline uint32_t kipc_chan__slot_start(uint64_t s)
{
	return (uint32_t)(s >> 32);
}

static inline uint32_t kipc_chan__slot_size(uint64_t s)
{
	return (uint32_t)s & ~(uint32_t)(KIPC_CHAN_MSG_ALIGN - 1);
}

static inline uint32_t kipc_chan__slot_state(uint64_t s)
{
	return (uint32_t)s & KIPC_CHAN_SLOT_STATE;
}

static inline int kipc_chan_rx_fd(const struct kipc_chan_rx *rx)
{
	return rx->fd;
}

static inline int kipc_chan_tx_fd(const struct kipc_chan_tx *tx)
{
	return tx->fd;
}

/*
 * Receive one message without waiting: 1 and *msg filled, 0 at the end of
 * the channel, -EAGAIN when there is nothing now, or -errno.  The fast path
 * takes a message the library already knows is there; everything else is
 * kipc_chan_recv_batch().
 */
static inline int kipc_chan_recv(struct kipc_chan_rx *rx,
				 struct kipc_chan_msg *msg)
{
	uint32_t idx = rx->cursor, h, off, len;
	const struct kipc_chan_desc *d;
	struct kipc_chan_peer *p;

	if (idx >= rx->nr_peers)
		return kipc_chan_recv_batch(rx, msg, 1);
	p = &rx->peers[idx];
	h = p->head_priv;
	if (p->flags)
		return kipc_chan_recv_batch(rx, msg, 1);
	if (h == p->tail_seen) {
		/* Caught up with what we saw: look again. */
		uint32_t t = __atomic_load_n(p->tail, __ATOMIC_ACQUIRE);

		if (t == h || t - h > rx->depth)
			return kipc_chan_recv_batch(rx, msg, 1);
		p->tail_seen = t;
	}
	/* Each field once: the sender may change them under us. */
	d = &p->ring[h & rx->mask];
	off = __atomic_load_n(&d->offset, __ATOMIC_RELAXED);
	len = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
	if ((len > rx->max_msg) | ((uint64_t)off + len > rx->pool_size))
		return kipc_chan_recv_batch(rx, msg, 1);
	msg->data = p->pool + off;
	msg->len = len;
	msg->id = __atomic_load_n(&d->id, __ATOMIC_RELAXED);
	msg->sender = p->id;
	msg->peer = idx;
	p->head_priv = h + 1;
	__atomic_store_n(p->head, h + 1, __ATOMIC_RELEASE);
	if (++idx == rx->nr_peers)
		idx = 0;
	rx->cursor = idx;
	return 1;
}

/* Give a received message's buffer back to its sender. */
static inline int kipc_chan_release(struct kipc_chan_rx *rx,
				    const struct kipc_chan_msg *msg)
{
	struct kipc_chan_peer *p;
	uint32_t rt;

	if (msg->peer >= rx->nr_peers)
		return -EINVAL;
	p = &rx->peers[msg->peer];
	rt = p->rel_tail_priv;
	/* Never more releases than messages received from that sender. */
	if ((p->id != msg->sender) | (rt == p->head_priv))
		return -EINVAL;
	__atomic_store_n(&p->rel_ring[rt & rx->mask], msg->id,
			 __ATOMIC_RELAXED);
	p->rel_tail_priv = ++rt;
	/* Our reads of the payload before the tail... */
	__atomic_store_n(p->rel_tail, rt, __ATOMIC_RELEASE);
	/* ...and the tail before the sender's wakeup flag. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(p->tx_wakeup, __ATOMIC_RELAXED))
		kipc_chan__wake_tx(rx, p);
	if (p->flags && rt == p->head_priv)
		kipc_chan__peer_idle(rx, p);
	return 0;
}

/*
 * Loan one buffer of @size bytes without waiting: 0 and *buf filled,
 * -EAGAIN when the pool or the ring is full, or -errno.  The fast path
 * takes the units right after the previous loan when they are free;
 * everything else (searching the pool, taking back what the receiver
 * released, the kernel's word that the receiver is gone or cut this sender
 * off, errors) is kipc_chan_loan_batch().
 */
static inline int kipc_chan_loan(struct kipc_chan_tx *tx, size_t size,
				 struct kipc_chan_buf *buf)
{
	uint32_t n, c = tx->cursor, bit = c & 63, id, start;
	uint64_t used, *word;
	int ret;

	/*
	 * Conditions joined with | rather than ||: one branch instead of
	 * five, which counts where instructions are emulated.
	 */
	if ((size > tx->max_msg) | (tx->nr_free == 0) | tx->is_blocked |
	    (tx->error != 0) |
	    (__atomic_load_n(tx->tx_state, __ATOMIC_RELAXED) != 0))
		goto slow;
	n = size ? (uint32_t)((size + KIPC_CHAN_MSG_ALIGN - 1) /
			      KIPC_CHAN_MSG_ALIGN) : 1;
	if ((n > 64 - bit) | (n > tx->units - c))
		goto slow;
	used = (n == 64 ? ~0ULL : (1ULL << n) - 1) << bit;
	word = &tx->bitmap[c / 64];
	if (*word & used)
		goto slow;
	*word |= used;
	id = tx->free_ids[--tx->nr_free];
	start = c * KIPC_CHAN_MSG_ALIGN;
	tx->slots[id] = kipc_chan__slot(start, n * KIPC_CHAN_MSG_ALIGN,
					KIPC_CHAN_SLOT_LOANED);
	buf->data = tx->pool + start;
	buf->len = (uint32_t)size;
	buf->cap = n * KIPC_CHAN_MSG_ALIGN;
	buf->id = id;
	tx->cursor = c + n == tx->units ? 0 : c + n;
	return 0;
slow:
	ret = kipc_chan_loan_batch(tx, size, buf, 1);
	return ret < 0 ? ret : 0;
}

/* Send a loaned buffer's first buf->len bytes. */
static inline int kipc_chan_send(struct kipc_chan_tx *tx,
				 const struct kipc_chan_buf *buf)
{
	struct kipc_chan_desc *d;
	uint64_t *s, slot;
	uint32_t flags;

	s = &tx->slots[buf->id & tx->mask];
	slot = *s;
	if ((buf->id > tx->mask) |
	    (kipc_chan__slot_state(slot) != KIPC_CHAN_SLOT_LOANED) |
	    (buf->len > kipc_chan__slot_size(slot)))
		return -EINVAL;
	if (tx->error)
		return tx->error;
	/* Units not needed go back to the pool at once. */
	if (buf->len + KIPC_CHAN_MSG_ALIGN <= kipc_chan__slot_size(slot)) {
		kipc_chan__trim(tx, s, buf->len);
		slot = *s;
	}
	*s = slot + (KIPC_CHAN_SLOT_SENT - KIPC_CHAN_SLOT_LOANED);
	/* (The descriptor's reserved word is zero and stays so.) */
	d = &tx->ring[tx->tail_priv & tx->mask];
	d->offset = kipc_chan__slot_start(slot);
	d->len = buf->len;
	d->id = buf->id;
	/* The payload and the descriptor before the tail... */
	__atomic_store_n(tx->tail, ++tx->tail_priv, __ATOMIC_RELEASE);
	*tx->msgs += 1;
	*tx->bytes += buf->len;
	/* ...and the tail before the receiver's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = __atomic_load_n(tx->rx_flags, __ATOMIC_RELAXED) |
		__atomic_load_n(tx->tx_state, __ATOMIC_RELAXED);
	if (flags)
		return kipc_chan__notify(tx);
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_KIPC_CHANNEL_H */
