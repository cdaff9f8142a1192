// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc zero-copy message channels (issue 4): one-way streaming,
 * one message at a time and batched, and a blocking ping-pong over a pair
 * of channels.  The sender loans a buffer in the shared pool, writes the
 * payload in place and sends it; the receiver checks it in place in its
 * read-only mapping and releases it: no copy by anyone.
 *
 * NOT BUILT YET (tools/Makefile KIPC_BENCH_CHANNELS=1): written before the
 * channel API landed, against the calls issue 4 names.  What this file
 * expects from <kipc_channel.h>, to be adapted when the real one lands:
 *
 *   struct kipc_chan_attr { size_t pool_size, max_msg; unsigned int depth; };
 *   struct kipc_chan_msg { void *buf; size_t len; };
 *   int kipc_chan_create(struct kipc *k, const struct kipc_chan_attr *a,
 *                        int *rx_fd, int *tx_fd);
 *   int kipc_chan_open(struct kipc_chan **ch, int fd);      (either end)
 *   void kipc_chan_close(struct kipc_chan *ch);
 *   int kipc_chan_loan(struct kipc_chan *tx, size_t len, void **buf,
 *                      int timeout_ms);
 *   int kipc_chan_send(struct kipc_chan *tx, void *buf, size_t len);
 *   int kipc_chan_recv(struct kipc_chan *rx, const void **buf, size_t *len,
 *                      int timeout_ms);
 *   int kipc_chan_release(struct kipc_chan *rx, const void *buf);
 *   int kipc_chan_loan_batch(struct kipc_chan *tx, struct kipc_chan_msg *m,
 *                            unsigned int n, int timeout_ms);   (count)
 *   int kipc_chan_send_batch(struct kipc_chan *tx,
 *                            const struct kipc_chan_msg *m, unsigned int n);
 *   int kipc_chan_recv_batch(struct kipc_chan *rx, struct kipc_chan_msg *m,
 *                            unsigned int n, int timeout_ms);   (count)
 *   int kipc_chan_release_batch(struct kipc_chan *rx,
 *                               const struct kipc_chan_msg *m, unsigned int n);
 * all returning 0 (or a count) or -errno, like the rest of libkipc.
 */
#include <errno.h>
#include <kipc.h>
#include <kipc_channel.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define BATCH	16

struct chan_priv {
	struct kipc k;
	int fd[2][2];		/* [channel][0 rx, 1 tx]; channel 1: results */
	struct kipc_chan *rx, *tx;
	size_t len;
};

static const char *chan_probe(void)
{
	if (access("/dev/kipc", R_OK | W_OK))
		return "no /dev/kipc (kipc.ko is not loaded)";
	return NULL;
}

static int make(struct shared *sh, struct chan_priv *p, int n, size_t size)
{
	struct kipc_chan_attr a = {
		/* room for a good many messages in flight, as for the peers */
		.pool_size = size * 8 > (4u << 20) ? size * 8 : 4u << 20,
		.max_msg = size ? size : 8,
		.depth = 256,
	};
	int i, ret;

	ret = kipc_open(&p->k, 0);
	if (ret) {
		bench_error(sh, "kipc_open: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		ret = kipc_chan_create(&p->k, &a, &p->fd[i][0], &p->fd[i][1]);
		if (ret) {
			bench_error(sh, "kipc_chan_create: %s", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* This side receives on channel @rx_ch and sends on the other. */
static int open_ends(struct chan_priv *p, int rx_ch, bool duplex)
{
	int ret;

	ret = kipc_chan_open(&p->rx, p->fd[rx_ch][0]);
	if (!ret && duplex)
		ret = kipc_chan_open(&p->tx, p->fd[!rx_ch][1]);
	if (duplex) {
		/* the other side's ends: end of channel needs them closed */
		close(p->fd[rx_ch][1]);
		close(p->fd[!rx_ch][0]);
		p->fd[rx_ch][1] = p->fd[!rx_ch][0] = -1;
	}
	return ret;
}

/* Send one message numbered @seq (written in place), or -errno. */
static int send_one(struct chan_priv *p, uint64_t seq, int dir)
{
	size_t len = p->len ? p->len : 8;
	void *buf;
	int ret;

	ret = kipc_chan_loan(p->tx, len, &buf, -1);
	if (ret)
		return ret;
	payload_fill(buf, len, seq, dir);
	return kipc_chan_send(p->tx, buf, len);
}

/* Receive and check one message numbered @seq; *ok tells if it checked. */
static int recv_one(struct chan_priv *p, uint64_t seq, int dir, bool *ok)
{
	size_t want = p->len ? p->len : 8, len;
	const void *buf;
	int ret;

	ret = kipc_chan_recv(p->rx, &buf, &len, -1);
	if (ret == -EPIPE)
		return ret;	/* end of channel: the other side is done */
	if (ret)
		return ret;
	*ok = len == want && payload_check(buf, len, seq, dir);
	return kipc_chan_release(p->rx, buf);
}

/* ---- ping-pong ----------------------------------------------------- */

static int chan_call_setup(struct call_ctx *c)
{
	struct chan_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	c->priv = p;
	p->len = c->size;
	return make(c->sh, p, 2, c->size);
}

static int chan_server_start(struct call_ctx *c)
{
	return open_ends(c->priv, 0, true);
}

static int chan_client_start(struct call_ctx *c)
{
	return open_ends(c->priv, 1, true);
}

static int chan_serve(struct call_ctx *c, int idx)
{
	struct chan_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	uint64_t seq = bench_seq_base(idx);
	bool ok;
	int ret;

	for (;; seq++) {
		ret = recv_one(p, seq, DIR_REQ, &ok);
		if (ret == -EPIPE)
			return 0;
		if (ret)
			return ret;
		acct_add(a, c->size, ok);
		ret = send_one(p, seq, DIR_RESP);
		if (ret)
			return ret;
	}
}

static int chan_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct chan_priv *p = c->priv;
	bool ok;
	int ret;

	(void)idx;
	ret = send_one(p, seq, DIR_REQ);
	if (!ret)
		ret = recv_one(p, seq, DIR_RESP, &ok);
	if (ret)
		return ret;
	if (!ok) {
		bench_error(c->sh, "bad result for call %llu",
			    (unsigned long long)seq);
		return -EBADMSG;
	}
	return 0;
}

static int chan_call_stop(struct call_ctx *c)
{
	struct chan_priv *p = c->priv;

	/* the last sender gone: the server's receive ends with EPIPE */
	kipc_chan_close(p->tx);
	p->tx = NULL;
	close(p->fd[0][1]);
	p->fd[0][1] = -1;
	return 0;
}

static void chan_teardown_priv(struct chan_priv *p)
{
	int i, j;

	if (!p)
		return;
	if (p->rx)
		kipc_chan_close(p->rx);
	if (p->tx)
		kipc_chan_close(p->tx);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			if (p->fd[i][j] > 0)
				close(p->fd[i][j]);
	if (p->k.fd > 0)
		kipc_close(&p->k);
	free(p);
}

static void chan_call_teardown(struct call_ctx *c, bool server)
{
	(void)server;
	chan_teardown_priv(c->priv);
	c->priv = NULL;
}

/* ---- streams -------------------------------------------------------- */

static int chan_stream_setup(struct stream_ctx *s)
{
	struct chan_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	s->priv = p;
	p->len = s->size;
	return make(s->sh, p, 1, s->size);
}

static int chan_stream_recv(struct stream_ctx *s)
{
	struct chan_priv *p = s->priv;
	struct acct *a = bench_acct(s->sh);
	struct kipc_chan_msg m[BATCH];
	uint64_t seq = 1;
	int ret, n, i;
	bool ok;

	close(p->fd[0][1]);	/* only the sender holds the sending end */
	p->fd[0][1] = -1;
	ret = open_ends(p, 0, false);
	if (ret)
		return ret;
	while (seq <= s->count) {
		if (!s->m->batched) {
			ret = recv_one(p, seq, DIR_REQ, &ok);
			if (ret)
				return ret;
			acct_add(a, s->size, ok);
			seq++;
			continue;
		}
		n = kipc_chan_recv_batch(p->rx, m, BATCH, -1);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++, seq++)
			acct_add(a, s->size, m[i].len == s->size &&
				 payload_check(m[i].buf, s->size, seq, DIR_REQ));
		ret = kipc_chan_release_batch(p->rx, m, (unsigned int)n);
		if (ret)
			return ret;
	}
	return 0;
}

static int chan_stream_send(struct stream_ctx *s)
{
	struct chan_priv *p = s->priv;
	struct kipc_chan_msg m[BATCH];
	uint64_t seq = 1;
	unsigned int want;
	int ret, n, i;

	ret = kipc_chan_open(&p->tx, p->fd[0][1]);
	if (ret)
		return ret;
	while (seq <= s->count) {
		if (!s->m->batched) {
			ret = send_one(p, seq++, DIR_REQ);
			if (ret)
				return ret;
			continue;
		}
		want = s->count - seq + 1 < BATCH ?
		       (unsigned int)(s->count - seq + 1) : BATCH;
		for (i = 0; i < (int)want; i++)
			m[i].len = s->size;
		n = kipc_chan_loan_batch(p->tx, m, want, -1);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++)
			payload_fill(m[i].buf, s->size, seq + (uint64_t)i, DIR_REQ);
		ret = kipc_chan_send_batch(p->tx, m, (unsigned int)n);
		if (ret)
			return ret;
		seq += (uint64_t)n;
	}
	return 0;
}

static void chan_stream_teardown(struct stream_ctx *s, bool receiver)
{
	(void)receiver;
	chan_teardown_priv(s->priv);
	s->priv = NULL;
}

const struct mech mech_kipc_chan = {
	.name = "kipc-chan",
	.what = "kipc channel: loan, write in place, send; receive, read in place, release",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_STREAM),
	.is_kipc = true,
	.probe = chan_probe,
	.call_setup = chan_call_setup,
	.server_start = chan_server_start,
	.serve = chan_serve,
	.client_start = chan_client_start,
	.call = chan_call,
	.call_stop = chan_call_stop,
	.call_teardown = chan_call_teardown,
	.stream_setup = chan_stream_setup,
	.stream_recv = chan_stream_recv,
	.stream_send = chan_stream_send,
	.stream_teardown = chan_stream_teardown,
};

const struct mech mech_kipc_chan_batch = {
	.name = "kipc-chan-batch",
	.what = "kipc channel, loan/send/receive/release 16 messages at a time",
	.benches = CAN(BENCH_STREAM),
	.is_kipc = true,
	.probe = chan_probe,
	.stream_setup = chan_stream_setup,
	.stream_recv = chan_stream_recv,
	.stream_send = chan_stream_send,
	.stream_teardown = chan_stream_teardown,
	.batched = true,
};
