// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: the output formats (tables, JSON lines, CSV) and reading JSON
 * lines back (--render), so that a guest can print JSON only and the host
 * derives everything else from exactly those figures.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "driver.h"

/* Where the figures came from (the "meta" line). */
static struct {
	char kernel[128];
	char machine[128];
	char clocksource[32];
	long cpus;
	double timer_ns;
	double target_s;
	int rounds;
	bool quick;
} meta;

static void read_line(const char *path, const char *key, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[512], *p;

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, strlen(key)))
			continue;
		p = key ? strchr(line, ':') : line - 1;
		if (!p)
			continue;
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		snprintf(buf, n, "%s", p);
		buf[strcspn(buf, "\n")] = 0;
		break;
	}
	fclose(f);
}

static void collect_meta(void)
{
	struct utsname u;
	uint64_t t0, t1;
	int i;

	uname(&u);
	snprintf(meta.kernel, sizeof(meta.kernel), "%s", u.release);
	read_line("/proc/cpuinfo", "model name", meta.machine,
		  sizeof(meta.machine));
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  NULL, meta.clocksource, sizeof(meta.clocksource));
	meta.cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* what one timestamp costs: included in every timed call */
	t0 = now_ns();
	for (i = 0; i < 1000; i++)
		now_ns();
	t1 = now_ns();
	meta.timer_ns = (double)(t1 - t0) / 1000;
	meta.target_s = opts.target_s;
	meta.rounds = opts.rounds;
	meta.quick = opts.quick;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_num(const char *key, double v, int prec)
{
	if (isnan(v))
		printf(",\"%s\":null", key);
	else
		printf(",\"%s\":%.*f", key, prec, v);
}

void report_meta_json(void)
{
	collect_meta();
	printf("{\"bench\":\"meta\",\"impl\":null,\"size\":null,\"median_ns\":null,\"p99_ns\":null,\"msgs_per_s\":null,\"bytes_per_s\":null,\"iterations\":null,\"kernel\":");
	json_str(meta.kernel);
	printf(",\"machine\":");
	json_str(meta.machine);
	printf(",\"clocksource\":");
	json_str(meta.clocksource);
	printf(",\"cpus\":%ld,\"timer_ns\":%.1f,\"target_s\":%g,\"rounds\":%d,\"quick\":%s}\n",
	       meta.cpus, meta.timer_ns, meta.target_s, meta.rounds,
	       meta.quick ? "true" : "false");
}

static const char *status_name(enum row_status s)
{
	return s == ROW_OK ? "ok" : s == ROW_SKIPPED ? "skipped" : "failed";
}

void report_row_json(const struct row *r)
{
	bool ok = r->status == ROW_OK;

	printf("{\"bench\":\"%s\",\"impl\":", bench_name(r->bench));
	json_str(r->impl);
	printf(",\"size\":%llu,\"threads\":%d,\"status\":\"%s\",\"verified\":%s",
	       (unsigned long long)r->size, r->threads, status_name(r->status),
	       r->verified ? "true" : "false");
	json_num("median_ns", ok ? r->median_ns : NAN, 1);
	json_num("p99_ns", ok ? r->p99_ns : NAN, 1);
	json_num("mean_ns", ok ? r->mean_ns : NAN, 1);
	json_num("msgs_per_s", ok ? r->msgs_per_s : NAN, 1);
	json_num("bytes_per_s", ok ? r->bytes_per_s : NAN, 1);
	if (ok)
		printf(",\"iterations\":%llu,\"rounds\":%d",
		       (unsigned long long)r->iterations, r->rounds);
	else
		printf(",\"iterations\":null,\"rounds\":null");
	json_num("timer_ns", ok ? r->timer_ns : NAN, 1);
	printf(",\"reason\":");
	if (r->status == ROW_OK)
		printf("null");
	else
		json_str(r->reason);
	printf("}\n");
}

/* ---- ratios --------------------------------------------------------- */

/* The reference of a bench: kipc if it was measured, else a named peer. */
static const char *const refs[NR_BENCH][2] = {
	[BENCH_RTT] = { "kipc-door", "pipe" },
	[BENCH_STREAM] = { "kipc-chan", "pipe" },
	[BENCH_SCALE] = { "kipc-door", "unix-seqpacket" },
	[BENCH_STATS] = { "kipc-door-stats-off", "kipc-door-stats-off" },
};

static bool latency_bench(enum bench_kind b)
{
	return b == BENCH_RTT || b == BENCH_STATS;
}

/* The row @r is compared with (same bench, size and threads), or NULL. */
static const struct row *reference(const struct row *rows, int n,
				   const struct row *r)
{
	int i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++)
			if (rows[i].bench == r->bench &&
			    rows[i].size == r->size &&
			    rows[i].threads == r->threads &&
			    rows[i].status == ROW_OK &&
			    !strcmp(rows[i].impl, refs[r->bench][k]))
				return &rows[i];
	return NULL;
}

static double ratio(const struct row *r, const struct row *ref)
{
	if (!ref || r->status != ROW_OK)
		return NAN;
	if (latency_bench(r->bench))
		return r->median_ns / ref->median_ns;
	return r->msgs_per_s / ref->msgs_per_s;
}

static const char *size_str(uint64_t size, char *buf, size_t n)
{
	if (size == 0)
		snprintf(buf, n, "null");
	else if (size >= (1u << 20) && size % (1u << 20) == 0)
		snprintf(buf, n, "%llu MiB", (unsigned long long)(size >> 20));
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, n, "%llu KiB", (unsigned long long)(size >> 10));
	else
		snprintf(buf, n, "%llu B", (unsigned long long)size);
	return buf;
}

static const char *title[NR_BENCH] = {
	[BENCH_RTT] = "round-trip latency between two processes, argument and result of SIZE bytes",
	[BENCH_STREAM] = "one-way streaming, messages of SIZE bytes, every byte written and checked",
	[BENCH_SCALE] = "null calls per second, N client threads against N server threads",
	[BENCH_STATS] = "null door call with kipc statistics off and on",
};

static void table(const struct row *rows, int n, enum bench_kind b)
{
	const struct row *ref;
	char sz[32], rs[32];
	int i, shown = 0;
	double x;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		if (r->bench != b)
			continue;
		if (!shown++) {
			printf("\n== %s: %s\n", bench_name(b), title[b]);
			printf("   ratio: to %s where it was measured, else to %s;%s\n",
			       refs[b][0], refs[b][1],
			       latency_bench(b) ? " of medians (lower is faster)" :
			       " of rates (higher is faster)");
			if (latency_bench(b))
				printf("%-8s %-20s %12s %12s %10s %8s %s\n", "size",
				       "impl", "median us", "p99 us", "iters",
				       "ratio", "to");
			else if (b == BENCH_STREAM)
				printf("%-8s %-20s %12s %12s %10s %8s %s\n", "size",
				       "impl", "msgs/s", "MB/s", "msgs", "ratio",
				       "to");
			else
				printf("%-8s %-20s %12s %12s %10s %8s %s\n",
				       "threads", "impl", "calls/s", "", "calls",
				       "ratio", "to");
		}
		if (b == BENCH_SCALE)
			snprintf(sz, sizeof(sz), "%d", r->threads);
		else
			size_str(r->size, sz, sizeof(sz));
		if (r->status != ROW_OK) {
			printf("%-8s %-20s %s: %s\n", sz, r->impl,
			       status_name(r->status), r->reason);
			continue;
		}
		ref = reference(rows, n, r);
		x = ratio(r, ref);
		if (isnan(x))
			snprintf(rs, sizeof(rs), "-");
		else
			snprintf(rs, sizeof(rs), "%.2f", x);
		if (latency_bench(b))
			printf("%-8s %-20s %12.2f %12.2f %10llu %8s %s\n", sz,
			       r->impl, r->median_ns / 1e3, r->p99_ns / 1e3,
			       (unsigned long long)r->iterations, rs,
			       ref ? ref->impl : "");
		else if (b == BENCH_STREAM)
			printf("%-8s %-20s %12.0f %12.1f %10llu %8s %s\n", sz,
			       r->impl, r->msgs_per_s, r->bytes_per_s / 1e6,
			       (unsigned long long)r->iterations, rs,
			       ref ? ref->impl : "");
		else
			printf("%-8s %-20s %12.0f %12s %10llu %8s %s\n", sz,
			       r->impl, r->msgs_per_s, "",
			       (unsigned long long)r->iterations, rs,
			       ref ? ref->impl : "");
	}
}

void report_tables(const struct row *rows, int n)
{
	int b;

	if (!meta.kernel[0])
		collect_meta();
	printf("kipc-bench on %s, %ld CPUs (%s), kernel %s, clocksource %s\n",
	       meta.machine, meta.cpus, meta.quick ? "quick run" : "full run",
	       meta.kernel, meta.clocksource);
	printf("each figure: the best of %d round(s) of %g s; a timestamp costs %.0f ns (taken off latencies)\n",
	       meta.rounds, meta.target_s, meta.timer_ns);
	for (b = 0; b < NR_BENCH; b++)
		table(rows, n, b);
}

static void csv_num(double v, int prec)
{
	if (!isnan(v))
		printf("%.*f", prec, v);
	putchar(',');
}

void report_csv(const struct row *rows, int n)
{
	const struct row *ref;
	const char *q;
	int i;

	printf("bench,impl,size,threads,status,verified,median_ns,p99_ns,mean_ns,msgs_per_s,bytes_per_s,iterations,ratio,reference,reason\n");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		bool ok = r->status == ROW_OK;

		ref = reference(rows, n, r);
		printf("%s,%s,%llu,%d,%s,%d,", bench_name(r->bench), r->impl,
		       (unsigned long long)r->size, r->threads,
		       status_name(r->status), r->verified);
		csv_num(ok ? r->median_ns : NAN, 1);
		csv_num(ok ? r->p99_ns : NAN, 1);
		csv_num(ok ? r->mean_ns : NAN, 1);
		csv_num(ok ? r->msgs_per_s : NAN, 1);
		csv_num(ok ? r->bytes_per_s : NAN, 1);
		if (ok)
			printf("%llu", (unsigned long long)r->iterations);
		putchar(',');
		csv_num(ratio(r, ref), 4);
		printf("%s,\"", ok && ref ? ref->impl : "");
		for (q = ok ? "" : r->reason; *q; q++)
			printf(*q == '"' ? "\"\"" : "%c", *q);
		printf("\"\n");
	}
}

/* ---- reading JSON lines back ---------------------------------------- */

/*
 * Only what report_*_json() writes: one flat object per line whose values
 * are strings, numbers, true, false or null.
 */
struct kv {
	char key[32];
	char str[384];
	double num;
	enum { V_NULL, V_STR, V_NUM, V_BOOL } type;
};

static const char *parse_str(const char *p, char *out, size_t n)
{
	size_t len = 0;

	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		char c = *p++;

		if (c == '\\') {
			c = *p++;
			if (c == 'u') {
				c = (char)strtol((char[5]){ p[0], p[1], p[2],
							   p[3], 0 }, NULL, 16);
				p += 4;
			} else if (c == 'n') {
				c = '\n';
			}
		}
		if (len + 1 < n)
			out[len++] = c;
	}
	out[len] = 0;
	return *p == '"' ? p + 1 : NULL;
}

static int parse_obj(const char *p, struct kv *kv, int max)
{
	int n = 0;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '{')
		return -1;
	for (;;) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '}')
			return n;
		if (n == max)
			return -1;
		p = parse_str(p, kv[n].key, sizeof(kv[n].key));
		if (!p || *p++ != ':')
			return -1;
		if (*p == '"') {
			kv[n].type = V_STR;
			p = parse_str(p, kv[n].str, sizeof(kv[n].str));
			if (!p)
				return -1;
		} else if (!strncmp(p, "null", 4)) {
			kv[n].type = V_NULL;
			p += 4;
		} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
			kv[n].type = V_BOOL;
			kv[n].num = *p == 't';
			p += *p == 't' ? 4 : 5;
		} else {
			kv[n].type = V_NUM;
			kv[n].num = strtod(p, &end);
			if (end == p)
				return -1;
			p = end;
		}
		n++;
	}
}

/* Copy, cutting what does not fit (fields longer than ours are not ours). */
static void scopy(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = 0;
}

static const struct kv *get(const struct kv *kv, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return &kv[i];
	return NULL;
}

static double num(const struct kv *kv, int n, const char *key)
{
	const struct kv *v = get(kv, n, key);

	return v && v->type != V_NULL && v->type != V_STR ? v->num : NAN;
}

static const char *str(const struct kv *kv, int n, const char *key)
{
	const struct kv *v = get(kv, n, key);

	return v && v->type == V_STR ? v->str : "";
}

int report_parse_json(const char *path, struct row **out)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	struct kv kv[32];
	struct row *rows = NULL, *r;
	int n = 0, cap = 0, k, b;
	const char *s;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		/* the guest's results port carries other lines too */
		if (line[0] != '{')
			continue;
		k = parse_obj(line, kv, 32);
		if (k < 0) {
			fprintf(stderr, "kipc-bench: %s: cannot parse: %s", path,
				line);
			continue;
		}
		if (!strcmp(str(kv, k, "bench"), "meta")) {
			scopy(meta.kernel, sizeof(meta.kernel), str(kv, k, "kernel"));
			scopy(meta.machine, sizeof(meta.machine), str(kv, k, "machine"));
			scopy(meta.clocksource, sizeof(meta.clocksource), str(kv, k, "clocksource"));
			meta.cpus = (long)num(kv, k, "cpus");
			meta.timer_ns = num(kv, k, "timer_ns");
			meta.target_s = num(kv, k, "target_s");
			meta.rounds = (int)num(kv, k, "rounds");
			meta.quick = num(kv, k, "quick") == 1;
			continue;
		}
		b = bench_from_name(str(kv, k, "bench"));
		if (b < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = realloc(rows, (size_t)cap * sizeof(*rows));
			if (!rows) {
				fclose(f);
				return -1;
			}
		}
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		r->bench = b;
		scopy(r->impl, sizeof(r->impl), str(kv, k, "impl"));
		r->size = (uint64_t)num(kv, k, "size");
		r->threads = (int)num(kv, k, "threads");
		s = str(kv, k, "status");
		r->status = !strcmp(s, "ok") ? ROW_OK :
			    !strcmp(s, "skipped") ? ROW_SKIPPED : ROW_FAILED;
		r->verified = num(kv, k, "verified") == 1;
		r->median_ns = num(kv, k, "median_ns");
		r->p99_ns = num(kv, k, "p99_ns");
		r->mean_ns = num(kv, k, "mean_ns");
		r->msgs_per_s = num(kv, k, "msgs_per_s");
		r->bytes_per_s = num(kv, k, "bytes_per_s");
		r->iterations = r->status == ROW_OK ?
				(uint64_t)num(kv, k, "iterations") : 0;
		r->rounds = r->status == ROW_OK ? (int)num(kv, k, "rounds") : 0;
		r->timer_ns = num(kv, k, "timer_ns");
		scopy(r->reason, sizeof(r->reason), str(kv, k, "reason"));
	}
	fclose(f);
	*out = rows;
	return n;
}
