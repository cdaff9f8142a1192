// SPDX-License-Identifier: GPL-2.0
/*
 * kipc doors: pools of server threads, and the invocations they serve.
 *
 * A call becomes an invocation.  Submitting it hands it straight to the
 * most recently idle thread of the door's pool when there is one (one lock
 * round trip, then a synchronous wakeup so that the server thread runs on
 * the caller's CPU while the caller sleeps), or queues it until a thread
 * comes back for more work.  All state changes of an invocation happen under
 * its pool's lock; nothing on this path is global.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "door.h"
#include "stats.h"

static struct kmem_cache *kipc_inv_cache;

int kipc_door_cache_init(void)
{
	/* Only the inline buffer is ever copied to or from user space. */
	kipc_inv_cache = KMEM_CACHE_USERCOPY(kipc_inv, SLAB_ACCOUNT,
					     inline_buf);
	return kipc_inv_cache ? 0 : -ENOMEM;
}

void kipc_door_cache_exit(void)
{
	kmem_cache_destroy(kipc_inv_cache);
}

void kipc_pool_init(struct kipc_pool *pool)
{
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->idle);
	INIT_LIST_HEAD(&pool->pending);
	pool->nr_threads = 0;
	pool->nr_idle = 0;
	pool->dead = false;
}

void kipc_sched_of(struct kipc_sched *s, struct task_struct *t)
{
	s->prio = READ_ONCE(t->prio);
	s->policy = READ_ONCE(t->policy);
	s->rt_priority = READ_ONCE(t->rt_priority);
	s->nice = task_nice(t);
}

static void kipc_inv_init(struct kipc_inv *inv, struct kipc_door *door)
{
	refcount_set(&inv->ref, 1);
	inv->state = KIPC_INV_PENDING;
	inv->error = 0;
	inv->depleted = false;
	inv->door = door;
	INIT_LIST_HEAD(&inv->node);
	inv->server = NULL;
	init_waitqueue_head(&inv->wait);
	memset(&inv->args, 0, sizeof(inv->args));
	memset(&inv->results, 0, sizeof(inv->results));
	memset(&inv->rbuf, 0, sizeof(inv->rbuf));
	inv->in_place = false;
	inv->submitted = 0;
}

/*
 * An invocation of @door by the current thread.  It holds a reference on
 * the door, counts as one of the door's active invocations until released,
 * and records who the caller is for the server.
 */
struct kipc_inv *kipc_inv_alloc(struct kipc_door *door)
{
	struct kipc_inv *inv;

	inv = kmem_cache_alloc(kipc_inv_cache, GFP_KERNEL);
	if (!inv)
		return NULL;
	kipc_inv_init(inv, door);
	inv->unref = false;
	kipc_door_get(door);
	atomic_inc(&door->active);
	inv->cred = get_current_cred();
	inv->tgid = get_pid(task_tgid(current));
	inv->tid = get_pid(task_pid(current));
	kipc_sched_of(&inv->sched, current);
	return inv;
}

/*
 * The unreferenced notification of @door: allocated with the door, owned
 * by it (it holds no reference on the door, which would be a cycle) and
 * reused for every delivery.
 */
struct kipc_inv *kipc_inv_alloc_unref(struct kipc_door *door)
{
	struct kipc_inv *inv;

	inv = kmem_cache_alloc(kipc_inv_cache, GFP_KERNEL);
	if (!inv)
		return NULL;
	kipc_inv_init(inv, door);
	inv->unref = true;
	inv->cred = NULL;
	inv->tgid = NULL;
	inv->tid = NULL;
	memset(&inv->sched, 0, sizeof(inv->sched));
	return inv;
}

/* Make the unreferenced notification ready to be queued again. */
void kipc_inv_reset_unref(struct kipc_inv *inv)
{
	inv->state = KIPC_INV_PENDING;
	inv->error = 0;
	inv->server = NULL;
}

static void kipc_inv_release(struct kipc_inv *inv)
{
	struct kipc_door *door = inv->door;
	bool unref = inv->unref;

	kipc_xfer_release(&inv->args, false);
	kipc_xfer_release(&inv->results, false);
	kipc_xfer_release(&inv->rbuf, true);
	if (inv->cred)
		put_cred(inv->cred);
	put_pid(inv->tgid);
	put_pid(inv->tid);
	kmem_cache_free(kipc_inv_cache, inv);
	if (!unref) {
		kipc_door_inv_done(door);
		kipc_door_put(door);
	}
}

void kipc_inv_put(struct kipc_inv *inv)
{
	if (refcount_dec_and_test(&inv->ref))
		kipc_inv_release(inv);
}

/*
 * Complete @inv with @error (0 for results) and wake its caller.  Called
 * under the pool's lock, with the results, if any, in place.
 */
void kipc_inv_complete(struct kipc_inv *inv, int error)
{
	inv->error = error;
	/* Pairs with the acquire in kipc_inv_finished(). */
	smp_store_release(&inv->state, KIPC_INV_DONE);
	if (!inv->unref)
		wake_up_interruptible(&inv->wait);
}

/* Hand @inv to @thr.  The caller of this wakes @thr after the unlock. */
static void kipc_pool_assign(struct kipc_pool *pool, struct kipc_thread *thr,
			     struct kipc_inv *inv)
{
	lockdep_assert_held(&pool->lock);
	refcount_inc(&inv->ref);
	/* The notification holds no reference on its door; its server does. */
	if (inv->unref)
		kipc_door_get(inv->door);
	inv->state = KIPC_INV_RUNNING;
	inv->server = thr;
	inv->depleted = pool->nr_idle == 0;
	thr->cancelled = false;
	WRITE_ONCE(thr->inv, inv);
}

/*
 * Whether @thr must take the priority of the caller of @inv.  Deadline
 * callers are not inherited from: their parameters are a reservation, not
 * a priority.
 */
static bool kipc_pool_must_boost(struct kipc_thread *thr, struct kipc_inv *inv)
{
	if (inv->unref || inv->door->attributes & KIPC_DOOR_NO_PRIO_INHERIT ||
	    inv->sched.policy == SCHED_DEADLINE)
		return false;
	return inv->sched.prio < READ_ONCE(thr->task->normal_prio);
}

/**
 * __kipc_pool_submit - start an invocation
 * @pool: the door's pool
 * @inv: the invocation
 * @nonblock: fail with -EAGAIN rather than queue when no thread is idle
 * @requeue: @inv was taken by a thread that let go of it: first in line
 * @server: if not NULL, the caller may busy-wait for the reply: set to the
 *	    server thread's task (a reference) when one took @inv
 *
 * Return: 0 when @inv was handed to a thread or queued, -EBADF when the
 * door is revoked or its server gone, -EAGAIN as above.
 */
static int __kipc_pool_submit(struct kipc_pool *pool, struct kipc_inv *inv,
			      bool nonblock, bool requeue,
			      struct task_struct **server)
{
	struct kipc_thread *thr = NULL;
	bool boost = false;

	spin_lock(&pool->lock);
	if (requeue && inv->state != KIPC_INV_RUNNING) {
		/* Cancelled (or failed) while its server let go of it. */
		spin_unlock(&pool->lock);
		return 0;
	}
	if (pool->dead || inv->door->revoked) {
		if (requeue)
			kipc_inv_complete(inv, -EBADF);
		spin_unlock(&pool->lock);
		return -EBADF;
	}
	if (list_empty(&pool->idle) && nonblock) {
		spin_unlock(&pool->lock);
		return -EAGAIN;
	}
	if (!list_empty(&pool->idle)) {
		thr = list_first_entry(&pool->idle, struct kipc_thread,
				       idle_node);
		list_del_init(&thr->idle_node);
		pool->nr_idle--;
		kipc_pool_assign(pool, thr, inv);
		/* The time serves the spin heuristics and the statistics. */
		thr->assigned_at = local_clock();
		inv->submitted = thr->assigned_at;
		boost = kipc_pool_must_boost(thr, inv);
		thr->boost_pending = boost;
		if (server) {
			get_task_struct(thr->task);
			*server = thr->task;
		}
	} else {
		/* Only a requeued invocation can be RUNNING here. */
		inv->state = KIPC_INV_PENDING;
		inv->server = NULL;
		if (requeue)
			list_add(&inv->node, &pool->pending);
		else
			list_add_tail(&inv->node, &pool->pending);
	}
	spin_unlock(&pool->lock);

	/* A call (not a notification, nor a second try) was handed or queued. */
	if (!requeue && !inv->unref && kipc_stats_on()) {
		if (thr) {
			kipc_stats_inc(door_handoffs);
		} else {
			kipc_stats_inc(door_queued);
			/* Read only by the caller, which is us. */
			inv->submitted = local_clock();
		}
	}

	if (thr) {
		/*
		 * Raise the server thread to the caller's priority before it
		 * runs, so that it never serves a high-priority caller at a
		 * low priority.  It waits for boost_pending to clear.
		 */
		if (boost) {
			kipc_thread_boost(thr, &inv->sched);
			WRITE_ONCE(thr->boost_pending, false);
		}
		/*
		 * A caller that sleeps right after this lets the server
		 * thread run on its CPU (WF_SYNC); one that busy-waits for
		 * the reply wants it on another.  A thread busy-waiting for
		 * work is not asleep, and this costs next to nothing.
		 */
		if (server)
			wake_up(&thr->wait);
		else
			wake_up_sync(&thr->wait);
	}
	return 0;
}

int kipc_pool_submit(struct kipc_pool *pool, struct kipc_inv *inv,
		     bool nonblock, struct task_struct **server)
{
	return __kipc_pool_submit(pool, inv, nonblock, false, server);
}

/*
 * The server thread that took @inv could not deliver it (its buffer was
 * bad): give it to another thread, first in line.  The caller of this has
 * cleared its thread's inv and drops its own reference afterwards.
 */
void kipc_pool_requeue(struct kipc_pool *pool, struct kipc_inv *inv)
{
	__kipc_pool_submit(pool, inv, false, true, NULL);
}

/*
 * The next invocation for @thr from @pool's queue, assigned to it, or NULL.
 * @thr is the current thread; if the invocation needs a priority boost, it
 * boosts itself.
 */
struct kipc_inv *kipc_pool_take(struct kipc_pool *pool,
				struct kipc_thread *thr)
{
	struct kipc_inv *inv;
	bool boost;

	lockdep_assert_held(&pool->lock);
	inv = list_first_entry_or_null(&pool->pending, struct kipc_inv, node);
	if (!inv)
		return NULL;
	list_del_init(&inv->node);
	kipc_pool_assign(pool, thr, inv);
	boost = kipc_pool_must_boost(thr, inv);
	thr->boost_pending = boost;
	return inv;
}

/* Fail the queued invocations of @door (all of them if NULL). */
static void kipc_pool_fail_locked(struct kipc_pool *pool,
				  struct kipc_door *door, int error)
{
	struct kipc_inv *inv, *next;

	lockdep_assert_held(&pool->lock);
	list_for_each_entry_safe(inv, next, &pool->pending, node) {
		if (door && inv->door != door)
			continue;
		list_del_init(&inv->node);
		kipc_inv_complete(inv, error);
	}
}

void kipc_pool_fail_door(struct kipc_pool *pool, struct kipc_door *door,
			 int error)
{
	spin_lock(&pool->lock);
	kipc_pool_fail_locked(pool, door, error);
	spin_unlock(&pool->lock);
}

/*
 * No thread will serve @pool again: fail what is queued and wake the idle
 * threads, whose door_return fails with EBADF.
 */
void kipc_pool_kill(struct kipc_pool *pool, int error)
{
	struct kipc_thread *thr;

	spin_lock(&pool->lock);
	pool->dead = true;
	kipc_pool_fail_locked(pool, NULL, error);
	list_for_each_entry(thr, &pool->idle, idle_node)
		wake_up_interruptible(&thr->wait);
	spin_unlock(&pool->lock);
}
