// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc against the mechanisms a user would pick instead,
 * side by side in one run.  See Documentation/kipc/performance.rst.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

struct opts opts = {
	.target_s = 0.3,
	.rounds = 5,
};

static const char *const names[NR_BENCH] = {
	[BENCH_RTT] = "rtt",
	[BENCH_STREAM] = "stream",
	[BENCH_SCALE] = "scale",
	[BENCH_STATS] = "stats",
};

const char *bench_name(enum bench_kind b)
{
	return b < NR_BENCH ? names[b] : "?";
}

int bench_from_name(const char *name)
{
	int b;

	for (b = 0; b < NR_BENCH; b++)
		if (!strcmp(name, names[b]))
			return b;
	return -1;
}

static const size_t rtt_sizes[] = { 0, 64, 4096, 65536, 1u << 20 };
static const size_t stream_sizes[] = { 64, 4096, 1u << 20 };
static const int scale_threads[] = { 1, 2, 4, 8 };
#define N(a)	(sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
	fprintf(f,
"usage: kipc-bench [options]\n"
"  --quick            short runs (a smoke test; figures are rough)\n"
"  --time SECONDS     measured time per figure and round (default 0.3;\n"
"                     --quick 0.02)\n"
"  --rounds N         passes over all cases, the best figure of each kept\n"
"                     (default 5; --quick 1)\n"
"  --bench LIST       rtt,stream,scale,stats (default: all)\n"
"  --impl LIST        mechanisms to run (default: all; see --list)\n"
"  --json             one JSON object per line (per figure)\n"
"  --csv              CSV\n"
"  --raise-limits     raise system limits that cap message sizes\n"
"                     (SysV msgmax/msgmnb, socket buffers, mqueue sizes);\n"
"                     meant for throw-away guests\n"
"  --timeout SECONDS  per case, before it is declared hung\n"
"  --render FILE      print FILE (earlier --json output) as tables, or\n"
"                     with --csv/--json as CSV/JSON, without measuring\n"
"  --list             the mechanisms and what each measures\n");
}

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (!list)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static void list_mechs(void)
{
	const struct mech *const *m;
	int b;

	for (m = mechs; *m; m++) {
		printf("%-18s", (*m)->name);
		for (b = 0; b < NR_BENCH; b++)
			printf(" %-6s", (*m)->benches & CAN(b) ? names[b] : "");
		printf("  %s\n", (*m)->what);
	}
}

/* One figure to measure. */
struct bcase {
	const struct mech *m;
	enum bench_kind b;
	size_t size;
	int threads;
	bool stats;
};

static struct bcase *cases;

/* Every case the options select, in the order of the output. */
static int plan(const char *bench_list, const char *impl_list)
{
	const struct mech *const *m;
	int n = 0, cap = 0, b;
	size_t i, k, nk;

#define PLAN(mm, bb, sz, th, st)	do {				\
		if (n == cap) {						\
			cap = cap ? cap * 2 : 128;			\
			cases = realloc(cases, (size_t)cap * sizeof(*cases)); \
			if (!cases)					\
				return -1;				\
		}							\
		cases[n++] = (struct bcase){ mm, bb, sz, th, st };	\
	} while (0)

	for (b = 0; b < NR_BENCH; b++) {
		if (!in_list(bench_list, names[b]))
			continue;
		for (m = mechs; *m; m++) {
			if (!((*m)->benches & CAN(b)) ||
			    !in_list(impl_list, (*m)->name))
				continue;
			nk = b == BENCH_RTT ? N(rtt_sizes) :
			     b == BENCH_STREAM ? N(stream_sizes) :
			     b == BENCH_SCALE ? N(scale_threads) : 2;
			for (k = 0; k < nk; k++) {
				i = k;
				if (b == BENCH_RTT)
					PLAN(*m, b, rtt_sizes[i], 1, false);
				else if (b == BENCH_STREAM)
					PLAN(*m, b, stream_sizes[i], 1, false);
				else if (b == BENCH_SCALE)
					PLAN(*m, b, 0, scale_threads[i], false);
				else
					PLAN(*m, b, 0, 1, i == 1);
			}
		}
	}
#undef PLAN
	return n;
}

/*
 * Run case @c into @r.  The stats bench's two figures come from one case:
 * the stats-off case fills its own row and the stats-on one after it.
 */
static void run_one(const struct bcase *c, struct row *r)
{
	if (c->b == BENCH_STREAM) {
		run_stream_case(c->m, c->size, r);
	} else if (c->b == BENCH_STATS) {
		run_call_case(c->m, c->b, c->size, c->threads, r, r + 1);
		snprintf(r->impl, sizeof(r->impl), "%s-stats-off", c->m->name);
		snprintf(r[1].impl, sizeof(r[1].impl), "%s-stats-on",
			 c->m->name);
	} else {
		run_call_case(c->m, c->b, c->size, c->threads, r, NULL);
	}
}

/* Is @a a better figure than @b (both measured)? */
static bool better(const struct row *a, const struct row *b)
{
	if (a->bench == BENCH_RTT || a->bench == BENCH_STATS)
		return a->median_ns < b->median_ns;
	return a->msgs_per_s > b->msgs_per_s;
}

/*
 * Fold round @round's @n figures @r (1, or the stats bench's off and on
 * pair) into @best: a failure in any round fails the figure (a check that
 * failed once is never hidden by a better round); otherwise the best
 * measured one is kept.  A pair is kept or replaced whole, chosen by the
 * sum of its medians: choosing by one alone would favour it over the
 * other.
 */
static void merge(struct row *best, const struct row *r, int n, int round)
{
	int rounds = round ? best->rounds : 0;
	bool better_now = n == 2 ?
		r[0].median_ns + r[1].median_ns <
			best[0].median_ns + best[1].median_ns :
		better(r, best);

	if (!round || best->status == ROW_SKIPPED ||
	    (best->status == ROW_OK && r->status == ROW_FAILED) ||
	    (best->status == ROW_OK && r->status == ROW_OK && better_now))
		for (int i = 0; i < n; i++)
			best[i] = r[i];
	if (r->status == ROW_OK)
		rounds++;
	for (int i = 0; i < n; i++)
		best[i].rounds = best->status == ROW_OK ? rounds : 0;
}

enum { FMT_TABLE = 1, FMT_JSON = 2, FMT_CSV = 4 };

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "time", required_argument, NULL, 't' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "bench", required_argument, NULL, 'b' },
		{ "impl", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "raise-limits", no_argument, NULL, 'L' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "render", required_argument, NULL, 'r' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *bench_list = NULL, *impl_list = NULL, *render = NULL;
	struct row *rows, *round_rows;
	int fmt = 0, o, n = 0, r;
	bool time_set = false, rounds_set = false;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'q': opts.quick = true; break;
		case 't': opts.target_s = atof(optarg); time_set = true; break;
		case 'R': opts.rounds = atoi(optarg); rounds_set = true; break;
		case 'b': bench_list = optarg; break;
		case 'i': impl_list = optarg; break;
		case 'j': fmt |= FMT_JSON; break;
		case 'c': fmt |= FMT_CSV; break;
		case 'L': opt_raise_limits = true; break;
		case 'T': opts.timeout_s = atof(optarg); break;
		case 'r': render = optarg; break;
		case 'l': list_mechs(); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || opts.target_s <= 0 || opts.target_s > 600 ||
	    opts.rounds < 1 || opts.rounds > 100) {
		usage(stderr);
		return 2;
	}
	if (!fmt)
		fmt = FMT_TABLE;

	if (render) {
		n = report_parse_json(render, &rows);
		if (n < 0)
			return 1;
		if (fmt & FMT_TABLE)
			report_tables(rows, n);
		if (fmt & FMT_CSV)
			report_csv(rows, n);
		if (fmt & FMT_JSON)
			for (o = 0; o < n; o++)
				report_row_json(&rows[o]);
		return 0;
	}

	bench_fault = getenv("KIPC_BENCH_FAULT") != NULL;
	if (opts.quick && !time_set)
		opts.target_s = 0.02;
	if (opts.quick && !rounds_set)
		opts.rounds = 1;
	if (!opts.timeout_s)
		opts.timeout_s = 120 + 20 * opts.target_s;
	if (bench_list)
		for (char *p = strdupa(bench_list), *t; (t = strsep(&p, ","));)
			if (bench_from_name(t) < 0) {
				fprintf(stderr, "kipc-bench: unknown bench '%s'\n", t);
				return 2;
			}
	/* line by line: a guest that dies mid-run still reports what it had */
	setvbuf(stdout, NULL, _IOLBF, 0);

	n = plan(bench_list, impl_list);
	if (n < 0)
		return 1;
	rows = calloc((size_t)n, sizeof(*rows));
	round_rows = calloc((size_t)n, sizeof(*round_rows));
	if (!rows || !round_rows)
		return 1;
	/*
	 * Whole passes over every case, the best figure of each kept: a burst
	 * of interference from outside (other guests on the host) then spoils
	 * a figure of one round, not the comparison.
	 */
	for (r = 0; r < opts.rounds; r++) {
		for (o = 0; o < n; o++) {
			bool pair = cases[o].b == BENCH_STATS;

			/* plan() puts the stats-on case right after its pair */
			if (pair && cases[o].stats)
				continue;
			run_one(&cases[o], &round_rows[o]);
			merge(&rows[o], &round_rows[o], pair ? 2 : 1, r);
		}
	}
	if (fmt & FMT_JSON) {
		report_meta_json();
		for (o = 0; o < n; o++)
			report_row_json(&rows[o]);
	}
	if (fmt & FMT_TABLE)
		report_tables(rows, n);
	if (fmt & FMT_CSV)
		report_csv(rows, n);
	for (o = 0; o < n; o++)
		if (rows[o].status == ROW_FAILED)
			return 1;
	return 0;
}
