// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-chan-demo: a channel's receiver and its senders, for the
 * demonstration.
 *
 *   kipc-chan-demo receiver PATH SENDERS N
 *                              publish a channel at PATH (in kipcfs) and
 *                              receive N messages from each of SENDERS
 *                              senders, checking every byte, then exit
 *   kipc-chan-demo sender PATH N SIZE
 *                              connect by PATH and send N messages of SIZE
 *                              bytes, written in place in the shared pool
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kipc.h>

#define TIMEOUT_NS	(30 * 1000000000LL)
#define MAX_SENDERS	16

/* Every message: a sequence number, then bytes derived from it. */
static void fill(uint8_t *p, uint32_t len, uint64_t seq)
{
	memcpy(p, &seq, sizeof(seq));
	for (uint32_t i = sizeof(seq); i < len; i++)
		p[i] = (uint8_t)(seq * 131 + i);
}

static int check(const uint8_t *p, uint32_t len, uint64_t seq)
{
	uint64_t got;

	if (len < sizeof(got))
		return -1;
	memcpy(&got, p, sizeof(got));
	if (got != seq)
		return -1;
	for (uint32_t i = sizeof(seq); i < len; i++)
		if (p[i] != (uint8_t)(seq * 131 + i))
			return -1;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct publisher {
	struct kipc k;
	int connector;
};

static void *serve_door(void *arg)
{
	struct publisher *p = arg;
	struct kipc_door_server srv = {
		.handler = kipc_chan_publish_handler, .arg = &p->connector,
	};

	kipc_door_serve(&p->k, &srv);
	return NULL;
}

static int receiver(const char *path, int senders, long n)
{
	struct { uint64_t id, next; } who[MAX_SENDERS] = { { 0, 0 } };
	struct kipc_chan_params params = { .max_msg = 64 << 10 };
	struct kipc_chan_sender_info info;
	struct kipc_chan_rx rx;
	struct kipc_chan_msg m[32];
	struct publisher p;
	uint64_t bytes = 0, total = 0;
	int rx_fd, door, fd, ret;
	pthread_t thread;
	double t0 = 0;

	if (senders < 1 || senders > MAX_SENDERS || n < 1)
		return 2;
	ret = kipc_open(&p.k, KIPC_FEATURE_DOORS | KIPC_FEATURE_CHANNELS);
	if (!ret)
		ret = kipc_chan_create(&p.k, &params, &rx_fd, &p.connector);
	if (!ret)
		ret = kipc_chan_rx_open(&rx, rx_fd);
	if (ret) {
		fprintf(stderr, "receiver: channel: %s\n", strerror(-ret));
		return 1;
	}
	door = kipc_door_create(&p.k, 0, 0, 0, NULL);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	if (door < 0 || fd < 0 || close(fd) ||
	    (ret = kipc_door_attach(&p.k, door, path)) ||
	    (ret = -pthread_create(&thread, NULL, serve_door, &p))) {
		fprintf(stderr, "receiver: publish %s: %s\n", path,
			strerror(door < 0 ? -door : ret ? -ret : errno));
		return 1;
	}
	printf("receiver: pid %d publishes a channel at %s (pool %" PRIu64
	       " KiB per sender, messages up to %u bytes)\n", getpid(), path,
	       rx.pool_size >> 10, rx.max_msg);
	fflush(stdout);

	while (total < (uint64_t)senders * n) {
		ret = kipc_chan_recv_wait(&rx, m, 32, TIMEOUT_NS);
		if (ret <= 0) {
			fprintf(stderr, "receiver: %s\n",
				ret ? strerror(-ret) : "end of channel");
			return 1;
		}
		if (!t0)
			t0 = now();
		for (int i = 0; i < ret; i++) {
			int s;

			for (s = 0; s < senders; s++)
				if (!who[s].id || who[s].id == m[i].sender)
					break;
			if (s == senders) {
				fprintf(stderr, "receiver: an extra sender\n");
				return 1;
			}
			if (!who[s].id) {
				who[s].id = m[i].sender;
				kipc_chan_sender_info(&rx, m[i].sender, &info);
				printf("receiver: sender %" PRIu64 " is pid %d "
				       "uid %u\n", info.id, info.pid,
				       info.uid);
			}
			/* Read in place, in the sender's pool. */
			if (check(m[i].data, m[i].len, who[s].next++)) {
				fprintf(stderr, "receiver: corrupt message\n");
				return 1;
			}
			bytes += m[i].len;
		}
		total += ret;
		ret = kipc_chan_release_batch(&rx, m, ret);
		if (ret) {
			fprintf(stderr, "receiver: release: %s\n",
				strerror(-ret));
			return 1;
		}
	}
	printf("receiver: %" PRIu64 " messages, %" PRIu64 " MiB, every byte "
	       "checked, in order per sender, in %.2f s\n", total,
	       bytes >> 20, now() - t0);
	/* Unpublish: the name goes, the door server returns. */
	kipc_door_shutdown(&p.k);
	pthread_join(thread, NULL);
	kipc_chan_rx_close(&rx);
	close(p.connector);
	kipc_close(&p.k);
	return 0;
}

static int sender(const char *path, long n, long size)
{
	struct kipc_chan_tx tx;
	struct kipc_chan_buf b;
	int ret = -EINVAL;

	for (int i = 0; i < 100; i++) {
		/* Not published yet: no name, or not a door yet. */
		ret = kipc_chan_connect_path(&tx, path, TIMEOUT_NS);
		if (ret != -ENOENT && ret != -ENOTTY)
			break;
		usleep(100000);
	}
	if (ret) {
		fprintf(stderr, "sender: connect %s: %s\n", path,
			strerror(-ret));
		return 1;
	}
	for (long i = 0; i < n; i++) {
		ret = kipc_chan_loan_wait(&tx, size, &b, TIMEOUT_NS);
		if (!ret) {
			fill(b.data, b.len, i);
			ret = kipc_chan_send(&tx, &b);
		}
		if (ret) {
			fprintf(stderr, "sender: %s\n", strerror(-ret));
			return 1;
		}
	}
	printf("sender: pid %d sent %ld messages of %ld bytes\n", getpid(), n,
	       size);
	kipc_chan_tx_close(&tx);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "receiver"))
		return receiver(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "sender"))
		return sender(argv[2], atol(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: kipc-chan-demo receiver PATH SENDERS N | "
		"sender PATH N SIZE\n");
	return 2;
}
