/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc internals: the state of a thread serving doors, shared by the
 * native server loop and <door.h>'s door_return().
 */
#ifndef LIBKIPC_DOOR_THREAD_H
#define LIBKIPC_DOOR_THREAD_H

#include <stddef.h>
#include "kipc.h"

/* Default size of a server thread's argument buffer. */
#define KIPC__DTHREAD_BUF	(16 * 1024)

/**
 * struct kipc__dthread - a server thread
 * @r:		the last KIPC_IOC_DOOR_RETURN: describes the invocation
 *		being served
 * @buf:	where the kernel copies arguments
 * @buf_size:	its size
 * @map:	arguments too large for @buf arrived in this mapping; unmapped
 *		once the invocation is replied to
 * @map_size:	its size
 * @serving:	the thread serves an invocation (its reply is due)
 */
struct kipc__dthread {
	struct kipc_door_return r;
	char *buf;
	size_t buf_size;
	void *map;
	size_t map_size;
	int serving;
};

int kipc__dthread_init(struct kipc__dthread *t, size_t buf_size);
void kipc__dthread_fini(struct kipc__dthread *t);
int kipc__dthread_next(struct kipc *k, struct kipc__dthread *t,
		       const void *data, size_t size,
		       const struct kipc_door_desc *desc, unsigned int ndesc,
		       unsigned int flags);
void kipc__dthread_abort(struct kipc *k, struct kipc__dthread *t);

/* <door.h>'s process-wide context, for the rest of the Solaris layer. */
int kipc__door_current(struct kipc_door_current *cur);

#endif /* LIBKIPC_DOOR_THREAD_H */
