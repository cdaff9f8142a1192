// SPDX-License-Identifier: GPL-2.0
/*
 * Channels by name: a receiver publishes its channel through a door
 * attached in kipcfs; senders connect by path or through the door itself,
 * each gets its own endpoint, and the receiver tells them apart by id and
 * credentials.  A door that is not a channel's is refused without leaking
 * what it passed; the name goes with the receiver's process.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "chan_test.h"

#define PROC_CHANNEL	1	/* replies with the connector */
#define PROC_EMPTY	2	/* replies with nothing */
#define PROC_DOOR	3	/* replies with a door, not a connector */
#define PROC_TWO	4	/* replies with the connector twice */

#define MSGS		2000
#define TIMEOUT_NS	(10 * 1000000000LL)

static const struct kipc_chan_params params = {
	.pool_size = 64 << 10, .max_msg = 1024, .ring_depth = 64,
};

struct publisher {
	struct kipc k;
	struct kipc_chan_rx rx;
	int connector;
	int door;
	pthread_t thread;
	char path[128];
};

static void publisher_handler(struct kipc_door_request *req, void *arg)
{
	static _Thread_local struct kipc_door_desc d[2];
	struct publisher *p = arg;

	switch (req->proc) {
	case PROC_CHANNEL:
		kipc_chan_publish_handler(req, &p->connector);
		return;
	case PROC_EMPTY:
		return;
	case PROC_DOOR:
		d[0].attributes = KIPC_DESC_DESCRIPTOR;
		d[0].fd = p->door;
		req->reply_desc = d;
		req->reply_desc_num = 1;
		return;
	case PROC_TWO:
		d[0].attributes = d[1].attributes = KIPC_DESC_DESCRIPTOR;
		d[0].fd = d[1].fd = p->connector;
		req->reply_desc = d;
		req->reply_desc_num = 2;
		return;
	}
}

static void *publisher_thread(void *arg)
{
	struct publisher *p = arg;
	struct kipc_door_server srv = {
		.handler = publisher_handler, .arg = p, .max_threads = 2,
	};

	kipc_door_serve(&p->k, &srv);
	return NULL;
}

static bool have_kipcfs(void)
{
	struct statfs sfs;

	return !statfs(KIPC_DOOR_NAMES, &sfs) && sfs.f_type == KIPC_FS_MAGIC;
}

/* Create a channel, a door for @proc, attach it at p->path and serve it. */
static int publish(struct publisher *p, uint64_t proc)
{
	int ret, fd;

	ret = chan_ctx(&p->k);
	if (ret)
		return ret;
	ret = chan_make(&p->k, &params, &p->rx, &p->connector);
	if (ret)
		return ret;
	p->door = kipc_door_create(&p->k, proc, 0, 0, NULL);
	if (p->door < 0)
		return p->door;
	snprintf(p->path, sizeof(p->path), KIPC_DOOR_NAMES "/chan-%d-%d",
		 getpid(), (int)proc);
	fd = open(p->path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0666);
	close(fd);
	ret = kipc_door_attach(&p->k, p->door, p->path);
	if (ret)
		return ret;
	return -pthread_create(&p->thread, NULL, publisher_thread, p);
}

static void unpublish(struct publisher *p)
{
	kipc_door_shutdown(&p->k);
	pthread_join(p->thread, NULL);
	unlink(p->path);
	close(p->door);
	close(p->connector);
	kipc_chan_rx_close(&p->rx);
	kipc_close(&p->k);
}

static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/*
 * A sender: connect by path (@door < 0) or through @door, send MSGS
 * stamped messages as sender @idx, then wait until told to go (so that the
 * receiver can look at its credentials while it is connected).
 */
static int sender(const char *path, int door, uint32_t idx, int go)
{
	struct kipc_chan_tx tx;
	char c;
	int ret;

	ret = door < 0 ? kipc_chan_connect_path(&tx, path, TIMEOUT_NS) :
			 kipc_chan_connect_door(&tx, door, TIMEOUT_NS);
	if (ret)
		return 10;
	for (uint64_t i = 0; i < MSGS; i++)
		if (chan_send_stamped(&tx, 24 + i % 900, idx, i, TIMEOUT_NS))
			return 11;
	if (read(go, &c, 1) < 0)
		return 12;
	kipc_chan_tx_close(&tx);
	return 0;
}

TEST(senders_by_path_and_by_door)
{
	uint64_t next[2] = { 0, 0 }, id[2] = { 0, 0 };
	struct kipc_chan_sender_info info;
	struct kipc_chan_msg m;
	struct publisher p;
	int go[2], ret;
	pid_t pid[2];

	CHAN_REQUIRE();
	if (!have_kipcfs())
		SKIP(return, "kipcfs is not mounted on " KIPC_DOOR_NAMES);
	ASSERT_EQ(0, publish(&p, PROC_CHANNEL));
	ASSERT_EQ(0, pipe(go));
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			int door = -1;

			close(go[1]);
			/* The second is handed the door, not the name. */
			if (i == 1)
				door = p.door;
			_exit(sender(p.path, door, i, go[0]));
		}
	}
	close(go[0]);
	while (next[0] + next[1] < 2 * MSGS) {
		struct chan_stamp st;

		ret = kipc_chan_recv_wait(&p.rx, &m, 1, TIMEOUT_NS);
		ASSERT_EQ(1, ret);
		ASSERT_LE(sizeof(st), m.len);
		ASSERT_TRUE(chan_stamp_ok(m.data, m.len));
		memcpy(&st, m.data, sizeof(st));
		ASSERT_GT(2, st.sender);
		/* Each sender has its own endpoint, in order. */
		if (!id[st.sender])
			id[st.sender] = m.sender;
		ASSERT_EQ(id[st.sender], m.sender);
		ASSERT_EQ(next[st.sender], st.seq);
		next[st.sender]++;
		ASSERT_EQ(0, kipc_chan_release(&p.rx, &m));
	}
	ASSERT_NE(id[0], id[1]);
	/* And the receiver knows who they are. */
	for (int i = 0; i < 2; i++) {
		memset(&info, 0, sizeof(info));
		ASSERT_EQ(0, kipc_chan_sender_info(&p.rx, id[i], &info));
		EXPECT_EQ(pid[i], info.pid);
		EXPECT_EQ(geteuid(), info.uid);
	}
	close(go[1]);
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(0, chan_wait_child(pid[i]));
	EXPECT_EQ(-EAGAIN, kipc_chan_recv(&p.rx, &m));
	unpublish(&p);
}

TEST(doors_that_are_not_channels)
{
	struct publisher p[3];
	struct kipc_chan_tx tx;
	int fds, regular;
	char path[128];

	CHAN_REQUIRE();
	if (!have_kipcfs())
		SKIP(return, "kipcfs is not mounted on " KIPC_DOOR_NAMES);
	ASSERT_EQ(0, publish(&p[0], PROC_EMPTY));
	ASSERT_EQ(0, publish(&p[1], PROC_DOOR));
	ASSERT_EQ(0, publish(&p[2], PROC_TWO));
	fds = count_fds();
	/* Whatever they passed is closed again. */
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(-EPROTO, kipc_chan_connect_path(&tx, p[i].path, 0));
		EXPECT_EQ(-EPROTO, kipc_chan_connect_door(&tx, p[i].door, 0));
		EXPECT_EQ(fds, count_fds());
	}
	EXPECT_EQ(-EINVAL, kipc_chan_connect_door(&tx, p[0].door, -1));
	/* Not a door at all, or no name. */
	snprintf(path, sizeof(path), KIPC_DOOR_NAMES "/plain-%d", getpid());
	regular = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_LE(0, regular);
	EXPECT_EQ(-ENOTTY, kipc_chan_connect_path(&tx, path, 0));
	EXPECT_EQ(-ENOTTY, kipc_chan_connect_door(&tx, regular, 0));
	close(regular);
	unlink(path);
	EXPECT_EQ(-ENOENT, kipc_chan_connect_path(&tx, path, 0));
	EXPECT_EQ(fds, count_fds());
	for (int i = 0; i < 3; i++)
		unpublish(&p[i]);
}

TEST(name_goes_with_the_receiver)
{
	struct kipc_chan_tx tx;
	int ready[2], door;
	char path[128];
	struct stat st;
	pid_t pid;

	CHAN_REQUIRE();
	if (!have_kipcfs())
		SKIP(return, "kipcfs is not mounted on " KIPC_DOOR_NAMES);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct publisher p;

		close(ready[0]);
		if (publish(&p, PROC_CHANNEL))
			_exit(1);
		if (write(ready[1], p.path, strlen(p.path) + 1) < 0)
			_exit(2);
		for (;;)
			pause();
	}
	close(ready[1]);
	memset(path, 0, sizeof(path));
	ASSERT_LT(0, read(ready[0], path, sizeof(path) - 1));
	close(ready[0]);
	/* While it lives, the name works, and the door too. */
	ASSERT_EQ(0, kipc_chan_connect_path(&tx, path, TIMEOUT_NS));
	ASSERT_EQ(0, chan_send_stamped(&tx, 100, 0, 0, TIMEOUT_NS));
	door = kipc_door_open(path);
	ASSERT_LE(0, door);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	/* Then neither does, and the sender learns the receiver is gone. */
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(-ENOENT, kipc_chan_connect_path(&tx, path, TIMEOUT_NS));
	EXPECT_EQ(-EBADF, kipc_chan_connect_door(&tx, door, TIMEOUT_NS));
	EXPECT_EQ(-EPIPE, chan_send_stamped(&tx, 100, 0, 1, TIMEOUT_NS));
	kipc_chan_tx_close(&tx);
	close(door);
}

TEST_HARNESS_MAIN
