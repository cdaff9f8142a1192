// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: the context behind each open file of /dev/kipc and its handshake.
 *
 * Opening /dev/kipc gives a context.  User space first states the API version
 * it speaks and the features it needs (KIPC_IOC_API, modelled on userfaultfd's
 * UFFDIO_API); every other ioctl fails with EBADFD until that has succeeded,
 * so a program built against a newer header cannot silently misuse an older
 * module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "door.h"

atomic_long_t kipc_nr_contexts = ATOMIC_LONG_INIT(0);

static int kipc_ctx_open(struct inode *inode, struct file *file)
{
	struct kipc_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	kref_init(&ctx->ref);
	ctx->owner = get_pid(task_tgid(current));
	mutex_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->doors);
	kipc_pool_init(&ctx->pool);
	xa_init(&ctx->threads);
	/* misc_open() left the miscdevice here; the context replaces it. */
	file->private_data = ctx;
	atomic_long_inc(&kipc_nr_contexts);
	return 0;
}

static void kipc_ctx_free(struct kref *ref)
{
	struct kipc_ctx *ctx = container_of(ref, struct kipc_ctx, ref);

	WARN_ON(!list_empty(&ctx->doors));
	WARN_ON(!xa_empty(&ctx->threads));
	xa_destroy(&ctx->threads);
	put_pid(ctx->owner);
	kfree(ctx);
}

void kipc_ctx_get(struct kipc_ctx *ctx)
{
	kref_get(&ctx->ref);
}

void kipc_ctx_put(struct kipc_ctx *ctx)
{
	kref_put(&ctx->ref, kipc_ctx_free);
}

bool kipc_ctx_is_owner(struct kipc_ctx *ctx)
{
	return task_tgid(current) == ctx->owner;
}

static int kipc_ctx_release(struct inode *inode, struct file *file)
{
	struct kipc_ctx *ctx = file->private_data;

	/* The server is gone: its doors are revoked, its calls fail. */
	kipc_ctx_doors_release(ctx);
	atomic_long_dec(&kipc_nr_contexts);
	kipc_ctx_put(ctx);
	return 0;
}

bool kipc_ctx_ready(struct kipc_ctx *ctx)
{
	/* Pairs with the release in kipc_ctx_api(). */
	return smp_load_acquire(&ctx->state) == KIPC_CTX_READY;
}

static long kipc_ctx_api(struct kipc_ctx *ctx, struct kipc_api __user *uarg)
{
	struct kipc_api api;
	u64 wanted;

	if (copy_from_user(&api, uarg, sizeof(api)))
		return -EFAULT;
	if (api.api != KIPC_API || api.flags ||
	    memchr_inv(api.reserved, 0, sizeof(api.reserved)))
		return -EINVAL;
	if (api.features & ~KIPC_FEATURES)
		return -EINVAL;
	wanted = api.features;

	/* Of two racing handshakes, only one gets past this point. */
	if (cmpxchg(&ctx->state, KIPC_CTX_NEW, KIPC_CTX_HANDSHAKE) !=
	    KIPC_CTX_NEW)
		return -EINVAL;

	memset(&api, 0, sizeof(api));
	api.api = KIPC_API;
	api.features = KIPC_FEATURES;
	api.ioctls = KIPC_CTX_IOCTLS;
	if (copy_to_user(uarg, &api, sizeof(api))) {
		/* A handshake whose answer was lost has not happened. */
		WRITE_ONCE(ctx->state, KIPC_CTX_NEW);
		return -EFAULT;
	}

	ctx->features = wanted;
	/* Publishes @features; pairs with the acquire in kipc_ctx_ready(). */
	smp_store_release(&ctx->state, KIPC_CTX_READY);
	return 0;
}

static long kipc_ctx_info(struct kipc_ctx *ctx, struct kipc_info __user *uarg)
{
	struct kipc_info info;

	memset(&info, 0, sizeof(info));
	info.api = KIPC_API;
	info.features = KIPC_FEATURES;
	info.contexts = atomic_long_read(&kipc_nr_contexts);
	strscpy(info.version, KIPC_MODULE_VERSION, sizeof(info.version));
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long kipc_ctx_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct kipc_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	switch (cmd) {
	case KIPC_IOC_API:
		return kipc_ctx_api(ctx, uarg);
	case KIPC_IOC_INFO:
		if (!kipc_ctx_ready(ctx))
			return -EBADFD;
		return kipc_ctx_info(ctx, uarg);
	}
	ret = kipc_door_ctx_ioctl(ctx, cmd, uarg);
	if (ret != -ENOIOCTLCMD)
		return ret;
	ret = kipc_chan_ctx_ioctl(ctx, cmd, uarg);
	if (ret != -ENOIOCTLCMD)
		return ret;
	return -ENOTTY;
}

const struct file_operations kipc_ctx_fops = {
	.owner		= THIS_MODULE,
	.open		= kipc_ctx_open,
	.release	= kipc_ctx_release,
	.unlocked_ioctl	= kipc_ctx_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};
