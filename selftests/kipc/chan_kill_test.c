// SPDX-License-Identifier: GPL-2.0
/*
 * Channels and process death: kill -9 of a sender mid-loan and of a
 * receiver mid-receive, over and over, at random moments, including while
 * blocked in the kernel; buffers loaned by a dead process come back (its
 * pool is freed and uncharged) even when its descriptor lives on in
 * another process.  Nothing may leak (the per-user count and the number of
 * channels return to where they were; kmemleak runs after the suite on the
 * debug kernel) and nothing may hang.
 */
#include "kselftest_harness.h"
#include "chan_test.h"

#define MAXMSG	(4 << 10)

static const struct kipc_chan_params params = {
	.pool_size = 128 << 10, .max_msg = MAXMSG, .ring_depth = 32,
};

FIXTURE(kill) {
	struct kipc k;
	int64_t usage;
	int64_t chans;
	uint64_t r;
	int rounds;
};

FIXTURE_SETUP(kill)
{
	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&self->k));
	self->usage = chan_user_usage();
	self->chans = chan_count();
	ASSERT_LE(0, self->usage);
	self->r = getpid();
	/* Every round forks and kills: the debug kernel pays dearly. */
	self->rounds = chan_debug_kernel() ? 8 : 30;
}

FIXTURE_TEARDOWN(kill)
{
	/* Whatever happened, everything is back. */
	EXPECT_TRUE(chan_settle(chan_user_usage, self->usage, 5000)) {
		TH_LOG("usage %ld, was %ld", (long)chan_user_usage(),
		       (long)self->usage);
	}
	EXPECT_TRUE(chan_settle(chan_count, self->chans, 5000));
	kipc_close(&self->k);
}

/* A sender that streams stamped messages and keeps some loans forever. */
static void hoarding_sender(int conn, int ready, uint64_t seed)
{
	struct kipc_chan_buf keep[4];
	struct kipc_chan_tx tx;
	uint64_t r = seed, seq = 0;

	if (kipc_chan_connect(&tx, conn))
		_exit(10);
	for (int i = 0; i < 4; i++)
		if (kipc_chan_loan(&tx, 100 + i * 500, &keep[i]))
			_exit(11);
	if (write(ready, "s", 1) != 1)
		_exit(12);
	for (;;) {
		int ret = chan_send_stamped(&tx, 24 + chan_rand(&r) %
					    (MAXMSG - 24), 0, seq, -1);

		if (ret)
			_exit(ret == -EPIPE ? 0 : 13);
		seq++;
	}
}

TEST_F(kill, sender_mid_loan)
{
	struct kipc_chan_rx rx;
	int conn;

	ASSERT_EQ(0, chan_make(&self->k, &params, &rx, &conn));
	for (int round = 0; round < self->rounds; round++) {
		struct kipc_chan_msg held[8], m;
		int ready[2], nheld = 0, got = 0;
		uint64_t next = 0;
		char c;
		pid_t pid;

		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(ready[0]);
			hoarding_sender(conn, ready[1], round);
		}
		close(ready[1]);
		ASSERT_EQ(1, read(ready[0], &c, 1));
		close(ready[0]);
		/* Receive a random number of messages, holding a few. */
		for (int n = chan_rand(&self->r) % 200; n > 0; n--) {
			struct chan_stamp st;

			ASSERT_EQ(1, kipc_chan_recv_wait(&rx, &m, 1,
							 10000000000LL));
			ASSERT_TRUE(chan_stamp_ok(m.data, m.len));
			memcpy(&st, m.data, sizeof(st));
			ASSERT_EQ(next, st.seq);
			next++;
			got++;
			if (nheld < 8 && chan_rand(&self->r) % 4 == 0)
				held[nheld++] = m;
			else
				ASSERT_EQ(0, kipc_chan_release(&rx, &m));
		}
		usleep(chan_rand(&self->r) % 2000);
		kill(pid, SIGKILL);
		ASSERT_EQ(128 + SIGKILL, chan_wait_child(pid));
		/* What it sent before dying arrives, in order, intact. */
		while (kipc_chan_recv(&rx, &m) == 1) {
			struct chan_stamp st;

			ASSERT_TRUE(chan_stamp_ok(m.data, m.len));
			memcpy(&st, m.data, sizeof(st));
			ASSERT_EQ(next, st.seq);
			next++;
			ASSERT_EQ(0, kipc_chan_release(&rx, &m));
		}
		/* What we held of it is still intact after its death. */
		for (int i = 0; i < nheld; i++) {
			ASSERT_TRUE(chan_stamp_ok(held[i].data, held[i].len));
			ASSERT_EQ(0, kipc_chan_release(&rx, &held[i]));
		}
		/* Drained and released: the dead sender is gone entirely. */
		EXPECT_EQ(0, chan_fdinfo(rx.fd, "senders"));
		EXPECT_EQ(0, chan_fdinfo(rx.fd, "live_senders"));
		(void)got;
	}
	/* Its pools were freed: only the channel's own pages are charged. */
	EXPECT_EQ(2 * sysconf(_SC_PAGESIZE), chan_fdinfo(rx.fd, "memory"));
	kipc_chan_rx_close(&rx);
	close(conn);
}

/* A receiver that holds what it gets and receives slowly. */
static void hoarding_receiver(int rx_fd, int ready)
{
	struct kipc_chan_msg m, held[16];
	int nheld = 0, oldest = 0;
	struct kipc_chan_rx rx;

	if (kipc_chan_rx_open(&rx, rx_fd))
		_exit(10);
	if (write(ready, "r", 1) != 1)
		_exit(11);
	for (;;) {
		int ret = kipc_chan_recv_wait(&rx, &m, 1, -1);

		if (ret != 1)
			_exit(12);
		if (!chan_stamp_ok(m.data, m.len))
			_exit(13);
		if (nheld < 16) {
			held[nheld++] = m;
			continue;
		}
		/* Keep the 16 newest: release the oldest. */
		if (kipc_chan_release(&rx, &held[oldest]))
			_exit(14);
		held[oldest] = m;
		oldest = (oldest + 1) % 16;
	}
}

TEST_F(kill, receiver_mid_receive)
{
	for (int round = 0; round < self->rounds; round++) {
		struct kipc_chan_tx tx;
		int rx_fd, conn, ready[2], ret;
		uint64_t seq = 0, t0;
		char c;
		pid_t pid;

		ASSERT_EQ(0, kipc_chan_create(&self->k, &params, &rx_fd,
					      &conn));
		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(ready[0]);
			close(conn);
			hoarding_receiver(rx_fd, ready[1]);
		}
		close(ready[1]);
		close(rx_fd);
		ASSERT_EQ(1, read(ready[0], &c, 1));
		close(ready[0]);
		ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
		/* Send until told otherwise; the receiver dies meanwhile. */
		for (int n = chan_rand(&self->r) % 100; n > 0; n--, seq++)
			ASSERT_EQ(0, chan_send_stamped(&tx, 24 + seq % 1000, 0,
						       seq, -1));
		kill(pid, SIGKILL);
		ASSERT_EQ(128 + SIGKILL, chan_wait_child(pid));
		/* No hang, no signal: EPIPE, promptly. */
		t0 = chan_now_ns();
		do {
			ret = chan_send_stamped(&tx, 100, 0, seq++, 5000000000LL);
		} while (ret == 0);
		EXPECT_EQ(-EPIPE, ret);
		EXPECT_GT(5000000000ULL, chan_now_ns() - t0);
		kipc_chan_tx_close(&tx);
		close(conn);
	}
}

/* Kill a side while it sleeps in the kernel. */
TEST_F(kill, while_blocked)
{
	for (int round = 0; round < self->rounds; round++) {
		int rx_fd, conn, ready[2];
		bool sender_sleeps = round & 1;
		struct kipc_chan_rx rx;
		char c;
		pid_t pid;

		ASSERT_EQ(0, kipc_chan_create(&self->k, &params, &rx_fd,
					      &conn));
		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct kipc_chan_msg m;
			struct kipc_chan_tx tx;
			struct kipc_chan_buf b;

			close(ready[0]);
			if (sender_sleeps) {
				close(rx_fd);
				if (kipc_chan_connect(&tx, conn))
					_exit(10);
				kipc_chan_tx_set_spin(&tx, 0);
				while (kipc_chan_loan(&tx, MAXMSG, &b) == 0)
					kipc_chan_send(&tx, &b);
				if (write(ready[1], "s", 1) != 1)
					_exit(11);
				kipc_chan_loan_wait(&tx, MAXMSG, &b, -1);
				_exit(12);
			}
			close(conn);
			if (kipc_chan_rx_open(&rx, rx_fd))
				_exit(13);
			kipc_chan_rx_set_spin(&rx, 0);
			if (write(ready[1], "r", 1) != 1)
				_exit(14);
			kipc_chan_recv_wait(&rx, &m, 1, -1);
			_exit(15);
		}
		close(ready[1]);
		ASSERT_EQ(1, read(ready[0], &c, 1));
		close(ready[0]);
		if (sender_sleeps) {
			ASSERT_EQ(0, kipc_chan_rx_open(&rx, rx_fd));
		} else {
			close(rx_fd);
		}
		/* Give it time to fall asleep. */
		usleep(20000 + chan_rand(&self->r) % 50000);
		kill(pid, SIGKILL);
		EXPECT_EQ(128 + SIGKILL, chan_wait_child(pid));
		if (sender_sleeps) {
			struct kipc_chan_msg m;
			int n = 0, ret;

			close(conn);
			/* All it sent, then the end. */
			while ((ret = kipc_chan_recv_wait(&rx, &m, 1,
							  5000000000LL)) == 1) {
				n++;
				kipc_chan_release(&rx, &m);
			}
			EXPECT_EQ(0, ret);
			EXPECT_EQ(params.pool_size / MAXMSG, n);
			kipc_chan_rx_close(&rx);
		} else {
			struct kipc_chan_tx tx;

			EXPECT_EQ(-EPIPE, kipc_chan_connect(&tx, conn));
			close(conn);
		}
	}
}

/*
 * A sender endpoint connected (but not mapped) by the parent, used and
 * abandoned with loans by a child that dies: the endpoint closes with the
 * child, and its pool is freed although the parent still has the fd.
 */
TEST_F(kill, dead_loans_reclaimed_fd_lives_on)
{
	struct kipc_chan_connect cc;
	struct kipc_chan_rx rx;
	struct kipc_chan_msg m;
	int64_t with_pool, without_pool;
	int conn, n = 0, ready[2];
	char c;
	pid_t pid;

	ASSERT_EQ(0, chan_make(&self->k, &params, &rx, &conn));
	without_pool = chan_user_usage();
	memset(&cc, 0, sizeof(cc));
	ASSERT_EQ(0, kipc_test_ioctl(conn, KIPC_CHAN_IOC_CONNECT, &cc));
	with_pool = chan_user_usage();
	EXPECT_LT(without_pool + (int64_t)params.pool_size, with_pool);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_tx tx;
		struct kipc_chan_buf b;

		close(ready[0]);
		if (kipc_chan_tx_open(&tx, cc.fd))
			_exit(10);
		/* Send three, then loan everything else and die. */
		for (int i = 0; i < 3; i++)
			if (chan_send_stamped(&tx, 1000, 0, i, 0))
				_exit(11);
		while (kipc_chan_loan(&tx, 1000, &b) == 0)
			;
		if (write(ready[1], "s", 1) != 1)
			_exit(12);
		pause();
		_exit(13);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	kill(pid, SIGKILL);
	ASSERT_EQ(128 + SIGKILL, chan_wait_child(pid));
	/* cc.fd is still open here: its endpoint is closed all the same. */
	while (kipc_chan_recv_wait(&rx, &m, 1, 100000000) == 1) {
		ASSERT_TRUE(chan_stamp_ok(m.data, m.len));
		n++;
		ASSERT_EQ(0, kipc_chan_release(&rx, &m));
	}
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, chan_fdinfo(rx.fd, "senders"));
	/* The pool is freed and uncharged without waiting for cc.fd. */
	EXPECT_TRUE(chan_settle(chan_user_usage, without_pool, 2000));
	EXPECT_EQ(2 * sysconf(_SC_PAGESIZE), chan_fdinfo(rx.fd, "memory"));
	/* The lingering descriptor can do nothing. */
	{
		struct kipc_chan_tx tx;

		EXPECT_EQ(-EPIPE, kipc_chan_tx_open(&tx, cc.fd));
		EXPECT_EQ(0, chan_fdinfo(cc.fd, "sender_messages"));
	}
	close(cc.fd);
	/* A new sender gets a whole fresh pool. */
	{
		struct kipc_chan_tx tx;
		struct kipc_chan_buf b;
		int loans = 0;

		ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
		while (kipc_chan_loan(&tx, MAXMSG, &b) == 0)
			loans++;
		EXPECT_EQ(params.pool_size / MAXMSG, loans);
		kipc_chan_tx_close(&tx);
	}
	kipc_chan_rx_close(&rx);
	close(conn);
}

/* Exiting without closing anything is the same as being killed. */
TEST_F(kill, exit_without_cleanup)
{
	for (int round = 0; round < self->rounds; round++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct kipc_chan_tx tx;
			struct kipc_chan_rx rx;
			struct kipc_chan_msg m;
			struct kipc k;
			int conn;

			if (chan_ctx(&k) || chan_make(&k, &params, &rx, &conn) ||
			    kipc_chan_connect(&tx, conn))
				_exit(10);
			for (int i = 0; i < 10; i++)
				chan_send_stamped(&tx, 500, 0, i, 0);
			if (kipc_chan_recv(&rx, &m) != 1)
				_exit(11);
			_exit(0);
		}
		EXPECT_EQ(0, chan_wait_child(pid));
	}
}

TEST_HARNESS_MAIN
