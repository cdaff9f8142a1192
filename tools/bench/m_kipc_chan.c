// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc zero-copy message channels (issue 4): one-way streaming,
 * one message at a time and batched, and a blocking ping-pong over a duplex
 * pair.  The sender loans a buffer in its pool, writes the payload in place
 * and sends it; the receiver checks it in place in its read-only mapping
 * and releases it: no copy by anyone.
 *
 * NOT BUILT YET (tools/Makefile KIPC_BENCH_CHANNELS=1): written against
 * the <kipc_channel.h> of the channels work in progress, before it reached
 * main; check it against the API as it lands.  Calls used:
 *
 *   kipc_chan_create(k, &params, &rx_fd, &connector_fd)
 *   kipc_chan_rx_open(&rx, fd), kipc_chan_rx_close(&rx)
 *   kipc_chan_connect(&tx, connector_fd), kipc_chan_tx_close(&tx)
 *   kipc_chan_loan_wait(tx, size, &buf, timeout_ns), kipc_chan_send(tx, &buf)
 *   kipc_chan_loan_batch(tx, size, bufs, n), kipc_chan_send_batch(tx, bufs, n)
 *   kipc_chan_tx_wait(tx, timeout_ns)
 *   kipc_chan_recv_wait(rx, msgs, n, timeout_ns) (0 at the end of the
 *   channel), kipc_chan_release(rx, &msg), kipc_chan_release_batch()
 *   kipc_chan_duplex_pair(k, &params, &local, peer_fds),
 *   kipc_chan_duplex_open(&d, rx_fd, connector_fd), kipc_chan_duplex_close()
 *
 * A null ping-pong call carries the call's number (8 bytes).
 */
#include <errno.h>
#include <kipc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define BATCH	16
#define FOREVER	(-1)

/* ---- ping-pong ----------------------------------------------------- */

struct chan_call_priv {
	struct kipc k;
	struct kipc_chan_duplex d;
	bool open, tx_closed;
	size_t len;		/* bytes per message */
};

static const char *chan_probe(void)
{
	if (access(KIPC_DEVICE_PATH, R_OK | W_OK))
		return "no " KIPC_DEVICE_PATH " (kipc.ko is not loaded)";
	return NULL;
}

/*
 * Sized as an expert sizes a stream, and as the busy-polling ring is
 * (m_shmring.c): small messages get about 256 KiB of buffers, up to 4096
 * of them in flight, so the stream stays in the cache; large ones room for
 * 256 of them within 4 MiB, or for 8.
 */
static void params_for(struct kipc_chan_params *p, size_t len)
{
	size_t slot = len < 64 ? 64 : (len + 63) & ~(size_t)63;
	uint32_t depth = 256;

	memset(p, 0, sizeof(*p));
	p->max_msg = (uint32_t)(len < 64 ? 64 : len);
	while (depth < 4096 && 2 * depth * slot <= (256u << 10))
		depth *= 2;
	p->ring_depth = depth;
	p->pool_size = depth * slot <= (4u << 20) ? depth * slot :
		       len * 8 > (4u << 20) ? len * 8 : 4u << 20;
}

static int chan_call_setup(struct call_ctx *c)
{
	struct chan_call_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->k.fd = -1;
	p->len = c->size ? c->size : 8;
	c->priv = p;
	return 0;
}

/* The client makes the pair and hands the server its two fds. */
static int chan_client_start(struct call_ctx *c)
{
	struct chan_call_priv *p = c->priv;
	struct kipc_chan_params params;
	int fds[2], ret;

	ret = kipc_open(&p->k, 0);
	if (ret)
		return ret;
	params_for(&params, p->len);
	ret = kipc_chan_duplex_pair(&p->k, &params, &p->d, fds);
	if (ret) {
		bench_error(c->sh, "kipc_chan_duplex_pair: %s", strerror(-ret));
		return ret;
	}
	p->open = true;
	ret = send_fd(c->ctl, fds[0]);
	if (!ret)
		ret = send_fd(c->ctl, fds[1]);
	close(fds[0]);
	close(fds[1]);
	return ret;
}

static int chan_server_start(struct call_ctx *c)
{
	struct chan_call_priv *p = c->priv;
	int rx = recv_fd(c->ctl), conn;
	int ret;

	if (rx < 0)
		return rx;
	conn = recv_fd(c->ctl);
	if (conn < 0)
		return conn;
	ret = kipc_chan_duplex_open(&p->d, rx, conn);
	if (ret)
		bench_error(c->sh, "kipc_chan_duplex_open: %s", strerror(-ret));
	p->open = !ret;
	return ret;
}

/* Send message @seq on @tx, written in place. */
static int send_one(struct kipc_chan_tx *tx, size_t len, uint64_t seq,
		    int dir)
{
	struct kipc_chan_buf buf;
	int ret;

	ret = kipc_chan_loan_wait(tx, len, &buf, FOREVER);
	if (ret)
		return ret;
	payload_fill(buf.data, len, seq, dir);
	buf.len = (uint32_t)len;
	return kipc_chan_send(tx, &buf);
}

/* Receive message @seq from @rx; 0, -EPIPE at the end, -errno. */
static int recv_one(struct kipc_chan_rx *rx, size_t len, uint64_t seq,
		    int dir, bool *ok)
{
	struct kipc_chan_msg msg;
	int n;

	n = kipc_chan_recv_wait(rx, &msg, 1, FOREVER);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return n;
	*ok = msg.len == len && payload_check(msg.data, len, seq, dir);
	return kipc_chan_release(rx, &msg);
}

static int chan_serve(struct call_ctx *c, int idx)
{
	struct chan_call_priv *p = c->priv;
	struct acct *a = bench_acct(c->sh);
	uint64_t seq = bench_seq_base(idx);
	bool ok;
	int ret;

	for (;; seq++) {
		ret = recv_one(&p->d.rx, p->len, seq, DIR_REQ, &ok);
		if (ret == -EPIPE)
			return 0;	/* the client closed its end */
		if (ret)
			return ret;
		acct_add(a, c->size, ok);
		ret = send_one(&p->d.tx, p->len, seq, DIR_RESP);
		if (ret)
			return ret;
	}
}

static int chan_call(struct call_ctx *c, int idx, uint64_t seq)
{
	struct chan_call_priv *p = c->priv;
	bool ok = false;
	int ret;

	(void)idx;
	ret = send_one(&p->d.tx, p->len, seq, DIR_REQ);
	if (!ret)
		ret = recv_one(&p->d.rx, p->len, seq, DIR_RESP, &ok);
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
	struct chan_call_priv *p = c->priv;

	/* the only sender gone: the server's receive ends */
	kipc_chan_tx_close(&p->d.tx);
	p->tx_closed = true;
	return 0;
}

static void chan_call_teardown(struct call_ctx *c, bool server)
{
	struct chan_call_priv *p = c->priv;

	(void)server;
	if (!p)
		return;
	if (p->open && p->tx_closed)
		kipc_chan_rx_close(&p->d.rx);
	else if (p->open)
		kipc_chan_duplex_close(&p->d);
	if (p->k.fd >= 0)
		kipc_close(&p->k);
	free(p);
	c->priv = NULL;
}

/* ---- streams -------------------------------------------------------- */

struct chan_stream_priv {
	struct kipc k;
	int rx_fd, conn_fd;
	struct kipc_chan_rx rx;
	struct kipc_chan_tx tx;
	bool rx_open, tx_open;
};

static int chan_stream_setup(struct stream_ctx *s)
{
	struct chan_stream_priv *p = calloc(1, sizeof(*p));
	struct kipc_chan_params params;
	int ret;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	p->rx_fd = p->conn_fd = -1;
	ret = kipc_open(&p->k, 0);
	if (ret) {
		p->k.fd = -1;
		return ret;
	}
	params_for(&params, s->size);
	ret = kipc_chan_create(&p->k, &params, &p->rx_fd, &p->conn_fd);
	if (ret)
		bench_error(s->sh, "kipc_chan_create: %s", strerror(-ret));
	return ret;
}

static int chan_stream_recv(struct stream_ctx *s)
{
	struct chan_stream_priv *p = s->priv;
	struct acct *a = bench_acct(s->sh);
	struct kipc_chan_msg m[BATCH];
	unsigned int want = s->m->batched ? BATCH : 1;
	uint64_t seq = 1;
	int ret, n, i;

	/* only the sender connects */
	close(p->conn_fd);
	p->conn_fd = -1;
	ret = kipc_chan_rx_open(&p->rx, p->rx_fd);
	if (ret)
		return ret;
	p->rx_open = true;
	while (seq <= s->count) {
		n = kipc_chan_recv_wait(&p->rx, m, want, FOREVER);
		if (n == 0)
			return -EPIPE;	/* ended early */
		if (n < 0)
			return n;
		for (i = 0; i < n; i++, seq++)
			acct_add(a, s->size, m[i].len == s->size &&
				 payload_check(m[i].data, s->size, seq, DIR_REQ));
		ret = n == 1 ? kipc_chan_release(&p->rx, &m[0]) :
		      kipc_chan_release_batch(&p->rx, m, (unsigned int)n);
		if (ret)
			return ret;
	}
	return 0;
}

static int chan_stream_send(struct stream_ctx *s)
{
	struct chan_stream_priv *p = s->priv;
	struct kipc_chan_buf b[BATCH];
	struct kipc_chan_params params;
	uint64_t seq = 1, fit;
	unsigned int want, batch = BATCH;
	int ret, n, i;

	/*
	 * A batch is at most half the pool (large messages): the receiver
	 * reads one half while the sender writes the other.
	 */
	params_for(&params, s->size);
	fit = params.pool_size / (s->size < 64 ? 64 : s->size);
	if (fit / 2 < batch)
		batch = fit / 2 ? (unsigned int)(fit / 2) : 1;

	close(p->rx_fd);
	p->rx_fd = -1;
	ret = kipc_chan_connect(&p->tx, p->conn_fd);
	if (ret)
		return ret;
	p->tx_open = true;
	while (seq <= s->count) {
		if (!s->m->batched) {
			ret = send_one(&p->tx, s->size, seq++, DIR_REQ);
			if (ret)
				return ret;
			continue;
		}
		want = s->count - seq + 1 < batch ?
		       (unsigned int)(s->count - seq + 1) : batch;
		n = kipc_chan_loan_batch(&p->tx, s->size, b, want);
		if (n == -EAGAIN || n == 0) {
			/* the pool or the ring is full: wait for releases */
			ret = kipc_chan_tx_wait(&p->tx, FOREVER);
			if (ret && ret != -EAGAIN && ret != -EINTR)
				return ret;
			continue;
		}
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			payload_fill(b[i].data, s->size, seq + (uint64_t)i,
				     DIR_REQ);
			b[i].len = (uint32_t)s->size;
		}
		ret = kipc_chan_send_batch(&p->tx, b, (unsigned int)n);
		if (ret < 0)
			return ret;
		seq += (uint64_t)n;
	}
	return 0;
}

static void chan_stream_teardown(struct stream_ctx *s, bool receiver)
{
	struct chan_stream_priv *p = s->priv;

	(void)receiver;
	if (!p)
		return;
	if (p->rx_open)
		kipc_chan_rx_close(&p->rx);
	if (p->tx_open)
		kipc_chan_tx_close(&p->tx);
	if (p->rx_fd >= 0)
		close(p->rx_fd);
	if (p->conn_fd >= 0)
		close(p->conn_fd);
	if (p->k.fd >= 0)
		kipc_close(&p->k);
	free(p);
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
	.what = "kipc channel, loan/send/receive/release up to 16 messages at a time",
	.benches = CAN(BENCH_STREAM),
	.is_kipc = true,
	.probe = chan_probe,
	.stream_setup = chan_stream_setup,
	.stream_recv = chan_stream_recv,
	.stream_send = chan_stream_send,
	.stream_teardown = chan_stream_teardown,
	.batched = true,
};
