// SPDX-License-Identifier: GPL-2.0
/*
 * Doors: naming doors in kipcfs (attach, open by path, detach), with
 * ordinary permissions, names that die with their door, and one name space
 * per IPC namespace.
 */
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "kselftest_harness.h"
#include "kipc_test.h"
#include "door_util.h"

#define NAMES	KIPC_DOOR_NAMES

static bool have_kipcfs(const char *dir)
{
	struct statfs sfs;

	return !statfs(dir, &sfs) && sfs.f_type == KIPC_FS_MAGIC;
}

#define REQUIRE_KIPCFS() do {						\
	KIPC_REQUIRE_DEVICE();						\
	if (!have_kipcfs(NAMES))					\
		SKIP(return, "kipcfs is not mounted on " NAMES);	\
} while (0)

static int placeholder(const char *path, mode_t mode)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	fchmod(fd, mode);
	close(fd);
	return 0;
}

static int attach_raw(int ctx, int door, const char *path, __u32 flags)
{
	struct kipc_door_attach a;

	memset(&a, 0, sizeof(a));
	a.door_fd = door;
	a.dirfd = AT_FDCWD;
	a.path = (uintptr_t)path;
	a.flags = flags;
	return kipc_test_ioctl(ctx, KIPC_IOC_DOOR_ATTACH, &a);
}

FIXTURE(names) {
	struct door_server s;
	struct door_shared *shared;
	char path[128];
};

FIXTURE_SETUP(names)
{
	REQUIRE_KIPCFS();
	self->shared = door_shared_new();
	ASSERT_EQ(0, door_server_start(&self->s, 1, self->shared));
	snprintf(self->path, sizeof(self->path), NAMES "/test-%d", getpid());
}

FIXTURE_TEARDOWN(names)
{
	unlink(self->path);
	door_server_stop(&self->s);
}

TEST_F(names, mount_point)
{
	struct stat st;

	ASSERT_EQ(0, stat(NAMES, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(01777, st.st_mode & 07777);
}

TEST_F(names, attach_open_detach)
{
	struct kipc_door_info info, info2;
	struct stat st;
	uint32_t v = 9, r = 0;
	size_t n;
	int door, opened;

	door = door_create(&self->s, PROC_ECHO, 0, NULL);
	ASSERT_LE(0, door);
	ASSERT_EQ(0, placeholder(self->path, 0644));
	ASSERT_EQ(0, kipc_door_attach(&self->s.k, door, self->path));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(KIPC_S_IFDOOR, st.st_mode & S_IFMT);
	EXPECT_EQ(0644, st.st_mode & 07777);
	EXPECT_EQ(geteuid(), st.st_uid);

	opened = kipc_door_open(self->path);
	ASSERT_LE(0, opened);
	EXPECT_EQ(FD_CLOEXEC, fcntl(opened, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, kipc_door_info(door, &info));
	ASSERT_EQ(0, kipc_door_info(opened, &info2));
	EXPECT_EQ(info.id, info2.id);
	ASSERT_EQ(0, kipc_door_call_buf(opened, &v, 4, &r, 4, &n, 0));
	EXPECT_EQ(9, r);
	/* A plain open() works too. */
	close(opened);
	opened = open(self->path, O_RDONLY);
	ASSERT_LE(0, opened);
	EXPECT_EQ(0, door_call(opened, NULL, 0, NULL, 0, NULL));

	ASSERT_EQ(0, kipc_door_detach(&self->s.k, self->path));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0644, st.st_mode & 07777);
	EXPECT_EQ(-ENOTTY, kipc_door_open(self->path));
	/* What was opened before stays a door. */
	EXPECT_EQ(0, door_call(opened, NULL, 0, NULL, 0, NULL));
	close(opened);
	close(door);
}

TEST_F(names, errors)
{
	int door, ctx = self->s.k.fd;
	char dir[160];

	door = door_create(&self->s, PROC_NULL, 0, NULL);
	ASSERT_LE(0, door);
	EXPECT_EQ(-ENOENT, kipc_door_attach(&self->s.k, door, self->path));
	ASSERT_EQ(0, placeholder(self->path, 0644));
	EXPECT_EQ(-EINVAL, attach_raw(ctx, door, self->path, 1));
	EXPECT_EQ(-EBADF, kipc_door_attach(&self->s.k, 999, self->path));
	EXPECT_EQ(-EINVAL, kipc_door_attach(&self->s.k, 0, self->path));
	EXPECT_EQ(-EINVAL, kipc_door_attach(&self->s.k, door, "/proc/version"));
	EXPECT_EQ(-EINVAL, kipc_door_detach(&self->s.k, self->path));
	EXPECT_EQ(-EFAULT, attach_raw(ctx, door, (char *)8, 0));
	ASSERT_EQ(0, kipc_door_attach(&self->s.k, door, self->path));
	EXPECT_EQ(-EBUSY, kipc_door_attach(&self->s.k, door, self->path));
	/* DETACH takes no door. */
	{
		struct kipc_door_attach a;

		memset(&a, 0, sizeof(a));
		a.door_fd = door;
		a.dirfd = AT_FDCWD;
		a.path = (uintptr_t)self->path;
		EXPECT_EQ(-EINVAL, kipc_test_ioctl(ctx, KIPC_IOC_DOOR_DETACH,
						   &a));
	}
	ASSERT_EQ(0, kipc_door_detach(&self->s.k, self->path));
	snprintf(dir, sizeof(dir), "%s.d", self->path);
	ASSERT_EQ(0, mkdir(dir, 0755));
	EXPECT_EQ(-EINVAL, kipc_door_attach(&self->s.k, door, dir));
	EXPECT_EQ(0, rmdir(dir));
	/* A revoked door cannot be named. */
	ASSERT_EQ(0, kipc_door_revoke(door));
	EXPECT_EQ(-EBADF, kipc_door_attach(&self->s.k, door, self->path));
	close(door);
}

TEST_F(names, revoke_removes_the_name)
{
	struct stat st;
	int door;

	door = door_create(&self->s, PROC_NULL, 0, NULL);
	ASSERT_LE(0, door);
	ASSERT_EQ(0, placeholder(self->path, 0644));
	ASSERT_EQ(0, kipc_door_attach(&self->s.k, door, self->path));
	ASSERT_EQ(0, kipc_door_revoke(door));
	EXPECT_EQ(-1, stat(self->path, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENOENT, kipc_door_open(self->path));
	close(door);
}

TEST_F(names, dead_server_removes_the_name)
{
	struct door_shared *sh = door_shared_new();
	struct stat st;
	int door, status;
	pid_t pid;

	ASSERT_EQ(0, placeholder(self->path, 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct door_server s;
		int d;

		if (door_server_start(&s, 1, sh))
			_exit(1);
		d = door_create(&s, PROC_NULL, 0, NULL);
		if (d < 0 || kipc_door_attach(&s.k, d, self->path))
			_exit(2);
		for (;;)
			pause();
	}
	for (int i = 0; i < 200; i++) {
		if (!stat(self->path, &st) &&
		    (st.st_mode & S_IFMT) == KIPC_S_IFDOOR)
			break;
		usleep(10000);
	}
	ASSERT_EQ(KIPC_S_IFDOOR, st.st_mode & S_IFMT);
	door = kipc_door_open(self->path);
	ASSERT_LE(0, door);
	EXPECT_EQ(0, door_call(door, NULL, 0, NULL, 0, NULL));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The name went with the server. */
	EXPECT_EQ(-1, stat(self->path, &st));
	EXPECT_EQ(-EBADF, door_call(door, NULL, 0, NULL, 0, NULL));
	close(door);
}

TEST_F(names, attachment_is_a_reference)
{
	int door;

	door = door_create(&self->s, PROC_COUNT, KIPC_DOOR_UNREF, NULL);
	ASSERT_LE(0, door);
	ASSERT_EQ(0, placeholder(self->path, 0644));
	ASSERT_EQ(0, kipc_door_attach(&self->s.k, door, self->path));
	usleep(100000);
	EXPECT_EQ(0, self->shared->unrefs);
	ASSERT_EQ(0, kipc_door_detach(&self->s.k, self->path));
	for (int i = 0; i < 200 && !self->shared->unrefs; i++)
		usleep(10000);
	EXPECT_EQ(1, self->shared->unrefs);
	close(door);
}

static int as_user(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return 0;
}

TEST_F(names, permissions)
{
	char path2[160], path3[160];
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	snprintf(path2, sizeof(path2), "%s.private", self->path);
	snprintf(path3, sizeof(path3), "%s.ro", self->path);
	/* An unprivileged user publishes, privately and publicly. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct door_server s;
		int d;

		if (as_user(1000) || door_server_start(&s, 1, NULL))
			_exit(1);
		d = door_create(&s, PROC_NULL, 0, NULL);
		if (d < 0)
			_exit(2);
		if (placeholder(self->path, 0644) ||
		    kipc_door_attach(&s.k, d, self->path))
			_exit(3);
		if (placeholder(path2, 0600) ||
		    kipc_door_attach(&s.k, d, path2))
			_exit(4);
		/* Its own file, but not writable: EACCES. */
		if (placeholder(path3, 0444) ||
		    kipc_door_attach(&s.k, d, path3) != -EACCES)
			_exit(5);
		for (;;)
			pause();
	}
	for (int i = 0; i < 300 && access(path3, F_OK); i++)
		usleep(10000);
	usleep(100000);

	/* Another unprivileged user. */
	{
		pid_t other = fork();

		ASSERT_LE(0, other);
		if (other == 0) {
			struct kipc k;
			int d;

			if (as_user(1001) || kipc_open(&k, KIPC_FEATURE_DOORS))
				_exit(10);
			d = kipc_door_open(self->path);
			if (d < 0 || door_call(d, NULL, 0, NULL, 0, NULL))
				_exit(11);
			if (kipc_door_open(path2) != -EACCES)
				_exit(12);
			if (kipc_door_detach(&k, self->path) != -EPERM)
				_exit(13);
			/* The sticky directory protects the name. */
			if (unlink(self->path) == 0 || errno != EPERM)
				_exit(14);
			/* Nor can it attach its door to another's file. */
			if (kipc_door_attach(&k, d, path3) != -EPERM)
				_exit(15);
			_exit(0);
		}
		ASSERT_EQ(other, waitpid(other, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	unlink(path2);
	unlink(path3);
}

TEST_F(names, one_name_space_per_ipc_namespace)
{
	char mnt[64];
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to create namespaces");
	ASSERT_EQ(0, placeholder(self->path, 0644));
	/* A second mount in the same IPC namespace shows the same names. */
	snprintf(mnt, sizeof(mnt), "/tmp/kipcfs-%d", getpid());
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, mount("kipcfs", mnt, KIPC_FS_NAME, 0, NULL));
	{
		char p[200];

		snprintf(p, sizeof(p), "%s/%s", mnt, strrchr(self->path, '/') + 1);
		EXPECT_EQ(0, access(p, F_OK));
	}
	ASSERT_EQ(0, umount(mnt));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char p[200];

		if (unshare(CLONE_NEWIPC | CLONE_NEWNS))
			_exit(1);
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		if (mount("kipcfs", mnt, KIPC_FS_NAME, 0, NULL))
			_exit(2);
		snprintf(p, sizeof(p), "%s/%s", mnt,
			 strrchr(self->path, '/') + 1);
		/* The parent's name is not here... */
		if (access(p, F_OK) == 0)
			_exit(3);
		/* ...and ours will not be there. */
		if (placeholder(p, 0644))
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The parent's mount is untouched by the child's file. */
	{
		char p[200];

		snprintf(p, sizeof(p), NAMES "/%s", strrchr(self->path, '/') + 1);
		EXPECT_EQ(0, access(p, F_OK));
	}
	rmdir(mnt);
}

TEST(unprivileged_kipcfs_in_own_namespaces)
{
	int status;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	if (geteuid())
		SKIP(return, "needs root to become an ordinary user first");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (as_user(1000))
			_exit(1);
		/* Not in the initial IPC namespace: no permission. */
		if (mount("kipcfs", "/tmp", KIPC_FS_NAME, 0, NULL) == 0 ||
		    errno != EPERM)
			_exit(2);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC))
			_exit(3);
		/* Owner of its own IPC namespace: it may. */
		if (mount("kipcfs", "/tmp", KIPC_FS_NAME, 0, NULL))
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
