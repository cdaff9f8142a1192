/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: the native C API of kipc.
 *
 * Functions return 0 or a non-negative value on success and -errno on
 * failure; they never set errno.  Documented in
 * Documentation/kipc/libkipc.rst.
 */
#ifndef LIBKIPC_KIPC_H
#define LIBKIPC_KIPC_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KIPC_DEVICE_PATH	"/dev/" KIPC_DEVICE_NAME

/**
 * struct kipc - an open, handshaken /dev/kipc context
 * @fd:		the context's file descriptor (close-on-exec)
 * @features:	features the module offers
 * @ioctls:	ioctls the context accepts, as 1 << _IOC_NR(cmd)
 */
struct kipc {
	int fd;
	uint64_t features;
	uint64_t ioctls;
};

int kipc_open(struct kipc *k, uint64_t features);
int kipc_open_path(struct kipc *k, const char *path, uint64_t features);
void kipc_close(struct kipc *k);
int kipc_info(const struct kipc *k, struct kipc_info *info);

static inline int kipc_fd(const struct kipc *k)
{
	return k->fd;
}

static inline bool kipc_has_features(const struct kipc *k, uint64_t features)
{
	return (k->features & features) == features;
}

#ifdef __cplusplus
}
#endif

#include <kipc_door.h>
/* Zero-copy message channels. */
#include <kipc_channel.h>
#include <kipc_stats.h>

#endif /* LIBKIPC_KIPC_H */
