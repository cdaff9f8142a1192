/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <stropts.h>: fattach() and fdetach(), for door programs.  Linux has no
 * STREAMS; only these two are provided, for doors in kipcfs.
 */
#ifndef LIBKIPC_STROPTS_H
#define LIBKIPC_STROPTS_H

#ifdef __cplusplus
extern "C" {
#endif

int fattach(int fildes, const char *path);
int fdetach(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_STROPTS_H */
