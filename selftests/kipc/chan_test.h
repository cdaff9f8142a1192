/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the channel selftests (chan_*_test.c).
 */
#ifndef KIPC_CHAN_TEST_H
#define KIPC_CHAN_TEST_H

#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <kipc.h>

#include "kipc_test.h"

#define NOBODY 65534

/* Skip unless kipc offers channels. */
#define CHAN_REQUIRE() do {						\
	struct kipc __k;						\
	KIPC_REQUIRE_DEVICE();						\
	if (kipc_open(&__k, KIPC_FEATURE_CHANNELS))			\
		SKIP(return, "kipc.ko does not offer channels");	\
	kipc_close(&__k);						\
} while (0)

/*
 * The debug kernel (KASAN, kmemleak, ...) runs the guest's kernel paths
 * several times slower; its debugfs has kmemleak.  Stress tests keep their
 * message counts (the data path does not enter the kernel) but scale down
 * the repetitions that are all system calls.
 */
static inline bool chan_debug_kernel(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

static inline uint64_t chan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * A 64-bit hash of @len bytes, a word at a time (a multiply-xorshift mix,
 * as in splitmix64): any change to a payload changes it.
 */
static inline uint64_t chan_hash(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *c = p;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL), w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, c + i, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	for (; i < len; i++)
		h = (h ^ c[i]) * 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

/* A cheap deterministic generator (xorshift64*). */
static inline uint64_t chan_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/*
 * The header of a self-checking message: who sent it, its sequence number
 * in that sender's stream, its length and a hash of the rest.
 */
struct chan_stamp {
	uint32_t sender;
	uint32_t len;
	uint64_t seq;
	uint64_t hash;
};

/* Fill @len (>= sizeof(struct chan_stamp)) bytes at @p as message @seq. */
static inline void chan_stamp(void *p, uint32_t len, uint32_t sender,
			      uint64_t seq)
{
	struct chan_stamp *st = p;
	unsigned char *body = (unsigned char *)p + sizeof(*st);
	size_t n = len - sizeof(*st);
	uint64_t r = seq * 0x9e3779b97f4a7c15ULL + sender + 1;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = chan_rand(&r);

		memcpy(body + i, &v, n - i < 8 ? n - i : 8);
	}
	st->sender = sender;
	st->len = len;
	st->seq = seq;
	st->hash = chan_hash(body, n, seq);
}

/* Whether @p, @len bytes, is an intact stamped message. */
static inline bool chan_stamp_ok(const void *p, uint32_t len)
{
	struct chan_stamp st;

	if (len < sizeof(st))
		return false;
	memcpy(&st, p, sizeof(st));
	return st.len == len &&
	       st.hash == chan_hash((const unsigned char *)p + sizeof(st),
				    len - sizeof(st), st.seq);
}

/* A context with channels, or -errno. */
static inline int chan_ctx(struct kipc *k)
{
	return kipc_open(k, KIPC_FEATURE_CHANNELS);
}

/* Create a channel with @p (NULL: defaults) and open its receiver. */
static inline int chan_make(struct kipc *k, const struct kipc_chan_params *p,
			    struct kipc_chan_rx *rx, int *connector)
{
	int rx_fd, ret;

	ret = kipc_chan_create(k, p, &rx_fd, connector);
	if (ret)
		return ret;
	ret = kipc_chan_rx_open(rx, rx_fd);
	if (ret) {
		close(rx_fd);
		close(*connector);
	}
	return ret;
}

/* Raw KIPC_IOC_CHAN_CREATE; 0 or -errno. */
static inline int chan_create_raw(int ctx, struct kipc_chan_create *c)
{
	return kipc_test_ioctl(ctx, KIPC_IOC_CHAN_CREATE, c);
}

/* The module's KIPC_IOC_CHAN_LIMITS answer, through a fresh context. */
static inline int chan_limits_now(struct kipc_chan_limits *lim)
{
	struct kipc k;
	int ret;

	ret = chan_ctx(&k);
	if (ret)
		return ret;
	ret = kipc_chan_limits(&k, lim);
	kipc_close(&k);
	return ret;
}

/* Bytes charged to the caller's user, or -1. */
static inline int64_t chan_user_usage(void)
{
	struct kipc_chan_limits lim;

	return chan_limits_now(&lim) ? -1 : (int64_t)lim.user_usage;
}

/* Channels alive in the system, or -1. */
static inline int64_t chan_count(void)
{
	struct kipc_chan_limits lim;

	return chan_limits_now(&lim) ? -1 : (int64_t)lim.channels;
}

/*
 * Wait until @probe() returns @want, for up to @ms milliseconds: freeing
 * what a dead process held completes when its files are released, which
 * may lag its exit status slightly.
 */
static inline bool chan_settle(int64_t (*probe)(void), int64_t want, int ms)
{
	for (int i = 0; i < ms; i++) {
		if (probe() == want)
			return true;
		usleep(1000);
	}
	return probe() == want;
}

/* A value "key:\t<number>" of /proc/self/fdinfo/@fd, or -1. */
static inline int64_t chan_fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int64_t val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtoll(line + klen + 1, NULL, 0);
			break;
		}
	}
	fclose(f);
	return val;
}

/* Drop to uid/gid NOBODY (in a child); false when that fails. */
static inline bool chan_become_nobody(void)
{
	return !setgroups(0, NULL) && !setgid(NOBODY) && !setuid(NOBODY) &&
	       geteuid() == NOBODY;
}

/* Exit status of @pid (the signal number + 128 if it was killed). */
static inline int chan_wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Send @fd over the unix socket @sock. */
static inline int chan_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

/* Receive a descriptor from the unix socket @sock; the fd or -errno. */
static inline int chan_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Send @len bytes with a stamp, waiting for space; 0 or -errno. */
static inline int chan_send_stamped(struct kipc_chan_tx *tx, uint32_t len,
				    uint32_t sender, uint64_t seq,
				    int64_t timeout_ns)
{
	struct kipc_chan_buf buf;
	int ret;

	ret = kipc_chan_loan_wait(tx, len, &buf, timeout_ns);
	if (ret)
		return ret;
	chan_stamp(buf.data, len, sender, seq);
	return kipc_chan_send(tx, &buf);
}

#endif /* KIPC_CHAN_TEST_H */
