// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: the kipc cases that are not built (tools/Makefile switches
 * KIPC_BENCH_DOORS and KIPC_BENCH_CHANNELS), so their rows are still
 * printed, as skipped, with the reason, instead of silently missing.
 */
#include "bench.h"

#if !KIPC_BENCH_DOORS
static const char *no_doors(void)
{
	return "not built: tools/Makefile KIPC_BENCH_DOORS=0";
}

const struct mech mech_kipc_door = {
	.name = "kipc-door",
	.what = "kipc door calls (not built)",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_SCALE) | CAN(BENCH_STATS),
	.is_kipc = true,
	.probe = no_doors,
};

const struct mech mech_kipc_door_sun = {
	.name = "kipc-door-sun",
	.what = "kipc door calls through <door.h> (not built)",
	.benches = CAN(BENCH_RTT),
	.is_kipc = true,
	.probe = no_doors,
};
#endif

#if !KIPC_BENCH_CHANNELS
static const char *no_channels(void)
{
	return "not built: the channels API (kipc_chan_* in libkipc) is not available; build with KIPC_BENCH_CHANNELS=1";
}

const struct mech mech_kipc_chan = {
	.name = "kipc-chan",
	.what = "kipc channel, one message at a time (not built)",
	.benches = CAN(BENCH_RTT) | CAN(BENCH_STREAM),
	.is_kipc = true,
	.probe = no_channels,
};

const struct mech mech_kipc_chan_batch = {
	.name = "kipc-chan-batch",
	.what = "kipc channel, batched loan/send/receive/release (not built)",
	.benches = CAN(BENCH_STREAM),
	.is_kipc = true,
	.probe = no_channels,
	.batched = true,
};
#endif
