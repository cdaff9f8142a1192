/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels kipc is built for (Debian's 6.1 and
 * 6.12), hidden behind one name each.  The KIPC_HAVE_* macros come from
 * the probes of the kernel's headers in module/Kbuild.
 */
#ifndef _KIPC_COMPAT_H
#define _KIPC_COMPAT_H

#include <linux/mm.h>

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
