// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: a sender endpoint of a channel.
 *
 * The sender owns its pool.  It hands out buffers made of 64-byte units
 * (KIPC_CHAN_MSG_ALIGN), tracked in a bitmap: first the units right after
 * the previous loan (next fit), then, when those are taken, again after
 * taking back what the receiver released (in a stream that is where the
 * room is), and only then by a search of the pool.  It gets buffers back by
 * id on its release ring, in any order: what the receiver releases is free
 * again as soon as the sender looks, whatever it still holds.  A buffer's id
 * names its bookkeeping (a word, kipc_chan__slot()); at most ring_depth ids
 * exist, which keeps the send ring from overflowing.  The bookkeeping is
 * private to the process, so the receiver can only return ids: each is
 * checked against it, and one that was not sent is ignored.
 */
#define _FILE_OFFSET_BITS 64	/* mmap offsets beyond 2 GiB on 32-bit */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc.h"
#include "channel_priv.h"

/* Units of KIPC_CHAN_MSG_ALIGN bytes @size takes; at least one. */
static uint32_t kipc_chan_units(size_t size)
{
	return size ? (uint32_t)((size + KIPC_CHAN_MSG_ALIGN - 1) /
				 KIPC_CHAN_MSG_ALIGN) : 1;
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
	free(tx->free_ids);
	free(tx->bitmap);
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
	tx->spin_ns = kipc_chan_default_spin();
	tx->id = id;
	tx->depth = l->ring_depth;
	tx->mask = l->ring_depth - 1;
	tx->max_msg = l->max_msg;
	tx->pool_size = l->pool_size;
	tx->units = (uint32_t)(l->pool_size / KIPC_CHAN_MSG_ALIGN);
	tx->slots = calloc(tx->depth, sizeof(*tx->slots));
	tx->free_ids = calloc(tx->depth, sizeof(*tx->free_ids));
	tx->bitmap = calloc((tx->units + 63) / 64, sizeof(*tx->bitmap));
	if (!tx->slots || !tx->free_ids || !tx->bitmap) {
		ret = -ENOMEM;
		goto err;
	}
	/* Ids are handed out lowest first. */
	for (uint32_t i = 0; i < tx->depth; i++)
		tx->free_ids[i] = tx->depth - 1 - i;
	tx->nr_free = tx->depth;

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

/* The bits of one bitmap word for @n units from bit @bit (@bit + @n <= 64). */
static inline uint64_t kipc_chan_bits(uint32_t bit, uint32_t n)
{
	return (n == 64 ? ~0ULL : (1ULL << n) - 1) << bit;
}

/* Mark units [@start, @start + @n) used (@set) or free. */
static inline void kipc_chan_mark(uint64_t *bitmap, uint32_t start,
				  uint32_t n, bool set)
{
	while (n) {
		uint32_t bit = start % 64, len = 64 - bit < n ? 64 - bit : n;
		uint64_t m = kipc_chan_bits(bit, len);

		if (set)
			bitmap[start / 64] |= m;
		else
			bitmap[start / 64] &= ~m;
		start += len;
		n -= len;
	}
}

/* The first run of @need free units in [@from, @to), or @to. */
static uint32_t kipc_chan_find(const uint64_t *bitmap, uint32_t from,
			       uint32_t to, uint32_t need)
{
	uint32_t i = from, run = 0;

	while (i < to) {
		uint64_t w = bitmap[i / 64];

		if (!(i % 64) && to - i >= 64 && (w == ~0ULL || !w)) {
			/* A whole word at once. */
			run = w ? 0 : run + 64;
			i += 64;
		} else {
			run = (w >> (i % 64)) & 1 ? 0 : run + 1;
			i++;
		}
		if (run >= need)
			return i - run;
	}
	return to;
}

/* Carve @size bytes out of the pool; false when there is no room. */
static bool kipc_chan_alloc(struct kipc_chan_tx *tx, size_t size,
			    struct kipc_chan_buf *buf)
{
	uint32_t n = kipc_chan_units(size), start, id;

	if (!tx->nr_free || n > tx->units)
		return false;
	/* Next fit: after the previous loan, then from the start. */
	start = kipc_chan_find(tx->bitmap, tx->cursor, tx->units, n);
	if (start == tx->units) {
		start = kipc_chan_find(tx->bitmap, 0, tx->cursor + n - 1 <
					tx->units ? tx->cursor + n - 1 :
					tx->units, n);
		if (start + n > tx->units || start >= tx->cursor)
			return false;
	}
	kipc_chan_mark(tx->bitmap, start, n, true);
	id = tx->free_ids[--tx->nr_free];
	tx->slots[id] = kipc_chan__slot(start * KIPC_CHAN_MSG_ALIGN,
					n * KIPC_CHAN_MSG_ALIGN,
					KIPC_CHAN_SLOT_LOANED);
	buf->data = tx->pool + start * KIPC_CHAN_MSG_ALIGN;
	buf->cap = n * KIPC_CHAN_MSG_ALIGN;
	buf->id = id;
	buf->reserved = 0;
	tx->cursor = start + n == tx->units ? 0 : start + n;
	return true;
}

/* How many units from @start on are free, @limit at most. */
static uint32_t kipc_chan_free_at(const uint64_t *bitmap, uint32_t start,
				  uint32_t limit)
{
	uint32_t got = 0;

	while (got < limit) {
		uint32_t at = start + got, left = 64 - at % 64;
		uint64_t w = bitmap[at / 64] >> (at % 64);

		/* (The word's high bits shift in as zeros: free.) */
		if (w) {
			got += (uint32_t)__builtin_ctzll(w);
			break;
		}
		got += left;
	}
	return got < limit ? got : limit;
}

/*
 * Streaming's common case: the next loans fit one after the other right
 * at the cursor.  Carve as many of @n as do at once (exactly what as many
 * calls of kipc_chan_alloc() would do, with one look at the bitmap); 0
 * when not even one does.
 */
static unsigned int kipc_chan_alloc_run(struct kipc_chan_tx *tx, size_t size,
					struct kipc_chan_buf *bufs,
					unsigned int n)
{
	uint32_t each = kipc_chan_units(size), c = tx->cursor;
	uint32_t bytes = each * KIPC_CHAN_MSG_ALIGN;
	uint32_t *ids = tx->free_ids + tx->nr_free;
	uint64_t total, slot, step = (uint64_t)bytes << 32;
	uint8_t *data;

	if (n > tx->nr_free)
		n = tx->nr_free;
	total = (uint64_t)n * each;
	if (total > tx->units - c)
		total = tx->units - c;
	n = kipc_chan_free_at(tx->bitmap, c, (uint32_t)total) / each;
	if (!n)
		return 0;
	total = (uint64_t)n * each;
	kipc_chan_mark(tx->bitmap, c, (uint32_t)total, true);
	/* The words and pointers step along the run. */
	slot = kipc_chan__slot(c * KIPC_CHAN_MSG_ALIGN, bytes,
			       KIPC_CHAN_SLOT_LOANED);
	data = tx->pool + c * KIPC_CHAN_MSG_ALIGN;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t id = *--ids;

		tx->slots[id] = slot;
		bufs[i].data = data;
		bufs[i].len = (uint32_t)size;
		bufs[i].cap = bytes;
		bufs[i].id = id;
		slot += step;
		data += bytes;
	}
	tx->nr_free -= n;
	c += (uint32_t)total;
	tx->cursor = c == tx->units ? 0 : c;
	return n;
}

/* Give the buffer of @id back to the pool. */
static void kipc_chan_free_id(struct kipc_chan_tx *tx, uint32_t id)
{
	uint64_t slot = tx->slots[id];
	uint32_t first = kipc_chan__slot_start(slot) / KIPC_CHAN_MSG_ALIGN;
	uint32_t n = kipc_chan__slot_size(slot) / KIPC_CHAN_MSG_ALIGN;

	kipc_chan_mark(tx->bitmap, first, n, false);
	tx->slots[id] = slot & ~(uint64_t)KIPC_CHAN_SLOT_STATE;
	tx->free_ids[tx->nr_free++] = id;
	/* Keep the pool compact: reuse the newest room, start over empty. */
	if (tx->nr_free == tx->depth)
		tx->cursor = 0;
	else if (tx->cursor == (first + n == tx->units ? 0 : first + n))
		tx->cursor = first;
}

void kipc_chan__trim(struct kipc_chan_tx *tx, uint64_t *s, uint32_t len)
{
	uint32_t first = kipc_chan__slot_start(*s) / KIPC_CHAN_MSG_ALIGN;
	uint32_t keep = kipc_chan_units(len);
	uint32_t n = kipc_chan__slot_size(*s) / KIPC_CHAN_MSG_ALIGN;

	kipc_chan_mark(tx->bitmap, first + keep, n - keep, false);
	/* The newest loan: the next one follows what is kept. */
	if (tx->cursor == (first + n == tx->units ? 0 : first + n))
		tx->cursor = first + keep;
	*s = kipc_chan__slot(first * KIPC_CHAN_MSG_ALIGN,
			     keep * KIPC_CHAN_MSG_ALIGN, kipc_chan__slot_state(*s));
}

/*
 * Free units [@first, @end) of buffers just taken back.  When they end
 * where the next loan would start, that loan starts at @first instead:
 * the pool stays compact.
 */
static __attribute__((noinline))
void kipc_chan_free_run(struct kipc_chan_tx *tx, uint32_t first, uint32_t end)
{
	if (first == end)
		return;
	kipc_chan_mark(tx->bitmap, first, end - first, false);
	if (tx->cursor == (end == tx->units ? 0 : end))
		tx->cursor = first;
}

/*
 * Take back what the receiver released.  Returns how many buffers came
 * back, or -EPROTO (sticky) when the receiver's release ring is garbage.
 * Buffers released in the order they were loaned lie one after the other
 * in the pool: each such run is freed at once.
 */
static int kipc_chan_reclaim(struct kipc_chan_tx *tx)
{
	uint32_t tail, n, head = tx->rel_head_priv, nr_free = tx->nr_free;
	/* In locals: the stores below could alias them (see send_batch). */
	const uint32_t *rel_ring = tx->rel_ring;
	uint32_t mask = tx->mask, *free_ids = tx->free_ids;
	uint64_t *slots = tx->slots;
	/* The run being gathered; none yet (no unit is numbered so). */
	uint32_t first = UINT32_MAX, end = UINT32_MAX;
	int got;

	tail = __atomic_load_n(tx->rel_tail, __ATOMIC_ACQUIRE);
	n = tail - head;
	if (!n)
		return 0;
	if (n > tx->depth) {
		tx->error = -EPROTO;
		return -EPROTO;
	}
	for (; head != tail; head++) {
		uint32_t id = __atomic_load_n(&rel_ring[head & mask],
					      __ATOMIC_RELAXED);
		uint64_t slot = slots[id & mask];
		uint32_t start;

		/*
		 * Only what was sent and not yet returned comes back.  (One
		 * branch where two would do: under emulation each costs.)
		 */
		if ((id > mask) |
		    (kipc_chan__slot_state(slot) != KIPC_CHAN_SLOT_SENT))
			continue;
		slots[id] = slot - KIPC_CHAN_SLOT_SENT;	/* now free */
		free_ids[nr_free++] = id;
		start = kipc_chan__slot_start(slot) / KIPC_CHAN_MSG_ALIGN;
		if (start != end) {
			kipc_chan_free_run(tx, first, end);
			first = start;
			end = start;
		}
		/* (The state's bits fall off: they are below one unit.) */
		end += (uint32_t)slot / KIPC_CHAN_MSG_ALIGN;
	}
	kipc_chan_free_run(tx, first, end);
	got = (int)(nr_free - tx->nr_free);
	tx->nr_free = nr_free;
	/* All back: start over at the beginning of the pool. */
	if (nr_free == tx->depth)
		tx->cursor = 0;
	tx->rel_head_priv = tail;
	__atomic_store_n(tx->rel_head, tail, __ATOMIC_RELEASE);
	return got;
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
	int ret;

	if (!n)
		return -EINVAL;
	if (size > tx->max_msg)
		return -EMSGSIZE;
	ret = kipc_chan_tx_broken(tx);
	if (ret)
		return ret;
	while (got < n) {
		unsigned int run = kipc_chan_alloc_run(tx, size, bufs + got,
						       n - got);

		if (run) {
			got += run;
			continue;
		}
		/*
		 * No room at the cursor.  In a stream, what the receiver gave
		 * back is right there: take it back before searching the pool
		 * (a search of a full pool is the slow way to learn that).
		 */
		if (!reclaimed) {
			reclaimed = true;
			ret = kipc_chan_reclaim(tx);
			if (ret < 0)
				return got ? (int)got : ret;
			if (ret)
				continue;
		}
		if (!kipc_chan_alloc(tx, size, &bufs[got]))
			break;
		bufs[got++].len = (uint32_t)size;
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
	/*
	 * In locals: the stores into the ring and the words could alias
	 * them, and the compiler would load them again every message.
	 */
	struct kipc_chan_desc *ring = tx->ring;
	uint32_t mask = tx->mask, tail = tx->tail_priv;
	uint64_t *slots = tx->slots, bytes = 0;
	bool trim = false;
	uint32_t flags;
	unsigned int i;

	if (n == 1)
		return kipc_chan_send(tx, bufs);
	if (!n)
		return -EINVAL;
	if (tx->error)
		return tx->error;
	/*
	 * Check, claim and describe them all (a buffer given twice fails),
	 * or none: descriptors past the tail are not the receiver's to see
	 * until the tail moves, so a failure leaves only states to undo.
	 */
	for (i = 0; i < n; i++) {
		struct kipc_chan_desc *d = &ring[(tail + i) & mask];
		uint32_t id = bufs[i].id, len = bufs[i].len, size;
		uint64_t slot = slots[id & mask];

		/* The size, if the state is LOANED (else we stop anyway). */
		size = (uint32_t)slot - KIPC_CHAN_SLOT_LOANED;
		if ((id > mask) |
		    (kipc_chan__slot_state(slot) != KIPC_CHAN_SLOT_LOANED) |
		    (len > size))
			break;
		slots[id] = slot + (KIPC_CHAN_SLOT_SENT - KIPC_CHAN_SLOT_LOANED);
		trim |= size - len >= KIPC_CHAN_MSG_ALIGN;
		/* (The descriptor's reserved word is zero and stays so.) */
		d->offset = kipc_chan__slot_start(slot);
		d->len = len;
		d->id = id;
		bytes += len;
	}
	if (i < n) {
		while (i--)
			slots[bufs[i].id] -= KIPC_CHAN_SLOT_SENT -
					     KIPC_CHAN_SLOT_LOANED;
		return -EINVAL;
	}
	/*
	 * Units not needed go back to the pool at once (a descriptor's
	 * offset stays: a trimmed buffer keeps its start).
	 */
	for (i = 0; trim && i < n; i++) {
		uint64_t *s = &slots[bufs[i].id];

		if (bufs[i].len + KIPC_CHAN_MSG_ALIGN <=
		    kipc_chan__slot_size(*s))
			kipc_chan__trim(tx, s, bufs[i].len);
	}
	tx->tail_priv = tail + n;
	__atomic_store_n(tx->tail, tail + n, __ATOMIC_RELEASE);
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
	if (buf->id >= tx->depth ||
	    kipc_chan__slot_state(tx->slots[buf->id]) != KIPC_CHAN_SLOT_LOANED)
		return -EINVAL;
	kipc_chan_free_id(tx, buf->id);
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
