/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels kipc builds for (Debian's 6.1 and 6.12),
 * in one place.  The KIPC_HAVE_* macros come from Kbuild, which looks for
 * the feature in the kernel's headers rather than trusting version numbers
 * (distributions backport).
 */
#ifndef _KIPC_COMPAT_H
#define _KIPC_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>

#ifdef KIPC_HAVE_MNT_IDMAP
/* 6.3 replaced the mount's user namespace by an idmap in inode methods. */
#define kipc_idmap_t		struct mnt_idmap
#define KIPC_NOP_IDMAP		(&nop_mnt_idmap)
#else
#define kipc_idmap_t		struct user_namespace
#define KIPC_NOP_IDMAP		(&init_user_ns)
#endif

/* A new inode's times: now. */
static inline void kipc_inode_init_times(struct inode *inode)
{
#ifdef KIPC_HAVE_INODE_TIME_ACCESSORS
	simple_inode_init_ts(inode);
#else
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time(inode);
#endif
}

/* A directory's entries changed: its mtime and ctime are now. */
static inline void kipc_inode_touch_dir(struct inode *dir)
{
#ifdef KIPC_HAVE_INODE_TIME_ACCESSORS
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
#else
	dir->i_mtime = dir->i_ctime = current_time(dir);
#endif
}

/*
 * vm_flags became read-only in 6.3: it is changed with vm_flags_mod() and
 * friends, which also take the VMA write lock where needed.  Before, it is
 * written directly.
 */
static inline void kipc_vm_flags_mod(struct vm_area_struct *vma,
				     vm_flags_t set, vm_flags_t clear)
{
#ifdef KIPC_HAVE_VM_FLAGS_MOD
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

#endif /* _KIPC_COMPAT_H */
