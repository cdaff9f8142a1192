// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: opening a /dev/kipc context and its handshake.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kipc.h"

int kipc_open_path(struct kipc *k, const char *path, uint64_t features)
{
	struct kipc_api api;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	memset(&api, 0, sizeof(api));
	api.api = KIPC_API;
	api.features = features;
	if (ioctl(fd, KIPC_IOC_API, &api) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	k->fd = fd;
	k->features = api.features;
	k->ioctls = api.ioctls;
	return 0;
}

int kipc_open(struct kipc *k, uint64_t features)
{
	return kipc_open_path(k, KIPC_DEVICE_PATH, features);
}

void kipc_close(struct kipc *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

int kipc_info(const struct kipc *k, struct kipc_info *info)
{
	if (ioctl(k->fd, KIPC_IOC_INFO, info) < 0)
		return -errno;
	return 0;
}
