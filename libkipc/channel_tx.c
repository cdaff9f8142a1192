// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: a sender endpoint of a channel.
 *
 * The sender owns its pool.  It hands out buffers in allocation order,
 * like a circular log, and gets them back by id on its release ring, in any
 * order; space is reused once everything allocated before it came back.  A
 * buffer's id is the sequence number of its loan; at most ring_depth loans
 * are out at once, which keeps the send ring from overflowing and makes
 * id & (ring_depth - 1) name the loan's bookkeeping (struct kipc_chan_slot).
 * That bookkeeping is private to the process, so the receiver can only
 * return ids: each is checked against it, and one that is not out, or was
 * not sent, is ignored.
 */
#define _FILE_OFFSET_BITS 64	/* mmap offsets beyond 2 GiB on 32-bit */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc.h"
#include "channel_priv.h"

static uint32_t kipc_chan_round(size_t size)
{
	if (!size)
		return KIPC_CHAN_MSG_ALIGN;
	return (uint32_t)((size + KIPC_CHAN_MSG_ALIGN - 1) &
			  ~(size_t)(KIPC_CHAN_MSG_ALIGN - 1));
}

static void kipc_chan_tx_free(struct kipc_chan_tx *tx)
{
	const struct kipc_chan_layout *l = &tx->layout;

	if (tx->tx_map)
		munmap(tx->tx_map, l->tx_size);
	if (tx->rx_map)
		munmap(tx->rx_map, l->rx_size);
	if (tx->flags_map)
		munmap(tx->flags_map, l->flags_size);
	free(tx->slots);
}

static int kipc_chan_tx_attach(struct kipc_chan_tx *tx, int fd,
			       const struct kipc_chan_layout *l, uint64_t id)
{
	int ret;

	memset(tx, 0, sizeof(*tx));
	tx->fd = -1;
	ret = kipc_chan_check_layout(l);
	if (ret)
		return ret;
	tx->layout = *l;
	tx->spin_ns = KIPC_CHAN_SPIN_DEFAULT_NS;
	tx->id = id;
	tx->depth = l->ring_depth;
	tx->mask = l->ring_depth - 1;
	tx->max_msg = l->max_msg;
	tx->pool_size = (uint32_t)l->pool_size;
	tx->slots = calloc(tx->depth, sizeof(*tx->slots));
	if (!tx->slots)
		return -ENOMEM;

	/* The TX area first: this attaches the endpoint to this process. */
	tx->tx_map = kipc_chan_mmap(fd, l->tx_mmap, l->tx_size,
				    PROT_READ | PROT_WRITE, &ret);
	if (!tx->tx_map)
		goto err;
	tx->rx_map = kipc_chan_mmap(fd, l->rx_mmap, l->rx_size, PROT_READ,
				    &ret);
	if (!tx->rx_map)
		goto err;
	tx->flags_map = kipc_chan_mmap(fd, l->flags_mmap, l->flags_size,
				       PROT_READ, &ret);
	if (!tx->flags_map)
		goto err;

	tx->tail = kipc_chan_at(tx->tx_map, l->tx_tail);
	tx->rel_head = kipc_chan_at(tx->tx_map, l->tx_release_head);
	tx->blocked = kipc_chan_at(tx->tx_map, l->tx_blocked);
	tx->msgs = kipc_chan_at(tx->tx_map, l->tx_msgs);
	tx->bytes = kipc_chan_at(tx->tx_map, l->tx_bytes);
	tx->ring = kipc_chan_at(tx->tx_map, l->tx_ring);
	tx->pool = kipc_chan_at(tx->tx_map, l->tx_pool);
	tx->rel_tail = kipc_chan_at(tx->rx_map, l->rx_release_tail);
	tx->rel_ring = kipc_chan_at(tx->rx_map, l->rx_ring);
	tx->tx_state = kipc_chan_at(tx->rx_map, l->rx_state);
	tx->rx_flags = kipc_chan_at(tx->flags_map, l->flags_rx);
	/* A TX area is mapped once, when fresh: everything starts at zero. */
	tx->fd = fd;
	return 0;

err:
	kipc_chan_tx_free(tx);
	memset(tx, 0, sizeof(*tx));
	tx->fd = -1;
	return ret;
}

int kipc_chan_connect(struct kipc_chan_tx *tx, int connector_fd)
{
	struct kipc_chan_connect c;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = kipc_chan_ioctl(connector_fd, KIPC_CHAN_IOC_CONNECT, &c);
	if (ret)
		return ret == -ENOTTY ? -EINVAL : ret;
	ret = kipc_chan_tx_attach(tx, c.fd, &c.layout, c.sender_id);
	if (ret)
		close(c.fd);
	return ret;
}

int kipc_chan_tx_open(struct kipc_chan_tx *tx, int fd)
{
	struct kipc_chan_info info;
	int ret;

	memset(&info, 0, sizeof(info));
	ret = kipc_chan_ioctl(fd, KIPC_CHAN_IOC_INFO, &info);
	if (ret)
		return ret == -ENOTTY ? -EINVAL : ret;
	if (info.role != KIPC_CHAN_ROLE_SENDER)
		return -EINVAL;
	return kipc_chan_tx_attach(tx, fd, &info.layout, info.sender_id);
}

void kipc_chan_tx_close(struct kipc_chan_tx *tx)
{
	kipc_chan_tx_free(tx);
	if (tx->fd >= 0)
		close(tx->fd);
	memset(tx, 0, sizeof(*tx));
	tx->fd = -1;
}

/* Whether @id names a loan not back yet. */
static bool kipc_chan_out(const struct kipc_chan_tx *tx, uint32_t id)
{
	return id - tx->lfloor < tx->lseq - tx->lfloor;
}

/*
 * Carve @need bytes out of the pool; false when they are not there.  Loans
 * are laid out in the order they are made, wrapping around at the end of
 * the pool: in use is [pool_head, pool_tail), or [pool_head, end) and
 * [0, pool_tail) once wrapped.
 */
static bool kipc_chan_alloc(struct kipc_chan_tx *tx, uint32_t need,
			    struct kipc_chan_buf *buf)
{
	bool empty = tx->lseq == tx->lfloor;
	struct kipc_chan_slot *s;
	uint32_t start;

	if (tx->lseq - tx->lfloor > tx->mask)
		return false;
	if (empty)
		tx->pool_head = tx->pool_tail = 0;
	if (empty || tx->pool_tail > tx->pool_head) {
		if (tx->pool_size - tx->pool_tail >= need)
			start = tx->pool_tail;
		else if (tx->pool_head >= need)
			start = 0;
		else
			return false;
	} else {
		if (tx->pool_head - tx->pool_tail < need)
			return false;
		start = tx->pool_tail;
	}
	s = &tx->slots[tx->lseq & tx->mask];
	s->start = start;
	s->size = need;
	s->state = KIPC_CHAN_SLOT_LOANED;
	buf->data = tx->pool + start;
	buf->cap = need;
	buf->id = tx->lseq++;
	buf->reserved = 0;
	tx->pool_tail = start + need;
	return true;
}

/* The oldest loans came back: their space can be reused. */
static void kipc_chan_advance(struct kipc_chan_tx *tx)
{
	while (tx->lfloor != tx->lseq) {
		struct kipc_chan_slot *s = &tx->slots[tx->lfloor & tx->mask];

		if (s->state != KIPC_CHAN_SLOT_DONE)
			break;
		s->state = KIPC_CHAN_SLOT_FREE;
		tx->lfloor++;
	}
	if (tx->lfloor == tx->lseq)
		tx->pool_head = tx->pool_tail = 0;
	else
		tx->pool_head = tx->slots[tx->lfloor & tx->mask].start;
}

/*
 * Take back what the receiver released.  Returns how many buffers came
 * back, or -EPROTO (sticky) when the receiver's release ring is garbage.
 */
static int kipc_chan_reclaim(struct kipc_chan_tx *tx)
{
	uint32_t tail, n, got = 0;

	tail = __atomic_load_n(tx->rel_tail, __ATOMIC_ACQUIRE);
	n = tail - tx->rel_head_priv;
	if (!n)
		return 0;
	if (n > tx->depth) {
		tx->error = -EPROTO;
		return -EPROTO;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = __atomic_load_n(&tx->rel_ring[(tx->rel_head_priv +
							     i) & tx->mask],
					      __ATOMIC_RELAXED);
		struct kipc_chan_slot *s = &tx->slots[id & tx->mask];

		/* Only what was sent and not yet returned comes back. */
		if (kipc_chan_out(tx, id) && s->state == KIPC_CHAN_SLOT_SENT) {
			s->state = KIPC_CHAN_SLOT_DONE;
			got++;
		}
	}
	tx->rel_head_priv = tail;
	__atomic_store_n(tx->rel_head, tail, __ATOMIC_RELEASE);
	if (got)
		kipc_chan_advance(tx);
	return (int)got;
}

/* The channel is unusable: the receiver left or cut this sender off. */
static int kipc_chan_tx_broken(struct kipc_chan_tx *tx)
{
	uint32_t state;

	if (tx->error)
		return tx->error;
	if (__atomic_load_n(tx->rx_flags, __ATOMIC_RELAXED) &
	    KIPC_CHAN_RX_CLOSED)
		return -EPIPE;
	state = __atomic_load_n(tx->tx_state, __ATOMIC_RELAXED);
	if (state & KIPC_CHAN_TX_DISCONNECTED)
		return -ECONNRESET;
	if (state & (KIPC_CHAN_TX_CLOSED | KIPC_CHAN_TX_RX_CLOSED))
		return -EPIPE;
	return 0;
}

static void kipc_chan_set_blocked(struct kipc_chan_tx *tx, bool blocked)
{
	if (tx->is_blocked == blocked)
		return;
	tx->is_blocked = blocked;
	__atomic_store_n(tx->blocked, blocked ? 1U : 0U, __ATOMIC_RELEASE);
}

int kipc_chan_loan_batch(struct kipc_chan_tx *tx, size_t size,
			 struct kipc_chan_buf *bufs, unsigned int n)
{
	bool reclaimed = false;
	unsigned int got = 0;
	uint32_t need;
	int ret;

	if (!n)
		return -EINVAL;
	if (size > tx->max_msg)
		return -EMSGSIZE;
	ret = kipc_chan_tx_broken(tx);
	if (ret)
		return ret;
	need = kipc_chan_round(size);
	while (got < n) {
		if (kipc_chan_alloc(tx, need, &bufs[got])) {
			bufs[got++].len = (uint32_t)size;
			continue;
		}
		if (reclaimed)
			break;
		reclaimed = true;
		ret = kipc_chan_reclaim(tx);
		if (ret < 0)
			return got ? (int)got : ret;
	}
	if (got) {
		kipc_chan_set_blocked(tx, false);
		return (int)got;
	}
	kipc_chan_set_blocked(tx, true);
	return -EAGAIN;
}

/* Buffers came back, or the channel broke: either way, look. */
static bool kipc_chan_tx_ready(void *arg)
{
	struct kipc_chan_tx *tx = arg;

	return __atomic_load_n(tx->rel_tail, __ATOMIC_ACQUIRE) !=
	       tx->rel_head_priv || kipc_chan_tx_broken(tx);
}

int kipc_chan_loan_wait(struct kipc_chan_tx *tx, size_t size,
			struct kipc_chan_buf *buf, int64_t timeout_ns)
{
	uint64_t deadline = kipc_chan_deadline(timeout_ns);
	int64_t left;
	int ret;

	for (;;) {
		ret = kipc_chan_loan(tx, size, buf);
		if (ret != -EAGAIN || !timeout_ns)
			return ret;
		if (kipc_chan_spin(kipc_chan_tx_ready, tx, tx->spin_ns,
				   timeout_ns, deadline))
			continue;
		left = kipc_chan_remaining(timeout_ns, deadline);
		if (!left)
			return -ETIMEDOUT;
		ret = kipc_chan_wait_ioctl(tx->fd, left);
		if (ret == -ETIMEDOUT) {
			ret = kipc_chan_loan(tx, size, buf);
			return ret == -EAGAIN ? -ETIMEDOUT : ret;
		}
		if (ret)
			return ret;
	}
}

/*
 * After a publication found a flag set: the receiver sleeps (wake it), or
 * the channel broke (the message is lost, say so; later calls too).
 */
int kipc_chan__notify(struct kipc_chan_tx *tx)
{
	int ret = kipc_chan_tx_broken(tx);

	if (ret) {
		tx->error = ret;
		return ret;
	}
	if (!(__atomic_load_n(tx->rx_flags, __ATOMIC_RELAXED) &
	      KIPC_CHAN_RX_NEED_WAKEUP))
		return 0;
	ret = kipc_chan_ioctl(tx->fd, KIPC_CHAN_IOC_WAKE_RX, NULL);
	if (ret == -EPIPE || ret == -ECONNRESET) {
		tx->error = ret;
		return ret;
	}
	return 0;
}

int kipc_chan_send_batch(struct kipc_chan_tx *tx,
			 const struct kipc_chan_buf *bufs, unsigned int n)
{
	uint32_t flags;
	unsigned int i;
	uint64_t bytes = 0;

	if (n == 1)
		return kipc_chan_send(tx, bufs);
	if (!n)
		return -EINVAL;
	if (tx->error)
		return tx->error;
	/*
	 * Check, claim and describe them all (a buffer given twice fails), or
	 * none: descriptors past the tail are not the receiver's to see.
	 */
	for (i = 0; i < n; i++) {
		struct kipc_chan_slot *s = &tx->slots[bufs[i].id & tx->mask];

		if (!kipc_chan_out(tx, bufs[i].id) ||
		    s->state != KIPC_CHAN_SLOT_LOANED || bufs[i].len > s->size)
			break;
		s->state = KIPC_CHAN_SLOT_SENT;
		tx->ring[(tx->tail_priv + i) & tx->mask] =
			(struct kipc_chan_desc){
				.offset = s->start, .len = bufs[i].len,
				.id = bufs[i].id,
			};
		bytes += bufs[i].len;
	}
	if (i < n) {
		while (i--)
			tx->slots[bufs[i].id & tx->mask].state =
				KIPC_CHAN_SLOT_LOANED;
		return -EINVAL;
	}
	tx->tail_priv += n;
	__atomic_store_n(tx->tail, tx->tail_priv, __ATOMIC_RELEASE);
	*tx->msgs += n;
	*tx->bytes += bytes;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = __atomic_load_n(tx->rx_flags, __ATOMIC_RELAXED) |
		__atomic_load_n(tx->tx_state, __ATOMIC_RELAXED);
	if (flags)
		return kipc_chan__notify(tx);
	return 0;
}

int kipc_chan_unloan(struct kipc_chan_tx *tx, const struct kipc_chan_buf *buf)
{
	struct kipc_chan_slot *s = &tx->slots[buf->id & tx->mask];

	if (!kipc_chan_out(tx, buf->id) || s->state != KIPC_CHAN_SLOT_LOANED)
		return -EINVAL;
	if (buf->id != tx->lseq - 1) {
		s->state = KIPC_CHAN_SLOT_DONE;
		kipc_chan_advance(tx);
		return 0;
	}
	/* The newest loan: its space is free again at once. */
	s->state = KIPC_CHAN_SLOT_FREE;
	tx->lseq--;
	if (tx->lseq == tx->lfloor) {
		tx->pool_head = tx->pool_tail = 0;
	} else {
		s = &tx->slots[(tx->lseq - 1) & tx->mask];
		tx->pool_tail = s->start + s->size;
	}
	return 0;
}

int kipc_chan_tx_wait(struct kipc_chan_tx *tx, int64_t timeout_ns)
{
	uint64_t deadline = kipc_chan_deadline(timeout_ns);
	int64_t left;
	int ret;

	if (kipc_chan_spin(kipc_chan_tx_ready, tx, tx->spin_ns, timeout_ns,
			   deadline) || kipc_chan_tx_ready(tx)) {
		ret = kipc_chan_tx_broken(tx);
		return ret ? ret : 0;
	}
	if (!timeout_ns)
		return -EAGAIN;
	left = kipc_chan_remaining(timeout_ns, deadline);
	if (!left)
		return -ETIMEDOUT;
	return kipc_chan_wait_ioctl(tx->fd, left);
}

void kipc_chan_tx_set_spin(struct kipc_chan_tx *tx, int64_t spin_ns)
{
	tx->spin_ns = spin_ns;
}

int kipc_chan_tx_arm(struct kipc_chan_tx *tx)
{
	int ret = kipc_chan_wait_ioctl(tx->fd, 0);

	if (ret == -EAGAIN)
		return 0;
	return ret ? ret : 1;
}
