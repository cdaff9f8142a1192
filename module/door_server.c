// SPDX-License-Identifier: GPL-2.0
/*
 * kipc doors: the server's side.
 *
 * A server thread is any thread of the context's process that calls
 * KIPC_IOC_DOOR_RETURN; the context keeps a struct kipc_thread for it,
 * found by thread id.  One KIPC_IOC_DOOR_RETURN replies to the invocation
 * the thread serves (if any) and waits in the thread's pool for the next
 * one; the thread's arguments are copied in its own context, from the
 * caller's pinned pages or the invocation's inline buffer.
 *
 * While it serves a call, a thread runs with its caller's scheduling
 * policy and priority if they are higher than its own (priority
 * inheritance); it gets its own back when it replies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <uapi/linux/sched/types.h>

#include "door.h"
#include "netlink.h"
#include "stats.h"

/* Raise @thr to the scheduling attributes @to, remembering its own. */
void kipc_thread_boost(struct kipc_thread *thr, const struct kipc_sched *to)
{
	struct task_struct *t = thr->task;
	struct sched_attr attr = { .size = sizeof(attr) };

	if (!thr->boosted)
		kipc_sched_of(&thr->saved, t);
	if (to->policy == SCHED_FIFO || to->policy == SCHED_RR) {
		attr.sched_policy = to->policy;
		attr.sched_priority = to->rt_priority;
	} else {
		attr.sched_policy = SCHED_NORMAL;
		attr.sched_nice = to->nice;
	}
	if (!sched_setattr_nocheck(t, &attr))
		thr->boosted = true;
}

/* Give @thr its own scheduling attributes back. */
static void kipc_thread_unboost(struct kipc_thread *thr)
{
	struct sched_attr attr = { .size = sizeof(attr) };

	if (!thr->boosted)
		return;
	attr.sched_policy = thr->saved.policy;
	if (thr->saved.policy == SCHED_FIFO || thr->saved.policy == SCHED_RR)
		attr.sched_priority = thr->saved.rt_priority;
	else
		attr.sched_nice = thr->saved.nice;
	sched_setattr_nocheck(thr->task, &attr);
	thr->boosted = false;
}

static struct kipc_thread *kipc_thread_lookup(struct kipc_ctx *ctx)
{
	struct kipc_thread *thr;

	rcu_read_lock();
	thr = xa_load(&ctx->threads, current->pid);
	if (thr && thr->task != current)
		thr = NULL;
	rcu_read_unlock();
	/* Only the thread itself removes its live entry: no race. */
	return thr;
}

/*
 * Forget a server thread.  Its task is dead or its context released, so it
 * is neither in a door ioctl nor idle.  Called without ctx->lock (this may
 * drop the last reference on a door).
 */
static void kipc_thread_destroy(struct kipc_thread *thr)
{
	struct kipc_inv *inv = thr->inv;

	if (inv) {
		struct kipc_pool *pool = inv->door->pool;
		struct kipc_door *door = inv->door;

		/* Its server thread is gone: the call fails as interrupted. */
		spin_lock(&pool->lock);
		if (inv->state == KIPC_INV_RUNNING)
			kipc_inv_complete(inv, -EINTR);
		thr->inv = NULL;
		spin_unlock(&pool->lock);
		if (inv->unref) {
			kipc_door_unref_done(door);
			kipc_door_put(door);
		}
		kipc_inv_put(inv);
	}
	spin_lock(&thr->pool->lock);
	thr->pool->nr_threads--;
	spin_unlock(&thr->pool->lock);
	if (thr->boosted && pid_alive(thr->task))
		kipc_thread_unboost(thr);
	if (thr->bound)
		kipc_door_put(thr->bound);
	put_task_struct(thr->task);
	kfree_rcu(thr, rcu);
}

/*
 * The calling thread's entry, created on first use.  Entries of threads
 * that have exited are reclaimed here, when a new thread comes (a thread
 * that exits while serving a call makes that call fail with EINTR).
 */
static struct kipc_thread *kipc_thread_get(struct kipc_ctx *ctx)
{
	struct kipc_thread *thr, *old;
	LIST_HEAD(stale);
	unsigned long idx;
	int ret;

	thr = kipc_thread_lookup(ctx);
	if (thr)
		return thr;
	if (!kipc_ctx_is_owner(ctx))
		return ERR_PTR(-EPERM);

	thr = kzalloc(sizeof(*thr), GFP_KERNEL_ACCOUNT);
	if (!thr)
		return ERR_PTR(-ENOMEM);
	get_task_struct(current);
	thr->task = current;
	thr->ctx = ctx;
	thr->pool = &ctx->pool;
	thr->spin = true;
	init_waitqueue_head(&thr->wait);
	INIT_LIST_HEAD(&thr->idle_node);

	mutex_lock(&ctx->lock);
	xa_for_each(&ctx->threads, idx, old) {
		if (pid_alive(old->task) && old->task != current)
			continue;
		xa_erase(&ctx->threads, idx);
		list_add(&old->idle_node, &stale);
	}
	ret = xa_err(xa_store(&ctx->threads, current->pid, thr,
			      GFP_KERNEL_ACCOUNT));
	if (!ret) {
		spin_lock(&ctx->pool.lock);
		ctx->pool.nr_threads++;
		spin_unlock(&ctx->pool.lock);
	}
	mutex_unlock(&ctx->lock);

	while ((old = list_first_entry_or_null(&stale, struct kipc_thread,
					       idle_node))) {
		list_del_init(&old->idle_node);
		kipc_thread_destroy(old);
	}
	if (ret) {
		put_task_struct(current);
		kfree(thr);
		return ERR_PTR(ret);
	}
	return thr;
}

/* Move @thr to the pool of @door (a private door), or back to the shared. */
static int kipc_thread_set_pool(struct kipc_thread *thr,
				struct kipc_door *door)
{
	struct kipc_pool *pool = door ? door->pool : &thr->ctx->pool;

	spin_lock(&pool->lock);
	if (pool->dead) {
		spin_unlock(&pool->lock);
		return -EBADF;
	}
	pool->nr_threads++;
	spin_unlock(&pool->lock);

	spin_lock(&thr->pool->lock);
	thr->pool->nr_threads--;
	spin_unlock(&thr->pool->lock);

	if (door)
		kipc_door_get(door);
	if (thr->bound)
		kipc_door_put(thr->bound);
	thr->bound = door;
	thr->pool = pool;
	return 0;
}

/* The door of @ctx with this id, with a reference, or NULL. */
static struct kipc_door *kipc_ctx_find_door(struct kipc_ctx *ctx, u64 id)
{
	struct kipc_door *door;

	mutex_lock(&ctx->lock);
	list_for_each_entry(door, &ctx->doors, ctx_node) {
		if (door->id == id && kref_get_unless_zero(&door->ref)) {
			mutex_unlock(&ctx->lock);
			return door;
		}
	}
	mutex_unlock(&ctx->lock);
	return NULL;
}

/*
 * Bind the calling thread to the private pool of one of the context's
 * doors, given by id: a thread of the server's own, so the id is all that
 * is needed, and a private pool can be fed without holding a descriptor of
 * its door open (which would keep the door alive).
 */
long kipc_door_bind(struct kipc_ctx *ctx, u64 __user *uid)
{
	struct kipc_thread *thr;
	struct kipc_door *door;
	long ret;
	u64 id;

	if (get_user(id, uid))
		return -EFAULT;
	if (!kipc_ctx_is_owner(ctx))
		return -EPERM;
	door = kipc_ctx_find_door(ctx, id);
	if (!door)
		return -EBADF;
	ret = -EINVAL;
	if (!(door->attributes & KIPC_DOOR_PRIVATE))
		goto out;
	ret = -EBADF;
	if (READ_ONCE(door->revoked))
		goto out;
	thr = kipc_thread_get(ctx);
	ret = PTR_ERR(thr);
	if (IS_ERR(thr))
		goto out;
	ret = thr->bound == door ? 0 : kipc_thread_set_pool(thr, door);
out:
	kipc_door_put(door);
	return ret;
}

long kipc_door_unbind(struct kipc_ctx *ctx)
{
	struct kipc_thread *thr = kipc_thread_lookup(ctx);

	if (!thr || !thr->bound)
		return -EBADF;
	return kipc_thread_set_pool(thr, NULL);
}

/* The thread is done with @inv: forget it, get its priority back. */
static void kipc_thread_drop_inv(struct kipc_thread *thr,
				 struct kipc_inv *inv)
{
	struct kipc_door *door = inv->door;

	spin_lock(&door->pool->lock);
	thr->inv = NULL;
	spin_unlock(&door->pool->lock);
	kipc_thread_unboost(thr);
	if (inv->unref) {
		kipc_door_unref_done(door);
		kipc_door_put(door);
	}
	kipc_inv_put(inv);
}

/* Complete @inv with @error if it is still running. */
static void kipc_thread_fail_inv(struct kipc_thread *thr,
				 struct kipc_inv *inv, int error)
{
	struct kipc_pool *pool = inv->door->pool;

	spin_lock(&pool->lock);
	if (inv->state == KIPC_INV_RUNNING)
		kipc_inv_complete(inv, error);
	spin_unlock(&pool->lock);
	kipc_thread_drop_inv(thr, inv);
}

/*
 * Reply to the invocation @thr serves.  Errors concern the reply itself and
 * leave the invocation being served.
 */
static int kipc_door_reply(struct kipc_thread *thr,
			   const struct kipc_door_return *r)
{
	struct kipc_inv *inv = thr->inv;
	struct kipc_pool *pool = inv->door->pool;
	struct kipc_door_desc *descs = NULL;
	struct kipc_xfer res = {}, src = {};
	bool discard, in_place = false;
	size_t need;
	int ret;

	if (inv->unref) {
		/* Nobody to reply to. */
		kipc_thread_drop_inv(thr, inv);
		return 0;
	}
	if (r->flags & KIPC_RETURN_ABORT) {
		kipc_thread_fail_inv(thr, inv, -EINTR);
		return 0;
	}
	if (r->data_size > kipc_door_max_data ||
	    r->desc_num > KIPC_DOOR_DESC_LIMIT)
		return -E2BIG;

	descs = kipc_desc_copy_in(r->desc_ptr, r->desc_num);
	if (IS_ERR(descs))
		return PTR_ERR(descs);
	ret = kipc_xfer_take_files(&res, descs, r->desc_num);
	if (ret)
		goto out;
	res.size = r->data_size;
	need = kipc_xfer_need(&res);

	/*
	 * Small results go through the inline buffer (the arguments there
	 * are consumed).  Large ones that fit the caller's pinned buffer
	 * are copied straight into it from our own pages, pinned first so
	 * that the copy cannot fault while the caller waits for it.  The
	 * rest go through a kernel buffer into a new mapping of the caller.
	 */
	ret = -EFAULT;
	if (res.size <= KIPC_DOOR_INLINE) {
		if (copy_from_user(inv->inline_buf,
				   u64_to_user_ptr(r->data_ptr), res.size))
			goto out;
	} else if (inv->rbuf.pages && need <= inv->rbuf.size) {
		ret = kipc_xfer_pin(&src, r->data_ptr, res.size, false);
		if (ret)
			goto out;
		in_place = true;
	} else {
		ret = -ENOMEM;
		res.kbuf = kvmalloc(res.size, GFP_KERNEL_ACCOUNT);
		if (!res.kbuf)
			goto out;
		ret = -EFAULT;
		if (copy_from_user(res.kbuf, u64_to_user_ptr(r->data_ptr),
				   res.size))
			goto out;
	}

	/*
	 * Nothing can fail from here on: close what the server gives away
	 * before the caller can see the reply (as illumos does), so that a
	 * caller in the same process never sees both copies.
	 */
	kipc_desc_release_fds(descs, r->desc_num);

	spin_lock(&pool->lock);
	discard = inv->state == KIPC_INV_CANCELLED;
	if (!discard) {
		inv->results = res;
		memset(&res, 0, sizeof(res));
		if (in_place) {
			inv->state = KIPC_INV_COPYING;
		} else {
			inv->error = 0;
			/* Pairs with the acquire in kipc_inv_finished(). */
			smp_store_release(&inv->state, KIPC_INV_DONE);
		}
	}
	spin_unlock(&pool->lock);

	if (in_place && !discard) {
		kipc_xfer_copy_pages(&inv->rbuf, &src);
		spin_lock(&pool->lock);
		inv->in_place = true;
		inv->error = 0;
		/* Pairs with the acquire in kipc_inv_finished(). */
		smp_store_release(&inv->state, KIPC_INV_DONE);
		spin_unlock(&pool->lock);
	}
	if (!discard) {
		/* We are about to sleep: let the caller run here (WF_SYNC). */
		wake_up_interruptible_sync(&inv->wait);
	} else {
		thr->discarded = true;
	}
	kipc_thread_drop_inv(thr, inv);
	ret = 0;
out:
	kipc_xfer_release(&src, false);
	kipc_xfer_release(&res, false);
	kfree(descs);
	return ret;
}

/*
 * Hand @inv to user space through @r and @u.  Returns 0, -EAGAIN if the
 * invocation went away (cancelled, or failed for the caller) and the thread
 * must wait for another, or an error of the server's own making, with the
 * invocation given to another thread.
 */
static int kipc_door_deliver(struct kipc_thread *thr, struct kipc_inv *inv,
			     struct kipc_door_return *r,
			     struct kipc_door_return __user *u)
{
	struct kipc_door *door = inv->door;
	struct kipc_door_desc *descs = NULL;
	struct kipc_xfer *args = &inv->args;
	struct kipc_delivery d = {};
	bool cancelled;
	int ret;

	r->proc = door->proc;
	r->cookie = door->cookie;
	r->door_id = door->id;
	r->arg_desc_ptr = 0;
	r->arg_desc_num = 0;
	r->arg_map_size = 0;
	r->inv_flags = 0;
	if (inv->depleted) {
		r->inv_flags |= KIPC_INV_DEPLETED;
		if (kipc_stats_on())
			kipc_stats_inc(door_depletions);
		kipc_door_event(door, KIPC_EVENT_TYPE_POOL_DEPLETED);
	}
	if (thr->discarded)
		r->inv_flags |= KIPC_INV_DISCARDED;

	if (inv->unref) {
		r->arg_ptr = KIPC_DOOR_UNREF_DATA;
		r->arg_size = 0;
		r->inv_flags |= KIPC_INV_UNREF;
		if (copy_to_user(u, r, sizeof(*r))) {
			spin_lock(&door->pool->lock);
			thr->inv = NULL;
			spin_unlock(&door->pool->lock);
			kipc_pool_requeue(door->pool, inv);
			/* The reference taken when it was assigned to us. */
			kipc_door_put(door);
			kipc_inv_put(inv);
			return -EFAULT;
		}
		thr->discarded = false;
		return 0;
	}

	if (args->nr_files) {
		descs = kcalloc(args->nr_files, sizeof(*descs), GFP_KERNEL);
		if (!descs) {
			kipc_thread_fail_inv(thr, inv, -ENOMEM);
			return -EAGAIN;
		}
		ret = kipc_xfer_reserve_fds(args, descs);
		if (ret) {
			/* Out of descriptors: the call fails, nothing leaks. */
			kipc_thread_fail_inv(thr, inv, ret);
			kfree(descs);
			return -EAGAIN;
		}
	}
	ret = kipc_xfer_deliver(args, inv->inline_buf, descs, r->buf_ptr,
				r->buf_size, true, false, &d);
	if (ret == -EFAULT)
		goto requeue;
	if (ret) {
		/* No memory for the arguments: the call fails. */
		if (descs)
			kipc_xfer_unreserve_fds(args, descs);
		kfree(descs);
		kipc_thread_fail_inv(thr, inv, ret);
		return -EAGAIN;
	}
	r->arg_ptr = d.where;
	r->arg_size = args->size;
	r->arg_desc_ptr = d.desc_where;
	r->arg_desc_num = args->nr_files;
	r->arg_map_size = d.map_size;
	if (d.map_size)
		r->inv_flags |= KIPC_INV_MAPPED;
	if (copy_to_user(u, r, sizeof(*r))) {
		kipc_xfer_undeliver(&d);
		ret = -EFAULT;
		goto requeue;
	}

	spin_lock(&door->pool->lock);
	cancelled = inv->state == KIPC_INV_CANCELLED;
	spin_unlock(&door->pool->lock);
	if (cancelled) {
		/* Nobody waits for it any more: do not run it. */
		kipc_xfer_undeliver(&d);
		if (descs)
			kipc_xfer_unreserve_fds(args, descs);
		kfree(descs);
		kipc_thread_drop_inv(thr, inv);
		return -EAGAIN;
	}
	if (descs)
		kipc_xfer_install_fds(args, descs);
	kfree(descs);
	thr->discarded = false;
	return 0;

requeue:
	if (descs)
		kipc_xfer_unreserve_fds(args, descs);
	kfree(descs);
	spin_lock(&door->pool->lock);
	thr->inv = NULL;
	spin_unlock(&door->pool->lock);
	kipc_thread_unboost(thr);
	kipc_pool_requeue(door->pool, inv);
	kipc_inv_put(inv);
	return ret;
}

static bool kipc_thread_woken(struct kipc_thread *thr, struct kipc_pool *pool)
{
	return READ_ONCE(thr->inv) || READ_ONCE(pool->dead);
}

/*
 * Wait, idle, for a caller to hand @thr an invocation.  When the last call
 * came quickly after the thread went idle, busy-wait for the next one
 * first: a caller then finds the thread awake, and neither side sleeps.
 * How quickly this call comes decides for the next wait.
 */
static int kipc_door_idle(struct kipc_thread *thr, struct kipc_pool *pool)
{
	int ret = 0;

	if (!thr->spin ||
	    !kipc_spin_until(kipc_thread_woken(thr, pool), kipc_door_spin_ns))
		ret = wait_event_interruptible(thr->wait,
					       kipc_thread_woken(thr, pool));
	spin_lock(&pool->lock);
	if (thr->inv)
		thr->spin = kipc_door_spin_ns &&
			    (s64)(thr->assigned_at - thr->idle_since) <=
			    (s64)kipc_door_spin_ns;
	spin_unlock(&pool->lock);
	return ret;
}

/* Wait in @thr's pool for an invocation and hand it to user space. */
static long kipc_door_wait(struct kipc_thread *thr, struct kipc_door_return *r,
			   struct kipc_door_return __user *u)
{
	for (;;) {
		struct kipc_pool *pool = thr->pool;
		struct kipc_inv *inv;
		bool self = true;
		int ret;

		/*
		 * Files this thread let go of (descriptors released with a
		 * reply, arguments of a dropped call) are only really closed
		 * on its way back to user space.  Go there before sleeping,
		 * rather than keep them (and doors' references) open for as
		 * long as no call comes: the caller sees EINTR, meaning the
		 * reply is out, and calls again.
		 */
		if (task_work_pending(current))
			return -EINTR;

		spin_lock(&pool->lock);
		if (pool->dead) {
			spin_unlock(&pool->lock);
			return -EBADF;
		}
		inv = kipc_pool_take(pool, thr);
		if (!inv) {
			list_add(&thr->idle_node, &pool->idle);
			pool->nr_idle++;
			thr->idle_since = local_clock();
			spin_unlock(&pool->lock);

			ret = kipc_door_idle(thr, pool);

			spin_lock(&pool->lock);
			inv = thr->inv;
			if (!inv) {
				bool dead = pool->dead;

				list_del_init(&thr->idle_node);
				pool->nr_idle--;
				spin_unlock(&pool->lock);
				if (dead)
					return -EBADF;
				if (ret)
					return -EINTR;
				continue;
			}
			/* A caller took us off the idle list. */
			self = false;
		}
		spin_unlock(&pool->lock);

		if (READ_ONCE(thr->boost_pending)) {
			if (self) {
				kipc_thread_boost(thr, &inv->sched);
				thr->boost_pending = false;
			} else {
				/* Bounded: the caller is boosting us. */
				wait_event(thr->wait,
					   !READ_ONCE(thr->boost_pending));
			}
		}

		ret = kipc_door_deliver(thr, inv, r, u);
		if (ret != -EAGAIN)
			return ret;
	}
}

long kipc_door_return(struct kipc_ctx *ctx, struct kipc_door_return __user *u)
{
	struct kipc_door_return r;
	struct kipc_thread *thr;
	int ret;

	if (copy_from_user(&r, u, sizeof(r)))
		return -EFAULT;
	if (r.flags & ~KIPC_RETURN_FLAGS ||
	    memchr_inv(r.reserved, 0, sizeof(r.reserved)))
		return -EINVAL;
	thr = kipc_thread_get(ctx);
	if (IS_ERR(thr))
		return PTR_ERR(thr);
	if (thr->inv) {
		ret = kipc_door_reply(thr, &r);
		if (ret)
			return ret;
	}
	/* An aborting thread is on its way out: it does not wait. */
	if (r.flags & KIPC_RETURN_ABORT)
		return 0;
	return kipc_door_wait(thr, &r, u);
}

long kipc_door_current(struct kipc_ctx *ctx,
		       struct kipc_door_current __user *u)
{
	struct user_namespace *ns = current_user_ns();
	struct kipc_thread *thr = kipc_thread_lookup(ctx);
	struct kipc_door_current cur;
	struct kipc_inv *inv;
	u32 __user *groups;
	u32 max;

	if (copy_from_user(&cur, u, sizeof(cur)))
		return -EFAULT;
	if (cur.reserved0 || memchr_inv(cur.reserved, 0, sizeof(cur.reserved)))
		return -EINVAL;
	if (!thr || !thr->inv)
		return -EBADF;
	inv = thr->inv;
	groups = u64_to_user_ptr(cur.groups_ptr);
	max = cur.groups_max;

	memset(&cur, 0, sizeof(cur));
	kipc_door_fill_info(inv->door, &cur.door);
	if (inv->unref) {
		cur.flags |= KIPC_CURRENT_UNREF;
	} else {
		const struct cred *cred = inv->cred;
		struct pid_namespace *pidns = task_active_pid_ns(current);
		const struct group_info *gi = cred->group_info;
		u32 i;

		cur.pid = pid_nr_ns(inv->tgid, pidns);
		cur.tid = pid_nr_ns(inv->tid, pidns);
		cur.uid = from_kuid_munged(ns, cred->uid);
		cur.euid = from_kuid_munged(ns, cred->euid);
		cur.suid = from_kuid_munged(ns, cred->suid);
		cur.gid = from_kgid_munged(ns, cred->gid);
		cur.egid = from_kgid_munged(ns, cred->egid);
		cur.sgid = from_kgid_munged(ns, cred->sgid);
		cur.ngroups = gi->ngroups;
		for (i = 0; i < gi->ngroups && i < max; i++)
			if (put_user(from_kgid_munged(ns, gi->gid[i]),
				     &groups[i]))
				return -EFAULT;
	}
	spin_lock(&inv->door->pool->lock);
	if (thr->cancelled)
		cur.flags |= KIPC_CURRENT_CANCELLED;
	spin_unlock(&inv->door->pool->lock);
	cur.groups_max = max;
	cur.groups_ptr = (u64)(uintptr_t)groups;
	return copy_to_user(u, &cur, sizeof(cur)) ? -EFAULT : 0;
}

/*
 * The server stops (@died: its context is released): its doors are revoked
 * (queued calls fail with EBADF), its pools die, so its threads'
 * door_return fails with EBADF.  Calls in progress complete.
 */
void kipc_ctx_doors_shutdown(struct kipc_ctx *ctx, bool died)
{
	struct kipc_door *door, *next;
	LIST_HEAD(doors);

	mutex_lock(&ctx->lock);
	if (ctx->dead) {
		/* Shut down already (or being shut down by another thread). */
		mutex_unlock(&ctx->lock);
		return;
	}
	ctx->dead = true;
	list_for_each_entry(door, &ctx->doors, ctx_node)
		if (kref_get_unless_zero(&door->ref))
			list_add_tail(&door->death_node, &doors);
	mutex_unlock(&ctx->lock);

	list_for_each_entry_safe(door, next, &doors, death_node) {
		list_del(&door->death_node);
		if (kipc_door_revoke(door))
			kipc_door_event(door, died ?
					KIPC_EVENT_TYPE_DOOR_SERVER_DIED :
					KIPC_EVENT_TYPE_DOOR_REVOKED);
		kipc_door_put(door);
	}
	kipc_pool_kill(&ctx->pool, -EBADF);
}

/*
 * The context's file is released: the server is gone.  It is shut down,
 * calls its threads were still serving fail with EINTR, and its threads
 * are forgotten.
 */
void kipc_ctx_doors_release(struct kipc_ctx *ctx)
{
	struct kipc_thread *thr;
	unsigned long idx;
	LIST_HEAD(threads);

	kipc_ctx_doors_shutdown(ctx, true);
	mutex_lock(&ctx->lock);
	xa_for_each(&ctx->threads, idx, thr) {
		xa_erase(&ctx->threads, idx);
		list_add(&thr->idle_node, &threads);
	}
	mutex_unlock(&ctx->lock);
	while ((thr = list_first_entry_or_null(&threads, struct kipc_thread,
					       idle_node))) {
		list_del_init(&thr->idle_node);
		kipc_thread_destroy(thr);
	}
}
