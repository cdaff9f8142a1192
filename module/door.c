// SPDX-License-Identifier: GPL-2.0
/*
 * kipc doors: door objects, their files and their ioctls.
 *
 * A door is created on its server's context and handed out as files.  The
 * files door_create() returns are the owner's handles; every other file of
 * the door (received in a call or reply, opened by name, reopened through
 * /proc) and every name attachment is an external reference.  When the
 * last external reference goes, a door with KIPC_DOOR_UNREF or
 * KIPC_DOOR_UNREF_MULTI is due an unreferenced notification: a special
 * invocation served by a thread of the door's pool once the invocations in
 * progress have drained, never in the context of whoever dropped the
 * reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "door.h"

unsigned long kipc_door_max_data = 16UL << 20;
module_param_named(door_max_data, kipc_door_max_data, ulong, 0644);
MODULE_PARM_DESC(door_max_data,
		 "Largest argument or result of a door call in bytes (default 16 MiB)");

unsigned long kipc_door_spin_ns = 50000;
module_param_named(door_spin_ns, kipc_door_spin_ns, ulong, 0644);
MODULE_PARM_DESC(door_spin_ns,
		 "Nanoseconds a caller busy-waits for a running server thread's reply, and an idle server thread for a call, before sleeping (default 50000; 0: never)");

static atomic64_t kipc_door_last_id = ATOMIC64_INIT(0);

static const struct file_operations kipc_door_owner_fops;

bool kipc_is_door_file(struct file *file)
{
	return file->f_op == &kipc_door_fops ||
	       file->f_op == &kipc_door_owner_fops;
}

struct kipc_door *kipc_door_from_file(struct file *file)
{
	return kipc_is_door_file(file) ? file->private_data : NULL;
}

void kipc_door_get(struct kipc_door *door)
{
	kref_get(&door->ref);
}

static void kipc_door_free(struct kref *ref)
{
	struct kipc_door *door = container_of(ref, struct kipc_door, ref);
	struct kipc_ctx *ctx = door->ctx;

	mutex_lock(&ctx->lock);
	list_del(&door->ctx_node);
	mutex_unlock(&ctx->lock);

	if (door->unref_inv)
		kipc_inv_put(door->unref_inv);
	free_percpu(door->stats);
	if (door->inode) {
		kipc_doorfs_forget(door);
		iput(door->inode);
	}
	kfree(door);
	kipc_ctx_put(ctx);
}

void kipc_door_put(struct kipc_door *door)
{
	might_sleep();
	kref_put(&door->ref, kipc_door_free);
}

/* The door's attributes as @t sees them. */
u32 kipc_door_attributes_for(struct kipc_door *door, struct task_struct *t)
{
	u32 attrs = door->attributes;

	spin_lock(&door->lock);
	if (door->revoked)
		attrs |= KIPC_DOOR_REVOKED;
	if (door->attributes & (KIPC_DOOR_UNREF | KIPC_DOOR_UNREF_MULTI) &&
	    !door->ext_refs)
		attrs |= KIPC_DOOR_IS_UNREF;
	spin_unlock(&door->lock);
	if (task_tgid(t) == door->ctx->owner)
		attrs |= KIPC_DOOR_LOCAL;
	return attrs;
}

void kipc_door_fill_info(struct kipc_door *door, struct kipc_door_info *info)
{
	u32 attrs = kipc_door_attributes_for(door, current);

	memset(info, 0, sizeof(*info));
	info->attributes = attrs;
	info->target = attrs & KIPC_DOOR_REVOKED ? -1 :
		       pid_vnr(door->ctx->owner);
	/* User addresses of the server are none of a client's business. */
	if (attrs & KIPC_DOOR_LOCAL) {
		info->proc = door->proc;
		info->cookie = door->cookie;
	}
	info->id = door->id;
}

/*
 * Queue the unreferenced notification.  The door's unref_state is QUEUED;
 * if the pool refuses it (revoked meanwhile), nothing is delivered.
 */
static void kipc_door_queue_unref(struct kipc_door *door)
{
	struct kipc_inv *inv = door->unref_inv;

	kipc_inv_reset_unref(inv);
	if (kipc_pool_submit(door->pool, inv, false, NULL)) {
		spin_lock(&door->lock);
		door->unref_state = KIPC_UNREF_NONE;
		spin_unlock(&door->lock);
	}
}

/* Under door->lock: does the door want a notification now? */
static bool kipc_door_unref_due(struct kipc_door *door)
{
	lockdep_assert_held(&door->lock);
	return door->attributes & (KIPC_DOOR_UNREF | KIPC_DOOR_UNREF_MULTI) &&
	       !door->revoked && !door->ext_refs &&
	       door->unref_state == KIPC_UNREF_NONE;
}

/* Under door->lock: wait for calls to drain, or queue the notification. */
static bool kipc_door_unref_schedule(struct kipc_door *door)
{
	if (atomic_read(&door->active)) {
		door->unref_state = KIPC_UNREF_PENDING;
		return false;
	}
	door->unref_state = KIPC_UNREF_QUEUED;
	return true;
}

void kipc_door_ext_ref(struct kipc_door *door)
{
	spin_lock(&door->lock);
	door->ext_refs++;
	/* Referenced again before the notification went out: no need. */
	if (door->unref_state == KIPC_UNREF_PENDING)
		door->unref_state = KIPC_UNREF_NONE;
	else if (door->unref_state == KIPC_UNREF_QUEUED)
		door->unref_again = true;
	spin_unlock(&door->lock);
}

void kipc_door_ext_unref(struct kipc_door *door)
{
	bool queue = false;

	spin_lock(&door->lock);
	if (!WARN_ON(!door->ext_refs))
		door->ext_refs--;
	if (kipc_door_unref_due(door))
		queue = kipc_door_unref_schedule(door);
	spin_unlock(&door->lock);
	if (queue)
		kipc_door_queue_unref(door);
}

/* An invocation of @door is released: the door may have drained. */
void kipc_door_inv_done(struct kipc_door *door)
{
	bool queue = false;

	if (!atomic_dec_and_test(&door->active))
		return;
	spin_lock(&door->lock);
	if (door->unref_state == KIPC_UNREF_PENDING && !door->revoked) {
		door->unref_state = KIPC_UNREF_QUEUED;
		queue = true;
	}
	spin_unlock(&door->lock);
	if (queue)
		kipc_door_queue_unref(door);
}

/* A server thread has finished serving the unreferenced notification. */
void kipc_door_unref_done(struct kipc_door *door)
{
	bool queue = false;

	spin_lock(&door->lock);
	if (door->attributes & KIPC_DOOR_UNREF) {
		door->unref_state = KIPC_UNREF_DONE;
	} else {
		door->unref_state = KIPC_UNREF_NONE;
		/* Referenced and unreferenced again meanwhile: once more. */
		if (door->unref_again && kipc_door_unref_due(door))
			queue = kipc_door_unref_schedule(door);
	}
	door->unref_again = false;
	spin_unlock(&door->lock);
	if (queue)
		kipc_door_queue_unref(door);
}

/*
 * Revoke @door: later calls fail with EBADF, so do the queued ones; calls
 * in progress complete.  Its names are detached.  Returns false if it was
 * revoked already.
 */
bool kipc_door_revoke(struct kipc_door *door)
{
	spin_lock(&door->lock);
	if (door->revoked) {
		spin_unlock(&door->lock);
		return false;
	}
	spin_lock(&door->pool->lock);
	door->revoked = true;
	spin_unlock(&door->pool->lock);
	if (door->unref_state == KIPC_UNREF_PENDING)
		door->unref_state = KIPC_UNREF_NONE;
	spin_unlock(&door->lock);

	if (door->pool == &door->private_pool)
		kipc_pool_kill(door->pool, -EBADF);
	else
		kipc_pool_fail_door(door->pool, door, -EBADF);
	wake_up_interruptible_poll(&door->poll_wait, EPOLLHUP);
	kipc_door_detach_names(door);
	return true;
}

static long kipc_door_info_ioctl(struct kipc_door *door,
				 struct kipc_door_info __user *u)
{
	struct kipc_door_info info;

	kipc_door_fill_info(door, &info);
	return copy_to_user(u, &info, sizeof(info)) ? -EFAULT : 0;
}

static long kipc_door_revoke_ioctl(struct kipc_door *door)
{
	if (!kipc_ctx_is_owner(door->ctx))
		return -EPERM;
	return kipc_door_revoke(door) ? 0 : -EBADF;
}

static long kipc_door_getparam(struct kipc_door *door,
			       struct kipc_door_param __user *u)
{
	struct kipc_door_param p;

	if (copy_from_user(&p, u, sizeof(p)))
		return -EFAULT;
	if (p.reserved0)
		return -EINVAL;
	spin_lock(&door->lock);
	switch (p.param) {
	case KIPC_DOOR_PARAM_DESC_MAX:
		p.value = door->desc_max;
		break;
	case KIPC_DOOR_PARAM_DATA_MAX:
		p.value = door->data_max;
		break;
	case KIPC_DOOR_PARAM_DATA_MIN:
		p.value = door->data_min;
		break;
	default:
		spin_unlock(&door->lock);
		return -EINVAL;
	}
	spin_unlock(&door->lock);
	return copy_to_user(u, &p, sizeof(p)) ? -EFAULT : 0;
}

static long kipc_door_setparam(struct kipc_door *door,
			       struct kipc_door_param __user *u)
{
	struct kipc_door_param p;
	long ret = 0;

	if (copy_from_user(&p, u, sizeof(p)))
		return -EFAULT;
	if (p.reserved0)
		return -EINVAL;
	if (p.param < KIPC_DOOR_PARAM_DESC_MAX ||
	    p.param > KIPC_DOOR_PARAM_DATA_MIN)
		return -EINVAL;
	if (!kipc_ctx_is_owner(door->ctx))
		return -EPERM;

	spin_lock(&door->lock);
	if (door->revoked) {
		ret = -EBADF;
	} else if (p.param == KIPC_DOOR_PARAM_DESC_MAX) {
		if (door->attributes & KIPC_DOOR_REFUSE_DESC && p.value)
			ret = -EOPNOTSUPP;
		else
			door->desc_max = p.value;
	} else if (p.param == KIPC_DOOR_PARAM_DATA_MAX) {
		if (p.value < door->data_min)
			ret = -EINVAL;
		else
			door->data_max = p.value;
	} else {
		if (p.value > door->data_max)
			ret = -EINVAL;
		else
			door->data_min = p.value;
	}
	spin_unlock(&door->lock);
	return ret;
}

static long kipc_door_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct kipc_door *door = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KIPC_IOC_DOOR_CALL:
		return kipc_door_call(door, uarg);
	case KIPC_IOC_DOOR_INFO:
		return kipc_door_info_ioctl(door, uarg);
	case KIPC_IOC_DOOR_REVOKE:
		return kipc_door_revoke_ioctl(door);
	case KIPC_IOC_DOOR_GETPARAM:
		return kipc_door_getparam(door, uarg);
	case KIPC_IOC_DOOR_SETPARAM:
		return kipc_door_setparam(door, uarg);
	}
	return -ENOTTY;
}

/* Readable never; hung up once the door is revoked or its server gone. */
static __poll_t kipc_door_poll(struct file *file, poll_table *wait)
{
	struct kipc_door *door = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &door->poll_wait, wait);
	spin_lock(&door->lock);
	if (door->revoked)
		mask |= EPOLLHUP;
	spin_unlock(&door->lock);
	return mask;
}

static void kipc_door_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct kipc_door *door = file->private_data;
	u32 attrs = kipc_door_attributes_for(door, current);

	seq_printf(m, "kipc-door-id:\t%llu\n", door->id);
	seq_printf(m, "kipc-door-attributes:\t%#x\n", attrs);
	seq_printf(m, "kipc-door-owner:\t%s\n",
		   file->f_op == &kipc_door_owner_fops ? "yes" : "no");
	seq_printf(m, "kipc-door-server:\t%d\n",
		   attrs & KIPC_DOOR_REVOKED ? -1 : pid_vnr(door->ctx->owner));
	seq_printf(m, "kipc-door-active:\t%d\n", atomic_read(&door->active));
}

/* The owner's handle: its close does not count for unreferenced. */
static int kipc_door_owner_release(struct inode *inode, struct file *file)
{
	kipc_door_put(file->private_data);
	return 0;
}

static int kipc_door_release(struct inode *inode, struct file *file)
{
	struct kipc_door *door = file->private_data;

	kipc_door_ext_unref(door);
	kipc_door_put(door);
	return 0;
}

/* Opening a door by a name (kipcfs) or through /proc/PID/fd. */
static int kipc_door_open(struct inode *inode, struct file *file)
{
	struct kipc_door *door = kipc_doorfs_door_of(inode);

	if (!door)
		return -ENOENT;
	file->private_data = door;
	kipc_door_ext_ref(door);
	return 0;
}

#define KIPC_DOOR_FOPS(release_fn)				\
	.owner		= THIS_MODULE,				\
	.open		= kipc_door_open,			\
	.release	= release_fn,				\
	.unlocked_ioctl	= kipc_door_ioctl,			\
	.compat_ioctl	= compat_ptr_ioctl,			\
	.poll		= kipc_door_poll,			\
	.show_fdinfo	= kipc_door_show_fdinfo,		\
	.llseek		= noop_llseek

const struct file_operations kipc_door_fops = {
	KIPC_DOOR_FOPS(kipc_door_release),
};

static const struct file_operations kipc_door_owner_fops = {
	KIPC_DOOR_FOPS(kipc_door_owner_release),
};

/**
 * kipc_door_new_file - a new file of @door
 * @door: the door
 * @owner: an owner's handle (from door_create) rather than an external
 *	   reference
 *
 * Return: the file, which holds a reference on the door, or an ERR_PTR.
 */
struct file *kipc_door_new_file(struct kipc_door *door, bool owner)
{
	struct file *file;

	file = kipc_doorfs_new_file(door, owner ? &kipc_door_owner_fops :
						  &kipc_door_fops);
	if (IS_ERR(file))
		return file;
	file->private_data = door;
	kipc_door_get(door);
	if (!owner)
		kipc_door_ext_ref(door);
	return file;
}

long kipc_door_create(struct kipc_ctx *ctx, struct kipc_door_create __user *u)
{
	struct kipc_door_create c;
	struct kipc_door *door;
	struct file *file;
	long ret;
	int fd;

	if (copy_from_user(&c, u, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.id || memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	if (c.attributes & ~KIPC_DOOR_CREATE_MASK)
		return -EINVAL;
	if ((c.attributes & KIPC_DOOR_UNREF) &&
	    (c.attributes & KIPC_DOOR_UNREF_MULTI))
		return -EINVAL;
	if (!kipc_ctx_is_owner(ctx))
		return -EPERM;

	door = kzalloc(sizeof(*door), GFP_KERNEL_ACCOUNT);
	if (!door)
		return -ENOMEM;
	kref_init(&door->ref);
	kipc_ctx_get(ctx);
	door->ctx = ctx;
	door->id = atomic64_inc_return(&kipc_door_last_id);
	door->proc = c.proc;
	door->cookie = c.cookie;
	door->attributes = c.attributes;
	spin_lock_init(&door->lock);
	INIT_LIST_HEAD(&door->names);
	INIT_LIST_HEAD(&door->ctx_node);
	init_waitqueue_head(&door->poll_wait);
	door->data_min = 0;
	door->data_max = KIPC_DOOR_PARAM_UNLIMITED;
	door->desc_max = c.attributes & KIPC_DOOR_REFUSE_DESC ?
			 0 : KIPC_DOOR_PARAM_UNLIMITED;
	kipc_pool_init(&door->private_pool);
	door->pool = c.attributes & KIPC_DOOR_PRIVATE ?
		     &door->private_pool : &ctx->pool;

	mutex_lock(&ctx->lock);
	if (ctx->dead) {
		mutex_unlock(&ctx->lock);
		kipc_ctx_put(ctx);
		kfree(door);
		return -EBADF;
	}
	list_add_tail(&door->ctx_node, &ctx->doors);
	mutex_unlock(&ctx->lock);

	/* From here on, kipc_door_put() undoes everything. */
	ret = -ENOMEM;
	door->stats = alloc_percpu_gfp(struct kipc_door_stats,
				       GFP_KERNEL_ACCOUNT);
	if (!door->stats)
		goto out_put;
	if (c.attributes & (KIPC_DOOR_UNREF | KIPC_DOOR_UNREF_MULTI)) {
		door->unref_inv = kipc_inv_alloc_unref(door);
		if (!door->unref_inv)
			goto out_put;
	}
	door->inode = kipc_doorfs_new_inode(door);
	if (IS_ERR(door->inode)) {
		ret = PTR_ERR(door->inode);
		door->inode = NULL;
		goto out_put;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	file = kipc_door_new_file(door, true);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_fd;
	}
	c.id = door->id;
	if (copy_to_user(u, &c, sizeof(c))) {
		ret = -EFAULT;
		fput(file);
		goto out_fd;
	}
	fd_install(fd, file);
	kipc_door_put(door);
	return fd;

out_fd:
	put_unused_fd(fd);
out_put:
	kipc_door_put(door);
	return ret;
}

long kipc_door_ctx_ioctl(struct kipc_ctx *ctx, unsigned int cmd,
			 void __user *uarg)
{
	switch (cmd) {
	case KIPC_IOC_DOOR_CREATE:
	case KIPC_IOC_DOOR_RETURN:
	case KIPC_IOC_DOOR_UNBIND:
	case KIPC_IOC_DOOR_CURRENT:
	case KIPC_IOC_DOOR_ATTACH:
	case KIPC_IOC_DOOR_DETACH:
	case KIPC_IOC_DOOR_BIND:
	case KIPC_IOC_DOOR_SHUTDOWN:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	if (!kipc_ctx_ready(ctx))
		return -EBADFD;

	switch (cmd) {
	case KIPC_IOC_DOOR_CREATE:
		return kipc_door_create(ctx, uarg);
	case KIPC_IOC_DOOR_RETURN:
		return kipc_door_return(ctx, uarg);
	case KIPC_IOC_DOOR_UNBIND:
		return kipc_door_unbind(ctx);
	case KIPC_IOC_DOOR_CURRENT:
		return kipc_door_current(ctx, uarg);
	case KIPC_IOC_DOOR_ATTACH:
		return kipc_door_attach(ctx, uarg, true);
	case KIPC_IOC_DOOR_DETACH:
		return kipc_door_attach(ctx, uarg, false);
	case KIPC_IOC_DOOR_BIND:
		return kipc_door_bind(ctx, uarg);
	default:
		if (!kipc_ctx_is_owner(ctx))
			return -EPERM;
		kipc_ctx_doors_shutdown(ctx);
		return 0;
	}
}
