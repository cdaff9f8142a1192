// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: creation parameters (defaults, limits, every invalid value),
 * the layout the kernel reports, and the ioctl surface of the context and
 * of the three kinds of channel file (validation, unknown commands, bad
 * pointers, roles).
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "chan_test.h"

FIXTURE(chan) {
	struct kipc k;
};

FIXTURE_SETUP(chan)
{
	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&self->k));
}

FIXTURE_TEARDOWN(chan)
{
	kipc_close(&self->k);
}

/* Create with @p and close at once; the errno. */
static int try_params(int ctx, struct kipc_chan_params p)
{
	struct kipc_chan_create c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.params = p;
	ret = chan_create_raw(ctx, &c);
	if (!ret) {
		close(c.rx_fd);
		close(c.connector_fd);
	}
	return ret;
}

static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

TEST_F(chan, defaults)
{
	struct kipc_chan_create c;
	struct kipc_chan_info info;
	long page = sysconf(_SC_PAGESIZE);

	memset(&c, 0, sizeof(c));
	/* Outputs are ignored on input. */
	c.rx_fd = 12345;
	c.connector_fd = -7;
	c.chan_id = ~0ULL;
	memset(&c.layout, 0xa5, sizeof(c.layout));
	ASSERT_EQ(0, chan_create_raw(self->k.fd, &c));
	EXPECT_EQ(KIPC_CHAN_POOL_DEFAULT, c.params.pool_size);
	EXPECT_EQ(KIPC_CHAN_MSG_DEFAULT, c.params.max_msg);
	EXPECT_EQ(KIPC_CHAN_DEPTH_DEFAULT, c.params.ring_depth);
	EXPECT_EQ(KIPC_CHAN_SENDERS_DEFAULT, c.params.max_senders);
	EXPECT_EQ(0, c.params.flags);
	EXPECT_EQ(0, c.params.reserved);
	ASSERT_LE(0, c.rx_fd);
	ASSERT_LE(0, c.connector_fd);
	EXPECT_NE(c.rx_fd, c.connector_fd);
	EXPECT_NE(0, c.chan_id);
	/* Close-on-exec, both. */
	EXPECT_EQ(FD_CLOEXEC, fcntl(c.rx_fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(c.connector_fd, F_GETFD) & FD_CLOEXEC);
	/* The receiver's layout. */
	EXPECT_EQ(0, c.layout.ctl_mmap);
	EXPECT_EQ(KIPC_CHAN_MMAP_NONE, c.layout.tx_mmap);
	EXPECT_EQ(KIPC_CHAN_MMAP_NONE, c.layout.rx_mmap);
	EXPECT_EQ(KIPC_CHAN_MMAP_NONE, c.layout.flags_mmap);
	EXPECT_EQ((uint64_t)page, c.layout.ctl_size);
	EXPECT_EQ(c.params.pool_size, c.layout.pool_size);
	EXPECT_EQ(c.params.max_msg, c.layout.max_msg);
	EXPECT_EQ(c.params.ring_depth, c.layout.ring_depth);
	EXPECT_EQ(c.params.max_senders, c.layout.max_senders);
	EXPECT_EQ(KIPC_CHAN_MSG_ALIGN, c.layout.msg_align);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, c.layout.reserved[i]);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, c.reserved[i]);

	/* INFO says the same, on the receiver and on the connector. */
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_INFO, &info));
	EXPECT_EQ(KIPC_CHAN_ROLE_RECEIVER, info.role);
	EXPECT_EQ(0, info.state);
	EXPECT_EQ(c.chan_id, info.chan_id);
	EXPECT_EQ(0, info.sender_id);
	EXPECT_EQ(0, memcmp(&c.params, &info.params, sizeof(info.params)));
	EXPECT_EQ(0, memcmp(&c.layout, &info.layout, sizeof(info.layout)));
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, info.reserved[i]);
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, kipc_test_ioctl(c.connector_fd, KIPC_CHAN_IOC_INFO,
				     &info));
	EXPECT_EQ(KIPC_CHAN_ROLE_CONNECTOR, info.role);
	EXPECT_EQ(c.chan_id, info.chan_id);
	EXPECT_EQ(KIPC_CHAN_MMAP_NONE, info.layout.ctl_mmap);
	EXPECT_EQ(KIPC_CHAN_MMAP_NONE, info.layout.tx_mmap);
	close(c.rx_fd);
	close(c.connector_fd);
}

/* Every offset lies inside its area and nothing overlaps. */
static void check_layout(struct __test_metadata *_metadata,
			 const struct kipc_chan_layout *l, bool sender)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t d = l->ring_depth;

	EXPECT_EQ(0, l->tx_size % page);
	EXPECT_EQ(0, l->rx_size % page);
	EXPECT_EQ(0, l->ctl_size % page);
	EXPECT_EQ(0, l->flags_size % page);
	EXPECT_EQ(0, l->tx_pool % page);
	EXPECT_EQ(l->tx_size, l->tx_pool + l->pool_size);
	EXPECT_LE(l->tx_ring + d * sizeof(struct kipc_chan_desc), l->tx_pool);
	EXPECT_LE(l->rx_ring + d * sizeof(uint32_t), l->rx_size);
	EXPECT_EQ(0, l->tx_ring % 64);
	EXPECT_EQ(0, l->rx_ring % 64);
	/* Header fields before the rings, each on its own. */
	EXPECT_LE(l->tx_tail + 4, l->tx_ring);
	EXPECT_LE(l->tx_release_head + 4, l->tx_ring);
	EXPECT_LE(l->tx_blocked + 4, l->tx_ring);
	EXPECT_LE(l->tx_msgs + 8, l->tx_ring);
	EXPECT_LE(l->tx_bytes + 8, l->tx_ring);
	EXPECT_NE(l->tx_tail, l->tx_release_head);
	EXPECT_NE(l->tx_tail, l->tx_blocked);
	EXPECT_LE(l->rx_head + 4, l->rx_ring);
	EXPECT_LE(l->rx_release_tail + 4, l->rx_ring);
	EXPECT_LE(l->rx_tx_wakeup + 4, l->rx_ring);
	EXPECT_LE(l->rx_state + 4, l->rx_ring);
	EXPECT_NE(l->rx_head, l->rx_release_tail);
	EXPECT_NE(l->rx_tx_wakeup, l->rx_state);
	/* Producer and consumer indices on different cache lines. */
	EXPECT_NE(l->tx_tail / 64, l->tx_release_head / 64);
	EXPECT_NE(l->rx_head / 64, l->rx_release_tail / 64);
	EXPECT_LE(l->flags_rx + 4, l->flags_size);
	EXPECT_LE(l->ctl_gen + 4, l->ctl_size);
	EXPECT_LE(l->ctl_state + 4, l->ctl_size);
	EXPECT_NE(l->ctl_gen, l->ctl_state);
	if (sender) {
		EXPECT_EQ(KIPC_CHAN_MMAP_NONE, l->ctl_mmap);
		EXPECT_EQ(0, l->tx_mmap % page);
		EXPECT_EQ(0, l->rx_mmap % page);
		EXPECT_EQ(0, l->flags_mmap % page);
		/* Areas do not touch in the offset space. */
		EXPECT_LT(l->tx_mmap + l->tx_size, l->rx_mmap);
		EXPECT_LT(l->rx_mmap + l->rx_size, l->flags_mmap);
	}
}

TEST_F(chan, layout)
{
	static const struct kipc_chan_params shapes[] = {
		{ 0 },
		{ .pool_size = 4096, .max_msg = 4096, .ring_depth = 1 },
		{ .pool_size = 1 << 20, .ring_depth = 2, .max_senders = 1 },
		{ .pool_size = 3 << 20, .max_msg = 1 << 20, .ring_depth = 4096 },
		{ .ring_depth = KIPC_CHAN_DEPTH_MAX, .max_senders = 2 },
	};

	for (unsigned int i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct kipc_chan_connect conn;
		struct kipc_chan_create c;
		struct kipc_chan_info info;

		memset(&c, 0, sizeof(c));
		c.params = shapes[i];
		ASSERT_EQ(0, chan_create_raw(self->k.fd, &c));
		check_layout(_metadata, &c.layout, false);
		memset(&conn, 0, sizeof(conn));
		ASSERT_EQ(0, kipc_test_ioctl(c.connector_fd,
					     KIPC_CHAN_IOC_CONNECT, &conn));
		EXPECT_EQ(FD_CLOEXEC, fcntl(conn.fd, F_GETFD) & FD_CLOEXEC);
		EXPECT_NE(0, conn.sender_id);
		check_layout(_metadata, &conn.layout, true);
		/* Sizes and field offsets are the receiver's. */
		EXPECT_EQ(c.layout.tx_size, conn.layout.tx_size);
		EXPECT_EQ(c.layout.rx_ring, conn.layout.rx_ring);
		EXPECT_EQ(c.layout.tx_pool, conn.layout.tx_pool);
		ASSERT_EQ(0, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_INFO,
					     &info));
		EXPECT_EQ(KIPC_CHAN_ROLE_SENDER, info.role);
		EXPECT_EQ(c.chan_id, info.chan_id);
		EXPECT_EQ(conn.sender_id, info.sender_id);
		EXPECT_EQ(0, memcmp(&conn.layout, &info.layout,
				    sizeof(info.layout)));
		close(conn.fd);
		close(c.rx_fd);
		close(c.connector_fd);
	}
}

TEST_F(chan, rounding_and_accepted_limits)
{
	long page = sysconf(_SC_PAGESIZE);
	struct kipc_chan_create c;

	memset(&c, 0, sizeof(c));
	c.params.pool_size = 1;
	ASSERT_EQ(0, chan_create_raw(self->k.fd, &c));
	EXPECT_EQ((uint64_t)page, c.params.pool_size);
	/* The default message size never exceeds the pool. */
	EXPECT_EQ((uint32_t)page, c.params.max_msg);
	close(c.rx_fd);
	close(c.connector_fd);

	memset(&c, 0, sizeof(c));
	c.params.pool_size = page + 1;
	c.params.max_msg = page + 1;
	ASSERT_EQ(0, chan_create_raw(self->k.fd, &c));
	EXPECT_EQ((uint64_t)page * 2, c.params.pool_size);
	EXPECT_EQ((uint32_t)page + 1, c.params.max_msg);
	close(c.rx_fd);
	close(c.connector_fd);

	/* The upper limits themselves are fine (nothing is connected). */
	EXPECT_EQ(0, try_params(self->k.fd, (struct kipc_chan_params){
		.pool_size = KIPC_CHAN_POOL_MAX,
		.max_msg = (uint32_t)KIPC_CHAN_POOL_MAX,
		.ring_depth = KIPC_CHAN_DEPTH_MAX,
		.max_senders = KIPC_CHAN_SENDERS_MAX }));
	EXPECT_EQ(0, try_params(self->k.fd, (struct kipc_chan_params){
		.ring_depth = 1, .max_senders = 1, .max_msg = 1 }));
}

TEST_F(chan, invalid_params)
{
	const struct {
		const char *what;
		struct kipc_chan_params p;
	} bad[] = {
		{ "pool over the limit", { .pool_size = KIPC_CHAN_POOL_MAX + 1 } },
		{ "pool huge", { .pool_size = ~0ULL } },
		{ "pool wrapping when rounded", { .pool_size = ~0ULL - 10 } },
		{ "message over the pool", { .pool_size = 4096, .max_msg = 65536 } },
		{ "message over the default pool",
		  { .max_msg = KIPC_CHAN_POOL_DEFAULT + 1 } },
		{ "message huge", { .max_msg = ~0U } },
		{ "depth 3", { .ring_depth = 3 } },
		{ "depth 1000", { .ring_depth = 1000 } },
		{ "depth over the limit", { .ring_depth = KIPC_CHAN_DEPTH_MAX * 2 } },
		{ "depth top bit", { .ring_depth = 0x80000000U } },
		{ "depth odd", { .ring_depth = 0xffffffffU } },
		{ "senders over the limit",
		  { .max_senders = KIPC_CHAN_SENDERS_MAX + 1 } },
		{ "senders huge", { .max_senders = ~0U } },
		{ "reserved", { .reserved = 1 } },
		{ "reserved top bit", { .reserved = 1ULL << 63 } },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, try_params(self->k.fd, bad[i].p)) {
			TH_LOG("%s", bad[i].what);
		}
	}
	for (int bit = 0; bit < 32; bit++) {
		struct kipc_chan_params p = { .flags = 1U << bit };

		EXPECT_EQ(-EINVAL, try_params(self->k.fd, p)) {
			TH_LOG("params.flags bit %d", bit);
		}
	}
}

TEST_F(chan, invalid_create_fields)
{
	struct kipc_chan_create c;
	int64_t before = chan_count();

	for (int bit = 0; bit < 32; bit++) {
		memset(&c, 0, sizeof(c));
		c.flags = 1U << bit;
		EXPECT_EQ(-EINVAL, chan_create_raw(self->k.fd, &c));
	}
	memset(&c, 0, sizeof(c));
	c.reserved0 = 1;
	EXPECT_EQ(-EINVAL, chan_create_raw(self->k.fd, &c));
	for (int i = 0; i < 4; i++) {
		memset(&c, 0, sizeof(c));
		c.reserved[i] = 1ULL << (i * 13);
		EXPECT_EQ(-EINVAL, chan_create_raw(self->k.fd, &c));
	}
	/* Nothing was created by any of them. */
	EXPECT_EQ(before, chan_count());
}

TEST_F(chan, bad_pointers)
{
	size_t page = sysconf(_SC_PAGESIZE);
	int64_t chans = chan_count();
	int fds = open_fds();
	struct kipc_chan_create *ro;
	void *none;

	EXPECT_EQ(-EFAULT, chan_create_raw(self->k.fd, NULL));
	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-EFAULT, chan_create_raw(self->k.fd, none));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->k.fd, KIPC_IOC_CHAN_LIMITS,
					   none));
	/*
	 * A valid request whose answer cannot be written: nothing may be
	 * left behind, neither descriptors nor the channel.
	 */
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(ro, 0, sizeof(*ro));
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	for (int i = 0; i < 20; i++)
		EXPECT_EQ(-EFAULT, chan_create_raw(self->k.fd, ro));
	EXPECT_EQ(fds, open_fds());
	EXPECT_TRUE(chan_settle(chan_count, chans, 2000));
	munmap(ro, page);
	munmap(none, page);
}

TEST(before_handshake)
{
	struct kipc_chan_create c;
	struct kipc_chan_limits lim;
	int fd;

	CHAN_REQUIRE();
	fd = kipc_test_open_raw();
	ASSERT_LE(0, fd);
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(-EBADFD, chan_create_raw(fd, &c));
	EXPECT_EQ(-EBADFD, chan_create_raw(fd, NULL));
	EXPECT_EQ(-EBADFD, kipc_test_ioctl(fd, KIPC_IOC_CHAN_LIMITS, &lim));
	/* Without asking for the feature, channels still work after it. */
	ASSERT_EQ(0, kipc_test_api(fd, 0, NULL));
	EXPECT_EQ(0, chan_create_raw(fd, &c));
	close(c.rx_fd);
	close(c.connector_fd);
	close(fd);
}

TEST(handshake_offers_channels)
{
	struct kipc_api api;
	int fd;

	CHAN_REQUIRE();
	fd = kipc_test_open_raw();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_test_api(fd, KIPC_FEATURE_CHANNELS, &api));
	EXPECT_EQ(KIPC_FEATURE_CHANNELS, api.features & KIPC_FEATURE_CHANNELS);
	EXPECT_NE(0, api.ioctls & 1ULL << _IOC_NR(KIPC_IOC_CHAN_CREATE));
	EXPECT_NE(0, api.ioctls & 1ULL << _IOC_NR(KIPC_IOC_CHAN_LIMITS));
	close(fd);
}

TEST_F(chan, limits)
{
	struct kipc_chan_limits lim;
	struct kipc_chan_rx rx;
	int conn;
	int64_t n;

	memset(&lim, 0xa5, sizeof(lim));
	ASSERT_EQ(0, kipc_chan_limits(&self->k, &lim));
	EXPECT_EQ(KIPC_CHAN_POOL_DEFAULT, lim.defaults.pool_size);
	EXPECT_EQ(KIPC_CHAN_MSG_DEFAULT, lim.defaults.max_msg);
	EXPECT_EQ(KIPC_CHAN_DEPTH_DEFAULT, lim.defaults.ring_depth);
	EXPECT_EQ(KIPC_CHAN_SENDERS_DEFAULT, lim.defaults.max_senders);
	EXPECT_EQ(KIPC_CHAN_POOL_MAX, lim.max.pool_size);
	EXPECT_EQ(KIPC_CHAN_DEPTH_MAX, lim.max.ring_depth);
	EXPECT_EQ(KIPC_CHAN_SENDERS_MAX, lim.max.max_senders);
	EXPECT_EQ((uint32_t)sysconf(_SC_PAGESIZE), lim.page_size);
	EXPECT_EQ(KIPC_CHAN_MSG_ALIGN, lim.msg_align);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, lim.reserved[i]);
	n = lim.channels;
	ASSERT_EQ(0, chan_make(&self->k, NULL, &rx, &conn));
	EXPECT_LE(n + 1, chan_count());
	kipc_chan_rx_close(&rx);
	close(conn);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect_enotty(struct __test_metadata *_metadata, int fd,
			  const unsigned long *cmds, unsigned int n,
			  const char *what)
{
	char buf[512] = { 0 };

	for (unsigned int i = 0; i < n; i++) {
		EXPECT_EQ(-ENOTTY, kipc_test_ioctl(fd, cmds[i], buf)) {
			TH_LOG("%s: ioctl 0x%lx", what, cmds[i]);
		}
	}
}

TEST_F(chan, unknown_ioctls)
{
	static const unsigned long common[] = {
		_IO(KIPC_IOC_MAGIC, 0x7f),
		_IOWR(KIPC_IOC_MAGIC, 0x67, struct kipc_chan_wait),
		KIPC_IOC_API, KIPC_IOC_INFO, KIPC_IOC_CHAN_CREATE,
		/* known numbers with the wrong size or direction */
		_IOW(KIPC_IOC_MAGIC, 0x60, struct kipc_chan_info),
		_IOR(KIPC_IOC_MAGIC, 0x62, struct kipc_chan_wait),
		_IOW(KIPC_IOC_MAGIC, 0x62, __u64),
		_IO(KIPC_IOC_MAGIC, 0x60),
		_IOWR('T', 0x60, struct kipc_chan_info),
		0,
	};
	static const unsigned long not_rx[] = {
		KIPC_CHAN_IOC_CONNECT, KIPC_CHAN_IOC_WAKE_RX,
	};
	static const unsigned long not_tx[] = {
		KIPC_CHAN_IOC_CONNECT, KIPC_CHAN_IOC_WAKE_TX,
		KIPC_CHAN_IOC_SENDERS, KIPC_CHAN_IOC_DETACH,
	};
	static const unsigned long not_conn[] = {
		KIPC_CHAN_IOC_WAIT, KIPC_CHAN_IOC_WAKE_RX, KIPC_CHAN_IOC_WAKE_TX,
		KIPC_CHAN_IOC_SENDERS, KIPC_CHAN_IOC_DETACH,
	};
	static const unsigned long ctx_wrong[] = {
		KIPC_CHAN_IOC_INFO, KIPC_CHAN_IOC_CONNECT, KIPC_CHAN_IOC_WAIT,
		_IOR(KIPC_IOC_MAGIC, 0x3f, struct kipc_chan_limits),
		_IOW(KIPC_IOC_MAGIC, 0x30, struct kipc_chan_create),
		_IOWR(KIPC_IOC_MAGIC, 0x31, struct kipc_chan_limits),
	};
	struct kipc_chan_connect conn;
	struct kipc_chan_create c;

	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, chan_create_raw(self->k.fd, &c));
	memset(&conn, 0, sizeof(conn));
	ASSERT_EQ(0, kipc_test_ioctl(c.connector_fd, KIPC_CHAN_IOC_CONNECT,
				     &conn));
	expect_enotty(_metadata, c.rx_fd, common, N(common), "receiver");
	expect_enotty(_metadata, conn.fd, common, N(common), "sender");
	expect_enotty(_metadata, c.connector_fd, common, N(common),
		      "connector");
	expect_enotty(_metadata, c.rx_fd, not_rx, N(not_rx), "receiver");
	expect_enotty(_metadata, conn.fd, not_tx, N(not_tx), "sender");
	expect_enotty(_metadata, c.connector_fd, not_conn, N(not_conn),
		      "connector");
	expect_enotty(_metadata, self->k.fd, ctx_wrong, N(ctx_wrong),
		      "context");
	close(conn.fd);
	close(c.rx_fd);
	close(c.connector_fd);
}

TEST_F(chan, endpoint_ioctl_validation)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct kipc_chan_sender_ref ref;
	struct kipc_chan_sender list[4];
	struct kipc_chan_senders s;
	struct kipc_chan_connect conn;
	struct kipc_chan_create c;
	struct kipc_chan_wait w;
	void *none;

	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, chan_create_raw(self->k.fd, &c));

	/* CONNECT */
	memset(&conn, 0, sizeof(conn));
	conn.flags = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.connector_fd,
					   KIPC_CHAN_IOC_CONNECT, &conn));
	memset(&conn, 0, sizeof(conn));
	conn.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.connector_fd,
					   KIPC_CHAN_IOC_CONNECT, &conn));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(c.connector_fd,
					   KIPC_CHAN_IOC_CONNECT, none));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(c.connector_fd, KIPC_CHAN_IOC_INFO,
					   none));
	memset(&conn, 0, sizeof(conn));
	ASSERT_EQ(0, kipc_test_ioctl(c.connector_fd, KIPC_CHAN_IOC_CONNECT,
				     &conn));

	/* WAIT, on both ends */
	memset(&w, 0, sizeof(w));
	w.flags = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAIT, &w));
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_WAIT, &w));
	memset(&w, 0, sizeof(w));
	w.reserved = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAIT, &w));
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_WAIT, &w));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAIT, none));
	/* Nothing to wait for yet. */
	memset(&w, 0, sizeof(w));
	EXPECT_EQ(0, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAIT, &w)) {
		TH_LOG("the new sender is news for the receiver");
	}
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_SENDERS, &s));
	EXPECT_EQ(0, s.nr);
	EXPECT_EQ(1, s.total);
	EXPECT_EQ(-EAGAIN, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAIT, &w));
	EXPECT_EQ(-EAGAIN, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_WAIT, &w));
	w.timeout_ns = 2000000;
	EXPECT_EQ(-ETIMEDOUT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAIT,
					      &w));
	EXPECT_EQ(-ETIMEDOUT, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_WAIT,
					      &w));

	/* SENDERS */
	memset(&s, 0, sizeof(s));
	s.flags = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_SENDERS, &s));
	memset(&s, 0, sizeof(s));
	s.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_SENDERS, &s));
	memset(&s, 0, sizeof(s));
	s.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_SENDERS, &s));
	memset(&s, 0, sizeof(s));
	s.senders = (uintptr_t)none;
	s.nr = 4;
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_SENDERS, &s));
	memset(&s, 0, sizeof(s));
	memset(list, 0xa5, sizeof(list));
	s.senders = (uintptr_t)list;
	s.nr = 4;
	ASSERT_EQ(0, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_SENDERS, &s));
	EXPECT_EQ(1, s.nr);
	EXPECT_EQ(1, s.total);
	EXPECT_EQ(conn.sender_id, list[0].id);
	EXPECT_EQ(0, list[0].flags);
	EXPECT_EQ(getpid(), list[0].pid);
	EXPECT_EQ(geteuid(), list[0].uid);
	EXPECT_EQ(getegid(), list[0].gid);
	EXPECT_EQ(0, s.state);

	/* WAKE_TX and DETACH */
	memset(&ref, 0, sizeof(ref));
	ref.sender_id = conn.sender_id;
	ref.flags = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAKE_TX,
					   &ref));
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_DETACH,
					   &ref));
	ref.flags = 0;
	ref.reserved = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAKE_TX,
					   &ref));
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_DETACH,
					   &ref));
	ref.reserved = 0;
	ref.sender_id = conn.sender_id + (1 << 16);
	EXPECT_EQ(-ENOENT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAKE_TX,
					   &ref));
	EXPECT_EQ(-ENOENT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_DETACH,
					   &ref));
	ref.sender_id = 0;
	EXPECT_EQ(-ENOENT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_DETACH,
					   &ref));
	ref.sender_id = ~0ULL;
	EXPECT_EQ(-ENOENT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_DETACH,
					   &ref));
	ref.sender_id = conn.sender_id;
	EXPECT_EQ(0, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_WAKE_TX, &ref));
	EXPECT_EQ(0, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_DETACH, &ref));
	EXPECT_EQ(-ENOENT, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_DETACH,
					   &ref));
	/* The detached sender is cut off. */
	memset(&w, 0, sizeof(w));
	EXPECT_EQ(-ECONNRESET, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_WAIT,
					       &w));
	EXPECT_EQ(-ECONNRESET, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_WAKE_RX,
					       NULL));
	close(conn.fd);
	close(c.rx_fd);
	close(c.connector_fd);
	munmap(none, page);
}

TEST_F(chan, fdinfo_fields)
{
	struct kipc_chan_connect conn;
	struct kipc_chan_create c;

	memset(&c, 0, sizeof(c));
	c.params.ring_depth = 64;
	ASSERT_EQ(0, chan_create_raw(self->k.fd, &c));
	memset(&conn, 0, sizeof(conn));
	ASSERT_EQ(0, kipc_test_ioctl(c.connector_fd, KIPC_CHAN_IOC_CONNECT,
				     &conn));
	EXPECT_EQ((int64_t)c.chan_id, chan_fdinfo(c.rx_fd, "chan_id"));
	EXPECT_EQ((int64_t)c.chan_id, chan_fdinfo(conn.fd, "chan_id"));
	EXPECT_EQ((int64_t)c.chan_id, chan_fdinfo(c.connector_fd, "chan_id"));
	EXPECT_EQ((int64_t)conn.sender_id, chan_fdinfo(conn.fd, "sender_id"));
	EXPECT_EQ(64, chan_fdinfo(c.rx_fd, "ring_depth"));
	EXPECT_EQ(1, chan_fdinfo(c.rx_fd, "senders"));
	EXPECT_EQ(1, chan_fdinfo(c.rx_fd, "live_senders"));
	EXPECT_EQ(0, chan_fdinfo(c.rx_fd, "messages"));
	EXPECT_EQ(0, chan_fdinfo(c.rx_fd, "depth"));
	EXPECT_LT(0, chan_fdinfo(c.rx_fd, "memory"));
	close(conn.fd);
	EXPECT_EQ(0, chan_fdinfo(c.rx_fd, "live_senders"));
	EXPECT_EQ(1, chan_fdinfo(c.rx_fd, "senders"));
	close(c.rx_fd);
	close(c.connector_fd);
}

TEST_F(chan, many_channels)
{
	int n = chan_debug_kernel() ? 100 : 400;
	int64_t before = chan_count(), usage = chan_user_usage();
	static int fds[400][2];

	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, kipc_chan_create(&self->k, NULL, &fds[i][0],
					      &fds[i][1]));
	}
	EXPECT_LE(before + n, chan_count());
	for (int i = 0; i < n; i++) {
		/* Either order of closing frees everything. */
		close(fds[i][i & 1]);
		close(fds[i][!(i & 1)]);
	}
	EXPECT_TRUE(chan_settle(chan_count, before, 2000));
	EXPECT_TRUE(chan_settle(chan_user_usage, usage, 2000));
}

TEST_HARNESS_MAIN
