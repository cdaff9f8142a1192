// SPDX-License-Identifier: GPL-2.0
/*
 * Opening /dev/kipc: as an unprivileged user, many times at once, from many
 * threads.
 */
#include <grp.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

static long contexts(struct __test_metadata *_metadata)
{
	struct kipc_info info;
	int fd = kipc_test_open();

	EXPECT_LE(0, fd);
	if (fd < 0)
		return -1;
	EXPECT_EQ(0, kipc_test_ioctl(fd, KIPC_IOC_INFO, &info));
	close(fd);
	return (long)info.contexts;
}

TEST(device_node)
{
	struct stat st;

	KIPC_REQUIRE_DEVICE();
	ASSERT_EQ(0, stat(KIPC_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	/* A misc device. */
	EXPECT_EQ(10, major(st.st_rdev));
}

TEST(unprivileged_open)
{
	int status;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	if (geteuid() != 0)
		SKIP(return, "needs root to switch to an unprivileged user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_info info;
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (geteuid() != 65534)
			_exit(11);
		fd = kipc_test_open_raw();
		if (fd < 0)
			_exit(12);
		if (kipc_test_api(fd, 0, NULL))
			_exit(13);
		if (kipc_test_ioctl(fd, KIPC_IOC_INFO, &info))
			_exit(14);
		close(fd);
		/* Read-only and write-only opens work as well. */
		fd = open(KIPC_DEV, O_RDONLY);
		if (fd < 0)
			_exit(15);
		close(fd);
		fd = open(KIPC_DEV, O_WRONLY);
		if (fd < 0)
			_exit(16);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(many_open_at_once)
{
	enum { N = 2000 };
	struct rlimit rl = { N + 64, N + 64 };
	long before, during, after;
	static int fds[N];

	KIPC_REQUIRE_DEVICE();
	if (setrlimit(RLIMIT_NOFILE, &rl))
		SKIP(return, "cannot raise RLIMIT_NOFILE to %d", N + 64);
	before = contexts(_metadata);
	for (int i = 0; i < N; i++) {
		fds[i] = kipc_test_open();
		ASSERT_LE(0, fds[i]);
	}
	during = contexts(_metadata);
	EXPECT_LE(before + N, during);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	after = contexts(_metadata);
	EXPECT_GE(during - N, after);
}

#define THREADS 8
#define ROUNDS 300

static void *open_close_loop(void *arg)
{
	long failures = 0;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		struct kipc_info info;
		int fd = kipc_test_open();

		if (fd < 0 || kipc_test_ioctl(fd, KIPC_IOC_INFO, &info))
			failures++;
		if (fd >= 0)
			close(fd);
	}
	return (void *)failures;
}

TEST(concurrent_open_close)
{
	pthread_t t[THREADS];
	long before, after;

	KIPC_REQUIRE_DEVICE();
	before = contexts(_metadata);
	for (int i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, open_close_loop, NULL));
	for (int i = 0; i < THREADS; i++) {
		void *failures;

		pthread_join(t[i], &failures);
		EXPECT_EQ(0, (long)failures);
	}
	after = contexts(_metadata);
	/* Every context opened by the threads is gone again. */
	EXPECT_GE(before, after);
}

TEST(fork_shares_context)
{
	struct kipc_info info;
	int fd, status;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	fd = kipc_test_open();
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The handshake was done by the parent on the same file. */
		_exit(kipc_test_ioctl(fd, KIPC_IOC_INFO, &info) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, kipc_test_ioctl(fd, KIPC_IOC_INFO, &info));
	close(fd);
}

TEST_HARNESS_MAIN
