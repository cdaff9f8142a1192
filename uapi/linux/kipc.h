/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc: inter-process communication objects handed out by /dev/kipc.
 *
 * This header is the whole contract between the kipc module and user space.
 * Every structure is made of fixed-width members, has no implicit padding
 * and is the same for 32-bit and 64-bit processes; pointers travel as __u64.
 * Reserved members must be zero on input and are zero on output.
 *
 * See Documentation/kipc/userspace-api.rst.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Name of the misc device: /dev/kipc. */
#define KIPC_DEVICE_NAME	"kipc"

/*
 * ioctl type of every kipc command.  0xB9 is not assigned in
 * Documentation/userspace-api/ioctl/ioctl-number.rst.
 */
#define KIPC_IOC_MAGIC		0xB9

/* The API version this header describes; passed in struct kipc_api.api. */
#define KIPC_API		1

/*
 * Feature bits of struct kipc_api.features.  A bit asked for by user space
 * and not offered by the module makes the handshake fail with EINVAL; on
 * success the module answers with every feature it offers.  Each bit is
 * defined in the section of its capability below.
 */
#define KIPC_FEATURE_DOORS	(1ULL << 0)	/* doors: see below */

#define KIPC_FEATURES		(KIPC_FEATURE_DOORS | KIPC_FEATURE_CHANNELS)

/**
 * struct kipc_api - the handshake, KIPC_IOC_API
 * @api:	in: the API version user space speaks (KIPC_API)
 * @flags:	in: none defined, must be zero
 * @features:	in: features user space requires; out: all features offered
 * @ioctls:	out: bit (1 << _IOC_NR(cmd)) set for each ioctl the context
 *		accepts after the handshake
 * @reserved:	must be zero
 */
struct kipc_api {
	__u32 api;
	__u32 flags;
	__u64 features;
	__u64 ioctls;
	__u64 reserved[3];
};

/* Length of struct kipc_info.version, including the terminating NUL. */
#define KIPC_VERSION_LEN	32

/**
 * struct kipc_info - module and context information, KIPC_IOC_INFO
 * @api:		the API version of this context
 * @flags:		zero
 * @features:		features offered by the module
 * @contexts:		contexts (open /dev/kipc files) alive in the system
 * @version:		module version, NUL-terminated
 * @reserved:		zero
 */
struct kipc_info {
	__u32 api;
	__u32 flags;
	__u64 features;
	__u64 contexts;
	char version[KIPC_VERSION_LEN];
	__u64 reserved[4];
};

/*
 * ioctl numbers (the nr of _IOC) by the file they apply to:
 *
 *   0x00-0x0f  a /dev/kipc context: general
 *   0x10-0x2f  a /dev/kipc context: doors
 *   0x30-0x3f  a /dev/kipc context: channels
 *   0x40-0x5f  a door file
 *   0x60-0x7f  a channel endpoint or connector file
 *
 * ioctls of a /dev/kipc context.  KIPC_IOC_API must come first and succeeds
 * once; every other ioctl fails with EBADFD until it has.
 */
#define KIPC_IOC_API		_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_api)
#define KIPC_IOC_INFO		_IOR(KIPC_IOC_MAGIC, 0x01, struct kipc_info)

/*
 * Doors
 * =====
 *
 * A door is a procedure of a server process that other processes call
 * synchronously: the caller's thread hands its arguments directly to an idle
 * server thread of the door's pool and sleeps until the server thread
 * replies.  See Documentation/kipc/doors.rst.
 *
 * A server creates a door with KIPC_IOC_DOOR_CREATE on its context and gets
 * a door file descriptor; its threads serve calls with KIPC_IOC_DOOR_RETURN
 * on the same context.  Clients call with KIPC_IOC_DOOR_CALL on a door file
 * descriptor.  Attribute and descriptor flag values are those of illumos.
 */

/* Door attributes given at creation. */
#define KIPC_DOOR_UNREF		0x01	/* unreferenced notification, once */
#define KIPC_DOOR_PRIVATE	0x02	/* a private pool of server threads */
#define KIPC_DOOR_UNREF_MULTI	0x10	/* unreferenced notification, again */
#define KIPC_DOOR_REFUSE_DESC	0x40	/* calls may not pass descriptors */
#define KIPC_DOOR_NO_CANCEL	0x80	/* server is not told of cancels */
#define KIPC_DOOR_NO_PRIO_INHERIT 0x100	/* serve at the server's priority */
/* Door attributes reported by KIPC_IOC_DOOR_INFO and with passed doors. */
#define KIPC_DOOR_LOCAL		0x04	/* served by the calling process */
#define KIPC_DOOR_REVOKED	0x08	/* revoked, or its server is gone */
#define KIPC_DOOR_IS_UNREF	0x20	/* no reference but its owner's */

#define KIPC_DOOR_CREATE_MASK	(KIPC_DOOR_UNREF | KIPC_DOOR_PRIVATE | \
				 KIPC_DOOR_UNREF_MULTI | \
				 KIPC_DOOR_REFUSE_DESC | KIPC_DOOR_NO_CANCEL | \
				 KIPC_DOOR_NO_PRIO_INHERIT)

/* struct kipc_door_desc.attributes */
#define KIPC_DESC_DESCRIPTOR	0x10000	/* a file descriptor is passed */
#define KIPC_DESC_RELEASE	0x40000	/* and closed in the sender */

/*
 * A descriptor passed with a call or a reply.  The layout is that of
 * illumos's door_desc_t on amd64, so arrays pass through libkipc's
 * <door.h> untranslated.  On receipt, @fd is a new close-on-exec descriptor
 * of the receiver, @attributes has KIPC_DESC_DESCRIPTOR and, for a door, its
 * KIPC_DOOR_* attributes as seen by the receiver, and @id is the door's id
 * (zero for other files).
 */
struct kipc_door_desc {
	__u32 attributes;
	__s32 fd;
	__u64 id;
	__u64 reserved;
};

/* Value of arg_ptr in an unreferenced invocation (illumos DOOR_UNREF_DATA). */
#define KIPC_DOOR_UNREF_DATA	1

/**
 * struct kipc_door_create - KIPC_IOC_DOOR_CREATE
 * @proc:	opaque to the kernel; returned with every invocation
 * @cookie:	opaque to the kernel; returned with every invocation
 * @attributes:	KIPC_DOOR_CREATE_MASK bits; UNREF with UNREF_MULTI is EINVAL
 * @flags:	zero
 * @id:		out: the door's id, unique for the life of the system
 * @reserved:	zero
 *
 * Returns a new close-on-exec door file descriptor.
 */
struct kipc_door_create {
	__u64 proc;
	__u64 cookie;
	__u32 attributes;
	__u32 flags;
	__u64 id;
	__u64 reserved[2];
};

/* struct kipc_door_call.flags */
#define KIPC_CALL_NONBLOCK	0x1	/* EAGAIN if no server thread is idle */
#define KIPC_CALL_NO_OVERFLOW	0x2	/* EOVERFLOW instead of a new mapping */
#define KIPC_CALL_FLAGS		(KIPC_CALL_NONBLOCK | KIPC_CALL_NO_OVERFLOW)

/* struct kipc_door_call.result_flags */
#define KIPC_RESULT_MAPPED	0x1	/* results are in a new mapping */

/**
 * struct kipc_door_call - KIPC_IOC_DOOR_CALL on a door
 * @data_ptr:		arguments
 * @data_size:		their size
 * @desc_ptr:		descriptors to pass: struct kipc_door_desc[desc_num]
 * @desc_num:		their number
 * @flags:		KIPC_CALL_*
 * @rbuf:		buffer for the results
 * @rsize:		its size
 * @timeout_ns:		relative timeout in nanoseconds; 0 waits forever
 * @result_ptr:		out: the result data: @rbuf, or a new mapping
 * @result_size:	out: its size
 * @result_desc_ptr:	out: received descriptors, after the data
 * @result_desc_num:	out: their number
 * @result_flags:	out: KIPC_RESULT_*
 * @result_map_size:	out: with KIPC_RESULT_MAPPED, the size of the new
 *			mapping at @result_ptr, which the caller unmaps
 * @reserved:		zero
 *
 * Results (data, then the descriptors as struct kipc_door_desc aligned to 8
 * bytes) land in @rbuf if they fit, else in a new private anonymous mapping.
 */
struct kipc_door_call {
	__u64 data_ptr;
	__u64 data_size;
	__u64 desc_ptr;
	__u32 desc_num;
	__u32 flags;
	__u64 rbuf;
	__u64 rsize;
	__u64 timeout_ns;
	__u64 result_ptr;
	__u64 result_size;
	__u64 result_desc_ptr;
	__u32 result_desc_num;
	__u32 result_flags;
	__u64 result_map_size;
	__u64 reserved[2];
};

/* struct kipc_door_return.flags */
#define KIPC_RETURN_ABORT	0x1	/* fail the call being served (EINTR) */
#define KIPC_RETURN_FLAGS	(KIPC_RETURN_ABORT)

/* struct kipc_door_return.inv_flags */
#define KIPC_INV_UNREF		0x1	/* an unreferenced notification */
#define KIPC_INV_MAPPED		0x2	/* arguments are in a new mapping */
#define KIPC_INV_DEPLETED	0x4	/* no other idle thread in the pool */
#define KIPC_INV_DISCARDED	0x8	/* the previous reply was discarded */

/**
 * struct kipc_door_return - KIPC_IOC_DOOR_RETURN on a context
 * @data_ptr:	the reply's data (ignored unless serving a call)
 * @data_size:	its size
 * @desc_ptr:	descriptors to pass back: struct kipc_door_desc[desc_num]
 * @desc_num:	their number
 * @flags:	KIPC_RETURN_*
 * @buf_ptr:	buffer for the next invocation's arguments and descriptors
 * @buf_size:	its size
 * @proc:	out: the door's proc
 * @cookie:	out: the door's cookie
 * @door_id:	out: the door's id
 * @arg_ptr:	out: the arguments: @buf_ptr, a new mapping, or
 *		KIPC_DOOR_UNREF_DATA
 * @arg_size:	out: their size
 * @arg_desc_ptr: out: the received descriptors, after the arguments
 * @arg_desc_num: out: their number
 * @inv_flags:	out: KIPC_INV_*
 * @arg_map_size: out: with KIPC_INV_MAPPED, the size of the new mapping at
 *		@arg_ptr, which the server unmaps
 * @reserved:	zero
 *
 * Replies to the invocation the calling thread serves, if any, then waits
 * in the thread's pool for the next invocation.  Errors about the reply
 * leave the invocation being served; EINTR means the reply (if any) was
 * delivered and the thread no longer serves a call: call again to wait
 * (besides signals, the kernel returns it when the thread must pass
 * through user space to finish closing files it gave away).
 */
struct kipc_door_return {
	__u64 data_ptr;
	__u64 data_size;
	__u64 desc_ptr;
	__u32 desc_num;
	__u32 flags;
	__u64 buf_ptr;
	__u64 buf_size;
	__u64 proc;
	__u64 cookie;
	__u64 door_id;
	__u64 arg_ptr;
	__u64 arg_size;
	__u64 arg_desc_ptr;
	__u32 arg_desc_num;
	__u32 inv_flags;
	__u64 arg_map_size;
	__u64 reserved[2];
};

/**
 * struct kipc_door_info - KIPC_IOC_DOOR_INFO on a door
 * @target:	out: pid of the server process in the caller's pid namespace,
 *		or -1 when revoked
 * @attributes:	out: KIPC_DOOR_* as seen by the caller
 * @proc:	out: the door's proc (zero unless KIPC_DOOR_LOCAL)
 * @cookie:	out: the door's cookie (zero unless KIPC_DOOR_LOCAL)
 * @id:		out: the door's id
 * @reserved:	out: zero
 */
struct kipc_door_info {
	__s32 target;
	__u32 attributes;
	__u64 proc;
	__u64 cookie;
	__u64 id;
	__u64 reserved[2];
};

/* struct kipc_door_param.param: the illumos numbers. */
#define KIPC_DOOR_PARAM_DESC_MAX	1	/* descriptors per call */
#define KIPC_DOOR_PARAM_DATA_MAX	2	/* maximum argument bytes */
#define KIPC_DOOR_PARAM_DATA_MIN	3	/* minimum argument bytes */

/* The "unlimited" value of a door parameter. */
#define KIPC_DOOR_PARAM_UNLIMITED	(~0ULL)

/**
 * struct kipc_door_param - KIPC_IOC_DOOR_GETPARAM and SETPARAM on a door
 * @param:	KIPC_DOOR_PARAM_*
 * @reserved0:	zero
 * @value:	out for GETPARAM, in for SETPARAM
 */
struct kipc_door_param {
	__u32 param;
	__u32 reserved0;
	__u64 value;
};

/* struct kipc_door_current.flags */
#define KIPC_CURRENT_CANCELLED	0x1	/* the caller gave up on the call */
#define KIPC_CURRENT_UNREF	0x2	/* an unreferenced notification */

/**
 * struct kipc_door_current - KIPC_IOC_DOOR_CURRENT on a context
 * @door:	out: the door the calling thread is serving
 * @pid:	out: the caller's process id in the server's pid namespace
 *		(0 if not visible there)
 * @tid:	out: the caller's thread id, likewise
 * @uid:	out: the caller's real user id in the server's user namespace
 * @euid:	out: effective
 * @suid:	out: saved
 * @gid:	out: the caller's real group id
 * @egid:	out: effective
 * @sgid:	out: saved
 * @ngroups:	out: number of supplementary groups of the caller
 * @groups_max:	in: capacity of @groups_ptr in entries
 * @groups_ptr:	in: __u32[groups_max] receiving the first groups
 * @flags:	out: KIPC_CURRENT_*
 * @reserved0:	zero
 * @reserved:	zero
 *
 * Ids not mapped into the server's user namespace read as the overflow id.
 */
struct kipc_door_current {
	struct kipc_door_info door;
	__s32 pid;
	__s32 tid;
	__u32 uid;
	__u32 euid;
	__u32 suid;
	__u32 gid;
	__u32 egid;
	__u32 sgid;
	__u32 ngroups;
	__u32 groups_max;
	__u64 groups_ptr;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct kipc_door_attach - KIPC_IOC_DOOR_ATTACH and DETACH on a context
 * @door_fd:	ATTACH: the door; DETACH: must be -1
 * @dirfd:	directory @path is relative to, or AT_FDCWD
 * @path:	pointer to a NUL-terminated path in a kipcfs mount
 * @flags:	zero
 * @reserved0:	zero
 *
 * ATTACH puts the door in the place of the existing empty regular file at
 * @path, which the caller must own and be able to write; opening the path
 * then yields the door.  DETACH puts an empty regular file back.
 */
struct kipc_door_attach {
	__s32 door_fd;
	__s32 dirfd;
	__u64 path;
	__u32 flags;
	__u32 reserved0;
};

/* The filesystem type of the door naming filesystem, for mount(2). */
#define KIPC_FS_NAME		"kipcfs"
#define KIPC_FS_MAGIC		0x6b697063	/* "kipc" */

/* The file type of a door in st_mode, as on illumos (S_IFDOOR). */
#define KIPC_S_IFDOOR		0150000

/* Door ioctls of a context. */
#define KIPC_IOC_DOOR_CREATE	_IOWR(KIPC_IOC_MAGIC, 0x10, struct kipc_door_create)
#define KIPC_IOC_DOOR_RETURN	_IOWR(KIPC_IOC_MAGIC, 0x11, struct kipc_door_return)
#define KIPC_IOC_DOOR_UNBIND	_IO(KIPC_IOC_MAGIC, 0x12)
#define KIPC_IOC_DOOR_CURRENT	_IOWR(KIPC_IOC_MAGIC, 0x13, struct kipc_door_current)
#define KIPC_IOC_DOOR_ATTACH	_IOW(KIPC_IOC_MAGIC, 0x14, struct kipc_door_attach)
#define KIPC_IOC_DOOR_DETACH	_IOW(KIPC_IOC_MAGIC, 0x15, struct kipc_door_attach)
/* Bind the calling thread to the private pool of the door of this id. */
#define KIPC_IOC_DOOR_BIND	_IOW(KIPC_IOC_MAGIC, 0x16, __u64)
/*
 * Stop serving: revoke every door of the context and make every server
 * thread's KIPC_IOC_DOOR_RETURN fail with EBADF, as if the server had
 * exited; no door can be created on the context afterwards.
 */
#define KIPC_IOC_DOOR_SHUTDOWN	_IO(KIPC_IOC_MAGIC, 0x17)

/* ioctls of a door file descriptor. */
#define KIPC_IOC_DOOR_CALL	_IOWR(KIPC_IOC_MAGIC, 0x40, struct kipc_door_call)
#define KIPC_IOC_DOOR_INFO	_IOR(KIPC_IOC_MAGIC, 0x41, struct kipc_door_info)
#define KIPC_IOC_DOOR_REVOKE	_IO(KIPC_IOC_MAGIC, 0x42)
#define KIPC_IOC_DOOR_GETPARAM	_IOWR(KIPC_IOC_MAGIC, 0x43, struct kipc_door_param)
#define KIPC_IOC_DOOR_SETPARAM	_IOW(KIPC_IOC_MAGIC, 0x44, struct kipc_door_param)

/*
 * ======================================================================
 * Channels: zero-copy messages from senders to one receiver
 * ======================================================================
 *
 * See Documentation/kipc/channels.rst for the model, the shared memory
 * layout and its memory ordering.  A channel is created on a context
 * (KIPC_IOC_CHAN_CREATE) and consists of:
 *
 *   - the receiver endpoint (a file descriptor): maps the channel's control
 *     area and, for each sender, that sender's TX area (read-only) and RX
 *     area (read-write);
 *   - connectors (file descriptors): KIPC_CHAN_IOC_CONNECT on a connector
 *     gives a new sender endpoint;
 *   - sender endpoints: each maps its own TX area (read-write: its rings'
 *     producer side and its buffer pool), its RX area (read-only) and the
 *     channel's flags area (read-only).
 *
 * Every endpoint is close-on-exec.  User space never hard-codes the shared
 * layout: every size, mmap offset and field offset comes from struct
 * kipc_chan_layout.
 */

/* Feature bit of struct kipc_api.features: the module offers channels. */
#define KIPC_FEATURE_CHANNELS		(1ULL << 1)

/* Defaults (used for a zero parameter) and upper limits. */
#define KIPC_CHAN_POOL_DEFAULT		(1ULL << 20)	/* bytes per sender */
#define KIPC_CHAN_POOL_MAX		(1ULL << 30)
#define KIPC_CHAN_MSG_DEFAULT		(64U << 10)	/* at most the pool */
#define KIPC_CHAN_DEPTH_DEFAULT		256U
#define KIPC_CHAN_DEPTH_MAX		32768U		/* a power of two */
#define KIPC_CHAN_SENDERS_DEFAULT	64U
#define KIPC_CHAN_SENDERS_MAX		1024U

/* Alignment of every buffer a sender's library loans out of its pool. */
#define KIPC_CHAN_MSG_ALIGN		64U

/**
 * struct kipc_chan_params - the shape of a channel
 * @pool_size:		bytes of each sender's buffer pool; 0 for the default;
 *			rounded up to the page size
 * @max_msg:		largest message in bytes, at most @pool_size; 0 for
 *			the default (KIPC_CHAN_MSG_DEFAULT or the pool size if
 *			smaller)
 * @ring_depth:		messages a sender may have in flight (loaned, sent or
 *			held by the receiver); a power of two; 0 for the default
 * @max_senders:	sender endpoints the channel holds at once; 0 for the
 *			default
 * @flags:		none defined; must be zero
 * @reserved:		must be zero
 *
 * On output, the values in force.
 */
struct kipc_chan_params {
	__u64 pool_size;
	__u32 max_msg;
	__u32 ring_depth;
	__u32 max_senders;
	__u32 flags;
	__u64 reserved;
};

/*
 * One entry of a sender's send ring (TX area, at tx_ring): a message.
 * Written by the sender, read by the receiver, which checks that
 * offset + len lies inside the pool and len <= max_msg before use.
 */
struct kipc_chan_desc {
	__u32 offset;	/* of the payload, from the start of the pool */
	__u32 len;	/* payload bytes */
	__u32 id;	/* the sender's buffer id, handed back on release */
	__u32 reserved;	/* zero */
};

/* The release ring (RX area, at rx_ring) holds __u32 buffer ids. */

/* Bits of the word at flags_rx in the flags area (written by the kernel). */
#define KIPC_CHAN_RX_NEED_WAKEUP	(1U << 0)	/* receiver waits */
#define KIPC_CHAN_RX_CLOSED		(1U << 1)	/* receiver is gone */

/* Bits of the word at rx_state in a sender's RX area (kernel-written). */
#define KIPC_CHAN_TX_CLOSED		(1U << 0)	/* sender is gone */
#define KIPC_CHAN_TX_DISCONNECTED	(1U << 1)	/* by the receiver */
#define KIPC_CHAN_TX_RX_CLOSED		(1U << 2)	/* receiver is gone */

/* Bits of the word at ctl_state in the control area (kernel-written). */
#define KIPC_CHAN_CTL_NO_WRITERS	(1U << 0)	/* no sender, no connector */

/* A *_mmap member of struct kipc_chan_layout the endpoint cannot map. */
#define KIPC_CHAN_MMAP_NONE		(~0ULL)

/**
 * struct kipc_chan_layout - sizes and offsets of the shared areas
 *
 * Sizes are in bytes and multiples of the page size.  The *_mmap members
 * are the mmap(2) offsets of the areas for the endpoint the layout was
 * returned for (KIPC_CHAN_MMAP_NONE when that endpoint cannot map the
 * area); the receiver gets each sender's offsets from KIPC_CHAN_IOC_SENDERS.
 * The other members are byte offsets inside their area.
 *
 * @ctl_size:		the receiver's control area
 * @tx_size:		a sender's TX area (sender: read-write; receiver:
 *			read-only)
 * @rx_size:		a sender's RX area (receiver: read-write; sender:
 *			read-only)
 * @flags_size:		the channel's flags area (sender: read-only)
 * @ctl_mmap:		receiver: its control area
 * @tx_mmap:		sender: its TX area
 * @rx_mmap:		sender: its RX area
 * @flags_mmap:		sender: the flags area
 * @tx_pool:		the pool, in the TX area
 * @pool_size:		bytes of the pool
 * @tx_tail:		__u32 send ring tail (sender-written)
 * @tx_release_head:	__u32 release ring head (sender-written)
 * @tx_blocked:		__u32 nonzero while the sender is out of buffers
 *			(sender-written; makes poll() report EPOLLOUT only
 *			once buffers come back)
 * @tx_msgs:		__u64 messages sent (sender-written statistics)
 * @tx_bytes:		__u64 payload bytes sent (sender-written statistics)
 * @tx_ring:		the send ring, @ring_depth struct kipc_chan_desc
 * @rx_head:		__u32 send ring head (receiver-written)
 * @rx_release_tail:	__u32 release ring tail (receiver-written)
 * @rx_tx_wakeup:	__u32 nonzero while the sender waits for released
 *			buffers (kernel-written)
 * @rx_state:		__u32 KIPC_CHAN_TX_* (kernel-written)
 * @rx_ring:		the release ring, @ring_depth __u32 buffer ids
 * @flags_rx:		__u32 KIPC_CHAN_RX_*, in the flags area
 * @ctl_gen:		__u32 generation of the sender table; changes whenever
 *			a sender comes or goes or the KIPC_CHAN_CTL_* state
 *			changes (kernel-written)
 * @ctl_state:		__u32 KIPC_CHAN_CTL_* (kernel-written)
 * @max_msg:		as in struct kipc_chan_params
 * @ring_depth:		as in struct kipc_chan_params
 * @max_senders:	as in struct kipc_chan_params
 * @msg_align:		KIPC_CHAN_MSG_ALIGN
 * @reserved:		zero
 */
struct kipc_chan_layout {
	__u64 ctl_size;
	__u64 tx_size;
	__u64 rx_size;
	__u64 flags_size;
	__u64 ctl_mmap;
	__u64 tx_mmap;
	__u64 rx_mmap;
	__u64 flags_mmap;
	__u64 tx_pool;
	__u64 pool_size;
	__u32 tx_tail;
	__u32 tx_release_head;
	__u32 tx_blocked;
	__u32 tx_msgs;
	__u32 tx_bytes;
	__u32 tx_ring;
	__u32 rx_head;
	__u32 rx_release_tail;
	__u32 rx_tx_wakeup;
	__u32 rx_state;
	__u32 rx_ring;
	__u32 flags_rx;
	__u32 ctl_gen;
	__u32 ctl_state;
	__u32 max_msg;
	__u32 ring_depth;
	__u32 max_senders;
	__u32 msg_align;
	__u64 reserved[4];
};

/**
 * struct kipc_chan_create - KIPC_IOC_CHAN_CREATE
 * @params:		in: the shape asked for; out: the shape in force
 * @flags:		none defined; must be zero
 * @rx_fd:		out: the receiver endpoint (close-on-exec)
 * @connector_fd:	out: a connector (close-on-exec)
 * @reserved0:		must be zero
 * @chan_id:		out: the channel's id, unique while it exists
 * @layout:		out: the layout, with the receiver's mmap offsets
 * @reserved:		must be zero
 */
struct kipc_chan_create {
	struct kipc_chan_params params;
	__u32 flags;
	__s32 rx_fd;
	__s32 connector_fd;
	__u32 reserved0;
	__u64 chan_id;
	struct kipc_chan_layout layout;
	__u64 reserved[4];
};

/**
 * struct kipc_chan_limits - KIPC_IOC_CHAN_LIMITS
 * @defaults:	the values a zero creation parameter stands for
 * @max:	the largest accepted creation parameters
 * @user_limit:	bytes of channel memory one user may hold (the module
 *		parameter chan_user_limit_kb); 0 when unlimited
 * @user_usage:	bytes of channel memory charged to the caller's user
 * @channels:	channels alive in the system
 * @page_size:	the page size areas are made of
 * @msg_align:	KIPC_CHAN_MSG_ALIGN
 * @reserved:	zero
 */
struct kipc_chan_limits {
	struct kipc_chan_params defaults;
	struct kipc_chan_params max;
	__u64 user_limit;
	__u64 user_usage;
	__u64 channels;
	__u32 page_size;
	__u32 msg_align;
	__u64 reserved[4];
};

/* Roles reported by KIPC_CHAN_IOC_INFO. */
#define KIPC_CHAN_ROLE_RECEIVER		1
#define KIPC_CHAN_ROLE_SENDER		2
#define KIPC_CHAN_ROLE_CONNECTOR	3

/* Bits of struct kipc_chan_info.state. */
#define KIPC_CHAN_INFO_CLOSED		(1U << 0)	/* endpoint closed */
#define KIPC_CHAN_INFO_RX_CLOSED	(1U << 1)	/* receiver gone */

/**
 * struct kipc_chan_info - KIPC_CHAN_IOC_INFO, on any channel file
 * @role:	KIPC_CHAN_ROLE_*
 * @state:	KIPC_CHAN_INFO_*
 * @chan_id:	the channel's id
 * @sender_id:	sender: its id; else 0
 * @params:	the channel's shape
 * @layout:	the layout, with this endpoint's mmap offsets
 * @reserved:	zero
 */
struct kipc_chan_info {
	__u32 role;
	__u32 state;
	__u64 chan_id;
	__u64 sender_id;
	struct kipc_chan_params params;
	struct kipc_chan_layout layout;
	__u64 reserved[4];
};

/**
 * struct kipc_chan_connect - KIPC_CHAN_IOC_CONNECT, on a connector
 * @flags:	none defined; must be zero
 * @fd:		out: the new sender endpoint (close-on-exec)
 * @sender_id:	out: its id, unique in the channel
 * @layout:	out: the layout, with the sender's mmap offsets
 * @reserved:	must be zero
 */
struct kipc_chan_connect {
	__u32 flags;
	__s32 fd;
	__u64 sender_id;
	struct kipc_chan_layout layout;
	__u64 reserved[2];
};

/**
 * struct kipc_chan_wait - KIPC_CHAN_IOC_WAIT, on an endpoint
 * @timeout_ns:	negative: no timeout; 0: do not sleep (arm the wakeup and
 *		report readiness); positive: relative timeout
 * @flags:	none defined; must be zero
 * @reserved:	must be zero
 *
 * A receiver waits until a sender's ring holds a message, the sender table
 * changed (see ctl_gen) or the channel reached its end; a sender until a
 * buffer came back on its release ring.  The wakeup stays armed until the
 * other side delivers it.
 */
struct kipc_chan_wait {
	__s64 timeout_ns;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct kipc_chan_sender_ref - names one sender of the receiver's channel
 * @sender_id:	the sender's id
 * @flags:	none defined; must be zero
 * @reserved:	must be zero
 */
struct kipc_chan_sender_ref {
	__u64 sender_id;
	__u32 flags;
	__u32 reserved;
};

/* Bits of struct kipc_chan_sender.flags. */
#define KIPC_CHAN_SENDER_CLOSED		(1U << 0)	/* endpoint is gone */

/**
 * struct kipc_chan_sender - one entry of KIPC_CHAN_IOC_SENDERS
 * @id:		the sender's id
 * @tx_mmap:	receiver's mmap offset of the sender's TX area
 * @rx_mmap:	receiver's mmap offset of the sender's RX area
 * @flags:	KIPC_CHAN_SENDER_*
 * @pid:	process that connected it, in the caller's pid namespace
 *		(0 if not visible there)
 * @uid:	its effective uid at connection, in the caller's user namespace
 * @gid:	its effective gid at connection, in the caller's user namespace
 */
struct kipc_chan_sender {
	__u64 id;
	__u64 tx_mmap;
	__u64 rx_mmap;
	__u32 flags;
	__s32 pid;
	__u32 uid;
	__u32 gid;
};

/**
 * struct kipc_chan_senders - KIPC_CHAN_IOC_SENDERS, on the receiver
 * @senders:	in: user pointer to an array of struct kipc_chan_sender
 * @nr:		in: entries the array holds; out: entries written
 * @total:	out: senders in the table (connected, or gone and not yet
 *		detached)
 * @gen:	out: the ctl_gen value the list belongs to
 * @state:	out: KIPC_CHAN_CTL_*
 * @flags:	none defined; must be zero
 * @reserved0:	must be zero
 * @reserved:	must be zero
 */
struct kipc_chan_senders {
	__u64 senders;
	__u32 nr;
	__u32 total;
	__u32 gen;
	__u32 state;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/* ioctls of a /dev/kipc context (after the handshake). */
#define KIPC_IOC_CHAN_CREATE	_IOWR(KIPC_IOC_MAGIC, 0x30, struct kipc_chan_create)
#define KIPC_IOC_CHAN_LIMITS	_IOR(KIPC_IOC_MAGIC, 0x31, struct kipc_chan_limits)

/* ioctls of channel files: R receiver, S sender, C connector. */
#define KIPC_CHAN_IOC_INFO	_IOR(KIPC_IOC_MAGIC, 0x60, struct kipc_chan_info)	/* RSC */
#define KIPC_CHAN_IOC_CONNECT	_IOWR(KIPC_IOC_MAGIC, 0x61, struct kipc_chan_connect)	/* C */
#define KIPC_CHAN_IOC_WAIT	_IOW(KIPC_IOC_MAGIC, 0x62, struct kipc_chan_wait)	/* RS */
#define KIPC_CHAN_IOC_WAKE_RX	_IO(KIPC_IOC_MAGIC, 0x63)				/* S */
#define KIPC_CHAN_IOC_WAKE_TX	_IOW(KIPC_IOC_MAGIC, 0x64, struct kipc_chan_sender_ref)	/* R */
#define KIPC_CHAN_IOC_SENDERS	_IOWR(KIPC_IOC_MAGIC, 0x65, struct kipc_chan_senders)	/* R */
#define KIPC_CHAN_IOC_DETACH	_IOW(KIPC_IOC_MAGIC, 0x66, struct kipc_chan_sender_ref)	/* R */

/* ======================== end of channels ============================ */

#endif /* _UAPI_LINUX_KIPC_H */
