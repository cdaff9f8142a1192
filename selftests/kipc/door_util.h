/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the door selftests: a server of doors in threads of the
 * test process, or in a child process, with a handful of procedures.
 */
#ifndef KIPC_DOOR_UTIL_H
#define KIPC_DOOR_UTIL_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kipc.h>

/* Procedures, selected by the door's proc value. */
enum {
	PROC_ECHO = 1,		/* reply with the arguments */
	PROC_NULL,		/* reply with nothing */
	PROC_SIZE,		/* args: a u64 n; reply with n bytes of pattern */
	PROC_SLEEP,		/* args: a u32 ms; sleep, then reply "late" */
	PROC_FDS,		/* reply with the received descriptors */
	PROC_CANCEL,		/* wait until cancelled, then record it */
	PROC_WHO,		/* reply with a struct kipc_door_current */
	PROC_PRIO,		/* reply with the thread's policy and nice */
	PROC_COUNT,		/* count calls and unrefs */
	PROC_EXIT,		/* the serving thread exits */
	PROC_TID,		/* reply with the serving thread's id */
	PROC_CONC,		/* sleep 200 ms, tracking concurrency */
};

/* Shared with the procedures (in threads, or in a forked server). */
struct door_shared {
	volatile int cancelled_seen;
	volatile int discarded_seen;
	volatile int unrefs;
	volatile int calls;
	volatile int depleted;
	volatile int running;
	volatile int max_running;
};

static inline struct door_shared *door_shared_new(void)
{
	void *p = mmap(NULL, sizeof(struct door_shared),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline uint8_t door_pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 8) * 7 + 1);
}

struct door_server_ctx {
	struct kipc *k;
	struct door_shared *shared;
	char reply[256];
};

static void door_test_handler(struct kipc_door_request *req, void *arg)
{
	struct door_server_ctx *s = arg;
	static __thread char *big;
	static __thread size_t big_size;

	if (req->flags & KIPC_INV_UNREF) {
		if (s->shared)
			__atomic_add_fetch(&s->shared->unrefs, 1,
					   __ATOMIC_SEQ_CST);
		return;
	}
	if (s->shared) {
		__atomic_add_fetch(&s->shared->calls, 1, __ATOMIC_SEQ_CST);
		if (req->flags & KIPC_INV_DISCARDED)
			s->shared->discarded_seen = 1;
		if (req->flags & KIPC_INV_DEPLETED)
			s->shared->depleted = 1;
	}
	switch (req->proc) {
	case PROC_ECHO:
		req->reply = req->arg;
		req->reply_size = req->arg_size;
		break;
	case PROC_NULL:
		break;
	case PROC_SIZE: {
		uint64_t n = 0;

		if (req->arg_size == sizeof(n))
			memcpy(&n, req->arg, sizeof(n));
		if (n > big_size) {
			free(big);
			big = malloc(n);
			big_size = big ? n : 0;
		}
		if (!big)
			break;
		for (uint64_t i = 0; i < n; i++)
			big[i] = door_pattern(i);
		req->reply = big;
		req->reply_size = n;
		break;
	}
	case PROC_SLEEP: {
		uint32_t ms = 0;

		if (req->arg_size == sizeof(ms))
			memcpy(&ms, req->arg, sizeof(ms));
		usleep(ms * 1000);
		req->reply = "late";
		req->reply_size = 4;
		break;
	}
	case PROC_FDS: {
		static __thread struct kipc_door_desc d[16];

		for (unsigned int i = 0; i < req->desc_num && i < 16; i++) {
			d[i] = req->desc[i];
			d[i].attributes = KIPC_DESC_DESCRIPTOR |
					  KIPC_DESC_RELEASE;
			d[i].id = 0;
			d[i].reserved = 0;
		}
		/* Those that do not fit the reply are not kept either. */
		for (unsigned int i = 16; i < req->desc_num; i++)
			close(req->desc[i].fd);
		req->reply_desc = d;
		req->reply_desc_num = req->desc_num < 16 ? req->desc_num : 16;
		break;
	}
	case PROC_CANCEL:
		for (int i = 0; i < 5000; i++) {
			if (kipc_door_cancelled(s->k) == 1) {
				if (s->shared)
					s->shared->cancelled_seen = 1;
				break;
			}
			usleep(1000);
		}
		req->reply = "never";
		req->reply_size = 5;
		break;
	case PROC_WHO: {
		static __thread struct {
			struct kipc_door_current cur;
			uint32_t groups[64];
		} who;

		memset(&who, 0, sizeof(who));
		who.cur.groups_max = 64;
		who.cur.groups_ptr = (uintptr_t)who.groups;
		kipc_door_current(s->k, &who.cur);
		req->reply = &who;
		req->reply_size = sizeof(who);
		break;
	}
	case PROC_PRIO: {
		static __thread int prio[2];

		prio[0] = sched_getscheduler(0);
		prio[1] = nice(0);
		if (prio[0] == SCHED_FIFO || prio[0] == SCHED_RR) {
			struct sched_param sp;

			sched_getparam(0, &sp);
			prio[1] = sp.sched_priority;
		}
		req->reply = prio;
		req->reply_size = sizeof(prio);
		break;
	}
	case PROC_EXIT:
		pthread_exit(NULL);
	case PROC_TID: {
		static __thread pid_t tid;

		tid = gettid();
		req->reply = &tid;
		req->reply_size = sizeof(tid);
		break;
	}
	case PROC_CONC: {
		int now = __atomic_add_fetch(&s->shared->running, 1,
					     __ATOMIC_SEQ_CST);
		int max = s->shared->max_running;

		while (now > max &&
		       !__atomic_compare_exchange_n(&s->shared->max_running,
						    &max, now, false,
						    __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST))
			;
		usleep(200000);
		__atomic_sub_fetch(&s->shared->running, 1, __ATOMIC_SEQ_CST);
		break;
	}
	default:
		break;
	}
}

/* A server running in threads of the calling process. */
struct door_server {
	struct kipc k;
	struct door_server_ctx ctx;
	pthread_t threads[16];
	int nthreads;
	uint64_t door_id;
	unsigned int max_threads;
};

static void *door_server_thread(void *arg)
{
	struct door_server *s = arg;
	struct kipc_door_server srv = {
		.handler = door_test_handler,
		.arg = &s->ctx,
		.max_threads = s->max_threads,
		.door_id = s->door_id,
	};

	kipc_door_serve(&s->k, &srv);
	return NULL;
}

static inline int door_server_start(struct door_server *s, int nthreads,
				    struct door_shared *shared)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = kipc_open(&s->k, KIPC_FEATURE_DOORS);
	if (ret)
		return ret;
	s->ctx.k = &s->k;
	s->ctx.shared = shared;
	s->nthreads = nthreads;
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&s->threads[i], NULL, door_server_thread, s))
			return -EAGAIN;
	return 0;
}

/* Start threads serving the private pool of the door @id. */
static inline int door_server_add_private(struct door_server *s, uint64_t id,
					  int nthreads)
{
	s->door_id = id;
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&s->threads[s->nthreads], NULL,
				   door_server_thread, s))
			return -EAGAIN;
		s->nthreads++;
		/* Let the thread read door_id before the next changes it. */
		usleep(20000);
	}
	s->door_id = 0;
	return 0;
}

/* Stop the server: its doors are revoked, its threads' loops end. */
static inline void door_server_stop(struct door_server *s)
{
	kipc_door_shutdown(&s->k);
	for (int i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	kipc_close(&s->k);
}

/* Create a door of @s with procedure @proc. */
static inline int door_create(struct door_server *s, int proc,
			      unsigned int attrs, uint64_t *id)
{
	return kipc_door_create(&s->k, proc, (uintptr_t)&s->ctx, attrs, id);
}

/* A call with @arg in and up to @rsize bytes of results in @rbuf. */
static inline int door_call(int door, const void *arg, size_t size,
			    void *rbuf, size_t rsize,
			    struct kipc_door_call *out)
{
	struct kipc_door_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.data_ptr = (uintptr_t)arg;
	c.data_size = size;
	c.rbuf = (uintptr_t)rbuf;
	c.rsize = rsize;
	ret = kipc_door_call(door, &c);
	if (out)
		*out = c;
	return ret;
}

/* Pass a descriptor over a Unix socket. */
static inline int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "d", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static inline int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * A door served by @nthreads threads of a child process.  @setup, if
 * given, runs in the child first (for limits, credentials...).  Returns the
 * door (a descriptor of this process) and the child's pid in @pid, or -1.
 */
static inline int door_fork_server(int proc, unsigned int attrs, int nthreads,
				   struct door_shared *shared,
				   void (*setup)(void), pid_t *pid)
{
	int sv[2], fd;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		struct door_server s;
		int d;

		/* Never outlive the test, whatever kills it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sv[0]);
		if (setup)
			setup();
		if (door_server_start(&s, nthreads, shared))
			_exit(90);
		d = door_create(&s, proc, attrs, NULL);
		if (d < 0 || send_fd(sv[1], d))
			_exit(91);
		close(d);
		close(sv[1]);
		for (;;)
			pause();
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	close(sv[0]);
	return fd;
}

static inline void door_fork_server_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The number of open descriptors of the calling process. */
static inline int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void door_sigusr2(int sig)
{
	(void)sig;
}

static inline void door_test_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = door_sigusr2;
	sigaction(SIGUSR2, &sa, NULL);
}

#endif /* KIPC_DOOR_UTIL_H */
