// SPDX-License-Identifier: GPL-2.0
/*
 * kipc statistics over generic netlink, read through libkipc (libnl-3):
 * counters move by exactly what the test does, dumps of thousands of doors
 * paginate and stay consistent while doors come and go, visibility as an
 * unprivileged user and across IPC namespaces, events of each kind, the
 * stats switch, and kipcstat's JSON against the library's numbers.
 *
 * The tests run one at a time in a guest where nothing else uses kipc, so
 * global counters move only by what a test does.
 */
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kipc_test.h"
#include "door_util.h"
#include "chan_test.h"

#define NAMES_DIR	"/run/kipc"

static int open_stats(struct __test_metadata *_metadata, struct kipc_stats **s)
{
	int ret = kipc_stats_open(s);

	if (ret == -ENOENT)
		return ret;
	ASSERT_EQ(0, ret);
	return 0;
}

#define KIPC_REQUIRE_STATS(s) do {					\
	KIPC_REQUIRE_DEVICE();						\
	if (open_stats(_metadata, &(s)))				\
		SKIP(return, "no generic netlink family kipc");		\
} while (0)

/* A door served by @n threads of this process, with procedure @proc. */
struct served {
	struct door_server srv;
	int door;
	uint64_t id;
};

static int served_start(struct served *sv, int proc, unsigned int attrs,
			int n)
{
	int ret = door_server_start(&sv->srv, n, NULL);

	if (ret)
		return ret;
	sv->door = door_create(&sv->srv, proc, attrs, &sv->id);
	return sv->door < 0 ? sv->door : 0;
}

static void served_stop(struct served *sv)
{
	if (sv->door >= 0)
		close(sv->door);
	door_server_stop(&sv->srv);
}

/* Wait until @n server threads of the door are idle (they start async). */
static int wait_idle(struct kipc_stats *s, uint64_t id, unsigned int n)
{
	struct kipc_stats_door d;

	for (int i = 0; i < 500; i++) {
		if (!kipc_stats_door(s, id, &d) && d.idle_threads >= n)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

TEST(family_answers)
{
	struct kipc_stats_global g;
	struct kipc_stats_hist h;
	struct kipc_stats *s;
	uint64_t sum = 0;

	KIPC_REQUIRE_STATS(s);
	ASSERT_EQ(0, kipc_stats_global(s, &g));
	EXPECT_TRUE(g.enabled);
	ASSERT_EQ(0, kipc_stats_hist(s, &h));
	for (int i = 0; i < KIPC_STATS_HIST_BUCKETS; i++)
		sum += h.buckets[i];
	EXPECT_EQ(h.count, sum);
	/* A door that never existed, and id 0 which the policy refuses. */
	struct kipc_stats_door d;

	EXPECT_EQ(-ENOENT, kipc_stats_door(s, UINT64_MAX - 1, &d));
	/* The policy of the id: at least 1 (the kernel says ERANGE). */
	EXPECT_EQ(-ERANGE, kipc_stats_door(s, 0, &d));
	kipc_stats_close(s);
}

TEST(calls_and_bytes_are_counted_exactly)
{
	struct kipc_stats_global g0, g1;
	struct kipc_stats_hist h0, h1;
	struct kipc_stats_door d0, d1;
	struct kipc_stats *s;
	struct served sv;
	char arg[100], res[128];
	const int n = 25;

	KIPC_REQUIRE_STATS(s);
	ASSERT_EQ(0, served_start(&sv, PROC_ECHO, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	memset(arg, 'x', sizeof(arg));

	ASSERT_EQ(0, kipc_stats_global(s, &g0));
	ASSERT_EQ(0, kipc_stats_hist(s, &h0));
	ASSERT_EQ(0, kipc_stats_door(s, sv.id, &d0));
	EXPECT_EQ(0, d0.calls);
	for (int i = 0; i < n; i++)
		ASSERT_EQ(0, door_call(sv.door, arg, sizeof(arg), res,
				       sizeof(res), NULL));
	ASSERT_EQ(0, kipc_stats_global(s, &g1));
	ASSERT_EQ(0, kipc_stats_hist(s, &h1));
	ASSERT_EQ(0, kipc_stats_door(s, sv.id, &d1));

	EXPECT_EQ(n, g1.door_calls - g0.door_calls);
	EXPECT_EQ(0, g1.door_errors_total - g0.door_errors_total);
	EXPECT_EQ(n * sizeof(arg), g1.door_bytes_in - g0.door_bytes_in);
	EXPECT_EQ(n * sizeof(arg), g1.door_bytes_out - g0.door_bytes_out);
	EXPECT_EQ(n, (g1.door_handoffs - g0.door_handoffs) +
		     (g1.door_queued - g0.door_queued));
	EXPECT_EQ(n, h1.count - h0.count);
	{
		uint64_t moved = 0;

		for (int i = 0; i < KIPC_STATS_HIST_BUCKETS; i++)
			moved += h1.buckets[i] - h0.buckets[i];
		EXPECT_EQ(n, moved);
		EXPECT_GT(h1.sum_ns, h0.sum_ns);
	}
	EXPECT_EQ(n, d1.calls);
	EXPECT_EQ(0, d1.errors);
	EXPECT_EQ(n * sizeof(arg), d1.bytes_in);
	EXPECT_EQ(n * sizeof(arg), d1.bytes_out);
	EXPECT_EQ(getpid(), d1.pid);
	EXPECT_EQ(geteuid(), d1.uid);
	EXPECT_EQ(1, d1.threads);
	served_stop(&sv);
	kipc_stats_close(s);
}

/* The histogram's buckets @h1 has more of than @h0, outside [@lo, @hi). */
static uint64_t hist_moved_outside(const struct kipc_stats_hist *h0,
				   const struct kipc_stats_hist *h1,
				   int lo, int hi)
{
	uint64_t out = 0;

	for (int i = 0; i < KIPC_STATS_HIST_BUCKETS; i++)
		if (i < lo || i >= hi)
			out += h1->buckets[i] - h0->buckets[i];
	return out;
}

/*
 * The clocksource, when it says that the kernel's local_clock() cannot time
 * a null call: one that counts ticks (the sched clock then counts jiffies
 * too) or the x86 fallbacks taken when the TSC is unusable (the sched clock
 * then stands still at the end of each tick it runs late).  NULL otherwise.
 */
static const char *coarse_clocksource(void)
{
	static const char *const coarse[] = {
		"jiffies", "refined-jiffies", "hpet", "acpi_pm", NULL
	};
	static char name[64];
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			"r");
	bool found = f && fgets(name, sizeof(name), f);

	if (f)
		fclose(f);
	if (!found)
		return NULL;
	name[strcspn(name, "\n")] = 0;
	for (int i = 0; coarse[i]; i++)
		if (!strcmp(name, coarse[i]))
			return name;
	return NULL;
}

/*
 * A round trip ends when the caller finds the call answered: at the last
 * clock reading of its busy-wait, or at its own reading when it slept.
 * Null calls (answered while their callers busy-wait) land between 256 ns
 * and a second, not in bucket 0 (what an end before the start would give);
 * calls whose server sleeps 30 ms (their callers give up busy-waiting and
 * sleep) at 2^24 ns (16.8 ms) or more.  Under a clock that counts ticks a
 * null call takes no time and a 30 ms one a tick less than it did: only
 * the slow calls' buckets are checked then.
 */
TEST(round_trips_land_in_their_buckets)
{
	struct kipc_stats_hist h0, h1;
	struct kipc_stats *s;
	struct served sv;
	const int n = 20, slow = 3;
	const char *coarse = coarse_clocksource();
	uint32_t ms = 30;
	char res[16];

	KIPC_REQUIRE_STATS(s);
	if (coarse)
		TH_LOG("clocksource %s: null calls' times not checked", coarse);
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	ASSERT_EQ(0, kipc_stats_hist(s, &h0));
	for (int i = 0; i < n; i++)
		ASSERT_EQ(0, door_call(sv.door, NULL, 0, NULL, 0, NULL));
	ASSERT_EQ(0, kipc_stats_hist(s, &h1));
	EXPECT_EQ(n, h1.count - h0.count);
	if (!coarse)
		EXPECT_EQ(0, hist_moved_outside(&h0, &h1, 8, 30));
	served_stop(&sv);

	ASSERT_EQ(0, served_start(&sv, PROC_SLEEP, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	ASSERT_EQ(0, kipc_stats_hist(s, &h0));
	for (int i = 0; i < slow; i++)
		ASSERT_EQ(0, door_call(sv.door, &ms, sizeof(ms), res,
				       sizeof(res), NULL));
	ASSERT_EQ(0, kipc_stats_hist(s, &h1));
	EXPECT_EQ(slow, h1.count - h0.count);
	EXPECT_EQ(0, hist_moved_outside(&h0, &h1, 24, 34));
	if (!coarse)
		EXPECT_LE((uint64_t)slow * ms * 1000000, h1.sum_ns - h0.sum_ns);
	served_stop(&sv);
	kipc_stats_close(s);
}

TEST(errors_are_counted_by_kind)
{
	struct kipc_stats_global g0, g1;
	struct kipc_stats_door d;
	struct kipc_stats *s;
	struct served sv, idle;
	struct kipc_door_call c;
	char arg[8] = { 0 };

	KIPC_REQUIRE_STATS(s);
	/* A door with no server thread at all: NONBLOCK calls get EAGAIN. */
	ASSERT_EQ(0, served_start(&idle, PROC_NULL, 0, 0));
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	ASSERT_EQ(0, kipc_stats_global(s, &g0));

	memset(&c, 0, sizeof(c));
	c.flags = KIPC_CALL_NONBLOCK;
	EXPECT_EQ(-EAGAIN, kipc_door_call(idle.door, &c));
	EXPECT_EQ(-EAGAIN, kipc_door_call(idle.door, &c));
	/* A limit: at most 1 byte of arguments. */
	ASSERT_EQ(0, kipc_door_setparam(sv.door, KIPC_DOOR_PARAM_DATA_MAX, 1));
	EXPECT_EQ(-ENOBUFS, door_call(sv.door, arg, sizeof(arg), NULL, 0,
				      NULL));
	/* A bad pointer. */
	EXPECT_EQ(-EFAULT, door_call(sv.door, (void *)8, 1, NULL, 0, NULL));
	/* Revoked. */
	ASSERT_EQ(0, kipc_door_revoke(sv.door));
	EXPECT_EQ(-EBADF, door_call(sv.door, NULL, 0, NULL, 0, NULL));

	ASSERT_EQ(0, kipc_stats_global(s, &g1));
	EXPECT_EQ(5, g1.door_calls - g0.door_calls);
	EXPECT_EQ(5, g1.door_errors_total - g0.door_errors_total);
	EXPECT_EQ(2, g1.door_errors[KIPC_STATS_EAGAIN] -
		     g0.door_errors[KIPC_STATS_EAGAIN]);
	EXPECT_EQ(1, g1.door_errors[KIPC_STATS_ELIMIT] -
		     g0.door_errors[KIPC_STATS_ELIMIT]);
	EXPECT_EQ(1, g1.door_errors[KIPC_STATS_EFAULT] -
		     g0.door_errors[KIPC_STATS_EFAULT]);
	EXPECT_EQ(1, g1.door_errors[KIPC_STATS_EBADF] -
		     g0.door_errors[KIPC_STATS_EBADF]);
	EXPECT_EQ(0, g1.door_bytes_in - g0.door_bytes_in);

	ASSERT_EQ(0, kipc_stats_door(s, sv.id, &d));
	EXPECT_EQ(3, d.calls);
	EXPECT_EQ(3, d.errors);
	EXPECT_TRUE(d.attributes & KIPC_DOOR_REVOKED);
	EXPECT_EQ(0, d.pid);
	ASSERT_EQ(0, kipc_stats_door(s, idle.id, &d));
	EXPECT_EQ(2, d.errors);
	served_stop(&sv);
	served_stop(&idle);
	kipc_stats_close(s);
}

TEST(doors_created_and_live)
{
	struct kipc_stats_global g0, g1, g2;
	struct kipc_stats *s;
	struct door_server srv;
	int fds[10];

	KIPC_REQUIRE_STATS(s);
	ASSERT_EQ(0, door_server_start(&srv, 0, NULL));
	ASSERT_EQ(0, kipc_stats_global(s, &g0));
	for (int i = 0; i < 10; i++)
		ASSERT_LE(0, fds[i] = door_create(&srv, PROC_NULL, 0, NULL));
	ASSERT_EQ(0, kipc_stats_global(s, &g1));
	EXPECT_EQ(10, g1.door_created - g0.door_created);
	EXPECT_EQ(10, g1.door_live - g0.door_live);
	for (int i = 0; i < 10; i++)
		close(fds[i]);
	ASSERT_EQ(0, kipc_stats_global(s, &g2));
	EXPECT_EQ(10, g2.door_created - g0.door_created);
	EXPECT_EQ(0, g2.door_live - g0.door_live);
	door_server_stop(&srv);
	kipc_stats_close(s);
}

/* Dump collection: the objects of a pid, and whether ids increase. */
struct dump_seen {
	pid_t pid;
	uint64_t last_id;
	unsigned int mine, total;
	bool ordered;
	uint64_t *ids;
	unsigned int nr_ids, max_ids;
};

/* One object of a dump (a door or a channel), owned by @pid. */
static void dump_saw(struct dump_seen *seen, uint64_t id, pid_t pid)
{
	if (id <= seen->last_id)
		seen->ordered = false;
	seen->last_id = id;
	seen->total++;
	if (pid == seen->pid) {
		seen->mine++;
		if (seen->ids && seen->nr_ids < seen->max_ids)
			seen->ids[seen->nr_ids++] = id;
	}
}

static int collect(const struct kipc_stats_door *d, void *arg)
{
	dump_saw(arg, d->id, (pid_t)d->pid);
	return 0;
}

static int collect_chan_ids(const struct kipc_stats_chan *c, void *arg)
{
	dump_saw(arg, c->id, (pid_t)c->pid);
	return 0;
}

static void raise_nofile(unsigned int want)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

TEST(dump_of_thousands_of_doors)
{
	const unsigned int n = 3000;
	struct dump_seen seen = { .pid = getpid(), .ordered = true };
	struct door_server srv;
	struct kipc_stats *s;
	uint64_t *ids;
	int *fds;

	KIPC_REQUIRE_STATS(s);
	raise_nofile(n + 200);
	fds = calloc(n, sizeof(*fds));
	ids = calloc(n, sizeof(*ids));
	ASSERT_TRUE(fds && ids);
	ASSERT_EQ(0, door_server_start(&srv, 0, NULL));
	for (unsigned int i = 0; i < n; i++) {
		fds[i] = door_create(&srv, PROC_NULL, 0, &ids[i]);
		if (fds[i] == -EMFILE)
			SKIP(return, "cannot have %u descriptors", n);
		ASSERT_LE(0, fds[i]);
	}
	seen.ids = calloc(n, sizeof(uint64_t));
	seen.max_ids = n;
	ASSERT_EQ(0, kipc_stats_doors(s, collect, &seen));
	EXPECT_TRUE(seen.ordered);
	EXPECT_EQ(n, seen.mine);
	/* Each of ours exactly once, in creation (id) order. */
	ASSERT_EQ(n, seen.nr_ids);
	for (unsigned int i = 0; i < n; i++)
		ASSERT_EQ(ids[i], seen.ids[i]);
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
	door_server_stop(&srv);
	free(seen.ids);
	free(fds);
	free(ids);
	kipc_stats_close(s);
}

/* Doors created and closed by another thread while dumps run. */
struct churn {
	struct door_server *srv;
	volatile bool stop;
	unsigned long rounds;
};

static void *churn_thread(void *arg)
{
	struct churn *ch = arg;

	while (!ch->stop) {
		int fds[16];

		for (int i = 0; i < 16; i++)
			fds[i] = door_create(ch->srv, PROC_NULL, 0, NULL);
		for (int i = 0; i < 16; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		ch->rounds++;
	}
	return NULL;
}

TEST(dump_is_consistent_while_doors_come_and_go)
{
	const unsigned int n = 1500;
	struct door_server srv, churner;
	struct churn ch = { .srv = &churner };
	struct kipc_stats *s;
	pthread_t t;
	int *fds;

	KIPC_REQUIRE_STATS(s);
	raise_nofile(n + 300);
	fds = calloc(n, sizeof(*fds));
	ASSERT_TRUE(fds != NULL);
	/* The stable doors belong to this process, the churn to a context
	 * of the same process too: told apart by the ids they got.
	 */
	ASSERT_EQ(0, door_server_start(&srv, 0, NULL));
	ASSERT_EQ(0, door_server_start(&churner, 0, NULL));
	uint64_t *ids = calloc(n, sizeof(*ids));

	for (unsigned int i = 0; i < n; i++) {
		fds[i] = door_create(&srv, PROC_NULL, 0, &ids[i]);
		if (fds[i] == -EMFILE)
			SKIP(return, "cannot have %u descriptors", n);
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, churn_thread, &ch));
	for (int round = 0; round < 5; round++) {
		struct dump_seen seen = { .pid = getpid(), .ordered = true };
		unsigned int found = 0, j = 0;

		seen.ids = calloc(n * 4, sizeof(uint64_t));
		seen.max_ids = n * 4;
		ASSERT_EQ(0, kipc_stats_doors(s, collect, &seen));
		EXPECT_TRUE(seen.ordered);	/* so never twice */
		/* Every stable door, whatever the churn did. */
		for (unsigned int i = 0; i < seen.nr_ids && j < n; i++)
			if (seen.ids[i] == ids[j]) {
				found++;
				j++;
			}
		EXPECT_EQ(n, found);
		free(seen.ids);
	}
	ch.stop = true;
	pthread_join(t, NULL);
	EXPECT_GT(ch.rounds, 0);
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
	door_server_stop(&churner);
	door_server_stop(&srv);
	free(fds);
	free(ids);
	kipc_stats_close(s);
}

TEST(door_name_is_reported)
{
	struct kipc_stats_door d;
	struct kipc_stats *s;
	struct served sv;
	char path[64];
	int fd;

	KIPC_REQUIRE_STATS(s);
	if (access(NAMES_DIR, W_OK))
		SKIP(return, "no kipcfs on " NAMES_DIR);
	snprintf(path, sizeof(path), NAMES_DIR "/stats-name-%d", getpid());
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 0));
	ASSERT_EQ(0, kipc_stats_door(s, sv.id, &d));
	EXPECT_STREQ("", d.name);
	ASSERT_EQ(0, kipc_door_attach(&sv.srv.k, sv.door, path));
	ASSERT_EQ(0, kipc_stats_door(s, sv.id, &d));
	EXPECT_STREQ(path + strlen(NAMES_DIR), d.name);
	ASSERT_EQ(0, kipc_door_detach(&sv.srv.k, path));
	ASSERT_EQ(0, kipc_stats_door(s, sv.id, &d));
	EXPECT_STREQ("", d.name);
	unlink(path);
	served_stop(&sv);
	kipc_stats_close(s);
}

/*
 * In a child: drop to nobody, then report what the statistics show.  The
 * parent's door must be invisible, the child's own visible.  Exit codes
 * say which check failed.
 */
static int unprivileged_child(uint64_t root_door)
{
	struct kipc_stats_global g;
	struct dump_seen seen = { .pid = getpid(), .ordered = true };
	struct kipc_stats_door d;
	struct door_server srv;
	struct kipc_stats *s;
	uint64_t mine;
	int fd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return 10;
	if (kipc_stats_open(&s))
		return 11;
	if (kipc_stats_global(s, &g) || !g.enabled)
		return 12;
	if (kipc_stats_door(s, root_door, &d) != -ENOENT)
		return 13;
	if (door_server_start(&srv, 0, NULL))
		return 14;
	fd = door_create(&srv, PROC_NULL, 0, &mine);
	if (fd < 0)
		return 15;
	if (kipc_stats_door(s, mine, &d) || d.uid != 65534)
		return 16;
	if (kipc_stats_doors(s, collect, &seen) || seen.mine != 1 ||
	    seen.total != 1)
		return 17;
	/* Events concern everybody's objects: administrators only. */
	if (kipc_stats_subscribe(s) != -EPERM)
		return 18;
	close(fd);
	door_server_stop(&srv);
	kipc_stats_close(s);
	return 0;
}

static int run_child(int (*fn)(uint64_t), uint64_t arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(unprivileged_user_sees_only_its_own_doors)
{
	struct kipc_stats *s;
	struct served sv;

	KIPC_REQUIRE_STATS(s);
	if (geteuid())
		SKIP(return, "needs root to become another user");
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 0));
	EXPECT_EQ(0, run_child(unprivileged_child, sv.id));
	served_stop(&sv);
	kipc_stats_close(s);
}

/* In a new IPC namespace: the parent's doors are not there. */
static int ipcns_child(uint64_t parent_door)
{
	struct dump_seen seen = { .pid = getpid(), .ordered = true };
	struct kipc_stats_door d;
	struct door_server srv;
	struct kipc_stats *s;
	uint64_t mine;
	int fd;

	if (unshare(CLONE_NEWIPC))
		return 4;	/* the parent skips */
	if (kipc_stats_open(&s))
		return 11;
	if (kipc_stats_door(s, parent_door, &d) != -ENOENT)
		return 12;
	if (door_server_start(&srv, 0, NULL))
		return 13;
	fd = door_create(&srv, PROC_NULL, 0, &mine);
	if (fd < 0)
		return 14;
	if (kipc_stats_door(s, mine, &d))
		return 15;
	/* Only the door of this namespace, though we are root. */
	if (kipc_stats_doors(s, collect, &seen) || seen.total != 1 ||
	    seen.mine != 1)
		return 16;
	/* Tell the parent the id, then wait for it to look. */
	printf("# child door %llu\n", (unsigned long long)mine);
	fflush(stdout);
	if (write(3, &mine, sizeof(mine)) != sizeof(mine))
		return 17;
	{
		char c;

		if (read(4, &c, 1) != 1)
			return 18;
	}
	close(fd);
	door_server_stop(&srv);
	kipc_stats_close(s);
	return 0;
}

TEST(ipc_namespaces_do_not_see_each_other)
{
	struct kipc_stats_door d;
	struct kipc_stats *s;
	struct served sv;
	int up[2], down[2], status;
	uint64_t child_door;
	pid_t pid;

	KIPC_REQUIRE_STATS(s);
	if (geteuid())
		SKIP(return, "needs CAP_SYS_ADMIN for unshare(CLONE_NEWIPC)");
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 0));
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(up[1], 3);
		dup2(down[0], 4);
		_exit(ipcns_child(sv.id));
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &child_door, sizeof(child_door)) ==
	    sizeof(child_door)) {
		/* Root here, but the child's door is of another namespace. */
		EXPECT_EQ(-ENOENT, kipc_stats_door(s, child_door, &d));
		EXPECT_EQ(0, kipc_stats_door(s, sv.id, &d));
	}
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 4)
		SKIP(return, "no IPC namespaces");
	EXPECT_EQ(0, WEXITSTATUS(status));
	served_stop(&sv);
	kipc_stats_close(s);
}

/* The next event of @type about @door_id, within a few seconds. */
static int expect_event(struct kipc_stats *s, uint32_t type, uint64_t door_id,
			struct kipc_stats_event *out)
{
	struct kipc_stats_event ev;
	int ret;

	for (int i = 0; i < 100; i++) {
		ret = kipc_stats_event(s, &ev, 3000);
		if (ret)
			return ret;
		if (ev.type == type && (!door_id || ev.door_id == door_id)) {
			if (out)
				*out = ev;
			return 0;
		}
	}
	return -ENOENT;
}

TEST(events_of_each_door_kind)
{
	struct kipc_stats_event ev;
	struct kipc_stats *s;
	struct served sv, one;
	struct door_shared *shared;
	char path[64];
	pid_t child;
	int fd, ext;

	KIPC_REQUIRE_STATS(s);
	if (geteuid())
		SKIP(return, "the events group needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, kipc_stats_subscribe(s));
	ASSERT_LE(0, kipc_stats_event_fd(s));

	/* created, then revoked by its server */
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, KIPC_DOOR_UNREF, 0));
	ASSERT_EQ(0, expect_event(s, KIPC_STATS_EV_DOOR_CREATED, sv.id, &ev));
	EXPECT_EQ(getpid(), ev.pid);
	EXPECT_TRUE(ev.attributes & KIPC_DOOR_UNREF);

	/* unreferenced: an external reference comes and goes */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sv.door);
	ext = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ext);
	close(ext);
	ASSERT_EQ(0, expect_event(s, KIPC_STATS_EV_DOOR_UNREFERENCED, sv.id,
				  NULL));

	ASSERT_EQ(0, kipc_door_revoke(sv.door));
	ASSERT_EQ(0, expect_event(s, KIPC_STATS_EV_DOOR_REVOKED, sv.id, &ev));
	EXPECT_TRUE(ev.attributes & KIPC_DOOR_REVOKED);
	served_stop(&sv);

	/* pool depleted: the only server thread takes a call */
	ASSERT_EQ(0, served_start(&one, PROC_NULL, 0, 1));
	ASSERT_EQ(0, wait_idle(s, one.id, 1));
	ASSERT_EQ(0, door_call(one.door, NULL, 0, NULL, 0, NULL));
	ASSERT_EQ(0, expect_event(s, KIPC_STATS_EV_POOL_DEPLETED, one.id,
				  NULL));
	served_stop(&one);

	/* server died: a server process is killed */
	shared = door_shared_new();
	ASSERT_TRUE(shared != NULL);
	fd = door_fork_server(PROC_NULL, 0, 1, shared, NULL, &child);
	ASSERT_LE(0, fd);
	{
		struct kipc_door_info info;

		ASSERT_EQ(0, kipc_door_info(fd, &info));
		door_fork_server_kill(child);
		ASSERT_EQ(0, expect_event(s, KIPC_STATS_EV_DOOR_SERVER_DIED,
					  info.id, &ev));
		EXPECT_EQ(child, ev.pid);
	}
	close(fd);
	kipc_stats_close(s);
}

/* Our channel in a dump: the first with our pid, and how many. */
struct chan_seen {
	pid_t pid;
	unsigned int mine;
	struct kipc_stats_chan chan;
};

static int collect_chan(const struct kipc_stats_chan *c, void *arg)
{
	struct chan_seen *seen = arg;

	if ((pid_t)c->pid == seen->pid && !seen->mine++)
		seen->chan = *c;
	return 0;
}

/* Send @n messages of @len bytes from @tx to @rx, each received. */
static int chan_traffic(struct kipc_chan_tx *tx, struct kipc_chan_rx *rx,
			int n, uint32_t len)
{
	struct kipc_chan_buf buf;
	struct kipc_chan_msg msg;
	int ret;

	for (int i = 0; i < n; i++) {
		ret = kipc_chan_loan(tx, len, &buf);
		if (ret)
			return ret;
		memset(buf.data, i, len);
		ret = kipc_chan_send(tx, &buf);
		if (ret)
			return ret;
		if (kipc_chan_recv(rx, &msg) != 1 || msg.len != len)
			return -EIO;
		ret = kipc_chan_release(rx, &msg);
		if (ret)
			return ret;
	}
	return 0;
}

TEST(channels_are_counted_dumped_and_reported)
{
	struct chan_seen seen = { .pid = getpid() };
	struct kipc_stats_global g0, g1, g2;
	struct kipc_stats_event ev;
	struct kipc_chan_rx rx;
	struct kipc_chan_tx tx;
	struct kipc_stats *s;
	struct kipc k;
	bool rx_ep = false, tx_ep = false;
	bool events;
	int conn;

	KIPC_REQUIRE_STATS(s);
	if (kipc_open(&k, KIPC_FEATURE_CHANNELS))
		SKIP(return, "kipc.ko does not offer channels");
	events = !geteuid() && !kipc_stats_subscribe(s);
	ASSERT_EQ(0, kipc_stats_global(s, &g0));
	ASSERT_EQ(0, chan_make(&k, NULL, &rx, &conn));
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	ASSERT_EQ(0, chan_traffic(&tx, &rx, 10, 100));
	ASSERT_EQ(0, kipc_stats_global(s, &g1));
	EXPECT_EQ(1, g1.chan_created - g0.chan_created);
	EXPECT_EQ(1, g1.chan_live - g0.chan_live);
	EXPECT_EQ(10, g1.chan_messages - g0.chan_messages);
	EXPECT_EQ(1000, g1.chan_bytes - g0.chan_bytes);
	EXPECT_GT(g1.chan_memory, g0.chan_memory);
	EXPECT_GT(g1.chan_memory_user, 0);

	ASSERT_EQ(0, kipc_stats_chans(s, collect_chan, &seen));
	ASSERT_EQ(1, seen.mine);
	EXPECT_EQ(10, seen.chan.messages);
	EXPECT_EQ(1000, seen.chan.bytes);
	EXPECT_EQ(0, seen.chan.depth);
	EXPECT_EQ(1, seen.chan.senders);
	EXPECT_EQ(1, seen.chan.live_senders);
	EXPECT_EQ(1, seen.chan.connects);
	EXPECT_EQ(geteuid(), seen.chan.uid);
	EXPECT_FALSE(seen.chan.rx_closed);
	EXPECT_GT(seen.chan.memory, 0);
	for (unsigned int i = 0; i < seen.chan.nr_endpoints; i++) {
		EXPECT_EQ(getpid(), seen.chan.endpoints[i].pid);
		if (seen.chan.endpoints[i].role == KIPC_STATS_RECEIVER)
			rx_ep = true;
		if (seen.chan.endpoints[i].role == KIPC_STATS_SENDER)
			tx_ep = true;
	}
	EXPECT_TRUE(rx_ep && tx_ep);
	if (events)
		EXPECT_EQ(0, expect_event(s, KIPC_STATS_EV_CHAN_CREATED, 0,
					  &ev));
	if (events)
		EXPECT_EQ(seen.chan.id, ev.chan_id);

	/* The last writer goes: the connector, then the sender. */
	close(conn);
	kipc_chan_tx_close(&tx);
	if (events) {
		EXPECT_EQ(0, expect_event(s, KIPC_STATS_EV_CHAN_PEER_CLOSED, 0,
					  &ev));
		EXPECT_EQ(seen.chan.id, ev.chan_id);
	}
	kipc_chan_rx_close(&rx);
	ASSERT_EQ(0, kipc_stats_global(s, &g2));
	EXPECT_EQ(0, g2.chan_live - g0.chan_live);
	/* What a channel counted outlives it. */
	EXPECT_EQ(10, g2.chan_messages - g0.chan_messages);
	EXPECT_EQ(1000, g2.chan_bytes - g0.chan_bytes);
	kipc_close(&k);
	kipc_stats_close(s);
	if (!events)
		SKIP(return, "channel events need CAP_SYS_ADMIN");
}

TEST(peer_closed_when_the_receiver_detaches_the_last_sender)
{
	struct kipc_stats_event ev;
	struct kipc_chan_rx rx;
	struct kipc_chan_tx tx;
	struct kipc_stats *s;
	struct kipc k;
	uint64_t id;
	int conn;

	KIPC_REQUIRE_STATS(s);
	if (geteuid())
		SKIP(return, "channel events need CAP_SYS_ADMIN");
	if (chan_ctx(&k))
		SKIP(return, "kipc.ko does not offer channels");
	ASSERT_EQ(0, kipc_stats_subscribe(s));
	ASSERT_EQ(0, chan_make(&k, NULL, &rx, &conn));
	ASSERT_EQ(0, expect_event(s, KIPC_STATS_EV_CHAN_CREATED, 0, &ev));
	id = ev.chan_id;
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	close(conn);
	ASSERT_EQ(0, chan_traffic(&tx, &rx, 1, 64));
	/* The sender is still open: only the receiver ends the channel. */
	ASSERT_EQ(0, kipc_chan_disconnect(&rx, tx.id));
	ASSERT_EQ(0, expect_event(s, KIPC_STATS_EV_CHAN_PEER_CLOSED, 0, &ev));
	EXPECT_EQ(id, ev.chan_id);
	EXPECT_EQ(getpid(), ev.pid);
	/* Its own close afterwards ends nothing more. */
	kipc_chan_tx_close(&tx);
	EXPECT_EQ(-ETIMEDOUT, kipc_stats_event(s, &ev, 200));
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
	kipc_stats_close(s);
}

TEST(dump_of_thousands_of_channels)
{
	const unsigned int n = 2000;
	struct dump_seen ci = { .pid = getpid(), .ordered = true };
	struct chan_seen first = { .pid = getpid() };
	struct kipc_stats *s;
	struct kipc k;
	int *fds, conn, ret;

	KIPC_REQUIRE_STATS(s);
	if (chan_ctx(&k))
		SKIP(return, "kipc.ko does not offer channels");
	raise_nofile(n + 200);
	fds = calloc(n, sizeof(*fds));
	ci.ids = calloc(n + 1, sizeof(*ci.ids));
	ci.max_ids = n + 1;
	ASSERT_TRUE(fds && ci.ids);
	for (unsigned int i = 0; i < n; i++) {
		ret = kipc_chan_create(&k, NULL, &fds[i], &conn);
		if (ret == -EMFILE)
			SKIP(return, "cannot have %u descriptors", n);
		ASSERT_EQ(0, ret);
		/* The receiver keeps a channel alive on its own. */
		close(conn);
	}
	ASSERT_EQ(0, kipc_stats_chans(s, collect_chan_ids, &ci));
	EXPECT_TRUE(ci.ordered);
	/* Each of ours exactly once: n of them, ids strictly increasing. */
	ASSERT_EQ(n, ci.nr_ids);
	for (unsigned int i = 1; i < n; i++)
		ASSERT_LT(ci.ids[i - 1], ci.ids[i]);
	/* The first created is the first of ours in the dump. */
	ASSERT_EQ(0, kipc_stats_chans(s, collect_chan, &first));
	EXPECT_EQ(n, first.mine);
	EXPECT_EQ(ci.ids[0], first.chan.id);
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
	/* Gone with their receivers (a release may finish a moment later). */
	for (int tries = 0; tries < 200; tries++) {
		ci.nr_ids = 0;
		ci.last_id = 0;
		ASSERT_EQ(0, kipc_stats_chans(s, collect_chan_ids, &ci));
		if (!ci.nr_ids)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, ci.nr_ids);
	free(ci.ids);
	free(fds);
	kipc_close(&k);
	kipc_stats_close(s);
}

/* Every channel in a dump: how many, and whether @id was among them. */
struct chan_census {
	uint64_t id;
	unsigned int total;
	bool found;
	uint32_t uid;
};

static int census(const struct kipc_stats_chan *c, void *arg)
{
	struct chan_census *cc = arg;

	cc->total++;
	if (c->id == cc->id) {
		cc->found = true;
		cc->uid = c->uid;
	}
	return 0;
}

/* The id of the only channel of this process in a dump, or 0. */
static uint64_t my_chan_id(struct kipc_stats *s)
{
	struct chan_seen seen = { .pid = getpid() };

	if (kipc_stats_chans(s, collect_chan, &seen) || seen.mine != 1)
		return 0;
	return seen.chan.id;
}

/*
 * In a child, as nobody (@unshare_ipc false) or as root in a new IPC
 * namespace (true): the parent's channel @theirs is not in the dump, a
 * channel of our own is, and it is the only one.  Exit codes say which
 * check failed; 4 means no IPC namespaces.
 */
static int chan_visibility_child(uint64_t theirs, bool unshare_ipc)
{
	struct chan_census cc = { .id = theirs };
	struct kipc_chan_rx rx;
	struct kipc_stats *s;
	struct kipc k;
	uint64_t mine;
	int conn;

	if (unshare_ipc ? unshare(CLONE_NEWIPC) : !chan_become_nobody())
		return unshare_ipc ? 4 : 10;
	if (kipc_stats_open(&s))
		return 11;
	if (kipc_stats_chans(s, census, &cc) || cc.found || cc.total)
		return 12;
	if (chan_ctx(&k) || chan_make(&k, NULL, &rx, &conn))
		return 13;
	mine = my_chan_id(s);
	if (!mine || mine == theirs)
		return 14;
	cc = (struct chan_census){ .id = mine };
	if (kipc_stats_chans(s, census, &cc) || !cc.found || cc.total != 1 ||
	    cc.uid != geteuid())
		return 15;
	close(conn);
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
	kipc_stats_close(s);
	return 0;
}

static int chan_unprivileged_child(uint64_t theirs)
{
	return chan_visibility_child(theirs, false);
}

static int chan_ipcns_child(uint64_t theirs)
{
	return chan_visibility_child(theirs, true);
}

TEST(channels_are_seen_by_their_owner_and_namespace_only)
{
	struct chan_census cc;
	struct kipc_chan_rx rx;
	struct kipc_stats *s;
	struct kipc k;
	uint64_t theirs;
	int conn, ret;

	KIPC_REQUIRE_STATS(s);
	if (geteuid())
		SKIP(return, "needs root to become another user");
	if (chan_ctx(&k))
		SKIP(return, "kipc.ko does not offer channels");
	ASSERT_EQ(0, chan_make(&k, NULL, &rx, &conn));
	theirs = my_chan_id(s);
	ASSERT_NE(0, theirs);
	/* An administrator sees it. */
	cc = (struct chan_census){ .id = theirs };
	ASSERT_EQ(0, kipc_stats_chans(s, census, &cc));
	EXPECT_TRUE(cc.found);
	EXPECT_EQ(0, cc.uid);

	EXPECT_EQ(0, run_child(chan_unprivileged_child, theirs));
	ret = run_child(chan_ipcns_child, theirs);
	close(conn);
	kipc_chan_rx_close(&rx);
	kipc_close(&k);
	kipc_stats_close(s);
	if (ret == 4)
		SKIP(return, "no IPC namespaces");
	EXPECT_EQ(0, ret);
}

TEST(no_events_without_subscription)
{
	struct kipc_stats_event ev;
	struct kipc_stats *s;

	KIPC_REQUIRE_STATS(s);
	EXPECT_EQ(-EBADF, kipc_stats_event_fd(s));
	EXPECT_EQ(-EBADF, kipc_stats_event(s, &ev, 0));
	kipc_stats_close(s);
}

TEST(switch_stops_and_resumes_counting)
{
	struct kipc_stats_global g0, g1, g2;
	struct kipc_stats *s;
	struct served sv;

	KIPC_REQUIRE_STATS(s);
	if (geteuid())
		SKIP(return, "the stats module parameter needs root");
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	ASSERT_EQ(0, kipc_stats_set_enabled(false));
	ASSERT_EQ(0, kipc_stats_global(s, &g0));
	EXPECT_FALSE(g0.enabled);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(0, door_call(sv.door, NULL, 0, NULL, 0, NULL));
	ASSERT_EQ(0, kipc_stats_global(s, &g1));
	ASSERT_EQ(0, kipc_stats_set_enabled(true));
	EXPECT_EQ(g0.door_calls, g1.door_calls);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(0, door_call(sv.door, NULL, 0, NULL, 0, NULL));
	ASSERT_EQ(0, kipc_stats_global(s, &g2));
	EXPECT_TRUE(g2.enabled);
	EXPECT_EQ(5, g2.door_calls - g1.door_calls);
	served_stop(&sv);
	kipc_stats_close(s);
}

/*
 * A minimal JSON syntax check (RFC 8259 values, no semantics): enough to
 * say kipcstat -j prints something a JSON parser accepts.
 */
static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (!*p || !strchr("\"\\/bfnrtu", *p))
				return NULL;
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 32)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';

		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = json_string(json_ws(p));
				if (!p)
					return NULL;
				p = json_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = json_value(p, depth + 1);
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return json_string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		char *end;

		strtod(p, &end);
		return end == p ? NULL : end;
	}
	return NULL;
}

static uint64_t json_number(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtoull(json_ws(p + strlen(pat)), NULL, 10) : UINT64_MAX;
}

/* Where kipcstat is: installed, in the build tree, or beside the test. */
static const char *kipcstat_path(void)
{
	static const char *const tools[] = {
		"/usr/bin/kipcstat", "../../tools/kipcstat", "./kipcstat",
	};

	for (unsigned int i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!access(tools[i], X_OK))
			return tools[i];
	return NULL;
}

TEST(kipcstat_json_matches_the_library)
{
	struct kipc_stats_global g;
	struct kipc_stats *s;
	const char *tool;
	struct served sv;
	char cmd[128], *json;
	size_t len = 0, cap = 1 << 20;
	FILE *f;

	KIPC_REQUIRE_STATS(s);
	tool = kipcstat_path();
	if (!tool)
		SKIP(return, "kipcstat is not installed");
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	for (int i = 0; i < 7; i++)
		ASSERT_EQ(0, door_call(sv.door, NULL, 0, NULL, 0, NULL));

	snprintf(cmd, sizeof(cmd), "%s -j", tool);
	json = malloc(cap);
	ASSERT_TRUE(json != NULL);
	f = popen(cmd, "r");
	ASSERT_TRUE(f != NULL);
	while (len < cap - 1) {
		size_t r = fread(json + len, 1, cap - 1 - len, f);

		if (!r)
			break;
		len += r;
	}
	json[len] = 0;
	ASSERT_EQ(0, pclose(f));
	/* Nothing called a door since: the numbers must be the same. */
	ASSERT_EQ(0, kipc_stats_global(s, &g));

	const char *end = json_value(json, 0);

	ASSERT_TRUE(end != NULL);
	EXPECT_EQ(0, *json_ws(end));
	EXPECT_TRUE(strstr(json, "\"global\":") != NULL);
	EXPECT_TRUE(strstr(json, "\"doors\":") != NULL);
	EXPECT_TRUE(strstr(json, "\"channels\":") != NULL);
	EXPECT_TRUE(strstr(json, "\"histogram\":") != NULL);
	EXPECT_EQ(g.door_calls, json_number(json, "door_calls"));
	EXPECT_EQ(g.chan_messages, json_number(json, "chan_messages"));
	EXPECT_EQ(g.door_bytes_in, json_number(json, "door_bytes_in"));
	EXPECT_EQ(g.door_created, json_number(json, "door_created"));
	free(json);
	served_stop(&sv);
	kipc_stats_close(s);
}

/* Run @cmd, its standard output into a new string (NULL on failure). */
static char *run_output(const char *cmd)
{
	size_t len = 0, cap = 1 << 20;
	char *out = malloc(cap);
	FILE *f;

	if (!out)
		return NULL;
	f = popen(cmd, "r");
	if (!f) {
		free(out);
		return NULL;
	}
	while (len < cap - 1) {
		size_t r = fread(out + len, 1, cap - 1 - len, f);

		if (!r)
			break;
		len += r;
	}
	out[len] = 0;
	if (pclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

#define YNL_DIR	"/usr/lib/kipc/ynl"
#define YNL	"python3 " YNL_DIR "/cli.py --spec " YNL_DIR "/kipc.yaml " \
		"--no-schema --output-json "

/* kipcstat running with @args, its output on *@out; its pid or -1. */
static pid_t kipcstat_start(const char *tool, char *const args[], int *out)
{
	char *argv[8] = { (char *)tool };
	int p[2];
	pid_t pid;

	for (int i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (!pid) {
		dup2(p[1], STDOUT_FILENO);
		execv(tool, argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

/* Lines of output of a child, read with a timeout. */
struct lines {
	int fd;
	size_t len;
	char buf[1 << 16];
	char line[1 << 16];
};

/*
 * The next line of @l into l->line, newline dropped: 0, -ETIMEDOUT when
 * none is complete within @ms, -EPIPE at the end of the output.
 */
static int next_line(struct lines *l, int ms)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	char *nl;
	ssize_t r;

	for (;;) {
		nl = memchr(l->buf, '\n', l->len);
		if (nl) {
			size_t n = nl - l->buf;

			memcpy(l->line, l->buf, n);
			l->line[n] = 0;
			l->len -= n + 1;
			memmove(l->buf, nl + 1, l->len);
			return 0;
		}
		if (l->len == sizeof(l->buf))
			return -E2BIG;
		if (poll(&pfd, 1, ms) <= 0)
			return -ETIMEDOUT;
		r = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (r <= 0)
			return -EPIPE;
		l->len += r;
	}
}

static int kipcstat_stop(pid_t pid, struct lines *l)
{
	int ret;

	kill(pid, SIGTERM);
	ret = chan_wait_child(pid);
	close(l->fd);
	return ret;
}

TEST(kipcstat_refreshes_every_interval)
{
	static struct lines l;
	char *args[] = { "-j", "-w", "1", NULL };
	struct kipc_stats *s;
	const char *tool;
	uint64_t first, calls = 0;
	struct served sv;
	pid_t pid;

	KIPC_REQUIRE_STATS(s);
	tool = kipcstat_path();
	if (!tool)
		SKIP(return, "kipcstat is not installed");
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	pid = kipcstat_start(tool, args, &l.fd);
	ASSERT_LT(0, pid);
	/* One JSON object per line, every second. */
	ASSERT_EQ(0, next_line(&l, 10000));
	EXPECT_EQ(0, *json_ws(json_value(l.line, 0)));
	first = json_number(l.line, "door_calls");
	ASSERT_NE(UINT64_MAX, first);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(0, door_call(sv.door, NULL, 0, NULL, 0, NULL));
	/* A later refresh shows exactly the five calls. */
	for (int i = 0; i < 10 && calls != first + 5; i++) {
		ASSERT_EQ(0, next_line(&l, 5000));
		calls = json_number(l.line, "door_calls");
		ASSERT_LE(calls, first + 5);
	}
	EXPECT_EQ(first + 5, calls);
	/* It stops on SIGTERM, successfully. */
	EXPECT_EQ(0, kipcstat_stop(pid, &l));
	served_stop(&sv);
	kipc_stats_close(s);
}

/* A door created and revoked by a child process. */
static int door_of_a_child(uint64_t unused)
{
	struct served sv;

	(void)unused;
	if (served_start(&sv, PROC_NULL, 0, 0) || kipc_door_revoke(sv.door))
		return 1;
	served_stop(&sv);
	return 0;
}

TEST(kipcstat_follows_events)
{
	static struct lines l;
	char pidarg[16], id[64];
	char *args[] = { "-j", "-e", "-p", pidarg, NULL };
	struct kipc_stats *s;
	struct served sv;
	const char *tool;
	int ret = -ETIMEDOUT;
	pid_t pid;

	KIPC_REQUIRE_STATS(s);
	if (geteuid())
		SKIP(return, "the events group needs CAP_SYS_ADMIN");
	tool = kipcstat_path();
	if (!tool)
		SKIP(return, "kipcstat is not installed");
	snprintf(pidarg, sizeof(pidarg), "%d", getpid());
	pid = kipcstat_start(tool, args, &l.fd);
	ASSERT_LT(0, pid);
	/* It subscribes when it is ready: create doors until one shows. */
	for (int i = 0; i < 50 && ret == -ETIMEDOUT; i++) {
		ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 0));
		served_stop(&sv);
		ret = next_line(&l, 200);
	}
	ASSERT_EQ(0, ret);
	while (!next_line(&l, 500))
		;

	/* The filter: a door of another process does not show. */
	ASSERT_EQ(0, run_child(door_of_a_child, 0));
	/* Ours does, created and then revoked. */
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 0));
	snprintf(id, sizeof(id), "\"door_id\": %llu,",
		 (unsigned long long)sv.id);
	ASSERT_EQ(0, next_line(&l, 5000));
	EXPECT_EQ(0, *json_ws(json_value(l.line, 0)));
	EXPECT_TRUE(strstr(l.line, "\"event\": \"door-created\"") != NULL);
	EXPECT_TRUE(strstr(l.line, id) != NULL);
	EXPECT_EQ(getpid(), (pid_t)json_number(l.line, "pid"));
	ASSERT_EQ(0, kipc_door_revoke(sv.door));
	ASSERT_EQ(0, next_line(&l, 5000));
	EXPECT_TRUE(strstr(l.line, "\"event\": \"door-revoked\"") != NULL);
	EXPECT_TRUE(strstr(l.line, id) != NULL);
	served_stop(&sv);
	EXPECT_EQ(0, kipcstat_stop(pid, &l));
	kipc_stats_close(s);
}

/*
 * Three runs of a Python program: each takes seconds in a TCG guest, and
 * on the debug kernel with a loaded host more than the harness's default
 * 30 s for all three.  The harness takes a timeout on fixtures' tests only.
 */
FIXTURE(ynl) {};
FIXTURE_SETUP(ynl) {}
FIXTURE_TEARDOWN(ynl) {}

/*
 * The kernel's own ynl CLI (6.12's tools/net/ynl), given only the spec,
 * reads the family: global counters, a dump of doors, the histogram, and
 * its numbers are the library's.  The spec's schema validation runs on
 * the host (scripts/ynl.sh check): the guest has no jsonschema.
 */
TEST_F_TIMEOUT(ynl, reads_the_family, 300)
{
	struct kipc_stats_global g;
	struct kipc_stats *s;
	struct served sv;
	char *out, key[64];

	KIPC_REQUIRE_STATS(s);
	if (access(YNL_DIR "/cli.py", R_OK) || access("/usr/bin/python3", X_OK))
		SKIP(return, "no ynl in this system (" YNL_DIR ")");
	ASSERT_EQ(0, served_start(&sv, PROC_NULL, 0, 1));
	ASSERT_EQ(0, wait_idle(s, sv.id, 1));
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, door_call(sv.door, NULL, 0, NULL, 0, NULL));

	out = run_output(YNL "--do stats-get");
	ASSERT_TRUE(out != NULL);
	ASSERT_EQ(0, kipc_stats_global(s, &g));
	EXPECT_TRUE(json_value(out, 0) != NULL);
	EXPECT_EQ(g.door_calls, json_number(out, "door-calls"));
	EXPECT_EQ(g.door_created, json_number(out, "door-created"));
	free(out);

	out = run_output(YNL "--dump door-get");
	ASSERT_TRUE(out != NULL);
	EXPECT_TRUE(json_value(out, 0) != NULL);
	snprintf(key, sizeof(key), "\"id\": %llu,",
		 (unsigned long long)sv.id);
	EXPECT_TRUE(strstr(out, key) != NULL);
	free(out);

	out = run_output(YNL "--do hist-get");
	ASSERT_TRUE(out != NULL);
	EXPECT_TRUE(json_value(out, 0) != NULL);
	EXPECT_TRUE(strstr(out, "\"bucket\"") != NULL);
	free(out);
	served_stop(&sv);
	kipc_stats_close(s);
}

TEST_HARNESS_MAIN
