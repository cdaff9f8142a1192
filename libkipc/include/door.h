/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <door.h>: the Solaris/illumos doors API over kipc.
 *
 * Programs written for illumos doors compile unmodified against libkipc
 * (cc $(pkg-config --cflags libkipc) ... -lkipc) and behave as on illumos,
 * with the differences listed in Documentation/kipc/doors.rst.  Names,
 * types, flag values and structure layouts are illumos's.  Functions return
 * 0 (or a descriptor) on success and -1 with errno set on failure.
 */
#ifndef LIBKIPC_DOOR_H
#define LIBKIPC_DOOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <ucred.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LIBKIPC_UINT_T
#define LIBKIPC_UINT_T
typedef unsigned int uint_t;
#endif

typedef unsigned long long door_ptr_t;	/* 64-bit pointers */
typedef unsigned long long door_id_t;	/* unique door identifier */
typedef unsigned int door_attr_t;	/* door attributes */

#define DOOR_INVAL	(-1)		/* an invalid door descriptor */
#define DOOR_UNREF_DATA	((void *)1)	/* argp of unreferenced invocations */
#define DOOR_QUERY	(-2)		/* door_info(): the door being served */

/* Attributes given to door_create() */
#define DOOR_UNREF		0x01
#define DOOR_PRIVATE		0x02
#define DOOR_UNREF_MULTI	0x10
#define DOOR_REFUSE_DESC	0x40
#define DOOR_NO_CANCEL		0x80
/* ... and reported by door_info() and with passed doors */
#define DOOR_LOCAL		0x04
#define DOOR_REVOKED		0x08
#define DOOR_IS_UNREF		0x20

#define DOOR_CREATE_MASK	(DOOR_UNREF | DOOR_PRIVATE | DOOR_UNREF_MULTI | \
				 DOOR_REFUSE_DESC | DOOR_NO_CANCEL)
#define DOOR_ATTR_MASK		(DOOR_CREATE_MASK | DOOR_LOCAL | DOOR_REVOKED | \
				 DOOR_IS_UNREF)

/* door_desc_t.d_attributes */
#define DOOR_DESCRIPTOR		0x10000	/* a file descriptor is passed */
#define DOOR_RELEASE		0x40000	/* and released by the sender */

/* door_getparam() and door_setparam() */
#define DOOR_PARAM_DESC_MAX	1
#define DOOR_PARAM_DATA_MAX	2
#define DOOR_PARAM_DATA_MIN	3

/* A door's file type in st_mode. */
#ifndef S_IFDOOR
#define S_IFDOOR	0150000
#endif
#ifndef S_ISDOOR
#define S_ISDOOR(mode)	(((mode) & S_IFMT) == S_IFDOOR)
#endif

/* As on illumos amd64: 4-byte packing, the same layout for 32-bit code. */
#if defined(__x86_64__) || defined(__i386__)
#pragma pack(4)
#endif

typedef struct door_desc {
	door_attr_t d_attributes;
	union {
		struct {
			int d_descriptor;
			door_id_t d_id;
		} d_desc;
		int d_resv[5];
	} d_data;
} door_desc_t;

typedef struct door_info {
	pid_t di_target;		/* server process */
	door_ptr_t di_proc;		/* server procedure */
	door_ptr_t di_data;		/* its cookie */
	door_attr_t di_attributes;
	door_id_t di_uniquifier;	/* unique id of the door */
	int di_resv[4];
} door_info_t;

#if defined(__x86_64__) || defined(__i386__)
#pragma pack()
#endif

typedef struct door_cred {
	uid_t dc_euid;
	gid_t dc_egid;
	uid_t dc_ruid;
	gid_t dc_rgid;
	pid_t dc_pid;
	int dc_resv[4];
} door_cred_t;

typedef struct door_arg {
	char *data_ptr;		/* arguments in, results out */
	size_t data_size;
	door_desc_t *desc_ptr;	/* descriptors in, descriptors out */
	uint_t desc_num;
	char *rbuf;		/* result buffer */
	size_t rsize;
} door_arg_t;

typedef void door_server_func_t(door_info_t *);

int door_create(void (*server_procedure)(void *cookie, char *argp,
					 size_t arg_size, door_desc_t *dp,
					 uint_t n_desc),
		void *cookie, uint_t attributes);
int door_call(int d, door_arg_t *params);
int door_return(char *data_ptr, size_t data_size, door_desc_t *desc_ptr,
		uint_t num_desc);
int door_info(int d, door_info_t *info);
int door_revoke(int d);
int door_cred(door_cred_t *info);
int door_ucred(ucred_t **info);
int door_bind(int d);
int door_unbind(void);
door_server_func_t *door_server_create(door_server_func_t *create_func);
int door_getparam(int d, int param, size_t *out);
int door_setparam(int d, int param, size_t val);

/* Naming, also declared by <stropts.h> */
int fattach(int fildes, const char *path);
int fdetach(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_DOOR_H */
