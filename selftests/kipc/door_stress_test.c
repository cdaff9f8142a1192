// SPDX-License-Identifier: GPL-2.0
/*
 * Doors under load: many client threads against many server threads with
 * every byte checked, revocation and server death racing with calls.
 */
#include "kselftest_harness.h"
#include "kipc_test.h"
#include "door_util.h"

#define CLIENTS		8
#define SERVERS		4
#define CALLS		(100 * 1000)

struct client {
	int door;
	int id;
	long calls;
	long failures;
	long bytes;
};

/* Long-running tests: one empty fixture to give them a longer timeout. */
FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
	KIPC_REQUIRE_DEVICE();
}

FIXTURE_TEARDOWN(stress)
{
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static size_t pick_size(uint32_t *seed)
{
	uint32_t r = rnd(seed);

	/* Mostly small, some a page, a few large: every path is hit. */
	if (r % 100 == 0)
		return 65536 + r % 4096;
	if (r % 10 == 0)
		return 4096 + r % 300;
	return r % 257;
}

static void *client_thread(void *arg)
{
	struct client *c = arg;
	static __thread unsigned char out[70000], in[70000];
	uint32_t seed = 0x9e3779b9u * (c->id + 1);

	for (long i = 0; i < c->calls; i++) {
		size_t n = pick_size(&seed), got;
		uint8_t salt = (uint8_t)rnd(&seed);

		for (size_t j = 0; j < n; j++)
			out[j] = (uint8_t)(j * 7 + salt + c->id);
		if (kipc_door_call_buf(c->door, out, n, in, sizeof(in), &got,
				       0) || got != n || memcmp(in, out, n)) {
			c->failures++;
			continue;
		}
		c->bytes += n;
	}
	return NULL;
}

TEST_F_TIMEOUT(stress, many_clients_many_servers, 900)
{
	struct door_shared *sh = door_shared_new();
	struct client cl[CLIENTS];
	pthread_t t[CLIENTS];
	long total = 0, failures = 0;
	int door;
	pid_t srv;

	door = door_fork_server(PROC_ECHO, 0, SERVERS, sh, NULL, &srv);
	ASSERT_LE(0, door);
	for (int i = 0; i < CLIENTS; i++) {
		cl[i] = (struct client){
			.door = door, .id = i, .calls = CALLS / CLIENTS,
		};
		ASSERT_EQ(0, pthread_create(&t[i], NULL, client_thread, &cl[i]));
	}
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(t[i], NULL);
		total += cl[i].calls;
		failures += cl[i].failures;
	}
	EXPECT_EQ(0, failures);
	EXPECT_LE(CALLS, total);
	/* The server counted exactly the calls made. */
	EXPECT_EQ(total, sh->calls);
	close(door);
	door_fork_server_kill(srv);
}

struct racer {
	int door;
	volatile int *stop;
	long ok, ebadf, other;
};

static void *race_thread(void *arg)
{
	struct racer *r = arg;

	while (!*r->stop) {
		uint32_t v = 5, got = 0;
		size_t n;
		int ret = kipc_door_call_buf(r->door, &v, 4, &got, 4, &n, 0);

		if (!ret && got == 5)
			r->ok++;
		else if (ret == -EBADF)
			r->ebadf++;
		else
			r->other++;
		if (ret == -EBADF)
			break;
	}
	return NULL;
}

TEST_F_TIMEOUT(stress, revoke_races_with_calls, 300)
{
	for (int round = 0; round < 10; round++) {
		struct door_server s;
		struct racer r[6];
		pthread_t t[6];
		volatile int stop = 0;
		int door;

		ASSERT_EQ(0, door_server_start(&s, 3, NULL));
		door = door_create(&s, PROC_ECHO, 0, NULL);
		ASSERT_LE(0, door);
		for (int i = 0; i < 6; i++) {
			r[i] = (struct racer){ .door = door, .stop = &stop };
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_thread,
						    &r[i]));
		}
		usleep(20000 + round * 5000);
		ASSERT_EQ(0, kipc_door_revoke(door));
		usleep(50000);
		stop = 1;
		for (int i = 0; i < 6; i++) {
			pthread_join(t[i], NULL);
			/* Every call either completed or saw the revoke. */
			EXPECT_EQ(0, r[i].other);
			EXPECT_EQ(1, r[i].ebadf);
		}
		door_server_stop(&s);
		close(door);
	}
}

TEST_F_TIMEOUT(stress, server_death_races_with_calls, 300)
{
	struct door_shared *sh = door_shared_new();

	for (int round = 0; round < 10; round++) {
		struct racer r[6];
		pthread_t t[6];
		volatile int stop = 0;
		int door;
		pid_t srv;

		door = door_fork_server(PROC_ECHO, 0, 2, sh, NULL, &srv);
		ASSERT_LE(0, door);
		for (int i = 0; i < 6; i++) {
			r[i] = (struct racer){ .door = door, .stop = &stop };
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_thread,
						    &r[i]));
		}
		usleep(20000 + round * 7000);
		door_fork_server_kill(srv);
		usleep(50000);
		stop = 1;
		for (int i = 0; i < 6; i++) {
			pthread_join(t[i], NULL);
			/* In progress when it died: EINTR; after: EBADF. */
			EXPECT_EQ(1, r[i].ebadf);
			EXPECT_GE(1, r[i].other);
		}
		close(door);
	}
}

TEST_HARNESS_MAIN
