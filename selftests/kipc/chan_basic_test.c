// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: messages.  Sizes, order per sender, batch forms, out-of-order
 * release and pool reuse, full and empty with timeouts, blocking and
 * wakeups (and none while the other side is awake), the end of the channel,
 * EPIPE without SIGPIPE, credentials, fairness between senders,
 * disconnection, the duplex pair.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "chan_test.h"

#define POOL	(64 << 10)
#define MAXMSG	(8 << 10)
#define DEPTH	16

static const struct kipc_chan_params small = {
	.pool_size = POOL, .max_msg = MAXMSG, .ring_depth = DEPTH,
	.max_senders = 16,
};

FIXTURE(pair) {
	struct kipc k;
	struct kipc_chan_rx rx;
	struct kipc_chan_tx tx;
	int conn;
};

FIXTURE_SETUP(pair)
{
	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&self->k));
	ASSERT_EQ(0, chan_make(&self->k, &small, &self->rx, &self->conn));
	ASSERT_EQ(0, kipc_chan_connect(&self->tx, self->conn));
}

FIXTURE_TEARDOWN(pair)
{
	kipc_chan_tx_close(&self->tx);
	kipc_chan_rx_close(&self->rx);
	if (self->conn >= 0)
		close(self->conn);
	kipc_close(&self->k);
}

TEST_F(pair, sizes)
{
	const uint32_t sizes[] = { 0, 1, 24, 63, 64, 65, 100, 1000, 4095,
				   4096, MAXMSG - 1, MAXMSG };
	struct kipc_chan_buf buf;
	struct kipc_chan_msg msg;

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];

		ASSERT_EQ(0, kipc_chan_loan(&self->tx, n, &buf));
		EXPECT_EQ(n, buf.len);
		EXPECT_LE(n, buf.cap);
		EXPECT_LT(0, buf.cap);
		EXPECT_EQ(0, buf.cap % KIPC_CHAN_MSG_ALIGN);
		EXPECT_EQ(0, (uintptr_t)buf.data % KIPC_CHAN_MSG_ALIGN);
		for (uint32_t j = 0; j < n; j++)
			((unsigned char *)buf.data)[j] = (unsigned char)(j * 7 + i);
		ASSERT_EQ(0, kipc_chan_send(&self->tx, &buf));
		ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
		EXPECT_EQ(n, msg.len);
		EXPECT_EQ(self->tx.id, msg.sender);
		for (uint32_t j = 0; j < n; j++) {
			ASSERT_EQ((unsigned char)(j * 7 + i),
				  ((const unsigned char *)msg.data)[j]);
		}
		ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	}
	/* Larger than the channel allows. */
	EXPECT_EQ(-EMSGSIZE, kipc_chan_loan(&self->tx, MAXMSG + 1, &buf));
	EXPECT_EQ(-EMSGSIZE, kipc_chan_loan_batch(&self->tx, ~(size_t)0, &buf,
						  1));
	EXPECT_EQ(-EMSGSIZE, kipc_chan_loan_wait(&self->tx, MAXMSG + 64, &buf,
						 -1));
	/* Sending fewer bytes than loaned, and 0. */
	ASSERT_EQ(0, kipc_chan_loan(&self->tx, 1000, &buf));
	buf.len = 10;
	ASSERT_EQ(0, kipc_chan_send(&self->tx, &buf));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(10, msg.len);
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	/* ...but never more. */
	ASSERT_EQ(0, kipc_chan_loan(&self->tx, 64, &buf));
	buf.len = buf.cap + 1;
	EXPECT_EQ(-EINVAL, kipc_chan_send(&self->tx, &buf));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
}

TEST_F(pair, order)
{
	struct kipc_chan_msg msg;
	uint64_t next_rx = 0, next_tx = 0;

	/* Many rounds of partly filled rings, so the indices go around. */
	for (int round = 0; round < 2000; round++) {
		int burst = 1 + round % DEPTH;

		for (int i = 0; i < burst; i++, next_tx++)
			ASSERT_EQ(0, chan_send_stamped(&self->tx, 24 + (i % 5) *
						       40, 0, next_tx, 0));
		for (int i = 0; i < burst; i++) {
			struct chan_stamp st;

			ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
			ASSERT_TRUE(chan_stamp_ok(msg.data, msg.len));
			memcpy(&st, msg.data, sizeof(st));
			ASSERT_EQ(next_rx, st.seq);
			next_rx++;
			ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
		}
	}
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ((int64_t)next_tx, chan_fdinfo(self->rx.fd, "messages"));
}

TEST_F(pair, batch)
{
	struct kipc_chan_buf bufs[DEPTH], bad[2];
	struct kipc_chan_msg msgs[DEPTH], m;
	int n;

	n = kipc_chan_loan_batch(&self->tx, 100, bufs, DEPTH);
	ASSERT_EQ(DEPTH, n);
	/* The ring is full: at most ring_depth buffers are out. */
	EXPECT_EQ(-EAGAIN, kipc_chan_loan(&self->tx, 100, &bad[0]));
	for (int i = 0; i < n; i++)
		chan_stamp(bufs[i].data, 100, 0, i);

	/* A batch with a bad buffer sends nothing... */
	bad[0] = bufs[0];
	bad[1] = bufs[1];
	bad[1].id += 1000;
	EXPECT_EQ(-EINVAL, kipc_chan_send_batch(&self->tx, bad, 2));
	/* ...nor does one naming a buffer twice. */
	bad[1] = bufs[0];
	EXPECT_EQ(-EINVAL, kipc_chan_send_batch(&self->tx, bad, 2));
	EXPECT_EQ(-EINVAL, kipc_chan_send_batch(&self->tx, bufs, 0));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &m));

	ASSERT_EQ(0, kipc_chan_send_batch(&self->tx, bufs, n));
	/* Sent buffers cannot be sent again. */
	EXPECT_EQ(-EINVAL, kipc_chan_send(&self->tx, &bufs[3]));
	ASSERT_EQ(n, kipc_chan_recv_batch(&self->rx, msgs, DEPTH));
	for (int i = 0; i < n; i++) {
		struct chan_stamp st;

		ASSERT_TRUE(chan_stamp_ok(msgs[i].data, msgs[i].len));
		memcpy(&st, msgs[i].data, sizeof(st));
		EXPECT_EQ((uint64_t)i, st.seq);
	}
	EXPECT_EQ(-EINVAL, kipc_chan_recv_batch(&self->rx, msgs, 0));
	/* All or nothing for releases too. */
	m = msgs[5];
	m.peer += 7;
	msgs[5] = m;
	EXPECT_EQ(-EINVAL, kipc_chan_release_batch(&self->rx, msgs, n));
	msgs[5].peer -= 7;
	EXPECT_EQ(-EAGAIN, kipc_chan_loan(&self->tx, 100, &bad[0]));
	ASSERT_EQ(0, kipc_chan_release_batch(&self->rx, msgs, n));
	/* Released twice is an error. */
	EXPECT_EQ(-EINVAL, kipc_chan_release(&self->rx, &msgs[0]));
	ASSERT_EQ(DEPTH, kipc_chan_loan_batch(&self->tx, 100, bufs, DEPTH));
}

/* Outstanding buffers (loaned, or sent and not released) never overlap. */
static bool overlap(const struct kipc_chan_buf *a, const struct kipc_chan_buf *b)
{
	const char *pa = a->data, *pb = b->data;

	return pa < pb + b->cap && pb < pa + a->cap;
}

/* A received message's place in the pool, as the sender sees it. */
static struct kipc_chan_buf as_sent(struct kipc_chan_tx *tx,
				    struct kipc_chan_rx *rx,
				    const struct kipc_chan_msg *m)
{
	const uint8_t *rx_pool = rx->peers[m->peer].pool;
	struct kipc_chan_buf b = {
		.data = tx->pool + ((const uint8_t *)m->data - rx_pool),
		.cap = m->len,
	};

	return b;
}

TEST_F(pair, pool_reuse_any_order)
{
	/* loaned; sent, not received (in order); received, not released */
	struct kipc_chan_buf out[DEPTH], fly[DEPTH];
	struct kipc_chan_msg held[DEPTH];
	unsigned int nout = 0, nfly = 0, nheld = 0;
	uint64_t r = 42, seq = 0, got = 0;
	const uint8_t *pool = self->tx.pool;

	/*
	 * Random loans of random sizes, sends and releases in random order,
	 * with the pool wrapping around many times: no two buffers in use
	 * ever overlap, messages arrive where they were written, intact.
	 */
	for (int step = 0; step < 60000; step++) {
		unsigned int op = chan_rand(&r) % 4;

		if (op == 0 && nout < DEPTH) {
			struct kipc_chan_buf b;
			uint32_t len = 24 + chan_rand(&r) % (MAXMSG - 24);
			int ret = kipc_chan_loan(&self->tx, len, &b);

			if (ret == -EAGAIN)
				continue;
			ASSERT_EQ(0, ret);
			ASSERT_LE(pool, (const uint8_t *)b.data);
			ASSERT_LE((const uint8_t *)b.data + b.cap, pool + POOL);
			for (unsigned int i = 0; i < nout; i++)
				ASSERT_FALSE(overlap(&b, &out[i]));
			for (unsigned int i = 0; i < nfly; i++)
				ASSERT_FALSE(overlap(&b, &fly[i]));
			for (unsigned int i = 0; i < nheld; i++) {
				struct kipc_chan_buf h;

				h = as_sent(&self->tx, &self->rx, &held[i]);
				ASSERT_FALSE(overlap(&b, &h));
			}
			out[nout++] = b;
		} else if (op == 1 && nout) {
			unsigned int i = chan_rand(&r) % nout;
			struct kipc_chan_buf b = out[i];

			out[i] = out[--nout];
			if (chan_rand(&r) % 8 == 0) {
				ASSERT_EQ(0, kipc_chan_unloan(&self->tx, &b));
				continue;
			}
			b.len = 24 + chan_rand(&r) % (b.len - 24 + 1);
			chan_stamp(b.data, b.len, 0, seq++);
			ASSERT_EQ(0, kipc_chan_send(&self->tx, &b));
			b.cap = b.len;
			fly[nfly++] = b;
		} else if (op == 2 && nheld < DEPTH) {
			struct kipc_chan_buf h;
			int ret = kipc_chan_recv(&self->rx, &held[nheld]);

			if (ret == -EAGAIN) {
				ASSERT_EQ(0, nfly);
				continue;
			}
			ASSERT_EQ(1, ret);
			ASSERT_LT(0, nfly);
			h = as_sent(&self->tx, &self->rx, &held[nheld]);
			ASSERT_EQ(fly[0].data, h.data);
			ASSERT_EQ(fly[0].len, held[nheld].len);
			memmove(fly, fly + 1, --nfly * sizeof(fly[0]));
			ASSERT_TRUE(chan_stamp_ok(held[nheld].data,
						  held[nheld].len));
			nheld++;
			got++;
		} else if (op == 3 && nheld) {
			unsigned int i = chan_rand(&r) % nheld;

			/* Still intact when released, however old. */
			ASSERT_TRUE(chan_stamp_ok(held[i].data, held[i].len));
			ASSERT_EQ(0, kipc_chan_release(&self->rx, &held[i]));
			held[i] = held[--nheld];
		}
	}
	EXPECT_LT(5000, got);
}

TEST_F(pair, unloan)
{
	struct kipc_chan_buf bufs[POOL / MAXMSG], a, d;
	struct kipc_chan_msg msg;
	unsigned int n = 0;

	ASSERT_EQ(0, kipc_chan_loan(&self->tx, 1000, &a));
	EXPECT_EQ(0, kipc_chan_unloan(&self->tx, &a));
	EXPECT_EQ(-EINVAL, kipc_chan_unloan(&self->tx, &a));
	EXPECT_EQ(-EINVAL, kipc_chan_send(&self->tx, &a));
	/* Fill the pool, give one back: exactly that room is free again. */
	while (kipc_chan_loan(&self->tx, MAXMSG, &bufs[n]) == 0)
		n++;
	ASSERT_EQ(POOL / MAXMSG, n);
	EXPECT_EQ(0, kipc_chan_unloan(&self->tx, &bufs[3]));
	ASSERT_EQ(0, kipc_chan_loan(&self->tx, MAXMSG, &d));
	EXPECT_EQ(bufs[3].data, d.data);
	EXPECT_EQ(-EAGAIN, kipc_chan_loan(&self->tx, 64, &a));
	/* Sending less than loaned gives the rest back. */
	memcpy(bufs[0].data, "a", 2);
	bufs[0].len = 2;
	ASSERT_EQ(0, kipc_chan_send(&self->tx, &bufs[0]));
	EXPECT_EQ(-EINVAL, kipc_chan_unloan(&self->tx, &bufs[0]));
	ASSERT_EQ(0, kipc_chan_loan(&self->tx, MAXMSG - 64, &a));
	EXPECT_EQ((char *)bufs[0].data + 64, (char *)a.data);
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_STREQ("a", msg.data);
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	EXPECT_EQ(0, kipc_chan_unloan(&self->tx, &a));
	EXPECT_EQ(0, kipc_chan_unloan(&self->tx, &d));
	for (unsigned int i = 1; i < n; i++)
		if (i != 3)
			EXPECT_EQ(0, kipc_chan_unloan(&self->tx, &bufs[i]));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
}

/*
 * A message the receiver holds pins nothing but its own room: the sender
 * goes on through the rest of its pool and its ids.
 */
TEST_F(pair, holding_pins_only_itself)
{
	struct kipc_chan_msg held, msg;

	ASSERT_EQ(0, chan_send_stamped(&self->tx, 24, 0, 0, 0));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &held));
	for (int i = 1; i < 100 * DEPTH; i++) {
		ASSERT_EQ(0, chan_send_stamped(&self->tx, 24 + (i % 7) * 1000,
					       0, i, 0));
		ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
		ASSERT_TRUE(chan_stamp_ok(msg.data, msg.len));
		ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	}
	EXPECT_TRUE(chan_stamp_ok(held.data, held.len));
	EXPECT_EQ(0, kipc_chan_release(&self->rx, &held));
}

TEST_F(pair, full_and_timeouts)
{
	struct kipc_chan_buf bufs[DEPTH], b;
	struct kipc_chan_msg msg;
	uint64_t t0;
	int n = 0;

	/* Fill the pool with messages the receiver does not take. */
	while (kipc_chan_loan(&self->tx, MAXMSG, &bufs[n]) == 0) {
		ASSERT_EQ(0, kipc_chan_send(&self->tx, &bufs[n]));
		n++;
	}
	EXPECT_EQ(POOL / MAXMSG, n);
	EXPECT_EQ(-EAGAIN, kipc_chan_loan(&self->tx, MAXMSG, &b));
	EXPECT_EQ(-EAGAIN, kipc_chan_loan_wait(&self->tx, MAXMSG, &b, 0));
	EXPECT_EQ(-EAGAIN, kipc_chan_tx_wait(&self->tx, 0));
	t0 = chan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_chan_loan_wait(&self->tx, MAXMSG, &b,
						  30000000));
	EXPECT_LE(30000000ULL, chan_now_ns() - t0);
	kipc_chan_tx_set_spin(&self->tx, 0);
	t0 = chan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_chan_tx_wait(&self->tx, 20000000));
	EXPECT_LE(20000000ULL, chan_now_ns() - t0);
	EXPECT_LE(1, chan_fdinfo(self->rx.fd, "full"));
	/* Receiving does not free anything; releasing does. */
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(-EAGAIN, kipc_chan_loan(&self->tx, MAXMSG, &b));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	EXPECT_EQ(0, kipc_chan_tx_wait(&self->tx, 0));
	EXPECT_EQ(0, kipc_chan_loan_wait(&self->tx, MAXMSG, &b, 0));
	EXPECT_EQ(0, kipc_chan_unloan(&self->tx, &b));

	/* Empty: the receiver's side. */
	while (kipc_chan_recv(&self->rx, &msg) == 1)
		ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv_wait(&self->rx, &msg, 1, 0));
	EXPECT_EQ(-EAGAIN, kipc_chan_rx_wait(&self->rx, 0));
	t0 = chan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_chan_recv_wait(&self->rx, &msg, 1,
						  30000000));
	EXPECT_LE(30000000ULL, chan_now_ns() - t0);
	kipc_chan_rx_set_spin(&self->rx, 0);
	t0 = chan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_chan_rx_wait(&self->rx, 20000000));
	EXPECT_LE(20000000ULL, chan_now_ns() - t0);
	EXPECT_LE(1, chan_fdinfo(self->rx.fd, "empty"));
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(pair, interrupted_wait)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kipc_chan_msg msg;

	/* No SA_RESTART either way: a signal ends the wait with EINTR. */
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	kipc_chan_rx_set_spin(&self->rx, 0);
	ualarm(50000, 0);
	EXPECT_EQ(-EINTR, kipc_chan_recv_wait(&self->rx, &msg, 1, -1));
	ualarm(50000, 0);
	EXPECT_EQ(-EINTR, kipc_chan_recv_wait(&self->rx, &msg, 1,
					      10000000000LL));
}

/*
 * A receiver that sleeps (no spinning) is woken by a message; a sender
 * that sleeps for a buffer is woken by a release.  The kernel's counters
 * show that both really slept and were woken.
 */
TEST(sleeping_sides_are_woken)
{
	struct kipc_chan_buf bufs[DEPTH], b;
	struct kipc_chan_tx tx;
	struct kipc_chan_rx rx;
	int rx_fd, conn, n = 0;
	struct kipc k;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, kipc_chan_create(&k, &small, &rx_fd, &conn));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_msg msg;

		if (kipc_chan_rx_open(&rx, rx_fd))
			_exit(10);
		kipc_chan_rx_set_spin(&rx, 0);
		/* Sleeps until the first message. */
		if (kipc_chan_recv_wait(&rx, &msg, 1, 10000000000LL) != 1)
			_exit(11);
		if (!chan_stamp_ok(msg.data, msg.len))
			_exit(12);
		/* Keep the rest a while, so that the sender fills up. */
		usleep(200000);
		if (kipc_chan_release(&rx, &msg))
			_exit(13);
		while (kipc_chan_recv_wait(&rx, &msg, 1, 10000000000LL) == 1)
			if (kipc_chan_release(&rx, &msg))
				_exit(14);
		_exit(0);
	}
	close(rx_fd);
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	close(conn);
	kipc_chan_tx_set_spin(&tx, 0);
	/* Let the receiver fall asleep first. */
	usleep(200000);
	while (kipc_chan_loan(&tx, MAXMSG, &bufs[n]) == 0) {
		chan_stamp(bufs[n].data, MAXMSG, 0, n);
		ASSERT_EQ(0, kipc_chan_send(&tx, &bufs[n]));
		n++;
	}
	/* Full: sleeps until the receiver releases the first message. */
	ASSERT_EQ(0, kipc_chan_loan_wait(&tx, MAXMSG, &b, 10000000000LL));
	ASSERT_EQ(0, kipc_chan_send(&tx, &b));
	EXPECT_LE(1, chan_fdinfo(tx.fd, "rx_waits"));
	EXPECT_LE(1, chan_fdinfo(tx.fd, "rx_wakeups"));
	EXPECT_LE(1, chan_fdinfo(tx.fd, "tx_waits"));
	EXPECT_LE(1, chan_fdinfo(tx.fd, "tx_wakeups"));
	kipc_chan_tx_close(&tx);
	EXPECT_EQ(0, chan_wait_child(pid));
	kipc_close(&k);
}

/*
 * While the receiver polls (never sleeps), senders make no wakeup calls,
 * and a sender that has room never waits.
 */
TEST_F(pair, no_system_call_while_awake)
{
	struct kipc_chan_msg msg;
	int64_t wakeups, waits;

	wakeups = chan_fdinfo(self->rx.fd, "rx_wakeups");
	waits = chan_fdinfo(self->rx.fd, "tx_waits");
	for (int i = 0; i < 20000; i++) {
		ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, i, 0));
		ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
		ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	}
	EXPECT_EQ(wakeups, chan_fdinfo(self->rx.fd, "rx_wakeups"));
	EXPECT_EQ(waits, chan_fdinfo(self->rx.fd, "tx_waits"));
	EXPECT_EQ(0, chan_fdinfo(self->rx.fd, "tx_wakeups"));
}

TEST_F(pair, end_of_channel)
{
	struct kipc_chan_msg msg, keep;

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, chan_send_stamped(&self->tx, 100, 0, i, 0));
	kipc_chan_tx_close(&self->tx);
	/* The connector could still make senders: not the end yet. */
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
		ASSERT_TRUE(chan_stamp_ok(msg.data, msg.len));
		if (i == 1)
			keep = msg;
		else
			ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	}
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(-ETIMEDOUT, kipc_chan_recv_wait(&self->rx, &msg, 1, 1000000));
	close(self->conn);
	self->conn = -1;
	EXPECT_EQ(0, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(0, kipc_chan_recv_wait(&self->rx, &msg, 1, -1));
	EXPECT_EQ(0, kipc_chan_recv_batch(&self->rx, &msg, 1));
	EXPECT_EQ(0, kipc_chan_rx_wait(&self->rx, -1));
	/* What is held stays valid after the end. */
	EXPECT_TRUE(chan_stamp_ok(keep.data, keep.len));
	EXPECT_EQ(0, kipc_chan_release(&self->rx, &keep));
	EXPECT_EQ(0, kipc_chan_recv(&self->rx, &msg));
	/* The departed sender was forgotten once drained and released. */
	EXPECT_EQ(0, chan_fdinfo(self->rx.fd, "senders"));
}

/* A receiver asleep wakes up to the end when the last writer goes. */
TEST(end_wakes_receiver)
{
	struct kipc_chan_tx tx;
	int rx_fd, conn;
	struct kipc k;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, kipc_chan_create(&k, &small, &rx_fd, &conn));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_rx rx;
		struct kipc_chan_msg msg;
		int ret, n = 0;

		close(conn);
		if (kipc_chan_rx_open(&rx, rx_fd))
			_exit(10);
		kipc_chan_rx_set_spin(&rx, 0);
		while ((ret = kipc_chan_recv_wait(&rx, &msg, 1,
						  10000000000LL)) == 1) {
			n++;
			kipc_chan_release(&rx, &msg);
		}
		_exit(ret == 0 && n == 5 ? 0 : 20);
	}
	close(rx_fd);
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	close(conn);
	for (int i = 0; i < 5; i++) {
		usleep(20000);
		ASSERT_EQ(0, chan_send_stamped(&tx, 64, 0, i, -1));
	}
	usleep(100000);
	kipc_chan_tx_close(&tx);
	EXPECT_EQ(0, chan_wait_child(pid));
	kipc_close(&k);
}

TEST_F(pair, epipe_without_sigpipe)
{
	struct kipc_chan_buf a, b;

	signal(SIGPIPE, SIG_DFL);
	ASSERT_EQ(0, kipc_chan_loan(&self->tx, 100, &a));
	ASSERT_EQ(0, kipc_chan_loan(&self->tx, 100, &b));
	ASSERT_EQ(0, kipc_chan_send(&self->tx, &a));
	kipc_chan_rx_close(&self->rx);
	/* Default SIGPIPE disposition: had it been sent, we were dead. */
	EXPECT_EQ(-EPIPE, kipc_chan_send(&self->tx, &b));
	EXPECT_EQ(-EPIPE, kipc_chan_loan(&self->tx, 100, &b));
	EXPECT_EQ(-EPIPE, kipc_chan_loan_wait(&self->tx, 100, &b, -1));
	EXPECT_EQ(-EPIPE, kipc_chan_tx_wait(&self->tx, -1));
	/* No new sender either. */
	{
		struct kipc_chan_tx tx2;

		EXPECT_EQ(-EPIPE, kipc_chan_connect(&tx2, self->conn));
	}
}

/* A sender asleep for buffers wakes up to EPIPE when the receiver goes. */
TEST(epipe_wakes_sender)
{
	struct kipc_chan_rx rx;
	int conn;
	struct kipc k;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &small, &rx, &conn));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_tx tx;
		struct kipc_chan_buf b;
		int ret;

		signal(SIGPIPE, SIG_DFL);
		if (kipc_chan_connect(&tx, conn))
			_exit(10);
		kipc_chan_tx_set_spin(&tx, 0);
		while ((ret = kipc_chan_loan(&tx, MAXMSG, &b)) == 0)
			if (kipc_chan_send(&tx, &b))
				_exit(11);
		if (ret != -EAGAIN)
			_exit(12);
		ret = kipc_chan_loan_wait(&tx, MAXMSG, &b, 10000000000LL);
		_exit(ret == -EPIPE ? 0 : 13);
	}
	/* The parent's mapping was not inherited: it still is the receiver. */
	usleep(300000);
	kipc_chan_rx_close(&rx);
	EXPECT_EQ(0, chan_wait_child(pid));
	close(conn);
	kipc_close(&k);
}

TEST(credentials)
{
	struct kipc_chan_sender_info info;
	struct kipc_chan_rx rx;
	struct kipc_chan_msg msg;
	int conn, ret;
	struct kipc k;
	pid_t pid;

	CHAN_REQUIRE();
	if (geteuid() != 0)
		SKIP(return, "needs root to become another user");
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &small, &rx, &conn));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_tx tx;

		if (!chan_become_nobody())
			_exit(10);
		if (kipc_chan_connect(&tx, conn))
			_exit(11);
		if (chan_send_stamped(&tx, 64, 0, 0, -1))
			_exit(12);
		kipc_chan_tx_close(&tx);
		_exit(0);
	}
	close(conn);
	ASSERT_EQ(0, chan_wait_child(pid));
	ASSERT_EQ(1, kipc_chan_recv_wait(&rx, &msg, 1, -1));
	ret = kipc_chan_sender_info(&rx, msg.sender, &info);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(msg.sender, info.id);
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(NOBODY, info.uid);
	EXPECT_EQ(NOBODY, info.gid);
	EXPECT_TRUE(info.closed);
	EXPECT_EQ(-ENOENT, kipc_chan_sender_info(&rx, msg.sender + 1, &info));
	EXPECT_EQ(0, kipc_chan_release(&rx, &msg));
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
}

TEST(fairness)
{
	const struct kipc_chan_params p = {
		.pool_size = 1 << 20, .max_msg = 256, .ring_depth = 256,
	};
	enum { SENDERS = 4, EACH = 200 };
	struct kipc_chan_tx tx[SENDERS];
	struct kipc_chan_msg msgs[40], msg;
	int count[SENDERS] = { 0 }, conn, n;
	struct kipc_chan_rx rx;
	struct kipc k;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &p, &rx, &conn));
	for (int s = 0; s < SENDERS; s++) {
		ASSERT_EQ(0, kipc_chan_connect(&tx[s], conn));
		for (int i = 0; i < EACH; i++)
			ASSERT_EQ(0, chan_send_stamped(&tx[s], 64, s, i, 0));
	}
	/* One at a time: strictly in turn. */
	for (int i = 0; i < 40; i++) {
		struct chan_stamp st;

		ASSERT_EQ(1, kipc_chan_recv(&rx, &msg));
		memcpy(&st, msg.data, sizeof(st));
		count[st.sender]++;
		ASSERT_EQ(0, kipc_chan_release(&rx, &msg));
	}
	for (int s = 0; s < SENDERS; s++)
		EXPECT_EQ(10, count[s]);
	/* In batches: equal shares. */
	memset(count, 0, sizeof(count));
	n = kipc_chan_recv_batch(&rx, msgs, 40);
	ASSERT_EQ(40, n);
	for (int i = 0; i < n; i++) {
		struct chan_stamp st;

		memcpy(&st, msgs[i].data, sizeof(st));
		count[st.sender]++;
	}
	/* All or nothing across senders too: a bad entry late in the batch. */
	msgs[n - 3].sender ^= 1ULL << 40;
	EXPECT_EQ(-EINVAL, kipc_chan_release_batch(&rx, msgs, n));
	msgs[n - 3].sender ^= 1ULL << 40;
	ASSERT_EQ(0, kipc_chan_release_batch(&rx, msgs, n));
	/* Each exactly once, and then no more. */
	EXPECT_EQ(-EINVAL, kipc_chan_release(&rx, &msgs[0]));
	EXPECT_EQ(-EINVAL, kipc_chan_release(&rx, &msgs[n - 1]));
	for (int s = 0; s < SENDERS; s++)
		EXPECT_EQ(10, count[s]);
	for (int s = 0; s < SENDERS; s++)
		kipc_chan_tx_close(&tx[s]);
	kipc_chan_rx_close(&rx);
	close(conn);
	kipc_close(&k);
}

TEST(order_per_sender)
{
	enum { SENDERS = 8, EACH = 3000 };
	const struct kipc_chan_params p = {
		.pool_size = 64 << 10, .max_msg = 512, .ring_depth = 32,
	};
	struct kipc_chan_tx tx[SENDERS];
	uint64_t next[SENDERS] = { 0 }, sent[SENDERS] = { 0 }, r = 7;
	struct kipc_chan_rx rx;
	struct kipc_chan_msg msg;
	uint64_t total = 0;
	struct kipc k;
	int conn;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &p, &rx, &conn));
	for (int s = 0; s < SENDERS; s++)
		ASSERT_EQ(0, kipc_chan_connect(&tx[s], conn));
	while (total < SENDERS * EACH) {
		/* A few senders at random send a few messages... */
		for (int i = 0; i < 8; i++) {
			int s = chan_rand(&r) % SENDERS;
			int ret;

			if (sent[s] == EACH)
				continue;
			ret = chan_send_stamped(&tx[s], 24 + chan_rand(&r) % 488,
						s, sent[s], 0);
			if (ret == -EAGAIN)
				continue;
			ASSERT_EQ(0, ret);
			sent[s]++;
		}
		/* ...and the receiver takes what is there. */
		while (kipc_chan_recv(&rx, &msg) == 1) {
			struct chan_stamp st;

			ASSERT_TRUE(chan_stamp_ok(msg.data, msg.len));
			memcpy(&st, msg.data, sizeof(st));
			ASSERT_LT(st.sender, SENDERS);
			ASSERT_EQ(tx[st.sender].id, msg.sender);
			ASSERT_EQ(next[st.sender], st.seq);
			next[st.sender]++;
			total++;
			ASSERT_EQ(0, kipc_chan_release(&rx, &msg));
		}
	}
	for (int s = 0; s < SENDERS; s++)
		kipc_chan_tx_close(&tx[s]);
	close(conn);
	EXPECT_EQ(0, kipc_chan_recv(&rx, &msg));
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
}

TEST_F(pair, disconnect)
{
	struct kipc_chan_msg msg, m2;
	struct kipc_chan_tx other;
	struct kipc_chan_buf b;

	ASSERT_EQ(0, kipc_chan_connect(&other, self->conn));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 0, 0));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 1, 0));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(self->tx.id, msg.sender);
	ASSERT_EQ(0, kipc_chan_disconnect(&self->rx, self->tx.id));
	EXPECT_EQ(-ENOENT, kipc_chan_disconnect(&self->rx, 12345));
	/* Its pending message is dropped; the held one stays readable. */
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &m2));
	EXPECT_TRUE(chan_stamp_ok(msg.data, msg.len));
	EXPECT_EQ(0, kipc_chan_release(&self->rx, &msg));
	/* The sender learns it, promptly. */
	EXPECT_EQ(-ECONNRESET, kipc_chan_loan(&self->tx, 64, &b));
	EXPECT_EQ(-ECONNRESET, kipc_chan_tx_wait(&self->tx, -1));
	EXPECT_EQ(-ECONNRESET, kipc_chan_loan_wait(&self->tx, 64, &b, -1));
	/* Others go on. */
	ASSERT_EQ(0, chan_send_stamped(&other, 64, 1, 0, 0));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(other.id, msg.sender);
	EXPECT_EQ(0, kipc_chan_release(&self->rx, &msg));
	kipc_chan_tx_close(&other);
}

TEST_F(pair, senders_come_and_go)
{
	struct kipc_chan_msg msg;
	int rounds = chan_debug_kernel() ? 100 : 300;

	/* More senders over time than the table holds at once. */
	for (int i = 0; i < rounds; i++) {
		struct kipc_chan_tx t;

		ASSERT_EQ(0, kipc_chan_connect(&t, self->conn));
		ASSERT_EQ(0, chan_send_stamped(&t, 100, 1, i, 0));
		kipc_chan_tx_close(&t);
		ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
		ASSERT_TRUE(chan_stamp_ok(msg.data, msg.len));
		ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	}
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	/* Only the fixture's sender is left in the table. */
	EXPECT_EQ(1, chan_fdinfo(self->rx.fd, "senders"));
	EXPECT_EQ(rounds + 1, chan_fdinfo(self->rx.fd, "connects"));
}

TEST(table_full)
{
	const struct kipc_chan_params p = { .max_senders = 3 };
	struct kipc_chan_tx tx[4];
	struct kipc_chan_rx rx;
	struct kipc_chan_msg msg;
	struct kipc k;
	int conn;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &p, &rx, &conn));
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, kipc_chan_connect(&tx[i], conn));
	EXPECT_EQ(-EUSERS, kipc_chan_connect(&tx[3], conn));
	/* A sender that left holds its place until drained. */
	ASSERT_EQ(0, chan_send_stamped(&tx[0], 64, 0, 0, 0));
	kipc_chan_tx_close(&tx[0]);
	EXPECT_EQ(-EUSERS, kipc_chan_connect(&tx[3], conn));
	ASSERT_EQ(1, kipc_chan_recv(&rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&rx, &msg));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&rx, &msg));
	EXPECT_EQ(0, kipc_chan_connect(&tx[3], conn));
	for (int i = 1; i < 4; i++)
		kipc_chan_tx_close(&tx[i]);
	kipc_chan_rx_close(&rx);
	close(conn);
	kipc_close(&k);
}

TEST(duplex)
{
	struct kipc_chan_duplex d;
	struct kipc_chan_msg msg;
	int fds[2], rounds = 300;
	struct kipc k;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, kipc_chan_duplex_pair(&k, NULL, &d, fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_duplex peer;

		/* d's mappings were not inherited; its fds are just fds. */
		close(d.rx.fd);
		close(d.tx.fd);
		if (kipc_chan_duplex_open(&peer, fds[0], fds[1]))
			_exit(10);
		for (;;) {
			struct chan_stamp st;
			int ret = kipc_chan_recv_wait(&peer.rx, &msg, 1, -1);

			if (ret == 0)
				break;
			if (ret != 1 || !chan_stamp_ok(msg.data, msg.len))
				_exit(11);
			memcpy(&st, msg.data, sizeof(st));
			kipc_chan_release(&peer.rx, &msg);
			/* The answer: the same sequence number, plus one. */
			if (chan_send_stamped(&peer.tx, 200, 1, st.seq + 1, -1))
				_exit(12);
		}
		kipc_chan_duplex_close(&peer);
		_exit(0);
	}
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < rounds; i++) {
		struct chan_stamp st;

		ASSERT_EQ(0, chan_send_stamped(&d.tx, 100, 0, i, -1));
		ASSERT_EQ(1, kipc_chan_recv_wait(&d.rx, &msg, 1, -1));
		ASSERT_TRUE(chan_stamp_ok(msg.data, msg.len));
		memcpy(&st, msg.data, sizeof(st));
		EXPECT_EQ((uint64_t)i + 1, st.seq);
		EXPECT_EQ(1, st.sender);
		ASSERT_EQ(0, kipc_chan_release(&d.rx, &msg));
	}
	/* Our sender leaves: the peer sees the end, leaves, and so do we. */
	kipc_chan_tx_close(&d.tx);
	EXPECT_EQ(0, chan_wait_child(pid));
	EXPECT_EQ(0, kipc_chan_recv_wait(&d.rx, &msg, 1, -1));
	kipc_chan_rx_close(&d.rx);
	kipc_close(&k);
}

TEST_HARNESS_MAIN
