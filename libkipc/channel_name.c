// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: channels by name.  A channel is published through a door: the
 * receiver serves a door whose procedure replies with the channel's
 * connector, and attaches the door to a name in kipcfs.  A sender opens
 * the name, calls the door, gets the connector and connects: every sender
 * gets its own endpoint, the door's permissions decide who may connect,
 * and when the receiver's process dies the name stops resolving.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "kipc.h"

/* Room for a small reply and the one descriptor it carries. */
#define KIPC_CHAN_NAME_RBUF	256

void kipc_chan_publish_handler(struct kipc_door_request *req, void *arg)
{
	const int *connector = arg;
	static _Thread_local struct kipc_door_desc d;

	/* Descriptors the caller passed are not wanted: close them. */
	for (unsigned int i = 0; i < req->desc_num; i++)
		if (req->desc[i].attributes & KIPC_DESC_DESCRIPTOR)
			close(req->desc[i].fd);
	if (req->flags & KIPC_INV_UNREF)
		return;
	/*
	 * The kernel reads the reply's descriptors before the thread waits
	 * again, and they are the same for every call: one per thread
	 * is enough.
	 */
	d.attributes = KIPC_DESC_DESCRIPTOR;
	d.fd = *connector;
	req->reply_desc = &d;
	req->reply_desc_num = 1;
}

int kipc_chan_connect_door(struct kipc_chan_tx *tx, int door,
			   int64_t timeout_ns)
{
	uint64_t rbuf[KIPC_CHAN_NAME_RBUF / sizeof(uint64_t)];
	const struct kipc_door_desc *d;
	struct kipc_door_call c;
	int ret, connector = -1;

	if (timeout_ns < 0)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.rbuf = (uintptr_t)rbuf;
	c.rsize = sizeof(rbuf);
	c.timeout_ns = (uint64_t)timeout_ns;
	c.flags = KIPC_CALL_NO_OVERFLOW;
	ret = kipc_door_call(door, &c);
	if (ret)
		return ret;
	d = (const struct kipc_door_desc *)(uintptr_t)c.result_desc_ptr;
	for (unsigned int i = 0; i < c.result_desc_num; i++) {
		if (!(d[i].attributes & KIPC_DESC_DESCRIPTOR))
			continue;
		if (connector < 0 && c.result_desc_num == 1)
			connector = d[i].fd;
		else
			close(d[i].fd);
	}
	/* Not a channel's door: it answered with something else. */
	if (connector < 0)
		return -EPROTO;
	ret = kipc_chan_connect(tx, connector);
	close(connector);
	return ret == -EINVAL ? -EPROTO : ret;
}

int kipc_chan_connect_path(struct kipc_chan_tx *tx, const char *path,
			   int64_t timeout_ns)
{
	int door, ret;

	door = kipc_door_open(path);
	if (door < 0)
		return door;
	ret = kipc_chan_connect_door(tx, door, timeout_ns);
	close(door);
	return ret;
}
