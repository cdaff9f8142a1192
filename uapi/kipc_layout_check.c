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


/* Doors */
CHECK_SIZE(kipc_door_desc, 24);
CHECK_OFF(kipc_door_desc, attributes, 0);
CHECK_OFF(kipc_door_desc, fd, 4);
CHECK_OFF(kipc_door_desc, id, 8);
CHECK_OFF(kipc_door_desc, reserved, 16);
CHECK_SIZE(kipc_door_create, 48);
CHECK_OFF(kipc_door_create, proc, 0);
CHECK_OFF(kipc_door_create, cookie, 8);
CHECK_OFF(kipc_door_create, attributes, 16);
CHECK_OFF(kipc_door_create, flags, 20);
CHECK_OFF(kipc_door_create, id, 24);
CHECK_OFF(kipc_door_create, reserved, 32);
CHECK_SIZE(kipc_door_call, 112);
CHECK_OFF(kipc_door_call, data_ptr, 0);
CHECK_OFF(kipc_door_call, data_size, 8);
CHECK_OFF(kipc_door_call, desc_ptr, 16);
CHECK_OFF(kipc_door_call, desc_num, 24);
CHECK_OFF(kipc_door_call, flags, 28);
CHECK_OFF(kipc_door_call, rbuf, 32);
CHECK_OFF(kipc_door_call, rsize, 40);
CHECK_OFF(kipc_door_call, timeout_ns, 48);
CHECK_OFF(kipc_door_call, result_ptr, 56);
CHECK_OFF(kipc_door_call, result_size, 64);
CHECK_OFF(kipc_door_call, result_desc_ptr, 72);
CHECK_OFF(kipc_door_call, result_desc_num, 80);
CHECK_OFF(kipc_door_call, result_flags, 84);
CHECK_OFF(kipc_door_call, result_map_size, 88);
CHECK_OFF(kipc_door_call, reserved, 96);
CHECK_SIZE(kipc_door_return, 128);
CHECK_OFF(kipc_door_return, data_ptr, 0);
CHECK_OFF(kipc_door_return, data_size, 8);
CHECK_OFF(kipc_door_return, desc_ptr, 16);
CHECK_OFF(kipc_door_return, desc_num, 24);
CHECK_OFF(kipc_door_return, flags, 28);
CHECK_OFF(kipc_door_return, buf_ptr, 32);
CHECK_OFF(kipc_door_return, buf_size, 40);
CHECK_OFF(kipc_door_return, proc, 48);
CHECK_OFF(kipc_door_return, cookie, 56);
CHECK_OFF(kipc_door_return, door_id, 64);
CHECK_OFF(kipc_door_return, arg_ptr, 72);
CHECK_OFF(kipc_door_return, arg_size, 80);
CHECK_OFF(kipc_door_return, arg_desc_ptr, 88);
CHECK_OFF(kipc_door_return, arg_desc_num, 96);
CHECK_OFF(kipc_door_return, inv_flags, 100);
CHECK_OFF(kipc_door_return, arg_map_size, 104);
CHECK_OFF(kipc_door_return, reserved, 112);
CHECK_SIZE(kipc_door_info, 48);
CHECK_OFF(kipc_door_info, target, 0);
CHECK_OFF(kipc_door_info, attributes, 4);
CHECK_OFF(kipc_door_info, proc, 8);
CHECK_OFF(kipc_door_info, cookie, 16);
CHECK_OFF(kipc_door_info, id, 24);
CHECK_OFF(kipc_door_info, reserved, 32);
CHECK_SIZE(kipc_door_param, 16);
CHECK_OFF(kipc_door_param, param, 0);
CHECK_OFF(kipc_door_param, reserved0, 4);
CHECK_OFF(kipc_door_param, value, 8);
CHECK_SIZE(kipc_door_current, 120);
CHECK_OFF(kipc_door_current, door, 0);
CHECK_OFF(kipc_door_current, pid, 48);
CHECK_OFF(kipc_door_current, tid, 52);
CHECK_OFF(kipc_door_current, uid, 56);
CHECK_OFF(kipc_door_current, euid, 60);
CHECK_OFF(kipc_door_current, suid, 64);
CHECK_OFF(kipc_door_current, gid, 68);
CHECK_OFF(kipc_door_current, egid, 72);
CHECK_OFF(kipc_door_current, sgid, 76);
CHECK_OFF(kipc_door_current, ngroups, 80);
CHECK_OFF(kipc_door_current, groups_max, 84);
CHECK_OFF(kipc_door_current, groups_ptr, 88);
CHECK_OFF(kipc_door_current, flags, 96);
CHECK_OFF(kipc_door_current, reserved0, 100);
CHECK_OFF(kipc_door_current, reserved, 104);
CHECK_SIZE(kipc_door_attach, 24);
CHECK_OFF(kipc_door_attach, door_fd, 0);
CHECK_OFF(kipc_door_attach, dirfd, 4);
CHECK_OFF(kipc_door_attach, path, 8);
CHECK_OFF(kipc_door_attach, flags, 16);
CHECK_OFF(kipc_door_attach, reserved0, 20);

_Static_assert(KIPC_IOC_MAGIC == 0xB9, "ioctl magic");
_Static_assert(_IOC_SIZE(KIPC_IOC_API) == sizeof(struct kipc_api), "API size");
_Static_assert(_IOC_SIZE(KIPC_IOC_INFO) == sizeof(struct kipc_info),
	       "INFO size");

int main(void)
{
	return 0;
}
