// SPDX-License-Identifier: GPL-2.0
/*
 * Channels under stress: over a million self-checking messages (sequence
 * number and hash of the payload) of many sizes from several senders, as
 * processes and as threads, single and batch, with the receiver holding
 * and releasing out of order.  Every message must arrive intact, once, in
 * order per sender, and the channel must end cleanly.
 *
 * The debug kernel's guest has one CPU, so senders and receiver take turns
 * through the (KASAN-instrumented) wait and wake paths every ring's worth
 * of messages: there, and only there, the message counts are divided by
 * DEBUG_SCALE to keep the run within its time (about 250,000 messages).
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "chan_test.h"

#define MAXMSG	(16 << 10)
#define DEBUG_SCALE 4

static unsigned int scaled(unsigned int n)
{
	return chan_debug_kernel() ? n / DEBUG_SCALE : n;
}

/* The harness's default of 30 s per test is too short under emulation. */
FIXTURE(stress) {
	uint64_t t0;
};

FIXTURE_SETUP(stress)
{
	self->t0 = chan_now_ns();
}

FIXTURE_TEARDOWN(stress)
{
	TH_LOG("took %.1f s", (chan_now_ns() - self->t0) / 1e9);
}

/* Mostly small messages, some medium, a few large. */
static uint32_t pick_size(uint64_t *r)
{
	uint64_t x = chan_rand(r) % 100;

	if (x < 80)
		return 24 + chan_rand(r) % 72;
	if (x < 98)
		return 96 + chan_rand(r) % 928;
	return 1024 + chan_rand(r) % (MAXMSG - 1024 + 1);
}

/*
 * Send @count messages stamped with @who, in batches of random sizes;
 * 0 or a negative errno.
 */
static int send_stream(struct kipc_chan_tx *tx, uint32_t who, uint64_t count,
		       uint64_t seed)
{
	struct kipc_chan_buf bufs[8];
	uint64_t r = seed, seq = 0;

	while (seq < count) {
		uint32_t len = pick_size(&r);
		unsigned int want = 1 + chan_rand(&r) % 8;
		int n, ret;

		if (want > count - seq)
			want = count - seq;
		if (want == 1) {
			ret = chan_send_stamped(tx, len, who, seq, -1);
			if (ret)
				return ret;
			seq++;
			continue;
		}
		n = kipc_chan_loan_batch(tx, len, bufs, want);
		if (n == -EAGAIN) {
			ret = kipc_chan_tx_wait(tx, -1);
			if (ret)
				return ret;
			continue;
		}
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			/* Some shorter than loaned. */
			bufs[i].len = i & 1 ? len : 24 + (len - 24) / 2;
			chan_stamp(bufs[i].data, bufs[i].len, who, seq + i);
		}
		ret = kipc_chan_send_batch(tx, bufs, n);
		if (ret)
			return ret;
		seq += n;
	}
	return 0;
}

struct tally {
	uint64_t next[16];
	uint64_t sender_id[16];
	uint64_t total;
	uint64_t bytes;
	uint64_t bad;
};

static bool check(struct tally *t, const struct kipc_chan_msg *m,
		  unsigned int senders)
{
	struct chan_stamp st;

	if (!chan_stamp_ok(m->data, m->len))
		return false;
	memcpy(&st, m->data, sizeof(st));
	if (st.sender >= senders || st.seq != t->next[st.sender])
		return false;
	/* One stream per sender endpoint, and the other way round. */
	if (!t->sender_id[st.sender])
		t->sender_id[st.sender] = m->sender;
	if (t->sender_id[st.sender] != m->sender)
		return false;
	t->next[st.sender]++;
	t->total++;
	t->bytes += m->len;
	return true;
}

/* What the receiver knows, when something goes wrong. */
static void dump(struct kipc_chan_rx *rx)
{
	char path[64], line[256];
	FILE *f;

	fprintf(stderr, "# gen %u seen %u state %u error %d cursor %u\n",
		*rx->ctl_gen, rx->gen_seen, rx->state, rx->error, rx->cursor);
	for (uint32_t i = 0; i < rx->nr_peers; i++) {
		struct kipc_chan_peer *p = &rx->peers[i];

		if (!p->id)
			continue;
		fprintf(stderr, "# peer %u id %lx flags %x head %u/%u tail %u seen %u rel %u/%u wakeup %u\n",
			i, (unsigned long)p->id, p->flags, p->head_priv,
			*p->head, *p->tail, p->tail_seen, p->rel_tail_priv,
			*p->rel_tail, *p->tx_wakeup);
	}
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", rx->fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "# %s", line);
	if (f)
		fclose(f);
}

/*
 * Receive until the end, holding up to @window messages and releasing
 * them in random order; mixes single and batch receives, waiting and not.
 */
static void receive_all(struct __test_metadata *_metadata,
			struct kipc_chan_rx *rx, struct tally *t,
			unsigned int senders, unsigned int window)
{
	struct kipc_chan_msg held[64], batch[16];
	uint64_t r = 99, t0 = chan_now_ns();
	unsigned int nheld = 0;

	for (;;) {
		unsigned int want = chan_rand(&r) & 1 ? 1 + chan_rand(&r) % 16 :
							1;
		int n = kipc_chan_recv_batch(rx, batch, want);

		/*
		 * Hold messages only while more are there: a receiver that
		 * waits for more while holding could leave a sender's pool
		 * without room for its next message, and both would wait.
		 */
		if (n == -EAGAIN) {
			ASSERT_EQ(0, kipc_chan_release_batch(rx, held, nheld));
			nheld = 0;
			n = kipc_chan_recv_wait(rx, batch, want, 30000000000LL);
		}
		if (n == 0)
			break;
		if (n < 0)
			dump(rx);
		ASSERT_LT(0, n) {
			TH_LOG("receive: %s", strerror(-n));
		}
		for (int i = 0; i < n; i++) {
			if (!(t->total % 100000))
				TH_LOG("%lu messages at %.1f s",
				       (unsigned long)t->total,
				       (chan_now_ns() - t0) / 1e9);
			ASSERT_TRUE(check(t, &batch[i], senders)) {
				TH_LOG("bad message %lu", (unsigned long)t->total);
			}
			held[nheld++] = batch[i];
			while (nheld > window) {
				unsigned int j = chan_rand(&r) % nheld;

				/* Untouched while held. */
				ASSERT_TRUE(chan_stamp_ok(held[j].data,
							  held[j].len));
				ASSERT_EQ(0, kipc_chan_release(rx, &held[j]));
				held[j] = held[--nheld];
			}
		}
	}
	ASSERT_EQ(0, kipc_chan_release_batch(rx, held, nheld));
}

TEST_F_TIMEOUT(stress, million_messages_from_processes, 200)
{
	enum { SENDERS = 4 };
	const struct kipc_chan_params p = {
		.pool_size = 1 << 20, .max_msg = MAXMSG, .ring_depth = 128,
	};
	const uint64_t EACH = scaled(260000);
	int64_t chans = chan_count();
	struct kipc_chan_rx rx;
	struct tally t = { 0 };
	pid_t pids[SENDERS];
	struct kipc k;
	int conn;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &p, &rx, &conn));
	for (int s = 0; s < SENDERS; s++) {
		pids[s] = fork();
		ASSERT_LE(0, pids[s]);
		if (pids[s] == 0) {
			struct kipc_chan_tx tx;
			int ret;

			if (kipc_chan_connect(&tx, conn))
				_exit(10);
			close(conn);
			ret = send_stream(&tx, s, EACH, s + 1);
			kipc_chan_tx_close(&tx);
			_exit(ret ? 20 : 0);
		}
	}
	close(conn);
	receive_all(_metadata, &rx, &t, SENDERS, 48);
	for (int s = 0; s < SENDERS; s++) {
		EXPECT_EQ(0, chan_wait_child(pids[s]));
		EXPECT_EQ(EACH, t.next[s]);
	}
	EXPECT_EQ(SENDERS * EACH, t.total);
	EXPECT_LE(scaled(1000000), t.total);
	/* The senders' own count agrees. */
	EXPECT_EQ((int64_t)t.total, chan_fdinfo(rx.fd, "messages"));
	EXPECT_EQ((int64_t)t.bytes, chan_fdinfo(rx.fd, "bytes"));
	EXPECT_EQ(0, chan_fdinfo(rx.fd, "depth"));
	TH_LOG("%lu messages, %lu bytes; rx waits %ld, tx waits %ld",
	       (unsigned long)t.total, (unsigned long)t.bytes,
	       (long)chan_fdinfo(rx.fd, "rx_waits"),
	       (long)chan_fdinfo(rx.fd, "tx_waits"));
	kipc_chan_rx_close(&rx);
	EXPECT_TRUE(chan_settle(chan_count, chans, 2000));
	kipc_close(&k);
}

struct sender_thread {
	int conn;
	uint32_t who;
	uint64_t count;
	int ret;
};

static void *sender_main(void *arg)
{
	struct sender_thread *st = arg;
	struct kipc_chan_tx tx;

	st->ret = kipc_chan_connect(&tx, st->conn);
	if (!st->ret) {
		st->ret = send_stream(&tx, st->who, st->count, st->who + 100);
		kipc_chan_tx_close(&tx);
	}
	return NULL;
}

TEST_F_TIMEOUT(stress, threads_with_small_rings, 100)
{
	enum { SENDERS = 6 };
	/* Small rings and pool: the sides block on each other a lot. */
	const struct kipc_chan_params p = {
		.pool_size = 64 << 10, .max_msg = MAXMSG, .ring_depth = 8,
	};
	const uint64_t EACH = scaled(40000);
	struct sender_thread st[SENDERS];
	pthread_t th[SENDERS];
	struct kipc_chan_rx rx;
	struct tally t = { 0 };
	struct kipc k;
	int conn;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &p, &rx, &conn));
	for (int s = 0; s < SENDERS; s++) {
		st[s] = (struct sender_thread){ conn, s, EACH, 0 };
		ASSERT_EQ(0, pthread_create(&th[s], NULL, sender_main, &st[s]));
	}
	/* The connector goes once every thread has connected. */
	while (chan_fdinfo(conn, "connects") < SENDERS)
		usleep(1000);
	close(conn);
	receive_all(_metadata, &rx, &t, SENDERS, 4);
	for (int s = 0; s < SENDERS; s++) {
		pthread_join(th[s], NULL);
		EXPECT_EQ(0, st[s].ret);
		EXPECT_EQ(EACH, t.next[s]);
	}
	EXPECT_EQ(SENDERS * EACH, t.total);
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
}

/* Large messages: the whole payload written once, read once. */
TEST_F_TIMEOUT(stress, large_messages, 100)
{
	enum { COUNT = 300 };
	const struct kipc_chan_params p = {
		.pool_size = 8 << 20, .max_msg = 1 << 20, .ring_depth = 16,
	};
	struct kipc_chan_rx rx;
	struct kipc_chan_msg m;
	struct kipc k;
	uint64_t seq = 0;
	int conn;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &p, &rx, &conn));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_tx tx;

		if (kipc_chan_connect(&tx, conn))
			_exit(10);
		close(conn);
		for (uint64_t i = 0; i < COUNT; i++) {
			uint32_t len = (1 << 20) - (i % 3) * 4096 - i;

			if (chan_send_stamped(&tx, len, 0, i, -1))
				_exit(11);
		}
		kipc_chan_tx_close(&tx);
		_exit(0);
	}
	close(conn);
	while (kipc_chan_recv_wait(&rx, &m, 1, 30000000000LL) == 1) {
		struct chan_stamp st;

		ASSERT_TRUE(chan_stamp_ok(m.data, m.len));
		memcpy(&st, m.data, sizeof(st));
		ASSERT_EQ(seq, st.seq);
		seq++;
		ASSERT_EQ(0, kipc_chan_release(&rx, &m));
	}
	EXPECT_EQ(COUNT, seq);
	EXPECT_EQ(0, chan_wait_child(pid));
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
}

TEST_HARNESS_MAIN
