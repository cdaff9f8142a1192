// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: module entry points and the /dev/kipc misc device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>

#include "internal.h"
#include "door.h"

static struct miscdevice kipc_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KIPC_DEVICE_NAME,
	.fops	= &kipc_ctx_fops,
	/* Usable by every user: what a context may do is checked per object. */
	.mode	= 0666,
};

static int __init kipc_init(void)
{
	int ret;

	ret = kipc_door_cache_init();
	if (ret)
		return ret;
	ret = kipc_doorfs_init();
	if (ret) {
		pr_err("cannot register the %s filesystem: %d\n",
		       KIPC_FS_NAME, ret);
		goto out_cache;
	}
	ret = misc_register(&kipc_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", KIPC_DEVICE_NAME, ret);
		goto out_doorfs;
	}
	pr_info("version %s, API %d\n", KIPC_MODULE_VERSION, KIPC_API);
	return 0;

out_doorfs:
	kipc_doorfs_exit();
out_cache:
	kipc_door_cache_exit();
	return ret;
}

static void __exit kipc_exit(void)
{
	misc_deregister(&kipc_misc);
	kipc_doorfs_exit();
	/* Server threads are freed after a grace period. */
	rcu_barrier();
	kipc_door_cache_exit();
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_AUTHOR("The kipc developers");
MODULE_DESCRIPTION("kipc: doors and zero-copy message channels");
MODULE_LICENSE("GPL");
MODULE_VERSION(KIPC_MODULE_VERSION);
