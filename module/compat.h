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

#endif /* _KIPC_COMPAT_H */
