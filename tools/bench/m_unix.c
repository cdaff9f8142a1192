// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: AF_UNIX socketpairs, stream and seqpacket.  A call is a
 * request sent on a socketpair and a result received on it; a null call
 * carries a 1-byte token (a 0-byte seqpacket would read as end of file).
 * Scaling gives each client thread its own connection served by its own
 * server thread, the usual way to serve several clients.
 *
 * Send buffers are raised to hold whole messages, as an expert would
 * (SO_SNDBUFFORCE where permitted, else SO_SNDBUF up to net.core.wmem_max):
 * a seqpacket message larger than the send buffer cannot be sent at all,
 * and the row is then skipped with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

struct unix_priv {
	int type;
	int sv[MAX_THREADS][2];		/* [0] client, [1] server */
	unsigned char *buf[MAX_THREADS];
	size_t len;
};

/* Room for @len-byte messages; 0, or -EOPNOTSUPP if it cannot be had. */
static int room_for(struct shared *sh, int fd, int type, size_t len)
{
	int want = (int)(len * 2 + 65536), got = 0;
	socklen_t sl = sizeof(got);

	if (opt_raise_limits &&
	    read_sysctl("/proc/sys/net/core/wmem_max") < (unsigned long)want)
		write_sysctl("/proc/sys/net/core/wmem_max", (unsigned long)want);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &sl);
	/* the kernel refuses a datagram larger than sndbuf - 32 */
	if (type == SOCK_SEQPACKET && (size_t)got < len + 64) {
		bench_error(sh, "a %zu-byte message does not fit the socket send buffer (%d bytes; net.core.wmem_max, or run with --raise-limits as root)",
			    len, got);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int unix_setup(struct call_ctx *c, int type)
{
	struct unix_priv *p = calloc(1, sizeof(*p));
	int i, j, ret;

	if (!p)
		return -ENOMEM;
	c->priv = p;
	memset(p->sv, -1, sizeof(p->sv));
	p->type = type;
	p->len = c->size ? c->size : 1;
	for (i = 0; i < c->threads; i++) {
		if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, p->sv[i]))
			return -errno;
		for (j = 0; j < 2; j++) {
			ret = room_for(c->sh, p->sv[i][j], type, p->len);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int stream_call_setup(struct call_ctx *c)
{
	return unix_setup(c, SOCK_STREAM);
}

static int seqpacket_call_setup(struct call_ctx *c)
{
	return unix_setup(c, SOCK_SEQPACKET);
}

/* Keep this side's end of every pair, allocate this side's buffers. */
static int keep(struct call_ctx *c, int mine)
{
	struct unix_priv *p = c->priv;
	int i;

	for (i = 0; i < c->threads; i++) {
		close(p->sv[i][!mine]);
		p->sv[i][!mine] = -1;
		p->buf[i] = bench_alloc(p->len);
		if (!p->buf[i])
			return -ENOMEM;
	}
	return 0;
}

static int unix_server_start(struct call_ctx *c)
{
	return keep(c, 1);
}

static int unix_client_start(struct call_ctx *c)
{
	return keep(c, 0);
}

/* Receive one message of p->len bytes: 0, -EPIPE at end of file, -errno. */
static int recv_msg(struct unix_priv *p, int fd, unsigned char *buf)
{
	ssize_t n;

	if (p->type == SOCK_STREAM)
		return read_full(fd, buf, p->len);
	do
		n = recv(fd, buf, p->len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	return (size_t)n == p->len ? 0 : -EBADMSG;
}

static int send_msg(struct unix_priv *p, int fd, const unsigned char *buf)
{
	ssize_t n;

	if (p->type == SOCK_STREAM)
		return write_full(fd, buf, p->len);
	do
		n = send(fd, buf, p->len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == p->len ? 0 : -EBADMSG;
}

static int unix_serve(struct call_ctx *c, int idx)
{
	struct unix_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	unsigned char *buf = p->buf[idx];
	int fd = p->sv[idx][1], ret;
	uint64_t seq = bench_seq_base(idx);

	for (;; seq++) {
		ret = recv_msg(p, fd, buf);
		if (ret == -EPIPE)
			return 0;
		if (ret)
			return ret;
		acct_add(a, c->size, payload_check(buf, p->len, seq, DIR_REQ));
		payload_fill(buf, p->len, seq, DIR_RESP);
		ret = send_msg(p, fd, buf);
		if (ret)
			return ret;
	}
}

static int unix_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct unix_priv *p = c->priv;
	unsigned char *buf = p->buf[idx];
	int fd = p->sv[idx][0], ret;

	payload_fill(buf, p->len, seq, DIR_REQ);
	ret = send_msg(p, fd, buf);
	if (!ret)
		ret = recv_msg(p, fd, buf);
	if (ret)
		return ret;
	if (!payload_check(buf, p->len, seq, DIR_RESP)) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int unix_call_stop(struct call_ctx *c)
{
	struct unix_priv *p = c->priv;
	int i;

	for (i = 0; i < c->threads; i++)
		shutdown(p->sv[i][0], SHUT_WR);
	return 0;
}

static void unix_call_teardown(struct call_ctx *c, bool server)
{
	struct unix_priv *p = c->priv;
	int i;

	(void)server;
	if (!p)
		return;
	for (i = 0; i < c->threads; i++) {
		if (p->sv[i][0] >= 0)
			close(p->sv[i][0]);
		if (p->sv[i][1] >= 0)
			close(p->sv[i][1]);
		bench_free(p->buf[i], p->len);
	}
	free(p);
	c->priv = NULL;
}

/* streams: sv[0] sends, sv[1] receives */
static int unix_stream_setup_type(struct stream_ctx *s, int type)
{
	struct unix_priv *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	memset(p->sv, -1, sizeof(p->sv));
	p->type = type;
	p->len = s->size;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, p->sv[0]))
		return -errno;
	/* deep enough for a good many messages in flight */
	ret = room_for(s->sh, p->sv[0][0], type,
		       s->size > (256u << 10) ? s->size * 2 : 256u << 10);
	return ret;
}

static int unix_stream_setup_stream(struct stream_ctx *s)
{
	return unix_stream_setup_type(s, SOCK_STREAM);
}

static int unix_stream_setup_seqpacket(struct stream_ctx *s)
{
	return unix_stream_setup_type(s, SOCK_SEQPACKET);
}

static int unix_stream_recv(struct stream_ctx *s)
{
	struct unix_priv *p = s->priv;
	struct acct *a = bench_acct(s->sh);
	int fd = p->sv[0][1], ret = 0;
	unsigned char *buf;
	uint64_t seq;

	close(p->sv[0][0]);
	p->sv[0][0] = -1;
	if (p->type == SOCK_STREAM)
		return bytestream_recv(s, fd);
	buf = bench_alloc(s->size);
	if (!buf)
		return -ENOMEM;
	for (seq = 1; seq <= s->count && !ret; seq++) {
		ret = recv_msg(p, fd, buf);
		if (!ret)
			acct_add(a, s->size,
				 payload_check(buf, s->size, seq, DIR_REQ));
	}
	bench_free(buf, s->size);
	return ret;
}

static int unix_stream_send(struct stream_ctx *s)
{
	struct unix_priv *p = s->priv;
	int fd = p->sv[0][0], ret = 0;
	unsigned char *buf;
	uint64_t seq;

	close(p->sv[0][1]);
	p->sv[0][1] = -1;
	if (p->type == SOCK_STREAM)
		return bytestream_send(s, fd);
	buf = bench_alloc(s->size);
	if (!buf)
		return -ENOMEM;
	for (seq = 1; seq <= s->count && !ret; seq++) {
		payload_fill(buf, s->size, seq, DIR_REQ);
		ret = send_msg(p, fd, buf);
	}
	bench_free(buf, s->size);
	return ret;
}

static void unix_stream_teardown(struct stream_ctx *s, bool receiver)
{
	struct unix_priv *p = s->priv;

	(void)receiver;
	if (!p)
		return;
	if (p->sv[0][0] >= 0)
		close(p->sv[0][0]);
	if (p->sv[0][1] >= 0)
		close(p->sv[0][1]);
	free(p);
}

const struct mech mech_unix_stream = {
	.name = "unix-stream",
	.what = "AF_UNIX SOCK_STREAM socketpair",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_STREAM),
	.call_setup = stream_call_setup,
	.server_start = unix_server_start,
	.serve = unix_serve,
	.client_start = unix_client_start,
	.call = unix_call,
	.call_stop = unix_call_stop,
	.call_teardown = unix_call_teardown,
	.stream_setup = unix_stream_setup_stream,
	.stream_recv = unix_stream_recv,
	.stream_send = unix_stream_send,
	.stream_teardown = unix_stream_teardown,
};

const struct mech mech_unix_seqpacket = {
	.name = "unix-seqpacket",
	.what = "AF_UNIX SOCK_SEQPACKET socketpair (a connection per client thread)",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_STREAM) | CAN(BENCH_SCALE),
	.call_setup = seqpacket_call_setup,
	.server_start = unix_server_start,
	.serve = unix_serve,
	.client_start = unix_client_start,
	.call = unix_call,
	.call_stop = unix_call_stop,
	.call_teardown = unix_call_teardown,
	.stream_setup = unix_stream_setup_seqpacket,
	.stream_recv = unix_stream_recv,
	.stream_send = unix_stream_send,
	.stream_teardown = unix_stream_teardown,
};
