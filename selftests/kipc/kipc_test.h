/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kipc selftests.
 */
#ifndef KIPC_TEST_H
#define KIPC_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kipc.h>

#define KIPC_DEV "/dev/" KIPC_DEVICE_NAME

/* Open /dev/kipc without the handshake; -errno on failure. */
static inline int kipc_test_open_raw(void)
{
	int fd = open(KIPC_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* The handshake with @features; 0 or -errno. */
static inline int kipc_test_api(int fd, __u64 features, struct kipc_api *out)
{
	struct kipc_api api;

	memset(&api, 0, sizeof(api));
	api.api = KIPC_API;
	api.features = features;
	if (ioctl(fd, KIPC_IOC_API, &api) < 0)
		return -errno;
	if (out)
		*out = api;
	return 0;
}

/* An open, handshaken context; -errno on failure. */
static inline int kipc_test_open(void)
{
	int fd = kipc_test_open_raw();
	int ret;

	if (fd < 0)
		return fd;
	ret = kipc_test_api(fd, 0, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* ioctl() returning its result or -errno. */
static inline int kipc_test_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Skip unless /dev/kipc exists. */
#define KIPC_REQUIRE_DEVICE() do {					\
	if (access(KIPC_DEV, F_OK))					\
		SKIP(return, KIPC_DEV " is missing: load kipc.ko");	\
} while (0)

#endif /* KIPC_TEST_H */
