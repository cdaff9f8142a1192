// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: System V message queues.  A call is a message on a request
 * queue and one back on a result queue; the message type carries the call's
 * number, so a null call is a message with an empty body and is checked
 * too.  The client stops the server by removing the request queue.
 *
 * A message larger than kernel.msgmax cannot be sent at all (root or not);
 * such rows are skipped with the reason unless --raise-limits lets the
 * benchmark raise kernel.msgmax.  The queues' byte limit is raised to hold
 * a message with IPC_SET (CAP_SYS_RESOURCE above kernel.msgmnb).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "bench.h"

#define MSGMAX	"/proc/sys/kernel/msgmax"

struct sysv_priv {
	int req, resp;
	struct msgbuf *m;	/* mtype, then the body */
	size_t len;
};

static int new_queue(struct shared *sh, size_t len)
{
	struct msqid_ds ds;
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	if (q < 0) {
		bench_error(sh, "msgget: %s", strerror(errno));
		return -1;
	}
	if (!msgctl(q, IPC_STAT, &ds) && ds.msg_qbytes < len) {
		ds.msg_qbytes = len;
		if (msgctl(q, IPC_SET, &ds)) {
			bench_error(sh, "a %zu-byte message exceeds the queue's byte limit (kernel.msgmnb)",
				    len);
			msgctl(q, IPC_RMID, NULL);
			return -1;
		}
	}
	return q;
}

static int sysv_setup(struct call_ctx *c)
{
	struct sysv_priv *p = calloc(1, sizeof(*p));
	unsigned long max = read_sysctl(MSGMAX);

	if (!p)
		return -ENOMEM;
	c->priv = p;
	p->req = p->resp = -1;
	p->len = c->size;
	if (max < p->len && opt_raise_limits) {
		write_sysctl(MSGMAX, p->len);
		max = read_sysctl(MSGMAX);
	}
	if (max < p->len) {
		bench_error(c->sh, "a %zu-byte message exceeds kernel.msgmax (%lu; --raise-limits raises it as root)",
			    p->len, max);
		return -EOPNOTSUPP;
	}
	p->req = new_queue(c->sh, p->len);
	p->resp = new_queue(c->sh, p->len);
	return p->req < 0 || p->resp < 0 ? -EOPNOTSUPP : 0;
}

static int sysv_start(struct call_ctx *c)
{
	struct sysv_priv *p = c->priv;

	p->m = bench_alloc(sizeof(long) + p->len);
	return p->m ? 0 : -ENOMEM;
}

static int get(struct sysv_priv *p, int q)
{
	ssize_t n;

	do
		n = msgrcv(q, p->m, p->len, 0, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == p->len ? 0 : -EBADMSG;
}

static int put(struct sysv_priv *p, int q, uint64_t seq)
{
	int ret;

	p->m->mtype = (long)seq;
	do
		ret = msgsnd(q, p->m, p->len, 0);
	while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

static int sysv_serve(struct call_ctx *c, int idx)
{
	struct sysv_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	uint64_t seq = bench_seq_base(idx);
	int ret;

	for (;; seq++) {
		ret = get(p, p->req);
		if (ret == -EIDRM || ret == -EINVAL)
			return 0;	/* the client removed the queue */
		if (ret)
			return ret;
		acct_add(a, p->len, p->m->mtype == (long)seq &&
			 payload_check(p->m->mtext, p->len, seq, DIR_REQ));
		payload_fill(p->m->mtext, p->len, seq, DIR_RESP);
		ret = put(p, p->resp, seq);
		if (ret)
			return ret;
	}
}

static int sysv_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct sysv_priv *p = c->priv;
	int ret;

	(void)idx;
	payload_fill(p->m->mtext, p->len, seq, DIR_REQ);
	ret = put(p, p->req, seq);
	if (!ret)
		ret = get(p, p->resp);
	if (ret)
		return ret;
	if (p->m->mtype != (long)seq ||
	    !payload_check(p->m->mtext, p->len, seq, DIR_RESP)) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int sysv_stop(struct call_ctx *c)
{
	struct sysv_priv *p = c->priv;

	return msgctl(p->req, IPC_RMID, NULL) ? -errno : 0;
}

static void sysv_teardown(struct call_ctx *c, bool server)
{
	struct sysv_priv *p = c->priv;

	if (!p)
		return;
	if (!server) {
		/* IPC objects outlive processes: never leave one behind */
		if (p->req >= 0)
			msgctl(p->req, IPC_RMID, NULL);
		if (p->resp >= 0)
			msgctl(p->resp, IPC_RMID, NULL);
	}
	bench_free(p->m, sizeof(long) + p->len);
	free(p);
}

const struct mech mech_sysv_msg = {
	.name = "sysv-msg",
	.what = "System V message queues, one each way, type = call number",
	.benches = CAN(BENCH_RTT),
	.call_setup = sysv_setup,
	.server_start = sysv_start,
	.serve = sysv_serve,
	.client_start = sysv_start,
	.call = sysv_call,
	.call_stop = sysv_stop,
	.call_teardown = sysv_teardown,
};
