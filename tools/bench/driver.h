/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-bench: what the driver's parts (main.c, run.c, report.c) share;
 * mechanisms never need it.
 */
#ifndef KIPC_BENCH_DRIVER_H
#define KIPC_BENCH_DRIVER_H

#include "bench.h"

enum row_status { ROW_OK, ROW_SKIPPED, ROW_FAILED };

/* One figure: a line of every output format. */
struct row {
	enum bench_kind bench;
	char impl[32];
	uint64_t size;
	int threads;
	enum row_status status;
	bool verified;		/* every byte checked on both sides */
	uint64_t iterations;	/* calls or messages measured */
	int rounds;		/* rounds this figure is the best of */
	double median_ns, p99_ns, mean_ns;	/* NAN when not applicable */
	double timer_ns;	/* timestamp cost taken off each latency */
	double msgs_per_s, bytes_per_s;		/* NAN when not applicable */
	char reason[384];	/* why skipped or failed */
};

struct opts {
	double target_s;	/* how long each figure's measured run lasts */
	int rounds;		/* passes over all cases; the best is kept */
	bool quick;
	double timeout_s;	/* per case, before it is declared hung */
};
extern struct opts opts;

const char *bench_name(enum bench_kind b);
int bench_from_name(const char *name);

/*
 * run.c: run one case in a child process tree; fills @r.  The stats bench
 * measures with the statistics off (@r) and on (@on) in one case.
 */
void run_call_case(const struct mech *m, enum bench_kind b, size_t size,
		   int threads, struct row *r, struct row *on);
void run_stream_case(const struct mech *m, size_t size, struct row *r);

/* report.c */
void report_meta_json(void);
void report_row_json(const struct row *r);
void report_tables(const struct row *rows, int n);
void report_csv(const struct row *rows, int n);
/* Read rows back from --json output; returns the count or -1. */
int report_parse_json(const char *path, struct row **rows);

#endif /* KIPC_BENCH_DRIVER_H */
