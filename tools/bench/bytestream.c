// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: both ends of a message stream over a byte stream (pipe,
 * AF_UNIX stream socket), written as an expert would: the sender makes one
 * write per message (so each message is available to the receiver as soon
 * as it is sent), the receiver reads whatever is there into a large buffer
 * with one read and checks every complete message in place.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

int bytestream_recv(struct stream_ctx *s, int fd)
{
	struct acct *a = bench_acct(s->sh);
	size_t cap = s->size > 65536 ? s->size : 65536 / s->size * s->size;
	size_t have = 0, off;
	uint64_t seq = 1;
	unsigned char *buf = bench_alloc(cap);
	ssize_t n;
	bool ok;

	if (!buf)
		return -ENOMEM;
	while (seq <= s->count) {
		n = read(fd, buf + have, cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			bench_error(s->sh, "read: %s",
				    n ? strerror(errno) : "end of file");
			bench_free(buf, cap);
			return n ? -errno : -EPIPE;
		}
		have += (size_t)n;
		for (off = 0; have - off >= s->size; off += s->size) {
			ok = payload_check(buf + off, s->size, seq, DIR_REQ);
			acct_add(a, s->size, ok);
			seq++;
		}
		/* a partial message moves to the front (at most size - 1) */
		if (off && have > off)
			memmove(buf, buf + off, have - off);
		have -= off;
	}
	bench_free(buf, cap);
	return 0;
}

int bytestream_send(struct stream_ctx *s, int fd)
{
	unsigned char *buf = bench_alloc(s->size);
	uint64_t seq;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (seq = 1; seq <= s->count && !ret; seq++) {
		payload_fill(buf, s->size, seq, DIR_REQ);
		ret = write_full(fd, buf, s->size);
	}
	bench_free(buf, s->size);
	return ret;
}
