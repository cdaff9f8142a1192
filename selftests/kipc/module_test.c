// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: kipc.ko cannot be removed while a context is open, is
 * removed cleanly once all are closed, and loads again.  Needs root and the
 * path of the module in $KIPC_MODULE (the test guest sets it).
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

static int delete_kipc(void)
{
	return syscall(SYS_delete_module, "kipc", O_NONBLOCK) ? -errno : 0;
}

static int load_kipc(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static void wait_for_node(bool present)
{
	/* devtmpfs creates and removes the node synchronously; be lenient. */
	for (int i = 0; i < 100; i++) {
		if ((access(KIPC_DEV, F_OK) == 0) == present)
			return;
		usleep(10000);
	}
}

FIXTURE(module) {
	const char *path;
	bool remount;
};

/* kipcfs mounted on /run/kipc holds the module: unmount it for the test. */
static bool kipcfs_unmount(void)
{
	struct statfs sfs;

	if (statfs("/run/kipc", &sfs) || sfs.f_type != KIPC_FS_MAGIC)
		return false;
	return umount("/run/kipc") == 0;
}

FIXTURE_SETUP(module)
{
	struct stat st;

	KIPC_REQUIRE_DEVICE();
	self->path = getenv("KIPC_MODULE");
	if (geteuid() != 0)
		SKIP(return, "needs root to unload and load modules");
	if (!self->path || stat(self->path, &st))
		SKIP(return, "set KIPC_MODULE to the path of kipc.ko");
	self->remount = kipcfs_unmount();
}

FIXTURE_TEARDOWN(module)
{
	/* Whatever happened, leave kipc loaded for the tests that follow. */
	if (self->path && access(KIPC_DEV, F_OK))
		load_kipc(self->path);
	if (self->remount)
		mount("kipcfs", "/run/kipc", KIPC_FS_NAME, 0, NULL);
}

TEST_F(module, unload_refused_while_in_use)
{
	int fd;

	fd = kipc_test_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, delete_kipc());
	/* Still fully working. */
	EXPECT_EQ(0, access(KIPC_DEV, F_OK));
	{
		struct kipc_info info;

		EXPECT_EQ(0, kipc_test_ioctl(fd, KIPC_IOC_INFO, &info));
	}
	close(fd);
}

TEST_F(module, unload_refused_while_context_inherited)
{
	int fd, dup_fd;

	fd = kipc_test_open_raw();
	ASSERT_LE(0, fd);
	dup_fd = dup(fd);
	ASSERT_LE(0, dup_fd);
	close(fd);
	/* The file is still open through the duplicate. */
	EXPECT_EQ(-EWOULDBLOCK, delete_kipc());
	close(dup_fd);
}

TEST_F(module, unload_and_reload)
{
	int fd;

	fd = kipc_test_open();
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, delete_kipc());
	wait_for_node(false);
	EXPECT_NE(0, access(KIPC_DEV, F_OK));
	EXPECT_EQ(-ENOENT, kipc_test_open_raw());
	/* Unloading twice: the module is gone. */
	EXPECT_EQ(-ENOENT, delete_kipc());

	ASSERT_EQ(0, load_kipc(self->path));
	wait_for_node(true);
	fd = kipc_test_open();
	ASSERT_LE(0, fd);
	close(fd);
	/* Loading twice: already there. */
	EXPECT_EQ(-EEXIST, load_kipc(self->path));
}

TEST_F(module, unload_refused_while_kipcfs_mounted)
{
	ASSERT_TRUE(mkdir("/tmp/kipcfs-test", 0755) == 0 || errno == EEXIST);
	ASSERT_EQ(0, mount("kipcfs", "/tmp/kipcfs-test", KIPC_FS_NAME, 0, NULL));
	EXPECT_EQ(-EWOULDBLOCK, delete_kipc());
	ASSERT_EQ(0, umount("/tmp/kipcfs-test"));
	rmdir("/tmp/kipcfs-test");
}

TEST_F(module, unload_refused_while_a_door_is_open)
{
	struct kipc_door_create c;
	int fd, door;

	fd = kipc_test_open();
	ASSERT_LE(0, fd);
	memset(&c, 0, sizeof(c));
	door = kipc_test_ioctl(fd, KIPC_IOC_DOOR_CREATE, &c);
	ASSERT_LE(0, door);
	close(fd);
	/* The door file alone keeps the module. */
	EXPECT_EQ(-EWOULDBLOCK, delete_kipc());
	close(door);
}

TEST_F(module, reload_cycles)
{
	for (int i = 0; i < 10; i++) {
		int fd = kipc_test_open();

		ASSERT_LE(0, fd);
		close(fd);
		ASSERT_EQ(0, delete_kipc());
		ASSERT_EQ(0, load_kipc(self->path));
		wait_for_node(true);
	}
}

TEST_HARNESS_MAIN
