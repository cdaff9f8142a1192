// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: thr_create() of <thread.h>, over POSIX threads.
 */
#include <errno.h>
#include <pthread.h>

#include "thread.h"

int thr_create(void *stack_base, size_t stack_size,
	       void *(*start_routine)(void *), void *arg, long flags,
	       thread_t *new_thread)
{
	pthread_attr_t attr;
	pthread_t tid;
	int ret;

	if (flags & ~(THR_BOUND | THR_NEW_LWP | THR_DETACHED | THR_DAEMON))
		return EINVAL;
	ret = pthread_attr_init(&attr);
	if (ret)
		return ret;
	if (stack_base)
		ret = pthread_attr_setstack(&attr, stack_base, stack_size);
	else if (stack_size)
		ret = pthread_attr_setstacksize(&attr, stack_size);
	if (!ret && flags & (THR_DETACHED | THR_DAEMON))
		ret = pthread_attr_setdetachstate(&attr,
						  PTHREAD_CREATE_DETACHED);
	if (!ret)
		ret = pthread_create(&tid, &attr, start_routine, arg);
	pthread_attr_destroy(&attr);
	if (!ret && new_thread)
		*new_thread = tid;
	return ret;
}
