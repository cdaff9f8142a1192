// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channels: per-user accounting of channel memory.
 *
 * Every page a channel shares (its flags and control pages, each sender's
 * rings and pool) is counted against the real user id of the channel's
 * creator, whoever causes the allocation, for as long as the page is held
 * by kipc.  The module parameter chan_user_limit_kb caps the count; an
 * allocation that would exceed it fails with EDQUOT.  A creator with
 * CAP_SYS_RESOURCE is counted but not limited.  The same pages are charged
 * to the creator's memory cgroup (channel_mem.c), which bounds them too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

#include "channel.h"

static unsigned long chan_user_limit_kb = 64 * 1024;
module_param(chan_user_limit_kb, ulong, 0644);
MODULE_PARM_DESC(chan_user_limit_kb,
		 "Channel memory one user may hold, in KiB (0: no limit; default 65536)");

/**
 * struct kipc_chan_user - the channel memory of one user
 * @node:	in kipc_chan_users (kipc_chan_users_lock)
 * @uid:	the user
 * @ref:	channels charging this user
 * @pages:	pages charged
 */
struct kipc_chan_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t ref;
	atomic_long_t pages;
};

/* kipc_chan_users_lock protects the table and the entries' membership. */
static DEFINE_HASHTABLE(kipc_chan_users, 6);
static DEFINE_SPINLOCK(kipc_chan_users_lock);

static struct kipc_chan_user *kipc_chan_user_find(kuid_t uid)
{
	struct kipc_chan_user *user;

	hash_for_each_possible(kipc_chan_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/* The accounting entry of @uid, made if needed; NULL when out of memory. */
struct kipc_chan_user *kipc_chan_user_get(kuid_t uid)
{
	struct kipc_chan_user *user, *new;

	spin_lock(&kipc_chan_users_lock);
	user = kipc_chan_user_find(uid);
	if (user)
		refcount_inc(&user->ref);
	spin_unlock(&kipc_chan_users_lock);
	if (user)
		return user;

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return NULL;
	new->uid = uid;
	refcount_set(&new->ref, 1);
	atomic_long_set(&new->pages, 0);

	spin_lock(&kipc_chan_users_lock);
	user = kipc_chan_user_find(uid);
	if (user) {
		refcount_inc(&user->ref);
	} else {
		hash_add(kipc_chan_users, &new->node, __kuid_val(uid));
		user = new;
		new = NULL;
	}
	spin_unlock(&kipc_chan_users_lock);
	kfree(new);
	return user;
}

void kipc_chan_user_put(struct kipc_chan_user *user)
{
	bool last;

	spin_lock(&kipc_chan_users_lock);
	last = refcount_dec_and_test(&user->ref);
	if (last)
		hash_del(&user->node);
	spin_unlock(&kipc_chan_users_lock);
	if (!last)
		return;
	WARN_ON_ONCE(atomic_long_read(&user->pages));
	kfree(user);
}

/* The limit in pages, 0 when there is none. */
unsigned long kipc_chan_user_limit(void)
{
	unsigned long kb = READ_ONCE(chan_user_limit_kb);

	/* Whole pages, rounded down; a limit under a page is not 0. */
	return kb ? max(kb >> (PAGE_SHIFT - 10), 1UL) : 0;
}

int kipc_chan_user_charge(struct kipc_chan_user *user, unsigned long pages,
			  bool exempt)
{
	unsigned long limit = kipc_chan_user_limit();
	long old = atomic_long_read(&user->pages), new;

	do {
		new = old + pages;
		if (!exempt && limit && new > limit)
			return -EDQUOT;
	} while (!atomic_long_try_cmpxchg(&user->pages, &old, new));
	return 0;
}

void kipc_chan_user_uncharge(struct kipc_chan_user *user, unsigned long pages)
{
	atomic_long_sub(pages, &user->pages);
}

/* Pages charged to @uid now. */
unsigned long kipc_chan_user_usage(kuid_t uid)
{
	struct kipc_chan_user *user;
	unsigned long pages = 0;

	spin_lock(&kipc_chan_users_lock);
	user = kipc_chan_user_find(uid);
	if (user)
		pages = atomic_long_read(&user->pages);
	spin_unlock(&kipc_chan_users_lock);
	return pages;
}
