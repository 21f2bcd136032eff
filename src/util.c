/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Helpers with no policy: address parsing and printing, clocks,
 * allocators that die on failure (used at start-up and load only),
 * descriptor flags, and passing a descriptor over a UNIX socket.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

size_t
util_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);

	if (dstlen > 0) {
		size_t c = n < dstlen - 1 ? n : dstlen - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int
util_addr_parse(const char *s, const char *defport, struct util_addr *ua,
    char *err, size_t errlen)
{
	char host[256];
	const char *port = NULL, *colon;
	struct addrinfo hints, *res = NULL;
	size_t hl;
	int rc;

	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty address, expected host:port");
		return -1;
	}
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL) {
			snprintf(err, errlen, "'%s': missing ']', expected "
			    "[v6addr]:port", s);
			return -1;
		}
		hl = (size_t)(end - s - 1);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0') {
			snprintf(err, errlen, "'%s': expected [v6addr]:port", s);
			return -1;
		}
		if (hl >= sizeof(host)) {
			snprintf(err, errlen, "'%s': host too long", s);
			return -1;
		}
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && strchr(s, ':') != colon) {
			snprintf(err, errlen, "'%s': IPv6 address needs "
			    "brackets, expected [v6addr]:port", s);
			return -1;
		}
		hl = colon ? (size_t)(colon - s) : strlen(s);
		if (hl >= sizeof(host)) {
			snprintf(err, errlen, "'%s': host too long", s);
			return -1;
		}
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (colon)
			port = colon + 1;
	}
	if (port == NULL || *port == '\0')
		port = defport;
	if (port == NULL || *port == '\0') {
		snprintf(err, errlen, "'%s': missing port, expected host:port",
		    s);
		return -1;
	}
	if (strspn(port, "0123456789") == strlen(port) &&
	    (strlen(port) > 5 || atoi(port) < 1 || atoi(port) > 65535)) {
		snprintf(err, errlen, "'%s': port %s out of range, expected "
		    "1 to 65535", s, port);
		return -1;
	}
	if (*host == '\0') {
		snprintf(err, errlen, "'%s': missing host, expected host:port",
		    s);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		/* AI_ADDRCONFIG hides loopback-only families; try without */
		hints.ai_flags = 0;
		rc = getaddrinfo(host, port, &hints, &res);
	}
	if (rc != 0) {
		snprintf(err, errlen, "'%s': cannot resolve host '%s' port "
		    "'%s': %s", s, host, port, gai_strerror(rc));
		return -1;
	}
	memset(ua, 0, sizeof(*ua));
	memcpy(&ua->ss, res->ai_addr, res->ai_addrlen);
	ua->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

char *
util_addr_host(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else {
		util_strlcpy(buf, "-", len);
		return buf;
	}
	if (inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		util_strlcpy(buf, "?", len);
	return buf;
}

char *
util_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	util_addr_host(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET) {
		port = ntohs(((const struct sockaddr_in *)(const void *)sa)->
		    sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else
		util_strlcpy(buf, host, len);
	return buf;
}

int
util_addr_eq(const struct util_addr *a, const struct util_addr *b)
{
	return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

long
util_proc_long(const char *path)
{
	FILE *f;
	long n = 0;

	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fscanf(f, "%ld", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

int64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
util_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * EADDRNOTAVAIL: connect() found no free port of ip_local_port_range
 * towards the address.  EAGAIN: the same on older kernels, or no route
 * cache entry.
 */
int
util_local_shortage(int err)
{
	switch (err) {
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
	case EADDRNOTAVAIL:
	case EAGAIN:
		return 1;
	default:
		return 0;
	}
}

int
util_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

int
util_set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1)
		return -1;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

ssize_t
util_send_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
	    .iov_len = len };
	struct msghdr msg;
	struct cmsghdr *h;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		h = CMSG_FIRSTHDR(&msg);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, flags);
}

ssize_t
util_recv_fd(int sock, void *buf, size_t len, int *fd, int flags)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg;
	ssize_t n;

	*fd = -1;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	if ((n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC)) == -1)
		return -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h != NULL;
	    h = CMSG_NXTHDR(&msg, h)) {
		size_t k;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int d;

			memcpy(&d, CMSG_DATA(h) + i * sizeof(int), sizeof(d));
			if (*fd == -1)
				*fd = d;
			else
				close(d);
		}
	}
	return n;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("malloc %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		fatal("calloc %zu x %zu bytes", n, sz);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	void *q = reallocarray(p, n ? n : 1, sz ? sz : 1);

	if (q == NULL)
		fatal("reallocarray %zu x %zu bytes", n, sz);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("strdup");
	return p;
}
