// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: door_cred(), door_ucred() and <ucred.h>.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "door.h"
#include "kipc.h"
#include "door_thread.h"

struct ucred_s {
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	pid_t pid;
	int ngroups;
	int capacity;
	gid_t groups[];
};

/* Groups a ucred_t from ucred_size() can hold without growing. */
#define UCRED_GROUPS	64

static ucred_t *ucred_alloc(ucred_t *uc, int ngroups)
{
	ucred_t *n;

	if (uc && uc->capacity >= ngroups)
		return uc;
	n = realloc(uc, sizeof(*n) + ngroups * sizeof(gid_t));
	if (n)
		n->capacity = ngroups;
	return n;
}

size_t ucred_size(void)
{
	return sizeof(struct ucred_s) + UCRED_GROUPS * sizeof(gid_t);
}

void ucred_free(ucred_t *uc)
{
	free(uc);
}

uid_t ucred_geteuid(const ucred_t *uc) { return uc->euid; }
uid_t ucred_getruid(const ucred_t *uc) { return uc->ruid; }
uid_t ucred_getsuid(const ucred_t *uc) { return uc->suid; }
gid_t ucred_getegid(const ucred_t *uc) { return uc->egid; }
gid_t ucred_getrgid(const ucred_t *uc) { return uc->rgid; }
gid_t ucred_getsgid(const ucred_t *uc) { return uc->sgid; }
pid_t ucred_getpid(const ucred_t *uc) { return uc->pid; }

int ucred_getgroups(const ucred_t *uc, const gid_t **groups)
{
	*groups = uc->groups;
	return uc->ngroups;
}

/* The credentials of the caller of the invocation being served. */
static int door_current(struct kipc_door_current *cur, gid_t *groups,
			int max)
{
	int ret;

	memset(cur, 0, sizeof(*cur));
	cur->groups_max = max;
	cur->groups_ptr = (uintptr_t)groups;
	ret = kipc__door_current(cur);
	if (ret == -EBADF)
		ret = -EINVAL;	/* illumos: not a server thread */
	if (!ret && cur->flags & KIPC_CURRENT_UNREF)
		ret = -EINVAL;	/* nobody called */
	return ret;
}

int door_cred(door_cred_t *info)
{
	struct kipc_door_current cur;
	int ret = door_current(&cur, NULL, 0);

	if (ret) {
		errno = -ret;
		return -1;
	}
	memset(info, 0, sizeof(*info));
	info->dc_euid = cur.euid;
	info->dc_egid = cur.egid;
	info->dc_ruid = cur.uid;
	info->dc_rgid = cur.gid;
	info->dc_pid = cur.pid;
	return 0;
}

int door_ucred(ucred_t **info)
{
	struct kipc_door_current cur;
	ucred_t *uc = *info;
	int ret, max;

	for (;;) {
		uc = ucred_alloc(uc, uc ? uc->capacity : UCRED_GROUPS);
		if (!uc) {
			errno = ENOMEM;
			return -1;
		}
		max = uc->capacity;
		ret = door_current(&cur, uc->groups, max);
		if (ret) {
			if (!*info)
				free(uc);
			errno = -ret;
			return -1;
		}
		if ((int)cur.ngroups <= max)
			break;
		uc = ucred_alloc(uc, cur.ngroups);
		if (!uc) {
			errno = ENOMEM;
			return -1;
		}
	}
	uc->ruid = cur.uid;
	uc->euid = cur.euid;
	uc->suid = cur.suid;
	uc->rgid = cur.gid;
	uc->egid = cur.egid;
	uc->sgid = cur.sgid;
	uc->pid = cur.pid;
	uc->ngroups = cur.ngroups;
	*info = uc;
	return 0;
}

/* Read "Name: a b c ..." from /proc/PID/status. */
static int ucred_status_line(FILE *f, const char *name, unsigned long *v,
			     int max)
{
	char line[4096];
	size_t len = strlen(name);
	int n = 0;

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = line + len, *end;

		if (strncmp(line, name, len))
			continue;
		while (n < max) {
			unsigned long x = strtoul(p, &end, 10);

			if (end == p)
				break;
			v[n++] = x;
			p = end;
		}
		return n;
	}
	return -1;
}

ucred_t *ucred_get(pid_t pid)
{
	unsigned long ids[4], *groups;
	char path[64];
	ucred_t *uc = NULL;
	FILE *f;
	int n;

	if (pid == P_MYID)
		pid = getpid();
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	groups = calloc(65536, sizeof(*groups));
	if (!groups)
		goto out;
	n = ucred_status_line(f, "Groups:", groups, 65536);
	uc = ucred_alloc(NULL, n > UCRED_GROUPS ? n : UCRED_GROUPS);
	if (!uc)
		goto out;
	uc->pid = pid;
	uc->ngroups = n < 0 ? 0 : n;
	for (int i = 0; i < uc->ngroups; i++)
		uc->groups[i] = groups[i];
	if (ucred_status_line(f, "Uid:", ids, 4) < 3)
		goto fail;
	uc->ruid = ids[0];
	uc->euid = ids[1];
	uc->suid = ids[2];
	if (ucred_status_line(f, "Gid:", ids, 4) < 3)
		goto fail;
	uc->rgid = ids[0];
	uc->egid = ids[1];
	uc->sgid = ids[2];
	goto out;
fail:
	free(uc);
	uc = NULL;
	errno = EINVAL;
out:
	free(groups);
	fclose(f);
	return uc;
}
