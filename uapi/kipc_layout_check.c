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

/* Channels */
CHECK_SIZE(kipc_chan_params, 32);
CHECK_OFF(kipc_chan_params, pool_size, 0);
CHECK_OFF(kipc_chan_params, max_msg, 8);
CHECK_OFF(kipc_chan_params, ring_depth, 12);
CHECK_OFF(kipc_chan_params, max_senders, 16);
CHECK_OFF(kipc_chan_params, flags, 20);
CHECK_OFF(kipc_chan_params, reserved, 24);

CHECK_SIZE(kipc_chan_desc, 16);
CHECK_OFF(kipc_chan_desc, offset, 0);
CHECK_OFF(kipc_chan_desc, len, 4);
CHECK_OFF(kipc_chan_desc, id, 8);
CHECK_OFF(kipc_chan_desc, reserved, 12);

CHECK_SIZE(kipc_chan_layout, 184);
CHECK_OFF(kipc_chan_layout, ctl_size, 0);
CHECK_OFF(kipc_chan_layout, tx_size, 8);
CHECK_OFF(kipc_chan_layout, rx_size, 16);
CHECK_OFF(kipc_chan_layout, flags_size, 24);
CHECK_OFF(kipc_chan_layout, ctl_mmap, 32);
CHECK_OFF(kipc_chan_layout, tx_mmap, 40);
CHECK_OFF(kipc_chan_layout, rx_mmap, 48);
CHECK_OFF(kipc_chan_layout, flags_mmap, 56);
CHECK_OFF(kipc_chan_layout, tx_pool, 64);
CHECK_OFF(kipc_chan_layout, pool_size, 72);
CHECK_OFF(kipc_chan_layout, tx_tail, 80);
CHECK_OFF(kipc_chan_layout, tx_release_head, 84);
CHECK_OFF(kipc_chan_layout, tx_blocked, 88);
CHECK_OFF(kipc_chan_layout, tx_msgs, 92);
CHECK_OFF(kipc_chan_layout, tx_bytes, 96);
CHECK_OFF(kipc_chan_layout, tx_ring, 100);
CHECK_OFF(kipc_chan_layout, rx_head, 104);
CHECK_OFF(kipc_chan_layout, rx_release_tail, 108);
CHECK_OFF(kipc_chan_layout, rx_tx_wakeup, 112);
CHECK_OFF(kipc_chan_layout, rx_state, 116);
CHECK_OFF(kipc_chan_layout, rx_ring, 120);
CHECK_OFF(kipc_chan_layout, flags_rx, 124);
CHECK_OFF(kipc_chan_layout, ctl_gen, 128);
CHECK_OFF(kipc_chan_layout, ctl_state, 132);
CHECK_OFF(kipc_chan_layout, max_msg, 136);
CHECK_OFF(kipc_chan_layout, ring_depth, 140);
CHECK_OFF(kipc_chan_layout, max_senders, 144);
CHECK_OFF(kipc_chan_layout, msg_align, 148);
CHECK_OFF(kipc_chan_layout, reserved, 152);

CHECK_SIZE(kipc_chan_create, 272);
CHECK_OFF(kipc_chan_create, params, 0);
CHECK_OFF(kipc_chan_create, flags, 32);
CHECK_OFF(kipc_chan_create, rx_fd, 36);
CHECK_OFF(kipc_chan_create, connector_fd, 40);
CHECK_OFF(kipc_chan_create, reserved0, 44);
CHECK_OFF(kipc_chan_create, chan_id, 48);
CHECK_OFF(kipc_chan_create, layout, 56);
CHECK_OFF(kipc_chan_create, reserved, 240);

CHECK_SIZE(kipc_chan_limits, 128);
CHECK_OFF(kipc_chan_limits, defaults, 0);
CHECK_OFF(kipc_chan_limits, max, 32);
CHECK_OFF(kipc_chan_limits, user_limit, 64);
CHECK_OFF(kipc_chan_limits, user_usage, 72);
CHECK_OFF(kipc_chan_limits, channels, 80);
CHECK_OFF(kipc_chan_limits, page_size, 88);
CHECK_OFF(kipc_chan_limits, msg_align, 92);
CHECK_OFF(kipc_chan_limits, reserved, 96);

CHECK_SIZE(kipc_chan_info, 272);
CHECK_OFF(kipc_chan_info, role, 0);
CHECK_OFF(kipc_chan_info, state, 4);
CHECK_OFF(kipc_chan_info, chan_id, 8);
CHECK_OFF(kipc_chan_info, sender_id, 16);
CHECK_OFF(kipc_chan_info, params, 24);
CHECK_OFF(kipc_chan_info, layout, 56);
CHECK_OFF(kipc_chan_info, reserved, 240);

CHECK_SIZE(kipc_chan_connect, 216);
CHECK_OFF(kipc_chan_connect, flags, 0);
CHECK_OFF(kipc_chan_connect, fd, 4);
CHECK_OFF(kipc_chan_connect, sender_id, 8);
CHECK_OFF(kipc_chan_connect, layout, 16);
CHECK_OFF(kipc_chan_connect, reserved, 200);

CHECK_SIZE(kipc_chan_wait, 16);
CHECK_OFF(kipc_chan_wait, timeout_ns, 0);
CHECK_OFF(kipc_chan_wait, flags, 8);
CHECK_OFF(kipc_chan_wait, reserved, 12);

CHECK_SIZE(kipc_chan_sender_ref, 16);
CHECK_OFF(kipc_chan_sender_ref, sender_id, 0);
CHECK_OFF(kipc_chan_sender_ref, flags, 8);
CHECK_OFF(kipc_chan_sender_ref, reserved, 12);

CHECK_SIZE(kipc_chan_sender, 40);
CHECK_OFF(kipc_chan_sender, id, 0);
CHECK_OFF(kipc_chan_sender, tx_mmap, 8);
CHECK_OFF(kipc_chan_sender, rx_mmap, 16);
CHECK_OFF(kipc_chan_sender, flags, 24);
CHECK_OFF(kipc_chan_sender, pid, 28);
CHECK_OFF(kipc_chan_sender, uid, 32);
CHECK_OFF(kipc_chan_sender, gid, 36);

CHECK_SIZE(kipc_chan_senders, 48);
CHECK_OFF(kipc_chan_senders, senders, 0);
CHECK_OFF(kipc_chan_senders, nr, 8);
CHECK_OFF(kipc_chan_senders, total, 12);
CHECK_OFF(kipc_chan_senders, gen, 16);
CHECK_OFF(kipc_chan_senders, state, 20);
CHECK_OFF(kipc_chan_senders, flags, 24);
CHECK_OFF(kipc_chan_senders, reserved0, 28);
CHECK_OFF(kipc_chan_senders, reserved, 32);

_Static_assert(KIPC_FEATURE_CHANNELS == 1ULL << 1, "channels feature bit");
_Static_assert(sizeof(struct kipc_chan_desc) == 16, "ring entry");
_Static_assert(_IOC_NR(KIPC_IOC_CHAN_CREATE) >= 0x30 &&
	       _IOC_NR(KIPC_IOC_CHAN_LIMITS) <= 0x3f, "context channel range");
_Static_assert(_IOC_NR(KIPC_CHAN_IOC_INFO) >= 0x60 &&
	       _IOC_NR(KIPC_CHAN_IOC_DETACH) <= 0x7f, "channel file range");
_Static_assert(_IOC_SIZE(KIPC_IOC_CHAN_CREATE) ==
	       sizeof(struct kipc_chan_create), "CHAN_CREATE size");
_Static_assert(_IOC_SIZE(KIPC_IOC_CHAN_LIMITS) ==
	       sizeof(struct kipc_chan_limits), "CHAN_LIMITS size");
_Static_assert(_IOC_SIZE(KIPC_CHAN_IOC_INFO) ==
	       sizeof(struct kipc_chan_info), "CHAN INFO size");
_Static_assert(_IOC_SIZE(KIPC_CHAN_IOC_CONNECT) ==
	       sizeof(struct kipc_chan_connect), "CONNECT size");
_Static_assert(_IOC_SIZE(KIPC_CHAN_IOC_WAIT) ==
	       sizeof(struct kipc_chan_wait), "WAIT size");
_Static_assert(_IOC_SIZE(KIPC_CHAN_IOC_WAKE_TX) ==
	       sizeof(struct kipc_chan_sender_ref), "WAKE_TX size");
_Static_assert(_IOC_SIZE(KIPC_CHAN_IOC_SENDERS) ==
	       sizeof(struct kipc_chan_senders), "SENDERS size");
_Static_assert(_IOC_SIZE(KIPC_CHAN_IOC_DETACH) ==
	       sizeof(struct kipc_chan_sender_ref), "DETACH size");

int main(void)
{
	return 0;
}
