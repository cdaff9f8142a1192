// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channels: the shape of the shared memory, its pages and mmap().
 *
 * Every page a channel shares is allocated here, order 0, zeroed, charged
 * to the memory cgroup of the channel's creator (whoever causes the
 * allocation) and inserted into user space with vm_insert_pages() when an
 * area is mapped, so nothing is ever faulted in later.
 *
 * What user space may map, and how, is decided here alone:
 *
 *   endpoint  area              protection   notes
 *   receiver  control page      read-only    main area: attaches
 *   receiver  a sender's TX     read-only    VM_MAYWRITE cleared
 *   receiver  a sender's RX     read-write
 *   sender    its TX            read-write   main area: attaches
 *   sender    its RX            read-only    VM_MAYWRITE cleared
 *   sender    the flags page    read-only    VM_MAYWRITE cleared
 *
 * A read-only area can never become writable: without VM_MAYWRITE,
 * mprotect() refuses PROT_WRITE; a second mmap() comes here again; mremap()
 * cannot grow or duplicate a VM_DONTEXPAND mapping and keeps the flags when
 * it moves one; forced writes (ptrace, /proc/pid/mem) are refused on a
 * shared mapping that is not writable.  Private mappings are refused, so no
 * copy-on-write copy of a page can exist.  Every mapping is VM_DONTCOPY: a
 * child does not inherit it.  Nothing is executable.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "channel.h"
#include "compat.h"

static_assert(sizeof(struct kipc_chan_tx_hdr) == 256);
static_assert(sizeof(struct kipc_chan_rx_hdr) == 256);
static_assert(sizeof(struct kipc_chan_desc) == 16);

int kipc_chan_geom_init(struct kipc_chan_geom *geom,
			const struct kipc_chan_params *in)
{
	struct kipc_chan_params p = *in;
	u64 ring_end;

	if (p.flags || p.reserved)
		return -EINVAL;
	if (!p.pool_size)
		p.pool_size = KIPC_CHAN_POOL_DEFAULT;
	if (p.pool_size > KIPC_CHAN_POOL_MAX)
		return -EINVAL;
	p.pool_size = round_up(p.pool_size, (u64)PAGE_SIZE);
	if (!p.max_msg)
		p.max_msg = min_t(u64, KIPC_CHAN_MSG_DEFAULT, p.pool_size);
	if (p.max_msg > p.pool_size)
		return -EINVAL;
	if (!p.ring_depth)
		p.ring_depth = KIPC_CHAN_DEPTH_DEFAULT;
	if (p.ring_depth > KIPC_CHAN_DEPTH_MAX ||
	    !is_power_of_2(p.ring_depth))
		return -EINVAL;
	if (!p.max_senders)
		p.max_senders = KIPC_CHAN_SENDERS_DEFAULT;
	if (p.max_senders > KIPC_CHAN_SENDERS_MAX)
		return -EINVAL;
	BUILD_BUG_ON(KIPC_CHAN_SENDERS_MAX > KIPC_CHAN_SLOT_MASK);

	geom->params = p;
	geom->ring_off = sizeof(struct kipc_chan_tx_hdr);
	ring_end = geom->ring_off +
		   (u64)p.ring_depth * sizeof(struct kipc_chan_desc);
	geom->pool_off = round_up(ring_end, (u64)PAGE_SIZE);
	geom->tx_pages = (geom->pool_off + p.pool_size) >> PAGE_SHIFT;
	geom->rel_off = sizeof(struct kipc_chan_rx_hdr);
	geom->rx_pages = DIV_ROUND_UP(geom->rel_off +
				      (u64)p.ring_depth * sizeof(u32),
				      PAGE_SIZE);
	/* Each area is followed by a hole in the offset space. */
	geom->slot_pages = geom->tx_pages + 1 + geom->rx_pages + 1;
	return 0;
}

unsigned long kipc_chan_seg_pages(const struct kipc_chan_geom *geom)
{
	return geom->tx_pages + geom->rx_pages;
}

/* The receiver's mmap offset, in pages, of the TX area of @slot. */
u64 kipc_chan_slot_pgoff(const struct kipc_chan_geom *geom, u32 slot)
{
	return KIPC_CHAN_SLOTS_PGOFF + (u64)slot * geom->slot_pages;
}

/* A sender's own mmap offsets, in pages. */
static unsigned long kipc_chan_tx_rx_pgoff(const struct kipc_chan_geom *geom)
{
	return geom->tx_pages + 1;
}

static unsigned long
kipc_chan_tx_flags_pgoff(const struct kipc_chan_geom *geom)
{
	return geom->tx_pages + 1 + geom->rx_pages + 1;
}

void kipc_chan_fill_layout(const struct kipc_chan_geom *geom, u32 role,
			   struct kipc_chan_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->ctl_size = PAGE_SIZE;
	l->tx_size = (u64)geom->tx_pages << PAGE_SHIFT;
	l->rx_size = (u64)geom->rx_pages << PAGE_SHIFT;
	l->flags_size = PAGE_SIZE;
	l->ctl_mmap = KIPC_CHAN_MMAP_NONE;
	l->tx_mmap = KIPC_CHAN_MMAP_NONE;
	l->rx_mmap = KIPC_CHAN_MMAP_NONE;
	l->flags_mmap = KIPC_CHAN_MMAP_NONE;
	if (role == KIPC_CHAN_ROLE_RECEIVER) {
		l->ctl_mmap = (u64)KIPC_CHAN_CTL_PGOFF << PAGE_SHIFT;
	} else if (role == KIPC_CHAN_ROLE_SENDER) {
		l->tx_mmap = 0;
		l->rx_mmap = (u64)kipc_chan_tx_rx_pgoff(geom) << PAGE_SHIFT;
		l->flags_mmap = (u64)kipc_chan_tx_flags_pgoff(geom) <<
				PAGE_SHIFT;
	}
	l->tx_pool = geom->pool_off;
	l->pool_size = geom->params.pool_size;
	l->tx_tail = offsetof(struct kipc_chan_tx_hdr, tail);
	l->tx_release_head = offsetof(struct kipc_chan_tx_hdr, release_head);
	l->tx_blocked = offsetof(struct kipc_chan_tx_hdr, blocked);
	l->tx_msgs = offsetof(struct kipc_chan_tx_hdr, msgs);
	l->tx_bytes = offsetof(struct kipc_chan_tx_hdr, bytes);
	l->tx_ring = geom->ring_off;
	l->rx_head = offsetof(struct kipc_chan_rx_hdr, head);
	l->rx_release_tail = offsetof(struct kipc_chan_rx_hdr, release_tail);
	l->rx_tx_wakeup = offsetof(struct kipc_chan_rx_hdr, tx_wakeup);
	l->rx_state = offsetof(struct kipc_chan_rx_hdr, state);
	l->rx_ring = geom->rel_off;
	l->flags_rx = offsetof(struct kipc_chan_flags, rx);
	l->ctl_gen = offsetof(struct kipc_chan_ctl, gen);
	l->ctl_state = offsetof(struct kipc_chan_ctl, state);
	l->max_msg = geom->params.max_msg;
	l->ring_depth = geom->params.ring_depth;
	l->max_senders = geom->params.max_senders;
	l->msg_align = KIPC_CHAN_MSG_ALIGN;
}

/*
 * Allocate @nr zeroed pages charged to the creator's memory cgroup, whoever
 * asks.  Exceeding the cgroup's limit fails with ENOMEM rather than
 * invoking its OOM killer (__GFP_RETRY_MAYFAIL); a fatal signal stops a
 * large allocation early.
 */
int kipc_chan_alloc_pages(struct kipc_chan *chan, struct page **pages,
			  unsigned long nr)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO |
			  __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
	struct mem_cgroup *old;
	unsigned long i;
	int ret = 0;

	old = set_active_memcg(chan->memcg);
	for (i = 0; i < nr; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		pages[i] = alloc_page(gfp);
		if (!pages[i]) {
			ret = -ENOMEM;
			break;
		}
		if (i % 512 == 511)
			cond_resched();
	}
	set_active_memcg(old);
	if (ret)
		kipc_chan_free_pages(pages, i);
	return ret;
}

/*
 * Drop the channel's references to @pages.  A page still pinned by someone
 * else (an O_DIRECT read into a loaned buffer, say) lives until they unpin.
 */
void kipc_chan_free_pages(struct page **pages, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		put_page(pages[i]);
		if (i % 512 == 511)
			cond_resched();
	}
}

/* What one mmap() call asks for, once its offset has been decoded. */
struct kipc_chan_area {
	struct page **pages;	/* channel pages, or NULL for a sender's */
	struct kipc_chan_seg *seg;	/* the sender whose pages these are */
	unsigned long first;	/* first page in seg->pages */
	unsigned long nr;	/* pages in the area */
	bool by_slot;		/* receiver: @slot names the sender */
	u32 slot;
	bool main;		/* the endpoint's main area: attaches it */
	bool writable;
};

/*
 * Find the endpoint a file stands for.  Mappings exist only on receiver and
 * sender files.
 */
static struct kipc_chan_ep *kipc_chan_file_ep(struct file *file,
					      struct kipc_chan **chanp)
{
	struct kipc_chan_seg *seg;

	if (file->f_op == &kipc_chan_rx_fops) {
		*chanp = file->private_data;
		return &(*chanp)->rx_ep;
	}
	seg = file->private_data;
	*chanp = seg->chan;
	return &seg->ep;
}

/*
 * Any mapping of a sender's pages holds the segment and its pages.  (The
 * channel's own pages live as long as the file the VMA holds.)
 */
static void kipc_chan_vm_open(struct vm_area_struct *vma)
{
	struct kipc_chan_seg *seg = vma->vm_private_data;

	if (seg) {
		kipc_chan_seg_get(seg);
		kipc_chan_seg_get_mem(seg);
	}
}

static void kipc_chan_vm_close(struct vm_area_struct *vma)
{
	struct kipc_chan_seg *seg = vma->vm_private_data;

	if (seg) {
		kipc_chan_seg_put_mem(seg);
		kipc_chan_seg_put(seg);
	}
}

/*
 * A mapping of an endpoint's main area also keeps the endpoint attached:
 * VMAs are counted as they are split, moved or (after MADV_DOFORK)
 * inherited, and the endpoint closes when the last one goes, for whatever
 * reason: munmap(), exec(), exit or kill.
 */
static void kipc_chan_main_vm_open(struct vm_area_struct *vma)
{
	struct kipc_chan *chan;
	struct kipc_chan_ep *ep = kipc_chan_file_ep(vma->vm_file, &chan);

	spin_lock(&chan->lock);
	ep->nr_vmas++;
	spin_unlock(&chan->lock);
	kipc_chan_vm_open(vma);
}

static void kipc_chan_main_vm_close(struct vm_area_struct *vma)
{
	struct kipc_chan *chan;
	struct kipc_chan_ep *ep = kipc_chan_file_ep(vma->vm_file, &chan);
	bool lost;

	spin_lock(&chan->lock);
	lost = !--ep->nr_vmas;
	spin_unlock(&chan->lock);
	if (lost)
		kipc_chan_ep_lost(vma->vm_file);
	kipc_chan_vm_close(vma);
}

static const struct vm_operations_struct kipc_chan_vm_ops = {
	.open	= kipc_chan_vm_open,
	.close	= kipc_chan_vm_close,
};

static const struct vm_operations_struct kipc_chan_main_vm_ops = {
	.open	= kipc_chan_main_vm_open,
	.close	= kipc_chan_main_vm_close,
};

/*
 * Check the endpoint may map @area and take what the mapping holds: the
 * attachment for a main area, a segment reference for a sender's pages.
 */
static int kipc_chan_map_begin(struct kipc_chan *chan, struct kipc_chan_ep *ep,
			       struct kipc_chan_area *area)
{
	int ret = 0;

	spin_lock(&chan->lock);
	if (ep->state == KIPC_CHAN_EP_CLOSED) {
		ret = -EPIPE;
	} else if (area->main) {
		if (ep->state != KIPC_CHAN_EP_NEW) {
			ret = -EBUSY;
		} else {
			ep->state = KIPC_CHAN_EP_ATTACHED;
			ep->mm = current->mm;
			ep->nr_vmas = 1;
		}
	} else if (ep->state != KIPC_CHAN_EP_ATTACHED) {
		ret = -EBADFD;
	} else if (ep->mm != current->mm) {
		ret = -EBUSY;
	}
	if (!ret && area->by_slot) {
		area->seg = chan->slots[area->slot];
		if (!area->seg)
			ret = -ENXIO;
	}
	/* In the table, or an endpoint not closed: the pages are there. */
	if (!ret && area->seg) {
		kipc_chan_seg_get(area->seg);
		kipc_chan_seg_get_mem(area->seg);
	}
	spin_unlock(&chan->lock);
	return ret;
}

/* Undo kipc_chan_map_begin() when the mapping cannot be completed. */
static void kipc_chan_map_abort(struct kipc_chan *chan,
				struct kipc_chan_ep *ep,
				struct kipc_chan_area *area)
{
	if (area->main) {
		/* The endpoint was never really attached: it stays usable. */
		spin_lock(&chan->lock);
		if (!--ep->nr_vmas && ep->state == KIPC_CHAN_EP_ATTACHED) {
			ep->state = KIPC_CHAN_EP_NEW;
			ep->mm = NULL;
		}
		spin_unlock(&chan->lock);
	}
	if (area->seg) {
		kipc_chan_seg_put_mem(area->seg);
		kipc_chan_seg_put(area->seg);
	}
}

static int kipc_chan_map(struct kipc_chan *chan, struct kipc_chan_ep *ep,
			 struct vm_area_struct *vma,
			 struct kipc_chan_area *area)
{
	vm_flags_t clear = VM_MAYEXEC;
	unsigned long nr = vma_pages(vma);
	struct page **pages;
	int ret;

	if (!(vma->vm_flags & VM_SHARED) || nr > area->nr)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EACCES;
	if (!area->writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		clear |= VM_MAYWRITE;
	}
	ret = kipc_chan_map_begin(chan, ep, area);
	if (ret)
		return ret;

	kipc_vm_flags_mod(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_MIXEDMAP,
			  clear);
	vma->vm_ops = area->main ? &kipc_chan_main_vm_ops : &kipc_chan_vm_ops;
	vma->vm_private_data = area->seg;
	pages = area->seg ? area->seg->pages + area->first : area->pages;
	ret = vm_insert_pages(vma, vma->vm_start, pages, &nr);
	if (ret) {
		/* The caller unmaps what was inserted; ->close is not called. */
		kipc_chan_map_abort(chan, ep, area);
		return ret;
	}
	return 0;
}

int kipc_chan_rx_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipc_chan *chan = file->private_data;
	const struct kipc_chan_geom *geom = &chan->geom;
	unsigned long pgoff = vma->vm_pgoff, rel, in_slot;
	struct kipc_chan_area area = { };

	if (pgoff == KIPC_CHAN_CTL_PGOFF) {
		area.pages = &chan->ctl_page;
		area.nr = 1;
		area.main = true;
		return kipc_chan_map(chan, &chan->rx_ep, vma, &area);
	}
	if (pgoff < KIPC_CHAN_SLOTS_PGOFF)
		return -EINVAL;
	rel = pgoff - KIPC_CHAN_SLOTS_PGOFF;
	if (rel / geom->slot_pages >= geom->params.max_senders)
		return -EINVAL;
	area.by_slot = true;
	area.slot = rel / geom->slot_pages;
	in_slot = rel % geom->slot_pages;
	if (in_slot == 0) {
		area.first = 0;
		area.nr = geom->tx_pages;
	} else if (in_slot == geom->tx_pages + 1) {
		area.first = geom->tx_pages;
		area.nr = geom->rx_pages;
		area.writable = true;
	} else {
		return -EINVAL;
	}
	return kipc_chan_map(chan, &chan->rx_ep, vma, &area);
}

int kipc_chan_tx_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipc_chan_seg *seg = file->private_data;
	struct kipc_chan *chan = seg->chan;
	const struct kipc_chan_geom *geom = &chan->geom;
	unsigned long pgoff = vma->vm_pgoff;
	struct kipc_chan_area area = { .seg = seg };

	if (pgoff == 0) {
		area.first = 0;
		area.nr = geom->tx_pages;
		area.main = true;
		area.writable = true;
	} else if (pgoff == kipc_chan_tx_rx_pgoff(geom)) {
		area.first = geom->tx_pages;
		area.nr = geom->rx_pages;
	} else if (pgoff == kipc_chan_tx_flags_pgoff(geom)) {
		area.seg = NULL;
		area.pages = &chan->flags_page;
		area.nr = 1;
	} else {
		return -EINVAL;
	}
	return kipc_chan_map(chan, &seg->ep, vma, &area);
}
