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

/* Every channel alive, by id.  Entries are freed after an RCU grace. */
static DEFINE_XARRAY_ALLOC1(kipc_chans);
static atomic_long_t kipc_nr_chans = ATOMIC_LONG_INIT(0);

int kipc_chan_register(struct kipc_chan *chan)
{
	int ret;

	ret = xa_alloc(&kipc_chans, &chan->id, chan, xa_limit_31b,
		       GFP_KERNEL_ACCOUNT);
	if (!ret)
		atomic_long_inc(&kipc_nr_chans);
	return ret;
}

void kipc_chan_unregister(struct kipc_chan *chan)
{
	xa_erase(&kipc_chans, chan->id);
	atomic_long_dec(&kipc_nr_chans);
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
