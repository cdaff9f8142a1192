// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channels: the channel and its senders, their files, their
 * lifecycle and their ioctls.  Documentation/kipc/channels.rst describes
 * the model and channel.h the objects, their references and their lock.
 *
 * Lifecycle in short:
 *
 *  - KIPC_IOC_CHAN_CREATE makes a channel, its receiver file and one
 *    connector file;
 *  - KIPC_CHAN_IOC_CONNECT on a connector makes a sender (a segment and its
 *    file) and puts it in the channel's table;
 *  - a sender closes when its file is released, when the mapping of its TX
 *    area goes away (process death included) or when the receiver
 *    disconnects it; it stays in the table, for the receiver to drain,
 *    until the receiver detaches it;
 *  - the receiver closes when its file is released or the mapping of its
 *    control area goes away: the table is emptied and every sender sees
 *    EPIPE;
 *  - once no sender is live and no connector is open, the channel has no
 *    writers left: the receiver drains the table and sees the end.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/ipc_namespace.h>
#include <linux/memcontrol.h>
#include <linux/nsproxy.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "internal.h"
#include "channel.h"

void kipc_chan_get(struct kipc_chan *chan)
{
	kref_get(&chan->ref);
}

static void kipc_chan_free(struct kref *ref)
{
	struct kipc_chan *chan = container_of(ref, struct kipc_chan, ref);

	kipc_chan_unregister(chan);
	put_pid(chan->creator);
	put_page(chan->ctl_page);
	put_page(chan->flags_page);
	kipc_chan_user_uncharge(chan->user, 2);
	kipc_chan_user_put(chan->user);
	mem_cgroup_put(chan->memcg);
	free_percpu(chan->stats);
	kfree(chan->slots);
	kfree_rcu(chan, rcu);
}

void kipc_chan_put(struct kipc_chan *chan)
{
	kref_put(&chan->ref, kipc_chan_free);
}

void kipc_chan_seg_get(struct kipc_chan_seg *seg)
{
	kref_get(&seg->ref);
}

static void kipc_chan_seg_free(struct kref *ref)
{
	struct kipc_chan_seg *seg = container_of(ref, struct kipc_chan_seg,
						 ref);
	struct kipc_chan *chan = seg->chan;

	/* Every holder of @ref that held @mem has put it before. */
	WARN_ON_ONCE(!seg->mem_gone);
	put_pid(seg->pid);
	put_cred(seg->cred);
	kfree(seg);
	kipc_chan_put(chan);
}

void kipc_chan_seg_put(struct kipc_chan_seg *seg)
{
	kref_put(&seg->ref, kipc_chan_seg_free);
}

void kipc_chan_seg_get_mem(struct kipc_chan_seg *seg)
{
	kref_get(&seg->mem);
}

static void kipc_chan_seg_free_mem(struct kref *mem)
{
	struct kipc_chan_seg *seg = container_of(mem, struct kipc_chan_seg,
						 mem);
	struct kipc_chan *chan = seg->chan;
	struct page **pages = seg->pages;

	spin_lock(&chan->lock);
	seg->mem_gone = true;
	seg->pages = NULL;
	seg->tx = NULL;
	seg->rx = NULL;
	spin_unlock(&chan->lock);
	kipc_chan_free_pages(pages, seg->nr_pages);
	kvfree(pages);
	kipc_chan_user_uncharge(chan->user, seg->nr_pages);
	atomic_long_sub(seg->nr_pages, &chan->pages);
}

void kipc_chan_seg_put_mem(struct kipc_chan_seg *seg)
{
	kref_put(&seg->mem, kipc_chan_seg_free_mem);
}

/*
 * The endpoint of @seg closes: no more mappings of it, so it stops holding
 * the pages.  Returns whether the caller must put that reference.
 * chan->lock held.
 */
static bool kipc_chan_seg_close_ep_locked(struct kipc_chan_seg *seg)
{
	bool had = seg->ep_mem;

	seg->ep.state = KIPC_CHAN_EP_CLOSED;
	seg->ep_mem = false;
	return had;
}

static bool kipc_chan_rx_closed(const struct kipc_chan *chan)
{
	return chan->rx_ep.state == KIPC_CHAN_EP_CLOSED;
}

/* Tell the receiver its table changed: it compares ctl_gen with its own. */
static void kipc_chan_bump_gen_locked(struct kipc_chan *chan)
{
	chan->gen++;
	WRITE_ONCE(chan->ctl->gen, chan->gen);
}

/*
 * Once no sender is live and no connector is open, nobody can ever send
 * again: the receiver will see the end of the channel after draining.
 * Returns true when that just happened.
 */
static bool kipc_chan_check_writers_locked(struct kipc_chan *chan)
{
	if (chan->no_writers || chan->nr_live || chan->nr_connectors)
		return false;
	chan->no_writers = true;
	WRITE_ONCE(chan->ctl->state, KIPC_CHAN_CTL_NO_WRITERS);
	return true;
}

static void kipc_chan_wake_receiver(struct kipc_chan *chan)
{
	wake_up_interruptible_poll(&chan->rx_wq, EPOLLIN | EPOLLRDNORM);
}

static void kipc_chan_set_tx_state_locked(struct kipc_chan_seg *seg, u32 bits)
{
	seg->state |= bits;
	WRITE_ONCE(seg->rx->state, seg->state);
}

/* Take @seg out of the table; the caller puts the table's reference. */
static void kipc_chan_unlink_locked(struct kipc_chan *chan,
				   struct kipc_chan_seg *seg)
{
	chan->slots[seg->id & KIPC_CHAN_SLOT_MASK] = NULL;
	list_del_init(&seg->node);
	seg->in_table = false;
	chan->nr_slots--;
	chan->gone_msgs += READ_ONCE(seg->tx->msgs);
	chan->gone_bytes += READ_ONCE(seg->tx->bytes);
}

struct kipc_chan_seg *kipc_chan_lookup_locked(struct kipc_chan *chan, u64 id)
{
	u64 slot = id & KIPC_CHAN_SLOT_MASK;
	struct kipc_chan_seg *seg;

	if (slot >= chan->geom.params.max_senders)
		return NULL;
	seg = chan->slots[slot];
	return seg && seg->id == id ? seg : NULL;
}

/*
 * A sender is gone: its file was released or its TX mapping went away.
 * What it sent stays in the table for the receiver.
 */
static void kipc_chan_seg_close(struct kipc_chan_seg *seg)
{
	struct kipc_chan *chan = seg->chan;
	bool was_live, put_mem, ended = false;

	spin_lock(&chan->lock);
	put_mem = kipc_chan_seg_close_ep_locked(seg);
	was_live = seg->live;
	if (was_live) {
		seg->live = false;
		chan->nr_live--;
		kipc_chan_set_tx_state_locked(seg, KIPC_CHAN_TX_CLOSED);
		ended = kipc_chan_check_writers_locked(chan);
		kipc_chan_bump_gen_locked(chan);
	}
	spin_unlock(&chan->lock);
	if (was_live)
		kipc_chan_wake_receiver(chan);
	if (ended)
		kipc_chan_event(chan, KIPC_EVENT_TYPE_CHAN_PEER_CLOSED);
	/* Other threads of the sender waiting on it. */
	wake_up_all(&seg->wq);
	if (put_mem)
		kipc_chan_seg_put_mem(seg);
}

/*
 * The receiver is gone: its file was released or its control mapping went
 * away.  Every sender leaves the table and sees EPIPE.
 */
static void kipc_chan_rx_shutdown(struct kipc_chan *chan)
{
	struct kipc_chan_seg *seg;

	spin_lock(&chan->lock);
	if (kipc_chan_rx_closed(chan)) {
		spin_unlock(&chan->lock);
		return;
	}
	chan->rx_ep.state = KIPC_CHAN_EP_CLOSED;
	WRITE_ONCE(chan->flags->rx, READ_ONCE(chan->flags->rx) |
		   KIPC_CHAN_RX_CLOSED);
	spin_unlock(&chan->lock);
	wake_up_all(&chan->rx_wq);
	kipc_chan_event(chan, KIPC_EVENT_TYPE_CHAN_PEER_CLOSED);

	/* No sender can enter the table any more: empty it one by one. */
	for (;;) {
		spin_lock(&chan->lock);
		seg = list_first_entry_or_null(&chan->senders,
					       struct kipc_chan_seg, node);
		if (seg) {
			/* Where each sender looks on every loan and send. */
			kipc_chan_set_tx_state_locked(seg,
						      KIPC_CHAN_TX_RX_CLOSED);
			kipc_chan_unlink_locked(chan, seg);
		}
		spin_unlock(&chan->lock);
		if (!seg)
			break;
		wake_up_all(&seg->wq);
		kipc_chan_seg_put_mem(seg);
		kipc_chan_seg_put(seg);
	}
}

/* The mapping of an endpoint's main area went away: the endpoint closes. */
void kipc_chan_ep_lost(struct file *file)
{
	if (file->f_op == &kipc_chan_rx_fops)
		kipc_chan_rx_shutdown(file->private_data);
	else
		kipc_chan_seg_close(file->private_data);
}

static struct kipc_chan *kipc_chan_alloc(const struct kipc_chan_params *params)
{
	struct page *pages[2];
	struct kipc_chan *chan;
	int ret;

	chan = kzalloc(sizeof(*chan), GFP_KERNEL_ACCOUNT);
	if (!chan)
		return ERR_PTR(-ENOMEM);
	ret = kipc_chan_geom_init(&chan->geom, params);
	if (ret)
		goto err_free;
	kref_init(&chan->ref);
	spin_lock_init(&chan->lock);
	INIT_LIST_HEAD(&chan->senders);
	init_waitqueue_head(&chan->rx_wq);
	chan->next_seq = 1;

	ret = -ENOMEM;
	chan->slots = kcalloc(chan->geom.params.max_senders,
			      sizeof(*chan->slots), GFP_KERNEL_ACCOUNT);
	if (!chan->slots)
		goto err_free;
	chan->stats = alloc_percpu_gfp(struct kipc_chan_pcpu,
				       GFP_KERNEL_ACCOUNT);
	if (!chan->stats)
		goto err_slots;
	chan->user = kipc_chan_user_get(current_uid());
	if (!chan->user)
		goto err_stats;
	chan->quota_exempt = capable(CAP_SYS_RESOURCE);
	ret = kipc_chan_user_charge(chan->user, 2, chan->quota_exempt);
	if (ret)
		goto err_user;
	chan->memcg = get_mem_cgroup_from_mm(current->mm);
	ret = kipc_chan_alloc_pages(chan, pages, 2);
	if (ret)
		goto err_memcg;
	chan->flags_page = pages[0];
	chan->ctl_page = pages[1];
	chan->flags = page_address(chan->flags_page);
	chan->ctl = page_address(chan->ctl_page);
	atomic_long_set(&chan->pages, 2);
	chan->creator = get_pid(task_tgid(current));
	chan->euid = current_euid();
	chan->ipc_ns = current->nsproxy->ipc_ns;
	chan->ipc_inum = chan->ipc_ns->ns.inum;
	ret = kipc_chan_register(chan);
	if (ret)
		goto err_pages;
	return chan;

err_pages:
	put_pid(chan->creator);
	kipc_chan_free_pages(pages, 2);
err_memcg:
	mem_cgroup_put(chan->memcg);
	kipc_chan_user_uncharge(chan->user, 2);
err_user:
	kipc_chan_user_put(chan->user);
err_stats:
	free_percpu(chan->stats);
err_slots:
	kfree(chan->slots);
err_free:
	kfree(chan);
	return ERR_PTR(ret);
}

static struct kipc_chan_seg *kipc_chan_seg_alloc(struct kipc_chan *chan)
{
	unsigned long nr = kipc_chan_seg_pages(&chan->geom);
	struct kipc_chan_seg *seg;
	struct mem_cgroup *old;
	int ret;

	ret = kipc_chan_user_charge(chan->user, nr, chan->quota_exempt);
	if (ret)
		return ERR_PTR(ret);
	ret = -ENOMEM;
	/*
	 * As the pool's pages (kipc_chan_alloc_pages()): a sender's page
	 * array grows with the pool, so at the cgroup's limit it fails with
	 * ENOMEM rather than waking the cgroup's OOM killer.
	 */
	old = set_active_memcg(chan->memcg);
	seg = kzalloc(sizeof(*seg), GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	if (seg)
		seg->pages = kvcalloc(nr, sizeof(*seg->pages),
				      GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
				      __GFP_NOWARN);
	set_active_memcg(old);
	if (!seg)
		goto err_uncharge;
	if (!seg->pages)
		goto err_free;
	ret = kipc_chan_alloc_pages(chan, seg->pages, nr);
	if (ret)
		goto err_free_pages;

	kref_init(&seg->ref);
	kref_init(&seg->mem);
	seg->ep_mem = true;
	kipc_chan_get(chan);
	seg->chan = chan;
	INIT_LIST_HEAD(&seg->node);
	init_waitqueue_head(&seg->wq);
	seg->nr_pages = nr;
	seg->tx = page_address(seg->pages[0]);
	seg->rx = page_address(seg->pages[chan->geom.tx_pages]);
	seg->pid = get_pid(task_tgid(current));
	seg->cred = get_current_cred();
	atomic_long_add(nr, &chan->pages);
	return seg;

err_free_pages:
	kvfree(seg->pages);
err_free:
	kfree(seg);
err_uncharge:
	kipc_chan_user_uncharge(chan->user, nr);
	return ERR_PTR(ret);
}

/* Can a sender join the table now?  chan->lock held. */
static int kipc_chan_may_connect_locked(struct kipc_chan *chan)
{
	if (kipc_chan_rx_closed(chan))
		return -EPIPE;
	if (chan->nr_slots >= chan->geom.params.max_senders)
		return -EUSERS;
	return 0;
}

static int kipc_chan_seg_insert(struct kipc_chan *chan,
				struct kipc_chan_seg *seg)
{
	unsigned int slot;
	int ret;

	spin_lock(&chan->lock);
	ret = kipc_chan_may_connect_locked(chan);
	if (!ret) {
		for (slot = 0; chan->slots[slot]; slot++)
			;
		seg->id = (chan->next_seq++ << KIPC_CHAN_SLOT_BITS) | slot;
		chan->slots[slot] = seg;
		kipc_chan_seg_get(seg);
		kipc_chan_seg_get_mem(seg);
		list_add_tail(&seg->node, &chan->senders);
		seg->in_table = true;
		seg->live = true;
		chan->nr_slots++;
		chan->nr_live++;
		chan->connects++;
		kipc_chan_bump_gen_locked(chan);
	}
	spin_unlock(&chan->lock);
	if (!ret)
		kipc_chan_wake_receiver(chan);
	return ret;
}

bool kipc_chan_file_is_connector(const struct file *file)
{
	return file->f_op == &kipc_chan_connector_fops;
}

struct file *kipc_chan_connect_file(struct file *connector)
{
	struct kipc_chan *chan = connector->private_data;
	struct kipc_chan_seg *seg;
	struct file *file;
	int ret;

	/* Fail early, before allocating a pool for nothing. */
	spin_lock(&chan->lock);
	ret = kipc_chan_may_connect_locked(chan);
	spin_unlock(&chan->lock);
	if (ret)
		return ERR_PTR(ret);

	seg = kipc_chan_seg_alloc(chan);
	if (IS_ERR(seg))
		return ERR_CAST(seg);
	/* The file owns the segment's first reference. */
	file = anon_inode_getfile("[kipc-chan-tx]", &kipc_chan_tx_fops, seg,
				  O_RDWR);
	if (IS_ERR(file)) {
		kipc_chan_seg_put_mem(seg);
		kipc_chan_seg_put(seg);
		return file;
	}
	ret = kipc_chan_seg_insert(chan, seg);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

/* A connector file: holds the channel and counts as a potential writer. */
static struct file *kipc_chan_connector_file(struct kipc_chan *chan)
{
	struct file *file;

	kipc_chan_get(chan);
	spin_lock(&chan->lock);
	chan->nr_connectors++;
	spin_unlock(&chan->lock);
	file = anon_inode_getfile("[kipc-chan-connector]",
				  &kipc_chan_connector_fops, chan, O_RDWR);
	if (IS_ERR(file)) {
		spin_lock(&chan->lock);
		chan->nr_connectors--;
		spin_unlock(&chan->lock);
		kipc_chan_put(chan);
	}
	return file;
}

static long kipc_chan_create(struct kipc_chan_create __user *uarg)
{
	struct file *rx_file, *conn_file;
	struct kipc_chan_create args;
	struct kipc_chan *chan;
	int rx_fd, conn_fd;
	long ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	/* rx_fd, connector_fd, chan_id and layout are outputs only. */
	if (args.flags || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;

	chan = kipc_chan_alloc(&args.params);
	if (IS_ERR(chan))
		return PTR_ERR(chan);
	/* The receiver's file owns the channel's first reference. */
	rx_file = anon_inode_getfile("[kipc-chan-rx]", &kipc_chan_rx_fops,
				     chan, O_RDWR);
	if (IS_ERR(rx_file)) {
		kipc_chan_put(chan);
		return PTR_ERR(rx_file);
	}
	conn_file = kipc_chan_connector_file(chan);
	if (IS_ERR(conn_file)) {
		ret = PTR_ERR(conn_file);
		goto err_rx_file;
	}
	rx_fd = get_unused_fd_flags(O_CLOEXEC);
	if (rx_fd < 0) {
		ret = rx_fd;
		goto err_conn_file;
	}
	conn_fd = get_unused_fd_flags(O_CLOEXEC);
	if (conn_fd < 0) {
		ret = conn_fd;
		goto err_rx_fd;
	}

	memset(&args, 0, sizeof(args));
	args.params = chan->geom.params;
	args.rx_fd = rx_fd;
	args.connector_fd = conn_fd;
	args.chan_id = chan->id;
	kipc_chan_fill_layout(&chan->geom, KIPC_CHAN_ROLE_RECEIVER,
			      &args.layout);
	if (copy_to_user(uarg, &args, sizeof(args))) {
		ret = -EFAULT;
		goto err_conn_fd;
	}
	fd_install(rx_fd, rx_file);
	fd_install(conn_fd, conn_file);
	kipc_chan_event(chan, KIPC_EVENT_TYPE_CHAN_CREATED);
	return 0;

err_conn_fd:
	put_unused_fd(conn_fd);
err_rx_fd:
	put_unused_fd(rx_fd);
err_conn_file:
	fput(conn_file);
err_rx_file:
	fput(rx_file);
	return ret;
}

static long kipc_chan_limits(struct kipc_chan_limits __user *uarg)
{
	struct kipc_chan_limits lim;

	memset(&lim, 0, sizeof(lim));
	lim.defaults.pool_size = KIPC_CHAN_POOL_DEFAULT;
	lim.defaults.max_msg = KIPC_CHAN_MSG_DEFAULT;
	lim.defaults.ring_depth = KIPC_CHAN_DEPTH_DEFAULT;
	lim.defaults.max_senders = KIPC_CHAN_SENDERS_DEFAULT;
	lim.max.pool_size = KIPC_CHAN_POOL_MAX;
	lim.max.max_msg = KIPC_CHAN_POOL_MAX;
	lim.max.ring_depth = KIPC_CHAN_DEPTH_MAX;
	lim.max.max_senders = KIPC_CHAN_SENDERS_MAX;
	lim.user_limit = (u64)kipc_chan_user_limit() << PAGE_SHIFT;
	lim.user_usage = (u64)kipc_chan_user_usage(current_uid()) << PAGE_SHIFT;
	lim.channels = kipc_chan_count();
	lim.page_size = PAGE_SIZE;
	lim.msg_align = KIPC_CHAN_MSG_ALIGN;
	if (copy_to_user(uarg, &lim, sizeof(lim)))
		return -EFAULT;
	return 0;
}

long kipc_chan_ctx_ioctl(struct kipc_ctx *ctx, unsigned int cmd,
			 void __user *uarg)
{
	switch (cmd) {
	case KIPC_IOC_CHAN_CREATE:
		if (!kipc_ctx_ready(ctx))
			return -EBADFD;
		return kipc_chan_create(uarg);
	case KIPC_IOC_CHAN_LIMITS:
		if (!kipc_ctx_ready(ctx))
			return -EBADFD;
		return kipc_chan_limits(uarg);
	}
	return -ENOIOCTLCMD;
}

/* KIPC_CHAN_IOC_INFO, for any of the three kinds of file. */
static long kipc_chan_info(struct kipc_chan *chan, struct kipc_chan_seg *seg,
			   u32 role, struct kipc_chan_info __user *uarg)
{
	struct kipc_chan_info info;

	memset(&info, 0, sizeof(info));
	info.role = role;
	info.chan_id = chan->id;
	info.params = chan->geom.params;
	kipc_chan_fill_layout(&chan->geom, role, &info.layout);
	spin_lock(&chan->lock);
	if (kipc_chan_rx_closed(chan))
		info.state |= KIPC_CHAN_INFO_RX_CLOSED;
	if (role == KIPC_CHAN_ROLE_RECEIVER && kipc_chan_rx_closed(chan))
		info.state |= KIPC_CHAN_INFO_CLOSED;
	if (seg) {
		info.sender_id = seg->id;
		if (seg->ep.state == KIPC_CHAN_EP_CLOSED || !seg->live)
			info.state |= KIPC_CHAN_INFO_CLOSED;
	}
	spin_unlock(&chan->lock);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long kipc_chan_wait_ioctl(struct kipc_chan *chan,
				 struct kipc_chan_seg *seg,
				 struct kipc_chan_wait __user *uarg)
{
	struct kipc_chan_wait args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved)
		return -EINVAL;
	if (seg)
		return kipc_chan_tx_wait(seg, args.timeout_ns);
	return kipc_chan_rx_wait(chan, args.timeout_ns);
}

static int kipc_chan_get_sender_ref(struct kipc_chan_sender_ref __user *uarg,
				    u64 *id)
{
	struct kipc_chan_sender_ref ref;

	if (copy_from_user(&ref, uarg, sizeof(ref)))
		return -EFAULT;
	if (ref.flags || ref.reserved)
		return -EINVAL;
	*id = ref.sender_id;
	return 0;
}

static long kipc_chan_wake_tx_ioctl(struct kipc_chan *chan,
				    struct kipc_chan_sender_ref __user *uarg)
{
	struct kipc_chan_seg *seg;
	bool wake = false;
	u64 id;
	int ret;

	ret = kipc_chan_get_sender_ref(uarg, &id);
	if (ret)
		return ret;
	spin_lock(&chan->lock);
	seg = kipc_chan_lookup_locked(chan, id);
	if (seg) {
		/* The word is the receiver's to scribble on: just clear it. */
		wake = xchg(&seg->rx->tx_wakeup, 0);
		if (wake)
			kipc_chan_seg_get(seg);
	}
	spin_unlock(&chan->lock);
	if (!seg)
		return -ENOENT;
	if (wake) {
		kipc_chan_wake_tx(seg);
		kipc_chan_seg_put(seg);
	}
	return 0;
}

static void kipc_chan_fill_sender(struct kipc_chan *chan,
				  struct kipc_chan_seg *seg,
				  struct kipc_chan_sender *out)
{
	const struct kipc_chan_geom *geom = &chan->geom;
	u64 pgoff = kipc_chan_slot_pgoff(geom, seg->id & KIPC_CHAN_SLOT_MASK);

	out->id = seg->id;
	out->tx_mmap = pgoff << PAGE_SHIFT;
	out->rx_mmap = (pgoff + geom->tx_pages + 1) << PAGE_SHIFT;
	out->flags = seg->live ? 0 : KIPC_CHAN_SENDER_CLOSED;
	out->pid = pid_nr_ns(seg->pid, task_active_pid_ns(current));
	out->uid = from_kuid_munged(current_user_ns(), seg->cred->euid);
	out->gid = from_kgid_munged(current_user_ns(), seg->cred->egid);
}

static long kipc_chan_senders_ioctl(struct kipc_chan *chan,
				    struct kipc_chan_senders __user *uarg)
{
	struct kipc_chan_senders args;
	struct kipc_chan_sender *list;
	struct kipc_chan_seg *seg;
	unsigned int cap, n = 0;
	long ret = 0;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	/* nothing is lost by capping: the table never holds more */
	cap = min(args.nr, chan->geom.params.max_senders);
	list = kvcalloc(max(cap, 1U), sizeof(*list), GFP_KERNEL);
	if (!list)
		return -ENOMEM;

	spin_lock(&chan->lock);
	if (kipc_chan_rx_closed(chan)) {
		ret = -EPIPE;
	} else {
		list_for_each_entry(seg, &chan->senders, node) {
			if (n == cap)
				break;
			kipc_chan_fill_sender(chan, seg, &list[n++]);
		}
		args.total = chan->nr_slots;
		args.gen = chan->gen;
		args.state = chan->no_writers ? KIPC_CHAN_CTL_NO_WRITERS : 0;
		chan->gen_seen = chan->gen;
	}
	spin_unlock(&chan->lock);
	if (ret)
		goto out;

	args.nr = n;
	if (copy_to_user(u64_to_user_ptr(args.senders), list,
			 n * sizeof(*list)) ||
	    copy_to_user(uarg, &args, sizeof(args)))
		ret = -EFAULT;
out:
	kvfree(list);
	return ret;
}

static long kipc_chan_detach_ioctl(struct kipc_chan *chan,
				   struct kipc_chan_sender_ref __user *uarg)
{
	bool ended = false, put_ep_mem = false;
	struct kipc_chan_seg *seg;
	u64 id;
	int ret;

	ret = kipc_chan_get_sender_ref(uarg, &id);
	if (ret)
		return ret;
	spin_lock(&chan->lock);
	seg = kipc_chan_lookup_locked(chan, id);
	if (seg) {
		if (seg->live) {
			/* Cut off a sender still connected. */
			seg->live = false;
			seg->disconnected = true;
			put_ep_mem = kipc_chan_seg_close_ep_locked(seg);
			chan->nr_live--;
			kipc_chan_set_tx_state_locked(seg,
						      KIPC_CHAN_TX_DISCONNECTED);
			ended = kipc_chan_check_writers_locked(chan);
			if (ended)
				kipc_chan_bump_gen_locked(chan);
		}
		kipc_chan_unlink_locked(chan, seg);
	}
	spin_unlock(&chan->lock);
	if (!seg)
		return -ENOENT;
	wake_up_all(&seg->wq);
	if (ended) {
		kipc_chan_wake_receiver(chan);
		kipc_chan_event(chan, KIPC_EVENT_TYPE_CHAN_PEER_CLOSED);
	}
	if (put_ep_mem)
		kipc_chan_seg_put_mem(seg);
	kipc_chan_seg_put_mem(seg);
	kipc_chan_seg_put(seg);
	return 0;
}

static int kipc_chan_rx_release(struct inode *inode, struct file *file)
{
	struct kipc_chan *chan = file->private_data;

	kipc_chan_rx_shutdown(chan);
	kipc_chan_put(chan);
	return 0;
}

static long kipc_chan_rx_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct kipc_chan *chan = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KIPC_CHAN_IOC_INFO:
		return kipc_chan_info(chan, NULL, KIPC_CHAN_ROLE_RECEIVER, uarg);
	case KIPC_CHAN_IOC_WAIT:
		return kipc_chan_wait_ioctl(chan, NULL, uarg);
	case KIPC_CHAN_IOC_WAKE_TX:
		return kipc_chan_wake_tx_ioctl(chan, uarg);
	case KIPC_CHAN_IOC_SENDERS:
		return kipc_chan_senders_ioctl(chan, uarg);
	case KIPC_CHAN_IOC_DETACH:
		return kipc_chan_detach_ioctl(chan, uarg);
	}
	return -ENOTTY;
}

const struct file_operations kipc_chan_rx_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_chan_rx_release,
	.unlocked_ioctl	= kipc_chan_rx_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= kipc_chan_rx_mmap,
	.poll		= kipc_chan_rx_poll,
	.show_fdinfo	= kipc_chan_show_fdinfo,
	.llseek		= noop_llseek,
};

static int kipc_chan_tx_release(struct inode *inode, struct file *file)
{
	struct kipc_chan_seg *seg = file->private_data;

	kipc_chan_seg_close(seg);
	kipc_chan_seg_put(seg);
	return 0;
}

static long kipc_chan_tx_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct kipc_chan_seg *seg = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KIPC_CHAN_IOC_INFO:
		return kipc_chan_info(seg->chan, seg, KIPC_CHAN_ROLE_SENDER,
				      uarg);
	case KIPC_CHAN_IOC_WAIT:
		return kipc_chan_wait_ioctl(seg->chan, seg, uarg);
	case KIPC_CHAN_IOC_WAKE_RX:
		return kipc_chan_wake_rx(seg);
	}
	return -ENOTTY;
}

const struct file_operations kipc_chan_tx_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_chan_tx_release,
	.unlocked_ioctl	= kipc_chan_tx_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= kipc_chan_tx_mmap,
	.poll		= kipc_chan_tx_poll,
	.show_fdinfo	= kipc_chan_show_fdinfo,
	.llseek		= noop_llseek,
};

static int kipc_chan_connector_release(struct inode *inode, struct file *file)
{
	struct kipc_chan *chan = file->private_data;
	bool ended;

	spin_lock(&chan->lock);
	chan->nr_connectors--;
	ended = kipc_chan_check_writers_locked(chan);
	if (ended)
		kipc_chan_bump_gen_locked(chan);
	spin_unlock(&chan->lock);
	if (ended) {
		kipc_chan_wake_receiver(chan);
		kipc_chan_event(chan, KIPC_EVENT_TYPE_CHAN_PEER_CLOSED);
	}
	kipc_chan_put(chan);
	return 0;
}

static long kipc_chan_connect_ioctl(struct file *connector,
				    struct kipc_chan_connect __user *uarg)
{
	struct kipc_chan *chan = connector->private_data;
	struct kipc_chan_connect args;
	struct kipc_chan_seg *seg;
	struct file *file;
	int fd;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	/* fd, sender_id and layout are outputs only. */
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = kipc_chan_connect_file(connector);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	seg = file->private_data;
	memset(&args, 0, sizeof(args));
	args.fd = fd;
	args.sender_id = seg->id;
	kipc_chan_fill_layout(&chan->geom, KIPC_CHAN_ROLE_SENDER,
			      &args.layout);
	if (copy_to_user(uarg, &args, sizeof(args))) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;
}

static long kipc_chan_connector_ioctl(struct file *file, unsigned int cmd,
				      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KIPC_CHAN_IOC_INFO:
		return kipc_chan_info(file->private_data, NULL,
				      KIPC_CHAN_ROLE_CONNECTOR, uarg);
	case KIPC_CHAN_IOC_CONNECT:
		return kipc_chan_connect_ioctl(file, uarg);
	}
	return -ENOTTY;
}

const struct file_operations kipc_chan_connector_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_chan_connector_release,
	.unlocked_ioctl	= kipc_chan_connector_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= kipc_chan_show_fdinfo,
	.llseek		= noop_llseek,
};
