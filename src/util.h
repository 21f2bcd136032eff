/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Small helpers with no policy: socket addresses, monotonic time,
 * allocators that die on failure (start-up only, never on the request
 * path), descriptor flags, passing a descriptor over a UNIX socket.
 */
#ifndef TCPVS_UTIL_H
#define TCPVS_UTIL_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* "[ffff:...]:65535" plus NUL */
#define UTIL_ADDRSTRLEN	64

struct util_addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

/*
 * Parse "host:port", "[v6]:port" (host and port may be names, resolved with
 * getaddrinfo; the first result wins).  When the port is missing, defport is
 * used if non-NULL, else it is an error.  Returns 0, or -1 with a reason
 * written to err ("expected host:port", "unknown host 'x'", ...).
 */
int	 util_addr_parse(const char *, const char *defport, struct util_addr *,
	    char *err, size_t errlen);
/* numeric "1.2.3.4:80" or "[::1]:80"; returns buf */
char	*util_addr_str(const struct sockaddr *, char *buf, size_t len);
/* numeric host part only, no port; returns buf */
char	*util_addr_host(const struct sockaddr *, char *buf, size_t len);
int	 util_addr_eq(const struct util_addr *, const struct util_addr *);

/* the number a file such as /proc/sys/... holds, 0 if it cannot be read */
long	 util_proc_long(const char *path);
/* milliseconds of CLOCK_MONOTONIC, and of CLOCK_REALTIME */
int64_t	 util_now_ms(void);
int64_t	 util_now_us(void);	/* monotonic microseconds */
int64_t	 util_wall_ms(void);

/* socket() or connect() failed for want of something of this host's
   (descriptors, socket memory, a free local port), not the peer's */
int	 util_local_shortage(int err);
int	 util_set_nonblock(int fd, int on);
int	 util_set_cloexec(int fd);
/* sendmsg(2) of buf, with fd as SCM_RIGHTS when fd >= 0 */
ssize_t	 util_send_fd(int sock, const void *buf, size_t len, int fd,
	    int flags);
/* recvmsg(2) into buf (descriptors close-on-exec); *fd is the first
   descriptor that came with it, or -1: any others are closed */
ssize_t	 util_recv_fd(int sock, void *buf, size_t len, int *fd, int flags);

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

/* strlcpy semantics: returns strlen(src) */
size_t	 util_strlcpy(char *dst, const char *src, size_t dstlen);

#endif /* TCPVS_UTIL_H */
