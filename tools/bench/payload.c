// SPDX-License-Identifier: GPL-2.0
/*
 * The pattern every payload carries, so that no mechanism can look fast by
 * skipping work: the sender writes every byte, the receiver checks every
 * byte.
 *
 * Word 0 (the first 8 bytes, little-endian) is the message's sequence
 * number, so a receiver learns which message it holds; word i > 0 is
 * base + i * K, where base depends on the sequence number and the direction
 * (request or result).  A stale buffer, a message delivered twice, a
 * truncated or shifted copy or a result echoing its request all fail the
 * check.  Messages shorter than 8 bytes (the tokens of null calls) carry
 * the low bytes of the sequence number.
 *
 * Both loops are written so that the compiler can vectorize them (no early
 * exit in the check): the cost is that of streaming the bytes once, the
 * same for every mechanism.
 */
#include <string.h>

#include "bench.h"

#define K	0x9e3779b97f4a7c15ull

int bench_fault;

static inline uint64_t base_of(uint64_t seq, int dir)
{
	return ((seq << 1) | (uint64_t)dir) * 0xd6e8feb86659fd93ull;
}

void payload_fill(void *buf, size_t len, uint64_t seq, int dir)
{
	unsigned char *p = buf;
	size_t words = len / 8, i;
	uint64_t base, w;

	/*
	 * KIPC_BENCH_FAULT: every 97th message gets its neighbour's bytes,
	 * to prove that the checks (and the test of kipc-bench) catch it.
	 */
	if (bench_fault && seq % 97 == 5)
		seq ^= 1;
	base = base_of(seq, dir);
	if (len < 8) {
		memcpy(p, &seq, len);
		return;
	}
	memcpy(p, &seq, 8);
	for (i = 1; i < words; i++) {
		w = base + i * K;
		memcpy(p + i * 8, &w, 8);
	}
	if (len % 8) {
		w = base + words * K;
		memcpy(p + words * 8, &w, len % 8);
	}
}

bool payload_check(const void *buf, size_t len, uint64_t seq, int dir)
{
	const unsigned char *p = buf;
	size_t words = len / 8, i;
	uint64_t base = base_of(seq, dir), w, diff = 0;

	if (len < 8) {
		w = 0;
		memcpy(&w, p, len);
		return len == 0 || w == (seq & ((1ull << (len * 8)) - 1));
	}
	memcpy(&w, p, 8);
	diff |= w ^ seq;
	for (i = 1; i < words; i++) {
		memcpy(&w, p + i * 8, 8);
		diff |= w ^ (base + i * K);
	}
	if (len % 8) {
		uint64_t want = base + words * K;

		w = 0;
		memcpy(&w, p + words * 8, len % 8);
		diff |= (w ^ want) & ((1ull << ((len % 8) * 8)) - 1);
	}
	return diff == 0;
}

uint64_t payload_seq(const void *buf, size_t len)
{
	uint64_t seq = 0;

	memcpy(&seq, buf, len < 8 ? len : 8);
	return seq;
}
