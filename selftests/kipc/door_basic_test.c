// SPDX-License-Identifier: GPL-2.0
/*
 * Doors: creation, calls and results of every size, door files, info,
 * parameters and the errors of a call.
 */
#include <poll.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "kipc_test.h"
#include "door_util.h"

FIXTURE(door) {
	struct door_server s;
	struct door_shared *shared;
};

FIXTURE_SETUP(door)
{
	KIPC_REQUIRE_DEVICE();
	self->shared = door_shared_new();
	ASSERT_NE(NULL, self->shared);
	ASSERT_EQ(0, door_server_start(&self->s, 2, self->shared));
}

FIXTURE_TEARDOWN(door)
{
	door_server_stop(&self->s);
	munmap(self->shared, sizeof(*self->shared));
}

TEST_F(door, create_gives_a_door_file)
{
	uint64_t id1 = 0, id2 = 0;
	struct stat st;
	int d1, d2;

	d1 = door_create(&self->s, PROC_NULL, 0, &id1);
	ASSERT_LE(0, d1);
	d2 = door_create(&self->s, PROC_NULL, 0, &id2);
	ASSERT_LE(0, d2);
	EXPECT_NE(0, id1);
	EXPECT_NE(id1, id2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(d1, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, fstat(d1, &st));
	EXPECT_EQ(KIPC_S_IFDOOR, st.st_mode & S_IFMT);
	EXPECT_EQ(geteuid(), st.st_uid);
	close(d1);
	close(d2);
}

TEST_F(door, create_rejects_bad_requests)
{
	struct kipc_door_create c;
	unsigned int bad[] = {
		0x200, 0x04, 0x08, 0x20, 0x80000000,
		KIPC_DOOR_UNREF | KIPC_DOOR_UNREF_MULTI,
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.attributes = bad[i];
		EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->s.k.fd,
						   KIPC_IOC_DOOR_CREATE, &c)) {
			TH_LOG("attributes 0x%x", bad[i]);
		}
	}
	memset(&c, 0, sizeof(c));
	c.flags = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->s.k.fd, KIPC_IOC_DOOR_CREATE,
					   &c));
	memset(&c, 0, sizeof(c));
	c.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->s.k.fd, KIPC_IOC_DOOR_CREATE,
					   &c));
	memset(&c, 0, sizeof(c));
	c.id = 5;	/* an output */
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->s.k.fd, KIPC_IOC_DOOR_CREATE,
					   &c));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->s.k.fd, KIPC_IOC_DOOR_CREATE,
					   NULL));
}

TEST(create_needs_the_handshake)
{
	struct kipc_door_create c;
	int fd;

	KIPC_REQUIRE_DEVICE();
	fd = kipc_test_open_raw();
	ASSERT_LE(0, fd);
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(-EBADFD, kipc_test_ioctl(fd, KIPC_IOC_DOOR_CREATE, &c));
	EXPECT_EQ(0, kipc_test_api(fd, KIPC_FEATURE_DOORS, NULL));
	fd = kipc_test_ioctl(fd, KIPC_IOC_DOOR_CREATE, &c);
	EXPECT_LE(0, fd);
}

TEST_F(door, null_call)
{
	struct kipc_door_call c;
	int d;

	d = door_create(&self->s, PROC_NULL, 0, NULL);
	ASSERT_LE(0, d);
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(0, door_call(d, NULL, 0, NULL, 0, &c));
		EXPECT_EQ(0, c.result_size);
		EXPECT_EQ(0, c.result_desc_num);
		EXPECT_EQ(0, c.result_flags);
	}
	EXPECT_EQ(100, self->shared->calls);
	close(d);
}

/* Echo @size bytes through a result buffer of @rsize bytes. */
static void echo(struct __test_metadata *_metadata, int d, size_t size,
		 size_t rsize)
{
	unsigned char *arg = malloc(size + 1), *rbuf = malloc(rsize + 1);
	struct kipc_door_call c;
	unsigned char *res;

	ASSERT_NE(NULL, arg);
	ASSERT_NE(NULL, rbuf);
	for (size_t i = 0; i < size; i++)
		arg[i] = door_pattern(i + size);
	memset(rbuf, 0, rsize + 1);
	ASSERT_EQ(0, door_call(d, arg, size, rbuf, rsize, &c));
	ASSERT_EQ(size, c.result_size);
	res = (unsigned char *)(uintptr_t)c.result_ptr;
	if (size <= rsize) {
		EXPECT_EQ((uintptr_t)rbuf, c.result_ptr);
		EXPECT_EQ(0, c.result_flags);
	} else {
		EXPECT_EQ(KIPC_RESULT_MAPPED, c.result_flags);
		EXPECT_LE(size, c.result_map_size);
		EXPECT_EQ(0, c.result_map_size % sysconf(_SC_PAGESIZE));
	}
	EXPECT_EQ(0, memcmp(arg, res, size)) {
		TH_LOG("size %zu rsize %zu: results differ", size, rsize);
	}
	if (c.result_flags & KIPC_RESULT_MAPPED)
		EXPECT_EQ(0, munmap(res, c.result_map_size));
	free(arg);
	free(rbuf);
}

TEST_F(door, echo_every_size)
{
	size_t sizes[] = {
		1, 7, 64, 255, 256, 257, 4095, 4096, 4097, 65536, 65537,
		1 << 20, (1 << 20) + 3,
	};
	int d;

	d = door_create(&self->s, PROC_ECHO, 0, NULL);
	ASSERT_LE(0, d);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		echo(_metadata, d, n, n);		/* exact fit */
		echo(_metadata, d, n, n + 4096);	/* room to spare */
		echo(_metadata, d, n, n / 2);		/* overflow: mapped */
		echo(_metadata, d, n, 0);		/* no buffer: mapped */
	}
	close(d);
}

TEST_F(door, results_larger_than_arguments)
{
	uint64_t sizes[] = { 0, 100, 300, 5000, 70000, 3 << 20 };
	int d;

	d = door_create(&self->s, PROC_SIZE, 0, NULL);
	ASSERT_LE(0, d);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		static unsigned char rbuf[8192];
		struct kipc_door_call c;
		unsigned char *res;

		ASSERT_EQ(0, door_call(d, &sizes[i], sizeof(sizes[i]), rbuf,
				       sizeof(rbuf), &c));
		ASSERT_EQ(sizes[i], c.result_size);
		res = (unsigned char *)(uintptr_t)c.result_ptr;
		for (uint64_t j = 0; j < sizes[i]; j++)
			if (res[j] != door_pattern(j)) {
				ASSERT_EQ(door_pattern(j), res[j]);
			}
		if (c.result_flags & KIPC_RESULT_MAPPED)
			munmap(res, c.result_map_size);
		else
			EXPECT_EQ((uintptr_t)rbuf, c.result_ptr);
	}
	close(d);
}

TEST_F(door, no_overflow_flag)
{
	uint64_t n = 10000;
	char rbuf[100];
	struct kipc_door_call c;
	int d;

	d = door_create(&self->s, PROC_SIZE, 0, NULL);
	ASSERT_LE(0, d);
	memset(&c, 0, sizeof(c));
	c.data_ptr = (uintptr_t)&n;
	c.data_size = sizeof(n);
	c.rbuf = (uintptr_t)rbuf;
	c.rsize = sizeof(rbuf);
	c.flags = KIPC_CALL_NO_OVERFLOW;
	EXPECT_EQ(-EOVERFLOW, kipc_door_call(d, &c));
	n = 50;
	EXPECT_EQ(0, kipc_door_call(d, &c));
	EXPECT_EQ(50, c.result_size);
	close(d);
}

TEST_F(door, call_rejects_bad_requests)
{
	struct kipc_door_call c;
	char buf[16];
	int d;

	d = door_create(&self->s, PROC_ECHO, 0, NULL);
	ASSERT_LE(0, d);
	memset(&c, 0, sizeof(c));
	c.flags = 0x80;
	EXPECT_EQ(-EINVAL, kipc_door_call(d, &c));
	memset(&c, 0, sizeof(c));
	c.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, kipc_door_call(d, &c));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(d, KIPC_IOC_DOOR_CALL, NULL));

	/* Bad argument, result and descriptor pointers. */
	EXPECT_EQ(-EFAULT, door_call(d, (void *)8, 16, buf, sizeof(buf), NULL));
	EXPECT_EQ(-EFAULT, door_call(d, (void *)8, 100000, buf, sizeof(buf),
				     NULL));
	EXPECT_EQ(-EFAULT, door_call(d, buf, sizeof(buf), (void *)8, 100000,
				     NULL));
	memset(&c, 0, sizeof(c));
	c.desc_ptr = 8;
	c.desc_num = 1;
	EXPECT_EQ(-EFAULT, kipc_door_call(d, &c));
	/* A read-only result buffer cannot receive results. */
	{
		size_t page = sysconf(_SC_PAGESIZE);
		void *ro = mmap(NULL, 4 * page, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, ro);
		EXPECT_EQ(-EFAULT, door_call(d, buf, sizeof(buf), ro, 4 * page,
					     NULL));
		munmap(ro, 4 * page);
	}
	/* Too much data for any door. */
	EXPECT_EQ(-E2BIG, door_call(d, buf, (size_t)1 << 40, NULL, 0, NULL));
	memset(&c, 0, sizeof(c));
	c.desc_num = 100000;
	c.desc_ptr = (uintptr_t)buf;
	EXPECT_EQ(-E2BIG, kipc_door_call(d, &c));
	/* Not a door: the ioctl is unknown to the file. */
	EXPECT_EQ(-ENOTTY, kipc_test_ioctl(self->s.k.fd, KIPC_IOC_DOOR_CALL,
					   &c));
	EXPECT_EQ(-ENOTTY, kipc_test_ioctl(0, KIPC_IOC_DOOR_CALL, &c));
	close(d);
}

TEST_F(door, unknown_door_ioctls)
{
	char buf[256] = { 0 };
	int d;

	d = door_create(&self->s, PROC_NULL, 0, NULL);
	ASSERT_LE(0, d);
	EXPECT_EQ(-ENOTTY, kipc_test_ioctl(d, _IO(KIPC_IOC_MAGIC, 0x5f), buf));
	EXPECT_EQ(-ENOTTY, kipc_test_ioctl(d, KIPC_IOC_API, buf));
	EXPECT_EQ(-ENOTTY, kipc_test_ioctl(d, KIPC_IOC_DOOR_CREATE, buf));
	EXPECT_EQ(-ENOTTY, kipc_test_ioctl(d, _IOR(KIPC_IOC_MAGIC, 0x41,
						   __u64), buf));
	close(d);
}

TEST_F(door, info)
{
	struct kipc_door_info info;
	uint64_t id;
	int d, status;
	pid_t pid;

	d = door_create(&self->s, PROC_NULL, KIPC_DOOR_UNREF, &id);
	ASSERT_LE(0, d);
	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, kipc_door_info(d, &info));
	EXPECT_EQ(getpid(), info.target);
	EXPECT_EQ(KIPC_DOOR_UNREF | KIPC_DOOR_LOCAL | KIPC_DOOR_IS_UNREF,
		  info.attributes);
	EXPECT_EQ(PROC_NULL, info.proc);
	EXPECT_EQ((uintptr_t)&self->s.ctx, info.cookie);
	EXPECT_EQ(id, info.id);
	EXPECT_EQ(0, info.reserved[0]);
	EXPECT_EQ(0, info.reserved[1]);
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(d, KIPC_IOC_DOOR_INFO, NULL));

	/* Another process: not local, and no server addresses. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kipc_door_info(d, &info))
			_exit(1);
		if (info.attributes & KIPC_DOOR_LOCAL || info.proc ||
		    info.cookie || info.id != id || info.target != getppid())
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(d);
}

TEST_F(door, params)
{
	uint64_t v;
	char buf[64] = { 0 };
	int d, r, status;
	pid_t pid;

	d = door_create(&self->s, PROC_ECHO, 0, NULL);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, kipc_door_getparam(d, KIPC_DOOR_PARAM_DATA_MIN, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, kipc_door_getparam(d, KIPC_DOOR_PARAM_DATA_MAX, &v));
	EXPECT_EQ(KIPC_DOOR_PARAM_UNLIMITED, v);
	ASSERT_EQ(0, kipc_door_getparam(d, KIPC_DOOR_PARAM_DESC_MAX, &v));
	EXPECT_EQ(KIPC_DOOR_PARAM_UNLIMITED, v);
	EXPECT_EQ(-EINVAL, kipc_door_getparam(d, 0, &v));
	EXPECT_EQ(-EINVAL, kipc_door_getparam(d, 4, &v));
	EXPECT_EQ(-EINVAL, kipc_door_setparam(d, 4, 1));

	ASSERT_EQ(0, kipc_door_setparam(d, KIPC_DOOR_PARAM_DATA_MIN, 4));
	ASSERT_EQ(0, kipc_door_setparam(d, KIPC_DOOR_PARAM_DATA_MAX, 8));
	EXPECT_EQ(-EINVAL, kipc_door_setparam(d, KIPC_DOOR_PARAM_DATA_MIN, 9));
	EXPECT_EQ(-EINVAL, kipc_door_setparam(d, KIPC_DOOR_PARAM_DATA_MAX, 3));
	EXPECT_EQ(-ENOBUFS, door_call(d, buf, 3, buf, sizeof(buf), NULL));
	EXPECT_EQ(-ENOBUFS, door_call(d, buf, 9, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, door_call(d, buf, 4, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, door_call(d, buf, 8, buf, sizeof(buf), NULL));

	ASSERT_EQ(0, kipc_door_setparam(d, KIPC_DOOR_PARAM_DESC_MAX, 1));
	{
		struct kipc_door_desc dd[2] = {
			{ .attributes = KIPC_DESC_DESCRIPTOR, .fd = 0 },
			{ .attributes = KIPC_DESC_DESCRIPTOR, .fd = 1 },
		};
		struct kipc_door_call c;

		memset(&c, 0, sizeof(c));
		c.data_ptr = (uintptr_t)buf;
		c.data_size = 4;
		c.desc_ptr = (uintptr_t)dd;
		c.desc_num = 2;
		EXPECT_EQ(-ENFILE, kipc_door_call(d, &c));
	}

	/* Only the server sets parameters. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		r = kipc_door_setparam(d, KIPC_DOOR_PARAM_DATA_MAX, 100);
		_exit(r == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(d);

	/* A door refusing descriptors. */
	d = door_create(&self->s, PROC_ECHO, KIPC_DOOR_REFUSE_DESC, NULL);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, kipc_door_getparam(d, KIPC_DOOR_PARAM_DESC_MAX, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(-EOPNOTSUPP, kipc_door_setparam(d, KIPC_DOOR_PARAM_DESC_MAX,
						  1));
	EXPECT_EQ(0, kipc_door_setparam(d, KIPC_DOOR_PARAM_DESC_MAX, 0));
	{
		struct kipc_door_desc dd = {
			.attributes = KIPC_DESC_DESCRIPTOR, .fd = 0,
		};
		struct kipc_door_call c;

		memset(&c, 0, sizeof(c));
		c.desc_ptr = (uintptr_t)&dd;
		c.desc_num = 1;
		EXPECT_EQ(-EOPNOTSUPP, kipc_door_call(d, &c));
	}
	close(d);
}

TEST_F(door, nonblocking_call_without_idle_thread)
{
	struct kipc_door_call c;
	uint32_t ms = 300;
	int d, d2;

	d = door_create(&self->s, PROC_SLEEP, 0, NULL);
	ASSERT_LE(0, d);
	d2 = door_create(&self->s, PROC_NULL, 0, NULL);
	ASSERT_LE(0, d2);
	/* Occupy both server threads. */
	for (int i = 0; i < 2; i++) {
		if (fork() == 0) {
			door_call(d, &ms, sizeof(ms), NULL, 0, NULL);
			_exit(0);
		}
	}
	usleep(100000);
	memset(&c, 0, sizeof(c));
	c.flags = KIPC_CALL_NONBLOCK;
	EXPECT_EQ(-EAGAIN, kipc_door_call(d2, &c));
	while (wait(NULL) > 0)
		;
	EXPECT_EQ(0, kipc_door_call(d2, &c));
	close(d);
	close(d2);
}

TEST_F(door, cross_process_calls)
{
	int d, status;
	pid_t pid;

	d = door_create(&self->s, PROC_ECHO, 0, NULL);
	ASSERT_LE(0, d);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (uint32_t i = 0; i < 1000; i++) {
			uint32_t got = 0;
			size_t len;

			if (kipc_door_call_buf(d, &i, sizeof(i), &got,
					       sizeof(got), &len, 0))
				_exit(1);
			if (len != sizeof(got) || got != i)
				_exit(2);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(d);
}

TEST_F(door, revoke)
{
	struct kipc_door_info info;
	struct pollfd pfd;
	int d, status;
	pid_t pid;

	d = door_create(&self->s, PROC_NULL, 0, NULL);
	ASSERT_LE(0, d);
	pfd.fd = d;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* Only the server revokes. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(kipc_door_revoke(d) == -EPERM ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, door_call(d, NULL, 0, NULL, 0, NULL));

	ASSERT_EQ(0, kipc_door_revoke(d));
	EXPECT_EQ(-EBADF, kipc_door_revoke(d));
	EXPECT_EQ(-EBADF, door_call(d, NULL, 0, NULL, 0, NULL));
	ASSERT_EQ(0, kipc_door_info(d, &info));
	EXPECT_EQ(KIPC_DOOR_REVOKED | KIPC_DOOR_LOCAL, info.attributes);
	EXPECT_EQ(-1, info.target);
	EXPECT_EQ(-EBADF, kipc_door_setparam(d, KIPC_DOOR_PARAM_DATA_MAX, 5));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLHUP, pfd.revents);
	close(d);
}

TEST_F(door, revoke_fails_queued_calls_completes_running)
{
	uint32_t ms = 300;
	int d, status[3], rc[3];
	pid_t pid[3];

	d = door_create(&self->s, PROC_SLEEP, 0, NULL);
	ASSERT_LE(0, d);
	/* Two calls run (two threads), the third waits in the queue. */
	for (int i = 0; i < 3; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			char res[8];
			int r;

			usleep(i * 50000);
			r = door_call(d, &ms, sizeof(ms), res, sizeof(res),
				      NULL);
			_exit(-r);
		}
	}
	usleep(250000);
	ASSERT_EQ(0, kipc_door_revoke(d));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status[i], 0));
		rc[i] = WEXITSTATUS(status[i]);
	}
	EXPECT_EQ(0, rc[0]);
	EXPECT_EQ(0, rc[1]);
	EXPECT_EQ(EBADF, rc[2]);
	close(d);
}

TEST_F(door, timeout)
{
	struct kipc_door_call c;
	uint32_t ms = 1000;
	struct timespec t0, t1;
	int d;

	d = door_create(&self->s, PROC_SLEEP, 0, NULL);
	ASSERT_LE(0, d);
	memset(&c, 0, sizeof(c));
	c.data_ptr = (uintptr_t)&ms;
	c.data_size = sizeof(ms);
	c.timeout_ns = 100 * 1000 * 1000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-ETIMEDOUT, kipc_door_call(d, &c));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_LE(100, (t1.tv_sec - t0.tv_sec) * 1000 +
		  (t1.tv_nsec - t0.tv_nsec) / 1000000);
	/* The server's late reply was discarded; the next call is fine. */
	ms = 0;
	c.timeout_ns = 0;
	EXPECT_EQ(0, kipc_door_call(d, &c));
	close(d);
}

TEST_F(door, door_closed_while_serving)
{
	int d;

	/* The last file of a door goes away while nothing uses it. */
	for (int i = 0; i < 50; i++) {
		d = door_create(&self->s, PROC_NULL, 0, NULL);
		ASSERT_LE(0, d);
		EXPECT_EQ(0, door_call(d, NULL, 0, NULL, 0, NULL));
		close(d);
	}
}

TEST_HARNESS_MAIN
