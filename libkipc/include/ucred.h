/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <ucred.h>: the illumos user credential API, for door_ucred().
 */
#ifndef LIBKIPC_UCRED_H
#define LIBKIPC_UCRED_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ucred_s ucred_t;

/* ucred_get(P_MYID): the calling process's own credentials. */
#ifndef P_MYID
#define P_MYID	(-1)
#endif

ucred_t *ucred_get(pid_t pid);
void ucred_free(ucred_t *uc);
uid_t ucred_geteuid(const ucred_t *uc);
uid_t ucred_getruid(const ucred_t *uc);
uid_t ucred_getsuid(const ucred_t *uc);
gid_t ucred_getegid(const ucred_t *uc);
gid_t ucred_getrgid(const ucred_t *uc);
gid_t ucred_getsgid(const ucred_t *uc);
int ucred_getgroups(const ucred_t *uc, const gid_t **groups);
pid_t ucred_getpid(const ucred_t *uc);
size_t ucred_size(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_UCRED_H */
