// tsman-portfwd: rootless published ports (podman's rootlessport), one small process per container
// with published ports. Built by `npm run build` into dist/tsman-portfwd; started by
// src/netslirp/slirp.ts (startPortForwarder).
//
// Why C and not Node: a Node forwarder stayed behind each such container at ~45 MB; this one
// is a few hundred KB, and moves bytes with splice(2) (socket -> pipe -> socket, no copy through
// user space), as Go's io.Copy in podman's rootlessport does.
//
// What it does: binds every host port first, in the host's network namespace (the one it was
// started in), then moves into the container's network namespace for good (setns: it is
// single-threaded, so the whole process moves). Listening sockets stay where they were made;
// every socket made afterwards (the connections to the container) is inside. So bytes go
// host socket -> this process -> container socket at loopback speed instead of through
// slirp4netns's user-mode TCP stack, and UDP replies reach clients on the host's 127.0.0.1
// (slirp4netns's own forwarding drops those when host loopback is disabled). Inside, the
// container sees connections come from its own address, as with rootlessport.
//
//   tsman-portfwd [--exit-fd N] [--exit-pid PID] NETNS PROTO,HOSTIP,HOSTPORT,IP,PORT ...
//
// HOSTIP empty: every address, IPv4 and IPv6 (rootlessport's `*:PORT`). One line on stdout:
// "ready" once every port is bound and the namespace joined, or "error: ..." (then exit 1).
// Errors later go to stderr (the container's portfwd.log) and end nothing but the connection.
//
// Lifetime: --exit-fd is one end of a socket pair whose other end the container's monitor
// (conmon) holds: when it closes (the monitor exited), this process exits, as slirp4netns's
// --exit-fd. --exit-pid: exit when that process does (a pidfd), for a container set up after
// its monitor started (keep-id: the runtime makes the namespace), where no monitor can hold
// the fd. tsman also ends it by pid at teardown.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define UDP_IDLE_SEC 60
#define UDP_BUCKETS 1024
/* as much as the pipe takes */
#define SPLICE_LEN (1 << 20)
/* A direction that fills a default pipe (64 KiB) is a bulk transfer: its pipe grows to 1 MiB,
 * as Go's splice pipes are (podman's rootlessport). Fewer, larger splices mean fewer switches
 * between the three processes on the path (server, forwarder, client): bench/net measured
 * 1.08-1.29x podman's bytes/s with it, 0.80-1.02x without. Only bulk directions grow: the pages
 * count against the user's pipe-user-pages-soft. */
#define PIPE_DEFAULT 65536
#define PIPE_BULK (1 << 20)
/* rounds of one direction per wakeup: one fast connection must not starve the others */
#define PUMP_ROUNDS 16

enum kind { K_LIFE, K_LISTEN, K_SIDE, K_UDP_HOST, K_UDP_FLOW };

/* every epoll registration points at a struct starting with its kind */
struct port {
	int kind;
	int fd;
	int proto; /* SOCK_STREAM or SOCK_DGRAM */
	struct sockaddr_in ctr;
	struct udpflow **flows; /* UDP: client address -> flow */
};

struct conn;
struct side {
	int kind;
	int fd;
	uint32_t events; /* registered interest; 0 = not in the epoll set */
	struct conn *c;
};

/* one direction: from side i to side 1-i through a pipe */
struct dir {
	int pipe[2];
	size_t inpipe;
	int grown; /* the pipe was asked to grow to PIPE_BULK (whether the kernel let it or not) */
	int eof;  /* the source said EOF */
	int done; /* ... and everything went on: the destination was shut for writing */
};

struct conn {
	struct side s[2]; /* 0: the host's client, 1: the container */
	struct dir d[2];  /* 0: client -> container, 1: container -> client */
	int connecting;
	int dead;
	struct conn *dead_next;
};

struct udpflow {
	int kind;
	int fd; /* connected to the container's port, inside its namespace */
	struct port *p;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	time_t last;
	struct udpflow *next;      /* hash chain */
	struct udpflow *all_next;  /* every flow, for the idle sweep */
	struct udpflow **all_prev;
};

static int ep;
static int spare_fd = -1;
static struct udpflow *all_flows;
static int life_kind = K_LIFE;
/* closed connections, freed after the batch of events: a later event of the batch may name them */
static struct conn *dead_conns;

static void logmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	/* stderr is the container's portfwd.log (O_APPEND): one write per line */
	if (write(2, "portfwd: ", 9) < 0 || write(2, buf, n) < 0)
		return;
}

/* Go's wording, as podman's messages have it: "address already in use", lower case */
static const char *errtext(int e)
{
	static char buf[128];
	snprintf(buf, sizeof buf, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] += 'a' - 'A';
	return buf;
}

static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) < 0)
		return; /* the parent is gone */
}

static void fail(const char *fmt, ...)
{
	char buf[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	say("error: %s", buf);
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_interest(struct side *s, uint32_t want)
{
	if (want == s->events)
		return;
	struct epoll_event ev = { .events = want, .data.ptr = s };
	/* a side that wants nothing leaves the set: a hung-up socket would wake us forever */
	int op = s->events == 0 ? EPOLL_CTL_ADD : want == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
	if (epoll_ctl(ep, op, s->fd, &ev) < 0)
		logmsg("epoll_ctl: %s", errtext(errno));
	s->events = want;
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		set_interest(&c->s[i], 0);
		close(c->s[i].fd);
		close(c->d[i].pipe[0]);
		close(c->d[i].pipe[1]);
	}
	c->dead = 1;
	c->dead_next = dead_conns;
	dead_conns = c;
}

/* Move what can move in direction i; -1 when the connection is broken. */
static int pump(struct conn *c, int i)
{
	struct dir *d = &c->d[i];
	int src = c->s[i].fd, dst = c->s[1 - i].fd;
	for (int r = 0; r < PUMP_ROUNDS; r++) {
		if (d->inpipe > 0) {
			ssize_t n = splice(d->pipe[0], NULL, dst, NULL, d->inpipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			d->inpipe -= n;
			continue;
		}
		if (d->eof) {
			if (!d->done) {
				/* the other side learns of the half close (Node's end(), Go's CloseWrite) */
				shutdown(dst, SHUT_WR);
				d->done = 1;
			}
			return 0;
		}
		ssize_t n = splice(src, NULL, d->pipe[1], NULL, SPLICE_LEN, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == 0)
			d->eof = 1;
		else if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		else {
			d->inpipe += n;
			if (!d->grown && n >= PIPE_DEFAULT) {
				d->grown = 1;
				fcntl(d->pipe[1], F_SETPIPE_SZ, PIPE_BULK);
			}
		}
	}
	return 0;
}

/* Pump both ways, then register what each side waits for (or close when all is said). */
static void conn_run(struct conn *c)
{
	if (pump(c, 0) < 0 || pump(c, 1) < 0 || (c->d[0].done && c->d[1].done)) {
		conn_close(c);
		return;
	}
	for (int i = 0; i < 2; i++) {
		uint32_t want = 0;
		if (!c->d[i].eof && c->d[i].inpipe == 0)
			want |= EPOLLIN;
		if (c->d[1 - i].inpipe > 0)
			want |= EPOLLOUT;
		set_interest(&c->s[i], want);
	}
}

static void accept_all(struct port *p)
{
	for (;;) {
		int cfd = accept4(p->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				return;
			if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
				/* out of fds: take the connection with the spare one and drop it, so the
				 * listener does not stay readable and spin */
				logmsg("accept: %s", errtext(errno));
				close(spare_fd);
				cfd = accept(p->fd, NULL, NULL);
				if (cfd >= 0)
					close(cfd);
				spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				return;
			}
			logmsg("accept: %s", errtext(errno));
			return;
		}
		struct conn *c = calloc(1, sizeof *c);
		int ufd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (!c || ufd < 0) {
			logmsg("socket: %s", errtext(errno));
			goto drop;
		}
		c->d[0].pipe[0] = c->d[0].pipe[1] = c->d[1].pipe[0] = c->d[1].pipe[1] = -1;
		if (pipe2(c->d[0].pipe, O_NONBLOCK | O_CLOEXEC) < 0 || pipe2(c->d[1].pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
			logmsg("pipe: %s", errtext(errno));
			for (int i = 0; i < 2; i++)
				for (int j = 0; j < 2; j++)
					if (c->d[i].pipe[j] >= 0)
						close(c->d[i].pipe[j]);
			goto drop;
		}
		int one = 1;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		for (int i = 0; i < 2; i++) {
			c->s[i].kind = K_SIDE;
			c->s[i].c = c;
		}
		c->s[0].fd = cfd;
		c->s[1].fd = ufd;
		if (connect(ufd, (struct sockaddr *)&p->ctr, sizeof p->ctr) < 0 && errno != EINPROGRESS) {
			/* refused at once: the client sees its connection closed, as with rootlessport */
			conn_close(c);
			continue;
		}
		/* the client is not read before the container's side is connected */
		c->connecting = 1;
		set_interest(&c->s[1], EPOLLOUT);
		continue;
	drop:
		if (ufd >= 0)
			close(ufd);
		free(c);
		close(cfd);
	}
}

static void side_event(struct side *s, uint32_t ev)
{
	struct conn *c = s->c;
	if (c->dead)
		return;
	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof err;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			conn_close(c);
			return;
		}
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		c->connecting = 0;
	}
	conn_run(c);
}

static unsigned flow_hash(const struct sockaddr_storage *a)
{
	const unsigned char *b = (const unsigned char *)a;
	size_t n = a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	unsigned h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h % UDP_BUCKETS;
}

static int same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
}

static void flow_close(struct udpflow *f)
{
	struct udpflow **pp = &f->p->flows[flow_hash(&f->peer)];
	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	*f->all_prev = f->all_next;
	if (f->all_next)
		f->all_next->all_prev = f->all_prev;
	epoll_ctl(ep, EPOLL_CTL_DEL, f->fd, NULL);
	close(f->fd);
	free(f);
}

static struct udpflow *flow_open(struct port *p, const struct sockaddr_storage *peer, socklen_t plen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		logmsg("udp socket: %s", errtext(errno));
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&p->ctr, sizeof p->ctr) < 0) {
		logmsg("udp connect: %s", errtext(errno));
		close(fd);
		return NULL;
	}
	struct udpflow *f = calloc(1, sizeof *f);
	if (!f) {
		close(fd);
		return NULL;
	}
	f->kind = K_UDP_FLOW;
	f->fd = fd;
	f->p = p;
	memcpy(&f->peer, peer, plen);
	f->peerlen = plen;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = f };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		logmsg("epoll_ctl: %s", errtext(errno));
		close(fd);
		free(f);
		return NULL;
	}
	unsigned h = flow_hash(peer);
	f->next = p->flows[h];
	p->flows[h] = f;
	f->all_next = all_flows;
	if (all_flows)
		all_flows->all_prev = &f->all_next;
	f->all_prev = &all_flows;
	all_flows = f;
	return f;
}

static char dgram[65536];

/* datagrams from the host's clients: each client its own socket into the container */
static void udp_host_event(struct port *p)
{
	for (int r = 0; r < 64; r++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof peer;
		ssize_t n = recvfrom(p->fd, dgram, sizeof dgram, 0, (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				logmsg("udp recv: %s", errtext(errno));
			return;
		}
		struct udpflow *f = p->flows[flow_hash(&peer)];
		while (f && !same_peer(&f->peer, &peer))
			f = f->next;
		if (!f && !(f = flow_open(p, &peer, plen)))
			continue;
		f->last = (time_t)now();
		/* ECONNREFUSED: an earlier datagram found nobody listening; this one is lost, as UDP may */
		if (send(f->fd, dgram, n, 0) < 0 && errno != ECONNREFUSED && errno != EAGAIN)
			logmsg("udp send: %s", errtext(errno));
	}
}

/* the container's replies go back from the host port to the client they answer */
static void udp_flow_event(struct udpflow *f)
{
	for (int r = 0; r < 64; r++) {
		ssize_t n = recv(f->fd, dgram, sizeof dgram, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
				logmsg("udp recv: %s", errtext(errno));
			return;
		}
		f->last = (time_t)now();
		if (sendto(f->p->fd, dgram, n, 0, (struct sockaddr *)&f->peer, f->peerlen) < 0 && errno != EAGAIN)
			logmsg("udp reply: %s", errtext(errno));
	}
}

static void sweep_flows(void)
{
	time_t t = (time_t)now();
	struct udpflow *f = all_flows;
	while (f) {
		struct udpflow *next = f->all_next;
		if (t - f->last >= UDP_IDLE_SEC)
			flow_close(f);
		f = next;
	}
}

static void fmt_hostport(char *out, size_t len, const char *ip, int port)
{
	if (!*ip)
		snprintf(out, len, "0.0.0.0:%d", port);
	else if (strchr(ip, ':'))
		snprintf(out, len, "[%s]:%d", ip, port);
	else
		snprintf(out, len, "%s:%d", ip, port);
}

/* Bind one host port (in the host's namespace: we have not moved yet). */
static struct port *bind_port(char *spec)
{
	char *f[5];
	for (int i = 0; i < 5; i++) {
		f[i] = strsep(&spec, ",");
		if (!f[i])
			fail("bad port spec");
	}
	const char *proto = f[0], *hostip = f[1];
	int hostport = atoi(f[2]), ctrport = atoi(f[4]);
	struct port *p = calloc(1, sizeof *p);
	if (!p)
		fail("out of memory");
	if (!strcmp(proto, "tcp"))
		p->proto = SOCK_STREAM, p->kind = K_LISTEN;
	else if (!strcmp(proto, "udp"))
		p->proto = SOCK_DGRAM, p->kind = K_UDP_HOST;
	else
		fail("protocol %s is not supported by the port forwarder", proto);
	p->ctr.sin_family = AF_INET;
	p->ctr.sin_port = htons(ctrport);
	if (inet_pton(AF_INET, f[3], &p->ctr.sin_addr) != 1)
		fail("bad container address %s", f[3]);

	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t sslen;
	int family, dual = 0;
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	if (!*hostip) {
		family = AF_INET6, dual = 1;
	} else if (inet_pton(AF_INET, hostip, &s4->sin_addr) == 1) {
		family = AF_INET;
	} else if (inet_pton(AF_INET6, hostip, &s6->sin6_addr) == 1) {
		family = AF_INET6;
	} else {
		fail("bad host address %s", hostip);
	}
	p->fd = socket(family, p->proto | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0 && dual) {
		/* no IPv6 on this host: every IPv4 address then */
		family = AF_INET, dual = 0;
		p->fd = socket(family, p->proto | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	char where[80];
	fmt_hostport(where, sizeof where, hostip, hostport);
	if (p->fd < 0)
		fail("listen %s %s: socket: %s", proto, where, errtext(errno));
	int one = 1, zero = 0;
	if (dual)
		setsockopt(p->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	if (p->proto == SOCK_STREAM)
		setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(hostport);
		sslen = sizeof *s4;
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(hostport);
		sslen = sizeof *s6;
	}
	if (bind(p->fd, (struct sockaddr *)&ss, sslen) < 0)
		fail("listen %s %s: bind: %s", proto, where, errtext(errno));
	if (p->proto == SOCK_STREAM && listen(p->fd, 4096) < 0)
		fail("listen %s %s: listen: %s", proto, where, errtext(errno));
	if (p->proto == SOCK_DGRAM) {
		int sz = 1 << 20;
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
		p->flows = calloc(UDP_BUCKETS, sizeof *p->flows);
		if (!p->flows)
			fail("out of memory");
	}
	return p;
}

int main(int argc, char **argv)
{
	int exit_fd = -1, exit_pid = 0, a = 1;
	for (; a < argc && !strncmp(argv[a], "--", 2); a += 2) {
		if (a + 1 >= argc)
			fail("usage: tsman-portfwd [--exit-fd N] [--exit-pid PID] NETNS PROTO,HOSTIP,HOSTPORT,IP,PORT ...");
		if (!strcmp(argv[a], "--exit-fd"))
			exit_fd = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--exit-pid"))
			exit_pid = atoi(argv[a + 1]);
		else
			fail("unknown option %s", argv[a]);
	}
	if (argc - a < 2)
		fail("usage: tsman-portfwd [--exit-fd N] [--exit-pid PID] NETNS PROTO,HOSTIP,HOSTPORT,IP,PORT ...");
	const char *netns = argv[a++];
	signal(SIGPIPE, SIG_IGN);
	/* it lives as long as the container: keep no directory of the caller's busy */
	if (chdir("/") < 0)
		fail("chdir /: %s", errtext(errno));
	/* connections cost 6 fds each (two sockets, two pipes): take all the hard limit allows */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		fail("epoll: %s", errtext(errno));
	int nports = argc - a;
	struct port **ports = calloc(nports, sizeof *ports);
	if (!ports)
		fail("out of memory");
	for (int i = 0; i < nports; i++)
		ports[i] = bind_port(argv[a + i]);

	int pidfd = -1;
	if (exit_pid > 0) {
		pidfd = syscall(SYS_pidfd_open, exit_pid, 0);
		if (pidfd < 0)
			fail("pidfd_open %d: %s", exit_pid, errtext(errno));
	}
	int nsfd = open(netns, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		fail("open %s: %s", netns, errtext(errno));
	if (setns(nsfd, CLONE_NEWNET) < 0)
		fail("setns %s: %s", netns, errtext(errno));
	close(nsfd);

	for (int i = 0; i < nports; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ports[i] };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, ports[i]->fd, &ev) < 0)
			fail("epoll_ctl: %s", errtext(errno));
	}
	if (exit_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = &life_kind };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, exit_fd, &ev) < 0)
			fail("exit fd %d: %s", exit_fd, errtext(errno));
	}
	if (pidfd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &life_kind };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev) < 0)
			fail("epoll_ctl: %s", errtext(errno));
	}
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	say("ready");
	/* nobody reads stdout any more: it becomes /dev/null so a late write cannot land elsewhere */
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, 1);
		close(null);
	}

	struct epoll_event evs[128];
	for (;;) {
		int n = epoll_wait(ep, evs, 128, all_flows ? 5000 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logmsg("epoll_wait: %s", errtext(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			void *ptr = evs[i].data.ptr;
			switch (*(int *)ptr) {
			case K_LIFE:
				return 0; /* the monitor (or the container) is gone */
			case K_LISTEN:
				accept_all(ptr);
				break;
			case K_UDP_HOST:
				udp_host_event(ptr);
				break;
			case K_UDP_FLOW:
				udp_flow_event(ptr);
				break;
			case K_SIDE:
				side_event(ptr, evs[i].events);
				break;
			}
		}
		while (dead_conns) {
			struct conn *c = dead_conns;
			dead_conns = c->dead_next;
			free(c);
		}
		if (all_flows)
			sweep_flows();
	}
}
