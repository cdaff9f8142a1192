// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: the mechanisms, in the order their rows are printed.  Adding
 * one is a source file defining a `struct mech` and a line here (and its
 * object in tools/Makefile).
 */
#include "bench.h"

extern const struct mech mech_kipc_door, mech_kipc_door_sun;
extern const struct mech mech_kipc_chan, mech_kipc_chan_batch;
extern const struct mech mech_pipe, mech_unix_stream, mech_unix_seqpacket;
extern const struct mech mech_eventfd, mech_futex, mech_posix_mq;
extern const struct mech mech_sysv_msg, mech_binder, mech_shm_ring;

const struct mech *const mechs[] = {
	&mech_kipc_door,
	&mech_kipc_door_sun,
	&mech_kipc_chan,
	&mech_kipc_chan_batch,
	&mech_pipe,
	&mech_unix_stream,
	&mech_unix_seqpacket,
	&mech_eventfd,
	&mech_futex,
	&mech_posix_mq,
	&mech_sysv_msg,
	&mech_binder,
	&mech_shm_ring,
	NULL
};
