// SPDX-License-Identifier: GPL-2.0
/*
 * The Solaris-compatible doors API: a server and a client written for
 * illumos (solaris/sol_server.c, solaris/sol_client.c), built with only
 * pkg-config's flags and -lkipc, talk through a name in kipcfs.
 */
#include <libgen.h>
#include <sys/vfs.h>

#include "kselftest_harness.h"
#include "kipc_test.h"
#include <kipc.h>

static char progdir[4096];

static const char *prog(const char *name, char *buf, size_t size)
{
	if (!progdir[0]) {
		ssize_t n = readlink("/proc/self/exe", progdir,
				     sizeof(progdir) - 1);

		if (n > 0) {
			char *dir;

			progdir[n] = 0;
			/* dirname() may modify its argument: call it once. */
			dir = dirname(progdir);
			memmove(progdir, dir, strlen(dir) + 1);
		}
	}
	snprintf(buf, size, "%s/%s", progdir, name);
	return buf;
}

/* Start @name with @args; its stdout is returned in @out. */
static pid_t spawn(const char *name, char *const args[], int *out)
{
	char path[4200];
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	prog(name, path, sizeof(path));
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(path, args);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	return n;
}

FIXTURE(sol) {
	pid_t server;
	int server_out;
	char path[128];
};

FIXTURE_SETUP(sol)
{
	struct statfs sfs;
	char line[64] = { 0 };
	char *args[3];

	KIPC_REQUIRE_DEVICE();
	if (statfs(KIPC_DOOR_NAMES, &sfs) || sfs.f_type != KIPC_FS_MAGIC)
		SKIP(return, "kipcfs is not mounted on " KIPC_DOOR_NAMES);
	snprintf(self->path, sizeof(self->path), KIPC_DOOR_NAMES "/sol-%d",
		 getpid());
	args[0] = "sol_server";
	args[1] = self->path;
	args[2] = NULL;
	self->server = spawn("sol_server", args, &self->server_out);
	ASSERT_LT(0, self->server);
	/* Wait for "ready". */
	for (size_t n = 0; n < sizeof(line) - 1; n++) {
		if (read(self->server_out, &line[n], 1) != 1 ||
		    line[n] == '\n')
			break;
	}
	ASSERT_EQ(0, strcmp(line, "ready\n")) {
		TH_LOG("server said '%s'", line);
	}
}

FIXTURE_TEARDOWN(sol)
{
	if (self->server > 0) {
		kill(self->server, SIGKILL);
		waitpid(self->server, NULL, 0);
	}
	unlink(self->path);
	{
		char priv[200];

		snprintf(priv, sizeof(priv), "%s.private", self->path);
		unlink(priv);
	}
}

static int client(struct __test_metadata *_metadata, const char *path,
		  const char *test)
{
	char *args[] = { "sol_client", (char *)path, (char *)test, NULL };
	char out[256];
	int fd, status;
	pid_t pid;

	pid = spawn("sol_client", args, &fd);
	EXPECT_LT(0, pid);
	read_all(fd, out, sizeof(out));
	close(fd);
	waitpid(pid, &status, 0);
	EXPECT_STREQ("ok\n", out) {
		TH_LOG("client test %s", test);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(sol, upper)		{ EXPECT_EQ(0, client(_metadata, self->path, "upper")); }
TEST_F(sol, null_argument)	{ EXPECT_EQ(0, client(_metadata, self->path, "null")); }
TEST_F(sol, implicit_empty_reply) { EXPECT_EQ(0, client(_metadata, self->path, "empty")); }
TEST_F(sol, result_overflow_mapped) { EXPECT_EQ(0, client(_metadata, self->path, "big")); }
TEST_F(sol, credentials)	{ EXPECT_EQ(0, client(_metadata, self->path, "cred")); }
TEST_F(sol, descriptors)	{ EXPECT_EQ(0, client(_metadata, self->path, "fds")); }
TEST_F(sol, info_and_query)	{ EXPECT_EQ(0, client(_metadata, self->path, "info")); }
TEST_F(sol, params)		{ EXPECT_EQ(0, client(_metadata, self->path, "params")); }
TEST_F(sol, pool_grows)		{ EXPECT_EQ(0, client(_metadata, self->path, "threads")); }
TEST_F(sol, private_pool)	{ EXPECT_EQ(0, client(_metadata, self->path, "private")); }
TEST_F(sol, not_a_door)		{ EXPECT_EQ(0, client(_metadata, self->path, "notdoor")); }

TEST_F(sol, unreferenced_when_detached_and_closed)
{
	char out[256];
	int status;

	EXPECT_EQ(0, client(_metadata, self->path, "last"));
	/* The server exits from its unreferenced procedure. */
	ASSERT_EQ(self->server, waitpid(self->server, &status, 0));
	self->server = 0;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	read_all(self->server_out, out, sizeof(out));
	EXPECT_STREQ("unreferenced cookie\n", out);
}

TEST_HARNESS_MAIN
