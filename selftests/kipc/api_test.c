// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/kipc handshake (KIPC_IOC_API) and its failure modes.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

FIXTURE(ctx) {
	int fd;
};

FIXTURE_SETUP(ctx)
{
	KIPC_REQUIRE_DEVICE();
	self->fd = kipc_test_open_raw();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ctx)
{
	if (self->fd >= 0)
		close(self->fd);
}

static struct kipc_api good_api(void)
{
	struct kipc_api api;

	memset(&api, 0, sizeof(api));
	api.api = KIPC_API;
	return api;
}

TEST_F(ctx, handshake)
{
	struct kipc_api api = good_api();
	struct kipc_info info;

	api.reserved[0] = 0;
	ASSERT_EQ(0, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
	EXPECT_EQ(KIPC_API, api.api);
	EXPECT_EQ(0, api.flags);
	EXPECT_EQ(KIPC_FEATURES, api.features);
	EXPECT_EQ(1ULL << _IOC_NR(KIPC_IOC_API),
		  api.ioctls & 1ULL << _IOC_NR(KIPC_IOC_API));
	EXPECT_EQ(1ULL << _IOC_NR(KIPC_IOC_INFO),
		  api.ioctls & 1ULL << _IOC_NR(KIPC_IOC_INFO));
	for (unsigned int i = 0; i < 3; i++)
		EXPECT_EQ(0, api.reserved[i]);

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, &info));
	EXPECT_EQ(KIPC_API, info.api);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(KIPC_FEATURES, info.features);
	EXPECT_LE(1, info.contexts);
	EXPECT_NE(0, info.version[0]);
	EXPECT_NE(NULL, memchr(info.version, 0, sizeof(info.version)));
	for (unsigned int i = 0; i < 4; i++)
		EXPECT_EQ(0, info.reserved[i]);
}

TEST_F(ctx, bad_version)
{
	__u32 bad[] = { 0, KIPC_API + 1, 0xaa, UINT32_MAX };
	struct kipc_api api;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api = good_api();
		api.api = bad[i];
		EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->fd, KIPC_IOC_API,
						   &api));
	}
	/* A refused handshake does not count: the right one still works. */
	api = good_api();
	EXPECT_EQ(0, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
}

TEST_F(ctx, unknown_features)
{
	struct kipc_api api;

	for (unsigned int bit = 0; bit < 64; bit++) {
		if (KIPC_FEATURES & 1ULL << bit)
			continue;
		api = good_api();
		api.features = 1ULL << bit;
		EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->fd, KIPC_IOC_API,
						   &api));
	}
	api = good_api();
	api.features = ~KIPC_FEATURES;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
	/* Asking for every offered feature is fine. */
	api = good_api();
	api.features = KIPC_FEATURES;
	EXPECT_EQ(0, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
}

TEST_F(ctx, nonzero_reserved)
{
	struct kipc_api api;

	for (unsigned int i = 0; i < 3; i++) {
		api = good_api();
		api.reserved[i] = 1ULL << (i * 17);
		EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->fd, KIPC_IOC_API,
						   &api));
	}
	for (unsigned int bit = 0; bit < 32; bit++) {
		api = good_api();
		api.flags = 1U << bit;
		EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->fd, KIPC_IOC_API,
						   &api));
	}
	/* ioctls is an output: what user space leaves there is ignored. */
	api = good_api();
	api.ioctls = ~0ULL;
	EXPECT_EQ(0, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
}

TEST_F(ctx, repeated_handshake)
{
	struct kipc_api api = good_api();
	struct kipc_info info;

	ASSERT_EQ(0, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
	api = good_api();
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
	/* The refused second handshake leaves the first one in force. */
	EXPECT_EQ(0, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, &info));
}

TEST_F(ctx, ioctl_before_handshake)
{
	struct kipc_info info;
	struct kipc_api api;

	EXPECT_EQ(-EBADFD, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, &info));
	/* Even with a bad pointer: the state is checked first. */
	EXPECT_EQ(-EBADFD, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, NULL));
	/* A failed handshake does not open the gate either. */
	api = good_api();
	api.api = 0;
	EXPECT_EQ(-EINVAL, kipc_test_ioctl(self->fd, KIPC_IOC_API, &api));
	EXPECT_EQ(-EBADFD, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, &info));
}

static void expect_unknown_ioctls(struct __test_metadata *_metadata, int fd)
{
	unsigned long bad[] = {
		_IO(KIPC_IOC_MAGIC, 0x7f),
		_IOWR(KIPC_IOC_MAGIC, 0xff, struct kipc_api),
		/* the right number with the wrong size or direction */
		_IOWR(KIPC_IOC_MAGIC, _IOC_NR(KIPC_IOC_API), __u32),
		_IOR(KIPC_IOC_MAGIC, _IOC_NR(KIPC_IOC_API), struct kipc_api),
		_IOW(KIPC_IOC_MAGIC, _IOC_NR(KIPC_IOC_INFO), struct kipc_info),
		/* another driver's magic */
		_IOWR('T', 0x01, struct kipc_api),
		0,
	};
	char buf[256] = { 0 };

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-ENOTTY, kipc_test_ioctl(fd, bad[i], buf)) {
			TH_LOG("ioctl 0x%lx", bad[i]);
		}
	}
}

TEST_F(ctx, unknown_ioctl)
{
	expect_unknown_ioctls(_metadata, self->fd);
	ASSERT_EQ(0, kipc_test_api(self->fd, 0, NULL));
	expect_unknown_ioctls(_metadata, self->fd);
}

TEST_F(ctx, bad_pointers)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct kipc_api *ro;
	void *unmapped;

	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->fd, KIPC_IOC_API, NULL));
	unmapped = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->fd, KIPC_IOC_API, unmapped));
	/* A struct straddling the end of the mapped memory. */
	ro = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, munmap((char *)ro + page, page));
	{
		struct kipc_api *tail = (void *)((char *)ro + page - 8);

		EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->fd, KIPC_IOC_API,
						   tail));
	}

	/*
	 * A readable but not writable struct: the request is valid, the
	 * answer cannot be written, so the handshake must not count.
	 */
	*ro = good_api();
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->fd, KIPC_IOC_API, ro));
	EXPECT_EQ(-EBADFD, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, NULL));
	ASSERT_EQ(0, kipc_test_api(self->fd, 0, NULL));

	/* After the handshake, INFO checks its pointer too. */
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, NULL));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, unmapped));
	EXPECT_EQ(-EFAULT, kipc_test_ioctl(self->fd, KIPC_IOC_INFO, ro));
	munmap(ro, page);
	munmap(unmapped, page);
}

#define RACERS 8

struct racer {
	int fd;
	pthread_barrier_t *start;
	int ret;
};

static void *race_handshake(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->start);
	r->ret = kipc_test_api(r->fd, 0, NULL);
	return NULL;
}

TEST_F(ctx, racing_handshakes)
{
	for (int round = 0; round < 50; round++) {
		pthread_barrier_t start;
		struct racer r[RACERS];
		pthread_t t[RACERS];
		int won = 0, fd;

		fd = kipc_test_open_raw();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pthread_barrier_init(&start, NULL, RACERS));
		for (int i = 0; i < RACERS; i++) {
			r[i] = (struct racer){ .fd = fd, .start = &start };
			ASSERT_EQ(0, pthread_create(&t[i], NULL,
						    race_handshake, &r[i]));
		}
		for (int i = 0; i < RACERS; i++) {
			pthread_join(t[i], NULL);
			if (r[i].ret == 0)
				won++;
			else
				EXPECT_EQ(-EINVAL, r[i].ret);
		}
		EXPECT_EQ(1, won);
		pthread_barrier_destroy(&start);
		close(fd);
	}
}

TEST(info_counts_contexts)
{
	struct kipc_info before, during, after;
	int fd, extra[16];

	KIPC_REQUIRE_DEVICE();
	fd = kipc_test_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_test_ioctl(fd, KIPC_IOC_INFO, &before));
	for (int i = 0; i < 16; i++) {
		extra[i] = kipc_test_open_raw();
		ASSERT_LE(0, extra[i]);
	}
	ASSERT_EQ(0, kipc_test_ioctl(fd, KIPC_IOC_INFO, &during));
	for (int i = 0; i < 16; i++)
		close(extra[i]);
	ASSERT_EQ(0, kipc_test_ioctl(fd, KIPC_IOC_INFO, &after));
	/* Other processes may open contexts meanwhile; ours are counted. */
	EXPECT_LE(before.contexts + 16, during.contexts);
	EXPECT_GE(during.contexts - 16, after.contexts);
	close(fd);
}

TEST_HARNESS_MAIN
