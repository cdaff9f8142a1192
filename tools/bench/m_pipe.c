// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: pipes.  A call is a request written into one pipe and a
 * result read back from another; a null call carries a 1-byte token.
 *
 * As an expert would, the pipes are enlarged (F_SETPIPE_SZ) to hold a whole
 * message where the system allows it, so a large message does not take one
 * wakeup per 64 KiB; and a stream's receiver reads whatever is there with
 * one read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

struct pipe_priv {
	int req[MAX_THREADS][2];	/* client -> server */
	int resp[MAX_THREADS][2];	/* server -> client */
	unsigned char *buf[MAX_THREADS];
	size_t len;			/* bytes on the wire per message */
};

static void grow(int fd, size_t size)
{
	/* best effort: above fs.pipe-max-size only with CAP_SYS_RESOURCE */
	if (size > 65536)
		fcntl(fd, F_SETPIPE_SZ, (int)(size < (1u << 20) ? size : 1u << 20));
}

static int pipe_call_setup(struct call_ctx *c)
{
	struct pipe_priv *p = calloc(1, sizeof(*p));
	int i;

	if (!p)
		return -ENOMEM;
	c->priv = p;
	memset(p->req, -1, sizeof(p->req));
	memset(p->resp, -1, sizeof(p->resp));
	p->len = c->size ? c->size : 1;
	for (i = 0; i < c->threads; i++) {
		if (pipe2(p->req[i], O_CLOEXEC) || pipe2(p->resp[i], O_CLOEXEC))
			return -errno;
		grow(p->req[i][1], p->len);
		grow(p->resp[i][1], p->len);
	}
	return 0;
}

static int alloc_bufs(struct call_ctx *c)
{
	struct pipe_priv *p = c->priv;
	int i;

	for (i = 0; i < c->threads; i++) {
		p->buf[i] = bench_alloc(p->len);
		if (!p->buf[i])
			return -ENOMEM;
	}
	return 0;
}

static int pipe_server_start(struct call_ctx *c)
{
	struct pipe_priv *p = c->priv;
	int i;

	for (i = 0; i < c->threads; i++) {
		close(p->req[i][1]);
		close(p->resp[i][0]);
		p->req[i][1] = p->resp[i][0] = -1;
	}
	return alloc_bufs(c);
}

static int pipe_client_start(struct call_ctx *c)
{
	struct pipe_priv *p = c->priv;
	int i;

	for (i = 0; i < c->threads; i++) {
		close(p->req[i][0]);
		close(p->resp[i][1]);
		p->req[i][0] = p->resp[i][1] = -1;
	}
	return alloc_bufs(c);
}

static int pipe_serve(struct call_ctx *c, int idx)
{
	struct pipe_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	unsigned char *buf = p->buf[idx];
	uint64_t seq = bench_seq_base(idx);
	int ret;

	for (;; seq++) {
		ret = read_full(p->req[idx][0], buf, p->len);
		if (ret == -EPIPE)
			return 0;	/* the client closed: stop */
		if (ret)
			return ret;
		acct_add(a, c->size, payload_check(buf, p->len, seq, DIR_REQ));
		payload_fill(buf, p->len, seq, DIR_RESP);
		ret = write_full(p->resp[idx][1], buf, p->len);
		if (ret)
			return ret;
	}
}

static int pipe_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct pipe_priv *p = c->priv;
	unsigned char *buf = p->buf[idx];
	int ret;

	payload_fill(buf, p->len, seq, DIR_REQ);
	ret = write_full(p->req[idx][1], buf, p->len);
	if (!ret)
		ret = read_full(p->resp[idx][0], buf, p->len);
	if (ret)
		return ret;
	if (!payload_check(buf, p->len, seq, DIR_RESP)) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int pipe_call_stop(struct call_ctx *c)
{
	struct pipe_priv *p = c->priv;
	int i;

	for (i = 0; i < c->threads; i++) {
		close(p->req[i][1]);
		p->req[i][1] = -1;
	}
	return 0;
}

static void pipe_call_teardown(struct call_ctx *c, bool server)
{
	struct pipe_priv *p = c->priv;
	int i, j;

	(void)server;
	if (!p)
		return;
	for (i = 0; i < c->threads; i++) {
		for (j = 0; j < 2; j++) {
			if (p->req[i][j] >= 0)
				close(p->req[i][j]);
			if (p->resp[i][j] >= 0)
				close(p->resp[i][j]);
		}
		bench_free(p->buf[i], p->len);
	}
	free(p);
	c->priv = NULL;
}

static int pipe_stream_setup(struct stream_ctx *s)
{
	int *fds = malloc(2 * sizeof(int));

	if (!fds)
		return -ENOMEM;
	fds[0] = fds[1] = -1;
	s->priv = fds;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	/* a deeper pipe: fewer wakeups, as anyone streaming would want */
	grow(fds[1], 1u << 20);
	return 0;
}

static int pipe_stream_recv(struct stream_ctx *s)
{
	int *fds = s->priv;

	close(fds[1]);
	fds[1] = -1;
	return bytestream_recv(s, fds[0]);
}

static int pipe_stream_send(struct stream_ctx *s)
{
	int *fds = s->priv;

	close(fds[0]);
	fds[0] = -1;
	return bytestream_send(s, fds[1]);
}

static void pipe_stream_teardown(struct stream_ctx *s, bool receiver)
{
	int *fds = s->priv;

	(void)receiver;
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(fds);
}

const struct mech mech_pipe = {
	.name = "pipe",
	.what = "two pipes (calls), one pipe (streams), enlarged to the message",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_STREAM),
	.call_setup = pipe_call_setup,
	.server_start = pipe_server_start,
	.serve = pipe_serve,
	.client_start = pipe_client_start,
	.call = pipe_call,
	.call_stop = pipe_call_stop,
	.call_teardown = pipe_call_teardown,
	.stream_setup = pipe_stream_setup,
	.stream_recv = pipe_stream_recv,
	.stream_send = pipe_stream_send,
	.stream_teardown = pipe_stream_teardown,
};
