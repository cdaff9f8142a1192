// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-door-demo: a door server and its client, for the demonstration.
 *
 *   kipc-door-demo server PATH     publish a door at PATH (in kipcfs) and
 *                                  serve it until asked to shut down
 *   kipc-door-demo client PATH N   call it: a few kinds of calls, then N
 *                                  null calls timed, then ask the server to
 *                                  revoke the door
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kipc.h>

enum { OP_UPPER = 'u', OP_SUM = 's', OP_WHO = 'w', OP_NULL = 'n',
       OP_REVOKE = 'r' };

struct server {
	struct kipc k;
	int door;
	uint64_t calls;
};

static void handler(struct kipc_door_request *req, void *arg)
{
	static __thread char reply[256];
	struct server *s = arg;
	const char *in = req->arg;

	s->calls++;
	if (!req->arg_size)
		return;
	switch (in[0]) {
	case OP_UPPER: {
		size_t n = req->arg_size - 1 < sizeof(reply) ?
			   req->arg_size - 1 : sizeof(reply);

		for (size_t i = 0; i < n; i++)
			reply[i] = in[i + 1] >= 'a' && in[i + 1] <= 'z' ?
				   in[i + 1] - 32 : in[i + 1];
		req->reply = reply;
		req->reply_size = n;
		break;
	}
	case OP_SUM: {
		/* A checksum of a large argument, read in place. */
		uint64_t sum = 0;

		for (size_t i = 1; i < req->arg_size; i++)
			sum = sum * 31 + (unsigned char)in[i];
		memcpy(reply, &sum, sizeof(sum));
		req->reply = reply;
		req->reply_size = sizeof(sum);
		break;
	}
	case OP_WHO: {
		struct kipc_door_current cur;

		memset(&cur, 0, sizeof(cur));
		kipc_door_current(&s->k, &cur);
		req->reply_size = snprintf(reply, sizeof(reply),
					   "caller pid %d uid %u gid %u, "
					   "served %" PRIu64 " calls",
					   cur.pid, cur.uid, cur.gid, s->calls);
		req->reply = reply;
		break;
	}
	case OP_REVOKE:
		/* Revoke the door and stop serving: the loop returns. */
		kipc_door_shutdown(&s->k);
		break;
	}
}

static int serve(const char *path)
{
	struct kipc_door_server srv = { .handler = handler, .max_threads = 4 };
	struct server s = { 0 };
	int ret, fd;

	ret = kipc_open(&s.k, KIPC_FEATURE_DOORS);
	if (ret) {
		fprintf(stderr, "server: kipc_open: %s\n", strerror(-ret));
		return 1;
	}
	s.door = kipc_door_create(&s.k, 0, 0, 0, NULL);
	if (s.door < 0) {
		fprintf(stderr, "server: door: %s\n", strerror(-s.door));
		return 1;
	}
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) ||
	    (ret = kipc_door_attach(&s.k, s.door, path))) {
		fprintf(stderr, "server: publish %s: %s\n", path,
			strerror(ret ? -ret : errno));
		return 1;
	}
	printf("server: pid %d serves a door at %s\n", getpid(), path);
	fflush(stdout);
	srv.arg = &s;
	/* Returns once the server shuts down: no more calls can come. */
	kipc_door_serve(&s.k, &srv);
	printf("server: shut down after %" PRIu64 " calls; exiting\n",
	       s.calls);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int call(int door, const void *arg, size_t size, void *res,
		size_t rsize, size_t *len)
{
	int ret = kipc_door_call_buf(door, arg, size, res, rsize, len, 0);

	if (ret)
		fprintf(stderr, "client: call: %s\n", strerror(-ret));
	return ret;
}

static int client(const char *path, long n)
{
	struct kipc_door_info info;
	char res[256];
	size_t len;
	double t0, t1;
	int door, ret;

	door = kipc_door_open(path);
	if (door < 0) {
		fprintf(stderr, "client: open %s: %s\n", path,
			strerror(-door));
		return 1;
	}
	kipc_door_info(door, &info);
	printf("client: opened %s: door id %" PRIu64 " of server pid %d\n",
	       path, (uint64_t)info.id, info.target);

	if (call(door, "uhello, doors", 13, res, sizeof(res), &len))
		return 1;
	printf("client: \"hello, doors\" -> \"%.*s\"\n", (int)len, res);

	{
		size_t big = 1 << 20;
		char *buf = malloc(big + 1);
		uint64_t sum = 0, got = 0;

		buf[0] = OP_SUM;
		for (size_t i = 1; i <= big; i++) {
			buf[i] = (char)(i * 7);
			sum = sum * 31 + (unsigned char)buf[i];
		}
		if (call(door, buf, big + 1, &got, sizeof(got), &len))
			return 1;
		printf("client: 1 MiB argument checksummed by the server: %s\n",
		       got == sum ? "match" : "MISMATCH");
		free(buf);
		if (got != sum)
			return 1;
	}

	t0 = now();
	for (long i = 0; i < n; i++)
		if (call(door, NULL, 0, NULL, 0, NULL))
			return 1;
	t1 = now();
	printf("client: %ld null calls in %.3f s: %.1f us per round trip "
	       "(emulated CPU: compare ratios, not absolute times)\n",
	       n, t1 - t0, (t1 - t0) * 1e6 / n);

	if (call(door, "w", 1, res, sizeof(res), &len))
		return 1;
	printf("client: the server sees: %.*s\n", (int)len, res);

	call(door, "r", 1, NULL, 0, NULL);
	ret = kipc_door_call_buf(door, NULL, 0, NULL, 0, NULL, 0);
	printf("client: after the server shut down, a call fails: %s\n",
	       strerror(-ret));
	if (access(path, F_OK) && errno == ENOENT)
		printf("client: and the name %s is gone\n", path);
	close(door);
	return ret == -EBADF ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "client"))
		return client(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: kipc-door-demo server PATH | client PATH N\n");
	return 2;
}
