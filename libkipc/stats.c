// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: kipc's statistics over the generic netlink family "kipc", with
 * libnl-3 and libnl-genl-3 (the attributes are those of
 * <linux/kipc_stats.h>, generated from Documentation/netlink/specs/kipc.yaml).
 *
 * A connection has two sockets: one for requests and their replies, one
 * for events, so that events never arrive in the middle of a dump.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/kipc_stats.h>

#include "kipc_stats.h"

/* Events received but not yet handed out by kipc_stats_event(). */
#define KIPC_STATS_EVQ	64

struct kipc_stats {
	struct nl_sock *sk;
	struct nl_sock *ev;
	int family;
	struct kipc_stats_event evq[KIPC_STATS_EVQ];
	unsigned int evq_head, evq_len;
};

/* libnl's error codes, as -errno. */
static int kipc_stats__errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NODEV:
		return -ENODEV;
	default:
		return -EIO;
	}
}

static struct nl_sock *kipc_stats__socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return NULL;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

int kipc_stats_open(struct kipc_stats **out)
{
	struct kipc_stats *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = -ENOMEM;
	s->sk = kipc_stats__socket();
	if (!s->sk)
		goto err;
	/* A reply or an error answers each request: no ACK to wait for. */
	nl_socket_disable_auto_ack(s->sk);
	s->family = genl_ctrl_resolve(s->sk, KIPC_FAMILY_NAME);
	if (s->family < 0) {
		ret = kipc_stats__errno(s->family);
		goto err;
	}
	*out = s;
	return 0;
err:
	kipc_stats_close(s);
	return ret;
}

void kipc_stats_close(struct kipc_stats *s)
{
	if (!s)
		return;
	if (s->sk)
		nl_socket_free(s->sk);
	if (s->ev)
		nl_socket_free(s->ev);
	free(s);
}

/* Attribute values, 0 when absent or malformed. */
static uint64_t kipc_stats__u64(const struct nlattr *a)
{
	return a && nla_len(a) >= 8 ? nla_get_u64((struct nlattr *)a) : 0;
}

static uint32_t kipc_stats__u32(const struct nlattr *a)
{
	return a && nla_len(a) >= 4 ? nla_get_u32((struct nlattr *)a) : 0;
}

/* One request and its replies, each handed to @parse. */
struct kipc_stats_req {
	int (*parse)(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
	void *arg;
	int maxattr;
	int error;	/* the kernel's, or the first nonzero from @parse */
};

static int kipc_stats__valid(struct nl_msg *msg, void *arg)
{
	struct kipc_stats_req *r = arg;
	struct nlattr *tb[r->maxattr + 1];
	int ret;

	/* Once the caller stopped, the rest of a dump is read and dropped. */
	if (r->error)
		return NL_SKIP;
	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, r->maxattr, NULL);
	if (ret) {
		r->error = kipc_stats__errno(ret);
		return NL_SKIP;
	}
	r->error = r->parse(nlmsg_hdr(msg), tb, r->arg);
	return NL_OK;
}

static int kipc_stats__err(struct sockaddr_nl *nla, struct nlmsgerr *e,
			   void *arg)
{
	struct kipc_stats_req *r = arg;

	(void)nla;
	if (!r->error)
		r->error = e->error;
	return NL_STOP;
}

static int kipc_stats__request(struct kipc_stats *s, uint8_t cmd, bool dump,
			       int id_attr, uint64_t id,
			       struct kipc_stats_req *r)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	cb = nl_cb_clone(nl_socket_get_cb(s->sk));
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s->family, 0,
			 dump ? NLM_F_DUMP : 0, cmd, KIPC_FAMILY_VERSION))
		goto out;
	if (id_attr && nla_put_u64(msg, id_attr, id))
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kipc_stats__valid, r);
	nl_cb_err(cb, NL_CB_CUSTOM, kipc_stats__err, r);
	r->error = 0;
	ret = nl_send_auto(s->sk, msg);
	if (ret < 0) {
		ret = kipc_stats__errno(ret);
		goto out;
	}
	ret = nl_recvmsgs(s->sk, cb);
	if (r->error)
		ret = r->error;
	else if (ret < 0)
		ret = kipc_stats__errno(ret);
	else
		ret = 0;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static int kipc_stats__parse_global(struct nlmsghdr *nlh, struct nlattr **tb,
				    void *arg)
{
	static const int err_attr[KIPC_STATS_NR_ERRORS] = {
		[KIPC_STATS_EBADF]	= KIPC_A_ERRORS_EBADF,
		[KIPC_STATS_EINTR]	= KIPC_A_ERRORS_EINTR,
		[KIPC_STATS_ETIMEDOUT]	= KIPC_A_ERRORS_ETIMEDOUT,
		[KIPC_STATS_EAGAIN]	= KIPC_A_ERRORS_EAGAIN,
		[KIPC_STATS_ELIMIT]	= KIPC_A_ERRORS_LIMIT,
		[KIPC_STATS_EMFILE]	= KIPC_A_ERRORS_EMFILE,
		[KIPC_STATS_EFAULT]	= KIPC_A_ERRORS_EFAULT,
		[KIPC_STATS_EOTHER]	= KIPC_A_ERRORS_OTHER,
	};
	struct kipc_stats_global *g = arg;

	(void)nlh;
	memset(g, 0, sizeof(*g));
	g->enabled = tb[KIPC_A_STATS_ENABLED] &&
		     nla_get_u8(tb[KIPC_A_STATS_ENABLED]);
#define GET(member, attr) \
	(g->member = kipc_stats__u64(tb[KIPC_A_STATS_##attr]))
	GET(contexts, CONTEXTS);
	GET(door_created, DOOR_CREATED);
	GET(door_live, DOOR_LIVE);
	GET(door_calls, DOOR_CALLS);
	GET(door_bytes_in, DOOR_BYTES_IN);
	GET(door_bytes_out, DOOR_BYTES_OUT);
	GET(door_handoffs, DOOR_HANDOFFS);
	GET(door_queued, DOOR_QUEUED);
	GET(door_depletions, DOOR_DEPLETIONS);
	GET(door_unrefs, DOOR_UNREFS);
	GET(chan_created, CHAN_CREATED);
	GET(chan_live, CHAN_LIVE);
	GET(chan_messages, CHAN_MESSAGES);
	GET(chan_bytes, CHAN_BYTES);
	GET(chan_waits, CHAN_WAITS);
	GET(chan_wakeups, CHAN_WAKEUPS);
	GET(chan_memory, CHAN_MEMORY);
	GET(chan_memory_user, CHAN_MEMORY_USER);
	GET(chan_memory_limit, CHAN_MEMORY_LIMIT);
	GET(events_dropped, EVENTS_DROPPED);
#undef GET
	if (tb[KIPC_A_STATS_DOOR_ERRORS]) {
		struct nlattr *e[KIPC_A_ERRORS_MAX + 1];
		int i;

		if (nla_parse_nested(e, KIPC_A_ERRORS_MAX,
				     tb[KIPC_A_STATS_DOOR_ERRORS], NULL))
			return -EPROTO;
		for (i = 0; i < KIPC_STATS_NR_ERRORS; i++) {
			g->door_errors[i] = kipc_stats__u64(e[err_attr[i]]);
			g->door_errors_total += g->door_errors[i];
		}
	}
	return 0;
}

int kipc_stats_global(struct kipc_stats *s, struct kipc_stats_global *g)
{
	struct kipc_stats_req r = {
		.parse = kipc_stats__parse_global, .arg = g,
		.maxattr = KIPC_A_STATS_MAX,
	};

	return kipc_stats__request(s, KIPC_CMD_STATS_GET, false, 0, 0, &r);
}

/* Each attribute of type @type of the message: multi-attrs. */
#define kipc_stats__for_each(a, nlh, rem)				\
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),	\
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)

static int kipc_stats__parse_hist(struct nlmsghdr *nlh, struct nlattr **tb,
				  void *arg)
{
	struct nlattr *a, *b[KIPC_A_BUCKET_MAX + 1];
	struct kipc_stats_hist *h = arg;
	int rem;

	memset(h, 0, sizeof(*h));
	h->count = kipc_stats__u64(tb[KIPC_A_HIST_COUNT]);
	h->sum_ns = kipc_stats__u64(tb[KIPC_A_HIST_SUM_NS]);
	kipc_stats__for_each(a, nlh, rem) {
		uint32_t log2;

		if (nla_type(a) != KIPC_A_HIST_BUCKET)
			continue;
		if (nla_parse_nested(b, KIPC_A_BUCKET_MAX, a, NULL))
			return -EPROTO;
		log2 = kipc_stats__u32(b[KIPC_A_BUCKET_LOG2]);
		if (log2 < KIPC_STATS_HIST_BUCKETS)
			h->buckets[log2] = kipc_stats__u64(b[KIPC_A_BUCKET_COUNT]);
	}
	return 0;
}

int kipc_stats_hist(struct kipc_stats *s, struct kipc_stats_hist *h)
{
	struct kipc_stats_req r = {
		.parse = kipc_stats__parse_hist, .arg = h,
		.maxattr = KIPC_A_HIST_MAX,
	};

	return kipc_stats__request(s, KIPC_CMD_HIST_GET, false, 0, 0, &r);
}

static void kipc_stats__door_of(struct nlattr **tb, struct kipc_stats_door *d)
{
	memset(d, 0, sizeof(*d));
	d->id = kipc_stats__u64(tb[KIPC_A_DOOR_ID]);
	d->pid = kipc_stats__u32(tb[KIPC_A_DOOR_PID]);
	d->uid = kipc_stats__u32(tb[KIPC_A_DOOR_UID]);
	d->attributes = kipc_stats__u32(tb[KIPC_A_DOOR_ATTRIBUTES]);
	d->calls = kipc_stats__u64(tb[KIPC_A_DOOR_CALLS]);
	d->errors = kipc_stats__u64(tb[KIPC_A_DOOR_ERRORS]);
	d->bytes_in = kipc_stats__u64(tb[KIPC_A_DOOR_BYTES_IN]);
	d->bytes_out = kipc_stats__u64(tb[KIPC_A_DOOR_BYTES_OUT]);
	d->active = kipc_stats__u32(tb[KIPC_A_DOOR_ACTIVE]);
	d->threads = kipc_stats__u32(tb[KIPC_A_DOOR_THREADS]);
	d->idle_threads = kipc_stats__u32(tb[KIPC_A_DOOR_IDLE_THREADS]);
	if (tb[KIPC_A_DOOR_NAME])
		nla_strlcpy(d->name, tb[KIPC_A_DOOR_NAME], sizeof(d->name));
}

static int kipc_stats__parse_door(struct nlmsghdr *nlh, struct nlattr **tb,
				  void *arg)
{
	(void)nlh;
	kipc_stats__door_of(tb, arg);
	return 0;
}

int kipc_stats_door(struct kipc_stats *s, uint64_t id,
		    struct kipc_stats_door *door)
{
	struct kipc_stats_req r = {
		.parse = kipc_stats__parse_door, .arg = door,
		.maxattr = KIPC_A_DOOR_MAX,
	};

	return kipc_stats__request(s, KIPC_CMD_DOOR_GET, false,
				   KIPC_A_DOOR_ID, id, &r);
}

struct kipc_stats_iter {
	kipc_stats_door_fn door_fn;
	kipc_stats_chan_fn chan_fn;
	void *arg;
};

static int kipc_stats__each_door(struct nlmsghdr *nlh, struct nlattr **tb,
				 void *arg)
{
	struct kipc_stats_iter *it = arg;
	struct kipc_stats_door d;

	(void)nlh;
	kipc_stats__door_of(tb, &d);
	return it->door_fn(&d, it->arg);
}

int kipc_stats_doors(struct kipc_stats *s, kipc_stats_door_fn fn, void *arg)
{
	struct kipc_stats_iter it = { .door_fn = fn, .arg = arg };
	struct kipc_stats_req r = {
		.parse = kipc_stats__each_door, .arg = &it,
		.maxattr = KIPC_A_DOOR_MAX,
	};

	return kipc_stats__request(s, KIPC_CMD_DOOR_GET, true, 0, 0, &r);
}

static int kipc_stats__each_chan(struct nlmsghdr *nlh, struct nlattr **tb,
				 void *arg)
{
	struct nlattr *a, *e[KIPC_A_ENDPOINT_MAX + 1];
	struct kipc_stats_iter *it = arg;
	struct kipc_stats_chan *c;
	int rem, ret;

	/* Too big for the stack of a callback of a callback. */
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->id = kipc_stats__u64(tb[KIPC_A_CHAN_ID]);
	c->pid = kipc_stats__u32(tb[KIPC_A_CHAN_PID]);
	c->uid = kipc_stats__u32(tb[KIPC_A_CHAN_UID]);
	c->senders = kipc_stats__u32(tb[KIPC_A_CHAN_SENDERS]);
	c->live_senders = kipc_stats__u32(tb[KIPC_A_CHAN_LIVE_SENDERS]);
	c->depth = kipc_stats__u32(tb[KIPC_A_CHAN_DEPTH]);
	c->messages = kipc_stats__u64(tb[KIPC_A_CHAN_MESSAGES]);
	c->bytes = kipc_stats__u64(tb[KIPC_A_CHAN_BYTES]);
	c->rx_waits = kipc_stats__u64(tb[KIPC_A_CHAN_RX_WAITS]);
	c->tx_waits = kipc_stats__u64(tb[KIPC_A_CHAN_TX_WAITS]);
	c->rx_wakeups = kipc_stats__u64(tb[KIPC_A_CHAN_RX_WAKEUPS]);
	c->tx_wakeups = kipc_stats__u64(tb[KIPC_A_CHAN_TX_WAKEUPS]);
	c->empty = kipc_stats__u64(tb[KIPC_A_CHAN_EMPTY]);
	c->full = kipc_stats__u64(tb[KIPC_A_CHAN_FULL]);
	c->connects = kipc_stats__u64(tb[KIPC_A_CHAN_CONNECTS]);
	c->memory = kipc_stats__u64(tb[KIPC_A_CHAN_MEMORY]);
	c->rx_closed = tb[KIPC_A_CHAN_RX_CLOSED] &&
		       nla_get_u8(tb[KIPC_A_CHAN_RX_CLOSED]);
	kipc_stats__for_each(a, nlh, rem) {
		if (nla_type(a) != KIPC_A_CHAN_ENDPOINT ||
		    c->nr_endpoints == KIPC_STATS_MAX_ENDPOINTS)
			continue;
		if (nla_parse_nested(e, KIPC_A_ENDPOINT_MAX, a, NULL)) {
			free(c);
			return -EPROTO;
		}
		c->endpoints[c->nr_endpoints].role =
			kipc_stats__u32(e[KIPC_A_ENDPOINT_ROLE]);
		c->endpoints[c->nr_endpoints].pid =
			kipc_stats__u32(e[KIPC_A_ENDPOINT_PID]);
		c->nr_endpoints++;
	}
	ret = it->chan_fn(c, it->arg);
	free(c);
	return ret;
}

int kipc_stats_chans(struct kipc_stats *s, kipc_stats_chan_fn fn, void *arg)
{
	struct kipc_stats_iter it = { .chan_fn = fn, .arg = arg };
	struct kipc_stats_req r = {
		.parse = kipc_stats__each_chan, .arg = &it,
		.maxattr = KIPC_A_CHAN_MAX,
	};

	return kipc_stats__request(s, KIPC_CMD_CHAN_GET, true, 0, 0, &r);
}

/* Events */

int kipc_stats_subscribe(struct kipc_stats *s)
{
	int grp, ret;

	if (s->ev)
		return 0;
	s->ev = kipc_stats__socket();
	if (!s->ev)
		return -ENOMEM;
	/* Multicast messages carry no sequence number of ours. */
	nl_socket_disable_seq_check(s->ev);
	grp = genl_ctrl_resolve_grp(s->sk, KIPC_FAMILY_NAME, KIPC_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(s->ev, grp);
	if (!ret)
		ret = nl_socket_set_nonblocking(s->ev);
	if (ret < 0) {
		nl_socket_free(s->ev);
		s->ev = NULL;
		return kipc_stats__errno(ret);
	}
	return 0;
}

int kipc_stats_event_fd(struct kipc_stats *s)
{
	return s->ev ? nl_socket_get_fd(s->ev) : -EBADF;
}

static int kipc_stats__event_valid(struct nl_msg *msg, void *arg)
{
	struct kipc_stats *s = arg;
	struct nlattr *tb[KIPC_A_EVENT_MAX + 1];
	struct kipc_stats_event *ev;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (genlmsg_hdr(nlh)->cmd != KIPC_CMD_EVENT ||
	    genlmsg_parse(nlh, 0, tb, KIPC_A_EVENT_MAX, NULL))
		return NL_SKIP;
	if (s->evq_len == KIPC_STATS_EVQ)
		return NL_SKIP;
	ev = &s->evq[(s->evq_head + s->evq_len++) % KIPC_STATS_EVQ];
	memset(ev, 0, sizeof(*ev));
	ev->type = kipc_stats__u32(tb[KIPC_A_EVENT_TYPE]);
	ev->pid = kipc_stats__u32(tb[KIPC_A_EVENT_PID]);
	ev->door_id = kipc_stats__u64(tb[KIPC_A_EVENT_DOOR_ID]);
	ev->chan_id = kipc_stats__u64(tb[KIPC_A_EVENT_CHAN_ID]);
	ev->attributes = kipc_stats__u32(tb[KIPC_A_EVENT_ATTRIBUTES]);
	return NL_OK;
}

int kipc_stats_event(struct kipc_stats *s, struct kipc_stats_event *ev,
		     int timeout_ms)
{
	struct pollfd pfd;
	struct nl_cb *cb;
	int ret;

	if (!s->ev)
		return -EBADF;
	cb = nl_cb_clone(nl_socket_get_cb(s->ev));
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kipc_stats__event_valid, s);
	while (!s->evq_len) {
		pfd.fd = nl_socket_get_fd(s->ev);
		pfd.events = POLLIN;
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0) {
			ret = -errno;
			goto out;
		}
		if (!ret) {
			ret = -ETIMEDOUT;
			goto out;
		}
		ret = nl_recvmsgs(s->ev, cb);
		/* Nothing after all, or overrun: events were lost. */
		if (ret < 0 && ret != -NLE_AGAIN) {
			ret = kipc_stats__errno(ret);
			if (ret == -ENOMEM)
				ret = -ENOBUFS;
			goto out;
		}
	}
	*ev = s->evq[s->evq_head];
	s->evq_head = (s->evq_head + 1) % KIPC_STATS_EVQ;
	s->evq_len--;
	ret = 0;
out:
	nl_cb_put(cb);
	return ret;
}

const char *kipc_stats_event_name(uint32_t type)
{
	static const char *const names[] = {
		[KIPC_EVENT_TYPE_DOOR_CREATED]		= "door-created",
		[KIPC_EVENT_TYPE_DOOR_REVOKED]		= "door-revoked",
		[KIPC_EVENT_TYPE_DOOR_UNREFERENCED]	= "door-unreferenced",
		[KIPC_EVENT_TYPE_DOOR_SERVER_DIED]	= "door-server-died",
		[KIPC_EVENT_TYPE_POOL_DEPLETED]		= "pool-depleted",
		[KIPC_EVENT_TYPE_CHAN_CREATED]		= "chan-created",
		[KIPC_EVENT_TYPE_CHAN_PEER_CLOSED]	= "chan-peer-closed",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}
