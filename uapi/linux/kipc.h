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
 * success the module answers with every feature it offers.
 */
#define KIPC_FEATURES		0ULL

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
 *   0x60-0x7f  a channel endpoint file
 *
 * ioctls of a /dev/kipc context.  KIPC_IOC_API must come first and succeeds
 * once; every other ioctl fails with EBADFD until it has.
 */
#define KIPC_IOC_API		_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_api)
#define KIPC_IOC_INFO		_IOR(KIPC_IOC_MAGIC, 0x01, struct kipc_info)

#endif /* _UAPI_LINUX_KIPC_H */
