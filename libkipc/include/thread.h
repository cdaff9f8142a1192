/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <thread.h>: the Solaris threads calls door programs commonly use, over
 * POSIX threads.
 */
#ifndef LIBKIPC_THREAD_H
#define LIBKIPC_THREAD_H

#include <pthread.h>
#include <sched.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef pthread_t thread_t;

/* thr_create() flags */
#define THR_BOUND	0x00000001	/* every thread is bound on Linux */
#define THR_NEW_LWP	0x00000002	/* likewise */
#define THR_DETACHED	0x00000040
#define THR_SUSPENDED	0x00000080	/* not supported: EINVAL */
#define THR_DAEMON	0x00000100	/* accepted, same as THR_DETACHED */

int thr_create(void *stack_base, size_t stack_size,
	       void *(*start_routine)(void *), void *arg, long flags,
	       thread_t *new_thread);

static inline thread_t thr_self(void)
{
	return pthread_self();
}

static inline void thr_yield(void)
{
	sched_yield();
}

static inline void thr_exit(void *status)
{
	pthread_exit(status);
}

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_THREAD_H */
