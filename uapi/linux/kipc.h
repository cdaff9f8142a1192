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
#define KIPC_FEATURES		(KIPC_FEATURE_CHANNELS)

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
