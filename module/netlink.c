// SPDX-License-Identifier: GPL-2.0
/*
 * kipc statistics over generic netlink: the family "kipc".
 *
 * Documentation/netlink/specs/kipc.yaml describes it (the kernel's ynl
 * tool reads the family with that spec alone); uapi/linux/kipc_stats.h is
 * generated from the spec; Documentation/kipc/statistics.rst defines every
 * counter.
 *
 * Visibility.  The global counters and the histogram are readable by
 * anyone: they say how much kipc works, not for whom.  A door (or channel)
 * is shown only to a caller in the IPC namespace it was created in, and
 * only if the caller's effective uid created it, or the caller has
 * CAP_SYS_ADMIN over that IPC namespace's user namespace (checked on both
 * the socket's opener and the caller, netlink_ns_capable()).
 * CAP_SYS_ADMIN rather than CAP_NET_ADMIN: these are IPC objects, not
 * network configuration, and ipcs(1) output of other users' objects is
 * likewise an IPC administrator's business.  Ids are counters, never
 * kernel addresses.
 *
 * Events go to the "events" multicast group in the initial network
 * namespace only, whose listeners need CAP_SYS_ADMIN there
 * (GENL_MCAST_CAP_SYS_ADMIN): an event may concern any object of any
 * namespace.  Nothing is built unless someone listens.
 *
 * Dumps walk the objects in increasing id order, with the next id to look
 * at as the cursor in cb->ctx: ids only grow, so a dump that spans many
 * messages never shows an object twice, never misses one that lives
 * through the whole dump, and shows the ones created meanwhile if their id
 * is still ahead of the cursor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/limits.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "internal.h"
#include "channel.h"
#include "door.h"
#include "netlink.h"
#include "stats.h"

/* Index of the events group in kipc_nl_mcgrps[]. */
#define KIPC_NL_MCGRP_EVENTS	0

static struct genl_family kipc_nl_family;

/**
 * struct kipc_nl_viewer - who is asking, for what it may see
 * @ipc_ns:	the caller's IPC namespace, only compared
 * @ipc_inum:	its inode number (see struct kipc_door)
 * @euid:	the caller's effective uid
 * @all:	CAP_SYS_ADMIN over the IPC namespace: every object of it
 */
struct kipc_nl_viewer {
	const struct ipc_namespace *ipc_ns;
	unsigned int ipc_inum;
	kuid_t euid;
	bool all;
};

/*
 * The cursor of a dump, in cb->ctx: the viewer as the dump's request found
 * it, and the id of the next object to look at.
 */
struct kipc_nl_dump_ctx {
	struct kipc_nl_viewer viewer;
	unsigned long next_id;
};

static void kipc_nl_viewer_init(struct kipc_nl_viewer *v,
				const struct sk_buff *request)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;

	v->ipc_ns = ns;
	v->ipc_inum = ns->ns.inum;
	v->euid = current_euid();
	v->all = netlink_ns_capable(request, ns->user_ns, CAP_SYS_ADMIN);
}

static bool kipc_nl_may_see(const struct kipc_nl_viewer *v,
			    const struct ipc_namespace *ns, unsigned int inum,
			    kuid_t uid)
{
	if (ns != v->ipc_ns || inum != v->ipc_inum)
		return false;
	return v->all || uid_eq(uid, v->euid);
}

static int kipc_nl_put_u64(struct sk_buff *skb, int type, u64 value, int pad)
{
	return nla_put_u64_64bit(skb, type, value, pad);
}

/* Global counters */

static int kipc_nl_put_errors(struct sk_buff *skb, const struct kipc_stats *st)
{
	static const int attr_of[KIPC_STATS_ERR_NR] = {
		[KIPC_STATS_ERR_EBADF]		= KIPC_A_ERRORS_EBADF,
		[KIPC_STATS_ERR_EINTR]		= KIPC_A_ERRORS_EINTR,
		[KIPC_STATS_ERR_ETIMEDOUT]	= KIPC_A_ERRORS_ETIMEDOUT,
		[KIPC_STATS_ERR_EAGAIN]		= KIPC_A_ERRORS_EAGAIN,
		[KIPC_STATS_ERR_LIMIT]		= KIPC_A_ERRORS_LIMIT,
		[KIPC_STATS_ERR_EMFILE]		= KIPC_A_ERRORS_EMFILE,
		[KIPC_STATS_ERR_EFAULT]		= KIPC_A_ERRORS_EFAULT,
		[KIPC_STATS_ERR_OTHER]		= KIPC_A_ERRORS_OTHER,
	};
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, KIPC_A_STATS_DOOR_ERRORS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < KIPC_STATS_ERR_NR; i++)
		if (kipc_nl_put_u64(skb, attr_of[i], st->door_errors[i],
				    KIPC_A_ERRORS_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int kipc_nl_fill_stats(struct sk_buff *skb)
{
	struct kipc_chan_totals chan;
	struct kipc_stats *st;
	int ret = -EMSGSIZE;

	/* Too big for the stack with its histogram. */
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	kipc_stats_read(st);
	kipc_chan_read_totals(&chan, current_uid());

#define PUT(attr, value) \
	kipc_nl_put_u64(skb, KIPC_A_STATS_##attr, (value), KIPC_A_STATS_PAD)
	if (nla_put_u8(skb, KIPC_A_STATS_ENABLED, kipc_stats_on()) ||
	    PUT(CONTEXTS, atomic_long_read(&kipc_nr_contexts)) ||
	    PUT(DOOR_CREATED, st->door_created) ||
	    PUT(DOOR_LIVE, kipc_door_count_live()) ||
	    PUT(DOOR_CALLS, st->door_calls) ||
	    kipc_nl_put_errors(skb, st) ||
	    PUT(DOOR_BYTES_IN, st->door_bytes_in) ||
	    PUT(DOOR_BYTES_OUT, st->door_bytes_out) ||
	    PUT(DOOR_HANDOFFS, st->door_handoffs) ||
	    PUT(DOOR_QUEUED, st->door_queued) ||
	    PUT(DOOR_DEPLETIONS, st->door_depletions) ||
	    PUT(DOOR_UNREFS, st->door_unrefs) ||
	    PUT(CHAN_CREATED, chan.created) ||
	    PUT(CHAN_LIVE, chan.live) ||
	    PUT(CHAN_MESSAGES, chan.messages) ||
	    PUT(CHAN_BYTES, chan.bytes) ||
	    PUT(CHAN_WAITS, chan.waits) ||
	    PUT(CHAN_WAKEUPS, chan.wakeups) ||
	    PUT(CHAN_MEMORY, chan.memory) ||
	    PUT(CHAN_MEMORY_USER, chan.memory_user) ||
	    PUT(CHAN_MEMORY_LIMIT, chan.memory_limit) ||
	    PUT(EVENTS_DROPPED, st->events_dropped))
		goto out;
#undef PUT
	ret = 0;
out:
	kfree(st);
	return ret;
}

static int kipc_nl_fill_hist(struct sk_buff *skb)
{
	struct kipc_stats *st;
	struct nlattr *nest;
	u64 count = 0;
	int ret = -EMSGSIZE;
	int i;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	kipc_stats_read(st);
	for (i = 0; i < KIPC_STATS_HIST_BUCKETS; i++)
		count += st->hist[i];
	if (kipc_nl_put_u64(skb, KIPC_A_HIST_COUNT, count, KIPC_A_HIST_PAD) ||
	    kipc_nl_put_u64(skb, KIPC_A_HIST_SUM_NS, st->hist_sum_ns,
			    KIPC_A_HIST_PAD))
		goto out;
	for (i = 0; i < KIPC_STATS_HIST_BUCKETS; i++) {
		if (!st->hist[i])
			continue;
		nest = nla_nest_start(skb, KIPC_A_HIST_BUCKET);
		if (!nest)
			goto out;
		if (nla_put_u32(skb, KIPC_A_BUCKET_LOG2, i) ||
		    kipc_nl_put_u64(skb, KIPC_A_BUCKET_COUNT, st->hist[i],
				    KIPC_A_BUCKET_PAD)) {
			nla_nest_cancel(skb, nest);
			goto out;
		}
		nla_nest_end(skb, nest);
	}
	ret = 0;
out:
	kfree(st);
	return ret;
}

/* Reply to a do request with what @fill puts in a message of @cmd. */
static int kipc_nl_reply(struct genl_info *info, u8 cmd,
			 int (*fill)(struct sk_buff *skb))
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kipc_nl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err;
	}
	ret = fill(msg);
	if (ret)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return ret;
}

static int kipc_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_reply(info, KIPC_CMD_STATS_GET, kipc_nl_fill_stats);
}

static int kipc_nl_hist_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_reply(info, KIPC_CMD_HIST_GET, kipc_nl_fill_hist);
}

/* Doors */

/*
 * One message describing @door into @skb.  @path is a PATH_MAX buffer for
 * its name.  Returns 0 or -EMSGSIZE (the message is cancelled).
 */
static int kipc_nl_fill_door(struct sk_buff *skb, struct kipc_door *door,
			     u32 portid, u32 seq, int flags, char *path)
{
	struct kipc_door_stats st;
	unsigned int threads, idle;
	char *name = NULL;
	u32 attrs;
	pid_t pid;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipc_nl_family, flags,
			  KIPC_CMD_DOOR_GET);
	if (!hdr)
		return -EMSGSIZE;

	kipc_door_read_stats(door, &st);
	attrs = kipc_door_attributes_for(door, current) & ~KIPC_DOOR_LOCAL;
	pid = attrs & KIPC_DOOR_REVOKED ? 0 :
	      pid_nr_ns(door->ctx->owner, task_active_pid_ns(current));
	spin_lock(&door->pool->lock);
	threads = door->pool->nr_threads;
	idle = door->pool->nr_idle;
	spin_unlock(&door->pool->lock);
	if (path)
		name = kipc_door_name_path(door, path, PATH_MAX);

	if (kipc_nl_put_u64(skb, KIPC_A_DOOR_ID, door->id, KIPC_A_DOOR_PAD) ||
	    nla_put_u32(skb, KIPC_A_DOOR_PID, pid) ||
	    nla_put_u32(skb, KIPC_A_DOOR_UID,
			from_kuid_munged(current_user_ns(), door->uid)) ||
	    nla_put_u32(skb, KIPC_A_DOOR_ATTRIBUTES, attrs) ||
	    kipc_nl_put_u64(skb, KIPC_A_DOOR_CALLS, st.calls,
			    KIPC_A_DOOR_PAD) ||
	    kipc_nl_put_u64(skb, KIPC_A_DOOR_ERRORS, st.errors,
			    KIPC_A_DOOR_PAD) ||
	    kipc_nl_put_u64(skb, KIPC_A_DOOR_BYTES_IN, st.bytes_in,
			    KIPC_A_DOOR_PAD) ||
	    kipc_nl_put_u64(skb, KIPC_A_DOOR_BYTES_OUT, st.bytes_out,
			    KIPC_A_DOOR_PAD) ||
	    nla_put_u32(skb, KIPC_A_DOOR_ACTIVE, atomic_read(&door->active)) ||
	    nla_put_u32(skb, KIPC_A_DOOR_THREADS, threads) ||
	    nla_put_u32(skb, KIPC_A_DOOR_IDLE_THREADS, idle) ||
	    (name && nla_put_string(skb, KIPC_A_DOOR_NAME, name))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static bool kipc_nl_may_see_door(const struct kipc_nl_viewer *v,
				 const struct kipc_door *door)
{
	return kipc_nl_may_see(v, door->ipc_ns, door->ipc_inum, door->uid);
}

static int kipc_nl_door_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_nl_viewer viewer;
	struct kipc_door *door;
	unsigned long id;
	struct sk_buff *msg;
	char *path;
	int ret;

	if (!info->attrs[KIPC_A_DOOR_ID]) {
		NL_SET_ERR_MSG(info->extack, "a door id is required");
		return -EINVAL;
	}
	id = nla_get_u64(info->attrs[KIPC_A_DOOR_ID]);
	kipc_nl_viewer_init(&viewer, skb);
	door = kipc_door_find_next(&id);
	if (!door)
		return -ENOENT;
	ret = -ENOENT;
	if (door->id != nla_get_u64(info->attrs[KIPC_A_DOOR_ID]) ||
	    !kipc_nl_may_see_door(&viewer, door))
		goto out_put;

	ret = -ENOMEM;
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		goto out_put;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out_path;
	ret = kipc_nl_fill_door(msg, door, info->snd_portid, info->snd_seq, 0,
				path);
	if (ret) {
		nlmsg_free(msg);
		goto out_path;
	}
	ret = genlmsg_reply(msg, info);
out_path:
	kfree(path);
out_put:
	kipc_door_put(door);
	return ret;
}

static struct kipc_nl_dump_ctx *kipc_nl_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct kipc_nl_dump_ctx) > sizeof(cb->ctx));
	return (struct kipc_nl_dump_ctx *)cb->ctx;
}

/* The first call of a dump, in the requester's context: who is asking. */
static int kipc_nl_dump_start(struct netlink_callback *cb)
{
	struct kipc_nl_dump_ctx *ctx = kipc_nl_dump_ctx(cb);

	kipc_nl_viewer_init(&ctx->viewer, cb->skb);
	ctx->next_id = 1;
	return 0;
}

static int kipc_nl_door_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct kipc_nl_dump_ctx *ctx = kipc_nl_dump_ctx(cb);
	struct kipc_door *door;
	unsigned long id = ctx->next_id;
	int ret = 0;
	char *path;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	while ((door = kipc_door_find_next(&id))) {
		if (kipc_nl_may_see_door(&ctx->viewer, door))
			ret = kipc_nl_fill_door(skb, door,
						NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq,
						NLM_F_MULTI, path);
		kipc_door_put(door);
		if (ret)
			break;
		/* The next one, next time, whatever was freed meanwhile. */
		id++;
		if (!id)
			break;
	}
	kfree(path);
	ctx->next_id = id;
	/*
	 * A full message (-EMSGSIZE) with doors in it: the rest go in the
	 * next.  A door too big for an empty message would be an error.
	 */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

/* Channels */

/* Endpoints of a channel reported, at most (the rest are left out). */
#define KIPC_NL_CHAN_ENDPOINTS	64

static bool kipc_nl_may_see_chan(const struct kipc_nl_viewer *v,
				 const struct kipc_chan *chan)
{
	return kipc_nl_may_see(v, chan->ipc_ns, chan->ipc_inum, chan->euid);
}

/* The senders' pids, in the caller's pid namespace, into @pids. */
static unsigned int kipc_nl_chan_senders(struct kipc_chan *chan, u32 *pids,
					 unsigned int max)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct kipc_chan_seg *seg;
	unsigned int n = 0;

	spin_lock(&chan->lock);
	list_for_each_entry(seg, &chan->senders, node) {
		if (n == max)
			break;
		if (seg->live)
			pids[n++] = pid_nr_ns(seg->pid, ns);
	}
	spin_unlock(&chan->lock);
	return n;
}

static int kipc_nl_put_endpoint(struct sk_buff *skb, u32 role, u32 pid)
{
	struct nlattr *nest = nla_nest_start(skb, KIPC_A_CHAN_ENDPOINT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KIPC_A_ENDPOINT_ROLE, role) ||
	    nla_put_u32(skb, KIPC_A_ENDPOINT_PID, pid)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One message describing @chan into @skb; 0 or -EMSGSIZE (cancelled). */
static int kipc_nl_fill_chan(struct sk_buff *skb, struct kipc_chan *chan,
			     u32 portid, u32 seq, int flags, u32 *pids)
{
	struct kipc_chan_stats st;
	unsigned int i, n;
	u32 pid;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipc_nl_family, flags,
			  KIPC_CMD_CHAN_GET);
	if (!hdr)
		return -EMSGSIZE;
	kipc_chan_read_stats(chan, &st);
	pid = pid_nr_ns(chan->creator, task_active_pid_ns(current));
	n = kipc_nl_chan_senders(chan, pids, KIPC_NL_CHAN_ENDPOINTS - 1);

#define PUT64(attr, v) \
	kipc_nl_put_u64(skb, KIPC_A_CHAN_##attr, (v), KIPC_A_CHAN_PAD)
	if (PUT64(ID, chan->id) ||
	    nla_put_u32(skb, KIPC_A_CHAN_PID, pid) ||
	    nla_put_u32(skb, KIPC_A_CHAN_UID,
			from_kuid_munged(current_user_ns(), chan->euid)) ||
	    (!st.rx_closed &&
	     kipc_nl_put_endpoint(skb, KIPC_ENDPOINT_ROLE_RECEIVER, pid)))
		goto cancel;
	for (i = 0; i < n; i++)
		if (kipc_nl_put_endpoint(skb, KIPC_ENDPOINT_ROLE_SENDER,
					 pids[i]))
			goto cancel;
	if (nla_put_u32(skb, KIPC_A_CHAN_SENDERS, st.senders) ||
	    nla_put_u32(skb, KIPC_A_CHAN_LIVE_SENDERS, st.live_senders) ||
	    nla_put_u32(skb, KIPC_A_CHAN_DEPTH, st.depth) ||
	    PUT64(MESSAGES, st.messages) || PUT64(BYTES, st.bytes) ||
	    PUT64(RX_WAITS, st.rx_waits) || PUT64(TX_WAITS, st.tx_waits) ||
	    PUT64(RX_WAKEUPS, st.rx_wakeups) ||
	    PUT64(TX_WAKEUPS, st.tx_wakeups) ||
	    PUT64(EMPTY, st.empty) || PUT64(FULL, st.full) ||
	    PUT64(CONNECTS, st.connects) || PUT64(MEMORY, st.memory) ||
	    nla_put_u8(skb, KIPC_A_CHAN_RX_CLOSED, st.rx_closed))
		goto cancel;
#undef PUT64
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int kipc_nl_chan_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_nl_viewer viewer;
	struct kipc_chan *chan;
	struct sk_buff *msg;
	unsigned long id;
	u32 *pids;
	int ret;

	if (!info->attrs[KIPC_A_CHAN_ID]) {
		NL_SET_ERR_MSG(info->extack, "a channel id is required");
		return -EINVAL;
	}
	id = nla_get_u64(info->attrs[KIPC_A_CHAN_ID]);
	if (id > U32_MAX)
		return -ENOENT;
	kipc_nl_viewer_init(&viewer, skb);
	chan = kipc_chan_find_next(&id);
	if (!chan)
		return -ENOENT;
	ret = -ENOENT;
	if (id != nla_get_u64(info->attrs[KIPC_A_CHAN_ID]) ||
	    !kipc_nl_may_see_chan(&viewer, chan))
		goto out_put;
	ret = -ENOMEM;
	pids = kcalloc(KIPC_NL_CHAN_ENDPOINTS, sizeof(*pids), GFP_KERNEL);
	if (!pids)
		goto out_put;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out_pids;
	ret = kipc_nl_fill_chan(msg, chan, info->snd_portid, info->snd_seq, 0,
				pids);
	if (ret) {
		nlmsg_free(msg);
		goto out_pids;
	}
	ret = genlmsg_reply(msg, info);
out_pids:
	kfree(pids);
out_put:
	kipc_chan_put(chan);
	return ret;
}

static int kipc_nl_chan_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct kipc_nl_dump_ctx *ctx = kipc_nl_dump_ctx(cb);
	unsigned long id = ctx->next_id;
	struct kipc_chan *chan;
	int ret = 0;
	u32 *pids;

	pids = kcalloc(KIPC_NL_CHAN_ENDPOINTS, sizeof(*pids), GFP_KERNEL);
	if (!pids)
		return -ENOMEM;
	while ((chan = kipc_chan_find_next(&id))) {
		if (kipc_nl_may_see_chan(&ctx->viewer, chan))
			ret = kipc_nl_fill_chan(skb, chan,
						NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq,
						NLM_F_MULTI, pids);
		kipc_chan_put(chan);
		if (ret)
			break;
		id++;
	}
	kfree(pids);
	ctx->next_id = id;
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

/* Events */

bool kipc_nl_listening(void)
{
	return genl_has_listeners(&kipc_nl_family, &init_net,
				  KIPC_NL_MCGRP_EVENTS) > 0;
}

void kipc_nl_event(u32 type, u64 door_id, u64 chan_id, u32 pid, u32 attrs)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	/* Events may come from atomic context: no sleeping allocation. */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		goto dropped;
	hdr = genlmsg_put(msg, 0, 0, &kipc_nl_family, 0, KIPC_CMD_EVENT);
	if (!hdr)
		goto free;
	if (nla_put_u32(msg, KIPC_A_EVENT_TYPE, type) ||
	    (door_id && kipc_nl_put_u64(msg, KIPC_A_EVENT_DOOR_ID, door_id,
					KIPC_A_EVENT_PAD)) ||
	    (chan_id && kipc_nl_put_u64(msg, KIPC_A_EVENT_CHAN_ID, chan_id,
					KIPC_A_EVENT_PAD)) ||
	    nla_put_u32(msg, KIPC_A_EVENT_PID, pid) ||
	    (door_id && nla_put_u32(msg, KIPC_A_EVENT_ATTRIBUTES, attrs)))
		goto free;
	genlmsg_end(msg, hdr);
	ret = genlmsg_multicast(&kipc_nl_family, msg, 0, KIPC_NL_MCGRP_EVENTS,
				GFP_ATOMIC);
	/* No listener left (ESRCH) is not a loss. */
	if (ret && ret != -ESRCH)
		goto dropped;
	return;
free:
	nlmsg_free(msg);
dropped:
	kipc_stats_inc(events_dropped);
}

/* The family */

static const struct nla_policy kipc_nl_door_get_policy[KIPC_A_DOOR_ID + 1] = {
	[KIPC_A_DOOR_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

static const struct nla_policy kipc_nl_chan_get_policy[KIPC_A_CHAN_ID + 1] = {
	[KIPC_A_CHAN_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

/*
 * Operations without a policy accept no attribute (resv_start_op is 0, so
 * the core gives them a policy that rejects all).
 */
static const struct genl_ops kipc_nl_ops[] = {
	{
		.cmd	= KIPC_CMD_STATS_GET,
		.doit	= kipc_nl_stats_get_doit,
	},
	{
		.cmd	= KIPC_CMD_DOOR_GET,
		.doit	= kipc_nl_door_get_doit,
		.start	= kipc_nl_dump_start,
		.dumpit	= kipc_nl_door_get_dumpit,
		.policy	= kipc_nl_door_get_policy,
		.maxattr = ARRAY_SIZE(kipc_nl_door_get_policy) - 1,
	},
	{
		.cmd	= KIPC_CMD_CHAN_GET,
		.doit	= kipc_nl_chan_get_doit,
		.start	= kipc_nl_dump_start,
		.dumpit	= kipc_nl_chan_get_dumpit,
		.policy	= kipc_nl_chan_get_policy,
		.maxattr = ARRAY_SIZE(kipc_nl_chan_get_policy) - 1,
	},
	{
		.cmd	= KIPC_CMD_HIST_GET,
		.doit	= kipc_nl_hist_get_doit,
	},
};

static const struct genl_multicast_group kipc_nl_mcgrps[] = {
	[KIPC_NL_MCGRP_EVENTS] = {
		.name	= KIPC_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_SYS_ADMIN,
	},
};

/*
 * Registered once at module load; the core writes its id and multicast
 * offset into it.  parallel_ops: no operation needs genl_mutex, each takes
 * what it reads under the objects' own locks.
 */
static struct genl_family kipc_nl_family = {
	.name		= KIPC_FAMILY_NAME,
	.version	= KIPC_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= kipc_nl_ops,
	.n_ops		= ARRAY_SIZE(kipc_nl_ops),
	.resv_start_op	= 0,
	.mcgrps		= kipc_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kipc_nl_mcgrps),
};

int kipc_nl_init(void)
{
	return genl_register_family(&kipc_nl_family);
}

void kipc_nl_exit(void)
{
	genl_unregister_family(&kipc_nl_family);
}
