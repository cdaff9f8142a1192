// SPDX-License-Identifier: GPL-2.0
/*
 * kipc doors: the caller's side of a call.
 *
 * One system call: check the call against the door's limits, capture the
 * arguments (inline, or by pinning the caller's pages), hand the
 * invocation to the door's pool, sleep until the server thread replies,
 * then deliver the results into the caller's buffer or a new mapping.
 *
 * A signal or the timeout cancels the call: it fails with EINTR (never
 * restarted, whatever SA_RESTART says) or ETIMEDOUT.  A call not yet taken
 * by a server thread is simply dequeued; one being served is marked
 * cancelled, which the server thread can see (unless the door has
 * KIPC_DOOR_NO_CANCEL), and its late reply is discarded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "door.h"
#include "stats.h"

static bool kipc_inv_finished(struct kipc_inv *inv)
{
	/* Pairs with the release in kipc_inv_complete(). */
	return smp_load_acquire(&inv->state) == KIPC_INV_DONE;
}

/* Check a call against the door's parameters (illumos's errors). */
static int kipc_door_call_check(struct kipc_door *door,
				const struct kipc_door_call *c)
{
	int ret = 0;

	if (c->data_size > kipc_door_max_data ||
	    c->desc_num > KIPC_DOOR_DESC_LIMIT)
		return -E2BIG;
	spin_lock(&door->lock);
	if (door->revoked)
		ret = -EBADF;
	else if (c->data_size < door->data_min ||
		 c->data_size > door->data_max)
		ret = -ENOBUFS;
	else if (c->desc_num && door->attributes & KIPC_DOOR_REFUSE_DESC)
		ret = -EOPNOTSUPP;
	else if (c->desc_num > door->desc_max)
		ret = -ENFILE;
	spin_unlock(&door->lock);
	return ret;
}

/*
 * The call was interrupted (@why is -EINTR or -ETIMEDOUT).  Returns 0 if
 * it completed after all and its results must be delivered, else @why.
 */
static int kipc_door_call_cancel(struct kipc_inv *inv, int why)
{
	struct kipc_pool *pool = inv->door->pool;

	spin_lock(&pool->lock);
	switch (inv->state) {
	case KIPC_INV_PENDING:
		list_del_init(&inv->node);
		inv->state = KIPC_INV_CANCELLED;
		break;
	case KIPC_INV_RUNNING:
		inv->state = KIPC_INV_CANCELLED;
		if (!(inv->door->attributes & KIPC_DOOR_NO_CANCEL))
			inv->server->cancelled = true;
		break;
	case KIPC_INV_COPYING:
		/*
		 * The server thread is copying results into our pinned
		 * pages; that takes bounded time and never faults, and the
		 * results must not land after we return.  Wait for it.
		 */
		spin_unlock(&pool->lock);
		wait_event(inv->wait, kipc_inv_finished(inv));
		return 0;
	case KIPC_INV_DONE:
		break;
	}
	spin_unlock(&pool->lock);
	return inv->state == KIPC_INV_DONE ? 0 : why;
}

/*
 * Whether it is worth busy-waiting for the reply of @server: while it runs
 * (or is about to), it is working on it; once it blocks, it will be a
 * while.
 */
static bool kipc_server_busy(struct task_struct *server)
{
	/*
	 * Runnable, on a CPU that is not a virtual one its hypervisor has
	 * taken away (as the kernel's own optimistic spinning checks).
	 */
	return READ_ONCE(server->__state) == TASK_RUNNING &&
	       !vcpu_is_preempted(task_cpu(server));
}

/*
 * After this many calls in a row whose busy-wait was in vain, callers of
 * the door stop busy-waiting, and only one call in KIPC_SPIN_RETRY tries
 * again.  Busy-waiting pays when the server's CPU really runs alongside
 * the caller's; when it does not (an overcommitted host running both
 * virtual CPUs on one physical CPU, a procedure that sleeps), each wait
 * only delays the CPU that would produce the reply.
 */
#define KIPC_SPIN_MISSES_MAX	8
#define KIPC_SPIN_RETRY		64

static bool kipc_door_spin_allowed(struct kipc_door *door)
{
	if (atomic_read(&door->spin_misses) < KIPC_SPIN_MISSES_MAX)
		return true;
	return !(atomic_inc_return(&door->spin_misses) % KIPC_SPIN_RETRY);
}

static void kipc_door_spin_result(struct kipc_door *door, bool done)
{
	/* Written only when it changes: no shared cache line per call. */
	if (!done)
		atomic_inc(&door->spin_misses);
	else if (atomic_read(&door->spin_misses))
		atomic_set(&door->spin_misses, 0);
}

/*
 * Wait for the reply.  While the server thread that took the call runs on
 * another CPU, busy-wait for it first: for a short call, a sleep and a
 * wakeup on each side cost more than the call.  When the busy-wait saw the
 * reply, *@done_at is the clock's last reading in it (for the statistics),
 * else 0.
 */
static int kipc_door_call_wait(struct kipc_door *door, struct kipc_inv *inv,
			       u64 timeout_ns, struct task_struct *server,
			       u64 *done_at)
{
	long ret;

	*done_at = 0;
	if (server) {
		u64 budget = min_not_zero(kipc_door_spin_ns, timeout_ns);
		bool done = false;
		u64 now = 0;

		if (kipc_door_spin_allowed(door)) {
			done = kipc_spin_until_clock(kipc_inv_finished(inv) ||
						     !kipc_server_busy(server),
						     budget, &now) &&
			       kipc_inv_finished(inv);
			kipc_door_spin_result(door, done);
		}
		put_task_struct(server);
		if (done) {
			*done_at = now;
			return 0;
		}
	}
	if (timeout_ns)
		ret = wait_event_interruptible_hrtimeout(inv->wait,
							 kipc_inv_finished(inv),
							 ns_to_ktime(timeout_ns));
	else
		ret = wait_event_interruptible(inv->wait,
					       kipc_inv_finished(inv));
	if (!ret)
		return 0;
	return kipc_door_call_cancel(inv, ret == -ETIME ? -ETIMEDOUT : -EINTR);
}

/* Deliver the results of a completed call and fill in @c's outputs. */
static int kipc_door_call_results(struct kipc_inv *inv,
				  struct kipc_door_call *c,
				  struct kipc_door_call __user *u)
{
	struct kipc_xfer *res = &inv->results;
	struct kipc_door_desc *descs = NULL;
	struct kipc_delivery d;
	int ret;

	if (res->nr_files) {
		descs = kcalloc(res->nr_files, sizeof(*descs), GFP_KERNEL);
		if (!descs)
			return -ENOMEM;
		ret = kipc_xfer_reserve_fds(res, descs);
		if (ret)
			goto out_free;
	}
	ret = kipc_xfer_deliver(res, inv->inline_buf, descs, c->rbuf, c->rsize,
				!(c->flags & KIPC_CALL_NO_OVERFLOW),
				inv->in_place, &d);
	if (ret)
		goto out_fds;

	c->result_ptr = d.where;
	c->result_size = res->size;
	c->result_desc_ptr = d.desc_where;
	c->result_desc_num = res->nr_files;
	c->result_flags = d.map_size ? KIPC_RESULT_MAPPED : 0;
	c->result_map_size = d.map_size;
	if (copy_to_user(u, c, sizeof(*c))) {
		ret = -EFAULT;
		kipc_xfer_undeliver(&d);
		goto out_fds;
	}
	if (res->nr_files)
		kipc_xfer_install_fds(res, descs);
	kfree(descs);
	return 0;

out_fds:
	if (res->nr_files)
		kipc_xfer_unreserve_fds(res, descs);
out_free:
	kfree(descs);
	return ret;
}

/*
 * Count a call of @door that was submitted at @start (0: unknown), seen
 * answered at @end (0: read the clock now) and ended with @ret, with
 * @in argument and @out result bytes: the door's own counters and the
 * global ones, unless counting is off.
 */
static void kipc_door_count(struct kipc_door *door, u64 start, u64 end,
			    int ret, u64 in, u64 out)
{
	struct kipc_door_stats *s;

	if (!kipc_stats_on())
		return;
	/* One preemption-disabled section for the door's and global ones. */
	s = get_cpu_ptr(door->stats);
	s->calls++;
	if (ret) {
		s->errors++;
	} else {
		s->bytes_in += in;
		s->bytes_out += out;
	}
	kipc_stats_door_call(start, end, ret, in, out);
	put_cpu_ptr(door->stats);
}

long kipc_door_call(struct kipc_door *door, struct kipc_door_call __user *u)
{
	struct kipc_door_desc *descs = NULL;
	struct kipc_door_call c;
	struct task_struct *server = NULL;
	struct kipc_inv *inv;
	u64 start = 0, end = 0;
	int ret;

	if (copy_from_user(&c, u, sizeof(c)))
		return -EFAULT;
	if (c.flags & ~KIPC_CALL_FLAGS ||
	    memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	ret = kipc_door_call_check(door, &c);
	if (ret)
		goto out_count;

	ret = -ENOMEM;
	inv = kipc_inv_alloc(door);
	if (!inv)
		goto out_count;

	if (c.data_size <= KIPC_DOOR_INLINE) {
		inv->args.size = c.data_size;
		ret = -EFAULT;
		if (copy_from_user(inv->inline_buf,
				   u64_to_user_ptr(c.data_ptr), c.data_size))
			goto out_put;
	} else {
		ret = kipc_xfer_pin(&inv->args, c.data_ptr, c.data_size, false);
		if (ret)
			goto out_put;
	}
	descs = kipc_desc_copy_in(c.desc_ptr, c.desc_num);
	if (IS_ERR(descs)) {
		ret = PTR_ERR(descs);
		descs = NULL;
		goto out_put;
	}
	ret = kipc_xfer_take_files(&inv->args, descs, c.desc_num);
	if (ret)
		goto out_put;
	/*
	 * A result buffer larger than the inline buffer is pinned now, in
	 * our context, so that the server can copy results straight into
	 * it without ever touching our page tables.
	 */
	if (c.rsize > KIPC_DOOR_INLINE) {
		ret = kipc_xfer_pin(&inv->rbuf, c.rbuf,
				    min_t(u64, c.rsize, kipc_door_max_data),
				    true);
		if (ret)
			goto out_put;
	}

	ret = kipc_pool_submit(door->pool, inv,
			       c.flags & KIPC_CALL_NONBLOCK,
			       kipc_door_spin_ns && num_online_cpus() > 1 ?
			       &server : NULL);
	if (ret)
		goto out_put;
	/* The descriptors are passed: close those the caller gave away. */
	if (descs)
		kipc_desc_release_fds(descs, c.desc_num);

	ret = kipc_door_call_wait(door, inv, c.timeout_ns, server, &end);
	if (!ret)
		ret = inv->error;
	if (!ret)
		ret = kipc_door_call_results(inv, &c, u);

out_put:
	kfree(descs);
	start = inv->submitted;
	kipc_inv_put(inv);
out_count:
	kipc_door_count(door, start, end, ret, c.data_size,
			ret ? 0 : c.result_size);
	return ret;
}
