// SPDX-License-Identifier: GPL-2.0
/*
 * A door client written the Solaris way (see sol_server.c).
 * Usage: sol_client PATH TEST; prints "ok" and exits 0 on success.
 */
#include <door.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAIL(...) do {							\
	fprintf(stderr, "sol_client: " __VA_ARGS__);			\
	fprintf(stderr, " (errno %d)\n", errno);			\
	exit(1);							\
} while (0)

static int call(int d, const char *arg, char *rbuf, size_t rsize,
		door_arg_t *da)
{
	da->data_ptr = (char *)arg;
	da->data_size = arg ? strlen(arg) : 0;
	da->desc_ptr = NULL;
	da->desc_num = 0;
	da->rbuf = rbuf;
	da->rsize = rsize;
	return door_call(d, da);
}

int main(int argc, char **argv)
{
	char rbuf[64];
	door_arg_t da;
	struct stat st;
	int d;

	if (argc != 3)
		FAIL("usage: sol_client PATH TEST");
	d = open(argv[1], O_RDONLY);
	if (d < 0)
		FAIL("open %s", argv[1]);
	if (fstat(d, &st) || !S_ISDOOR(st.st_mode))
		FAIL("%s is not a door", argv[1]);

	if (!strcmp(argv[2], "upper")) {
		if (call(d, "uhello, door", rbuf, sizeof(rbuf), &da))
			FAIL("door_call");
		if (da.data_size != 11 || memcmp(da.data_ptr, "HELLO, DOOR", 11))
			FAIL("bad result");
		if (da.data_ptr != rbuf || da.rbuf != rbuf)
			FAIL("results not in rbuf");
	} else if (!strcmp(argv[2], "null")) {
		/* No argument structure at all. */
		if (door_call(d, NULL))
			FAIL("door_call(NULL)");
	} else if (!strcmp(argv[2], "empty")) {
		/* The procedure returns without door_return(). */
		memset(&da, 0, sizeof(da));
		da.rbuf = rbuf;
		da.rsize = sizeof(rbuf);
		if (door_call(d, &da) || da.data_size != 0 || da.desc_num)
			FAIL("empty reply");
	} else if (!strcmp(argv[2], "big")) {
		/* Results too big for rbuf: a new mapping. */
		if (call(d, "b100000", rbuf, sizeof(rbuf), &da))
			FAIL("door_call");
		if (da.rbuf == rbuf || da.rsize < 100000 ||
		    da.data_size != 100000 || da.data_ptr != da.rbuf)
			FAIL("no new mapping");
		for (size_t i = 0; i < 100000; i++)
			if (da.data_ptr[i] != (char)('a' + i % 26))
				FAIL("bad byte %zu", i);
		munmap(da.rbuf, da.rsize);
		/* And none at all: also a mapping. */
		if (call(d, "b10", NULL, 0, &da) || da.data_size != 10)
			FAIL("door_call without rbuf");
		munmap(da.rbuf, da.rsize);
	} else if (!strcmp(argv[2], "cred")) {
		char want[64];

		if (call(d, "c", rbuf, sizeof(rbuf), &da))
			FAIL("door_call");
		snprintf(want, sizeof(want), "%d %d %d %d", (int)geteuid(),
			 (int)getpid(), (int)geteuid(), (int)getpid());
		if (da.data_size != strlen(want) ||
		    memcmp(da.data_ptr, want, da.data_size))
			FAIL("credentials %.*s, want %s", (int)da.data_size,
			     da.data_ptr, want);
	} else if (!strcmp(argv[2], "fds")) {
		door_desc_t dd;
		int p[2];
		char c = 0;

		if (pipe(p))
			FAIL("pipe");
		dd.d_attributes = DOOR_DESCRIPTOR;
		dd.d_data.d_desc.d_descriptor = p[1];
		/* Garbage where illumos leaves the union undefined. */
		dd.d_data.d_desc.d_id = 0xdeadbeef;
		da.data_ptr = "f";
		da.data_size = 1;
		da.desc_ptr = &dd;
		da.desc_num = 1;
		da.rbuf = rbuf;
		da.rsize = sizeof(rbuf);
		if (door_call(d, &da) || da.desc_num != 1)
			FAIL("door_call with a descriptor");
		if (!(da.desc_ptr[0].d_attributes & DOOR_DESCRIPTOR))
			FAIL("no descriptor back");
		if (write(da.desc_ptr[0].d_data.d_desc.d_descriptor, "z", 1) != 1 ||
		    read(p[0], &c, 1) != 1 || c != 'z')
			FAIL("descriptor does not work");
	} else if (!strcmp(argv[2], "info")) {
		door_info_t di;
		char want[64];

		if (door_info(d, &di) || di.di_attributes & DOOR_LOCAL ||
		    !(di.di_attributes & DOOR_UNREF) || !di.di_uniquifier ||
		    di.di_proc || di.di_data)
			FAIL("door_info");
		if (call(d, "q", rbuf, sizeof(rbuf), &da))
			FAIL("door_call");
		snprintf(want, sizeof(want), "%d cookie 1", (int)di.di_target);
		if (da.data_size != strlen(want) ||
		    memcmp(da.data_ptr, want, da.data_size))
			FAIL("DOOR_QUERY gave %.*s", (int)da.data_size,
			     da.data_ptr);
		if (door_info(DOOR_QUERY, &di) == 0 || errno != EBADF)
			FAIL("DOOR_QUERY outside a door");
		if (door_revoke(d) == 0 || errno != EPERM)
			FAIL("door_revoke by a client");
	} else if (!strcmp(argv[2], "params")) {
		size_t v;
		char *big = calloc(1, (1 << 20) + 2);

		if (door_getparam(d, DOOR_PARAM_DATA_MAX, &v) || v != 1 << 20)
			FAIL("door_getparam");
		if (door_setparam(d, DOOR_PARAM_DATA_MAX, 5) == 0 ||
		    errno != EPERM)
			FAIL("door_setparam by a client");
		memset(big, 'u', (1 << 20) + 1);
		if (call(d, big, rbuf, sizeof(rbuf), &da) == 0 ||
		    errno != ENOBUFS)
			FAIL("DATA_MAX not enforced");
	} else if (!strcmp(argv[2], "threads")) {
		/*
		 * Three at once: the pool (main and the thread door_create()
		 * asked for) runs dry twice, and asks for two more.
		 */
		for (int i = 0; i < 2; i++)
			if (fork() == 0) {
				call(d, "s", rbuf, sizeof(rbuf), &da);
				exit(0);
			}
		if (call(d, "s", rbuf, sizeof(rbuf), &da))
			FAIL("door_call");
		while (wait(NULL) > 0)
			;
		if (call(d, "t", rbuf, sizeof(rbuf), &da))
			FAIL("door_call");
		if (atoi(da.data_ptr) < 3)
			FAIL("only %.*s server thread(s)", (int)da.data_size,
			     da.data_ptr);
	} else if (!strcmp(argv[2], "last")) {
		/* Detach the name; our close is then the last reference. */
		if (call(d, "d", rbuf, sizeof(rbuf), &da))
			FAIL("door_call");
	} else if (!strcmp(argv[2], "private")) {
		char priv[512];
		int pd;

		snprintf(priv, sizeof(priv), "%s.private", argv[1]);
		pd = open(priv, O_RDONLY);
		if (pd < 0)
			FAIL("open %s", priv);
		for (int i = 0; i < 3; i++) {
			if (call(pd, NULL, rbuf, sizeof(rbuf), &da))
				FAIL("door_call on the private door");
			if (da.data_size != 9 || memcmp(da.data_ptr, "private 1", 9))
				FAIL("private door said %.*s", (int)da.data_size,
				     da.data_ptr);
		}
		if (door_bind(pd) == 0 || errno != EINVAL)
			FAIL("door_bind to another process's door");
		close(pd);
	} else if (!strcmp(argv[2], "notdoor")) {
		if (door_call(0, NULL) == 0 || errno != EBADF)
			FAIL("door_call on a non-door");
	} else {
		FAIL("unknown test %s", argv[2]);
	}
	close(d);
	printf("ok\n");
	return 0;
}
