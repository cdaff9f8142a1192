// SPDX-License-Identifier: GPL-2.0
/*
 * Doors over their lifetime: unreferenced notifications, interrupted and
 * killed callers, cancellation, servers that die or shut down mid-call,
 * fork.
 */
#include <poll.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "kipc_test.h"
#include "door_util.h"

static void wait_for(volatile int *v, int want)
{
	for (int i = 0; i < 500 && *v != want; i++)
		usleep(10000);
}

FIXTURE(life) {
	struct door_server s;
	struct door_shared *shared;
};

FIXTURE_SETUP(life)
{
	KIPC_REQUIRE_DEVICE();
	self->shared = door_shared_new();
	ASSERT_NE(NULL, self->shared);
	ASSERT_EQ(0, door_server_start(&self->s, 2, self->shared));
}

FIXTURE_TEARDOWN(life)
{
	door_server_stop(&self->s);
}

/* A new external reference: a door received back through a call. */
static int external_ref(struct __test_metadata *_metadata, int fds_door,
			int door)
{
	struct kipc_door_desc d = { .attributes = KIPC_DESC_DESCRIPTOR };
	struct kipc_door_call c;
	char rbuf[128];

	d.fd = door;
	memset(&c, 0, sizeof(c));
	c.desc_ptr = (uintptr_t)&d;
	c.desc_num = 1;
	c.rbuf = (uintptr_t)rbuf;
	c.rsize = sizeof(rbuf);
	EXPECT_EQ(0, kipc_door_call(fds_door, &c));
	EXPECT_EQ(1, c.result_desc_num);
	return ((struct kipc_door_desc *)(uintptr_t)c.result_desc_ptr)->fd;
}

TEST_F(life, unref_once)
{
	struct kipc_door_info info;
	int door, fds, ref;

	door = door_create(&self->s, PROC_COUNT, KIPC_DOOR_UNREF, NULL);
	ASSERT_LE(0, door);
	fds = door_create(&self->s, PROC_FDS, 0, NULL);
	ASSERT_LE(0, fds);
	/* Only the owner's descriptor: unreferenced, nothing delivered. */
	ASSERT_EQ(0, kipc_door_info(door, &info));
	EXPECT_TRUE(info.attributes & KIPC_DOOR_IS_UNREF);
	usleep(50000);
	EXPECT_EQ(0, self->shared->unrefs);

	ref = external_ref(_metadata, fds, door);
	ASSERT_LE(0, ref);
	ASSERT_EQ(0, kipc_door_info(door, &info));
	EXPECT_FALSE(info.attributes & KIPC_DOOR_IS_UNREF);
	close(ref);
	wait_for(&self->shared->unrefs, 1);
	EXPECT_EQ(1, self->shared->unrefs);
	ASSERT_EQ(0, kipc_door_info(door, &info));
	EXPECT_TRUE(info.attributes & KIPC_DOOR_IS_UNREF);

	/* Once only. */
	ref = external_ref(_metadata, fds, door);
	close(ref);
	usleep(200000);
	EXPECT_EQ(1, self->shared->unrefs);
	close(fds);
	close(door);
}

TEST_F(life, unref_multi)
{
	int door, fds;

	door = door_create(&self->s, PROC_COUNT, KIPC_DOOR_UNREF_MULTI, NULL);
	ASSERT_LE(0, door);
	fds = door_create(&self->s, PROC_FDS, 0, NULL);
	ASSERT_LE(0, fds);
	for (int i = 1; i <= 3; i++) {
		int ref = external_ref(_metadata, fds, door);

		ASSERT_LE(0, ref);
		close(ref);
		wait_for(&self->shared->unrefs, i);
		EXPECT_EQ(i, self->shared->unrefs);
	}
	close(fds);
	close(door);
}

TEST_F(life, unref_waits_for_calls_in_progress)
{
	uint32_t ms = 400;
	int door, fds, ref, status;
	pid_t pid;

	door = door_create(&self->s, PROC_SLEEP, KIPC_DOOR_UNREF, NULL);
	ASSERT_LE(0, door);
	fds = door_create(&self->s, PROC_FDS, 0, NULL);
	ASSERT_LE(0, fds);
	ref = external_ref(_metadata, fds, door);
	ASSERT_LE(0, ref);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char res[8];

		_exit(door_call(ref, &ms, sizeof(ms), res, sizeof(res), NULL) ?
		      1 : 0);
	}
	usleep(100000);
	/* The child holds the same file: close ours, then it exits. */
	close(ref);
	usleep(50000);
	EXPECT_EQ(0, self->shared->unrefs);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The call has drained: now, and not before. */
	wait_for(&self->shared->unrefs, 1);
	EXPECT_EQ(1, self->shared->unrefs);
	close(fds);
	close(door);
}

TEST_F(life, revoked_door_is_not_unreferenced)
{
	int door, fds, ref;

	door = door_create(&self->s, PROC_COUNT, KIPC_DOOR_UNREF, NULL);
	ASSERT_LE(0, door);
	fds = door_create(&self->s, PROC_FDS, 0, NULL);
	ASSERT_LE(0, fds);
	ref = external_ref(_metadata, fds, door);
	ASSERT_EQ(0, kipc_door_revoke(door));
	close(ref);
	usleep(200000);
	EXPECT_EQ(0, self->shared->unrefs);
	close(fds);
	close(door);
}

static void nothing(int sig)
{
	(void)sig;
}

/* A call interrupted by a signal fails with EINTR, SA_RESTART or not. */
static void interrupted(struct __test_metadata *_metadata, int door,
			int restart, struct door_shared *shared,
			bool expect_cancel_seen)
{
	int status;
	pid_t pid;

	shared->cancelled_seen = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigaction sa;
		char res[8];
		int r;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = nothing;
		sa.sa_flags = restart;
		sigaction(SIGUSR1, &sa, NULL);
		r = door_call(door, NULL, 0, res, sizeof(res), NULL);
		_exit(r == -EINTR ? 0 : 10 + (r < 0 ? -r : r));
	}
	usleep(200000);
	kill(pid, SIGUSR1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	if (expect_cancel_seen) {
		wait_for(&shared->cancelled_seen, 1);
		EXPECT_EQ(1, shared->cancelled_seen);
	} else {
		usleep(300000);
		EXPECT_EQ(0, shared->cancelled_seen);
	}
}

TEST_F(life, signal_cancels_the_call)
{
	int door;

	door = door_create(&self->s, PROC_CANCEL, 0, NULL);
	ASSERT_LE(0, door);
	interrupted(_metadata, door, 0, self->shared, true);
	interrupted(_metadata, door, SA_RESTART, self->shared, true);
	close(door);
}

TEST_F(life, no_cancel_door_is_not_told)
{
	int door;

	door = door_create(&self->s, PROC_CANCEL, KIPC_DOOR_NO_CANCEL, NULL);
	ASSERT_LE(0, door);
	interrupted(_metadata, door, SA_RESTART, self->shared, false);
	close(door);
}

/* A call of a PROC_SLEEP door that keeps its server thread 100 ms. */
static void *call_for_100ms(void *door)
{
	uint32_t ms = 100;
	char res[16];

	return (void *)(intptr_t)door_call(*(int *)door, &ms, sizeof(ms), res,
					   sizeof(res), NULL);
}

TEST_F(life, late_reply_is_discarded_and_reported)
{
	struct kipc_door_call c;
	uint32_t ms = 300;
	char res[16];
	int door;
	void *ret;

	door = door_create(&self->s, PROC_SLEEP, 0, NULL);
	ASSERT_LE(0, door);
	memset(&c, 0, sizeof(c));
	c.data_ptr = (uintptr_t)&ms;
	c.data_size = sizeof(ms);
	c.rbuf = (uintptr_t)res;
	c.rsize = sizeof(res);
	c.timeout_ns = 50 * 1000 * 1000;
	memset(res, 0, sizeof(res));
	EXPECT_EQ(-ETIMEDOUT, kipc_door_call(door, &c));
	/*
	 * The thread that replied late is told so with its next call.  Two
	 * calls at once keep both server threads busy, so once it is back
	 * from its late reply (whenever a slow machine lets it) it gets one
	 * of them; the other thread alone serves those made before.
	 */
	for (int i = 0; i < 50 && !self->shared->discarded_seen; i++) {
		pthread_t t;

		ASSERT_EQ(0, pthread_create(&t, NULL, call_for_100ms, &door));
		EXPECT_EQ(NULL, call_for_100ms(&door));
		ASSERT_EQ(0, pthread_join(t, &ret));
		EXPECT_EQ(NULL, ret);
	}
	EXPECT_EQ(1, self->shared->discarded_seen);
	/* The reply ("late") is made, and never landed in our buffer. */
	EXPECT_EQ(0, res[0]);
	close(door);
}

TEST_F(life, killed_caller_leaves_nothing)
{
	uint32_t ms = 100;
	int door;

	door = door_create(&self->s, PROC_SLEEP, 0, NULL);
	ASSERT_LE(0, door);
	for (int round = 0; round < 20; round++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			static char res[1 << 16];

			door_call(door, &ms, sizeof(ms), res, sizeof(res), NULL);
			_exit(0);
		}
		usleep((round % 5) * 20000);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	}
	/* The server is still fine. */
	ms = 0;
	EXPECT_EQ(0, door_call(door, &ms, sizeof(ms), NULL, 0, NULL));
	close(door);
}

TEST(server_killed_mid_call)
{
	struct door_shared *shared = door_shared_new();

	KIPC_REQUIRE_DEVICE();
	for (int round = 0; round < 10; round++) {
		int door, status[3];
		uint32_t ms = 5000;
		pid_t srv, pid[3];

		door = door_fork_server(PROC_SLEEP, 0, 1, shared, NULL, &srv);
		ASSERT_LE(0, door);
		/* One call in progress, two queued behind it. */
		for (int i = 0; i < 3; i++) {
			pid[i] = fork();
			ASSERT_LE(0, pid[i]);
			if (pid[i] == 0) {
				char res[8];
				int r;

				usleep(i * 30000);
				r = door_call(door, &ms, sizeof(ms), res,
					      sizeof(res), NULL);
				_exit(r < 0 ? -r : 100);
			}
		}
		usleep(150000);
		door_fork_server_kill(srv);
		for (int i = 0; i < 3; i++) {
			ASSERT_EQ(pid[i], waitpid(pid[i], &status[i], 0));
			ASSERT_TRUE(WIFEXITED(status[i]));
		}
		/* illumos: the call in progress EINTR, the others EBADF. */
		EXPECT_EQ(EINTR, WEXITSTATUS(status[0]));
		EXPECT_EQ(EBADF, WEXITSTATUS(status[1]));
		EXPECT_EQ(EBADF, WEXITSTATUS(status[2]));
		/* And every later call. */
		EXPECT_EQ(-EBADF, door_call(door, NULL, 0, NULL, 0, NULL));
		{
			struct kipc_door_info info;
			struct pollfd pfd = { .fd = door, .events = POLLIN };

			ASSERT_EQ(0, kipc_door_info(door, &info));
			EXPECT_TRUE(info.attributes & KIPC_DOOR_REVOKED);
			EXPECT_EQ(1, poll(&pfd, 1, 1000));
		}
		close(door);
	}
}

TEST_F(life, shutdown)
{
	struct kipc_door_create c;
	int door;

	door = door_create(&self->s, PROC_NULL, 0, NULL);
	ASSERT_LE(0, door);
	EXPECT_EQ(0, door_call(door, NULL, 0, NULL, 0, NULL));
	ASSERT_EQ(0, kipc_door_shutdown(&self->s.k));
	EXPECT_EQ(-EBADF, door_call(door, NULL, 0, NULL, 0, NULL));
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(-EBADF, kipc_test_ioctl(self->s.k.fd, KIPC_IOC_DOOR_CREATE,
					  &c));
	/* The threads' loops ended. */
	for (int i = 0; i < self->s.nthreads; i++)
		EXPECT_EQ(0, pthread_join(self->s.threads[i], NULL));
	self->s.nthreads = 0;
	close(door);
}

TEST_F(life, fork_keeps_the_door)
{
	int door, status;
	pid_t pid;

	door = door_create(&self->s, PROC_ECHO, 0, NULL);
	ASSERT_LE(0, door);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_door_info info;
		uint32_t v = 7, r = 0;
		size_t n;

		/* A client in the child... */
		if (kipc_door_call_buf(door, &v, 4, &r, 4, &n, 0) || r != 7)
			_exit(1);
		if (kipc_door_info(door, &info) ||
		    info.attributes & KIPC_DOOR_LOCAL)
			_exit(2);
		/* ...but not a server: the context is the parent's. */
		if (kipc_door_create(&self->s.k, PROC_NULL, 0, 0, NULL) !=
		    -EPERM)
			_exit(3);
		if (kipc_door_revoke(door) != -EPERM)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(door);
}

TEST_F(life, server_thread_exits_mid_call)
{
	int door;

	/* The library's loop fails the call when its thread exits. */
	door = door_create(&self->s, PROC_EXIT, 0, NULL);
	ASSERT_LE(0, door);
	EXPECT_EQ(-EINTR, door_call(door, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(-EINTR, door_call(door, NULL, 0, NULL, 0, NULL));
	close(door);
}

struct raw_server {
	struct kipc *k;
	int exit_mid_call;
};

/* A server thread on the raw ioctl, which may die without replying. */
static void *raw_server_thread(void *arg)
{
	struct raw_server *rs = arg;
	struct kipc_door_return r;
	static char buf[256];

	memset(&r, 0, sizeof(r));
	r.buf_ptr = (uintptr_t)buf;
	r.buf_size = sizeof(buf);
	if (kipc_door_return(rs->k, &r))
		return NULL;
	if (rs->exit_mid_call)
		syscall(SYS_exit, 0);	/* no library, no cleanup */
	memset(&r, 0, sizeof(r));
	r.flags = KIPC_RETURN_ABORT;
	kipc_door_return(rs->k, &r);
	return NULL;
}

TEST(server_thread_dies_without_replying)
{
	struct raw_server rs;
	struct kipc k;
	int door, status;
	pthread_t t;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	ASSERT_EQ(0, kipc_open(&k, KIPC_FEATURE_DOORS));
	door = kipc_door_create(&k, PROC_NULL, 0, 0, NULL);
	ASSERT_LE(0, door);
	rs.k = &k;
	rs.exit_mid_call = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, raw_server_thread, &rs));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(-door_call(door, NULL, 0, NULL, 0, NULL));
	/* The thread took the call and died; no reply will come... */
	usleep(300000);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	/*
	 * ...until the context next meets a new server thread, which
	 * reclaims the dead one and fails its call as interrupted.
	 */
	rs.exit_mid_call = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, raw_server_thread, &rs));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EINTR, WEXITSTATUS(status));
	kipc_door_shutdown(&k);
	pthread_join(t, NULL);
	close(door);
	kipc_close(&k);
}

TEST_HARNESS_MAIN
