/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc doors: the objects and how the door files share them.
 *
 * Objects and owners
 * ------------------
 * struct kipc_ctx (internal.h)	a server process: its doors, its shared
 *				pool and its server threads
 * struct kipc_door		one door; refcounted by its files, its name
 *				attachments, its invocations and the threads
 *				bound to its private pool; holds its context
 * struct kipc_pool		idle server threads and the invocations
 *				waiting for one: the shared pool of a context,
 *				or the private pool of a KIPC_DOOR_PRIVATE door
 * struct kipc_thread		a server thread of a context (found by tid)
 * struct kipc_inv		one invocation (a call, or an unreferenced
 *				notification); refcounted by the caller and
 *				by the server thread serving it
 *
 * Lock order
 * ----------
 *	ctx->lock (mutex)
 *	  door->lock (spinlock)
 *	    pool->lock (spinlock)
 *
 * No lock is global: a call takes only the lock of its door's pool.
 */
#ifndef _KIPC_DOOR_H
#define _KIPC_DOOR_H

#include <linux/cpumask.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "internal.h"

struct ipc_namespace;

/* Arguments and results up to this size travel through the invocation. */
#define KIPC_DOOR_INLINE	256

/* Descriptors a single call or reply may pass, whatever DESC_MAX says. */
#define KIPC_DOOR_DESC_LIMIT	1024

extern unsigned long kipc_door_max_data;
extern unsigned long kipc_door_spin_ns;

/*
 * Busy-wait up to @budget_ns for @cond, while nothing else wants this CPU
 * (as KVM's halt polling: no other task runnable here) and no signal is
 * pending, and only where another CPU can make @cond true.  Evaluates to
 * whether @cond became true.  *@now_ns gets the clock's last reading
 * (local_clock()), taken at most one look at @cond before the end, or 0
 * when it did not spin: a caller that needs the time saves a read.
 */
#define kipc_spin_until_clock(cond, budget_ns, now_ns) ({		\
	u64 __budget = (budget_ns), __now = 0, __end;			\
	bool __done = false;						\
									\
	if (__budget && num_online_cpus() > 1) {			\
		__now = local_clock();					\
		__end = __now + __budget;				\
		for (;;) {						\
			if (cond) {					\
				__done = true;				\
				break;					\
			}						\
			if (need_resched() || !single_task_running() ||\
			    signal_pending(current))			\
				break;					\
			__now = local_clock();				\
			if (__now > __end)				\
				break;					\
			cpu_relax();					\
		}							\
	}								\
	*(now_ns) = __now;						\
	__done;								\
})

#define kipc_spin_until(cond, budget_ns) ({				\
	u64 __spin_now;							\
									\
	kipc_spin_until_clock(cond, budget_ns, &__spin_now);		\
})

/* Scheduling attributes, for priority inheritance. */
struct kipc_sched {
	int prio;		/* the kernel's priority: lower is higher */
	u32 policy;
	u32 rt_priority;
	s32 nice;
};

/* Per-CPU counters of a door, summed when read. */
struct kipc_door_stats {
	u64 calls;
	u64 errors;
	u64 bytes_in;
	u64 bytes_out;
};

enum kipc_unref_state {
	KIPC_UNREF_NONE,	/* nothing to deliver */
	KIPC_UNREF_PENDING,	/* unreferenced; waiting for calls to drain */
	KIPC_UNREF_QUEUED,	/* the notification is queued or being served */
	KIPC_UNREF_DONE,	/* delivered, and KIPC_DOOR_UNREF: never again */
};

/**
 * struct kipc_door - a door
 * @ref:	references: files, name attachments, invocations, bound
 *		threads
 * @ctx:	the server's context (a reference); constant
 * @pool:	the pool serving the door: &ctx->pool or &@private_pool
 * @private_pool: the pool of a KIPC_DOOR_PRIVATE door
 * @id:		unique id; constant
 * @proc:	user value returned with invocations; constant
 * @cookie:	user value returned with invocations; constant
 * @attributes:	KIPC_DOOR_CREATE_MASK bits; constant
 * @inode:	the inode of the door's files (S_IFDOOR); constant
 * @ctx_node:	in ctx->doors, under ctx->lock
 * @lock:	protects the members below, except as noted
 * @revoked:	set once, under @lock and @pool->lock, so that either lock
 *		suffices to read it
 * @ext_refs:	open files of the door other than those door_create()
 *		returned, plus name attachments: the references that count
 *		for unreferenced notifications
 * @unref_state: an enum kipc_unref_state
 * @unref_again: referenced while the notification was queued: with
 *		KIPC_DOOR_UNREF_MULTI, look again once it is delivered
 * @unref_inv:	the notification, allocated with the door so that it can
 *		always be delivered
 * @active:	invocations of the door not yet completed (atomic; the
 *		unreferenced notification is not counted)
 * @spin_misses: consecutive calls whose caller busy-waited for the reply
 *		in vain (atomic, a hint read and written without a lock);
 *		see kipc_door_call_wait()
 * @data_min:	KIPC_DOOR_PARAM_DATA_MIN
 * @data_max:	KIPC_DOOR_PARAM_DATA_MAX
 * @desc_max:	KIPC_DOOR_PARAM_DESC_MAX
 * @names:	name attachments (struct kipc_door_name.node), under @lock
 * @death_node:	in a list of doors being revoked because their context
 *		is released (owned by that code)
 * @poll_wait:	woken when the door is revoked, for poll()
 * @stats:	per-CPU counters
 * @uid:	the effective uid of its creator; constant.  The statistics
 *		show the door to that user (and to administrators)
 * @ipc_ns:	the IPC namespace it was created in, only compared, never
 *		dereferenced (the module cannot hold a reference on it: 6.1
 *		does not export put_ipc_ns()); constant
 * @ipc_inum:	that namespace's inode number, which tells a new namespace
 *		at the address of a dead one apart; constant
 */
struct kipc_door {
	struct kref ref;
	struct kipc_ctx *ctx;
	struct kipc_pool *pool;
	struct kipc_pool private_pool;
	u64 id;
	u64 proc;
	u64 cookie;
	u32 attributes;
	struct inode *inode;
	struct list_head ctx_node;

	spinlock_t lock;
	bool revoked;
	unsigned int ext_refs;
	enum kipc_unref_state unref_state;
	bool unref_again;
	struct kipc_inv *unref_inv;
	atomic_t active;
	atomic_t spin_misses;
	u64 data_min;
	u64 data_max;
	u64 desc_max;
	struct list_head names;
	struct list_head death_node;
	wait_queue_head_t poll_wait;
	struct kipc_door_stats __percpu *stats;
	kuid_t uid;
	const struct ipc_namespace *ipc_ns;
	unsigned int ipc_inum;
};

/**
 * struct kipc_thread - a server thread of a context
 * @task:	the thread (a reference)
 * @ctx:	its context
 * @pool:	the pool it serves: &ctx->pool, or its bound door's
 * @bound:	the door whose private pool it is bound to (a reference), or
 *		NULL; changed only by the thread itself
 * @wait:	where the thread sleeps while idle
 * @idle_node:	in @pool->idle while idle, under @pool->lock
 * @inv:	the invocation assigned to or served by the thread, under
 *		@pool->lock; set by a caller, cleared by the thread
 * @cancelled:	the invocation being served was cancelled by its caller
 *		(under @pool->lock)
 * @discarded:	a reply of this thread was discarded; reported with the next
 *		invocation (thread-local)
 * @boost_pending: a caller is raising the thread's priority: the thread
 *		must not run the call (nor restore its priority) before it
 *		is done (under @pool->lock, cleared with WRITE_ONCE)
 * @spin:	its last wait for a call ended within kipc_door_spin_ns, so
 *		it busy-waits for the next one before sleeping (thread-local)
 * @idle_since:	when it last went idle (thread-local)
 * @assigned_at: when a caller last handed it an invocation (under
 *		@pool->lock)
 * @boosted:	the thread runs with a caller's priority; @saved holds its
 *		own (set by whoever boosts it, cleared by the thread)
 * @saved:	the thread's own scheduling attributes while boosted
 * @rcu:	freed after a grace period: looked up without the lock
 */
struct kipc_thread {
	struct task_struct *task;
	struct kipc_ctx *ctx;
	struct kipc_pool *pool;
	struct kipc_door *bound;
	wait_queue_head_t wait;
	struct list_head idle_node;
	struct kipc_inv *inv;
	bool cancelled;
	bool discarded;
	bool boost_pending;
	bool spin;
	u64 idle_since;
	u64 assigned_at;
	bool boosted;
	struct kipc_sched saved;
	struct rcu_head rcu;
};

/* States of an invocation, under its pool's lock. */
enum kipc_inv_state {
	KIPC_INV_PENDING,	/* queued, no server thread yet */
	KIPC_INV_RUNNING,	/* assigned to a server thread */
	KIPC_INV_COPYING,	/* the server copies results into the caller */
	KIPC_INV_DONE,		/* completed; results or error set */
	KIPC_INV_CANCELLED,	/* the caller gave up */
};

/**
 * struct kipc_xfer - data travelling with an invocation
 * @size:	bytes
 * @pages:	pinned user pages holding them, or NULL when they are in
 *		@kbuf or the invocation's inline buffer
 * @nr_pages:	entries of @pages
 * @offset:	offset of the data in @pages[0]
 * @kbuf:	a kernel buffer holding them (results that overflow)
 * @files:	files of the passed descriptors (references)
 * @attrs:	their KIPC_DESC_* attributes
 * @nr_files:	entries of @files
 */
struct kipc_xfer {
	size_t size;
	struct page **pages;
	unsigned int nr_pages;
	unsigned int offset;
	void *kbuf;
	struct file **files;
	u32 *attrs;
	unsigned int nr_files;
};

/**
 * struct kipc_inv - one invocation of a door
 * @ref:	two while a caller waits and a server thread serves it
 * @state:	an enum kipc_inv_state, under @door->pool->lock
 * @error:	with KIPC_INV_DONE: 0, or the call's -errno
 * @unref:	an unreferenced notification (no caller)
 * @depleted:	the server thread that took it left no idle thread
 * @door:	the door (a reference)
 * @node:	in the pool's pending list while pending
 * @server:	the thread serving it, once assigned
 * @wait:	where the caller sleeps
 * @cred:	the caller's credentials (a reference)
 * @tgid:	the caller's process (a reference)
 * @tid:	the caller's thread (a reference)
 * @sched:	the caller's scheduling attributes, for priority inheritance
 * @args:	the arguments
 * @results:	the results
 * @rbuf:	the caller's result buffer, pinned when larger than the
 *		inline buffer
 * @in_place:	the results were copied straight into @rbuf
 * @submitted:	local_clock() when it was handed to a server thread, or
 *		queued while statistics are on (else 0): the start of the
 *		round trip the statistics time.  Written by the submitter,
 *		read by the caller
 * @inline_buf:	small arguments, then small results
 */
struct kipc_inv {
	refcount_t ref;
	int state;
	int error;
	bool unref;
	bool depleted;
	struct kipc_door *door;
	struct list_head node;
	struct kipc_thread *server;
	wait_queue_head_t wait;
	const struct cred *cred;
	struct pid *tgid;
	struct pid *tid;
	struct kipc_sched sched;
	struct kipc_xfer args;
	struct kipc_xfer results;
	struct kipc_xfer rbuf;
	bool in_place;
	u64 submitted;
	u8 inline_buf[KIPC_DOOR_INLINE];
};

/* door.c: door objects, files, ioctls, unreferenced notifications */
extern const struct file_operations kipc_door_fops;
bool kipc_is_door_file(struct file *file);
struct kipc_door *kipc_door_from_file(struct file *file);
struct file *kipc_door_new_file(struct kipc_door *door, bool owner);
u32 kipc_door_attributes_for(struct kipc_door *door, struct task_struct *t);
void kipc_door_get(struct kipc_door *door);
void kipc_door_put(struct kipc_door *door);
void kipc_door_fill_info(struct kipc_door *door, struct kipc_door_info *info);
void kipc_door_ext_ref(struct kipc_door *door);
void kipc_door_ext_unref(struct kipc_door *door);
void kipc_door_inv_done(struct kipc_door *door);
void kipc_door_unref_done(struct kipc_door *door);
bool kipc_door_revoke(struct kipc_door *door);
void kipc_door_event(struct kipc_door *door, u32 type);
struct kipc_door *kipc_door_find_next(unsigned long *id);
void kipc_door_read_stats(struct kipc_door *door, struct kipc_door_stats *st);
long kipc_door_create(struct kipc_ctx *ctx, struct kipc_door_create __user *u);

/* door_pool.c: pools and invocations */
int kipc_door_cache_init(void);
void kipc_door_cache_exit(void);
void kipc_pool_init(struct kipc_pool *pool);
void kipc_pool_kill(struct kipc_pool *pool, int error);
int kipc_pool_submit(struct kipc_pool *pool, struct kipc_inv *inv,
		     bool nonblock, struct task_struct **server);
struct kipc_inv *kipc_pool_take(struct kipc_pool *pool,
				struct kipc_thread *thr);
void kipc_pool_requeue(struct kipc_pool *pool, struct kipc_inv *inv);
void kipc_pool_fail_door(struct kipc_pool *pool, struct kipc_door *door,
			 int error);
void kipc_sched_of(struct kipc_sched *s, struct task_struct *t);
struct kipc_inv *kipc_inv_alloc(struct kipc_door *door);
struct kipc_inv *kipc_inv_alloc_unref(struct kipc_door *door);
void kipc_inv_reset_unref(struct kipc_inv *inv);
void kipc_inv_complete(struct kipc_inv *inv, int error);
void kipc_inv_put(struct kipc_inv *inv);

/* door_call.c: the caller's side */
long kipc_door_call(struct kipc_door *door, struct kipc_door_call __user *u);

/* door_server.c: the server's side */
long kipc_door_return(struct kipc_ctx *ctx, struct kipc_door_return __user *u);
long kipc_door_bind(struct kipc_ctx *ctx, u64 __user *uid);
long kipc_door_unbind(struct kipc_ctx *ctx);
long kipc_door_current(struct kipc_ctx *ctx,
		       struct kipc_door_current __user *u);
void kipc_thread_boost(struct kipc_thread *thr, const struct kipc_sched *to);
void kipc_ctx_doors_shutdown(struct kipc_ctx *ctx, bool died);
void kipc_ctx_doors_release(struct kipc_ctx *ctx);

/* door_xfer.c: moving data and descriptors between processes */

/* Where kipc_xfer_deliver() put data and descriptors. */
struct kipc_delivery {
	u64 where;		/* the data */
	u64 desc_where;		/* the descriptors, after the data */
	u64 map_size;		/* nonzero: a new mapping at @where */
};

int kipc_xfer_pin(struct kipc_xfer *x, u64 uaddr, size_t size, bool write);
void kipc_xfer_release(struct kipc_xfer *x, bool dirty);
void kipc_xfer_copy_pages(struct kipc_xfer *dst, const struct kipc_xfer *src);
size_t kipc_xfer_need(const struct kipc_xfer *x);
int kipc_xfer_take_files(struct kipc_xfer *x,
			 const struct kipc_door_desc *descs, unsigned int n);
int kipc_xfer_reserve_fds(struct kipc_xfer *x, struct kipc_door_desc *out);
void kipc_xfer_unreserve_fds(struct kipc_xfer *x,
			     const struct kipc_door_desc *out);
void kipc_xfer_install_fds(struct kipc_xfer *x,
			   const struct kipc_door_desc *out);
int kipc_xfer_deliver(const struct kipc_xfer *x, const void *inline_buf,
		      const struct kipc_door_desc *descs, u64 ubuf, u64 usize,
		      bool may_map, bool in_place, struct kipc_delivery *d);
void kipc_xfer_undeliver(const struct kipc_delivery *d);
struct kipc_door_desc *kipc_desc_copy_in(u64 uptr, unsigned int n);
void kipc_desc_release_fds(const struct kipc_door_desc *descs,
			   unsigned int n);

/* doorfs.c: door inodes and the kipcfs naming filesystem */
int kipc_doorfs_init(void);
void kipc_doorfs_exit(void);
struct inode *kipc_doorfs_new_inode(struct kipc_door *door);
struct file *kipc_doorfs_new_file(struct kipc_door *door,
				  const struct file_operations *fops);
struct kipc_door *kipc_doorfs_door_of(struct inode *inode);
void kipc_doorfs_forget(struct kipc_door *door);
long kipc_door_attach(struct kipc_ctx *ctx,
		      struct kipc_door_attach __user *u, bool attach);
void kipc_door_detach_names(struct kipc_door *door);
char *kipc_door_name_path(struct kipc_door *door, char *buf, int len);

#endif /* _KIPC_DOOR_H */
