/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc statistics over generic netlink: the family "kipc"
 * (Documentation/netlink/specs/kipc.yaml, uapi/linux/kipc_stats.h).
 */
#ifndef _KIPC_NETLINK_H
#define _KIPC_NETLINK_H

#include <linux/types.h>
#include <linux/kipc_stats.h>

int kipc_nl_init(void);
void kipc_nl_exit(void);

/* Whether anyone listens to the events group: if not, send nothing. */
bool kipc_nl_listening(void);

/*
 * Multicast an event (enum kipc_event_type) to the listeners of the events
 * group.  @door_id or @chan_id is 0 when it does not apply; @pid is in the
 * initial pid namespace.  Callable from any context.
 */
void kipc_nl_event(u32 type, u64 door_id, u64 chan_id, u32 pid, u32 attrs);

#endif /* _KIPC_NETLINK_H */
