// SPDX-License-Identifier: GPL-2.0
/*
 * kipcinfo: open /dev/kipc, shake hands and print what the module offers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <kipc.h>

static const struct {
	unsigned long cmd;
	const char *name;
} ctx_ioctls[] = {
	{ KIPC_IOC_API, "API" },
	{ KIPC_IOC_INFO, "INFO" },
	{ KIPC_IOC_DOOR_CREATE, "DOOR_CREATE" },
	{ KIPC_IOC_DOOR_RETURN, "DOOR_RETURN" },
	{ KIPC_IOC_DOOR_UNBIND, "DOOR_UNBIND" },
	{ KIPC_IOC_DOOR_CURRENT, "DOOR_CURRENT" },
	{ KIPC_IOC_DOOR_ATTACH, "DOOR_ATTACH" },
	{ KIPC_IOC_DOOR_DETACH, "DOOR_DETACH" },
	{ KIPC_IOC_DOOR_BIND, "DOOR_BIND" },
	{ KIPC_IOC_DOOR_SHUTDOWN, "DOOR_SHUTDOWN" },
};

static const struct {
	uint64_t bit;
	const char *name;
} features[] = {
	{ KIPC_FEATURE_DOORS, "doors" },
};

static void print_file(const char *label, const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		printf("%-14s %s\n", label, buf);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : KIPC_DEVICE_PATH;
	struct kipc_info info;
	struct stat st;
	struct kipc k;
	int ret;

	if (stat(path, &st)) {
		fprintf(stderr, "kipcinfo: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%-14s %s (char %u:%u, mode %04o)\n", "device", path,
	       major(st.st_rdev), minor(st.st_rdev), st.st_mode & 07777);
	print_file("module", "/sys/module/kipc/version");
	print_file("srcversion", "/sys/module/kipc/srcversion");
	print_file("refcount", "/sys/module/kipc/refcnt");

	ret = kipc_open_path(&k, path, 0);
	if (ret) {
		fprintf(stderr, "kipcinfo: handshake: %s\n", strerror(-ret));
		return 1;
	}
	ret = kipc_info(&k, &info);
	if (ret) {
		fprintf(stderr, "kipcinfo: info: %s\n", strerror(-ret));
		return 1;
	}
	printf("%-14s %u (library speaks %u)\n", "api", info.api, KIPC_API);
	printf("%-14s %s\n", "version", info.version);
	printf("%-14s", "features");
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (k.features & features[i].bit)
			printf(" %s", features[i].name);
	printf(" (0x%" PRIx64 ")\n", (uint64_t)k.features);
	printf("%-14s", "ioctls");
	for (size_t i = 0; i < sizeof(ctx_ioctls) / sizeof(ctx_ioctls[0]); i++)
		if (k.ioctls & 1ULL << _IOC_NR(ctx_ioctls[i].cmd))
			printf(" %s", ctx_ioctls[i].name);
	printf("\n%-14s %" PRIu64 "\n", "contexts", (uint64_t)info.contexts);
	kipc_close(&k);
	return 0;
}
