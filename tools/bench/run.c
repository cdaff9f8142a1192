// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: running one case.
 *
 * Process tree of a case:
 *
 *   kipc-bench (driver) --fork--> case process = client / sender
 *                                     --fork--> server / receiver
 *
 * The driver only waits, with a timeout: a mechanism that hangs or crashes
 * (a server stuck in a futex wait after its peer failed, say) costs one
 * failed row, not the whole run.  The case process writes its row into
 * shared memory, then exits.
 *
 * A call case: the server process starts its threads and says 'R' on the
 * control socket; the client warms up (at least 10% of the target time),
 * sizes the measured run from the warm-up rate so that it lasts about the
 * target time, times every call with CLOCK_MONOTONIC (latency) or counts
 * calls in a fixed time (scaling), stops the server and says 'F'.  The server
 * accounted for every call it checked in struct shared; the client compares
 * that with what it sent before calling the row verified.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

bool opt_raise_limits;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_error(struct shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (sh->error[0])	/* keep the first: later ones follow from it */
		return;
	va_start(ap, fmt);
	vsnprintf(sh->error, sizeof(sh->error), fmt, ap);
	va_end(ap);
}

static __thread struct acct *my_acct;

struct acct *bench_acct(struct shared *sh)
{
	unsigned int slot;

	if (!my_acct) {
		slot = atomic_fetch_add(&sh->next_slot, 1);
		/* more server threads than slots only share a line */
		my_acct = &sh->srv[slot % MAX_THREADS];
	}
	return my_acct;
}

int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int send_fd(int sock, int fd)
{
	char byte = 'D';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EPIPE;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

void *bench_alloc(size_t len)
{
	void *p = mmap(NULL, len ? len : 1, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, len);
	return p;
}

void bench_free(void *p, size_t len)
{
	if (p)
		munmap(p, len ? len : 1);
}

void *shm_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, len);
	return p;
}

void cpu_relax_n(unsigned int *spins)
{
	/*
	 * Busy-polling assumes the peer runs on another CPU.  When it does
	 * not (fewer CPUs than spinning threads, as under an oversubscribed
	 * host), yielding now and then lets it run instead of burning the
	 * whole time slice.
	 */
	if (++*spins % 1024 == 0)
		sched_yield();
	else
		__builtin_ia32_pause();
}

int write_sysctl(const char *path, unsigned long value)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%lu\n", value) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

unsigned long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* ---- the case process's side ---------------------------------------- */

/* The result row lives in shared memory so the driver survives the case. */
struct case_shm {
	struct row row;
	struct row on;		/* the stats bench: statistics on */
	struct shared sh;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static atomic_flag failed_once = ATOMIC_FLAG_INIT;

/* Record why the case failed: the first reason, which caused the rest. */
static void fail(struct row *r, struct shared *sh, const char *what, int err)
{
	if (atomic_flag_test_and_set(&failed_once))
		return;
	r->status = ROW_FAILED;
	if (sh->error[0])
		snprintf(r->reason, sizeof(r->reason), "%s: %s", what, sh->error);
	else
		snprintf(r->reason, sizeof(r->reason), "%s: %s", what,
			 strerror(err < 0 ? -err : err));
}

/*
 * Watch the control socket while the client works: a server that fails
 * says 'E' (or dies, closing its end); the client may be blocked for good
 * in its mechanism then, so the whole case process exits at once and the
 * driver reports the server's error.
 */
struct watch {
	int ctl;
	struct case_shm *cs;
};

static void *watch_server(void *arg)
{
	struct watch *w = arg;
	char c;
	ssize_t n;

	do
		n = read(w->ctl, &c, 1);
	while (n < 0 && errno == EINTR);
	/* 'D' is the normal end: the server finished after 'F' */
	if (n == 1 && c == 'D')
		return NULL;
	fail(&w->cs->row, &w->cs->sh, "server", EPIPE);
	_exit(3);
}

struct server_thread {
	pthread_t tid;
	struct call_ctx *c;
	int idx;
	int ret;
};

static void *server_thread(void *arg)
{
	struct server_thread *t = arg;

	t->ret = t->c->m->serve(t->c, t->idx);
	if (t->ret) {
		bench_error(t->c->sh, "serve: %s", strerror(-t->ret));
		/* the client may be blocked on us: tell it, then go */
		if (write(t->c->ctl, "E", 1) < 0)
			_exit(1);
		_exit(1);
	}
	return NULL;
}

static int server_main(struct call_ctx *c)
{
	const struct mech *m = c->m;
	struct server_thread t[MAX_THREADS];
	int i, ret = 0;
	char ch;

	if (m->server_start) {
		ret = m->server_start(c);
		if (ret) {
			bench_error(c->sh, "server start: %s", strerror(-ret));
			goto out_err;
		}
	}
	for (i = 0; i < c->threads; i++) {
		t[i].c = c;
		t[i].idx = i;
		t[i].ret = 0;
		if (pthread_create(&t[i].tid, NULL, server_thread, &t[i])) {
			bench_error(c->sh, "pthread_create failed");
			goto out_err;
		}
	}
	if (write(c->ctl, "R", 1) != 1)
		return 1;
	while (read(c->ctl, &ch, 1) < 0 && errno == EINTR)
		;
	/* 'F': the client is done and has stopped the server threads */
	if (m->call_stop)
		for (i = 0; i < c->threads; i++)
			pthread_join(t[i].tid, NULL);
	if (m->call_teardown)
		m->call_teardown(c, true);
	if (write(c->ctl, "D", 1) != 1)
		return 1;
	return 0;
out_err:
	if (write(c->ctl, "E", 1) != 1)
		return 1;
	return 1;
}

/* Wait for the server's 'R'. */
static int await_ready(int ctl)
{
	char ch;
	ssize_t n;

	do
		n = read(ctl, &ch, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 && ch == 'R' ? 0 : -EPIPE;
}

struct client_thread {
	pthread_t tid;
	struct call_ctx *c;
	int idx;
	int ret;
	uint64_t measured;	/* calls in the measured phase */
	uint64_t total;		/* calls made, warm-up included */
	pthread_barrier_t *go;
	atomic_bool *stop;
};

static void *client_thread(void *arg)
{
	struct client_thread *t = arg;
	struct call_ctx *c = t->c;
	uint64_t seq = bench_seq_base(t->idx), t0, n = 0;
	uint64_t warm = (uint64_t)(opts.target_s * 0.1e9);

	t0 = now_ns();
	do {
		t->ret = c->m->call(c, t->idx, seq++);
		n++;
	} while (!t->ret && (now_ns() - t0 < warm || n < 5));
	pthread_barrier_wait(t->go);
	while (!t->ret && !atomic_load_explicit(t->stop, memory_order_relaxed)) {
		t->ret = c->m->call(c, t->idx, seq++);
		t->measured += !t->ret;
	}
	t->total = seq - bench_seq_base(t->idx);
	return NULL;
}

/*
 * What one timestamp costs, as the cheapest of back-to-back pairs.  In a
 * TCG guest the clocksource is often the emulated HPET, whose reads cost
 * microseconds: left in, that would pad every latency by the same amount
 * and squeeze every ratio towards 1.  The cheapest pair, not the median:
 * reads vary a lot there, and taking off more than a read cost would turn
 * short calls into zero.
 */
static uint64_t timer_cost(void)
{
	uint64_t d[101], t, u;
	int i;

	for (i = 0; i < 101; i++) {
		t = now_ns();
		u = now_ns();
		d[i] = u - t;
	}
	qsort(d, 101, sizeof(d[0]), cmp_u64);
	return d[0];
}

/*
 * Latency: one client, every call timed.  One timestamp per call: each
 * interval holds one call and one timestamp, whose cost is taken off.
 */
static int measure_rtt(struct call_ctx *c, struct row *r, uint64_t *total)
{
	uint64_t seq = bench_seq_base(0), t0, t1, n = 0, i, iters, *lat;
	uint64_t warm = (uint64_t)(opts.target_s * 0.1e9), tc, prev, d;
	double per;
	int ret;

	t0 = now_ns();
	do {
		ret = c->m->call(c, 0, seq++);
		if (ret)
			return ret;
		n++;
		t1 = now_ns();
	} while (t1 - t0 < warm || n < 5);
	per = (double)(t1 - t0) / (double)n;
	iters = (uint64_t)(opts.target_s * 1e9 / per);
	if (iters < (opts.quick ? 10 : 100))
		iters = opts.quick ? 10 : 100;
	if (iters > (1u << 20))
		iters = 1u << 20;
	lat = malloc(iters * sizeof(*lat));
	if (!lat)
		return -ENOMEM;
	tc = timer_cost();
	t0 = prev = now_ns();
	for (i = 0; i < iters; i++) {
		ret = c->m->call(c, 0, seq++);
		t1 = now_ns();
		d = t1 - prev;
		lat[i] = d > tc ? d - tc : 0;
		prev = t1;
		if (ret)
			break;
	}
	if (!ret) {
		qsort(lat, iters, sizeof(*lat), cmp_u64);
		r->iterations = iters;
		r->timer_ns = (double)tc;
		r->median_ns = (double)lat[iters / 2];
		r->p99_ns = (double)lat[(iters * 99) / 100];
		r->mean_ns = (double)(t1 - t0) / (double)iters - (double)tc;
		r->msgs_per_s = 1e9 / r->mean_ns;
	}
	free(lat);
	*total = seq - bench_seq_base(0);
	return ret;
}

/*
 * The cost of kipc's statistics: blocks of timed calls with them off and
 * on in turn (off, on, on, off, off, on, ...: a steady drift cancels), in
 * one case.  Both halves share the server, the placement of the processes
 * on the CPUs and the moments of outside interference, which between two
 * cases differ by more than what is measured here.  The statistics are
 * left on, as they are by default.
 */
#define AB_BLOCKS	20

static void ab_row(struct row *r, uint64_t *lat, uint64_t n, uint64_t tc)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += lat[i];
	qsort(lat, n, sizeof(*lat), cmp_u64);
	r->iterations = n;
	r->timer_ns = (double)tc;
	r->median_ns = (double)lat[n / 2];
	r->p99_ns = (double)lat[(n * 99) / 100];
	r->mean_ns = (double)sum / (double)n;
	r->msgs_per_s = r->mean_ns > 0 ? 1e9 / r->mean_ns : NAN;
}

static int measure_ab(struct call_ctx *c, struct row *off, struct row *on,
		      uint64_t *total)
{
	uint64_t seq = bench_seq_base(0), t0, t1, n = 0, iters, block, tc;
	uint64_t warm = (uint64_t)(opts.target_s * 0.1e9), prev, d;
	uint64_t *lat[2] = { NULL, NULL }, len[2] = { 0, 0 };
	int ret = 0;

	if (!c->m->stats_switch)
		return -EOPNOTSUPP;
	t0 = now_ns();
	do {
		ret = c->m->call(c, 0, seq++);
		if (ret)
			return ret;
		n++;
		t1 = now_ns();
	} while (t1 - t0 < warm || n < 5);
	/* as many calls in each half as measure_rtt() makes in all */
	iters = (uint64_t)(opts.target_s * 1e9 * (double)n /
			   (double)(t1 - t0));
	if (iters < (opts.quick ? 10u : 100u) * AB_BLOCKS)
		iters = (opts.quick ? 10u : 100u) * AB_BLOCKS;
	if (iters > (1u << 20))
		iters = 1u << 20;
	block = iters / AB_BLOCKS;
	lat[0] = malloc(block * AB_BLOCKS * sizeof(**lat));
	lat[1] = malloc(block * AB_BLOCKS * sizeof(**lat));
	if (!lat[0] || !lat[1]) {
		ret = -ENOMEM;
		goto out;
	}
	tc = timer_cost();
	for (int b = 0; b < 2 * AB_BLOCKS && !ret; b++) {
		int h = (b & 1) ^ ((b >> 1) & 1);

		ret = c->m->stats_switch(c, h);
		prev = now_ns();
		for (uint64_t i = 0; i < block && !ret; i++) {
			ret = c->m->call(c, 0, seq++);
			t1 = now_ns();
			d = t1 - prev;
			lat[h][len[h]++] = d > tc ? d - tc : 0;
			prev = t1;
		}
	}
	if (!ret)
		ret = c->m->stats_switch(c, true);
	if (!ret) {
		ab_row(off, lat[0], len[0], tc);
		ab_row(on, lat[1], len[1], tc);
	}
out:
	free(lat[0]);
	free(lat[1]);
	*total = seq - bench_seq_base(0);
	return ret;
}

/* Scaling: c->threads clients, calls counted for the target time. */
static int measure_scale(struct call_ctx *c, struct row *r, uint64_t *total)
{
	struct client_thread t[MAX_THREADS];
	pthread_barrier_t go;
	atomic_bool stop = false;
	uint64_t t0, t1, calls = 0;
	struct timespec ts;
	int i, ret = 0;

	pthread_barrier_init(&go, NULL, (unsigned int)c->threads + 1);
	for (i = 0; i < c->threads; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].c = c;
		t[i].idx = i;
		t[i].go = &go;
		t[i].stop = &stop;
		/* on failure, the driver's timeout cleans up */
		if (pthread_create(&t[i].tid, NULL, client_thread, &t[i]))
			return -EAGAIN;
	}
	/* all warmed up: the measured phase starts for all at once */
	pthread_barrier_wait(&go);
	t0 = now_ns();
	ts.tv_sec = (time_t)opts.target_s;
	ts.tv_nsec = (long)((opts.target_s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	*total = 0;
	for (i = 0; i < c->threads; i++) {
		pthread_join(t[i].tid, NULL);
		if (t[i].ret && !ret)
			ret = t[i].ret;
		*total += t[i].total;
		calls += t[i].measured;
	}
	/* includes the calls in flight when the stop was seen: at most one
	 * per thread, negligible against the target time's worth */
	t1 = now_ns();
	pthread_barrier_destroy(&go);
	if (ret)
		return ret;
	r->iterations = calls;
	r->msgs_per_s = (double)calls * 1e9 / (double)(t1 - t0);
	return 0;
}

static void call_case(struct case_shm *cs, const struct mech *m,
		      enum bench_kind b, size_t size, int threads)
{
	struct row *r = &cs->row;
	struct shared *sh = &cs->sh;
	struct call_ctx c = {
		.m = m, .bench = b, .size = size, .threads = threads,
		.sh = sh,
	};
	uint64_t total = 0, calls = 0, bytes = 0, errors = 0;
	struct watch w;
	pthread_t wt;
	int sv[2], ret, i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		fail(r, sh, "socketpair", errno);
		return;
	}
	if (m->call_setup) {
		ret = m->call_setup(&c);
		if (ret == -EOPNOTSUPP) {
			r->status = ROW_SKIPPED;
			snprintf(r->reason, sizeof(r->reason), "%s",
				 sh->error[0] ? sh->error : "not supported");
		} else if (ret) {
			fail(r, sh, "setup", ret);
		}
		if (ret) {
			if (m->call_teardown)
				m->call_teardown(&c, false);
			return;
		}
	}
	pid = fork();
	if (pid < 0) {
		fail(r, sh, "fork", errno);
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		c.ctl = sv[1];
		_exit(server_main(&c));
	}
	close(sv[1]);
	c.ctl = sv[0];
	/* before the server's 'R': a mechanism may receive an fd first */
	if (m->client_start) {
		ret = m->client_start(&c);
		if (ret) {
			fail(r, sh, "client start", ret);
			goto out;
		}
	}
	if (await_ready(c.ctl)) {
		fail(r, sh, "server", EPIPE);
		goto out;
	}
	w.ctl = c.ctl;
	w.cs = cs;
	/* from here on, a server failure ends the case at once */
	pthread_create(&wt, NULL, watch_server, &w);

	if (b == BENCH_SCALE)
		ret = measure_scale(&c, r, &total);
	else if (b == BENCH_STATS)
		ret = measure_ab(&c, r, &cs->on, &total);
	else
		ret = measure_rtt(&c, r, &total);
	if (ret) {
		fail(r, sh, "call", ret);
		goto out;
	}
	if (m->call_stop) {
		ret = m->call_stop(&c);
		if (ret) {
			fail(r, sh, "stop", ret);
			goto out;
		}
	}
	if (write(c.ctl, "F", 1) != 1) {
		fail(r, sh, "server", EPIPE);
		goto out;
	}
	pthread_join(wt, NULL);
	waitpid(pid, NULL, 0);
	pid = 0;
	for (i = 0; i < MAX_THREADS; i++) {
		calls += sh->srv[i].calls;
		bytes += sh->srv[i].bytes;
		errors += sh->srv[i].errors;
	}
	if (errors || calls != total || bytes != total * size) {
		r->status = ROW_FAILED;
		snprintf(r->reason, sizeof(r->reason),
			 "verification: server checked %llu calls (%llu bytes, %llu bad), client made %llu of %zu bytes",
			 (unsigned long long)calls, (unsigned long long)bytes,
			 (unsigned long long)errors, (unsigned long long)total,
			 size);
	} else {
		r->status = ROW_OK;
		r->verified = true;
	}
out:
	if (m->call_teardown)
		m->call_teardown(&c, false);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* ---- streams -------------------------------------------------------- */

/*
 * One run of @count messages, its duration in ns in *@dur (0 if the clock
 * did not move: a coarse clock, a short run).  Returns false on failure,
 * which the row describes.
 */
static bool stream_once(struct case_shm *cs, const struct mech *m,
			size_t size, uint64_t count, uint64_t *dur)
{
	struct row *r = &cs->row;
	struct shared *sh = &cs->sh;
	struct stream_ctx s = {
		.m = m, .size = size, .count = count, .sh = sh,
		.batch = 16,
	};
	struct watch w;
	pthread_t wt;
	uint64_t t0 = 0, calls = 0, bytes = 0, errors = 0;
	int sv[2], ret, i;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		fail(r, sh, "socketpair", errno);
		return false;
	}
	if (m->stream_setup) {
		ret = m->stream_setup(&s);
		if (ret == -EOPNOTSUPP) {
			r->status = ROW_SKIPPED;
			snprintf(r->reason, sizeof(r->reason), "%s",
				 sh->error[0] ? sh->error : "not supported");
		} else if (ret) {
			fail(r, sh, "setup", ret);
		}
		if (ret) {
			if (m->stream_teardown)
				m->stream_teardown(&s, false);
			return false;
		}
	}
	pid = fork();
	if (pid < 0) {
		fail(r, sh, "fork", errno);
		return false;
	}
	if (pid == 0) {
		close(sv[0]);
		s.ctl = sv[1];
		if (write(s.ctl, "R", 1) != 1)
			_exit(1);
		ret = m->stream_recv(&s);
		sh->t_end = now_ns();
		if (ret) {
			bench_error(sh, "receive: %s", strerror(-ret));
			if (write(s.ctl, "E", 1) != 1)
				_exit(1);
			_exit(1);
		}
		if (m->stream_teardown)
			m->stream_teardown(&s, true);
		if (write(s.ctl, "D", 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	s.ctl = sv[0];
	if (await_ready(s.ctl)) {
		fail(r, sh, "receiver", EPIPE);
		goto out;
	}
	w.ctl = s.ctl;
	w.cs = cs;
	pthread_create(&wt, NULL, watch_server, &w);
	t0 = now_ns();
	ret = m->stream_send(&s);
	if (ret) {
		fail(r, sh, "send", ret);
		t0 = 0;
		goto out;
	}
	pthread_join(wt, NULL);
	waitpid(pid, NULL, 0);
	pid = 0;
	for (i = 0; i < MAX_THREADS; i++) {
		calls += sh->srv[i].calls;
		bytes += sh->srv[i].bytes;
		errors += sh->srv[i].errors;
	}
	if (errors || calls != count || bytes != count * size) {
		r->status = ROW_FAILED;
		snprintf(r->reason, sizeof(r->reason),
			 "verification: receiver checked %llu messages (%llu bytes, %llu bad) of %llu",
			 (unsigned long long)calls, (unsigned long long)bytes,
			 (unsigned long long)errors, (unsigned long long)count);
		t0 = 0;
	}
out:
	if (m->stream_teardown)
		m->stream_teardown(&s, false);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(s.ctl);
	*dur = t0 && sh->t_end > t0 ? sh->t_end - t0 : 0;
	return t0 != 0;
}

static void stream_case(struct case_shm *cs, const struct mech *m,
			size_t size)
{
	struct row *r = &cs->row;
	double target = opts.target_s * 1e9;
	uint64_t count, d;

	/*
	 * Trial runs, growing, until one lasts a tenth of the target; then
	 * the measured run, sized to last the target.
	 */
	count = (256u << 10) / size;
	if (count < 8)
		count = 8;
	for (;;) {
		if (!stream_once(cs, m, size, count, &d))
			return;	/* failed or skipped: the row says which */
		if ((double)d >= target * 0.1 || count >= (1ull << 30))
			break;
		count *= (double)d * 20 < target ? 20 : 2;
	}
	if (d)
		count = (uint64_t)((double)count * target / (double)d);
	if (count < 8)
		count = 8;
	if (!stream_once(cs, m, size, count, &d))
		return;
	if (!d) {
		/* A clock that never moved cannot time anything. */
		r->status = ROW_FAILED;
		snprintf(r->reason, sizeof(r->reason),
			 "%llu messages took no measurable time",
			 (unsigned long long)count);
		return;
	}
	r->status = ROW_OK;
	r->verified = true;
	r->iterations = count;
	r->msgs_per_s = (double)count * 1e9 / (double)d;
	r->bytes_per_s = r->msgs_per_s * (double)size;
}

/* ---- the driver's side ---------------------------------------------- */

static void init_row(struct row *r, const struct mech *m, enum bench_kind b,
		     size_t size, int threads)
{
	memset(r, 0, sizeof(*r));
	r->bench = b;
	snprintf(r->impl, sizeof(r->impl), "%s", m->name);
	r->size = size;
	r->threads = threads;
	r->median_ns = r->p99_ns = r->mean_ns = r->timer_ns = NAN;
	r->msgs_per_s = r->bytes_per_s = NAN;
}

/* Run @fn in a case process; wait for it with a timeout. */
static void run_case(struct row *r, struct row *on,
		     void (*fn)(struct case_shm *, void *), void *arg)
{
	struct case_shm *cs = shm_alloc(sizeof(*cs));
	struct pollfd p;
	int pidfd, status, ms;
	pid_t pid;

	if (!cs) {
		r->status = ROW_FAILED;
		snprintf(r->reason, sizeof(r->reason), "out of memory");
		return;
	}
	cs->row = *r;
	cs->row.status = ROW_FAILED;
	snprintf(cs->row.reason, sizeof(cs->row.reason), "case process died");
	if (on)
		cs->on = *on;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* a group of its own, so a timeout kills the whole case */
		setpgid(0, 0);
		fn(cs, arg);
		_exit(0);
	}
	if (pid < 0) {
		*r = cs->row;
		if (on)
			*on = *r;
		munmap(cs, sizeof(*cs));
		return;
	}
	setpgid(pid, pid);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ms = (int)(opts.timeout_s * 1000);
	if (pidfd >= 0) {
		p.fd = pidfd;
		p.events = POLLIN;
		while (poll(&p, 1, ms) < 0 && errno == EINTR)
			;
		close(pidfd);
	}
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		cs->row.status = ROW_FAILED;
		snprintf(cs->row.reason, sizeof(cs->row.reason),
			 "timed out after %.0f s", opts.timeout_s);
	} else {
		/* leftovers of a failed case (its server), if any */
		kill(-pid, SIGKILL);
	}
	*r = cs->row;
	if (on) {
		/* Both halves pass or fail together: one case checked them. */
		struct row measured = cs->on;

		*on = *r;
		if (r->status == ROW_OK) {
			on->iterations = measured.iterations;
			on->timer_ns = measured.timer_ns;
			on->median_ns = measured.median_ns;
			on->p99_ns = measured.p99_ns;
			on->mean_ns = measured.mean_ns;
			on->msgs_per_s = measured.msgs_per_s;
		}
	}
	munmap(cs, sizeof(*cs));
}

struct call_args {
	const struct mech *m;
	enum bench_kind b;
	size_t size;
	int threads;
};

static void call_case_fn(struct case_shm *cs, void *arg)
{
	struct call_args *a = arg;

	call_case(cs, a->m, a->b, a->size, a->threads);
}

static bool skip_reason(struct row *r, const struct mech *m,
			enum bench_kind b, size_t size)
{
	const char *why = m->probe ? m->probe() : NULL;

	if (!why && m->size_ok)
		why = m->size_ok(size, b);
	if (!why)
		return false;
	r->status = ROW_SKIPPED;
	snprintf(r->reason, sizeof(r->reason), "%s", why);
	return true;
}

void run_call_case(const struct mech *m, enum bench_kind b, size_t size,
		   int threads, struct row *r, struct row *on)
{
	struct call_args a = { m, b, size, threads };

	init_row(r, m, b, size, threads);
	if (on)
		init_row(on, m, b, size, threads);
	if (skip_reason(r, m, b, size)) {
		if (on)
			*on = *r;
		return;
	}
	run_case(r, on, call_case_fn, &a);
}

struct stream_args {
	const struct mech *m;
	size_t size;
};

static void stream_case_fn(struct case_shm *cs, void *arg)
{
	struct stream_args *a = arg;

	stream_case(cs, a->m, a->size);
}

void run_stream_case(const struct mech *m, size_t size, struct row *r)
{
	struct stream_args a = { m, size };

	init_row(r, m, BENCH_STREAM, size, 1);
	if (skip_reason(r, m, BENCH_STREAM, size))
		return;
	run_case(r, NULL, stream_case_fn, &a);
}
