/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of the kipc module.
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/types.h>
#include <linux/kipc.h>

#define KIPC_MODULE_VERSION	"0.1.0"

/* Ioctls a context accepts after the handshake, as 1 << _IOC_NR(cmd). */
#define KIPC_CTX_IOCTLS		(1ULL << _IOC_NR(KIPC_IOC_API) | \
				 1ULL << _IOC_NR(KIPC_IOC_INFO) | \
				 KIPC_CHAN_CTX_IOCTLS)

/* The channel ioctls of a context (channel.c). */
#define KIPC_CHAN_CTX_IOCTLS	(1ULL << _IOC_NR(KIPC_IOC_CHAN_CREATE) | \
				 1ULL << _IOC_NR(KIPC_IOC_CHAN_LIMITS))

/* States of a context: see struct kipc_ctx. */
enum kipc_ctx_state {
	KIPC_CTX_NEW,		/* opened, no handshake yet */
	KIPC_CTX_HANDSHAKE,	/* a KIPC_IOC_API is answering */
	KIPC_CTX_READY,		/* handshake done; all ioctls allowed */
};

/**
 * struct kipc_ctx - one open file of /dev/kipc
 * @state:	an enum kipc_ctx_state; moves NEW -> HANDSHAKE by cmpxchg (so
 *		one handshake wins), back to NEW if its answer cannot be
 *		written, and HANDSHAKE -> READY with release semantics; read
 *		with acquire semantics, so everything set up before READY is
 *		visible to the ioctls that see READY
 * @features:	features user space asked for; written in the HANDSHAKE state
 *		only, read-only once READY
 *
 * A context belongs to the file it was opened as and lives until that file
 * is released.
 */
struct kipc_ctx {
	int state;
	u64 features;
};

extern const struct file_operations kipc_ctx_fops;

/*
 * True once the context's handshake has succeeded.  Every ioctl of a
 * context but KIPC_IOC_API checks it (after recognising its command, so that
 * unknown commands are ENOTTY) and fails with EBADFD until then.
 */
bool kipc_ctx_ready(struct kipc_ctx *ctx);

/*
 * Channel ioctls of a context: -ENOIOCTLCMD for a command that is not one
 * (channel.c).
 */
long kipc_chan_ctx_ioctl(struct kipc_ctx *ctx, unsigned int cmd,
			 void __user *uarg);

/* Contexts alive in the system, reported by KIPC_IOC_INFO. */
extern atomic_long_t kipc_nr_contexts;

#endif /* _KIPC_INTERNAL_H */
