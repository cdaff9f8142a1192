// SPDX-License-Identifier: GPL-2.0
/*
 * A door server written the Solaris way: only <door.h>, <stropts.h>,
 * <thread.h> and POSIX headers; built with nothing but pkg-config's flags
 * and -lkipc.  Usage: sol_server PATH
 *
 * It attaches a door to PATH (creating the file first, as one does on
 * illumos) and serves it from main() with door_return().  The door's
 * procedure understands a few commands, named by the first byte of the
 * arguments.  It exits when its door becomes unreferenced.
 */
#include <door.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stropts.h>
#include <thread.h>
#include <ucred.h>
#include <unistd.h>

static const char *door_path;
static int server_threads;
static int private_door = -1;

static void *server_thread(void *arg)
{
	/*
	 * A thread for a private pool binds to it first, as on illumos.  It
	 * is created while door_create() of that door runs, before the
	 * descriptor is known: wait for it.
	 */
	if (arg) {
		int d;

		while ((d = __atomic_load_n(&private_door,
					    __ATOMIC_ACQUIRE)) < 0)
			thr_yield();
		if (door_bind(d))
			return NULL;
	}
	door_return(NULL, 0, NULL, 0);
	return NULL;
}

/* Counts the threads the doors library asks for. */
static void create_server(door_info_t *dip)
{
	thread_t tid;

	__atomic_add_fetch(&server_threads, 1, __ATOMIC_SEQ_CST);
	thr_create(NULL, 0, server_thread, dip ? (void *)1 : NULL,
		   THR_DETACHED, &tid);
}

/* The private door's procedure: which pool serves it. */
static void private_server(void *cookie, char *argp, size_t arg_size,
			   door_desc_t *dp, uint_t n_desc)
{
	door_info_t di;
	char reply[64];
	size_t n;

	(void)cookie;
	(void)argp;
	(void)arg_size;
	(void)dp;
	(void)n_desc;
	if (argp == DOOR_UNREF_DATA)
		return;
	if (door_info(DOOR_QUERY, &di))
		door_return("error", 5, NULL, 0);
	/* Only a thread bound to the private pool can be here. */
	n = snprintf(reply, sizeof(reply), "private %d",
		     !!(di.di_attributes & DOOR_PRIVATE));
	door_return(reply, n, NULL, 0);
}

static void server(void *cookie, char *argp, size_t arg_size,
		   door_desc_t *dp, uint_t n_desc)
{
	char reply[512];
	size_t n = 0;

	if (argp == DOOR_UNREF_DATA) {
		/* Nobody knows our door any more: done. */
		printf("unreferenced %s\n", (char *)cookie);
		fflush(stdout);
		exit(0);
	}
	if (arg_size == 0) {
		/* A plain return sends an empty reply. */
		return;
	}
	switch (argp[0]) {
	case 'u':	/* upper case */
		for (n = 0; n + 1 < arg_size && n < sizeof(reply); n++) {
			char c = argp[n + 1];

			reply[n] = c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
		}
		door_return(reply, n, NULL, 0);
		break;
	case 'b': {	/* a big reply: 'b' then a decimal size */
		char num[32] = { 0 };
		size_t size;
		char *big;

		/* Arguments are bytes, not a string: terminate a copy. */
		memcpy(num, argp + 1, arg_size - 1 < 31 ? arg_size - 1 : 31);
		size = strtoul(num, NULL, 10);
		big = malloc(size);

		for (size_t i = 0; i < size; i++)
			big[i] = (char)('a' + i % 26);
		door_return(big, size, NULL, 0);
		break;
	}
	case 'c': {	/* who calls */
		ucred_t *uc = NULL;
		door_cred_t dc;

		if (door_ucred(&uc) || door_cred(&dc))
			door_return("error", 5, NULL, 0);
		n = snprintf(reply, sizeof(reply), "%d %d %d %d",
			     (int)ucred_geteuid(uc), (int)ucred_getpid(uc),
			     (int)dc.dc_euid, (int)dc.dc_pid);
		ucred_free(uc);
		door_return(reply, n, NULL, 0);
		break;
	}
	case 'f': {	/* give the descriptors back, released */
		door_desc_t d[8];

		for (uint_t i = 0; i < n_desc && i < 8; i++) {
			d[i].d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE;
			d[i].d_data.d_desc.d_descriptor =
				dp[i].d_data.d_desc.d_descriptor;
		}
		door_return("fds", 3, d, n_desc < 8 ? n_desc : 8);
		break;
	}
	case 'q': {	/* door_info(DOOR_QUERY) */
		door_info_t di;

		if (door_info(DOOR_QUERY, &di))
			door_return("error", 5, NULL, 0);
		n = snprintf(reply, sizeof(reply), "%d %s %d",
			     (int)di.di_target, (char *)di.di_data,
			     !!(di.di_attributes & DOOR_LOCAL));
		door_return(reply, n, NULL, 0);
		break;
	}
	case 't':	/* how many server threads were asked for */
		n = snprintf(reply, sizeof(reply), "%d", server_threads);
		door_return(reply, n, NULL, 0);
		break;
	case 'd':	/* detach the name: the client's is the last reference */
		fdetach(door_path);
		door_return("detached", 8, NULL, 0);
		break;
	case 's':	/* sleep a while, to make the pool grow */
		usleep(300000);
		door_return("slept", 5, NULL, 0);
		break;
	default:
		door_return("?", 1, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	static char cookie[] = "cookie";
	size_t v;
	int d, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: sol_server PATH\n");
		return 2;
	}
	door_path = argv[1];
	door_server_create(create_server);
	d = door_create(server, cookie, DOOR_UNREF);
	if (d < 0) {
		perror("door_create");
		return 1;
	}
	if (door_getparam(d, DOOR_PARAM_DATA_MAX, &v) || v != SIZE_MAX ||
	    door_setparam(d, DOOR_PARAM_DATA_MAX, 1 << 20)) {
		perror("door_getparam/setparam");
		return 1;
	}
	fd = open(door_path, O_CREAT | O_RDWR, 0644);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	close(fd);
	if (fattach(d, door_path)) {
		perror("fattach");
		return 1;
	}
	{
		char priv[512];

		d = door_create(private_server, NULL, DOOR_PRIVATE);
		__atomic_store_n(&private_door, d, __ATOMIC_RELEASE);
		snprintf(priv, sizeof(priv), "%s.private", door_path);
		fd = open(priv, O_CREAT | O_RDWR, 0644);
		if (d < 0 || fd < 0 || close(fd) || fattach(d, priv)) {
			perror("private door");
			return 1;
		}
	}
	/* Not bound: nothing to unbind. */
	if (door_unbind() == 0 || errno != EBADF) {
		perror("door_unbind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	/* The main thread joins the pool; it does not come back. */
	door_return(NULL, 0, NULL, 0);
	perror("door_return");
	return 1;
}
