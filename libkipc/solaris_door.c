// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: <door.h>, the Solaris/illumos doors API over kipc.
 *
 * The process has one kipc context for its doors, opened on first use (a
 * child of fork() opens its own: a door's server is the process that
 * created it).  A server procedure runs in the loop of door_return(); when
 * it calls door_return() itself, the reply goes back to that loop with
 * siglongjmp(), since on illumos door_return() never returns to the
 * procedure either.  A procedure that simply returns sends an empty reply.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "door.h"
#include "kipc.h"
#include "door_thread.h"

/* Descriptors translated without allocating. */
#define DOOR_DESC_ONSTACK	16

static pthread_mutex_t door_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t door_once = PTHREAD_ONCE_INIT;
static struct kipc door_ctx = { .fd = -1 };
static int door_first_created;

static void door_default_server(door_info_t *dip);
static door_server_func_t *door_server_func = door_default_server;

typedef void door_proc_t(void *, char *, size_t, door_desc_t *, uint_t);

/**
 * struct door_tls - a thread's doors state
 * @t:		its server thread state (once it serves)
 * @init:	@t is initialised
 * @in_proc:	it runs a server procedure: door_return() jumps to @jmp
 * @bound:	it is bound to a private pool
 * @jmp:	where door_return() from a procedure resumes the loop
 * @reply:	the reply door_return() was given from a procedure
 * @reply_size:	its size
 * @reply_desc:	its descriptors
 * @reply_ndesc: their number
 */
struct door_tls {
	struct kipc__dthread t;
	int init;
	int in_proc;
	int bound;
	sigjmp_buf jmp;
	char *reply;
	size_t reply_size;
	door_desc_t *reply_desc;
	uint_t reply_ndesc;
};

static __thread struct door_tls door_tls;

static void door_atfork_child(void)
{
	/* The parent's context (and server) is not the child's. */
	if (door_ctx.fd >= 0)
		close(door_ctx.fd);
	door_ctx.fd = -1;
	door_first_created = 0;
	pthread_mutex_init(&door_lock, NULL);
	door_tls.t.serving = 0;
	door_tls.in_proc = 0;
	door_tls.bound = 0;
}

static void door_register_atfork(void)
{
	pthread_atfork(NULL, NULL, door_atfork_child);
}

/* The process's context, or NULL with errno set. */
static struct kipc *door_kipc(void)
{
	int ret = 0;

	pthread_once(&door_once, door_register_atfork);
	pthread_mutex_lock(&door_lock);
	if (door_ctx.fd < 0)
		ret = kipc_open(&door_ctx, KIPC_FEATURE_DOORS);
	pthread_mutex_unlock(&door_lock);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	return &door_ctx;
}

/* -errno of a kipc call to the -1/errno convention. */
static int door_fail(int ret)
{
	/* An ioctl a file does not know: not a door. */
	errno = ret == -ENOTTY ? EBADF : -ret;
	return -1;
}

/*
 * Copy descriptors into the kernel's layout, with the parts illumos leaves
 * undefined (d_id, the rest of the union) zeroed.  Returns the array (@buf
 * or a new one) or NULL with errno set.
 */
static struct kipc_door_desc *door_desc_in(const door_desc_t *dp, uint_t n,
					   struct kipc_door_desc *buf)
{
	struct kipc_door_desc *kd = buf;

	if (!n)
		return buf;
	if (n > DOOR_DESC_ONSTACK) {
		kd = calloc(n, sizeof(*kd));
		if (!kd)
			return NULL;
	}
	for (uint_t i = 0; i < n; i++) {
		memset(&kd[i], 0, sizeof(kd[i]));
		kd[i].attributes = dp[i].d_attributes;
		kd[i].fd = dp[i].d_data.d_desc.d_descriptor;
	}
	return kd;
}

static void door_desc_done(struct kipc_door_desc *kd,
			   struct kipc_door_desc *buf)
{
	if (kd != buf)
		free(kd);
}

/* KIPC_IOC_DOOR_CURRENT on the process's context, for <ucred.h>. */
int kipc__door_current(struct kipc_door_current *cur)
{
	struct kipc *k = door_kipc();

	return k ? kipc_door_current(k, cur) : -errno;
}

static void door_info_from(door_info_t *info, const struct kipc_door_info *ki)
{
	memset(info, 0, sizeof(*info));
	info->di_target = ki->target;
	info->di_proc = ki->proc;
	info->di_data = ki->cookie;
	info->di_attributes = ki->attributes;
	info->di_uniquifier = ki->id;
}

int door_create(void (*server_procedure)(void *, char *, size_t,
					 door_desc_t *, uint_t),
		void *cookie, uint_t attributes)
{
	struct kipc *k;
	door_info_t di;
	uint64_t id;
	int fd, first;

	if (attributes & ~DOOR_CREATE_MASK ||
	    ((attributes & DOOR_UNREF) && (attributes & DOOR_UNREF_MULTI))) {
		errno = EINVAL;
		return -1;
	}
	k = door_kipc();
	if (!k)
		return -1;
	fd = kipc_door_create(k, (uintptr_t)server_procedure,
			      (uintptr_t)cookie, attributes, &id);
	if (fd < 0)
		return door_fail(fd);

	/* As illumos: a thread for the shared pool with the first door... */
	if (!(attributes & DOOR_PRIVATE)) {
		pthread_mutex_lock(&door_lock);
		first = !door_first_created;
		door_first_created = 1;
		pthread_mutex_unlock(&door_lock);
		if (first && door_server_func)
			door_server_func(NULL);
		return fd;
	}
	/* ...and one for the private pool of every private door. */
	memset(&di, 0, sizeof(di));
	di.di_target = getpid();
	di.di_proc = (uintptr_t)server_procedure;
	di.di_data = (uintptr_t)cookie;
	di.di_attributes = attributes | DOOR_LOCAL;
	di.di_uniquifier = id;
	if (door_server_func)
		door_server_func(&di);
	return fd;
}

static void door_abort_cleanup(void *arg)
{
	struct door_tls *tls = arg;
	struct kipc *k = door_kipc();

	/* The thread exits inside a procedure: its caller must not hang. */
	if (k)
		kipc__dthread_abort(k, &tls->t);
	tls->in_proc = 0;
	kipc__dthread_fini(&tls->t);
	tls->init = 0;
}

/* The pool this thread serves ran out of idle threads. */
static void door_depleted(struct kipc *k, struct door_tls *tls)
{
	struct kipc_door_current cur;
	door_info_t di;

	if (!door_server_func)
		return;
	if (!tls->bound) {
		door_server_func(NULL);
		return;
	}
	memset(&cur, 0, sizeof(cur));
	if (kipc_door_current(k, &cur))
		return;
	door_info_from(&di, &cur.door);
	door_server_func(&di);
}

/*
 * Run the procedure of the invocation the thread serves.  Returns nonzero
 * if it replied with door_return() (the reply is in @tls), zero if it just
 * returned (an empty reply).
 */
static int door_run_proc(struct door_tls *tls)
{
	struct kipc_door_return *r = &tls->t.r;
	door_proc_t *proc = (door_proc_t *)(uintptr_t)r->proc;
	int replied;

	tls->in_proc = 1;
	pthread_cleanup_push(door_abort_cleanup, tls);
	replied = sigsetjmp(tls->jmp, 0);
	if (!replied) {
		if (r->inv_flags & KIPC_INV_UNREF)
			proc((void *)(uintptr_t)r->cookie, DOOR_UNREF_DATA, 0,
			     NULL, 0);
		else
			proc((void *)(uintptr_t)r->cookie,
			     (char *)(uintptr_t)r->arg_ptr, r->arg_size,
			     (door_desc_t *)(uintptr_t)r->arg_desc_ptr,
			     r->arg_desc_num);
	}
	pthread_cleanup_pop(0);
	tls->in_proc = 0;
	return replied;
}

/*
 * The server loop: reply, wait, run the procedure, and again.  Returns
 * only on error.
 */
static int door_serve(struct kipc *k, struct door_tls *tls, char *data,
		      size_t size, door_desc_t *desc, uint_t ndesc)
{
	struct kipc_door_desc onstack[DOOR_DESC_ONSTACK], *kd;
	int ret;

	for (;;) {
		struct kipc_door_return *r = &tls->t.r;

		kd = door_desc_in(desc, ndesc, onstack);
		if (!kd)
			return -1;
		ret = kipc__dthread_next(k, &tls->t, data, size, kd, ndesc, 0);
		door_desc_done(kd, onstack);
		if (ret)
			return door_fail(ret);

		if (r->inv_flags & KIPC_INV_DEPLETED)
			door_depleted(k, tls);

		if (door_run_proc(tls)) {
			/* door_return() from the procedure. */
			data = tls->reply;
			size = tls->reply_size;
			desc = tls->reply_desc;
			ndesc = tls->reply_ndesc;
		} else {
			data = NULL;
			size = 0;
			desc = NULL;
			ndesc = 0;
		}
	}
}

int door_return(char *data_ptr, size_t data_size, door_desc_t *desc_ptr,
		uint_t num_desc)
{
	struct door_tls *tls = &door_tls;
	struct kipc *k;
	int ret;

	if (tls->in_proc) {
		tls->reply = data_ptr;
		tls->reply_size = data_size;
		tls->reply_desc = desc_ptr;
		tls->reply_ndesc = num_desc;
		siglongjmp(tls->jmp, 1);
	}
	/* A thread joining the pool (from main, or a new server thread). */
	k = door_kipc();
	if (!k)
		return -1;
	if (!tls->init) {
		ret = kipc__dthread_init(&tls->t, 0);
		if (ret)
			return door_fail(ret);
		tls->init = 1;
	}
	return door_serve(k, tls, data_ptr, data_size, desc_ptr, num_desc);
}

int door_call(int d, door_arg_t *params)
{
	struct kipc_door_desc onstack[DOOR_DESC_ONSTACK], *kd = onstack;
	struct kipc_door_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	if (params) {
		kd = door_desc_in(params->desc_ptr, params->desc_num, onstack);
		if (!kd)
			return -1;
		c.data_ptr = (uintptr_t)params->data_ptr;
		c.data_size = params->data_size;
		c.desc_ptr = (uintptr_t)kd;
		c.desc_num = params->desc_num;
		c.rbuf = (uintptr_t)params->rbuf;
		c.rsize = params->rsize;
	}
	ret = kipc_door_call(d, &c);
	if (params)
		door_desc_done(kd, onstack);
	if (ret)
		return door_fail(ret);

	if (!params) {
		/* Nowhere to put results: drop them. */
		struct kipc_door_desc *rd =
			(struct kipc_door_desc *)(uintptr_t)c.result_desc_ptr;

		for (uint32_t i = 0; i < c.result_desc_num; i++)
			close(rd[i].fd);
		if (c.result_flags & KIPC_RESULT_MAPPED)
			munmap((void *)(uintptr_t)c.result_ptr,
			       c.result_map_size);
		return 0;
	}
	params->data_ptr = (char *)(uintptr_t)c.result_ptr;
	params->data_size = c.result_size;
	params->desc_ptr = (door_desc_t *)(uintptr_t)c.result_desc_ptr;
	params->desc_num = c.result_desc_num;
	if (c.result_flags & KIPC_RESULT_MAPPED) {
		params->rbuf = (char *)(uintptr_t)c.result_ptr;
		params->rsize = c.result_map_size;
	}
	return 0;
}

int door_info(int d, door_info_t *info)
{
	struct kipc_door_current cur;
	struct kipc_door_info ki;
	struct kipc *k;
	int ret;

	if (d == DOOR_QUERY) {
		k = door_kipc();
		if (!k)
			return -1;
		memset(&cur, 0, sizeof(cur));
		ret = kipc_door_current(k, &cur);
		if (ret)
			return door_fail(ret);
		ki = cur.door;
	} else {
		ret = kipc_door_info(d, &ki);
		if (ret)
			return door_fail(ret);
	}
	door_info_from(info, &ki);
	return 0;
}

int door_revoke(int d)
{
	int ret = kipc_door_revoke(d);

	if (ret)
		return door_fail(ret);
	/* As on illumos, the descriptor goes with the door. */
	close(d);
	return 0;
}

int door_bind(int d)
{
	struct kipc_door_info ki;
	struct kipc *k;
	int ret;

	ret = kipc_door_info(d, &ki);
	if (ret)
		return door_fail(ret);
	if (!(ki.attributes & KIPC_DOOR_LOCAL) ||
	    !(ki.attributes & KIPC_DOOR_PRIVATE)) {
		errno = EINVAL;
		return -1;
	}
	k = door_kipc();
	if (!k)
		return -1;
	ret = kipc_door_bind(k, ki.id);
	if (ret)
		return door_fail(ret);
	door_tls.bound = 1;
	return 0;
}

int door_unbind(void)
{
	struct kipc *k = door_kipc();
	int ret;

	if (!k)
		return -1;
	ret = kipc_door_unbind(k);
	if (ret)
		return door_fail(ret);
	door_tls.bound = 0;
	return 0;
}

door_server_func_t *door_server_create(door_server_func_t *create_func)
{
	door_server_func_t *old;

	pthread_mutex_lock(&door_lock);
	old = door_server_func;
	door_server_func = create_func;
	pthread_mutex_unlock(&door_lock);
	return old;
}

static int door_bind_id(uint64_t id)
{
	struct kipc *k = door_kipc();
	int ret;

	if (!k)
		return -1;
	ret = kipc_door_bind(k, id);
	if (ret)
		return door_fail(ret);
	door_tls.bound = 1;
	return 0;
}

static void *door_server_thread(void *arg)
{
	door_info_t *dip = arg;

	if (dip) {
		int ret = door_bind_id(dip->di_uniquifier);

		free(dip);
		if (ret)
			return NULL;
	}
	door_return(NULL, 0, NULL, 0);
	return NULL;
}

/* The default server creation function: a detached thread in the pool. */
static void door_default_server(door_info_t *dip)
{
	pthread_attr_t attr;
	door_info_t *copy = NULL;
	pthread_t tid;

	if (dip) {
		copy = malloc(sizeof(*copy));
		if (!copy)
			return;
		*copy = *dip;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, door_server_thread, copy))
		free(copy);
	pthread_attr_destroy(&attr);
}

int door_getparam(int d, int param, size_t *out)
{
	uint64_t v;
	int ret = kipc_door_getparam(d, param, &v);

	if (ret)
		return door_fail(ret);
	*out = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	return 0;
}

int door_setparam(int d, int param, size_t val)
{
	uint64_t v = val == SIZE_MAX ? KIPC_DOOR_PARAM_UNLIMITED : val;
	int ret = kipc_door_setparam(d, param, v);

	return ret ? door_fail(ret) : 0;
}

int fattach(int fildes, const char *path)
{
	struct kipc *k = door_kipc();
	int ret;

	if (!k)
		return -1;
	ret = kipc_door_attach(k, fildes, path);
	return ret ? door_fail(ret) : 0;
}

int fdetach(const char *path)
{
	struct kipc *k = door_kipc();
	int ret;

	if (!k)
		return -1;
	ret = kipc_door_detach(k, path);
	return ret ? door_fail(ret) : 0;
}
