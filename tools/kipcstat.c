// SPDX-License-Identifier: GPL-2.0
/*
 * kipcstat: what kipc is doing, as ss(8) and ipcs(1) show sockets and IPC
 * objects.  Reads the generic netlink family "kipc" through libkipc's
 * statistics API.  See kipcstat.8.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kipc.h>

static const char usage[] =
"usage: kipcstat [-j] [-w SECONDS] [-p PID] [-n NAME]\n"
"       kipcstat -e [-j] [-p PID]\n"
"  -j          JSON (with -e or -w: one JSON object per line)\n"
"  -w SECONDS  show again every SECONDS seconds\n"
"  -e          follow events (needs CAP_SYS_ADMIN)\n"
"  -p PID      only the doors and channels of process PID\n"
"  -n NAME     only the doors whose name contains NAME\n"
"  -h          this help\n";

struct opts {
	bool json;
	bool events;
	unsigned int interval;
	long pid;		/* -1: any */
	const char *name;	/* NULL: any */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *const error_names[KIPC_STATS_NR_ERRORS] = {
	[KIPC_STATS_EBADF] = "ebadf",
	[KIPC_STATS_EINTR] = "eintr",
	[KIPC_STATS_ETIMEDOUT] = "etimedout",
	[KIPC_STATS_EAGAIN] = "eagain",
	[KIPC_STATS_ELIMIT] = "limit",
	[KIPC_STATS_EMFILE] = "emfile",
	[KIPC_STATS_EFAULT] = "efault",
	[KIPC_STATS_EOTHER] = "other",
};

/* A JSON string (door names are the only strings that come from users). */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void attrs_str(uint32_t a, char *buf)
{
	/* U unref, M unref-multi, P private, R revoked, u is-unref,
	 * D refuse-desc, C no-cancel, I no-prio-inherit
	 */
	char *p = buf;

	if (a & KIPC_DOOR_UNREF)
		*p++ = 'U';
	if (a & KIPC_DOOR_UNREF_MULTI)
		*p++ = 'M';
	if (a & KIPC_DOOR_PRIVATE)
		*p++ = 'P';
	if (a & KIPC_DOOR_REVOKED)
		*p++ = 'R';
	if (a & KIPC_DOOR_IS_UNREF)
		*p++ = 'u';
	if (a & KIPC_DOOR_REFUSE_DESC)
		*p++ = 'D';
	if (a & KIPC_DOOR_NO_CANCEL)
		*p++ = 'C';
	if (a & KIPC_DOOR_NO_PRIO_INHERIT)
		*p++ = 'I';
	if (p == buf)
		*p++ = '-';
	*p = 0;
}

/* Everything of one snapshot, doors and channels kept in arrays. */
struct snapshot {
	struct kipc_stats_global g;
	struct kipc_stats_hist h;
	struct kipc_stats_door *doors;
	size_t nr_doors, cap_doors;
	struct kipc_stats_chan *chans;
	size_t nr_chans, cap_chans;
	const struct opts *o;
};

static int keep_door(const struct kipc_stats_door *d, void *arg)
{
	struct snapshot *s = arg;

	if (s->o->pid >= 0 && d->pid != (uint32_t)s->o->pid)
		return 0;
	if (s->o->name && !strstr(d->name, s->o->name))
		return 0;
	if (s->nr_doors == s->cap_doors) {
		size_t cap = s->cap_doors ? 2 * s->cap_doors : 64;
		void *p = realloc(s->doors, cap * sizeof(*s->doors));

		if (!p)
			return -ENOMEM;
		s->doors = p;
		s->cap_doors = cap;
	}
	s->doors[s->nr_doors++] = *d;
	return 0;
}

static int keep_chan(const struct kipc_stats_chan *c, void *arg)
{
	struct snapshot *s = arg;
	bool match = s->o->pid < 0 || c->pid == (uint32_t)s->o->pid;

	for (unsigned int i = 0; !match && i < c->nr_endpoints; i++)
		match = c->endpoints[i].pid == (uint32_t)s->o->pid;
	/* Channels have no names: a name filter leaves none. */
	if (!match || s->o->name)
		return 0;
	if (s->nr_chans == s->cap_chans) {
		size_t cap = s->cap_chans ? 2 * s->cap_chans : 16;
		void *p = realloc(s->chans, cap * sizeof(*s->chans));

		if (!p)
			return -ENOMEM;
		s->chans = p;
		s->cap_chans = cap;
	}
	s->chans[s->nr_chans++] = *c;
	return 0;
}

static int take(struct kipc_stats *st, struct snapshot *s)
{
	int ret;

	s->nr_doors = 0;
	s->nr_chans = 0;
	ret = kipc_stats_global(st, &s->g);
	if (!ret)
		ret = kipc_stats_hist(st, &s->h);
	if (!ret)
		ret = kipc_stats_doors(st, keep_door, s);
	if (!ret)
		ret = kipc_stats_chans(st, keep_chan, s);
	return ret;
}

static void print_json(const struct snapshot *s, bool oneline)
{
	const struct kipc_stats_global *g = &s->g;
	const char *nl = oneline ? "" : "\n";
	const char *in = oneline ? "" : "  ";
	const char *in2 = oneline ? "" : "    ";
	size_t i;
	int b;

	printf("{%s%s\"global\": {", nl, in);
#define N(name, v) printf("%s%s\"%s\": %" PRIu64, nl, in2, name, (uint64_t)(v))
	printf("%s%s\"enabled\": %s,", nl, in2, g->enabled ? "true" : "false");
	N("contexts", g->contexts); putchar(',');
	N("door_created", g->door_created); putchar(',');
	N("door_live", g->door_live); putchar(',');
	N("door_calls", g->door_calls); putchar(',');
	N("door_errors", g->door_errors_total); putchar(',');
	printf("%s%s\"door_errors_by_kind\": {", nl, in2);
	for (b = 0; b < KIPC_STATS_NR_ERRORS; b++)
		printf("%s\"%s\": %" PRIu64, b ? ", " : "", error_names[b],
		       g->door_errors[b]);
	putchar('}');
	putchar(',');
	N("door_bytes_in", g->door_bytes_in); putchar(',');
	N("door_bytes_out", g->door_bytes_out); putchar(',');
	N("door_handoffs", g->door_handoffs); putchar(',');
	N("door_queued", g->door_queued); putchar(',');
	N("door_depletions", g->door_depletions); putchar(',');
	N("door_unrefs", g->door_unrefs); putchar(',');
	N("chan_created", g->chan_created); putchar(',');
	N("chan_live", g->chan_live); putchar(',');
	N("chan_messages", g->chan_messages); putchar(',');
	N("chan_bytes", g->chan_bytes); putchar(',');
	N("chan_waits", g->chan_waits); putchar(',');
	N("chan_wakeups", g->chan_wakeups); putchar(',');
	N("chan_memory", g->chan_memory); putchar(',');
	N("chan_memory_user", g->chan_memory_user); putchar(',');
	N("chan_memory_limit", g->chan_memory_limit); putchar(',');
	N("events_dropped", g->events_dropped);
#undef N
	printf("%s%s},%s%s\"doors\": [", nl, in, nl, in);
	for (i = 0; i < s->nr_doors; i++) {
		const struct kipc_stats_door *d = &s->doors[i];

		printf("%s%s%s{\"id\": %" PRIu64 ", \"pid\": %u, \"uid\": %u, "
		       "\"attributes\": %u, \"calls\": %" PRIu64
		       ", \"errors\": %" PRIu64 ", \"bytes_in\": %" PRIu64
		       ", \"bytes_out\": %" PRIu64 ", \"active\": %u, "
		       "\"threads\": %u, \"idle_threads\": %u, \"name\": ",
		       i ? "," : "", nl, in2, d->id, d->pid, d->uid,
		       d->attributes, d->calls, d->errors, d->bytes_in,
		       d->bytes_out, d->active, d->threads, d->idle_threads);
		json_str(d->name);
		putchar('}');
	}
	printf("%s%s],%s%s\"channels\": [", i ? nl : "", i ? in : "", nl, in);
	for (i = 0; i < s->nr_chans; i++) {
		const struct kipc_stats_chan *c = &s->chans[i];

		printf("%s%s%s{\"id\": %" PRIu64 ", \"pid\": %u, \"uid\": %u, "
		       "\"senders\": %u, \"live_senders\": %u, \"depth\": %u, "
		       "\"messages\": %" PRIu64 ", \"bytes\": %" PRIu64
		       ", \"rx_waits\": %" PRIu64 ", \"tx_waits\": %" PRIu64
		       ", \"rx_wakeups\": %" PRIu64 ", \"tx_wakeups\": %" PRIu64
		       ", \"empty\": %" PRIu64 ", \"full\": %" PRIu64
		       ", \"connects\": %" PRIu64 ", \"memory\": %" PRIu64
		       ", \"rx_closed\": %s, \"endpoints\": [",
		       i ? "," : "", nl, in2, c->id, c->pid, c->uid,
		       c->senders, c->live_senders, c->depth, c->messages,
		       c->bytes, c->rx_waits, c->tx_waits, c->rx_wakeups,
		       c->tx_wakeups, c->empty, c->full, c->connects,
		       c->memory, c->rx_closed ? "true" : "false");
		for (unsigned int e = 0; e < c->nr_endpoints; e++)
			printf("%s{\"role\": \"%s\", \"pid\": %u}",
			       e ? ", " : "",
			       c->endpoints[e].role == KIPC_STATS_RECEIVER ?
			       "receiver" : "sender", c->endpoints[e].pid);
		printf("]}");
	}
	printf("%s%s],%s%s\"histogram\": {\"count\": %" PRIu64
	       ", \"sum_ns\": %" PRIu64 ", \"buckets\": [",
	       i ? nl : "", i ? in : "", nl, in, s->h.count, s->h.sum_ns);
	for (b = 0, i = 0; b < KIPC_STATS_HIST_BUCKETS; b++) {
		if (!s->h.buckets[b])
			continue;
		printf("%s{\"log2\": %d, \"count\": %" PRIu64 "}",
		       i++ ? ", " : "", b, s->h.buckets[b]);
	}
	printf("]}%s}\n", nl);
}

static const char *dur(int log2, char *buf, size_t len)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	uint64_t v = 1ULL << log2;
	int u = 0;

	while (v >= 1000 && u < 3) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%s", v, unit[u]);
	return buf;
}

static void print_table(const struct snapshot *s)
{
	const struct kipc_stats_global *g = &s->g;
	uint64_t max = 0;
	size_t i;
	int b;

	printf("kipc: %" PRIu64 " contexts, counting %s\n", g->contexts,
	       g->enabled ? "on" : "off (module parameter stats=N)");
	printf("doors: %" PRIu64 " live, %" PRIu64 " created; calls %" PRIu64
	       ", errors %" PRIu64, g->door_live, g->door_created,
	       g->door_calls, g->door_errors_total);
	if (g->door_errors_total) {
		const char *sep = " (";

		for (b = 0; b < KIPC_STATS_NR_ERRORS; b++)
			if (g->door_errors[b]) {
				printf("%s%s %" PRIu64, sep, error_names[b],
				       g->door_errors[b]);
				sep = ", ";
			}
		putchar(')');
	}
	printf("\n       bytes in %" PRIu64 ", out %" PRIu64 "; handoffs %"
	       PRIu64 ", queued %" PRIu64 ", depletions %" PRIu64
	       ", unreferenced %" PRIu64 "\n", g->door_bytes_in,
	       g->door_bytes_out, g->door_handoffs, g->door_queued,
	       g->door_depletions, g->door_unrefs);
	printf("channels: %" PRIu64 " live, %" PRIu64 " created; messages %"
	       PRIu64 ", bytes %" PRIu64 ", waits %" PRIu64 ", wakeups %"
	       PRIu64 "\n          memory %" PRIu64 " (yours %" PRIu64
	       ", limit %" PRIu64 ")\n", g->chan_live, g->chan_created,
	       g->chan_messages, g->chan_bytes, g->chan_waits,
	       g->chan_wakeups, g->chan_memory, g->chan_memory_user,
	       g->chan_memory_limit);
	if (g->events_dropped)
		printf("events dropped: %" PRIu64 "\n", g->events_dropped);

	printf("\n%-8s %7s %6s %-5s %10s %8s %12s %12s %6s %7s %5s %s\n",
	       "DOOR", "PID", "UID", "ATTR", "CALLS", "ERRORS", "BYTES-IN",
	       "BYTES-OUT", "ACTIVE", "THREADS", "IDLE", "NAME");
	for (i = 0; i < s->nr_doors; i++) {
		const struct kipc_stats_door *d = &s->doors[i];
		char a[16];

		attrs_str(d->attributes, a);
		printf("%-8" PRIu64 " %7u %6u %-5s %10" PRIu64 " %8" PRIu64
		       " %12" PRIu64 " %12" PRIu64 " %6u %7u %5u %s\n",
		       d->id, d->pid, d->uid, a, d->calls, d->errors,
		       d->bytes_in, d->bytes_out, d->active, d->threads,
		       d->idle_threads, d->name[0] ? d->name : "-");
	}
	printf("\n%-8s %7s %6s %7s %5s %10s %12s %10s %s\n", "CHANNEL", "PID",
	       "UID", "SENDERS", "DEPTH", "MESSAGES", "BYTES", "MEMORY",
	       "ENDPOINTS");
	for (i = 0; i < s->nr_chans; i++) {
		const struct kipc_stats_chan *c = &s->chans[i];

		printf("%-8" PRIu64 " %7u %6u %3u/%-3u %5u %10" PRIu64 " %12"
		       PRIu64 " %10" PRIu64 " ", c->id, c->pid, c->uid,
		       c->live_senders, c->senders, c->depth, c->messages,
		       c->bytes, c->memory);
		for (unsigned int e = 0; e < c->nr_endpoints; e++)
			printf("%s%c:%u", e ? "," : "",
			       c->endpoints[e].role == KIPC_STATS_RECEIVER ?
			       'r' : 's', c->endpoints[e].pid);
		printf("%s\n", c->rx_closed ? " (receiver closed)" : "");
	}

	printf("\ndoor call round trips: %" PRIu64 " calls", s->h.count);
	if (s->h.count)
		printf(", mean %" PRIu64 " ns", s->h.sum_ns / s->h.count);
	putchar('\n');
	for (b = 0; b < KIPC_STATS_HIST_BUCKETS; b++)
		if (s->h.buckets[b] > max)
			max = s->h.buckets[b];
	for (b = 0; b < KIPC_STATS_HIST_BUCKETS; b++) {
		char lo[16], hi[16];
		int bar;

		if (!s->h.buckets[b])
			continue;
		bar = (int)(s->h.buckets[b] * 40 / max);
		printf("  %6s .. %-6s %10" PRIu64 " %.*s\n",
		       dur(b, lo, sizeof(lo)), dur(b + 1, hi, sizeof(hi)),
		       s->h.buckets[b], bar ? bar : 1,
		       "########################################");
	}
}

static int follow_events(struct kipc_stats *st, const struct opts *o)
{
	struct kipc_stats_event ev;
	int ret;

	ret = kipc_stats_subscribe(st);
	if (ret) {
		fprintf(stderr, "kipcstat: cannot follow events: %s%s\n",
			strerror(-ret),
			ret == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return 1;
	}
	while (!stop) {
		ret = kipc_stats_event(st, &ev, 500);
		if (ret == -ETIMEDOUT || ret == -EINTR)
			continue;
		if (ret) {
			fprintf(stderr, "kipcstat: %s\n", strerror(-ret));
			if (ret == -ENOBUFS)
				continue;	/* events were lost */
			return 1;
		}
		if (o->pid >= 0 && ev.pid != (uint32_t)o->pid)
			continue;
		if (o->json)
			printf("{\"event\": \"%s\", \"pid\": %u, \"door_id\": %"
			       PRIu64 ", \"chan_id\": %" PRIu64
			       ", \"attributes\": %u}\n",
			       kipc_stats_event_name(ev.type), ev.pid,
			       ev.door_id, ev.chan_id, ev.attributes);
		else if (ev.chan_id)
			printf("%-18s channel %" PRIu64 " pid %u\n",
			       kipc_stats_event_name(ev.type), ev.chan_id,
			       ev.pid);
		else
			printf("%-18s door %" PRIu64 " pid %u attributes %#x\n",
			       kipc_stats_event_name(ev.type), ev.door_id,
			       ev.pid, ev.attributes);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .pid = -1 };
	struct snapshot snap = { .o = &o };
	struct kipc_stats *st;
	char *end;
	int c, ret;

	while ((c = getopt(argc, argv, "jew:p:n:h")) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'e':
			o.events = true;
			break;
		case 'w':
			o.interval = strtoul(optarg, &end, 10);
			if (*end || !o.interval) {
				fprintf(stderr, "kipcstat: bad -w %s\n", optarg);
				return 2;
			}
			break;
		case 'p':
			o.pid = strtol(optarg, &end, 10);
			if (*end || o.pid < 0) {
				fprintf(stderr, "kipcstat: bad -p %s\n", optarg);
				return 2;
			}
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}

	ret = kipc_stats_open(&st);
	if (ret) {
		fprintf(stderr, "kipcstat: %s%s\n", strerror(-ret),
			ret == -ENOENT ? " (is kipc.ko loaded?)" : "");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o.events) {
		ret = follow_events(st, &o);
		kipc_stats_close(st);
		return ret;
	}
	for (;;) {
		ret = take(st, &snap);
		if (ret) {
			fprintf(stderr, "kipcstat: %s\n", strerror(-ret));
			break;
		}
		if (o.json) {
			print_json(&snap, o.interval);
		} else {
			if (o.interval) {
				time_t now = time(NULL);

				printf("--- %s", ctime(&now));
			}
			print_table(&snap);
		}
		fflush(stdout);
		if (!o.interval || stop)
			break;
		sleep(o.interval);
		if (stop)
			break;
		if (!o.json)
			putchar('\n');
	}
	free(snap.doors);
	free(snap.chans);
	kipc_stats_close(st);
	return ret ? 1 : 0;
}
