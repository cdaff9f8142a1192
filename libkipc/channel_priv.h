/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: what the channel files of the library share.
 */
#ifndef LIBKIPC_CHANNEL_PRIV_H
#define LIBKIPC_CHANNEL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "kipc.h"

/* ioctl() returning 0 or -errno. */
static inline int kipc_chan_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* A pointer @off bytes into @base. */
static inline void *kipc_chan_at(void *base, uint64_t off)
{
	return (uint8_t *)base + off;
}

/* Map @size bytes of @fd at @off; the mapping or NULL and *err. */
void *kipc_chan_mmap(int fd, uint64_t off, uint64_t size, int prot, int *err);

/* The absolute CLOCK_MONOTONIC deadline of a timeout (0: none). */
uint64_t kipc_chan_deadline(int64_t timeout_ns);

/*
 * What is left of a timeout: -1 forever, 0 expired, else nanoseconds.  A
 * zero timeout stays zero.
 */
int64_t kipc_chan_remaining(int64_t timeout_ns, uint64_t deadline);

/*
 * Poll @ready(@arg) for up to @spin_ns (never beyond what is left of a
 * timeout): true as soon as it is.
 */
bool kipc_chan_spin(bool (*ready)(void *arg), void *arg, int64_t spin_ns,
		    int64_t timeout_ns, uint64_t deadline);

/* Pauses between two looks at the clock while spinning. */
#define KIPC_CHAN_SPIN_CHECK	64

/* KIPC_CHAN_SPIN_DEFAULT_NS, or 0 on a machine with one CPU online. */
int64_t kipc_chan_default_spin(void);

/* KIPC_CHAN_IOC_WAIT: 0 ready, or -errno (-EAGAIN: armed, not ready). */
int kipc_chan_wait_ioctl(int fd, int64_t timeout_ns);

/* A layout from the kernel is checked before the library relies on it. */
int kipc_chan_check_layout(const struct kipc_chan_layout *l);

#endif /* LIBKIPC_CHANNEL_PRIV_H */
