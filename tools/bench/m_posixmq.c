// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: POSIX message queues.  A call is a message on a request queue
 * and one back on a result queue; a null call carries a 1-byte token.  The
 * queues are unlinked as soon as both processes hold them.
 *
 * Queues for large messages need more than the defaults allow: the message
 * size above fs.mqueue.msgsize_max needs CAP_SYS_RESOURCE, and every queue's
 * bytes count against RLIMIT_MSGQUEUE, which is raised here when the
 * process may.  Streams use a deeper queue than the default 10, as an
 * expert would, where permitted.  --raise-limits raises the two sysctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

#define MSGSIZE_MAX	"/proc/sys/fs/mqueue/msgsize_max"
#define MSG_MAX		"/proc/sys/fs/mqueue/msg_max"

struct mq_priv {
	mqd_t req, resp;
	unsigned char *buf;
	size_t len;
};

static void raise_rlimit(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	/* only raises what this process may raise; failures show later */
	if (setrlimit(RLIMIT_MSGQUEUE, &rl)) {
		getrlimit(RLIMIT_MSGQUEUE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MSGQUEUE, &rl);
	}
}

/* A new, already unlinked queue of @depth messages of @len bytes. */
static mqd_t new_queue(struct shared *sh, size_t len, long depth)
{
	static unsigned int n;
	struct mq_attr attr = { .mq_maxmsg = depth, .mq_msgsize = (long)len };
	char name[64];
	mqd_t q;

	if (opt_raise_limits) {
		if (read_sysctl(MSGSIZE_MAX) < len)
			write_sysctl(MSGSIZE_MAX, len);
		if (read_sysctl(MSG_MAX) < (unsigned long)depth)
			write_sysctl(MSG_MAX, (unsigned long)depth);
	}
	snprintf(name, sizeof(name), "/kipc-bench-%d-%u", getpid(), n++);
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1 && depth > 10 && (errno == EINVAL || errno == EMFILE))
		return new_queue(sh, len, 10);
	if (q == (mqd_t)-1) {
		bench_error(sh, "mq_open of %ld messages of %zu bytes: %s (RLIMIT_MSGQUEUE, fs.mqueue.msgsize_max)",
			    depth, len, strerror(errno));
		return q;
	}
	mq_unlink(name);
	return q;
}

static int mq_call_setup(struct call_ctx *c)
{
	struct mq_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	c->priv = p;
	p->req = p->resp = (mqd_t)-1;
	p->len = c->size ? c->size : 1;
	raise_rlimit();
	p->req = new_queue(c->sh, p->len, 2);
	if (p->req == (mqd_t)-1)
		return -EOPNOTSUPP;
	p->resp = new_queue(c->sh, p->len, 2);
	if (p->resp == (mqd_t)-1)
		return -EOPNOTSUPP;
	return 0;
}

static int mq_start(struct call_ctx *c)
{
	struct mq_priv *p = c->priv;

	p->buf = bench_alloc(p->len);
	return p->buf ? 0 : -ENOMEM;
}

/* One message of p->len bytes into p->buf; its priority in *prio. */
static int get(struct mq_priv *p, mqd_t q, unsigned int *prio)
{
	ssize_t n;

	do
		n = mq_receive(q, (char *)p->buf, p->len, prio);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == p->len ? 0 : -EBADMSG;
}

static int put(struct mq_priv *p, mqd_t q, unsigned int prio)
{
	int ret;

	do
		ret = mq_send(q, (const char *)p->buf, p->len, prio);
	while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

static int mq_serve(struct call_ctx *c, int idx)
{
	struct mq_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	uint64_t seq = bench_seq_base(idx);
	unsigned int prio;
	int ret;

	for (;; seq++) {
		ret = get(p, p->req, &prio);
		if (ret)
			return ret;
		if (prio == 1)	/* the stop message */
			return 0;
		acct_add(a, c->size, payload_check(p->buf, p->len, seq, DIR_REQ));
		payload_fill(p->buf, p->len, seq, DIR_RESP);
		ret = put(p, p->resp, 0);
		if (ret)
			return ret;
	}
}

static int mq_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct mq_priv *p = c->priv;
	unsigned int prio;
	int ret;

	(void)idx;
	payload_fill(p->buf, p->len, seq, DIR_REQ);
	ret = put(p, p->req, 0);
	if (!ret)
		ret = get(p, p->resp, &prio);
	if (ret)
		return ret;
	if (!payload_check(p->buf, p->len, seq, DIR_RESP)) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int mq_stop(struct call_ctx *c)
{
	struct mq_priv *p = c->priv;

	return put(p, p->req, 1);
}

static void mq_teardown(struct call_ctx *c, bool server)
{
	struct mq_priv *p = c->priv;

	(void)server;
	if (!p)
		return;
	if (p->req != (mqd_t)-1)
		mq_close(p->req);
	if (p->resp != (mqd_t)-1)
		mq_close(p->resp);
	bench_free(p->buf, p->len);
	free(p);
}

static int mq_stream_setup(struct stream_ctx *s)
{
	struct mq_priv *p = calloc(1, sizeof(*p));
	long depth = 64;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	p->resp = (mqd_t)-1;
	p->len = s->size;
	raise_rlimit();
	/* deep, but not more than 16 MiB queued */
	if ((long)(16u << 20) / (long)s->size < depth)
		depth = (long)(16u << 20) / (long)s->size;
	p->req = new_queue(s->sh, p->len, depth);
	return p->req == (mqd_t)-1 ? -EOPNOTSUPP : 0;
}

static int mq_stream_recv(struct stream_ctx *s)
{
	struct mq_priv *p = s->priv;
	struct acct *a = bench_acct(s->sh);
	unsigned int prio;
	uint64_t seq;
	int ret = 0;

	p->buf = bench_alloc(p->len);
	if (!p->buf)
		return -ENOMEM;
	for (seq = 1; seq <= s->count && !ret; seq++) {
		ret = get(p, p->req, &prio);
		if (!ret)
			acct_add(a, p->len,
				 payload_check(p->buf, p->len, seq, DIR_REQ));
	}
	return ret;
}

static int mq_stream_send(struct stream_ctx *s)
{
	struct mq_priv *p = s->priv;
	uint64_t seq;
	int ret = 0;

	p->buf = bench_alloc(p->len);
	if (!p->buf)
		return -ENOMEM;
	for (seq = 1; seq <= s->count && !ret; seq++) {
		payload_fill(p->buf, p->len, seq, DIR_REQ);
		ret = put(p, p->req, 0);
	}
	return ret;
}

static void mq_stream_teardown(struct stream_ctx *s, bool receiver)
{
	struct mq_priv *p = s->priv;

	(void)receiver;
	if (!p)
		return;
	if (p->req != (mqd_t)-1)
		mq_close(p->req);
	bench_free(p->buf, p->len);
	free(p);
}

const struct mech mech_posix_mq = {
	.name = "posix-mq",
	.what = "POSIX message queues, one each way (streams: one, deep)",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_STREAM),
	.call_setup = mq_call_setup,
	.server_start = mq_start,
	.serve = mq_serve,
	.client_start = mq_start,
	.call = mq_call,
	.call_stop = mq_stop,
	.call_teardown = mq_teardown,
	.stream_setup = mq_stream_setup,
	.stream_recv = mq_stream_recv,
	.stream_send = mq_stream_send,
	.stream_teardown = mq_stream_teardown,
};
