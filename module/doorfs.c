// SPDX-License-Identifier: GPL-2.0
/*
 * kipc doors: door inodes, and kipcfs, the filesystem that names doors.
 *
 * Every door has an inode of file type KIPC_S_IFDOOR (illumos's S_IFDOOR)
 * on an internal pseudo filesystem, so that fstat() on a door descriptor
 * says what it is; all files of the door share it.
 *
 * kipcfs is a small in-memory filesystem, one instance per IPC namespace,
 * mounted by convention on /run/kipc.  Users create empty regular files and
 * directories in it as anywhere else (its root is sticky and writable by
 * all, like /tmp).  Attaching a door to such a file (fattach()) puts a door
 * node in its place: opening the node's path, with ordinary permission
 * checks against the node's owner and mode, gives a new file of the door.
 * Detaching (fdetach()) puts an empty regular file back.  A node holds a
 * reference on its door, which counts for unreferenced notifications; when
 * the door is revoked or its server dies, its nodes are unlinked, so a name
 * never outlives the service it names.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/ipc_namespace.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/pseudo_fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "door.h"

#define KIPC_S_ISDOOR(mode)	(((mode) & S_IFMT) == KIPC_S_IFDOOR)

/* The internal mount holding the inodes of doors. */
static struct vfsmount *kipc_door_mnt;

/*
 * Protects the i_private of door inodes (the door) and of kipcfs door nodes
 * (their struct kipc_door_name) against the door or name going away while
 * an open() looks at them.  Only open() and teardown take it.
 */
static DEFINE_SPINLOCK(kipc_doorfs_lock);

/**
 * struct kipc_door_name - a door attached to a name in kipcfs
 * @node:	in door->names, under door->lock; empty once the door is
 *		being revoked
 * @door:	the door: a reference, and one of its external references
 * @inode:	the door node
 */
struct kipc_door_name {
	struct list_head node;
	struct kipc_door *door;
	struct inode *inode;
};

/* A kipcfs instance: the IPC namespace it belongs to. */
struct kipcfs_info {
	struct ipc_namespace *ipc_ns;
	unsigned int inum;
};

static char *kipc_door_dname(struct dentry *dentry, char *buffer, int buflen)
{
	char name[48];
	int len;

	len = snprintf(name, sizeof(name), "kipc-door:[%lu]",
		       d_inode(dentry)->i_ino) + 1;
	if (len > buflen)
		return ERR_PTR(-ENAMETOOLONG);
	return memcpy(buffer + buflen - len, name, len);
}

static const struct dentry_operations kipc_door_dops = {
	.d_dname	= kipc_door_dname,
};

static int kipc_doorfs_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, KIPC_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->dops = &kipc_door_dops;
	return 0;
}

static struct file_system_type kipc_doorfs_type = {
	.name			= "kipc_door",
	.init_fs_context	= kipc_doorfs_init_fs_context,
	.kill_sb		= kill_anon_super,
};

struct inode *kipc_doorfs_new_inode(struct kipc_door *door)
{
	struct inode *inode = new_inode(kipc_door_mnt->mnt_sb);

	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_ino = get_next_ino();
	inode->i_mode = KIPC_S_IFDOOR | 0600;
	inode->i_uid = current_fsuid();
	inode->i_gid = current_fsgid();
	inode->i_flags |= S_PRIVATE;
	inode->i_fop = &kipc_door_fops;
	inode->i_private = door;
	kipc_inode_init_times(inode);
	return inode;
}

struct file *kipc_doorfs_new_file(struct kipc_door *door,
				  const struct file_operations *fops)
{
	struct file *file;

	/* fput() of the file puts the module, as for any opened file. */
	__module_get(THIS_MODULE);
	ihold(door->inode);
	file = alloc_file_pseudo(door->inode, kipc_door_mnt, "kipc-door",
				 O_RDWR, fops);
	if (IS_ERR(file)) {
		iput(door->inode);
		module_put(THIS_MODULE);
	}
	return file;
}

/* The door is going away: its inode no longer leads to it. */
void kipc_doorfs_forget(struct kipc_door *door)
{
	spin_lock(&kipc_doorfs_lock);
	door->inode->i_private = NULL;
	spin_unlock(&kipc_doorfs_lock);
}

/*
 * The door an open() of @inode (a door inode, or a kipcfs door node)
 * yields, with a reference; NULL if it is gone or revoked.
 */
struct kipc_door *kipc_doorfs_door_of(struct inode *inode)
{
	struct kipc_door *door = NULL;

	spin_lock(&kipc_doorfs_lock);
	if (inode->i_sb == kipc_door_mnt->mnt_sb) {
		door = inode->i_private;
	} else {
		struct kipc_door_name *name = inode->i_private;

		if (name)
			door = name->door;
	}
	if (door && (READ_ONCE(door->revoked) ||
		     !kref_get_unless_zero(&door->ref)))
		door = NULL;
	spin_unlock(&kipc_doorfs_lock);
	return door;
}

/* kipcfs */

static const struct inode_operations kipcfs_dir_iops;

static const struct file_operations kipcfs_file_fops = {
	.llseek		= noop_llseek,
};

static struct inode *kipcfs_new_inode(struct super_block *sb, umode_t mode,
				      kuid_t uid, kgid_t gid)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode->i_mode = mode;
	inode->i_uid = uid;
	inode->i_gid = gid;
	kipc_inode_init_times(inode);
	if (S_ISDIR(mode)) {
		inode->i_op = &kipcfs_dir_iops;
		inode->i_fop = &simple_dir_operations;
		set_nlink(inode, 2);
	} else if (KIPC_S_ISDOOR(mode)) {
		inode->i_fop = &kipc_door_fops;
	} else {
		inode->i_fop = &kipcfs_file_fops;
	}
	return inode;
}

/* Directories and empty regular files, owned by their creator. */
static int kipcfs_mknod(kipc_idmap_t *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode)
{
	struct inode *inode;

	if (!S_ISDIR(mode) && !S_ISREG(mode))
		return -EPERM;
	inode = kipcfs_new_inode(dir->i_sb, mode, GLOBAL_ROOT_UID,
				 GLOBAL_ROOT_GID);
	if (!inode)
		return -ENOSPC;
	inode_init_owner(idmap, inode, dir, mode);
	if (S_ISDIR(mode))
		inc_nlink(dir);
	d_instantiate(dentry, inode);
	/* In-memory: the dentry is the only copy; pin it. */
	dget(dentry);
	kipc_inode_touch_dir(dir);
	return 0;
}

static int kipcfs_create(kipc_idmap_t *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, bool excl)
{
	return kipcfs_mknod(idmap, dir, dentry, (mode & 07777) | S_IFREG);
}

static int kipcfs_mkdir(kipc_idmap_t *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode)
{
	return kipcfs_mknod(idmap, dir, dentry, (mode & 07777) | S_IFDIR);
}

static const struct inode_operations kipcfs_dir_iops = {
	.lookup		= simple_lookup,
	.create		= kipcfs_create,
	.mkdir		= kipcfs_mkdir,
	.rmdir		= simple_rmdir,
	.unlink		= simple_unlink,
	.rename		= simple_rename,
};

/* A door node is gone: its reference on the door goes with it. */
static void kipcfs_evict_inode(struct inode *inode)
{
	struct kipc_door_name *name = NULL;

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (!KIPC_S_ISDOOR(inode->i_mode))
		return;
	spin_lock(&kipc_doorfs_lock);
	name = inode->i_private;
	inode->i_private = NULL;
	spin_unlock(&kipc_doorfs_lock);
	if (!name)
		return;
	spin_lock(&name->door->lock);
	list_del_init(&name->node);
	spin_unlock(&name->door->lock);
	kipc_door_ext_unref(name->door);
	kipc_door_put(name->door);
	kfree(name);
}

static const struct super_operations kipcfs_sops = {
	.statfs		= simple_statfs,
	.drop_inode	= generic_delete_inode,
	.evict_inode	= kipcfs_evict_inode,
};

static int kipcfs_fill_super(struct super_block *sb)
{
	struct inode *root;

	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = KIPC_FS_MAGIC;
	sb->s_op = &kipcfs_sops;
	sb->s_time_gran = 1;
	/* Like /tmp: everybody may publish, nobody may remove another's. */
	root = kipcfs_new_inode(sb, S_IFDIR | S_ISVTX | 0777,
				make_kuid(sb->s_user_ns, 0),
				make_kgid(sb->s_user_ns, 0));
	if (!root)
		return -ENOMEM;
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int kipcfs_test_super(struct super_block *sb, struct fs_context *fc)
{
	struct kipcfs_info *have = sb->s_fs_info, *want = fc->s_fs_info;

	/*
	 * The module cannot hold a reference on an IPC namespace (6.1 does
	 * not export put_ipc_ns()); the namespace's inode number guards
	 * against a new namespace at the address of a dead one.
	 */
	return have->ipc_ns == want->ipc_ns && have->inum == want->inum;
}

static int kipcfs_get_tree(struct fs_context *fc)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct kipcfs_info *info;
	struct super_block *sb;
	int err;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->ipc_ns = ns;
	info->inum = ns->ns.inum;
	fc->s_fs_info = info;

	/* sget_fc() hands fc->s_fs_info to a new superblock. */
	sb = sget_fc(fc, kipcfs_test_super, set_anon_super_fc);
	if (IS_ERR(sb))
		return PTR_ERR(sb);
	if (!sb->s_root) {
		err = kipcfs_fill_super(sb);
		if (err) {
			deactivate_locked_super(sb);
			return err;
		}
		sb->s_flags |= SB_ACTIVE;
	}
	fc->root = dget(sb->s_root);
	return 0;
}

static void kipcfs_free_fc(struct fs_context *fc)
{
	kfree(fc->s_fs_info);
}

static const struct fs_context_operations kipcfs_context_ops = {
	.get_tree	= kipcfs_get_tree,
	.free		= kipcfs_free_fc,
};

static int kipcfs_init_fs_context(struct fs_context *fc)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;

	/* As for mqueue: the namespace's owner may mount its instance. */
	put_user_ns(fc->user_ns);
	fc->user_ns = get_user_ns(ns->user_ns);
	fc->ops = &kipcfs_context_ops;
	return 0;
}

static void kipcfs_kill_sb(struct super_block *sb)
{
	struct kipcfs_info *info = sb->s_fs_info;

	kill_litter_super(sb);
	kfree(info);
}

static struct file_system_type kipcfs_type = {
	.owner			= THIS_MODULE,
	.name			= KIPC_FS_NAME,
	.init_fs_context	= kipcfs_init_fs_context,
	.kill_sb		= kipcfs_kill_sb,
	.fs_flags		= FS_USERNS_MOUNT,
};

/*
 * Put @inode in the place of @dentry, the entry of a child of @parent
 * whose inode is @old.  Fails with -ENOENT if the entry moved meanwhile.
 * Consumes @inode either way.
 */
static int kipcfs_replace(struct dentry *parent, struct dentry *dentry,
			  struct inode *old, struct inode *inode)
{
	struct inode *dir = d_inode(parent);
	struct dentry *new;
	int ret = 0;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	if (dentry->d_parent != parent || d_inode(dentry) != old ||
	    d_unhashed(dentry)) {
		ret = -ENOENT;
		goto out;
	}
	new = d_alloc_name(parent, dentry->d_name.name);
	if (!new) {
		ret = -ENOMEM;
		goto out;
	}
	simple_unlink(dir, dentry);
	d_delete(dentry);
	d_add(new, inode);
	inode = NULL;
	/* The pin of the new entry is the reference of d_alloc_name(). */
	kipc_inode_touch_dir(dir);
out:
	inode_unlock(dir);
	iput(inode);
	return ret;
}

/* Unlink the door node @inode, wherever it is. */
static void kipcfs_unlink_node(struct inode *inode)
{
	struct dentry *dentry, *parent;
	struct inode *dir;

	dentry = d_find_alias(inode);
	if (!dentry)
		return;
	parent = dget_parent(dentry);
	dir = d_inode(parent);
	inode_lock_nested(dir, I_MUTEX_PARENT);
	if (dentry->d_parent == parent && d_inode(dentry) == inode &&
	    !d_unhashed(dentry)) {
		simple_unlink(dir, dentry);
		d_delete(dentry);
	}
	inode_unlock(dir);
	dput(parent);
	dput(dentry);
}

static int kipcfs_attach(struct kipc_door *door, const struct path *path)
{
	struct dentry *dentry = path->dentry, *parent;
	struct inode *old = d_inode(dentry), *inode;
	struct kipc_door_name *name;
	bool revoked;
	int ret;

	if (KIPC_S_ISDOOR(old->i_mode))
		return -EBUSY;
	if (!S_ISREG(old->i_mode))
		return -EINVAL;
	if (!inode_owner_or_capable(KIPC_NOP_IDMAP, old))
		return -EPERM;
	ret = inode_permission(KIPC_NOP_IDMAP, old, MAY_WRITE);
	if (ret)
		return ret;

	name = kzalloc(sizeof(*name), GFP_KERNEL_ACCOUNT);
	if (!name)
		return -ENOMEM;
	inode = kipcfs_new_inode(old->i_sb, KIPC_S_IFDOOR | (old->i_mode & 0777),
				 old->i_uid, old->i_gid);
	if (!inode) {
		kfree(name);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&name->node);
	name->inode = inode;

	spin_lock(&door->lock);
	revoked = door->revoked;
	if (!revoked) {
		kref_get(&door->ref);
		name->door = door;
		list_add_tail(&name->node, &door->names);
	}
	spin_unlock(&door->lock);
	if (revoked) {
		iput(inode);
		kfree(name);
		return -EBADF;
	}
	kipc_door_ext_ref(door);
	inode->i_private = name;

	parent = dget_parent(dentry);
	ret = kipcfs_replace(parent, dentry, old, inode);
	dput(parent);
	/*
	 * Revoked meanwhile: kipc_door_detach_names() may have looked for
	 * the node before it was in place.  Unlink it ourselves.
	 */
	if (!ret && READ_ONCE(door->revoked))
		kipcfs_unlink_node(inode);
	return ret;
}

static int kipcfs_detach(const struct path *path)
{
	struct dentry *dentry = path->dentry, *parent;
	struct inode *old = d_inode(dentry), *inode;
	int ret;

	if (!KIPC_S_ISDOOR(old->i_mode))
		return -EINVAL;
	if (!inode_owner_or_capable(KIPC_NOP_IDMAP, old))
		return -EPERM;
	inode = kipcfs_new_inode(old->i_sb, S_IFREG | (old->i_mode & 0777),
				 old->i_uid, old->i_gid);
	if (!inode)
		return -ENOMEM;
	parent = dget_parent(dentry);
	ret = kipcfs_replace(parent, dentry, old, inode);
	dput(parent);
	return ret;
}

long kipc_door_attach(struct kipc_ctx *ctx,
		      struct kipc_door_attach __user *u, bool attach)
{
	struct kipc_door_attach a;
	struct file *file = NULL;
	struct kipc_door *door = NULL;
	struct path path;
	long ret;

	if (copy_from_user(&a, u, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.reserved0)
		return -EINVAL;
	if (attach) {
		file = fget(a.door_fd);
		if (!file)
			return -EBADF;
		door = kipc_door_from_file(file);
		ret = -EINVAL;
		if (!door)
			goto out_file;
	} else if (a.door_fd != -1) {
		return -EINVAL;
	}

	ret = user_path_at(a.dirfd, u64_to_user_ptr(a.path), LOOKUP_FOLLOW,
			   &path);
	if (ret)
		goto out_file;
	ret = -EINVAL;
	if (path.dentry->d_sb->s_type != &kipcfs_type)
		goto out_path;
	ret = attach ? kipcfs_attach(door, &path) : kipcfs_detach(&path);
out_path:
	path_put(&path);
out_file:
	if (file)
		fput(file);
	return ret;
}

/* The door is revoked or its server gone: unlink its names. */
void kipc_door_detach_names(struct kipc_door *door)
{
	for (;;) {
		struct kipc_door_name *name;
		struct inode *inode = NULL;
		struct super_block *sb;
		bool pinned;

		spin_lock(&door->lock);
		name = list_first_entry_or_null(&door->names,
						struct kipc_door_name, node);
		if (!name) {
			spin_unlock(&door->lock);
			return;
		}
		list_del_init(&name->node);
		/*
		 * Pin the filesystem and the node; if either is already on
		 * its way out, its teardown drops the name's references.
		 */
		sb = name->inode->i_sb;
		pinned = atomic_inc_not_zero(&sb->s_active);
		if (pinned)
			inode = igrab(name->inode);
		spin_unlock(&door->lock);

		if (inode) {
			kipcfs_unlink_node(inode);
			iput(inode);
		}
		if (pinned)
			deactivate_super(sb);
	}
}

int kipc_doorfs_init(void)
{
	int ret;

	kipc_door_mnt = kern_mount(&kipc_doorfs_type);
	if (IS_ERR(kipc_door_mnt))
		return PTR_ERR(kipc_door_mnt);
	ret = register_filesystem(&kipcfs_type);
	if (ret)
		kern_unmount(kipc_door_mnt);
	return ret;
}

void kipc_doorfs_exit(void)
{
	unregister_filesystem(&kipcfs_type);
	kern_unmount(kipc_door_mnt);
}
