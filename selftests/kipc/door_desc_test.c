// SPDX-License-Identifier: GPL-2.0
/*
 * Doors: passing descriptors with calls and replies, RELEASE, refusing
 * them, doors passed inside calls, and running out of descriptors.
 */
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "kipc_test.h"
#include "door_util.h"

/* Do two descriptors refer to the same open file? */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) || fstat(b, &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Whether the pipe of read end @rfd has no writer left anywhere, within a
 * second (a server closes what it released just after replying).
 */
static bool pipe_orphaned(int rfd)
{
	int fl = fcntl(rfd, F_GETFL);
	ssize_t n = -1;
	char c;

	fcntl(rfd, F_SETFL, fl | O_NONBLOCK);
	for (int i = 0; i < 100 && n; i++) {
		n = read(rfd, &c, 1);
		if (n)
			usleep(10000);
	}
	fcntl(rfd, F_SETFL, fl);
	return n == 0;
}

/* A call passing @n descriptors; results land in @rbuf. */
static int call_with_fds(int door, struct kipc_door_desc *d, unsigned int n,
			 void *rbuf, size_t rsize, struct kipc_door_call *c)
{
	memset(c, 0, sizeof(*c));
	c->desc_ptr = (uintptr_t)d;
	c->desc_num = n;
	c->rbuf = (uintptr_t)rbuf;
	c->rsize = rsize;
	return kipc_door_call(door, c);
}

FIXTURE(desc) {
	struct door_server s;
};

FIXTURE_SETUP(desc)
{
	KIPC_REQUIRE_DEVICE();
	ASSERT_EQ(0, door_server_start(&self->s, 2, NULL));
}

FIXTURE_TEARDOWN(desc)
{
	door_server_stop(&self->s);
}

TEST_F(desc, round_trip)
{
	struct kipc_door_desc d[3], *rd;
	struct kipc_door_call c;
	char rbuf[4096];
	int p[2], door, before;

	door = door_create(&self->s, PROC_FDS, 0, NULL);
	ASSERT_LE(0, door);
	ASSERT_EQ(0, pipe(p));
	before = count_fds();
	for (int i = 0; i < 3; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].attributes = KIPC_DESC_DESCRIPTOR;
		d[i].fd = i < 2 ? p[i] : door;
	}
	ASSERT_EQ(0, call_with_fds(door, d, 3, rbuf, sizeof(rbuf), &c));
	ASSERT_EQ(3, c.result_desc_num);
	EXPECT_EQ(0, c.result_size);
	EXPECT_EQ((uintptr_t)rbuf, c.result_desc_ptr);
	rd = (struct kipc_door_desc *)(uintptr_t)c.result_desc_ptr;
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(KIPC_DESC_DESCRIPTOR, rd[i].attributes &
			  ~(KIPC_DOOR_LOCAL | KIPC_DOOR_CREATE_MASK));
		EXPECT_NE(d[i].fd, rd[i].fd);
		EXPECT_TRUE(same_file(d[i].fd, rd[i].fd));
		EXPECT_EQ(FD_CLOEXEC, fcntl(rd[i].fd, F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(0, rd[i].reserved);
	}
	/* The door came back as a door, with its id, local to us. */
	{
		struct kipc_door_info info;
		struct stat st;

		ASSERT_EQ(0, fstat(rd[2].fd, &st));
		EXPECT_EQ(KIPC_S_IFDOOR, st.st_mode & S_IFMT);
		ASSERT_EQ(0, kipc_door_info(door, &info));
		EXPECT_EQ(info.id, rd[2].id);
		EXPECT_TRUE(rd[2].attributes & KIPC_DOOR_LOCAL);
		EXPECT_EQ(0, rd[0].id);
	}
	/* The server released its copies: only ours are new. */
	EXPECT_EQ(before + 3, count_fds());
	/* The descriptors work. */
	EXPECT_EQ(1, write(rd[1].fd, "x", 1));
	{
		char ch = 0;

		EXPECT_EQ(1, read(rd[0].fd, &ch, 1));
		EXPECT_EQ('x', ch);
	}
	EXPECT_EQ(0, door_call(rd[2].fd, NULL, 0, NULL, 0, NULL));
	for (int i = 0; i < 3; i++)
		close(rd[i].fd);
	close(p[0]);
	close(p[1]);
	close(door);
}

TEST(release_closes_the_senders_descriptor)
{
	struct door_shared *shared = door_shared_new();
	struct kipc_door_desc d, *rd;
	struct kipc_door_call c;
	char rbuf[256];
	int p[2], door, before;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	/* A server of its own, so that descriptor numbers are not shared. */
	door = door_fork_server(PROC_FDS, 0, 1, shared, NULL, &pid);
	ASSERT_LE(0, door);
	ASSERT_EQ(0, pipe(p));
	before = count_fds();
	memset(&d, 0, sizeof(d));
	d.attributes = KIPC_DESC_DESCRIPTOR | KIPC_DESC_RELEASE;
	d.fd = p[1];
	ASSERT_EQ(0, call_with_fds(door, &d, 1, rbuf, sizeof(rbuf), &c));
	ASSERT_EQ(1, c.result_desc_num);
	rd = (struct kipc_door_desc *)(uintptr_t)c.result_desc_ptr;
	/* One descriptor out, one back. */
	EXPECT_EQ(before, count_fds());
	EXPECT_TRUE(rd->fd == p[1] || fcntl(p[1], F_GETFD) == -1);
	/* The returned copy is now the only writer. */
	EXPECT_FALSE(pipe_orphaned(p[0]));
	close(rd[0].fd);
	EXPECT_TRUE(pipe_orphaned(p[0]));
	close(p[0]);
	close(door);
	door_fork_server_kill(pid);
}

TEST_F(desc, bad_descriptors)
{
	struct kipc_door_desc d;
	struct kipc_door_call c;
	int door;

	door = door_create(&self->s, PROC_FDS, 0, NULL);
	ASSERT_LE(0, door);
	memset(&d, 0, sizeof(d));
	d.attributes = KIPC_DESC_DESCRIPTOR;
	d.fd = -1;
	EXPECT_EQ(-EINVAL, call_with_fds(door, &d, 1, NULL, 0, &c));
	d.fd = 1000;
	EXPECT_EQ(-EINVAL, call_with_fds(door, &d, 1, NULL, 0, &c));
	d.fd = 0;
	d.attributes = 0;
	EXPECT_EQ(-EINVAL, call_with_fds(door, &d, 1, NULL, 0, &c));
	d.attributes = KIPC_DESC_RELEASE;
	EXPECT_EQ(-EINVAL, call_with_fds(door, &d, 1, NULL, 0, &c));
	d.attributes = KIPC_DESC_DESCRIPTOR | 0x1;
	EXPECT_EQ(-EINVAL, call_with_fds(door, &d, 1, NULL, 0, &c));
	d.attributes = KIPC_DESC_DESCRIPTOR;
	d.reserved = 1;
	EXPECT_EQ(-EINVAL, call_with_fds(door, &d, 1, NULL, 0, &c));
	/* A failed call released nothing. */
	d.attributes = KIPC_DESC_DESCRIPTOR | KIPC_DESC_RELEASE | 0x2;
	d.reserved = 0;
	{
		int fd = dup(0);

		d.fd = fd;
		EXPECT_EQ(-EINVAL, call_with_fds(door, &d, 1, NULL, 0, &c));
		EXPECT_LE(0, fcntl(fd, F_GETFD));
		close(fd);
	}
	close(door);
}

TEST_F(desc, many)
{
	enum { N = 200 };
	static struct kipc_door_desc d[N];
	struct kipc_door_call c;
	static char rbuf[N * sizeof(struct kipc_door_desc) + 64];
	struct kipc_door_desc *rd;
	int door, before;

	door = door_create(&self->s, PROC_FDS, 0, NULL);
	ASSERT_LE(0, door);
	before = count_fds();
	/* PROC_FDS sends back at most 16. */
	for (int i = 0; i < N; i++) {
		d[i].attributes = KIPC_DESC_DESCRIPTOR;
		d[i].fd = 0;
	}
	ASSERT_EQ(0, call_with_fds(door, d, N, rbuf, sizeof(rbuf), &c));
	EXPECT_EQ(16, c.result_desc_num);
	rd = (struct kipc_door_desc *)(uintptr_t)c.result_desc_ptr;
	for (unsigned int i = 0; i < c.result_desc_num; i++)
		close(rd[i].fd);
	/* The server got 200 and closed or released them all (soon). */
	for (int i = 0; i < 100 && count_fds() != before; i++)
		usleep(10000);
	EXPECT_EQ(before, count_fds());
	close(door);
}

static void limit_fds_low(void)
{
	struct rlimit rl;

	/* Whatever is open now, and no more. */
	rl.rlim_cur = rl.rlim_max = count_fds() + 12;
	setrlimit(RLIMIT_NOFILE, &rl);
}

TEST(server_out_of_descriptors)
{
	struct door_shared *shared = door_shared_new();
	struct kipc_door_desc d[32];
	struct kipc_door_call c;
	int p[2], door;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	door = door_fork_server(PROC_FDS, 0, 1, shared, limit_fds_low, &pid);
	ASSERT_LE(0, door);
	ASSERT_EQ(0, pipe(p));
	for (int i = 0; i < 32; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].attributes = KIPC_DESC_DESCRIPTOR;
		d[i].fd = p[1];
	}
	EXPECT_EQ(-EMFILE, call_with_fds(door, d, 32, NULL, 0, &c));
	/* The server holds no reference: our close orphans the pipe. */
	close(p[1]);
	EXPECT_TRUE(pipe_orphaned(p[0]));
	/* And it still serves. */
	EXPECT_EQ(0, call_with_fds(door, d, 0, NULL, 0, &c));
	close(p[0]);
	close(door);
	door_fork_server_kill(pid);
}

TEST(caller_out_of_descriptors)
{
	struct door_shared *shared = door_shared_new();
	struct kipc_door_desc d[8];
	struct kipc_door_call c;
	struct rlimit old, rl;
	char rbuf[1024];
	int p[2], door, before;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	door = door_fork_server(PROC_FDS, 0, 1, shared, NULL, &pid);
	ASSERT_LE(0, door);
	ASSERT_EQ(0, pipe(p));
	for (int i = 0; i < 8; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].attributes = KIPC_DESC_DESCRIPTOR;
		d[i].fd = p[1];
	}
	before = count_fds();
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	/* No room for the 8 descriptors coming back. */
	rl = old;
	rl.rlim_cur = before + 4;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_EQ(-EMFILE, call_with_fds(door, d, 8, rbuf, sizeof(rbuf), &c));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	/* Nothing leaked: neither descriptors nor references. */
	EXPECT_EQ(before, count_fds());
	close(p[1]);
	EXPECT_TRUE(pipe_orphaned(p[0]));
	close(p[0]);
	close(door);
	door_fork_server_kill(pid);
}

TEST_F(desc, door_passed_to_another_process)
{
	struct kipc_door_desc d, *rd;
	struct kipc_door_call c;
	struct door_shared *shared = door_shared_new();
	char rbuf[256];
	int echo, fds_door, status;
	pid_t pid;

	/* A door of a server process hands us, through a call, our own. */
	fds_door = door_fork_server(PROC_FDS, 0, 1, shared, NULL, &pid);
	ASSERT_LE(0, fds_door);
	echo = door_create(&self->s, PROC_ECHO, 0, NULL);
	ASSERT_LE(0, echo);
	memset(&d, 0, sizeof(d));
	d.attributes = KIPC_DESC_DESCRIPTOR;
	d.fd = echo;
	ASSERT_EQ(0, call_with_fds(fds_door, &d, 1, rbuf, sizeof(rbuf), &c));
	ASSERT_EQ(1, c.result_desc_num);
	rd = (struct kipc_door_desc *)(uintptr_t)c.result_desc_ptr;
	EXPECT_TRUE(rd->attributes & KIPC_DOOR_LOCAL);
	/* The passed door works in a child that never saw the original. */
	pid_t child = fork();

	ASSERT_LE(0, child);
	if (child == 0) {
		uint32_t x = 42, y = 0;
		size_t n;

		close(echo);
		if (kipc_door_call_buf(rd->fd, &x, 4, &y, 4, &n, 0) ||
		    y != 42)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(rd->fd);
	close(echo);
	close(fds_door);
	door_fork_server_kill(pid);
}

TEST_HARNESS_MAIN
