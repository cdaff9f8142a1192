// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channels: readiness, sleeping and waking.
 *
 * The data path needs no system call while the other side is awake.  A side
 * that runs out of work asks the kernel to wait (KIPC_CHAN_IOC_WAIT) or
 * polls its endpoint; the kernel then arms a wakeup flag in shared memory
 * that the other side reads after each publication, and only a side that
 * finds the flag set makes the wakeup call (KIPC_CHAN_IOC_WAKE_RX/_TX):
 *
 *   receiver waits on:   the senders' send rings (tail != head)
 *   armed flag:          KIPC_CHAN_RX_NEED_WAKEUP in the flags page
 *   checked by:          a sender, after publishing its send ring tail
 *
 *   sender waits on:     its release ring (tail != head)
 *   armed flag:          tx_wakeup in its RX header
 *   checked by:          the receiver, after publishing the release tail
 *
 * Memory ordering.  The waiter stores the flag, executes smp_mb() and then
 * loads the indices; the publisher stores its index, executes a full
 * barrier (a sequentially consistent fence in C11 terms) and then loads the
 * flag.  Of these two store-buffering sequences at least one load sees the
 * other side's store: either the waiter sees the new index and does not
 * sleep, or the publisher sees the flag and wakes it.  The waiter is on the
 * wait queue (prepare_to_wait()) before it arms and checks, so a wakeup
 * that comes between the check and schedule() is not lost either.
 *
 * The flag is cleared by the wakeup call that delivers it, never by the
 * waiter: a spurious or late wakeup may clear it while the waiter still
 * waits, so the waiter re-arms before every check, including after every
 * wakeup.  A flag left armed after a wait ended for another reason costs at
 * most one unneeded wakeup call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "channel.h"

/*
 * Whether the receiver has something to do: a message in a send ring, a
 * change in the sender table it has not fetched, or the end of the channel.
 * Sets *eof when there are no writers left and every ring is drained.
 * chan->lock held.
 */
static bool kipc_chan_rx_ready_locked(struct kipc_chan *chan, bool *eof)
{
	bool table_changed = chan->gen != chan->gen_seen;
	struct kipc_chan_seg *seg;

	*eof = false;
	list_for_each_entry(seg, &chan->senders, node) {
		/* Untrusted values: only ever compared. */
		if (READ_ONCE(seg->tx->tail) != READ_ONCE(seg->rx->head))
			return true;
	}
	/* The end is reported with the table change that may bring it. */
	*eof = chan->no_writers;
	return table_changed || *eof;
}

/* Whether a sender has buffers back on its release ring. */
static bool kipc_chan_tx_ready(struct kipc_chan_seg *seg)
{
	return READ_ONCE(seg->rx->release_tail) !=
	       READ_ONCE(seg->tx->release_head);
}

/*
 * Check the receiver's readiness; when @arm and it has nothing to do, arm
 * its wakeup flag and check again (see the top of this file).  Returns 1
 * when ready, 0 when not, -EPIPE when the receiver is closed.
 */
static int kipc_chan_rx_check(struct kipc_chan *chan, bool arm, bool *eof)
{
	int ret;
	u32 flags;

	spin_lock(&chan->lock);
	if (chan->rx_ep.state == KIPC_CHAN_EP_CLOSED) {
		ret = -EPIPE;
	} else if (kipc_chan_rx_ready_locked(chan, eof)) {
		ret = 1;
	} else if (!arm) {
		ret = 0;
	} else {
		flags = READ_ONCE(chan->flags->rx);
		if (!(flags & KIPC_CHAN_RX_NEED_WAKEUP))
			WRITE_ONCE(chan->flags->rx,
				   flags | KIPC_CHAN_RX_NEED_WAKEUP);
		smp_mb(); /* the flag before the indices; pairs with senders */
		ret = kipc_chan_rx_ready_locked(chan, eof);
	}
	spin_unlock(&chan->lock);
	return ret;
}

/*
 * As kipc_chan_rx_check(), for a sender: -EPIPE when the receiver or the
 * sender itself is closed, -ECONNRESET when the receiver disconnected it.
 * With @if_blocked (poll()), a sender that did not report itself out of
 * buffers is ready as it is.  Until the endpoint is closed, it holds its
 * pages.
 */
static int kipc_chan_tx_check(struct kipc_chan_seg *seg, bool arm,
			      bool if_blocked)
{
	struct kipc_chan *chan = seg->chan;
	int ret;

	spin_lock(&chan->lock);
	if (seg->disconnected) {
		ret = -ECONNRESET;
	} else if (chan->rx_ep.state == KIPC_CHAN_EP_CLOSED ||
		   seg->ep.state == KIPC_CHAN_EP_CLOSED) {
		ret = -EPIPE;
	} else if ((if_blocked && !READ_ONCE(seg->tx->blocked)) ||
		   kipc_chan_tx_ready(seg)) {
		ret = 1;
	} else if (!arm) {
		ret = 0;
	} else {
		WRITE_ONCE(seg->rx->tx_wakeup, 1);
		smp_mb(); /* the flag before the indices; pairs with receiver */
		ret = kipc_chan_tx_ready(seg);
	}
	spin_unlock(&chan->lock);
	return ret;
}

/* What kipc_chan_sleep() waits for: @check arms and checks it. */
struct kipc_chan_waiter {
	int (*check)(struct kipc_chan_waiter *w);
	struct kipc_chan *chan;
	struct kipc_chan_seg *seg;
};

/*
 * Sleep on @wq until @w->check says ready (1) or fails (< 0), the timeout
 * expires (-ETIMEDOUT; -EAGAIN for a zero timeout, which only arms and
 * checks) or a signal arrives (-EINTR: the wait is not restarted, since a
 * relative timeout would start over).  *@slept tells whether it slept.
 */

static int kipc_chan_sleep(wait_queue_head_t *wq, s64 timeout_ns,
			   struct kipc_chan_waiter *w, bool *slept)
{
	DEFINE_WAIT(wait);
	bool expired = false;
	ktime_t deadline = 0;
	int ret;

	*slept = false;
	if (timeout_ns > 0)
		deadline = ktime_add_safe(ktime_get(), ns_to_ktime(timeout_ns));
	for (;;) {
		prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
		ret = w->check(w);
		if (ret)
			break;
		if (!timeout_ns) {
			ret = -EAGAIN;
			break;
		}
		if (expired) {
			ret = -ETIMEDOUT;
			break;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		*slept = true;
		if (timeout_ns < 0)
			schedule();
		else
			expired = !schedule_hrtimeout_range(&deadline,
						current->timer_slack_ns,
						HRTIMER_MODE_ABS);
	}
	finish_wait(wq, &wait);
	return ret < 0 ? ret : 0;
}

static int kipc_chan_rx_waiter_check(struct kipc_chan_waiter *w)
{
	bool eof;

	return kipc_chan_rx_check(w->chan, true, &eof);
}

static int kipc_chan_tx_waiter_check(struct kipc_chan_waiter *w)
{
	return kipc_chan_tx_check(w->seg, true, false);
}

int kipc_chan_rx_wait(struct kipc_chan *chan, s64 timeout_ns)
{
	struct kipc_chan_waiter w = {
		.check = kipc_chan_rx_waiter_check,
		.chan = chan,
	};
	bool slept, eof;
	int ret;

	ret = kipc_chan_rx_check(chan, false, &eof);
	if (ret)
		return ret < 0 ? ret : 0;
	kipc_chan_count_event(chan, empty);
	ret = kipc_chan_sleep(&chan->rx_wq, timeout_ns, &w, &slept);
	if (slept)
		kipc_chan_count_event(chan, rx_waits);
	return ret;
}

int kipc_chan_tx_wait(struct kipc_chan_seg *seg, s64 timeout_ns)
{
	struct kipc_chan_waiter w = {
		.check = kipc_chan_tx_waiter_check,
		.chan = seg->chan,
		.seg = seg,
	};
	bool slept;
	int ret;

	ret = kipc_chan_tx_check(seg, false, false);
	if (ret)
		return ret < 0 ? ret : 0;
	kipc_chan_count_event(seg->chan, full);
	ret = kipc_chan_sleep(&seg->wq, timeout_ns, &w, &slept);
	if (slept)
		kipc_chan_count_event(seg->chan, tx_waits);
	return ret;
}

/*
 * KIPC_CHAN_IOC_WAKE_RX: a sender found the receiver's flag armed.  Only a
 * live sender may wake the receiver, so that the receiver can silence one
 * that abuses it by disconnecting it.
 */
int kipc_chan_wake_rx(struct kipc_chan_seg *seg)
{
	struct kipc_chan *chan = seg->chan;
	bool wake = false;
	int ret = 0;
	u32 flags;

	spin_lock(&chan->lock);
	if (seg->disconnected) {
		ret = -ECONNRESET;
	} else if (!seg->live || chan->rx_ep.state == KIPC_CHAN_EP_CLOSED) {
		ret = -EPIPE;
	} else {
		flags = READ_ONCE(chan->flags->rx);
		wake = flags & KIPC_CHAN_RX_NEED_WAKEUP;
		if (wake)
			WRITE_ONCE(chan->flags->rx,
				   flags & ~KIPC_CHAN_RX_NEED_WAKEUP);
	}
	spin_unlock(&chan->lock);
	/*
	 * No flag, no sleeper: whoever cleared it woke the receiver after the
	 * caller's message was visible, and the receiver re-arms and re-checks
	 * before it sleeps again.
	 */
	if (wake) {
		kipc_chan_count_event(chan, rx_wakeups);
		wake_up_interruptible_poll(&chan->rx_wq, EPOLLIN | EPOLLRDNORM);
	}
	return ret;
}

/* KIPC_CHAN_IOC_WAKE_TX: the receiver found @seg's flag armed (and cleared). */
void kipc_chan_wake_tx(struct kipc_chan_seg *seg)
{
	kipc_chan_count_event(seg->chan, tx_wakeups);
	wake_up_interruptible_poll(&seg->wq, EPOLLOUT | EPOLLWRNORM);
}

/*
 * poll() on the receiver: readable when there is something to receive or
 * the channel ended (then also EPOLLHUP).  When not readable, the wakeup is
 * armed, so poll(), select() and level-triggered epoll need nothing more;
 * edge-triggered epoll must re-arm with a zero-timeout KIPC_CHAN_IOC_WAIT
 * after draining (kipc_chan_rx_arm() in libkipc).
 */
__poll_t kipc_chan_rx_poll(struct file *file, struct poll_table_struct *pt)
{
	struct kipc_chan *chan = file->private_data;
	__poll_t mask = 0;
	bool eof;
	int ret;

	poll_wait(file, &chan->rx_wq, pt);
	ret = kipc_chan_rx_check(chan, true, &eof);
	if (ret < 0)
		return EPOLLERR | EPOLLHUP;
	if (ret)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (eof)
		mask |= EPOLLHUP;
	return mask;
}

/*
 * poll() on a sender: writable unless it reported itself out of buffers
 * (tx_blocked) and none came back since; EPOLLERR once it cannot send any
 * more.  Only the sender can fool this, about itself.
 */
__poll_t kipc_chan_tx_poll(struct file *file, struct poll_table_struct *pt)
{
	struct kipc_chan_seg *seg = file->private_data;
	int ret;

	poll_wait(file, &seg->wq, pt);
	ret = kipc_chan_tx_check(seg, true, true);
	if (ret < 0)
		return EPOLLOUT | EPOLLWRNORM | EPOLLERR;
	return ret ? EPOLLOUT | EPOLLWRNORM : 0;
}
