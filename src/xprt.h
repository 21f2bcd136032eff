/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * A connection's byte transport, chosen once per connection: plain
 * (recv/send on the socket; the kernel moves the bytes, so the relay may
 * splice) or TLS (SSL_read/SSL_write, through a bounded buffer).  The code
 * above calls the ops and never asks which it has, as HAProxy's xprt_ops
 * and nginx's c->recv/c->send.  Every op is non-blocking and says what it
 * waits for the way the event loop needs: XPRT_WANT_READ or
 * XPRT_WANT_WRITE (a TLS read may need the socket writable, and a write
 * readable).  kTLS: a connection whose kernel does the record layer would
 * get ops with splice set, and take the plain relay path.
 */
#ifndef TCPVS_XPRT_H
#define TCPVS_XPRT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* negative returns of the ops; >= 0 is a byte count (recv: 0 = EOF) */
#define XPRT_FAIL	(-1)	/* closed for good: c->fail, c->err say why */
#define XPRT_WANT_READ	(-2)	/* again once the socket is readable */
#define XPRT_WANT_WRITE	(-3)	/* again once the socket is writable */

/* why a transport failed (handshakes, for the log and /metrics) */
enum xprt_fail {
	XPRT_FAIL_NONE,
	XPRT_FAIL_IO,		/* a socket error: c->err is errno */
	XPRT_FAIL_EOF,		/* the peer closed mid-handshake or record */
	XPRT_FAIL_NOT_TLS,	/* plain HTTP, or other bytes, on TLS */
	XPRT_FAIL_PROTOCOL,	/* no common version or cipher, bad record */
	XPRT_FAIL_CERT,		/* a certificate was refused: c->err is the
				   X509 verification result */
	XPRT_FAIL_OTHER
};

struct ssl_st;
struct tls_server;
struct tls_service;
struct xprt_ops;

struct xconn {
	int			 fd;
	const struct xprt_ops	*ops;
	struct ssl_st		*ssl;	/* TLS: the connection's SSL */
	enum xprt_fail		 fail;
	int			 err;	/* errno, or X509 result: see fail */
};

struct xprt_ops {
	const char	*name;
	/* until it returns 0 (ready); plain: at once */
	int		 (*handshake)(struct xconn *);
	ssize_t		 (*recv)(struct xconn *, void *, size_t);
	/* may write fewer bytes than asked; after XPRT_WANT_*, call again
	   with the same bytes (at least as many) */
	ssize_t		 (*send)(struct xconn *, const void *, size_t);
	/* says the write side is done (TLS close_notify, then SHUT_WR) */
	int		 (*shutdown)(struct xconn *);
	/* bytes that recv returns without the socket being readable */
	size_t		 (*pending)(const struct xconn *);
	/* frees what the transport holds and closes the descriptor */
	void		 (*close)(struct xconn *);
	/* the kernel moves the bytes: splice(2) may take the place of
	   recv and send (plain; a kTLS connection later) */
	bool		 splice;
};

extern const struct xprt_ops xprt_plain;

const char	*xprt_fail_str(enum xprt_fail);
/* the errno of a failed transport, 0 when it failed otherwise */
static inline int
xprt_errno(const struct xconn *c)
{
	return c->fail == XPRT_FAIL_IO ? c->err : 0;
}

void	 xprt_plain_init(struct xconn *, int fd);
/*
 * A TLS server connection on an accepted socket, with the service's
 * contexts (tls_xprt.c); 0, or -1 (errno ENOMEM, or ENOTSUP without TLS).
 * Then call c->ops->handshake until it returns 0.
 */
int	 xprt_tls_accept(struct xconn *, const struct tls_service *, int fd);
/* a TLS client connection to a real server on a connected socket */
int	 xprt_tls_connect(struct xconn *, const struct tls_server *, int fd);

/* the negotiated protocol, cipher and server name (access log), or "-" */
const char	*xprt_tls_version(const struct xconn *);
const char	*xprt_tls_cipher(const struct xconn *);
const char	*xprt_tls_sni(const struct xconn *);
bool		 xprt_tls_resumed(const struct xconn *);
/* the peer certificate's subject in OpenSSL's one-line form, into buf
   (no allocation); NULL when there is none (tls_xprt.c) */
const char	*xprt_tls_peer_subject(const struct xconn *, char *buf,
		    size_t len);

/* a bounded buffer between two transports (TLS relays through one) */
struct xbuf {
	char		*data;
	size_t		 cap;
	size_t		 off;	/* first byte not yet sent */
	size_t		 len;	/* bytes held from off */
};

/* what a pump waits for, on which side */
struct xprt_wait {
	uint32_t	 from;	/* EPOLLIN and/or EPOLLOUT on from's fd */
	uint32_t	 to;
};

/*
 * Move bytes from one transport to the other through b until one side
 * would block: returns 0 with what it waits for in w, 1 once from is at
 * its end and b is empty, -1 when a side failed.  *moved counts bytes
 * sent on to.
 */
int	 xprt_pump(struct xconn *from, struct xconn *to, struct xbuf *b,
	    struct xprt_wait *w, uint64_t *moved);

#endif /* TCPVS_XPRT_H */
