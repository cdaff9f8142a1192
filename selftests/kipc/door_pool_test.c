// SPDX-License-Identifier: GPL-2.0
/*
 * Doors: private pools, pool depletion and growth, the caller's
 * credentials (also across user namespaces) and priority inheritance.
 */
#include <grp.h>
#include <sched.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "kipc_test.h"
#include "door_util.h"

TEST(private_pool)
{
	struct door_server s;
	struct kipc_door_call c;
	uint64_t id;
	int priv, shared_door;
	pid_t tid = 0;

	KIPC_REQUIRE_DEVICE();
	/* No thread in the shared pool at all. */
	ASSERT_EQ(0, door_server_start(&s, 0, NULL));
	priv = door_create(&s, PROC_TID, KIPC_DOOR_PRIVATE, &id);
	ASSERT_LE(0, priv);
	shared_door = door_create(&s, PROC_TID, 0, NULL);
	ASSERT_LE(0, shared_door);
	/* Nobody serves the private pool yet. */
	memset(&c, 0, sizeof(c));
	c.flags = KIPC_CALL_NONBLOCK;
	EXPECT_EQ(-EAGAIN, kipc_door_call(priv, &c));

	ASSERT_EQ(0, door_server_add_private(&s, id, 1));
	for (int i = 0; i < 20; i++) {
		pid_t t = 0;

		ASSERT_EQ(0, door_call(priv, NULL, 0, &t, sizeof(t), &c));
		ASSERT_EQ(sizeof(t), c.result_size);
		if (i)
			EXPECT_EQ(tid, t);
		tid = t;
	}
	EXPECT_NE(0, tid);
	/* The private pool's thread does not serve the shared pool. */
	memset(&c, 0, sizeof(c));
	c.flags = KIPC_CALL_NONBLOCK;
	EXPECT_EQ(-EAGAIN, kipc_door_call(shared_door, &c));

	/* Revoking the private door ends its threads' loops. */
	ASSERT_EQ(0, kipc_door_revoke(priv));
	for (int i = 0; i < s.nthreads; i++)
		EXPECT_EQ(0, pthread_join(s.threads[i], NULL));
	s.nthreads = 0;
	door_server_stop(&s);
	close(priv);
	close(shared_door);
}

TEST(bind_errors)
{
	struct door_server s;
	uint64_t priv_id, shared_id, bad = 0x7fffffffffffULL;
	int priv, shared_door, status;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	ASSERT_EQ(0, door_server_start(&s, 1, NULL));
	priv = door_create(&s, PROC_NULL, KIPC_DOOR_PRIVATE, &priv_id);
	ASSERT_LE(0, priv);
	shared_door = door_create(&s, PROC_NULL, 0, &shared_id);
	ASSERT_LE(0, shared_door);

	EXPECT_EQ(-EINVAL, kipc_door_bind(&s.k, shared_id));
	EXPECT_EQ(-EBADF, kipc_door_bind(&s.k, bad));
	EXPECT_EQ(-EBADF, kipc_door_unbind(&s.k));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(s.k.fd, KIPC_IOC_DOOR_BIND, NULL));
	EXPECT_EQ(0, kipc_door_bind(&s.k, priv_id));
	EXPECT_EQ(0, kipc_door_bind(&s.k, priv_id));
	EXPECT_EQ(0, kipc_door_unbind(&s.k));
	EXPECT_EQ(-EBADF, kipc_door_unbind(&s.k));

	/* Another process cannot serve our doors. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(kipc_door_bind(&s.k, priv_id) == -EPERM ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, kipc_door_revoke(priv));
	EXPECT_EQ(-EBADF, kipc_door_bind(&s.k, priv_id));
	door_server_stop(&s);
	close(priv);
	close(shared_door);
}

TEST(depletion_grows_the_pool)
{
	struct door_shared *sh = door_shared_new();
	struct door_server s;
	int door;
	pid_t pid[6];

	KIPC_REQUIRE_DEVICE();
	memset(&s, 0, sizeof(s));
	/* One thread to start with, allowed to grow to four. */
	ASSERT_EQ(0, kipc_open(&s.k, KIPC_FEATURE_DOORS));
	s.ctx.k = &s.k;
	s.ctx.shared = sh;
	s.max_threads = 4;
	s.nthreads = 1;
	ASSERT_EQ(0, pthread_create(&s.threads[0], NULL, door_server_thread,
				    &s));
	door = door_create(&s, PROC_CONC, 0, NULL);
	ASSERT_LE(0, door);
	usleep(100000);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 6; i++) {
			pid[i] = fork();
			ASSERT_LE(0, pid[i]);
			if (pid[i] == 0)
				_exit(-door_call(door, NULL, 0, NULL, 0, NULL));
		}
		for (int i = 0; i < 6; i++) {
			int status;

			ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
			EXPECT_EQ(0, WEXITSTATUS(status));
		}
	}
	/* The kernel said the pool ran dry; the loop started threads... */
	EXPECT_EQ(1, sh->depleted);
	EXPECT_LE(2, sh->max_running);
	/* ...but no more than allowed. */
	EXPECT_GE(4, sh->max_running);
	door_server_stop(&s);
	close(door);
}

struct who {
	struct kipc_door_current cur;
	uint32_t groups[64];
};

static int call_who(int door, struct who *w)
{
	size_t n;
	int ret = kipc_door_call_buf(door, NULL, 0, w, sizeof(*w), &n, 0);

	return ret ? ret : n == sizeof(*w) ? 0 : -EPROTO;
}

TEST(credentials)
{
	struct door_server s;
	int door, status;
	pid_t pid;

	KIPC_REQUIRE_DEVICE();
	if (geteuid())
		SKIP(return, "needs root to take other credentials");
	ASSERT_EQ(0, door_server_start(&s, 1, NULL));
	door = door_create(&s, PROC_WHO, 0, NULL);
	ASSERT_LE(0, door);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		gid_t groups[] = { 5, 6, 7 };
		struct who w;

		if (setgroups(3, groups) || setresgid(2000, 2001, 2002) ||
		    setresuid(1000, 1001, 1002))
			_exit(10);
		if (call_who(door, &w))
			_exit(11);
		if (w.cur.uid != 1000 || w.cur.euid != 1001 ||
		    w.cur.suid != 1002)
			_exit(12);
		if (w.cur.gid != 2000 || w.cur.egid != 2001 ||
		    w.cur.sgid != 2002)
			_exit(13);
		if (w.cur.ngroups != 3 || w.groups[0] != 5 ||
		    w.groups[1] != 6 || w.groups[2] != 7)
			_exit(14);
		if (w.cur.pid != getpid() || w.cur.tid != gettid())
			_exit(15);
		if (w.cur.flags)
			_exit(16);
		if (w.cur.door.target != getppid())
			_exit(17);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	door_server_stop(&s);
	close(door);
}

TEST(current_outside_a_call)
{
	struct kipc_door_current cur;
	struct kipc k;

	KIPC_REQUIRE_DEVICE();
	ASSERT_EQ(0, kipc_open(&k, KIPC_FEATURE_DOORS));
	memset(&cur, 0, sizeof(cur));
	EXPECT_EQ(-EBADF, kipc_door_current(&k, &cur));
	cur.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kipc_door_current(&k, &cur));
	EXPECT_EQ(-EBADF, kipc_door_cancelled(&k));
	kipc_close(&k);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			_exit(80);
		close(fd);
	}
}

/*
 * Move to a new user namespace in which only uid/gid 1000 map (as 0).
 * Only a process with CAP_SETUID in the parent namespace may write such a
 * map, so a helper left behind in the parent namespace writes it.
 */
static void enter_userns(void)
{
	int go[2], done[2];
	pid_t self = getpid(), helper;
	char c;

	if (pipe(go) || pipe(done))
		_exit(80);
	helper = fork();
	if (helper < 0)
		_exit(80);
	if (helper == 0) {
		char path[64];

		if (read(go[0], &c, 1) != 1)
			_exit(1);
		snprintf(path, sizeof(path), "/proc/%d/uid_map", self);
		write_file(path, "0 1000 1\n");
		snprintf(path, sizeof(path), "/proc/%d/gid_map", self);
		write_file(path, "0 1000 1\n");
		if (write(done[1], "k", 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (unshare(CLONE_NEWUSER))
		_exit(81);
	if (write(go[1], "g", 1) != 1 || read(done[0], &c, 1) != 1)
		_exit(82);
	waitpid(helper, NULL, 0);
}

TEST(credentials_across_user_namespaces)
{
	struct door_shared *sh = door_shared_new();
	int door, status;
	pid_t srv, pid;

	KIPC_REQUIRE_DEVICE();
	if (geteuid())
		SKIP(return, "needs root to map ids");
	if (access("/proc/self/ns/user", F_OK))
		SKIP(return, "no user namespaces");
	/* The server lives in a user namespace mapping only 1000 (as 0). */
	door = door_fork_server(PROC_WHO, 0, 1, sh, enter_userns, &srv);
	ASSERT_LE(0, door);
	for (int as = 0; as < 2; as++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct who w;
			/* 1000 is the server's 0; 0 is nobody there. */
			uid_t expect = as ? 0 : 65534;

			if (as && (setresgid(1000, 1000, 1000) ||
				   setresuid(1000, 1000, 1000)))
				_exit(10);
			if (call_who(door, &w))
				_exit(11);
			if (w.cur.uid != expect || w.cur.euid != expect ||
			    w.cur.gid != expect)
				_exit(12);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("caller %s", as ? "uid 1000" : "root");
		}
	}
	close(door);
	door_fork_server_kill(srv);
}

static void nice_server(void)
{
	/* The server's threads run at nice 10 unless boosted. */
	setpriority(PRIO_PROCESS, 0, 10);
}

/* Call PROC_PRIO as a caller with @policy/@prio (nice for SCHED_OTHER). */
static int prio_seen(int door, int policy, int prio, int out[2])
{
	int status, p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct sched_param sp = { 0 };
		size_t n;

		if (policy == SCHED_OTHER) {
			setpriority(PRIO_PROCESS, 0, prio);
		} else {
			sp.sched_priority = prio;
			if (sched_setscheduler(0, policy, &sp))
				_exit(10);
		}
		if (kipc_door_call_buf(door, NULL, 0, out, 2 * sizeof(int),
				       &n, 0))
			_exit(11);
		if (write(p[1], out, 2 * sizeof(int)) != 2 * sizeof(int))
			_exit(12);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], out, 2 * sizeof(int)) != 2 * sizeof(int))
		out[0] = out[1] = -100;
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(priority_inheritance)
{
	struct door_shared *sh = door_shared_new();
	int door, nopi, seen[2];
	pid_t srv, srv2;

	KIPC_REQUIRE_DEVICE();
	if (geteuid())
		SKIP(return, "needs root for real-time and negative nice");
	door = door_fork_server(PROC_PRIO, 0, 1, sh, nice_server, &srv);
	ASSERT_LE(0, door);
	nopi = door_fork_server(PROC_PRIO, KIPC_DOOR_NO_PRIO_INHERIT, 1, sh,
				nice_server, &srv2);
	ASSERT_LE(0, nopi);

	/* A caller at nice 0: the server runs at nice 0. */
	ASSERT_EQ(0, prio_seen(door, SCHED_OTHER, 0, seen));
	EXPECT_EQ(SCHED_OTHER, seen[0]);
	EXPECT_EQ(0, seen[1]);
	/* A caller at nice -5: nice -5. */
	ASSERT_EQ(0, prio_seen(door, SCHED_OTHER, -5, seen));
	EXPECT_EQ(-5, seen[1]);
	/* A caller at nice 15 does not lower it: its own nice 10 again. */
	ASSERT_EQ(0, prio_seen(door, SCHED_OTHER, 15, seen));
	EXPECT_EQ(SCHED_OTHER, seen[0]);
	EXPECT_EQ(10, seen[1]);
	/* A real-time caller: its policy and priority. */
	ASSERT_EQ(0, prio_seen(door, SCHED_FIFO, 20, seen));
	EXPECT_EQ(SCHED_FIFO, seen[0]);
	EXPECT_EQ(20, seen[1]);
	ASSERT_EQ(0, prio_seen(door, SCHED_RR, 7, seen));
	EXPECT_EQ(SCHED_RR, seen[0]);
	EXPECT_EQ(7, seen[1]);
	/* Restored after each call. */
	ASSERT_EQ(0, prio_seen(door, SCHED_OTHER, 19, seen));
	EXPECT_EQ(SCHED_OTHER, seen[0]);
	EXPECT_EQ(10, seen[1]);

	/* Without inheritance, the server keeps its own. */
	ASSERT_EQ(0, prio_seen(nopi, SCHED_FIFO, 20, seen));
	EXPECT_EQ(SCHED_OTHER, seen[0]);
	EXPECT_EQ(10, seen[1]);
	close(door);
	close(nopi);
	door_fork_server_kill(srv);
	door_fork_server_kill(srv2);
}

TEST_HARNESS_MAIN
