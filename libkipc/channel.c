// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc: channels: creation, limits, the request/response pair and the
 * helpers the receiver and the sender share.
 */
#define _FILE_OFFSET_BITS 64	/* mmap offsets beyond 2 GiB on 32-bit */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kipc.h"
#include "channel_priv.h"

void *kipc_chan_mmap(int fd, uint64_t off, uint64_t size, int prot, int *err)
{
	void *p;

	if (off == KIPC_CHAN_MMAP_NONE || size != (size_t)size ||
	    off != (uint64_t)(off_t)off) {
		*err = -EINVAL;
		return NULL;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	return p;
}

static uint64_t kipc_chan_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t kipc_chan_deadline(int64_t timeout_ns)
{
	return timeout_ns > 0 ? kipc_chan_now() + (uint64_t)timeout_ns : 0;
}

int64_t kipc_chan_remaining(int64_t timeout_ns, uint64_t deadline)
{
	uint64_t now;

	if (timeout_ns <= 0)
		return timeout_ns < 0 ? -1 : 0;
	now = kipc_chan_now();
	return now >= deadline ? 0 : (int64_t)(deadline - now);
}

static inline void kipc_chan_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

bool kipc_chan_spin(bool (*ready)(void *arg), void *arg, int64_t spin_ns,
		    int64_t timeout_ns, uint64_t deadline)
{
	uint64_t until = 0;

	if (spin_ns <= 0 || !timeout_ns)
		return false;
	for (unsigned int i = 1;; i++) {
		if (ready(arg))
			return true;
		kipc_chan_cpu_relax();
		/*
		 * The clock is cheap (vDSO) but not free, and far from cheap
		 * where the vDSO cannot read it (an HPET clocksource: a
		 * system call and an emulated device read): look now and
		 * then, and not at all when the other side answers at once,
		 * as it does while it streams.  The first look starts the
		 * spin's time, which is thus KIPC_CHAN_SPIN_CHECK pauses
		 * longer than @spin_ns.
		 */
		if (i % KIPC_CHAN_SPIN_CHECK)
			continue;
		if (!until) {
			until = kipc_chan_now() + (uint64_t)spin_ns;
			if (timeout_ns > 0 && deadline < until)
				until = deadline;
		} else if (kipc_chan_now() >= until) {
			return false;
		}
	}
}

int64_t kipc_chan_default_spin(void)
{
	/* Polling for the other side is pointless when it cannot run. */
	return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? KIPC_CHAN_SPIN_DEFAULT_NS : 0;
}

int kipc_chan_wait_ioctl(int fd, int64_t timeout_ns)
{
	struct kipc_chan_wait w;

	memset(&w, 0, sizeof(w));
	w.timeout_ns = timeout_ns;
	return kipc_chan_ioctl(fd, KIPC_CHAN_IOC_WAIT, &w);
}

int kipc_chan_check_layout(const struct kipc_chan_layout *l)
{
	uint32_t d = l->ring_depth;

	if (!d || d & (d - 1) || !l->max_msg || l->max_msg > l->pool_size ||
	    l->pool_size > KIPC_CHAN_POOL_MAX ||
	    l->tx_pool + l->pool_size > l->tx_size ||
	    l->tx_ring + (uint64_t)d * sizeof(struct kipc_chan_desc) >
	    l->tx_pool || l->rx_ring + (uint64_t)d * 4 > l->rx_size ||
	    l->tx_tail + 4 > l->tx_ring || l->tx_release_head + 4 > l->tx_ring ||
	    l->tx_blocked + 4 > l->tx_ring || l->tx_msgs + 8 > l->tx_ring ||
	    l->tx_bytes + 8 > l->tx_ring || l->rx_head + 4 > l->rx_ring ||
	    l->rx_release_tail + 4 > l->rx_ring ||
	    l->rx_tx_wakeup + 4 > l->rx_ring || l->rx_state + 4 > l->rx_ring ||
	    l->flags_rx + 4 > l->flags_size || l->ctl_gen + 4 > l->ctl_size ||
	    l->ctl_state + 4 > l->ctl_size ||
	    l->msg_align != KIPC_CHAN_MSG_ALIGN)
		return -EPROTO;
	return 0;
}

int kipc_chan_create(const struct kipc *k, const struct kipc_chan_params *p,
		     int *rx_fd, int *connector_fd)
{
	struct kipc_chan_create c;
	int ret;

	memset(&c, 0, sizeof(c));
	if (p)
		c.params = *p;
	ret = kipc_chan_ioctl(k->fd, KIPC_IOC_CHAN_CREATE, &c);
	if (ret)
		return ret;
	*rx_fd = c.rx_fd;
	*connector_fd = c.connector_fd;
	return 0;
}

int kipc_chan_limits(const struct kipc *k, struct kipc_chan_limits *limits)
{
	return kipc_chan_ioctl(k->fd, KIPC_IOC_CHAN_LIMITS, limits);
}

int kipc_chan_duplex_pair(const struct kipc *k,
			  const struct kipc_chan_params *p,
			  struct kipc_chan_duplex *local, int peer_fds[2])
{
	int ours_rx, ours_conn, theirs_rx, theirs_conn, ret;

	/* Ours: the peer sends to us; theirs: we send to the peer. */
	ret = kipc_chan_create(k, p, &ours_rx, &ours_conn);
	if (ret)
		return ret;
	ret = kipc_chan_create(k, p, &theirs_rx, &theirs_conn);
	if (ret)
		goto err_ours;
	ret = kipc_chan_connect(&local->tx, theirs_conn);
	if (ret)
		goto err_theirs;
	close(theirs_conn);
	ret = kipc_chan_rx_open(&local->rx, ours_rx);
	if (ret) {
		kipc_chan_tx_close(&local->tx);
		close(theirs_rx);
		close(ours_rx);
		close(ours_conn);
		return ret;
	}
	peer_fds[0] = theirs_rx;
	peer_fds[1] = ours_conn;
	return 0;

err_theirs:
	close(theirs_rx);
	close(theirs_conn);
err_ours:
	close(ours_rx);
	close(ours_conn);
	return ret;
}

int kipc_chan_duplex_open(struct kipc_chan_duplex *d, int rx_fd,
			  int connector_fd)
{
	int ret;

	ret = kipc_chan_connect(&d->tx, connector_fd);
	if (ret)
		return ret;
	ret = kipc_chan_rx_open(&d->rx, rx_fd);
	if (ret) {
		kipc_chan_tx_close(&d->tx);
		return ret;
	}
	close(connector_fd);
	return 0;
}

void kipc_chan_duplex_close(struct kipc_chan_duplex *d)
{
	kipc_chan_tx_close(&d->tx);
	kipc_chan_rx_close(&d->rx);
}
