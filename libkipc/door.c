// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: the native door API beyond the inline wrappers, and the server
 * thread machinery it shares with <door.h>.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kipc.h"
#include "door_thread.h"

int kipc_door_call_buf(int door, const void *arg, size_t arg_size,
		       void *res, size_t res_size, size_t *res_len,
		       uint64_t timeout_ns)
{
	struct kipc_door_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.data_ptr = (uintptr_t)arg;
	c.data_size = arg_size;
	c.rbuf = (uintptr_t)res;
	c.rsize = res_size;
	c.timeout_ns = timeout_ns;
	c.flags = KIPC_CALL_NO_OVERFLOW;
	ret = kipc_door_call(door, &c);
	if (ret)
		return ret;
	if (res_len)
		*res_len = c.result_size;
	return 0;
}

int kipc_door_open(const char *path)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if ((st.st_mode & S_IFMT) != KIPC_S_IFDOOR) {
		close(fd);
		return -ENOTTY;
	}
	return fd;
}

int kipc_door_cancelled(struct kipc *k)
{
	struct kipc_door_current cur;
	int ret;

	memset(&cur, 0, sizeof(cur));
	ret = kipc_door_current(k, &cur);
	if (ret)
		return ret;
	return !!(cur.flags & KIPC_CURRENT_CANCELLED);
}

static int kipc_door_attach_ioctl(struct kipc *k, unsigned long cmd, int door,
				  const char *path)
{
	struct kipc_door_attach a;

	memset(&a, 0, sizeof(a));
	a.door_fd = door;
	a.dirfd = AT_FDCWD;
	a.path = (uintptr_t)path;
	return kipc__ioctl(k->fd, cmd, &a);
}

int kipc_door_attach(struct kipc *k, int door, const char *path)
{
	return kipc_door_attach_ioctl(k, KIPC_IOC_DOOR_ATTACH, door, path);
}

int kipc_door_detach(struct kipc *k, const char *path)
{
	return kipc_door_attach_ioctl(k, KIPC_IOC_DOOR_DETACH, -1, path);
}

/* Server threads */

int kipc__dthread_init(struct kipc__dthread *t, size_t buf_size)
{
	memset(t, 0, sizeof(*t));
	t->buf_size = buf_size ? buf_size : KIPC__DTHREAD_BUF;
	t->buf = malloc(t->buf_size);
	return t->buf ? 0 : -ENOMEM;
}

static void kipc__dthread_unmap(struct kipc__dthread *t)
{
	if (t->map) {
		munmap(t->map, t->map_size);
		t->map = NULL;
		t->map_size = 0;
	}
}

void kipc__dthread_fini(struct kipc__dthread *t)
{
	kipc__dthread_unmap(t);
	free(t->buf);
	t->buf = NULL;
}

/* Whether the calling thread still serves an invocation. */
static int kipc__dthread_serving(struct kipc *k)
{
	struct kipc_door_current cur;

	memset(&cur, 0, sizeof(cur));
	return kipc_door_current(k, &cur) == 0;
}

/*
 * Reply (when serving) and wait for the next invocation, which is then
 * described by t->r.  A signal interrupting the wait is not an error: the
 * reply went out, so wait again with nothing to say.  An error concerning
 * the reply leaves the invocation being served; one in the wait that
 * followed a delivered reply does not: ask the kernel which it was.
 */
int kipc__dthread_next(struct kipc *k, struct kipc__dthread *t,
		       const void *data, size_t size,
		       const struct kipc_door_desc *desc, unsigned int ndesc,
		       unsigned int flags)
{
	struct kipc_door_return *r = &t->r;
	int ret;

	for (;;) {
		memset(r, 0, sizeof(*r));
		r->data_ptr = (uintptr_t)data;
		r->data_size = size;
		r->desc_ptr = (uintptr_t)desc;
		r->desc_num = ndesc;
		r->flags = flags;
		r->buf_ptr = (uintptr_t)t->buf;
		r->buf_size = t->buf_size;
		ret = kipc_door_return(k, r);
		if (ret && ret != -EINTR && t->serving &&
		    kipc__dthread_serving(k))
			return ret;
		/* The reply, if any, is gone; so are its arguments. */
		t->serving = 0;
		kipc__dthread_unmap(t);
		if (ret == -EINTR) {
			data = NULL;
			size = 0;
			desc = NULL;
			ndesc = 0;
			continue;
		}
		if (ret)
			return ret;
		if (flags & KIPC_RETURN_ABORT)
			return 0;
		t->serving = 1;
		if (r->inv_flags & KIPC_INV_MAPPED) {
			t->map = (void *)(uintptr_t)r->arg_ptr;
			t->map_size = r->arg_map_size;
		}
		return 0;
	}
}

/* The serving thread is going away mid-call: fail the call, do not wait. */
void kipc__dthread_abort(struct kipc *k, struct kipc__dthread *t)
{
	if (t->serving)
		kipc__dthread_next(k, t, NULL, 0, NULL, 0, KIPC_RETURN_ABORT);
	t->serving = 0;
}

/* The native server loop */

struct kipc__dpool {
	struct kipc *k;
	struct kipc_door_server srv;
	pthread_mutex_t lock;
	unsigned int threads;
};

static void kipc__dpool_leave(struct kipc__dpool *p)
{
	unsigned int left;

	pthread_mutex_lock(&p->lock);
	left = --p->threads;
	pthread_mutex_unlock(&p->lock);
	if (!left) {
		pthread_mutex_destroy(&p->lock);
		free(p);
	}
}

static int kipc__dpool_loop(struct kipc__dpool *p);

static void *kipc__dpool_thread(void *arg)
{
	struct kipc__dpool *p = arg;

	kipc__dpool_loop(p);
	kipc__dpool_leave(p);
	return NULL;
}

/* The pool ran out of idle threads: start one more, if allowed. */
static void kipc__dpool_grow(struct kipc__dpool *p)
{
	pthread_attr_t attr;
	pthread_t tid;
	int grow;

	pthread_mutex_lock(&p->lock);
	grow = p->threads < p->srv.max_threads;
	if (grow)
		p->threads++;
	pthread_mutex_unlock(&p->lock);
	if (!grow)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, kipc__dpool_thread, p))
		kipc__dpool_leave(p);
	pthread_attr_destroy(&attr);
}

struct kipc__cleanup {
	struct kipc *k;
	struct kipc__dthread *t;
};

static void kipc__dpool_cleanup(void *arg)
{
	struct kipc__cleanup *c = arg;

	kipc__dthread_abort(c->k, c->t);
	kipc__dthread_fini(c->t);
}

static int kipc__dpool_loop(struct kipc__dpool *p)
{
	struct kipc_door_request req;
	struct kipc__dthread t;
	struct kipc__cleanup c = { p->k, &t };
	int ret;

	if (p->srv.door_id) {
		ret = kipc_door_bind(p->k, p->srv.door_id);
		if (ret)
			return ret;
	}
	ret = kipc__dthread_init(&t, p->srv.buf_size);
	if (ret)
		return ret;
	memset(&req, 0, sizeof(req));
	pthread_cleanup_push(kipc__dpool_cleanup, &c);
	for (;;) {
		unsigned int flags = req.abort ? KIPC_RETURN_ABORT : 0;

		ret = kipc__dthread_next(p->k, &t, req.reply, req.reply_size,
					 req.reply_desc, req.reply_desc_num,
					 flags);
		if (ret && t.serving) {
			/* A reply the kernel refuses: the caller must not hang. */
			kipc__dthread_abort(p->k, &t);
			ret = 0;
		}
		if (ret)
			break;
		if (flags & KIPC_RETURN_ABORT) {
			memset(&req, 0, sizeof(req));
			continue;
		}
		if (t.r.inv_flags & KIPC_INV_DEPLETED)
			kipc__dpool_grow(p);
		memset(&req, 0, sizeof(req));
		req.cookie = (void *)(uintptr_t)t.r.cookie;
		req.proc = t.r.proc;
		req.door_id = t.r.door_id;
		req.arg = (void *)(uintptr_t)t.r.arg_ptr;
		req.arg_size = t.r.arg_size;
		req.desc = (struct kipc_door_desc *)(uintptr_t)t.r.arg_desc_ptr;
		req.desc_num = t.r.arg_desc_num;
		req.flags = t.r.inv_flags;
		p->srv.handler(&req, p->srv.arg);
	}
	pthread_cleanup_pop(1);
	return ret;
}

int kipc_door_serve(struct kipc *k, const struct kipc_door_server *srv)
{
	struct kipc__dpool *p;
	int ret;

	if (!srv->handler)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->k = k;
	p->srv = *srv;
	p->threads = 1;
	pthread_mutex_init(&p->lock, NULL);
	ret = kipc__dpool_loop(p);
	kipc__dpool_leave(p);
	return ret;
}
