// SPDX-License-Identifier: GPL-2.0
/*
 * kipc doors: moving data and descriptors between the two processes.
 *
 * Small data travel through the invocation's inline buffer.  Larger data
 * are copied once, straight from one process's memory to the other's: the
 * writer of the data pins the pages it writes or reads in its own context
 * (so that a page fault there can only ever stall itself), and the copy
 * between pinned pages never faults or sleeps.  Results that do not fit the
 * caller's buffer go through a kernel buffer into a new mapping of the
 * caller.  Descriptors are files held by the invocation and installed in
 * the receiver in two steps (reserve the numbers, then install), so that a
 * receiver out of descriptors gets EMFILE and nothing leaks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "door.h"

int kipc_xfer_pin(struct kipc_xfer *x, u64 uaddr, size_t size, bool write)
{
	unsigned long start = uaddr & PAGE_MASK;
	unsigned int offset = offset_in_page(uaddr);
	unsigned int nr;
	int pinned;

	if (!size)
		return 0;
	if (uaddr + size < uaddr)
		return -EFAULT;
	nr = DIV_ROUND_UP(offset + size, PAGE_SIZE);
	x->pages = kvmalloc_array(nr, sizeof(*x->pages), GFP_KERNEL_ACCOUNT);
	if (!x->pages)
		return -ENOMEM;
	pinned = pin_user_pages_fast(start, nr, write ? FOLL_WRITE : 0,
				     x->pages);
	if (pinned != nr) {
		if (pinned > 0)
			unpin_user_pages(x->pages, pinned);
		kvfree(x->pages);
		x->pages = NULL;
		return pinned < 0 ? pinned : -EFAULT;
	}
	x->nr_pages = nr;
	x->offset = offset;
	x->size = size;
	return 0;
}

void kipc_xfer_release(struct kipc_xfer *x, bool dirty)
{
	unsigned int i;

	if (x->pages) {
		if (dirty)
			unpin_user_pages_dirty_lock(x->pages, x->nr_pages, true);
		else
			unpin_user_pages(x->pages, x->nr_pages);
		kvfree(x->pages);
		x->pages = NULL;
	}
	kvfree(x->kbuf);
	x->kbuf = NULL;
	for (i = 0; i < x->nr_files; i++)
		if (x->files[i])
			fput(x->files[i]);
	kfree(x->files);
	x->files = NULL;
	x->nr_files = 0;
}

/*
 * Copy @src->size bytes from the pages of @src to those of @dst.  Both are
 * pinned, so this neither faults nor sleeps.
 */
void kipc_xfer_copy_pages(struct kipc_xfer *dst, const struct kipc_xfer *src)
{
	size_t left = src->size;
	size_t soff = src->offset, doff = dst->offset;
	unsigned int si = 0, di = 0;

	while (left) {
		size_t n = min3(left, PAGE_SIZE - soff, PAGE_SIZE - doff);
		void *s = kmap_local_page(src->pages[si]);
		void *d = kmap_local_page(dst->pages[di]);

		memcpy(d + doff, s + soff, n);
		kunmap_local(d);
		kunmap_local(s);
		left -= n;
		soff += n;
		doff += n;
		if (soff == PAGE_SIZE) {
			soff = 0;
			si++;
		}
		if (doff == PAGE_SIZE) {
			doff = 0;
			di++;
		}
	}
}

/* Copy the data of @x (in pages, a kernel buffer or @inline_buf) out. */
static int kipc_xfer_copy_to_user(void __user *dst, const struct kipc_xfer *x,
				  const void *inline_buf)
{
	size_t left = x->size, off = x->offset;
	unsigned int i = 0;

	if (!x->pages) {
		const void *src = x->kbuf ? x->kbuf : inline_buf;

		return copy_to_user(dst, src, left) ? -EFAULT : 0;
	}
	while (left) {
		size_t n = min(left, PAGE_SIZE - off);
		void *s = kmap_local_page(x->pages[i]);
		unsigned long rest = copy_to_user(dst, s + off, n);

		kunmap_local(s);
		if (rest)
			return -EFAULT;
		dst += n;
		left -= n;
		off = 0;
		i++;
	}
	return 0;
}

/* Bytes @x needs at the receiver: the data, then aligned descriptors. */
size_t kipc_xfer_need(const struct kipc_xfer *x)
{
	if (!x->nr_files)
		return x->size;
	return ALIGN(x->size, 8) + x->nr_files * sizeof(struct kipc_door_desc);
}

/*
 * Copy in an array of @n descriptors from user space.  Returns NULL for
 * none, or an ERR_PTR.
 */
struct kipc_door_desc *kipc_desc_copy_in(u64 uptr, unsigned int n)
{
	if (!n)
		return NULL;
	return memdup_user(u64_to_user_ptr(uptr),
			   array_size(n, sizeof(struct kipc_door_desc)));
}

/*
 * Take a reference on the file of every descriptor of @descs.  Each must be
 * KIPC_DESC_DESCRIPTOR, optionally with KIPC_DESC_RELEASE, and name an open
 * file of the current process (EINVAL otherwise).
 */
int kipc_xfer_take_files(struct kipc_xfer *x,
			 const struct kipc_door_desc *descs, unsigned int n)
{
	unsigned int i;

	if (!n)
		return 0;
	x->files = kcalloc(n, sizeof(*x->files), GFP_KERNEL_ACCOUNT);
	if (!x->files)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct kipc_door_desc *d = &descs[i];

		if ((d->attributes & ~KIPC_DESC_RELEASE) != KIPC_DESC_DESCRIPTOR ||
		    d->reserved)
			return -EINVAL;
		x->files[i] = fget(d->fd);
		x->nr_files = i + 1;
		if (!x->files[i])
			return -EINVAL;
	}
	return 0;
}

/* Close in the current process the descriptors passed with RELEASE. */
void kipc_desc_release_fds(const struct kipc_door_desc *descs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (descs[i].attributes & KIPC_DESC_RELEASE)
			close_fd(descs[i].fd);
}

/*
 * First step of installing the files of @x in the current process: give
 * each a descriptor number (close-on-exec) and describe it in @out.  A door
 * arrives as a new file of the door: an external reference of the
 * receiver's own.
 */
int kipc_xfer_reserve_fds(struct kipc_xfer *x, struct kipc_door_desc *out)
{
	unsigned int i;
	int fd;

	for (i = 0; i < x->nr_files; i++) {
		struct kipc_door *door = kipc_door_from_file(x->files[i]);

		memset(&out[i], 0, sizeof(out[i]));
		out[i].attributes = KIPC_DESC_DESCRIPTOR;
		if (door) {
			struct file *file = kipc_door_new_file(door, false);

			if (IS_ERR(file)) {
				fd = PTR_ERR(file);
				goto unwind;
			}
			fput(x->files[i]);
			x->files[i] = file;
			out[i].attributes |= kipc_door_attributes_for(door,
								      current);
			out[i].id = door->id;
		}
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0)
			goto unwind;
		out[i].fd = fd;
	}
	return 0;

unwind:
	while (i--)
		put_unused_fd(out[i].fd);
	return fd;
}

void kipc_xfer_unreserve_fds(struct kipc_xfer *x,
			     const struct kipc_door_desc *out)
{
	unsigned int i;

	for (i = 0; i < x->nr_files; i++)
		put_unused_fd(out[i].fd);
}

/* Second step: install the files; this cannot fail. */
void kipc_xfer_install_fds(struct kipc_xfer *x,
			   const struct kipc_door_desc *out)
{
	unsigned int i;

	for (i = 0; i < x->nr_files; i++) {
		fd_install(out[i].fd, x->files[i]);
		x->files[i] = NULL;
	}
}

/**
 * kipc_xfer_deliver - write data and descriptors into the receiver
 * @x: the data and files
 * @inline_buf: the data, when @x has neither pages nor a kernel buffer
 * @descs: the descriptors as the receiver sees them (reserved fds)
 * @ubuf: the receiver's buffer
 * @usize: its size
 * @may_map: when they do not fit, deliver them in a new mapping rather than
 *	     failing with -EOVERFLOW
 * @in_place: the data are already at @ubuf
 * @d: out: where they went
 *
 * Runs in the receiver's context.  On failure nothing is left mapped.
 */
int kipc_xfer_deliver(const struct kipc_xfer *x, const void *inline_buf,
		      const struct kipc_door_desc *descs, u64 ubuf, u64 usize,
		      bool may_map, bool in_place, struct kipc_delivery *d)
{
	size_t need = kipc_xfer_need(x);
	int ret;

	memset(d, 0, sizeof(*d));
	if (in_place || need <= usize) {
		d->where = ubuf;
	} else {
		unsigned long addr;

		if (!may_map)
			return -EOVERFLOW;
		d->map_size = PAGE_ALIGN(need);
		addr = vm_mmap(NULL, 0, d->map_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, 0);
		if (IS_ERR_VALUE(addr)) {
			d->map_size = 0;
			return (int)addr;
		}
		d->where = addr;
	}
	if (!in_place && x->size) {
		ret = kipc_xfer_copy_to_user(u64_to_user_ptr(d->where), x,
					     inline_buf);
		if (ret)
			goto fail;
	}
	if (x->nr_files) {
		d->desc_where = d->where + ALIGN(x->size, 8);
		if (copy_to_user(u64_to_user_ptr(d->desc_where), descs,
				 x->nr_files * sizeof(*descs))) {
			ret = -EFAULT;
			goto fail;
		}
	}
	return 0;

fail:
	kipc_xfer_undeliver(d);
	return ret;
}

/* Undo the mapping kipc_xfer_deliver() may have made. */
void kipc_xfer_undeliver(const struct kipc_delivery *d)
{
	if (d->map_size)
		vm_munmap(d->where, d->map_size);
}
