// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: readiness and limits.  poll(), select() and epoll on the
 * receiver (empty, readable, level- and edge-triggered with
 * kipc_chan_rx_arm(), a blocked poll() woken by a send, the end of the
 * channel, a closed receiver) and on a sender (writable, out of buffers
 * after a failed loan, writable again after a release, a blocked poll()
 * woken by a release, EPOLLERR and EPIPE without SIGPIPE once the receiver
 * is gone); the per-user limit (EDQUOT at creation and at connection,
 * whoever connects, the usage reported, whole pages, CAP_SYS_RESOURCE
 * counted but not limited); memory cgroup charging (the pool charged at
 * connection, ENOMEM over memory.max without the OOM killer, nothing
 * leaked); endpoints passed over SCM_RIGHTS (the connector, a sender before
 * it is mapped and the process it attaches to) and close-on-exec.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "chan_test.h"

#define POOL	(64 << 10)
#define MAXMSG	(4 << 10)
#define DEPTH	16

#define SEC_NS	1000000000LL

#define LIMIT_PARAM	"/sys/module/kipc/parameters/chan_user_limit_kb"

static const struct kipc_chan_params small = {
	.pool_size = POOL, .max_msg = MAXMSG, .ring_depth = DEPTH,
	.max_senders = 16,
};

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* What poll() with a zero timeout reports for @events on @fd; -1 on error. */
static int poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, 0);

	if (n < 0)
		return -1;
	return n ? p.revents : 0;
}

/* Whether process or thread @id sleeps (state S), waiting up to 5 s. */
static bool wait_asleep(pid_t id)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", id);
	for (int i = 0; i < 5000; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S') {
				/* Past the flag it set, into poll()'s sleep. */
				usleep(20000);
				return true;
			}
		}
		usleep(1000);
	}
	return false;
}

/* A poll() in another thread. */
struct poller {
	int fd;
	short events;
	int timeout_ms;
	pid_t tid;
	int started;
	int done;
	int ret;
	short revents;
};

static void *poller_main(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = p->events };

	p->tid = (pid_t)syscall(SYS_gettid);
	__atomic_store_n(&p->started, 1, __ATOMIC_RELEASE);
	p->ret = poll(&pfd, 1, p->timeout_ms);
	p->revents = pfd.revents;
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start a poller; returns its thread id once it is asleep, or -1. */
static pid_t poller_start(pthread_t *th, struct poller *p)
{
	if (pthread_create(th, NULL, poller_main, p))
		return -1;
	while (!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE))
		usleep(1000);
	return wait_asleep(p->tid) ? p->tid : -1;
}

/*
 * A channel of the small shape, its receiver (which has fetched the
 * sender table, so that only messages make it readable) and one sender.
 */
FIXTURE(pair) {
	struct kipc k;
	struct kipc_chan_rx rx;
	struct kipc_chan_tx tx;
	int conn;
	bool ready;
};

FIXTURE_SETUP(pair)
{
	struct kipc_chan_msg msg;

	self->conn = -1;
	self->rx.fd = -1;
	self->tx.fd = -1;
	self->k.fd = -1;
	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&self->k));
	ASSERT_EQ(0, chan_make(&self->k, &small, &self->rx, &self->conn));
	ASSERT_EQ(0, kipc_chan_connect(&self->tx, self->conn));
	/* The new sender is news to the receiver until it fetches it. */
	ASSERT_EQ(POLLIN, poll_now(self->rx.fd, POLLIN));
	ASSERT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	self->ready = true;
}

FIXTURE_TEARDOWN(pair)
{
	if (self->tx.fd >= 0)
		kipc_chan_tx_close(&self->tx);
	if (self->rx.fd >= 0)
		kipc_chan_rx_close(&self->rx);
	if (self->conn >= 0)
		close(self->conn);
	if (self->k.fd >= 0)
		kipc_close(&self->k);
}

/* A skipped setup still runs the test in this harness: stop there. */
#define PAIR_READY() do { if (!self->ready) return; } while (0)

/* poll() and select() on the receiver: nothing when empty, then readable. */
TEST_F(pair, rx_poll_empty_then_readable)
{
	struct kipc_chan_msg msg;
	struct timeval tv = { 0, 0 };
	fd_set rfds;

	PAIR_READY();
	EXPECT_EQ(0, poll_now(self->rx.fd, POLLIN | POLLRDNORM | POLLOUT));
	FD_ZERO(&rfds);
	FD_SET(self->rx.fd, &rfds);
	EXPECT_EQ(0, select(self->rx.fd + 1, &rfds, NULL, NULL, &tv));

	ASSERT_EQ(0, chan_send_stamped(&self->tx, 100, 0, 0, 0));
	/* Readable, and stays so (level) until received; never writable. */
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(POLLIN | POLLRDNORM,
			  poll_now(self->rx.fd, POLLIN | POLLRDNORM | POLLOUT));
	FD_ZERO(&rfds);
	FD_SET(self->rx.fd, &rfds);
	tv.tv_usec = 0;
	EXPECT_EQ(1, select(self->rx.fd + 1, &rfds, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->rx.fd, &rfds));

	/* Received: nothing more to read, even while the message is held. */
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_TRUE(chan_stamp_ok(msg.data, msg.len));
	EXPECT_EQ(0, poll_now(self->rx.fd, POLLIN));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	EXPECT_EQ(0, poll_now(self->rx.fd, POLLIN));
}

/* Level-triggered epoll reports the receiver until it is drained. */
TEST_F(pair, rx_epoll_level_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
	struct kipc_chan_msg msg;
	int ep;

	PAIR_READY();
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->rx.fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 0, 0));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 1, 0));
	for (int i = 0; i < 3; i++) {
		memset(&ev, 0, sizeof(ev));
		ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
		EXPECT_EQ(EPOLLIN, ev.events);
		EXPECT_EQ(7, ev.data.u64);
	}
	/* One of two taken: still reported. */
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	/* Drained: no more. */
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* A new message is reported again with nothing to re-arm. */
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 2, 0));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 2000));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(ep);
}

/*
 * Edge-triggered epoll: one event per wakeup.  After draining, the wakeup
 * must be re-armed with kipc_chan_rx_arm(), which returns 1 when something
 * arrived meanwhile (receive again) and 0 once it is armed; a send then
 * makes a new event.
 */
TEST_F(pair, rx_epoll_edge_triggered_rearm)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct kipc_chan_msg msg;
	int ep;

	PAIR_READY();
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->rx.fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 0, 0));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	/* Reported once, although not drained yet. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	ASSERT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	/* The delivered wakeup cleared the flag: without re-arming, no event. */
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 1, 0));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* Re-arming finds what came meanwhile. */
	EXPECT_EQ(1, kipc_chan_rx_arm(&self->rx));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	ASSERT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	/* Nothing now: armed, safe to sleep; the next send is an event. */
	EXPECT_EQ(0, kipc_chan_rx_arm(&self->rx));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 2, 0));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 2000));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_TRUE(chan_stamp_ok(msg.data, msg.len));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	close(ep);
}

/* A poll() asleep in another thread is woken by a send. */
TEST_F(pair, rx_blocked_poll_woken_by_send)
{
	struct poller p = { .fd = self->rx.fd, .events = POLLIN,
			    .timeout_ms = 20000 };
	struct kipc_chan_msg msg;
	pthread_t th;

	PAIR_READY();
	ASSERT_EQ(0, poll_now(self->rx.fd, POLLIN));
	ASSERT_LT(0, poller_start(&th, &p));
	/* Asleep, and not woken yet. */
	EXPECT_EQ(0, __atomic_load_n(&p.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLIN, p.revents);
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
}

/*
 * The end of the channel: with every sender and the connector gone and
 * everything drained, the receiver is readable with POLLHUP; not before.
 */
TEST_F(pair, rx_end_of_channel_pollhup)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM };
	struct kipc_chan_msg msg;
	int ep;

	PAIR_READY();
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 0, 0));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 1, 0));
	kipc_chan_tx_close(&self->tx);
	/* The connector could still make senders: no hangup. */
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	ASSERT_EQ(-EAGAIN, kipc_chan_recv(&self->rx, &msg));
	EXPECT_EQ(0, poll_now(self->rx.fd, POLLIN | POLLRDNORM));

	/* A message left, all writers gone: readable, not yet the end. */
	ASSERT_EQ(0, kipc_chan_connect(&self->tx, self->conn));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 64, 0, 2, 0));
	kipc_chan_tx_close(&self->tx);
	close(self->conn);
	self->conn = -1;
	EXPECT_EQ(POLLIN | POLLRDNORM,
		  poll_now(self->rx.fd, POLLIN | POLLRDNORM));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &msg));
	EXPECT_TRUE(chan_stamp_ok(msg.data, msg.len));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLHUP,
		  poll_now(self->rx.fd, POLLIN | POLLRDNORM));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msg));
	ASSERT_EQ(0, kipc_chan_recv(&self->rx, &msg));
	/* Drained and ended: for good, to poll() and to epoll. */
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLHUP,
		  poll_now(self->rx.fd, POLLIN | POLLRDNORM));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLHUP,
		  poll_now(self->rx.fd, POLLIN | POLLRDNORM));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->rx.fd, &ev));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM | EPOLLHUP, ev.events);
	close(ep);
}

/* A closed receiver (its control area unmapped) reports POLLERR|POLLHUP. */
TEST(rx_closed_pollerr)
{
	struct kipc_chan_connect cc;
	struct kipc_chan_create c;
	struct kipc k;
	void *ctl;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	memset(&c, 0, sizeof(c));
	c.params = small;
	ASSERT_EQ(0, chan_create_raw(k.fd, &c));
	ctl = mmap(NULL, c.layout.ctl_size, PROT_READ, MAP_SHARED, c.rx_fd,
		   c.layout.ctl_mmap);
	ASSERT_NE(MAP_FAILED, ctl);
	EXPECT_EQ(0, poll_now(c.rx_fd, POLLIN));
	ASSERT_EQ(0, munmap(ctl, c.layout.ctl_size));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(c.rx_fd, POLLIN));
	memset(&cc, 0, sizeof(cc));
	EXPECT_EQ(-EPIPE, kipc_test_ioctl(c.connector_fd,
					  KIPC_CHAN_IOC_CONNECT, &cc));
	close(c.rx_fd);
	close(c.connector_fd);
	kipc_close(&k);
}

/*
 * A sender of shape @p loans buffers of @size until -EAGAIN (@expect of
 * them): it stays writable until a loan fails, which marks it out of
 * buffers; then it is not writable, sent or received, until the receiver
 * releases one.  kipc_chan_tx_arm() agrees.
 */
static void exhaust_and_release(struct __test_metadata *_metadata,
				const struct kipc_chan_params *p, size_t size,
				int expect)
{
	struct kipc_chan_buf bufs[DEPTH], b;
	struct kipc_chan_msg msgs[DEPTH];
	struct kipc_chan_tx tx;
	struct kipc_chan_rx rx;
	struct kipc k;
	int conn, n;

	ASSERT_GE(DEPTH, expect);
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, p, &rx, &conn));
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	ASSERT_EQ(-EAGAIN, kipc_chan_recv(&rx, &msgs[0]));
	EXPECT_EQ(POLLOUT, poll_now(tx.fd, POLLIN | POLLOUT));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(tx.fd, POLLOUT | POLLWRNORM));

	for (n = 0; n < expect; n++)
		ASSERT_EQ(0, kipc_chan_loan(&tx, size, &bufs[n]));
	/* Everything loaned, but it did not say so yet. */
	EXPECT_EQ(POLLOUT, poll_now(tx.fd, POLLOUT));
	ASSERT_EQ(-EAGAIN, kipc_chan_loan(&tx, size, &b));
	EXPECT_EQ(0, poll_now(tx.fd, POLLOUT));
	EXPECT_EQ(0, kipc_chan_tx_arm(&tx));
	ASSERT_EQ(0, kipc_chan_send_batch(&tx, bufs, n));
	EXPECT_EQ(0, poll_now(tx.fd, POLLOUT));
	ASSERT_EQ(n, kipc_chan_recv_batch(&rx, msgs, DEPTH));
	/* Received but held: still nothing back. */
	EXPECT_EQ(0, poll_now(tx.fd, POLLOUT));
	EXPECT_EQ(0, kipc_chan_tx_arm(&tx));
	EXPECT_EQ(0, chan_fdinfo(tx.fd, "tx_wakeups"));

	/* One back: writable, and the armed sender was woken. */
	ASSERT_EQ(0, kipc_chan_release(&rx, &msgs[0]));
	EXPECT_EQ(POLLOUT, poll_now(tx.fd, POLLOUT));
	EXPECT_EQ(1, kipc_chan_tx_arm(&tx));
	EXPECT_EQ(1, chan_fdinfo(tx.fd, "tx_wakeups"));
	ASSERT_EQ(0, kipc_chan_loan(&tx, size, &b));
	EXPECT_EQ(POLLOUT, poll_now(tx.fd, POLLOUT));
	ASSERT_EQ(0, kipc_chan_unloan(&tx, &b));
	ASSERT_EQ(0, kipc_chan_release_batch(&rx, msgs + 1, n - 1));
	EXPECT_EQ(POLLOUT, poll_now(tx.fd, POLLOUT));

	kipc_chan_tx_close(&tx);
	kipc_chan_rx_close(&rx);
	close(conn);
	kipc_close(&k);
}

/* Out of buffer ids: ring_depth buffers loaned. */
TEST(tx_poll_ring_exhausted)
{
	CHAN_REQUIRE();
	exhaust_and_release(_metadata, &small, 64, DEPTH);
}

/* Out of pool: a one-page pool in four quarters. */
TEST(tx_poll_pool_exhausted)
{
	struct kipc_chan_params p = {
		.pool_size = (uint64_t)page_size(), .max_msg = 0,
		.ring_depth = DEPTH,
	};

	CHAN_REQUIRE();
	ASSERT_EQ(0, page_size() % 256);
	exhaust_and_release(_metadata, &p, (size_t)page_size() / 4, 4);
}

/* A poll() asleep in another process on a full sender: a release wakes it. */
TEST_F(pair, tx_blocked_poll_woken_by_release)
{
	struct kipc_chan_msg msgs[DEPTH];
	struct kipc_chan_buf b;
	int n = 0;
	pid_t pid;

	PAIR_READY();
	while (kipc_chan_loan(&self->tx, 64, &b) == 0) {
		chan_stamp(b.data, 64, 0, n++);
		ASSERT_EQ(0, kipc_chan_send(&self->tx, &b));
	}
	ASSERT_EQ(DEPTH, n);
	ASSERT_EQ(n, kipc_chan_recv_batch(&self->rx, msgs, DEPTH));
	ASSERT_EQ(0, poll_now(self->tx.fd, POLLOUT));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd pfd = { .fd = self->tx.fd, .events = POLLOUT };
		int ret = poll(&pfd, 1, 20000);

		if (ret == 0)
			_exit(1);	/* timed out */
		_exit(ret == 1 && pfd.revents == POLLOUT ? 0 : 2);
	}
	ASSERT_TRUE(wait_asleep(pid));
	ASSERT_EQ(0, kipc_chan_release(&self->rx, &msgs[0]));
	EXPECT_EQ(0, chan_wait_child(pid));
	EXPECT_EQ(POLLOUT, poll_now(self->tx.fd, POLLOUT));
	ASSERT_EQ(0, kipc_chan_release_batch(&self->rx, msgs + 1, n - 1));
}

static int sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/*
 * The receiver goes while a sender, out of buffers, sleeps in poll(): it
 * is woken with POLLERR (and POLLOUT), and everything it tries fails with
 * EPIPE, without SIGPIPE.
 */
TEST_F(pair, tx_receiver_closed_pollerr_epipe)
{
	struct poller p = { .events = POLLOUT, .timeout_ms = 20000 };
	struct kipc_chan_buf bufs[DEPTH + 1], b;
	pthread_t th;
	int n = 0;

	PAIR_READY();
	sigpipes = 0;
	ASSERT_NE(SIG_ERR, signal(SIGPIPE, on_sigpipe));
	while (n <= DEPTH && kipc_chan_loan(&self->tx, 64, &bufs[n]) == 0)
		n++;
	ASSERT_EQ(DEPTH, n);
	ASSERT_EQ(0, kipc_chan_send(&self->tx, &bufs[0]));
	ASSERT_EQ(0, poll_now(self->tx.fd, POLLOUT));
	p.fd = self->tx.fd;
	ASSERT_LT(0, poller_start(&th, &p));
	EXPECT_EQ(0, __atomic_load_n(&p.done, __ATOMIC_ACQUIRE));
	kipc_chan_rx_close(&self->rx);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLOUT | POLLERR, p.revents);
	EXPECT_EQ(POLLOUT | POLLERR, poll_now(self->tx.fd, POLLOUT));
	EXPECT_EQ(POLLERR, poll_now(self->tx.fd, POLLIN));

	EXPECT_EQ(-EPIPE, kipc_chan_send(&self->tx, &bufs[1]));
	EXPECT_EQ(-EPIPE, kipc_chan_loan(&self->tx, 64, &b));
	EXPECT_EQ(-EPIPE, kipc_chan_tx_wait(&self->tx, 0));
	EXPECT_EQ(-EPIPE, kipc_test_ioctl(self->tx.fd, KIPC_CHAN_IOC_WAKE_RX,
					  NULL));
	/* No write() to raise SIGPIPE: the file has none. */
	EXPECT_EQ(-1, write(self->tx.fd, "x", 1));
	EXPECT_NE(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
	signal(SIGPIPE, SIG_DFL);
}

/*
 * The per-user limit.  The fixture saves chan_user_limit_kb and puts it
 * back whatever happens in the test (short of a timeout's SIGKILL).
 */
FIXTURE(quota) {
	char saved[64];
	bool have_saved;
	long page;
};

static int param_read(char *buf, size_t size)
{
	int fd = open(LIMIT_PARAM, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return n ? -errno : -EIO;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int param_write(const char *val)
{
	int fd = open(LIMIT_PARAM, O_WRONLY | O_CLOEXEC);
	ssize_t n, len = (ssize_t)strlen(val);

	if (fd < 0)
		return -errno;
	n = write(fd, val, (size_t)len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == len ? 0 : (n < 0 ? (int)n : -EIO);
}

/* Set the limit to @kb KiB; 0 or -errno. */
static int param_set_kb(unsigned long kb)
{
	char val[32];

	snprintf(val, sizeof(val), "%lu", kb);
	return param_write(val);
}

FIXTURE_SETUP(quota)
{
	int ret;

	self->page = page_size();
	CHAN_REQUIRE();
	if (geteuid() != 0)
		SKIP(return, "needs root to set %s and become nobody",
		     LIMIT_PARAM);
	ret = param_read(self->saved, sizeof(self->saved));
	if (ret)
		SKIP(return, "cannot read %s: %s", LIMIT_PARAM, strerror(-ret));
	/* Writable?  Write what is there. */
	ret = param_write(self->saved);
	if (ret)
		SKIP(return, "%s is not writable: %s", LIMIT_PARAM,
		     strerror(-ret));
	self->have_saved = true;
}

FIXTURE_TEARDOWN(quota)
{
	char now[64];

	if (!self->have_saved)
		return;
	EXPECT_EQ(0, param_write(self->saved));
	EXPECT_EQ(0, param_read(now, sizeof(now)));
	EXPECT_STREQ(self->saved, now);
}

#define QUOTA_READY() do { if (!self->have_saved) return; } while (0)

/* Run @fn(@res) in a child that became nobody; its exit status. */
static int as_nobody(void (*fn)(void *res), void *res)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!chan_become_nobody())
			_exit(100);
		fn(res);
		_exit(0);
	}
	return chan_wait_child(pid);
}

/* A result page shared with a child. */
static void *shared_page(void)
{
	void *p = mmap(NULL, (size_t)page_size(), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int64_t user_limit(void)
{
	struct kipc_chan_limits lim;

	return chan_limits_now(&lim) ? -1 : (int64_t)lim.user_limit;
}

#define QMAX	64

struct quota_res {
	int step;		/* how far the child got */
	int64_t limit, usage0;
	int create;		/* the first channel */
	int64_t usage_create;
	int64_t seg_bytes;	/* a sender's TX + RX areas */
	int senders, connect_err, mismatch;
	int64_t usage_full, usage_after_connect_fail;
	int root_connect;	/* what the root parent got */
	int channels, create_err;
	int64_t usage_after_create_fail;
	bool settled;
	int64_t usage_end;
	int sock;		/* to the parent */
};

/*
 * As nobody, under a limit: one channel, senders until EDQUOT, then
 * channels until EDQUOT; the root parent tries to connect in between.
 */
static void quota_fill(void *arg)
{
	static struct kipc_chan_tx tx[QMAX];
	struct kipc_chan_rx rx;
	struct quota_res *r = arg;
	int conn, rx_fds[QMAX], conns[QMAX], ret, i;
	struct kipc k;
	int64_t expect;
	char c;

	r->limit = user_limit();
	r->usage0 = chan_user_usage();
	r->step = 1;
	if (chan_ctx(&k))
		_exit(20);
	r->create = chan_make(&k, &small, &rx, &conn);
	if (r->create)
		_exit(21);
	r->usage_create = chan_user_usage();
	expect = r->usage_create;
	r->step = 2;

	for (i = 0; i < QMAX; i++) {
		ret = kipc_chan_connect(&tx[i], conn);
		if (ret) {
			r->connect_err = ret;
			break;
		}
		if (!i)
			r->seg_bytes = (int64_t)(tx[0].layout.tx_size +
						 tx[0].layout.rx_size);
		expect += r->seg_bytes;
		if (chan_user_usage() != expect)
			r->mismatch++;
	}
	r->senders = i;
	r->usage_full = expect;
	r->usage_after_connect_fail = chan_user_usage();
	r->step = 3;

	/* The root parent connects: charged to us, the creator. */
	if (chan_send_fd(r->sock, conn) || read(r->sock, &c, 1) != 1)
		_exit(22);
	r->step = 4;

	for (i = 0; i < QMAX; i++) {
		ret = kipc_chan_create(&k, &small, &rx_fds[i], &conns[i]);
		if (ret) {
			r->create_err = ret;
			break;
		}
	}
	r->channels = i;
	r->usage_after_create_fail = chan_user_usage();
	r->step = 5;

	while (i--) {
		close(rx_fds[i]);
		close(conns[i]);
	}
	for (i = 0; i < r->senders; i++)
		kipc_chan_tx_close(&tx[i]);
	kipc_chan_rx_close(&rx);
	close(conn);
	kipc_close(&k);
	r->settled = chan_settle(chan_user_usage, 0, 2000);
	r->usage_end = chan_user_usage();
	r->step = 6;
}

/*
 * As nobody (no CAP_SYS_RESOURCE): creations and connections are charged
 * to the creator in whole areas, the one that would go over the limit fails
 * with EDQUOT and changes nothing, whoever makes it; all of it is given
 * back when everything is closed.
 */
TEST_F_TIMEOUT(quota, nobody_stops_at_edquot, 120)
{
	struct quota_res *r;
	int64_t page = self->page, limit = 64 * page, seg, root0;
	int64_t channels0;
	struct kipc_chan_tx tx;
	int sv[2], conn, status;
	pid_t pid;

	QUOTA_READY();
	r = shared_page();
	ASSERT_NE(NULL, r);
	channels0 = chan_count();
	root0 = chan_user_usage();
	ASSERT_EQ(0, param_set_kb((unsigned long)(limit >> 10)));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	r->sock = sv[1];
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		if (!chan_become_nobody())
			_exit(100);
		quota_fill(r);
		_exit(0);
	}
	close(sv[1]);
	conn = chan_recv_fd(sv[0]);
	/* Not 0 either: that is what a child that died early looks like. */
	ASSERT_LT(0, conn) {
		kill(pid, SIGKILL);
		chan_wait_child(pid);
	}
	/* Root, but nobody's channel, and nobody is at the limit. */
	r->root_connect = kipc_chan_connect(&tx, conn);
	if (!r->root_connect)
		kipc_chan_tx_close(&tx);
	EXPECT_EQ(root0, chan_user_usage());
	close(conn);
	ASSERT_EQ(1, write(sv[0], "g", 1));
	status = chan_wait_child(pid);
	close(sv[0]);
	TH_LOG("child got to step %d", r->step);
	ASSERT_EQ(0, status);

	EXPECT_EQ(limit, r->limit);
	EXPECT_EQ(0, r->usage0);
	ASSERT_EQ(0, r->create);
	/* The flags and control pages. */
	EXPECT_EQ(2 * page, r->usage_create);
	seg = r->seg_bytes;
	ASSERT_LT(0, seg);
	EXPECT_EQ(0, seg % page);
	EXPECT_EQ(0, r->mismatch);
	/* As many senders as fit, exactly. */
	EXPECT_EQ((limit - 2 * page) / seg, r->senders);
	EXPECT_EQ(-EDQUOT, r->connect_err);
	EXPECT_EQ(r->usage_full, r->usage_after_connect_fail);
	EXPECT_LT(limit, r->usage_full + seg);
	EXPECT_EQ(-EDQUOT, r->root_connect);
	/* Then as many channels as fit, exactly: up to the limit here. */
	EXPECT_EQ((limit - r->usage_full) / (2 * page), r->channels);
	EXPECT_EQ(-EDQUOT, r->create_err);
	EXPECT_EQ(r->usage_full + r->channels * 2 * page,
		  r->usage_after_create_fail);
	EXPECT_LT(limit, r->usage_after_create_fail + 2 * page);
	/* All given back. */
	EXPECT_TRUE(r->settled);
	EXPECT_EQ(0, r->usage_end);
	EXPECT_TRUE(chan_settle(chan_count, channels0, 2000));
	munmap(r, (size_t)page);
}

/* Whether the effective capabilities hold CAP_SYS_RESOURCE. */
static bool have_sys_resource(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_SYS_RESOURCE / 32].effective &
	       (1U << (CAP_SYS_RESOURCE % 32));
}

static bool drop_sys_resource(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	d[CAP_SYS_RESOURCE / 32].effective &= ~(1U << (CAP_SYS_RESOURCE % 32));
	return !syscall(SYS_capset, &h, d) && !have_sys_resource();
}

/*
 * A creator with CAP_SYS_RESOURCE is counted but not limited; the same
 * user without it is limited (by what the exempt creator holds, too).
 */
TEST_F_TIMEOUT(quota, cap_sys_resource_counted_not_limited, 60)
{
	int64_t page = self->page, limit = 64 * page, u0, seg;
	struct kipc_chan_tx tx[2];
	struct kipc_chan_rx rx;
	int conn, status;
	struct kipc k;
	pid_t pid;

	QUOTA_READY();
	if (!have_sys_resource())
		SKIP(return, "needs CAP_SYS_RESOURCE");
	ASSERT_EQ(0, param_set_kb((unsigned long)(limit >> 10)));
	EXPECT_EQ(limit, user_limit());
	u0 = chan_user_usage();
	ASSERT_LE(0, u0);
	ASSERT_EQ(0, chan_ctx(&k));
	/* Default pools: one sender alone is over the limit. */
	ASSERT_EQ(0, chan_make(&k, NULL, &rx, &conn));
	ASSERT_EQ(0, kipc_chan_connect(&tx[0], conn));
	ASSERT_EQ(0, kipc_chan_connect(&tx[1], conn));
	seg = (int64_t)(tx[0].layout.tx_size + tx[0].layout.rx_size);
	ASSERT_LT(limit, seg);
	EXPECT_EQ(u0 + 2 * page + 2 * seg, chan_user_usage());

	/* uid 0 without the capability: limited, by the usage above too. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc k2;
		int ret, rfd, cfd;

		if (!drop_sys_resource())
			_exit(100);
		if (chan_ctx(&k2))
			_exit(101);
		ret = kipc_chan_create(&k2, &small, &rfd, &cfd);
		_exit(ret == -EDQUOT ? 0 : ret ? -ret : 102);
	}
	status = chan_wait_child(pid);
	EXPECT_EQ(0, status);
	EXPECT_EQ(u0 + 2 * page + 2 * seg, chan_user_usage());

	kipc_chan_tx_close(&tx[0]);
	kipc_chan_tx_close(&tx[1]);
	kipc_chan_rx_close(&rx);
	close(conn);
	kipc_close(&k);
	EXPECT_TRUE(chan_settle(chan_user_usage, u0, 2000));
}

struct whole_res {
	int64_t limit;
	int create1, create2;
	int connect;
	int64_t usage;
};

/* Two channels, then a default sender on the first. */
static void whole_pages(void *arg)
{
	struct whole_res *r = arg;
	int rx1, c1, rx2 = -1, c2 = -1;
	struct kipc_chan_tx tx;
	struct kipc k;

	r->limit = user_limit();
	if (chan_ctx(&k))
		_exit(20);
	r->create1 = kipc_chan_create(&k, NULL, &rx1, &c1);
	if (r->create1)
		return;
	r->create2 = kipc_chan_create(&k, NULL, &rx2, &c2);
	r->connect = kipc_chan_connect(&tx, c1);
	r->usage = chan_user_usage();
	if (!r->connect)
		kipc_chan_tx_close(&tx);
	if (!r->create2) {
		close(rx2);
		close(c2);
	}
	close(rx1);
	close(c1);
	kipc_close(&k);
}

/*
 * The limit applies in whole pages, rounded down, at least one; 0 is no
 * limit.  KIPC_IOC_CHAN_LIMITS reports it (0 only when unlimited).
 */
TEST_F_TIMEOUT(quota, limit_in_whole_pages, 60)
{
	int64_t page = self->page, pkb = page >> 10;
	struct whole_res *r;

	QUOTA_READY();
	r = shared_page();
	ASSERT_NE(NULL, r);

	/* Three pages and a bit: one channel (two pages), not two. */
	ASSERT_EQ(0, param_set_kb((unsigned long)(3 * pkb + 1)));
	memset(r, 0, sizeof(*r));
	ASSERT_EQ(0, as_nobody(whole_pages, r));
	EXPECT_EQ(3 * page, r->limit);
	EXPECT_EQ(0, r->create1);
	EXPECT_EQ(-EDQUOT, r->create2);
	EXPECT_EQ(-EDQUOT, r->connect);
	EXPECT_EQ(2 * page, r->usage);

	/* No limit at all. */
	ASSERT_EQ(0, param_set_kb(0));
	memset(r, 0, sizeof(*r));
	ASSERT_EQ(0, as_nobody(whole_pages, r));
	EXPECT_EQ(0, r->limit);
	EXPECT_EQ(0, r->create1);
	EXPECT_EQ(0, r->create2);
	EXPECT_EQ(0, r->connect);
	EXPECT_LT((int64_t)KIPC_CHAN_POOL_DEFAULT + 4 * page, r->usage);

	/* Less than a page is one page, not "unlimited". */
	if (pkb > 1) {
		ASSERT_EQ(0, param_set_kb(1));
		memset(r, 0, sizeof(*r));
		ASSERT_EQ(0, as_nobody(whole_pages, r));
		EXPECT_EQ(-EDQUOT, r->create1);
		EXPECT_EQ(page, r->limit);
	}
	munmap(r, (size_t)page);
}

/*
 * Memory cgroup charging.  The fixture finds (or mounts) cgroup2, enables
 * the memory controller for the children of its own cgroup and makes a
 * child cgroup; the teardown removes it, disables what it enabled and
 * unmounts what it mounted.
 */
FIXTURE(memcg) {
	char mnt[PATH_MAX];
	char parent[PATH_MAX];
	char cg[PATH_MAX];
	bool mounted, enabled, made;
	const char *failed;	/* what went wrong in the setup */
	int err;
};

static int write_str(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX + 64];
	ssize_t n, len = (ssize_t)strlen(val);
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, (size_t)len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == len ? 0 : (n < 0 ? (int)n : -EIO);
}

static int read_str(const char *dir, const char *file, char *buf,
		    size_t size)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* A number in @dir/@file: the whole file, or the value of "@key N". */
static int64_t read_num(const char *dir, const char *file, const char *key)
{
	char buf[4096], *p = buf;
	size_t klen;

	if (read_str(dir, file, buf, sizeof(buf)))
		return -1;
	if (!key)
		return strtoll(buf, NULL, 10);
	klen = strlen(key);
	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtoll(p + klen + 1, NULL, 10);
	return -1;
}

/* Whether the space-separated list in @dir/@file has @word. */
static bool has_word(const char *dir, const char *file, const char *word)
{
	char buf[1024], *tok, *save;

	if (read_str(dir, file, buf, sizeof(buf)))
		return false;
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/* Where cgroup2 is mounted, from /proc/self/mounts. */
static bool find_cgroup2(char *mnt, size_t size)
{
	char line[1024], dev[256], dir[PATH_MAX], type[64];
	bool found = false;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2") && strlen(dir) < size) {
			strcpy(mnt, dir);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* Our cgroup's path inside the cgroup2 hierarchy ("0::/path"). */
static bool own_cgroup(char *path, size_t size)
{
	char line[PATH_MAX + 8];
	bool found = false;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			if (strlen(line + 3) < size) {
				strcpy(path, line + 3);
				found = true;
			}
		}
	}
	fclose(f);
	return found;
}

static bool have_cgroup2(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/filesystems", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "\tcgroup2\n") != NULL;
	fclose(f);
	return found;
}

/*
 * Once something is mounted or enabled, the setup must not fail (the
 * harness would skip the teardown): it records the failure instead, for
 * the test to report.
 */
FIXTURE_SETUP(memcg)
{
	char own[PATH_MAX];
	int ret;

	CHAN_REQUIRE();
	if (geteuid() != 0)
		SKIP(return, "needs root for cgroups");
	if (!have_cgroup2())
		SKIP(return, "the kernel has no cgroup2");
	if (!find_cgroup2(self->mnt, sizeof(self->mnt))) {
		strcpy(self->mnt, "/tmp/kipc-cgroup2.XXXXXX");
		ASSERT_NE(NULL, mkdtemp(self->mnt));
		if (mount("none", self->mnt, "cgroup2", 0, NULL)) {
			ret = errno;
			rmdir(self->mnt);
			SKIP(return, "cannot mount cgroup2: %s", strerror(ret));
		}
		self->mounted = true;
	}
	if (!own_cgroup(own, sizeof(own))) {
		self->failed = "no cgroup2 line in /proc/self/cgroup";
		return;
	}
	if (snprintf(self->parent, sizeof(self->parent), "%s%s", self->mnt,
		     strcmp(own, "/") ? own : "") >= (int)sizeof(self->parent)) {
		self->failed = "cgroup path too long";
		return;
	}
	if (!has_word(self->parent, "cgroup.controllers", "memory"))
		SKIP(return, "no memory controller in %.200s", self->parent);
	if (!has_word(self->parent, "cgroup.subtree_control", "memory")) {
		ret = write_str(self->parent, "cgroup.subtree_control",
				"+memory");
		if (ret)
			SKIP(return, "cannot enable memory for %.200s's children: %s",
			     self->parent, strerror(-ret));
		self->enabled = true;
	}
	if (snprintf(self->cg, sizeof(self->cg), "%s/kipc-chan-limits-%d",
		     self->parent, getpid()) >= (int)sizeof(self->cg)) {
		self->failed = "cgroup path too long";
		return;
	}
	if (mkdir(self->cg, 0755)) {
		self->failed = "mkdir of the child cgroup";
		self->err = errno;
		return;
	}
	self->made = true;
	if (read_num(self->cg, "memory.current", NULL) < 0) {
		self->failed = "no memory.current in the child cgroup";
		self->made = false;
		rmdir(self->cg);
	}
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->made) {
		/* Empty once its process is reaped; allow for a lag. */
		int i;

		for (i = 0; i < 2000 && rmdir(self->cg) && errno == EBUSY; i++)
			usleep(1000);
		EXPECT_NE(0, access(self->cg, F_OK));
	}
	if (self->enabled)
		write_str(self->parent, "cgroup.subtree_control", "-memory");
	if (self->mounted) {
		EXPECT_EQ(0, umount(self->mnt));
		rmdir(self->mnt);
	}
}

#define BIG_POOL	(8 << 20)

struct memcg_res {
	int step;
	int joined;
	int64_t m0, m1, m2, m3, m4, m5;
	int create, connect;
	int64_t seg_bytes, fd_memory;
	int64_t chan_count0;
	bool settled1;
	int set_max, create2, connect2;
	int64_t max_events0, max_events1, oom_kill0, oom_kill1;
	int64_t count_during;
	bool settled2;
	int64_t usage0, usage_end;
};

static const struct kipc_chan_params big = {
	.pool_size = BIG_POOL, .ring_depth = DEPTH, .max_senders = 4,
};

/* In the child cgroup @cg: a big sender, then one over memory.max. */
static void memcg_child(const char *cg, struct memcg_res *r)
{
	struct kipc_chan_tx tx;
	struct kipc_chan_rx rx;
	char max[32];
	struct kipc k;
	int conn;

	cpu_set_t cpus;

	/* One CPU, so that one charge cache holds the cgroup's (see below). */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		_exit(19);
	r->usage0 = chan_user_usage();
	r->chan_count0 = chan_count();
	r->joined = write_str(cg, "cgroup.procs", "0");
	if (r->joined)
		_exit(20);
	r->step = 1;
	if (chan_ctx(&k))
		_exit(21);
	r->m0 = read_num(cg, "memory.current", NULL);
	r->create = chan_make(&k, &big, &rx, &conn);
	if (r->create)
		_exit(22);
	r->m1 = read_num(cg, "memory.current", NULL);
	r->connect = kipc_chan_connect(&tx, conn);
	if (r->connect)
		_exit(23);
	r->m2 = read_num(cg, "memory.current", NULL);
	r->seg_bytes = (int64_t)(tx.layout.tx_size + tx.layout.rx_size);
	r->fd_memory = chan_fdinfo(rx.fd, "memory");
	r->step = 2;
	kipc_chan_tx_close(&tx);
	kipc_chan_rx_close(&rx);
	close(conn);
	r->settled1 = chan_settle(chan_count, r->chan_count0, 2000);
	r->m3 = read_num(cg, "memory.current", NULL);
	r->step = 3;

	/* Room for the channel, not for the pool. */
	snprintf(max, sizeof(max), "%lld",
		 (long long)((r->m3 + BIG_POOL / 2) & ~(int64_t)(page_size() - 1)));
	r->set_max = write_str(cg, "memory.max", max);
	if (r->set_max)
		_exit(24);
	r->max_events0 = read_num(cg, "memory.events", "max");
	r->oom_kill0 = read_num(cg, "memory.events", "oom_kill");
	r->create2 = chan_make(&k, &big, &rx, &conn);
	if (r->create2)
		_exit(25);
	r->m4 = read_num(cg, "memory.current", NULL);
	r->connect2 = kipc_chan_connect(&tx, conn);
	if (!r->connect2)
		kipc_chan_tx_close(&tx);
	r->m5 = read_num(cg, "memory.current", NULL);
	r->max_events1 = read_num(cg, "memory.events", "max");
	r->oom_kill1 = read_num(cg, "memory.events", "oom_kill");
	r->count_during = chan_count();
	r->step = 4;
	kipc_chan_rx_close(&rx);
	close(conn);
	kipc_close(&k);
	r->settled2 = chan_settle(chan_count, r->chan_count0, 2000);
	r->usage_end = chan_user_usage();
	write_str(cg, "memory.max", "max");
	r->step = 5;
}

/*
 * A sender's pages are charged to the creator's memory cgroup when it
 * connects; over memory.max, the connection fails with ENOMEM (not EDQUOT,
 * and without the OOM killer) and leaves nothing behind.
 */
TEST_F_TIMEOUT(memcg, pool_charged_and_bounded, 120)
{
	/*
	 * memory.current counts what the CPU's charge cache holds besides (up
	 * to MEMCG_CHARGE_BATCH, 64 pages; the child runs on one CPU): a
	 * charge may come out of the cache and an uncharge go into it, unseen.
	 */
	const int64_t stock = 64 * page_size();
	const int64_t slack = stock + (1 << 20);
	struct memcg_res *r;
	int status;
	pid_t pid;

	if (self->failed) {
		TH_LOG("setup: %s (%s)", self->failed, strerror(self->err));
		ASSERT_EQ(NULL, self->failed);
	}
	if (!self->made)
		return;	/* skipped */
	ASSERT_LE(0, read_num(self->cg, "memory.current", NULL));
	r = shared_page();
	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memcg_child(self->cg, r);
		_exit(0);
	}
	status = chan_wait_child(pid);
	TH_LOG("child got to step %d; memory.current %lld %lld %lld %lld %lld %lld",
	       r->step, (long long)r->m0, (long long)r->m1, (long long)r->m2,
	       (long long)r->m3, (long long)r->m4, (long long)r->m5);
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, r->joined);
	ASSERT_EQ(0, r->create);
	ASSERT_EQ(0, r->connect);
	ASSERT_LE(0, r->m0);
	ASSERT_LE(BIG_POOL, r->seg_bytes);
	/* Pools come at connection, not at creation. */
	EXPECT_GT(r->m0 + BIG_POOL / 2, r->m1);
	EXPECT_LE(r->m1 + r->seg_bytes - stock, r->m2);
	EXPECT_LE(r->m1 + BIG_POOL - stock, r->m2);
	EXPECT_EQ(2 * page_size() + r->seg_bytes, r->fd_memory);
	/* Uncharged when closed. */
	EXPECT_TRUE(r->settled1);
	EXPECT_GE(r->m2 - r->seg_bytes + slack, r->m3);

	/* Over memory.max. */
	ASSERT_EQ(0, r->set_max);
	ASSERT_EQ(0, r->create2);
	EXPECT_EQ(-ENOMEM, r->connect2);
	EXPECT_LT(r->max_events0, r->max_events1);
	EXPECT_EQ(r->oom_kill0, r->oom_kill1);
	/* What was allocated before the failure was given back. */
	EXPECT_GE(r->m4 + slack, r->m5);
	EXPECT_EQ(r->chan_count0 + 1, r->count_during);
	EXPECT_TRUE(r->settled2);
	EXPECT_EQ(r->usage0, r->usage_end);
	munmap(r, (size_t)page_size());
}

/*
 * The connector passed over SCM_RIGHTS: another process connects and
 * sends through it.  It is the same file: when that process closes the
 * last copy, the channel ends.
 */
TEST(connector_passed)
{
	struct kipc_chan_sender_info info;
	struct kipc_chan_msg msg;
	struct kipc_chan_rx rx;
	struct kipc_chan_info ci;
	int sv[2], conn;
	struct kipc k;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* Forked before the channel exists: it inherits nothing of it. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_tx tx;
		int fd;

		close(sv[0]);
		fd = chan_recv_fd(sv[1]);
		if (fd < 0)
			_exit(10);
		memset(&ci, 0, sizeof(ci));
		if (kipc_test_ioctl(fd, KIPC_CHAN_IOC_INFO, &ci) ||
		    ci.role != KIPC_CHAN_ROLE_CONNECTOR)
			_exit(11);
		if (kipc_chan_connect(&tx, fd))
			_exit(12);
		close(fd);
		if (chan_send_stamped(&tx, 200, 0, 7, 5 * SEC_NS))
			_exit(13);
		kipc_chan_tx_close(&tx);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &small, &rx, &conn));
	ASSERT_EQ(0, chan_send_fd(sv[0], conn));
	/* In flight, then only in the child. */
	close(conn);
	ASSERT_EQ(0, chan_wait_child(pid));
	ASSERT_EQ(1, kipc_chan_recv_wait(&rx, &msg, 1, 5 * SEC_NS));
	EXPECT_TRUE(chan_stamp_ok(msg.data, msg.len));
	EXPECT_EQ(7, ((const struct chan_stamp *)msg.data)->seq);
	ASSERT_EQ(0, kipc_chan_sender_info(&rx, msg.sender, &info));
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(0, kipc_chan_release(&rx, &msg));
	EXPECT_EQ(0, kipc_chan_recv_wait(&rx, &msg, 1, 5 * SEC_NS));
	EXPECT_EQ(POLLIN | POLLHUP, poll_now(rx.fd, POLLIN));
	kipc_chan_rx_close(&rx);
	close(sv[0]);
	kipc_close(&k);
}

/*
 * A sender endpoint passed over SCM_RIGHTS before it is mapped attaches to
 * the process that maps it: that one opens and uses it; the process that
 * made it, still holding a descriptor, can map none of its areas (EBUSY)
 * and, once the endpoint closed with its mapping, never again (EPIPE).
 * Credentials stay those of the connecting process.
 */
TEST(sender_passed_before_mapping)
{
	struct kipc_chan_sender_info info;
	struct kipc_chan_connect cc;
	struct kipc_chan_info ci;
	struct kipc_chan_tx tx2;
	struct kipc_chan_msg msg;
	struct kipc_chan_rx rx;
	int sv[2], conn;
	struct kipc k;
	pid_t pid;
	void *p;
	char c;

	CHAN_REQUIRE();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_tx tx;
		int fd;

		close(sv[0]);
		fd = chan_recv_fd(sv[1]);
		if (fd < 0)
			_exit(10);
		if (kipc_chan_tx_open(&tx, fd))
			_exit(11);
		if (chan_send_stamped(&tx, 300, 0, 9, 5 * SEC_NS))
			_exit(12);
		if (write(sv[1], "a", 1) != 1 || read(sv[1], &c, 1) != 1)
			_exit(13);
		/* Still ours. */
		if (chan_send_stamped(&tx, 300, 0, 10, 5 * SEC_NS))
			_exit(14);
		kipc_chan_tx_close(&tx);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, chan_make(&k, &small, &rx, &conn));
	memset(&cc, 0, sizeof(cc));
	ASSERT_EQ(0, kipc_test_ioctl(conn, KIPC_CHAN_IOC_CONNECT, &cc));
	ASSERT_EQ(0, chan_send_fd(sv[0], cc.fd));
	ASSERT_EQ(1, read(sv[0], &c, 1)) {
		kill(pid, SIGKILL);
		chan_wait_child(pid);
	}

	/* Attached to the child: none of its areas for us. */
	p = mmap(NULL, cc.layout.tx_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 cc.fd, cc.layout.tx_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBUSY, errno);
	p = mmap(NULL, cc.layout.rx_size, PROT_READ, MAP_SHARED, cc.fd,
		 cc.layout.rx_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBUSY, errno);
	p = mmap(NULL, cc.layout.flags_size, PROT_READ, MAP_SHARED, cc.fd,
		 cc.layout.flags_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-EBUSY, kipc_chan_tx_open(&tx2, cc.fd));
	memset(&ci, 0, sizeof(ci));
	ASSERT_EQ(0, kipc_test_ioctl(cc.fd, KIPC_CHAN_IOC_INFO, &ci));
	EXPECT_EQ(KIPC_CHAN_ROLE_SENDER, ci.role);
	EXPECT_EQ(cc.sender_id, ci.sender_id);
	EXPECT_EQ(0, ci.state & KIPC_CHAN_INFO_CLOSED);

	/* Its message, under our credentials: we connected. */
	ASSERT_EQ(1, kipc_chan_recv_wait(&rx, &msg, 1, 5 * SEC_NS));
	EXPECT_EQ(cc.sender_id, msg.sender);
	EXPECT_EQ(9, ((const struct chan_stamp *)msg.data)->seq);
	ASSERT_EQ(0, kipc_chan_sender_info(&rx, msg.sender, &info));
	EXPECT_EQ(getpid(), info.pid);
	EXPECT_EQ(0, kipc_chan_release(&rx, &msg));

	ASSERT_EQ(1, write(sv[0], "g", 1));
	ASSERT_EQ(0, chan_wait_child(pid));
	ASSERT_EQ(1, kipc_chan_recv_wait(&rx, &msg, 1, 5 * SEC_NS));
	EXPECT_EQ(10, ((const struct chan_stamp *)msg.data)->seq);
	EXPECT_EQ(0, kipc_chan_release(&rx, &msg));

	/* Its mapping gone, it is closed for good, our descriptor notwithstanding. */
	memset(&ci, 0, sizeof(ci));
	ASSERT_EQ(0, kipc_test_ioctl(cc.fd, KIPC_CHAN_IOC_INFO, &ci));
	EXPECT_EQ(KIPC_CHAN_INFO_CLOSED, ci.state & KIPC_CHAN_INFO_CLOSED);
	p = mmap(NULL, cc.layout.tx_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 cc.fd, cc.layout.tx_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(-EPIPE, kipc_chan_tx_open(&tx2, cc.fd));
	close(cc.fd);
	close(conn);
	EXPECT_EQ(0, kipc_chan_recv(&rx, &msg));
	kipc_chan_rx_close(&rx);
	close(sv[0]);
	kipc_close(&k);
}

static bool cloexec(int fd)
{
	int f = fcntl(fd, F_GETFD);

	return f >= 0 && (f & FD_CLOEXEC);
}

/* Receivers, connectors and senders are close-on-exec, however made. */
TEST(endpoints_close_on_exec)
{
	struct kipc_chan_connect cc;
	struct kipc_chan_create c;
	struct kipc_chan_tx tx;
	int rx_fd, conn;
	struct kipc k;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, chan_create_raw(k.fd, &c));
	EXPECT_TRUE(cloexec(c.rx_fd));
	EXPECT_TRUE(cloexec(c.connector_fd));
	memset(&cc, 0, sizeof(cc));
	ASSERT_EQ(0, kipc_test_ioctl(c.connector_fd, KIPC_CHAN_IOC_CONNECT,
				     &cc));
	EXPECT_TRUE(cloexec(cc.fd));
	/* A dup without the flag shows the check can fail. */
	{
		int d = dup(cc.fd);

		ASSERT_LE(0, d);
		EXPECT_FALSE(cloexec(d));
		close(d);
	}
	close(cc.fd);
	close(c.rx_fd);
	close(c.connector_fd);

	ASSERT_EQ(0, kipc_chan_create(&k, &small, &rx_fd, &conn));
	EXPECT_TRUE(cloexec(rx_fd));
	EXPECT_TRUE(cloexec(conn));
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	EXPECT_TRUE(cloexec(tx.fd));
	kipc_chan_tx_close(&tx);
	close(rx_fd);
	close(conn);
	kipc_close(&k);
}

TEST_HARNESS_MAIN
