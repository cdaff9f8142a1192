/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc channels: declarations shared by module/channel*.c, and the hooks
 * other parts of kipc (door calls, the naming filesystem, statistics over
 * generic netlink) use.  Documentation/kipc/channels.rst describes the
 * model; this header describes the kernel objects behind it.
 *
 * Objects and ownership
 * ---------------------
 * struct kipc_chan is the channel.  It owns the flags page (read by every
 * sender), the control page (read by the receiver), the sender table and
 * the receiver's wait queue.  It is referenced by the receiver's file, by
 * every connector file and by every segment; it is freed with the last.
 *
 * struct kipc_chan_seg is one sender: its endpoint state and the pages of
 * its TX area (header, send ring, pool) and RX area (header, release
 * ring).  The structure is referenced (@ref) by the sender's file, by the
 * channel's table while it is in it, and by every VMA that maps its pages.
 * The pages have their own count (@mem), held by the endpoint until it
 * closes, by the table and by the VMAs: they are freed, and uncharged, as
 * soon as nothing can use them any more, even if a descriptor of the
 * closed endpoint lingers in some process.
 *
 * The receiver's file holds the channel; a sender's file holds its segment,
 * which holds the channel.  The table's references to segments are dropped
 * when the receiver detaches a sender or closes, which breaks the only
 * cycle (channel -> segment -> channel).
 *
 * Locking
 * -------
 * chan->lock (a spinlock) protects the sender table, every endpoint's
 * attachment state (struct kipc_chan_ep), the counters of live senders and
 * connectors, the table generation, and every kernel-written word of the
 * shared pages.  It is taken under mmap_lock (from ->mmap and the VMA
 * callbacks) and never held across a user copy, an allocation that may
 * sleep or a wakeup of another object's wait queue.  No other lock of kipc
 * nests inside it except the wait queues' own locks (wake_up() on
 * chan->rx_wq or seg->wq) and kipc_chan_users_lock never does.
 *
 * Shared memory
 * -------------
 * The kernel reads the words user space writes (ring indices, the blocked
 * flag, statistics) only to compare them with each other or to report
 * them: it never uses one as an index, an offset or a length.
 */
#ifndef _KIPC_CHANNEL_H
#define _KIPC_CHANNEL_H

#include <linux/kref.h>
#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/kipc.h>
#include <linux/kipc_stats.h>

struct ipc_namespace;
struct kipc_chan_user;
struct mem_cgroup;
struct seq_file;

/* The header at the start of a sender's TX area (sender-written). */
struct kipc_chan_tx_hdr {
	u32 tail;		/* send ring producer index */
	u32 pad0;
	u64 msgs;		/* statistics kept by the sender */
	u64 bytes;
	u8 pad1[40];
	u32 release_head;	/* release ring consumer index */
	u8 pad2[60];
	u32 blocked;		/* the sender ran out of buffers */
	u8 pad3[124];
};

/* The header at the start of a sender's RX area (receiver-written). */
struct kipc_chan_rx_hdr {
	u32 head;		/* send ring consumer index */
	u8 pad0[60];
	u32 release_tail;	/* release ring producer index */
	u8 pad1[60];
	u32 tx_wakeup;		/* kernel: the sender sleeps for releases */
	u32 state;		/* kernel: KIPC_CHAN_TX_* */
	u8 pad2[120];
};

/* The flags page (kernel-written, read-only for everyone). */
struct kipc_chan_flags {
	u32 rx;			/* KIPC_CHAN_RX_* */
};

/* The control page (kernel-written, read-only for the receiver). */
struct kipc_chan_ctl {
	u32 gen;
	u32 state;		/* KIPC_CHAN_CTL_* */
};

/*
 * The geometry of a channel, computed once at creation from its
 * parameters.  Areas are in pages; every area of the mmap offset space is
 * followed by a one-page hole, so that two areas can never look like one
 * contiguous mapping to the VMA merging code.
 */
struct kipc_chan_geom {
	struct kipc_chan_params params;
	u32 ring_off;		/* send ring, in the TX area */
	u32 rel_off;		/* release ring, in the RX area */
	u64 pool_off;		/* pool, in the TX area */
	unsigned long tx_pages;
	unsigned long rx_pages;
	unsigned long slot_pages;	/* mmap stride of one sender */
};

/* Receiver mmap offsets (pages): control area, then one slot per sender. */
#define KIPC_CHAN_CTL_PGOFF		0UL
#define KIPC_CHAN_SLOTS_PGOFF		2UL

/* Ids: a sequence number above the slot index, never 0, never reused. */
#define KIPC_CHAN_SLOT_BITS		16
#define KIPC_CHAN_SLOT_MASK		((1ULL << KIPC_CHAN_SLOT_BITS) - 1)

enum kipc_chan_ep_state {
	KIPC_CHAN_EP_NEW,	/* not mapped yet */
	KIPC_CHAN_EP_ATTACHED,	/* its main area is mapped by @mm */
	KIPC_CHAN_EP_CLOSED,	/* released, unmapped, or cut off: final */
};

/**
 * struct kipc_chan_ep - an endpoint's attachment to the process using it
 * @state:	an enum kipc_chan_ep_state
 * @mm:		the address space its main area was first mapped into; only
 *		compared, never dereferenced (it cannot go away while
 *		@nr_vmas is nonzero, and is meaningless after)
 * @nr_vmas:	VMAs mapping the main area (the receiver's control area, a
 *		sender's TX area); when it drops to zero the endpoint closes
 *
 * All members are protected by the channel's lock.
 */
struct kipc_chan_ep {
	enum kipc_chan_ep_state state;
	struct mm_struct *mm;
	unsigned int nr_vmas;
};

/* Per-CPU counters of the slow paths that may be hot (ping-pong). */
struct kipc_chan_pcpu {
	u64 rx_waits;		/* receiver went to sleep */
	u64 tx_waits;		/* a sender went to sleep */
	u64 rx_wakeups;		/* a sender woke the receiver */
	u64 tx_wakeups;		/* the receiver woke a sender */
	u64 empty;		/* receiver waits that found nothing */
	u64 full;		/* sender waits that found no buffer back */
};

/**
 * struct kipc_chan_seg - one sender endpoint and its memory
 * @ref:	references: the sender file, the table, each mapping VMA
 * @mem:	references to the pages: the endpoint until it closes
 *		(@ep_mem), the table, each mapping VMA
 * @chan:	the channel (referenced)
 * @id:		the sender's id (KIPC_CHAN_SLOT_BITS low bits: its slot)
 * @node:	in chan->senders while in the table (chan->lock)
 * @ep:		attachment of the sender endpoint (chan->lock)
 * @in_table:	in the channel's table (chan->lock)
 * @live:	counted in chan->nr_live: usable, not closed (chan->lock)
 * @disconnected: cut off by the receiver (chan->lock)
 * @state:	KIPC_CHAN_TX_* as the kernel knows it; copied to the RX
 *		header's state word, which the receiver could overwrite
 *		(chan->lock)
 * @ep_mem:	the endpoint still holds its @mem reference (chan->lock)
 * @mem_gone:	the pages are freed: @pages, @tx and @rx are NULL
 *		(chan->lock; only for readers without a @mem reference)
 * @wq:		the sender waits here for released buffers and poll()s
 * @pages:	the TX area's pages, then the RX area's
 * @nr_pages:	tx_pages + rx_pages
 * @tx:		the kernel's view of the TX header
 * @rx:		the kernel's view of the RX header
 * @pid:	the process that connected it (referenced)
 * @cred:	its credentials at connection (referenced)
 */
struct kipc_chan_seg {
	struct kref ref;
	struct kref mem;
	struct kipc_chan *chan;
	u64 id;
	struct list_head node;
	struct kipc_chan_ep ep;
	bool in_table;
	bool live;
	bool disconnected;
	u32 state;
	bool ep_mem;
	bool mem_gone;
	wait_queue_head_t wq;
	struct page **pages;
	unsigned long nr_pages;
	struct kipc_chan_tx_hdr *tx;
	struct kipc_chan_rx_hdr *rx;
	struct pid *pid;
	const struct cred *cred;
};

/**
 * struct kipc_chan - a channel
 * @ref:	references: receiver file, connector files, segments
 * @id:		unique among the channels alive (kipc_chans)
 * @geom:	shape and geometry; constant
 * @lock:	see the top of this file
 * @slots:	the sender table, max_senders entries (chan->lock)
 * @senders:	the segments of @slots, in connection order (chan->lock)
 * @nr_slots:	entries used in @slots (chan->lock)
 * @nr_live:	senders that are live (chan->lock)
 * @nr_connectors: connector files open (chan->lock)
 * @next_seq:	sequence of the next sender id (chan->lock)
 * @gen:	table generation, mirrored in the control page (chan->lock)
 * @gen_seen:	@gen as last reported by KIPC_CHAN_IOC_SENDERS (chan->lock)
 * @no_writers:	no sender and no connector left, final (chan->lock)
 * @rx_ep:	attachment of the receiver endpoint (chan->lock)
 * @rx_wq:	the receiver waits here and poll()s
 * @flags_page:	page of struct kipc_chan_flags
 * @ctl_page:	page of struct kipc_chan_ctl
 * @flags:	kernel view of @flags_page (written under chan->lock)
 * @ctl:	kernel view of @ctl_page (written under chan->lock)
 * @memcg:	the creator's memory cgroup, charged for everything (ref'd)
 * @user:	the creator's per-user accounting (referenced)
 * @quota_exempt: the creator had CAP_SYS_RESOURCE
 * @pages:	pages of the channel and of its segments alive, all charged
 *		to @user and @memcg
 * @stats:	per-CPU counters
 * @gone_msgs:	statistics of the senders no longer in the table (lock)
 * @gone_bytes:	likewise
 * @connects:	senders ever connected (chan->lock)
 * @creator:	the process that created it (a reference); constant
 * @euid:	its creator's effective uid; constant.  The statistics show
 *		the channel to that user (and to administrators)
 * @ipc_ns:	the IPC namespace it was created in, only compared (see
 *		struct kipc_door); constant
 * @ipc_inum:	that namespace's inode number; constant
 * @rcu:	frees the channel after kipc_chan_get_by_id() readers
 */
struct kipc_chan {
	struct kref ref;
	u32 id;
	struct kipc_chan_geom geom;
	spinlock_t lock;
	struct kipc_chan_seg **slots;
	struct list_head senders;
	unsigned int nr_slots;
	unsigned int nr_live;
	unsigned int nr_connectors;
	u64 next_seq;
	u32 gen;
	u32 gen_seen;
	bool no_writers;
	struct kipc_chan_ep rx_ep;
	wait_queue_head_t rx_wq;
	struct page *flags_page;
	struct page *ctl_page;
	struct kipc_chan_flags *flags;
	struct kipc_chan_ctl *ctl;
	struct mem_cgroup *memcg;
	struct kipc_chan_user *user;
	bool quota_exempt;
	atomic_long_t pages;
	struct kipc_chan_pcpu __percpu *stats;
	u64 gone_msgs;
	u64 gone_bytes;
	u64 connects;
	struct pid *creator;
	kuid_t euid;
	const struct ipc_namespace *ipc_ns;
	unsigned int ipc_inum;
	struct rcu_head rcu;
};

/**
 * struct kipc_chan_stats - a snapshot of a channel's counters
 *
 * @messages and @bytes are the sums of what the senders' libraries report
 * in their TX areas: a hostile sender can falsify its own share.  All the
 * other members are kept by the kernel.
 */
struct kipc_chan_stats {
	u32 id;
	u32 senders;		/* in the table */
	u32 live_senders;
	u32 depth;		/* messages sent and not yet received */
	u64 messages;
	u64 bytes;
	u64 rx_waits;
	u64 tx_waits;
	u64 rx_wakeups;
	u64 tx_wakeups;
	u64 empty;
	u64 full;
	u64 connects;
	u64 memory;		/* bytes of pages charged */
	bool rx_closed;
};

/* channel.c: objects, lifecycle, files, ioctls */
extern const struct file_operations kipc_chan_rx_fops;
extern const struct file_operations kipc_chan_tx_fops;
extern const struct file_operations kipc_chan_connector_fops;
void kipc_chan_get(struct kipc_chan *chan);
void kipc_chan_put(struct kipc_chan *chan);
void kipc_chan_seg_get(struct kipc_chan_seg *seg);
void kipc_chan_seg_put(struct kipc_chan_seg *seg);
void kipc_chan_seg_get_mem(struct kipc_chan_seg *seg);
void kipc_chan_seg_put_mem(struct kipc_chan_seg *seg);
void kipc_chan_ep_lost(struct file *file);
struct kipc_chan_seg *kipc_chan_lookup_locked(struct kipc_chan *chan,
					      u64 id);

/*
 * Hooks for the rest of kipc.
 *
 * kipc_chan_file_is_connector() tells whether @file is a channel connector,
 * the object a name of the naming filesystem or a door argument can stand
 * for.  kipc_chan_connect_file() connects a new sender to the channel of
 * @connector on behalf of the current task (whose credentials the receiver
 * will see) and returns its endpoint file (O_RDWR, to be installed with
 * O_CLOEXEC), or an ERR_PTR: -EPIPE when the receiver is gone, -EUSERS
 * when the table is full, -EDQUOT or -ENOMEM when the pool cannot be had.
 */
bool kipc_chan_file_is_connector(const struct file *file);
struct file *kipc_chan_connect_file(struct file *connector);

/* channel_mem.c: geometry, pages, mmap */
int kipc_chan_geom_init(struct kipc_chan_geom *geom,
			const struct kipc_chan_params *in);
void kipc_chan_fill_layout(const struct kipc_chan_geom *geom, u32 role,
			   struct kipc_chan_layout *layout);
int kipc_chan_alloc_pages(struct kipc_chan *chan, struct page **pages,
			  unsigned long nr);
void kipc_chan_free_pages(struct page **pages, unsigned long nr);
int kipc_chan_rx_mmap(struct file *file, struct vm_area_struct *vma);
int kipc_chan_tx_mmap(struct file *file, struct vm_area_struct *vma);
unsigned long kipc_chan_seg_pages(const struct kipc_chan_geom *geom);
u64 kipc_chan_slot_pgoff(const struct kipc_chan_geom *geom, u32 slot);

/* channel_wait.c: readiness, sleeping and waking */
int kipc_chan_rx_wait(struct kipc_chan *chan, s64 timeout_ns);
int kipc_chan_tx_wait(struct kipc_chan_seg *seg, s64 timeout_ns);
int kipc_chan_wake_rx(struct kipc_chan_seg *seg);
void kipc_chan_wake_tx(struct kipc_chan_seg *seg);
__poll_t kipc_chan_rx_poll(struct file *file, struct poll_table_struct *pt);
__poll_t kipc_chan_tx_poll(struct file *file, struct poll_table_struct *pt);

/* channel_quota.c: per-user accounting */
struct kipc_chan_user *kipc_chan_user_get(kuid_t uid);
void kipc_chan_user_put(struct kipc_chan_user *user);
int kipc_chan_user_charge(struct kipc_chan_user *user, unsigned long pages,
			  bool exempt);
void kipc_chan_user_uncharge(struct kipc_chan_user *user,
			     unsigned long pages);
unsigned long kipc_chan_user_usage(kuid_t uid);
unsigned long kipc_chan_user_limit(void);

/* channel_stats.c: counters, fdinfo, and the accessor for statistics */
void kipc_chan_read_stats(struct kipc_chan *chan,
			  struct kipc_chan_stats *stats);
struct kipc_chan *kipc_chan_get_by_id(u32 id);
int kipc_chan_register(struct kipc_chan *chan);
void kipc_chan_unregister(struct kipc_chan *chan);
unsigned long kipc_chan_count(void);
struct kipc_chan *kipc_chan_find_next(unsigned long *id);
void kipc_chan_event(struct kipc_chan *chan, u32 type);
void kipc_chan_show_fdinfo(struct seq_file *m, struct file *file);

#define kipc_chan_count_event(chan, field) this_cpu_inc((chan)->stats->field)

#endif /* _KIPC_CHANNEL_H */
