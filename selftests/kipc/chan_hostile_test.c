// SPDX-License-Identifier: GPL-2.0
/*
 * Channels against hostile peers.  A sender that writes random data into
 * every field of the shared memory it can write (its ring indices, ring
 * entries, flags, counters and pool), and hammers the wakeup ioctl, must
 * not hurt the receiver, the other senders or the kernel: the receiver
 * reports it once (-EBADMSG), cuts it off and goes on; an honest sender's
 * stream arrives intact.  Likewise a receiver that scribbles over its
 * release rings and indices must not crash its senders, which get
 * -EPROTO, -EPIPE or nothing worse.  The debug kernel checks the kernel
 * side of all this.
 */
#include "kselftest_harness.h"
#include "chan_test.h"

#define MAXMSG	(2 << 10)
#define DEPTH	64

static const struct kipc_chan_params params = {
	.pool_size = 64 << 10, .max_msg = MAXMSG, .ring_depth = DEPTH,
};

/* Some values worth trying for a 32-bit field, among random ones. */
static uint32_t nasty(uint64_t *r, uint32_t near)
{
	switch (chan_rand(r) % 8) {
	case 0:
		return 0;
	case 1:
		return ~0U;
	case 2:
		return near + chan_rand(r) % 4;
	case 3:
		return near + DEPTH + chan_rand(r) % 4;
	case 4:
		return near - 1 - chan_rand(r) % 4;
	case 5:
		return 0x80000000U + (uint32_t)chan_rand(r) % 16;
	default:
		return (uint32_t)chan_rand(r);
	}
}

/* Scribble over everything a sender can write, for @ms milliseconds. */
static void scribble_sender(struct kipc_chan_tx *tx, int ms, uint64_t seed)
{
	uint64_t r = seed, until = chan_now_ns() + ms * 1000000ULL;
	uint32_t t = 0;

	while (chan_now_ns() < until) {
		for (int i = 0; i < 64; i++) {
			struct kipc_chan_desc *d = &tx->ring[chan_rand(&r) %
							     DEPTH];

			switch (chan_rand(&r) % 9) {
			case 0:
				t = nasty(&r, t);
				__atomic_store_n(tx->tail, t, __ATOMIC_RELEASE);
				break;
			case 1:
				*tx->rel_head = nasty(&r, 0);
				break;
			case 2:
				*tx->blocked = (uint32_t)chan_rand(&r);
				break;
			case 3:
				*tx->msgs = chan_rand(&r);
				*tx->bytes = chan_rand(&r);
				break;
			case 4:
				d->offset = nasty(&r, params.pool_size -
						  MAXMSG);
				break;
			case 5:
				d->len = nasty(&r, MAXMSG);
				break;
			case 6:
				d->id = nasty(&r, 0);
				d->reserved = (uint32_t)chan_rand(&r);
				break;
			case 7:
				/* A plausible message, now and then. */
				d->offset = chan_rand(&r) % (params.pool_size -
							     64);
				d->len = 64;
				__atomic_store_n(tx->tail, ++t,
						 __ATOMIC_RELEASE);
				break;
			default:
				tx->pool[chan_rand(&r) % params.pool_size] =
					(uint8_t)chan_rand(&r);
				break;
			}
		}
		/* And wake the receiver for nothing, as often as it can. */
		ioctl(tx->fd, KIPC_CHAN_IOC_WAKE_RX, NULL);
	}
}

TEST(hostile_sender)
{
	enum { HONEST = 50000 };
	struct kipc_chan_rx rx;
	struct kipc_chan_msg m;
	uint64_t next = 0, honest_id = 0, t0;
	int conn, bad = 0, garbage = 0, ret;
	pid_t honest, hostile;
	struct kipc k;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &params, &rx, &conn));
	hostile = fork();
	ASSERT_LE(0, hostile);
	if (hostile == 0) {
		struct kipc_chan_tx tx;

		if (kipc_chan_connect(&tx, conn))
			_exit(10);
		close(conn);
		/* Long enough to be noticed and cut off, and then some. */
		scribble_sender(&tx, 3000, getpid());
		_exit(0);
	}
	honest = fork();
	ASSERT_LE(0, honest);
	if (honest == 0) {
		struct kipc_chan_tx tx;

		if (kipc_chan_connect(&tx, conn))
			_exit(10);
		close(conn);
		for (uint64_t i = 0; i < HONEST; i++)
			if (chan_send_stamped(&tx, 24 + i % (MAXMSG - 24), 1, i,
					      10000000000LL))
				_exit(11);
		kipc_chan_tx_close(&tx);
		_exit(0);
	}
	close(conn);
	t0 = chan_now_ns();
	while (next < HONEST) {
		struct chan_stamp st;

		ASSERT_GT(60000000000ULL, chan_now_ns() - t0);
		ret = kipc_chan_recv_wait(&rx, &m, 1, 10000000000LL);
		if (ret == -EBADMSG) {
			bad++;
			continue;
		}
		ASSERT_EQ(1, ret);
		/* Inside our mapping of someone's pool, whoever sent it. */
		ASSERT_LE(m.len, MAXMSG);
		memcpy(&st, m.data, sizeof(st) < m.len ? sizeof(st) : m.len);
		if (m.len >= sizeof(st) && st.sender == 1 &&
		    chan_stamp_ok(m.data, m.len) && st.seq == next) {
			if (!honest_id)
				honest_id = m.sender;
			ASSERT_EQ(honest_id, m.sender);
			next++;
		} else {
			/* Garbage, and only ever from the hostile sender. */
			ASSERT_NE(honest_id, m.sender);
			garbage++;
		}
		ASSERT_EQ(0, kipc_chan_release(&rx, &m));
	}
	EXPECT_EQ(0, chan_wait_child(honest));
	/* The hostile one was noticed, reported once, and cut off. */
	EXPECT_EQ(1, bad);
	EXPECT_EQ(0, chan_wait_child(hostile));
	/* It is gone; the end comes. */
	EXPECT_EQ(0, kipc_chan_recv_wait(&rx, &m, 1, 10000000000LL));
	EXPECT_EQ(0, chan_fdinfo(rx.fd, "senders"));
	TH_LOG("%lu honest messages; %d garbage ones before the cut",
	       (unsigned long)next, garbage);
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
}

/* A sender that only ever publishes an impossible tail. */
TEST(impossible_tail_is_cut_at_once)
{
	struct kipc_chan_tx tx, good;
	struct kipc_chan_rx rx;
	struct kipc_chan_msg m;
	struct kipc k;
	int conn;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &params, &rx, &conn));
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	ASSERT_EQ(0, kipc_chan_connect(&good, conn));
	ASSERT_EQ(0, chan_send_stamped(&good, 100, 1, 0, 0));
	__atomic_store_n(tx.tail, DEPTH + 1, __ATOMIC_RELEASE);
	/* In turn: the good message, and the report about the bad sender. */
	for (int i = 0; i < 2; i++) {
		int ret = kipc_chan_recv(&rx, &m);

		if (ret == -EBADMSG)
			continue;
		ASSERT_EQ(1, ret);
		EXPECT_EQ(good.id, m.sender);
		ASSERT_EQ(0, kipc_chan_release(&rx, &m));
	}
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&rx, &m));
	/* A descriptor out of the pool is cut the same way. */
	ASSERT_EQ(0, chan_send_stamped(&good, 100, 1, 1, 0));
	good.ring[good.tail_priv & good.mask].offset = params.pool_size - 8;
	good.ring[good.tail_priv & good.mask].len = 100;
	__atomic_store_n(good.tail, good.tail_priv + 1, __ATOMIC_RELEASE);
	ASSERT_EQ(1, kipc_chan_recv(&rx, &m));
	ASSERT_EQ(0, kipc_chan_release(&rx, &m));
	EXPECT_EQ(-EBADMSG, kipc_chan_recv(&rx, &m));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&rx, &m));
	/* Both were disconnected: their calls say so. */
	EXPECT_EQ(-ECONNRESET, chan_send_stamped(&tx, 100, 0, 0, 0));
	EXPECT_EQ(-ECONNRESET, chan_send_stamped(&good, 100, 1, 2, 0));
	kipc_chan_tx_close(&tx);
	kipc_chan_tx_close(&good);
	kipc_chan_rx_close(&rx);
	close(conn);
	kipc_close(&k);
}

/*
 * Scribble over everything a receiver can write: for @ms milliseconds
 * plausible lies only (a quarter of the releases carry a bogus buffer id,
 * and wakeups are asked for senders that do not exist), which leak the
 * sender's buffers but must not stop it before it runs dry; then for @ms
 * more, anything: indices out of reach, garbage in every word.
 */
static void scribble_receiver(struct kipc_chan_rx *rx, int ms, uint64_t seed)
{
	uint64_t r = seed, start = chan_now_ns();
	uint64_t half = start + ms * 1000000ULL, until = half + ms * 1000000ULL;

	while (chan_now_ns() < until) {
		bool anything = chan_now_ns() >= half;
		struct kipc_chan_msg m;

		while (kipc_chan_recv(rx, &m) == 1) {
			struct kipc_chan_msg lie = m;

			if (anything)
				continue;
			if (chan_rand(&r) % 4 == 0)
				lie.id = nasty(&r, m.id);
			kipc_chan_release(rx, &lie);
		}
		for (uint32_t i = 0; i < rx->nr_peers; i++) {
			struct kipc_chan_peer *p = &rx->peers[i];
			struct kipc_chan_sender_ref ref = { 0 };
			uint32_t ring_pos;

			if (!p->id)
				continue;
			for (int j = 0; j < 32; j++) {
				switch (anything ? chan_rand(&r) % 6 : 1) {
				case 0:
					ring_pos = p->rel_tail_priv++ &
						   rx->mask;
					p->rel_ring[ring_pos] = nasty(&r, 0);
					__atomic_store_n(p->rel_tail,
							 p->rel_tail_priv,
							 __ATOMIC_RELEASE);
					break;
				case 1:
					ref.sender_id = j & 1 ? p->id :
							chan_rand(&r);
					ioctl(rx->fd, KIPC_CHAN_IOC_WAKE_TX,
					      &ref);
					break;
				case 2:
					*p->head = nasty(&r, p->head_priv);
					break;
				case 3:
					__atomic_store_n(p->rel_tail,
							 nasty(&r, p->rel_tail_priv),
							 __ATOMIC_RELEASE);
					break;
				case 4:
					*(uint32_t *)p->tx_wakeup =
						(uint32_t)chan_rand(&r);
					break;
				default:
					*(uint32_t *)((uint8_t *)p->rx_map +
						      rx->layout.rx_state) =
						(uint32_t)chan_rand(&r);
					break;
				}
			}
		}
	}
}

TEST(hostile_receiver)
{
	int rx_fd, conn, sent = 0, ret, ready[2];
	struct kipc_chan_tx tx;
	uint64_t t0;
	struct kipc k;
	char c;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, kipc_chan_create(&k, &params, &rx_fd, &conn));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_rx rx;

		close(conn);
		if (kipc_chan_rx_open(&rx, rx_fd))
			_exit(10);
		if (write(ready[1], "r", 1) != 1)
			_exit(11);
		scribble_receiver(&rx, 1000, getpid());
		/* Then, worse: die holding everything. */
		_exit(0);
	}
	close(rx_fd);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	/*
	 * Keep sending while it scribbles: every call returns, with success
	 * or an error it is allowed to give, and nothing crashes.
	 */
	t0 = chan_now_ns();
	for (;;) {
		ASSERT_GT(30000000000ULL, chan_now_ns() - t0);
		ret = chan_send_stamped(&tx, 24 + sent % (MAXMSG - 24), 0, sent,
					100000000);
		if (ret == 0) {
			sent++;
			continue;
		}
		if (ret == -ETIMEDOUT || ret == -EAGAIN)
			continue;
		/* Its release ring was garbage, or it is gone. */
		ASSERT_TRUE(ret == -EPROTO || ret == -EPIPE ||
			    ret == -ECONNRESET) {
			TH_LOG("unexpected %s", strerror(-ret));
		}
		if (ret == -EPIPE)
			break;
		if (ret == -EPROTO) {
			/* Sticky: the library stays broken. */
			EXPECT_EQ(-EPROTO, chan_send_stamped(&tx, 100, 0, 0, 0));
		} else {
			/*
			 * It forged its state word (the receiver may write
			 * it), and may forge it again, to anything, before
			 * it dies: the next send may even go through, or
			 * meet the garbage of its release ring.  What it
			 * may not do is fail in any other way.
			 */
			int again = chan_send_stamped(&tx, 100, 0, 0, 0);

			EXPECT_TRUE(again == 0 || again == -EAGAIN ||
				    again == -ECONNRESET || again == -EPIPE ||
				    again == -EPROTO) {
				TH_LOG("then %s", strerror(-again));
			}
		}
		break;
	}
	TH_LOG("sent %d before it ended with %s", sent, strerror(-ret));
	/* The plausible lies did not stop the sender. */
	EXPECT_LT(DEPTH, sent);
	kill(pid, SIGKILL);
	chan_wait_child(pid);
	kipc_chan_tx_close(&tx);
	close(conn);
	kipc_close(&k);
}

TEST_HARNESS_MAIN
