/* hopeless: calls that fail the same way however often they are made,
 * and what a program must see at once.  Each prints what libc returned
 * (and errno at main first, before anything else runs), so a test can
 * compare a raw run with a preloaded one.
 *
 *   hopeless errno-at-main         errno as main found it
 *   hopeless connect PORT          blocking connect to 127.0.0.1:PORT
 *   hopeless udp-accept            accept on a UDP socket (EOPNOTSUPP)
 *   hopeless big-cmsg              sendmsg with a 1 MiB control buffer
 *                                  (ENOBUFS: above net.core.optmem_max)
 *   hopeless emfile                a single-threaded server at its fd
 *                                  limit accepts a pending connection
 *   hopeless netlink-overrun       a NETLINK_ROUTE listener with a tiny
 *                                  receive buffer misses link events
 *                                  (needs CAP_NET_ADMIN: unshare -n)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *name(int err)
{
	return err ? strerrorname_np(err) : "0";
}

static int report(const char *what, long rc)
{
	printf("%s rc=%ld errno=%s\n", what, rc, name(rc < 0 ? errno : 0));
	return 0;
}

static int dead_connect(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_port = htons((unsigned short)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	return report("connect", connect(fd, (struct sockaddr *)&a, sizeof(a)));
}

static int udp_accept(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	return report("accept", accept(fd, NULL, NULL));
}

static int big_cmsg(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return perror("socketpair"), 2;
	size_t len = 1 << 20;
	char data = 'x';
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = calloc(1, len),
			      .msg_controllen = len };
	return report("sendmsg", sendmsg(sv[0], &msg, 0));
}

static int emfile(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(srv, (struct sockaddr *)&a, sizeof(a)) || listen(srv, 8) ||
	    getsockname(srv, (struct sockaddr *)&a, &alen))
		return perror("listen"), 2;
	int cli = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cli, (struct sockaddr *)&a, sizeof(a)))
		return perror("connect"), 2;
	/* No fd left for the connection waiting in the backlog. */
	struct rlimit lim;
	getrlimit(RLIMIT_NOFILE, &lim);
	lim.rlim_cur = (rlim_t)cli + 1;
	if (setrlimit(RLIMIT_NOFILE, &lim))
		return perror("setrlimit"), 2;
	return report("accept", accept(srv, NULL, NULL));
}

/* Turns lo down and up: each change is an RTM_NEWLINK event. */
static void flap_loopback(int times)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	for (int i = 0; i < times; i++) {
		ioctl(fd, SIOCGIFFLAGS, &ifr);
		ifr.ifr_flags ^= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			perror("SIOCSIFFLAGS");
	}
	close(fd);
}

static int netlink_overrun(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	int tiny = 1;	/* the kernel rounds it up to its minimum */
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK |
					       RTMGRP_IPV4_IFADDR |
					       RTMGRP_IPV6_IFADDR };
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tiny,
				 sizeof(tiny)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return perror("netlink"), 2;
	flap_loopback(200);
	/* Events were lost: the first receive says so with ENOBUFS. */
	static char buf[1 << 16];
	return report("recv", recv(fd, buf, sizeof(buf), 0));
}

int main(int argc, char **argv)
{
	int at_main = errno;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && strcmp(argv[1], "errno-at-main") == 0)
		return printf("errno at main=%s\n", name(at_main)), 0;
	if (argc == 3 && strcmp(argv[1], "connect") == 0)
		return dead_connect(argv[2]);
	if (argc == 2 && strcmp(argv[1], "udp-accept") == 0)
		return udp_accept();
	if (argc == 2 && strcmp(argv[1], "big-cmsg") == 0)
		return big_cmsg();
	if (argc == 2 && strcmp(argv[1], "emfile") == 0)
		return emfile();
	if (argc == 2 && strcmp(argv[1], "netlink-overrun") == 0)
		return netlink_overrun();
	fputs("usage: see the opening comment of tests/progs/hopeless.c\n",
	      stderr);
	return 2;
}
