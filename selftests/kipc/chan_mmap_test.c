// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: what may be mapped, and how.  The receiver's mapping of a
 * sender's pool is read-only and cannot be made writable: not with
 * mprotect(), mremap(), a second mmap(), fork(), /proc/self/mem or
 * process_vm_writev().  Mappings are not inherited.  An endpoint is
 * attached to the process that maps it and closes when that mapping goes.
 */
#include <setjmp.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "chan_test.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

FIXTURE(ro) {
	struct kipc k;
	struct kipc_chan_rx rx;
	struct kipc_chan_tx tx;
	int conn;
	uint8_t *pool;		/* the receiver's view of the sender's pool */
	uint8_t *map;		/* the receiver's mapping of its TX area */
	size_t size;		/* its size */
	uint64_t tx_off;	/* its mmap offset on the receiver's fd */
	uint64_t rx_off;
	const char *msg;	/* the message in the pool */
};

FIXTURE_SETUP(ro)
{
	struct kipc_chan_sender list[1];
	struct kipc_chan_senders s;
	struct kipc_chan_msg m;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&self->k));
	ASSERT_EQ(0, chan_make(&self->k, NULL, &self->rx, &self->conn));
	ASSERT_EQ(0, kipc_chan_connect(&self->tx, self->conn));
	ASSERT_EQ(0, chan_send_stamped(&self->tx, 200, 0, 0, 0));
	ASSERT_EQ(1, kipc_chan_recv(&self->rx, &m));
	self->msg = m.data;
	ASSERT_TRUE(chan_stamp_ok(self->msg, 200));
	self->pool = (uint8_t *)self->rx.peers[m.peer].pool;
	self->map = self->rx.peers[m.peer].tx_map;
	self->size = self->rx.layout.tx_size;
	memset(&s, 0, sizeof(s));
	s.senders = (uintptr_t)list;
	s.nr = 1;
	ASSERT_EQ(0, kipc_test_ioctl(self->rx.fd, KIPC_CHAN_IOC_SENDERS, &s));
	self->tx_off = list[0].tx_mmap;
	self->rx_off = list[0].rx_mmap;
}

FIXTURE_TEARDOWN(ro)
{
	kipc_chan_tx_close(&self->tx);
	kipc_chan_rx_close(&self->rx);
	close(self->conn);
	kipc_close(&self->k);
}

/* Run @fn in a child; its status (128 + signal when killed). */
static int in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return chan_wait_child(pid);
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/*
 * Whether writing a byte at @p faults, in this process: a child would not
 * tell, since it has no mapping at all.  The byte written is the one
 * already there.
 */
static bool write_faults(void *p)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;
	volatile bool faulted = false;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		volatile uint8_t *v = p;

		*v = *v;
	} else {
		faulted = true;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

static void read_byte(void *p)
{
	if (*(volatile uint8_t *)p == 0x5a)
		_exit(3);
}

TEST_F(ro, writes_fault)
{
	EXPECT_TRUE(write_faults(self->pool));
	EXPECT_TRUE(write_faults(self->map));
	EXPECT_TRUE(write_faults(self->map + self->size - 1));
	EXPECT_TRUE(write_faults((void *)self->rx.ctl_gen));
	/* The receiver's own RX area is writable. */
	EXPECT_FALSE(write_faults(self->rx.peers[0].rel_ring));
	EXPECT_TRUE(chan_stamp_ok(self->msg, 200));
}

TEST_F(ro, mprotect_refused)
{
	long page = sysconf(_SC_PAGESIZE);

	EXPECT_EQ(-1, mprotect(self->map, self->size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(self->pool, page, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(self->map, self->size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* Taking rights away and giving them back is allowed... */
	EXPECT_EQ(0, mprotect(self->pool, page, PROT_NONE));
	EXPECT_EQ(0, mprotect(self->pool, page, PROT_READ));
	/* ...but the pieces are still not writable. */
	EXPECT_EQ(-1, mprotect(self->pool, page, PROT_READ | PROT_WRITE));
	EXPECT_TRUE(write_faults(self->pool));
	EXPECT_TRUE(chan_stamp_ok(self->msg, 200));
}

TEST_F(ro, second_mmap)
{
	uint8_t *p;

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->rx.fd, self->tx_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->size, PROT_WRITE, MAP_SHARED, self->rx.fd,
		 self->tx_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->size, PROT_READ | PROT_EXEC, MAP_SHARED,
		 self->rx.fd, self->tx_off);
	EXPECT_EQ(MAP_FAILED, p);
	/* Private mappings (copy-on-write) are refused altogether. */
	p = mmap(NULL, self->size, PROT_READ, MAP_PRIVATE, self->rx.fd,
		 self->tx_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->rx.fd, self->tx_off);
	EXPECT_EQ(MAP_FAILED, p);
	/* A second read-only view is fine, and read-only for good. */
	p = mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->rx.fd,
		 self->tx_off);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(p, self->map, self->size));
	EXPECT_EQ(-1, mprotect(p, self->size, PROT_READ | PROT_WRITE));
	EXPECT_TRUE(write_faults(p));
	EXPECT_EQ(0, munmap(p, self->size));
}

TEST_F(ro, mremap)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *p, *target;

	/* Growing, or duplicating with old_size 0: refused. */
	p = mremap(self->map, self->size, self->size + page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	p = mremap(self->map, 0, self->size, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	p = mremap(self->map, self->size, self->size,
		   MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	EXPECT_EQ(MAP_FAILED, p);
	/* Moving keeps it read-only. */
	target = mmap(NULL, self->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	p = mremap(self->map, self->size, self->size,
		   MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ASSERT_EQ(target, p);
	EXPECT_EQ(-1, mprotect(p, self->size, PROT_READ | PROT_WRITE));
	EXPECT_TRUE(write_faults(p));
	EXPECT_TRUE(chan_stamp_ok(p + ((const uint8_t *)self->msg - self->map), 200));
	/* Shrinking too. */
	p = mremap(p, self->size, page, 0);
	ASSERT_EQ(target, p);
	EXPECT_EQ(-1, mprotect(p, page, PROT_WRITE));
	/* Put it back where the library expects it. */
	p = mremap(p, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, self->map);
	ASSERT_EQ(self->map, p);
	munmap(target + page, self->size - page);
}

TEST_F(ro, forced_writes)
{
	struct iovec local, remote;
	uint8_t byte = 0x5a, before = self->pool[0];
	int fd;

	/* /proc/self/mem writes with FOLL_FORCE: refused on this mapping. */
	fd = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pwrite(fd, &byte, 1, (off_t)(uintptr_t)self->pool));
	EXPECT_EQ(1, pread(fd, &byte, 1, (off_t)(uintptr_t)self->pool));
	EXPECT_EQ(before, byte);
	close(fd);
	/* process_vm_writev() neither. */
	byte = 0x5a;
	local.iov_base = &byte;
	local.iov_len = 1;
	remote.iov_base = self->pool;
	remote.iov_len = 1;
	EXPECT_EQ(-1, process_vm_writev(getpid(), &local, 1, &remote, 1, 0));
	EXPECT_EQ(before, self->pool[0]);
	EXPECT_TRUE(chan_stamp_ok(self->msg, 200));
}

static void check_unmapped(void *p)
{
	/* The child has no mapping there: this faults. */
	read_byte(p);
}

TEST_F(ro, fork_does_not_inherit)
{
	EXPECT_EQ(128 + SIGSEGV, in_child(check_unmapped, self->pool));
	EXPECT_EQ(128 + SIGSEGV, in_child(check_unmapped,
					  (void *)self->rx.ctl_gen));
	EXPECT_EQ(128 + SIGSEGV, in_child(check_unmapped, self->tx.pool));
}

struct dofork_arg {
	uint8_t *p;
	size_t size;
};

static void child_of_dofork(void *a)
{
	struct dofork_arg *arg = a;

	/* Inherited on request, still read-only. */
	if (!chan_stamp_ok(arg->p, 200))
		_exit(2);
	if (!mprotect(arg->p, arg->size, PROT_READ | PROT_WRITE))
		_exit(3);
	if (!write_faults(arg->p))
		_exit(4);
}

TEST_F(ro, madv_dofork_stays_read_only)
{
	long page = sysconf(_SC_PAGESIZE);
	struct dofork_arg arg = { (uint8_t *)self->msg, page };
	uint8_t *start = (uint8_t *)((uintptr_t)self->msg & ~(page - 1));

	ASSERT_EQ(0, madvise(start, page, MADV_DOFORK));
	EXPECT_EQ(0, in_child(child_of_dofork, &arg));
	EXPECT_EQ(0, madvise(start, page, MADV_DONTFORK));
}

TEST_F(ro, sender_side)
{
	struct kipc_chan_tx *tx = &self->tx;
	const struct kipc_chan_layout *l = &tx->layout;
	uint8_t *p;

	/* Its TX area is its own: writable. */
	EXPECT_FALSE(write_faults(tx->pool));
	EXPECT_FALSE(write_faults((void *)tx->tail));
	/* Its RX area and the flags page are not. */
	EXPECT_TRUE(write_faults(tx->rx_map));
	EXPECT_TRUE(write_faults((void *)tx->rel_tail));
	EXPECT_TRUE(write_faults((void *)tx->tx_state));
	EXPECT_TRUE(write_faults(tx->flags_map));
	EXPECT_EQ(-1, mprotect(tx->rx_map, l->rx_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(-1, mprotect(tx->flags_map, l->flags_size,
			       PROT_READ | PROT_WRITE));
	p = mmap(NULL, l->rx_size, PROT_READ | PROT_WRITE, MAP_SHARED, tx->fd,
		 l->rx_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, l->flags_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 tx->fd, l->flags_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	/* Its TX area is mapped once. */
	p = mmap(NULL, l->tx_size, PROT_READ | PROT_WRITE, MAP_SHARED, tx->fd,
		 l->tx_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBUSY, errno);
	/* So is the receiver's control area. */
	p = mmap(NULL, self->rx.layout.ctl_size, PROT_READ, MAP_SHARED,
		 self->rx.fd, self->rx.layout.ctl_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBUSY, errno);
	/* The control area cannot be made writable either. */
	EXPECT_EQ(-1, mprotect(self->rx.ctl_map, self->rx.layout.ctl_size,
			       PROT_READ | PROT_WRITE));
}

struct fd_off {
	int fd;
	uint64_t off;
	size_t size;
	int prot;
};

static void child_maps(void *a)
{
	struct fd_off *x = a;
	void *p = mmap(NULL, x->size, x->prot, MAP_SHARED, x->fd, x->off);

	_exit(p == MAP_FAILED ? errno : 0);
}

TEST_F(ro, other_processes_cannot_map)
{
	const struct kipc_chan_layout *l = &self->tx.layout;
	struct fd_off x;

	/* Another process with the same descriptors gets nothing. */
	x = (struct fd_off){ self->rx.fd, self->tx_off, self->size, PROT_READ };
	EXPECT_EQ(EBUSY, in_child(child_maps, &x));
	x = (struct fd_off){ self->rx.fd, self->rx_off, l->rx_size,
			     PROT_READ | PROT_WRITE };
	EXPECT_EQ(EBUSY, in_child(child_maps, &x));
	x = (struct fd_off){ self->tx.fd, l->rx_mmap, l->rx_size, PROT_READ };
	EXPECT_EQ(EBUSY, in_child(child_maps, &x));
	x = (struct fd_off){ self->tx.fd, l->flags_mmap, l->flags_size,
			     PROT_READ };
	EXPECT_EQ(EBUSY, in_child(child_maps, &x));
}

TEST_F(ro, bad_offsets)
{
	long page = sysconf(_SC_PAGESIZE);
	const struct kipc_chan_layout *l = &self->rx.layout;
	uint64_t slot_stride = self->rx_off + l->rx_size + page - self->tx_off;
	void *p;

	/* In the holes between areas, inside an area, past the table. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->rx.fd, page);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->rx.fd,
		 self->tx_off + page);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->rx.fd,
		 self->tx_off + self->size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->rx.fd,
		 self->tx_off + slot_stride * l->max_senders);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->rx.fd,
		 (uint64_t)page << 40);
	EXPECT_EQ(MAP_FAILED, p);
	/* An empty slot. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->rx.fd,
		 self->tx_off + slot_stride);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
	/* More than the area. */
	p = mmap(NULL, self->size + page, PROT_READ, MAP_SHARED, self->rx.fd,
		 self->tx_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, l->ctl_size + page, PROT_READ, MAP_SHARED, self->rx.fd,
		 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* Less is fine. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->rx.fd, self->tx_off);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, page);
	/* Connectors have nothing to map. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->conn, 0);
	EXPECT_EQ(MAP_FAILED, p);
}

TEST(attachment)
{
	long page = sysconf(_SC_PAGESIZE);
	struct kipc_chan_connect conn;
	struct kipc_chan_create c;
	struct kipc_chan_info info;
	struct kipc k;
	uint8_t *tx, *p;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, chan_create_raw(k.fd, &c));
	memset(&conn, 0, sizeof(conn));
	ASSERT_EQ(0, kipc_test_ioctl(c.connector_fd, KIPC_CHAN_IOC_CONNECT,
				     &conn));
	/* The other areas only once the main one is mapped. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, conn.fd,
		 conn.layout.rx_mmap);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, c.rx_fd, page * 2);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
	/* A failed mapping of the main area does not attach. */
	p = mmap(NULL, conn.layout.tx_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE, conn.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	tx = mmap(NULL, conn.layout.tx_size, PROT_READ | PROT_WRITE,
		  MAP_SHARED, conn.fd, 0);
	ASSERT_NE(MAP_FAILED, tx);
	p = mmap(NULL, conn.layout.rx_size, PROT_READ, MAP_SHARED, conn.fd,
		 conn.layout.rx_mmap);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, conn.layout.rx_size));
	/* Unmapping part of the main area keeps the endpoint... */
	ASSERT_EQ(0, munmap(tx + page, page));
	ASSERT_EQ(0, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_INFO, &info));
	EXPECT_EQ(0, info.state & KIPC_CHAN_INFO_CLOSED);
	/* ...unmapping all of it closes it for good. */
	ASSERT_EQ(0, munmap(tx, conn.layout.tx_size));
	ASSERT_EQ(0, kipc_test_ioctl(conn.fd, KIPC_CHAN_IOC_INFO, &info));
	EXPECT_EQ(KIPC_CHAN_INFO_CLOSED, info.state & KIPC_CHAN_INFO_CLOSED);
	p = mmap(NULL, conn.layout.tx_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED, conn.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPIPE, errno);
	/* The receiver likewise. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, c.rx_fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page));
	ASSERT_EQ(0, kipc_test_ioctl(c.rx_fd, KIPC_CHAN_IOC_INFO, &info));
	EXPECT_EQ(KIPC_CHAN_INFO_CLOSED | KIPC_CHAN_INFO_RX_CLOSED, info.state);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, c.rx_fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPIPE, errno);
	memset(&conn, 0, sizeof(conn));
	EXPECT_EQ(-EPIPE, kipc_test_ioctl(c.connector_fd,
					  KIPC_CHAN_IOC_CONNECT, &conn));
	close(c.rx_fd);
	close(c.connector_fd);
	kipc_close(&k);
}

/* The receiver's process goes, its descriptor lives on: senders see EPIPE. */
TEST(receiver_process_gone_fd_lives_on)
{
	struct kipc_chan_tx tx;
	struct kipc_chan_buf b;
	int rx_fd, conn, ready[2];
	struct kipc k;
	char c;
	pid_t pid;

	CHAN_REQUIRE();
	ASSERT_EQ(0, chan_ctx(&k));
	ASSERT_EQ(0, kipc_chan_create(&k, NULL, &rx_fd, &conn));
	ASSERT_EQ(0, kipc_chan_connect(&tx, conn));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_chan_rx rx;

		if (kipc_chan_rx_open(&rx, rx_fd))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		pause();
		_exit(3);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, chan_send_stamped(&tx, 64, 0, 0, 0));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, chan_wait_child(pid));
	/* rx_fd is still open here, yet the receiver is gone. */
	kipc_chan_tx_set_spin(&tx, 0);
	EXPECT_EQ(-EPIPE, kipc_chan_loan_wait(&tx, 64, &b, 2000000000LL));
	EXPECT_EQ(-EPIPE, kipc_chan_rx_open(&(struct kipc_chan_rx){ 0 },
					    rx_fd));
	kipc_chan_tx_close(&tx);
	close(rx_fd);
	close(conn);
	close(ready[0]);
	close(ready[1]);
	kipc_close(&k);
}

TEST_HARNESS_MAIN
