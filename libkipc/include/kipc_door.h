/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: the native door API.  Included by <kipc.h>.
 *
 * Thin, inline wrappers over the door ioctls, and a server loop that runs
 * a handler for each call and grows its pool of threads when the kernel
 * reports it depleted.  Every function returns 0 (or a non-negative value)
 * on success and -errno on failure.  The Solaris-compatible API is in
 * <door.h>.  Documented in Documentation/kipc/libkipc.rst.
 */
#ifndef LIBKIPC_KIPC_DOOR_H
#define LIBKIPC_KIPC_DOOR_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kipc.h>
#include <kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The conventional mount point of kipcfs, where doors are named. */
#define KIPC_DOOR_NAMES		"/run/kipc"

static inline int kipc__ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Calls */

static inline int kipc_door_call(int door, struct kipc_door_call *call)
{
	return kipc__ioctl(door, KIPC_IOC_DOOR_CALL, call);
}

int kipc_door_call_buf(int door, const void *arg, size_t arg_size,
		       void *res, size_t res_size, size_t *res_len,
		       uint64_t timeout_ns);

static inline int kipc_door_info(int door, struct kipc_door_info *info)
{
	return kipc__ioctl(door, KIPC_IOC_DOOR_INFO, info);
}

static inline int kipc_door_getparam(int door, unsigned int param,
				     uint64_t *value)
{
	struct kipc_door_param p;
	int ret;

	/* memset, not designated initializers: the header is also C++11. */
	memset(&p, 0, sizeof(p));
	p.param = param;
	ret = kipc__ioctl(door, KIPC_IOC_DOOR_GETPARAM, &p);
	if (!ret)
		*value = p.value;
	return ret;
}

static inline int kipc_door_setparam(int door, unsigned int param,
				     uint64_t value)
{
	struct kipc_door_param p;

	memset(&p, 0, sizeof(p));
	p.param = param;
	p.value = value;
	return kipc__ioctl(door, KIPC_IOC_DOOR_SETPARAM, &p);
}

int kipc_door_open(const char *path);

/* Serving */

static inline int kipc_door_create(struct kipc *k, uint64_t proc,
				   uint64_t cookie, unsigned int attributes,
				   uint64_t *id)
{
	struct kipc_door_create c;
	int fd;

	memset(&c, 0, sizeof(c));
	c.proc = proc;
	c.cookie = cookie;
	c.attributes = attributes;
	fd = kipc__ioctl(k->fd, KIPC_IOC_DOOR_CREATE, &c);
	if (fd >= 0 && id)
		*id = c.id;
	return fd;
}

static inline int kipc_door_revoke(int door)
{
	return kipc__ioctl(door, KIPC_IOC_DOOR_REVOKE, NULL);
}

static inline int kipc_door_return(struct kipc *k, struct kipc_door_return *r)
{
	return kipc__ioctl(k->fd, KIPC_IOC_DOOR_RETURN, r);
}

static inline int kipc_door_bind(struct kipc *k, uint64_t door_id)
{
	return kipc__ioctl(k->fd, KIPC_IOC_DOOR_BIND, &door_id);
}

static inline int kipc_door_unbind(struct kipc *k)
{
	return kipc__ioctl(k->fd, KIPC_IOC_DOOR_UNBIND, NULL);
}

static inline int kipc_door_current(struct kipc *k,
				    struct kipc_door_current *cur)
{
	return kipc__ioctl(k->fd, KIPC_IOC_DOOR_CURRENT, cur);
}
static inline int kipc_door_shutdown(struct kipc *k)
{
	return kipc__ioctl(k->fd, KIPC_IOC_DOOR_SHUTDOWN, NULL);
}

int kipc_door_cancelled(struct kipc *k);
int kipc_door_attach(struct kipc *k, int door, const char *path);
int kipc_door_detach(struct kipc *k, const char *path);

/**
 * struct kipc_door_request - one invocation, for a kipc_door_handler_t
 * @cookie:	the door's cookie
 * @proc:	the door's proc value
 * @door_id:	the door's id
 * @arg:	the arguments (valid until the handler returns)
 * @arg_size:	their size
 * @desc:	received descriptors (new close-on-exec fds, now the
 *		handler's to keep or close)
 * @desc_num:	their number
 * @flags:	KIPC_INV_* (KIPC_INV_UNREF: an unreferenced notification)
 * @reply:	set by the handler: the reply's data (valid until the
 *		handler's thread replies, right after the handler returns)
 * @reply_size:	its size
 * @reply_desc:	descriptors to pass back
 * @reply_desc_num: their number
 * @abort:	set by the handler: fail the call with EINTR instead
 */
struct kipc_door_request {
	void *cookie;
	uint64_t proc;
	uint64_t door_id;
	void *arg;
	size_t arg_size;
	struct kipc_door_desc *desc;
	unsigned int desc_num;
	unsigned int flags;
	const void *reply;
	size_t reply_size;
	const struct kipc_door_desc *reply_desc;
	unsigned int reply_desc_num;
	int abort;
};

typedef void kipc_door_handler_t(struct kipc_door_request *req, void *arg);

/**
 * struct kipc_door_server - a server loop's configuration
 * @handler:	called for every invocation
 * @arg:	its second argument
 * @max_threads: the loop starts threads (running the same loop) when the
 *		kernel says the pool is depleted, up to this many; 0 or 1
 *		keeps to the calling thread
 * @buf_size:	size of each thread's argument buffer (default 16 KiB);
 *		larger arguments arrive in a mapping the loop unmaps
 * @door_id:	serve the private pool of this door (0: the shared pool)
 */
struct kipc_door_server {
	kipc_door_handler_t *handler;
	void *arg;
	unsigned int max_threads;
	size_t buf_size;
	uint64_t door_id;
};

int kipc_door_serve(struct kipc *k, const struct kipc_door_server *srv);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_KIPC_DOOR_H */
