/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of the kipc module.
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/kipc.h>

#define KIPC_MODULE_VERSION	"0.1.0"

#define KIPC_IOCTL_BIT(cmd)	(1ULL << _IOC_NR(cmd))

/* Door ioctls of a context. */
#define KIPC_DOOR_CTX_IOCTLS	(KIPC_IOCTL_BIT(KIPC_IOC_DOOR_CREATE) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_DOOR_RETURN) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_DOOR_UNBIND) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_DOOR_CURRENT) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_DOOR_ATTACH) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_DOOR_DETACH) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_DOOR_BIND) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_DOOR_SHUTDOWN))

/* Ioctls a context accepts after the handshake, as 1 << _IOC_NR(cmd). */
#define KIPC_CTX_IOCTLS		(KIPC_IOCTL_BIT(KIPC_IOC_API) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_INFO) | \
				 KIPC_DOOR_CTX_IOCTLS | \
				 KIPC_CHAN_CTX_IOCTLS)

/* The channel ioctls of a context (channel.c). */
#define KIPC_CHAN_CTX_IOCTLS	(KIPC_IOCTL_BIT(KIPC_IOC_CHAN_CREATE) | \
				 KIPC_IOCTL_BIT(KIPC_IOC_CHAN_LIMITS))

/**
 * struct kipc_pool - server threads of a door pool and calls waiting for one
 * @lock:	protects everything below, the state, server and queue
 *		membership of the invocations of this pool, and the @inv,
 *		@cancelled and @idle_node of the threads serving this pool
 * @idle:	idle threads (struct kipc_thread.idle_node), most recently
 *		idle first so that a cache-warm thread is picked
 * @pending:	invocations no thread has taken yet, oldest first
 * @nr_threads:	threads serving this pool (idle, busy, or elsewhere)
 * @nr_idle:	length of @idle
 * @dead:	no thread will serve this pool again (its context is gone,
 *		or its private door is revoked): calls fail
 *
 * A context has one, shared by its doors; a KIPC_DOOR_PRIVATE door has its
 * own.  See door.h.
 */
struct kipc_pool {
	spinlock_t lock;
	struct list_head idle;
	struct list_head pending;
	unsigned int nr_threads;
	unsigned int nr_idle;
	bool dead;
};

/* States of a context: see struct kipc_ctx. */
enum kipc_ctx_state {
	KIPC_CTX_NEW,		/* opened, no handshake yet */
	KIPC_CTX_HANDSHAKE,	/* a KIPC_IOC_API is answering */
	KIPC_CTX_READY,		/* handshake done; all ioctls allowed */
};

/**
 * struct kipc_ctx - one open file of /dev/kipc
 * @ref:	references: the file, and each door created on it
 * @state:	an enum kipc_ctx_state; moves NEW -> HANDSHAKE by cmpxchg (so
 *		one handshake wins), back to NEW if its answer cannot be
 *		written, and HANDSHAKE -> READY with release semantics; read
 *		with acquire semantics, so everything set up before READY is
 *		visible to the ioctls that see READY
 * @features:	features user space asked for; written in the HANDSHAKE state
 *		only, read-only once READY
 * @owner:	the process that opened the file (a reference); constant.  It
 *		alone may create doors and serve calls on the context: a
 *		child that inherited the file is a client only
 * @lock:	protects @doors and @dead, and serialises adding and removing
 *		server threads
 * @doors:	doors created on this context (struct kipc_door.ctx_node)
 * @dead:	the server is gone (the file is released, or it shut down):
 *		no door can be created, every door is revoked
 * @pool:	the pool shared by the context's doors that are not private
 * @threads:	server threads (struct kipc_thread) by thread id
 *
 * A context is the server side of doors for its process.  It lives until
 * its file is released and the last of its doors is gone.
 */
struct kipc_ctx {
	struct kref ref;
	int state;
	u64 features;
	struct pid *owner;
	struct mutex lock;
	struct list_head doors;
	bool dead;
	struct kipc_pool pool;
	struct xarray threads;
};

extern const struct file_operations kipc_ctx_fops;

/*
 * True once the context's handshake has succeeded.  Every ioctl of a
 * context but KIPC_IOC_API checks it (after recognising its command, so that
 * unknown commands are ENOTTY) and fails with EBADFD until then.
 */
bool kipc_ctx_ready(struct kipc_ctx *ctx);
void kipc_ctx_get(struct kipc_ctx *ctx);
void kipc_ctx_put(struct kipc_ctx *ctx);
bool kipc_ctx_is_owner(struct kipc_ctx *ctx);

long kipc_door_ctx_ioctl(struct kipc_ctx *ctx, unsigned int cmd,
			 void __user *uarg);

/*
 * Channel ioctls of a context: -ENOIOCTLCMD for a command that is not one
 * (channel.c).
 */
long kipc_chan_ctx_ioctl(struct kipc_ctx *ctx, unsigned int cmd,
			 void __user *uarg);

/* Contexts alive in the system, reported by KIPC_IOC_INFO. */
extern atomic_long_t kipc_nr_contexts;

#endif /* _KIPC_INTERNAL_H */
