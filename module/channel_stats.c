// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channels: the registry of channels, their counters, and how they are
 * reported (show_fdinfo now, the statistics netlink family later).
 *
 * The counters of the slow paths (waits, wakeups, empty and full events)
 * are per CPU.  The data path never enters the kernel, so messages and
 * bytes are what the senders' libraries count in their TX headers, summed
 * with what departed senders had counted; the current depth is the sum of
 * the senders' ring occupancies.  Both come from shared memory and are only
 * reported, never used.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "channel.h"
#include "netlink.h"
#include "stats.h"

/*
 * Every channel alive, by id.  Entries are freed after an RCU grace.  Ids
 * are allocated cyclically, so that an id is not soon given to another
 * channel: a statistics dump walks them in increasing order.
 */
static DEFINE_XARRAY_ALLOC1(kipc_chans);
static u32 kipc_chan_next_id;
static atomic_long_t kipc_nr_chans = ATOMIC_LONG_INIT(0);

/*
 * What the channels that are gone had counted, so that the global counters
 * only grow (added to under kipc_chan_gone_lock, read without it).
 */
static DEFINE_SPINLOCK(kipc_chan_gone_lock);
static u64 kipc_chan_gone[4];	/* messages, bytes, waits, wakeups */

int kipc_chan_register(struct kipc_chan *chan)
{
	int ret;

	ret = xa_alloc_cyclic(&kipc_chans, &chan->id, chan, xa_limit_31b,
			      &kipc_chan_next_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0)
		return ret;
	atomic_long_inc(&kipc_nr_chans);
	kipc_stats_inc(chan_created);
	return 0;
}

void kipc_chan_unregister(struct kipc_chan *chan)
{
	struct kipc_chan_stats st;

	kipc_chan_read_stats(chan, &st);
	spin_lock(&kipc_chan_gone_lock);
	WRITE_ONCE(kipc_chan_gone[0], kipc_chan_gone[0] + st.messages);
	WRITE_ONCE(kipc_chan_gone[1], kipc_chan_gone[1] + st.bytes);
	WRITE_ONCE(kipc_chan_gone[2],
		   kipc_chan_gone[2] + st.rx_waits + st.tx_waits);
	WRITE_ONCE(kipc_chan_gone[3],
		   kipc_chan_gone[3] + st.rx_wakeups + st.tx_wakeups);
	spin_unlock(&kipc_chan_gone_lock);
	xa_erase(&kipc_chans, chan->id);
	atomic_long_dec(&kipc_nr_chans);
}

/*
 * The channel of the smallest id >= *@id, referenced, with *@id set to its
 * id; NULL when there is none.
 */
struct kipc_chan *kipc_chan_find_next(unsigned long *id)
{
	struct kipc_chan *chan;

	rcu_read_lock();
	for (;;) {
		chan = xa_find(&kipc_chans, id, U32_MAX, XA_PRESENT);
		if (!chan || kref_get_unless_zero(&chan->ref))
			break;
		(*id)++;
	}
	rcu_read_unlock();
	return chan;
}

/* Tell the listeners of the events group, if any, that @type happened. */
void kipc_chan_event(struct kipc_chan *chan, u32 type)
{
	if (kipc_nl_listening())
		kipc_nl_event(type, 0, chan->id, pid_nr(chan->creator), 0);
}

/* The channels' part of the global counters; @uid's memory for the user. */
void kipc_chan_read_totals(struct kipc_chan_totals *t, kuid_t uid)
{
	struct kipc_chan_stats st;
	struct kipc_chan *chan;
	unsigned long id = 0;

	memset(t, 0, sizeof(*t));
	while ((chan = kipc_chan_find_next(&id))) {
		kipc_chan_read_stats(chan, &st);
		kipc_chan_put(chan);
		t->messages += st.messages;
		t->bytes += st.bytes;
		t->waits += st.rx_waits + st.tx_waits;
		t->wakeups += st.rx_wakeups + st.tx_wakeups;
		t->memory += st.memory;
		id++;
	}
	/* Read after the live ones: a channel freed meanwhile is not lost. */
	t->messages += READ_ONCE(kipc_chan_gone[0]);
	t->bytes += READ_ONCE(kipc_chan_gone[1]);
	t->waits += READ_ONCE(kipc_chan_gone[2]);
	t->wakeups += READ_ONCE(kipc_chan_gone[3]);
	t->created = kipc_stats_sum(chan_created);
	t->live = kipc_chan_count();
	t->memory_user = (u64)kipc_chan_user_usage(uid) << PAGE_SHIFT;
	t->memory_limit = (u64)kipc_chan_user_limit() << PAGE_SHIFT;
}

unsigned long kipc_chan_count(void)
{
	return atomic_long_read(&kipc_nr_chans);
}

/*
 * The channel with @id, referenced (kipc_chan_put() it), or NULL.  With
 * xa_find() over kipc_chans this is how a netlink dump walks the channels.
 */
struct kipc_chan *kipc_chan_get_by_id(u32 id)
{
	struct kipc_chan *chan;

	rcu_read_lock();
	chan = xa_load(&kipc_chans, id);
	if (chan && !kref_get_unless_zero(&chan->ref))
		chan = NULL;
	rcu_read_unlock();
	return chan;
}

/**
 * kipc_chan_read_stats - a snapshot of a channel's counters
 * @chan:	a referenced channel
 * @st:		filled in
 *
 * Takes chan->lock; callable from any sleepable or atomic context that does
 * not hold it.
 */
void kipc_chan_read_stats(struct kipc_chan *chan, struct kipc_chan_stats *st)
{
	u32 depth = chan->geom.params.ring_depth;
	struct kipc_chan_seg *seg;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		struct kipc_chan_pcpu *p = per_cpu_ptr(chan->stats, cpu);

		st->rx_waits += READ_ONCE(p->rx_waits);
		st->tx_waits += READ_ONCE(p->tx_waits);
		st->rx_wakeups += READ_ONCE(p->rx_wakeups);
		st->tx_wakeups += READ_ONCE(p->tx_wakeups);
		st->empty += READ_ONCE(p->empty);
		st->full += READ_ONCE(p->full);
	}
	st->id = chan->id;
	st->memory = (u64)atomic_long_read(&chan->pages) << PAGE_SHIFT;

	spin_lock(&chan->lock);
	st->senders = chan->nr_slots;
	st->live_senders = chan->nr_live;
	st->connects = chan->connects;
	st->messages = chan->gone_msgs;
	st->bytes = chan->gone_bytes;
	st->rx_closed = chan->rx_ep.state == KIPC_CHAN_EP_CLOSED;
	list_for_each_entry(seg, &chan->senders, node) {
		u32 queued = READ_ONCE(seg->tx->tail) - READ_ONCE(seg->rx->head);

		st->messages += READ_ONCE(seg->tx->msgs);
		st->bytes += READ_ONCE(seg->tx->bytes);
		st->depth += min(queued, depth);
	}
	spin_unlock(&chan->lock);
}

void kipc_chan_show_fdinfo(struct seq_file *m, struct file *file)
{
	const struct kipc_chan_params *p;
	struct kipc_chan_seg *seg = NULL;
	struct kipc_chan_stats st;
	struct kipc_chan *chan;
	const char *role;

	if (file->f_op == &kipc_chan_tx_fops) {
		seg = file->private_data;
		chan = seg->chan;
		role = "sender";
	} else {
		chan = file->private_data;
		role = file->f_op == &kipc_chan_rx_fops ? "receiver" :
							  "connector";
	}
	p = &chan->geom.params;
	kipc_chan_read_stats(chan, &st);

	seq_printf(m, "chan_id:\t%u\n", st.id);
	seq_printf(m, "role:\t%s\n", role);
	if (seg) {
		u64 msgs = 0, bytes = 0;

		spin_lock(&chan->lock);
		if (!seg->mem_gone) {
			msgs = READ_ONCE(seg->tx->msgs);
			bytes = READ_ONCE(seg->tx->bytes);
		}
		spin_unlock(&chan->lock);
		seq_printf(m, "sender_id:\t%llu\nsender_messages:\t%llu\nsender_bytes:\t%llu\n",
			   seg->id, msgs, bytes);
	}
	seq_printf(m, "pool_size:\t%llu\nmax_msg:\t%u\nring_depth:\t%u\nmax_senders:\t%u\n",
		   p->pool_size, p->max_msg, p->ring_depth, p->max_senders);
	seq_printf(m, "receiver:\t%s\n", st.rx_closed ? "closed" : "open");
	seq_printf(m, "senders:\t%u\nlive_senders:\t%u\nconnects:\t%llu\n",
		   st.senders, st.live_senders, st.connects);
	seq_printf(m, "messages:\t%llu\nbytes:\t%llu\ndepth:\t%u\n",
		   st.messages, st.bytes, st.depth);
	seq_printf(m, "rx_waits:\t%llu\ntx_waits:\t%llu\nrx_wakeups:\t%llu\ntx_wakeups:\t%llu\n",
		   st.rx_waits, st.tx_waits, st.rx_wakeups, st.tx_wakeups);
	seq_printf(m, "empty:\t%llu\nfull:\t%llu\nmemory:\t%llu\n",
		   st.empty, st.full, st.memory);
}
