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
	.target_s = 1.0,
	.timeout_s = 0,
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
"  --time SECONDS     measured time per figure (default 1; --quick 0.02)\n"
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

enum { FMT_TABLE = 1, FMT_JSON = 2, FMT_CSV = 4 };

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "time", required_argument, NULL, 't' },
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
	const struct mech *const *m;
	struct row *rows;
	int fmt = 0, o, n = 0, cap = 256, b;
	bool time_set = false;
	size_t i;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'q': opts.quick = true; break;
		case 't': opts.target_s = atof(optarg); time_set = true; break;
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
	if (optind < argc || opts.target_s <= 0 || opts.target_s > 600) {
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

	rows = calloc((size_t)cap, sizeof(*rows));
	if (!rows)
		return 1;
	if (fmt & FMT_JSON)
		report_meta_json();

#define ADD()	do {							\
		if (fmt & FMT_JSON)					\
			report_row_json(&rows[n]);			\
		if (++n == cap) {					\
			cap *= 2;					\
			rows = realloc(rows, (size_t)cap * sizeof(*rows)); \
			if (!rows)					\
				return 1;				\
		}							\
	} while (0)

	for (b = 0; b < NR_BENCH; b++) {
		if (!in_list(bench_list, names[b]))
			continue;
		for (m = mechs; *m; m++) {
			if (!((*m)->benches & CAN(b)) ||
			    !in_list(impl_list, (*m)->name))
				continue;
			switch (b) {
			case BENCH_RTT:
				for (i = 0; i < N(rtt_sizes); i++) {
					run_call_case(*m, BENCH_RTT, rtt_sizes[i],
						      1, false, &rows[n]);
					ADD();
				}
				break;
			case BENCH_STREAM:
				for (i = 0; i < N(stream_sizes); i++) {
					run_stream_case(*m, stream_sizes[i],
							&rows[n]);
					ADD();
				}
				break;
			case BENCH_SCALE:
				for (i = 0; i < N(scale_threads); i++) {
					run_call_case(*m, BENCH_SCALE, 0,
						      scale_threads[i], false,
						      &rows[n]);
					ADD();
				}
				break;
			case BENCH_STATS:
				for (i = 0; i < 2; i++) {
					run_call_case(*m, BENCH_STATS, 0, 1,
						      i == 1, &rows[n]);
					snprintf(rows[n].impl,
						 sizeof(rows[n].impl), "%s-%s",
						 (*m)->name,
						 i ? "stats-on" : "stats-off");
					ADD();
				}
				break;
			}
		}
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
