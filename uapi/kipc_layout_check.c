// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time check of the kipc uapi: the size and offset of every member of
 * every structure is part of the ABI and must never change.  Compiled by
 * scripts/uapi-check.sh (which also compiles the header alone as C99 and
 * C++ with -pedantic, and with -Wpadded to catch implicit padding).
 */
#include <stddef.h>
#include <linux/kipc.h>

#define CHECK_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " size")
#define CHECK_OFF(type, member, off) \
	_Static_assert(offsetof(struct type, member) == (off), \
		       #type "." #member " offset")

CHECK_SIZE(kipc_api, 48);
CHECK_OFF(kipc_api, api, 0);
CHECK_OFF(kipc_api, flags, 4);
CHECK_OFF(kipc_api, features, 8);
CHECK_OFF(kipc_api, ioctls, 16);
CHECK_OFF(kipc_api, reserved, 24);

CHECK_SIZE(kipc_info, 88);
CHECK_OFF(kipc_info, api, 0);
CHECK_OFF(kipc_info, flags, 4);
CHECK_OFF(kipc_info, features, 8);
CHECK_OFF(kipc_info, contexts, 16);
CHECK_OFF(kipc_info, version, 24);
CHECK_OFF(kipc_info, reserved, 56);

_Static_assert(KIPC_IOC_MAGIC == 0xB9, "ioctl magic");
_Static_assert(_IOC_SIZE(KIPC_IOC_API) == sizeof(struct kipc_api), "API size");
_Static_assert(_IOC_SIZE(KIPC_IOC_INFO) == sizeof(struct kipc_info),
	       "INFO size");

int main(void)
{
	return 0;
}
