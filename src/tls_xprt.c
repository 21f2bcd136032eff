/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The TLS transport: the ops of xprt.h over an SSL on a non-blocking
 * socket, for clients on a tls_listen address (server side) and for real
 * servers with "tls = true" (client side, also the health checker's).
 * SSL_ERROR_WANT_READ/WRITE become XPRT_WANT_READ/WRITE, so the event
 * loop waits on the socket exactly as for a plain one; the handshake is a
 * step resumed the same way.  A failure is classified once (plain HTTP on
 * the port, no common protocol, a refused certificate, the peer gone) and
 * the OpenSSL error queue emptied, so one connection's error never shows
 * in another's.  Runs in workers and the health checker.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls.h"
#include "tls_conf.h"
#include "xprt.h"

/* what a handshake that failed with SSL_R_* reason r means */
static enum xprt_fail
classify(int reason)
{
	switch (reason) {
	case SSL_R_HTTP_REQUEST:
	case SSL_R_HTTPS_PROXY_REQUEST:
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_RECORD_LENGTH_MISMATCH:
		return XPRT_FAIL_NOT_TLS;
	case SSL_R_UNEXPECTED_EOF_WHILE_READING:
		return XPRT_FAIL_EOF;
	case SSL_R_CERTIFICATE_VERIFY_FAILED:
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		return XPRT_FAIL_CERT;
	default:
		return XPRT_FAIL_PROTOCOL;
	}
}

/* an SSL call returned r <= 0: XPRT_WANT_*, 0 (clean EOF) or XPRT_FAIL */
static ssize_t
ssl_result(struct xconn *c, int r)
{
	int e = SSL_get_error(c->ssl, r);
	unsigned long q;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return XPRT_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return XPRT_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		c->err = errno;
		c->fail = errno == 0 ? XPRT_FAIL_EOF : XPRT_FAIL_IO;
		break;
	case SSL_ERROR_SSL:
		q = ERR_peek_error();
		c->fail = classify(ERR_GET_REASON(q));
		if (c->fail == XPRT_FAIL_CERT)
			c->err = (int)SSL_get_verify_result(c->ssl);
		break;
	default:
		c->fail = XPRT_FAIL_OTHER;
		break;
	}
	ERR_clear_error();
	return XPRT_FAIL;
}

static int
tls_handshake(struct xconn *c)
{
	int r;

	ERR_clear_error();
	if ((r = SSL_do_handshake(c->ssl)) == 1)
		return 0;
	r = (int)ssl_result(c, r);
	if (r == 0) {		/* close_notify before the handshake ended */
		c->fail = XPRT_FAIL_EOF;
		r = XPRT_FAIL;
	}
	/* a client whose verification failed without an alert of its own */
	if (r == XPRT_FAIL && SSL_get_verify_result(c->ssl) != X509_V_OK &&
	    !SSL_is_server(c->ssl)) {
		c->fail = XPRT_FAIL_CERT;
		c->err = (int)SSL_get_verify_result(c->ssl);
	}
	return r;
}

static ssize_t
tls_recv(struct xconn *c, void *buf, size_t len)
{
	size_t n;

	ERR_clear_error();
	if (SSL_read_ex(c->ssl, buf, len, &n) == 1)
		return (ssize_t)n;
	return ssl_result(c, 0);
}

static ssize_t
tls_send(struct xconn *c, const void *buf, size_t len)
{
	size_t n;
	ssize_t r;

	ERR_clear_error();
	if (SSL_write_ex(c->ssl, buf, len, &n) == 1)
		return (ssize_t)n;
	if ((r = ssl_result(c, 0)) == 0) {	/* the peer said goodbye */
		c->fail = XPRT_FAIL_EOF;
		r = XPRT_FAIL;
	}
	return r;
}

static int
tls_shutdown(struct xconn *c)
{
	int r;

	ERR_clear_error();
	if ((r = SSL_shutdown(c->ssl)) >= 0) {
		(void)shutdown(c->fd, SHUT_WR);
		return 0;	/* sent; the peer's answer is not awaited */
	}
	r = (int)ssl_result(c, r);
	return r == 0 ? 0 : r;
}

static size_t
tls_pending(const struct xconn *c)
{
	return (size_t)SSL_pending(c->ssl);
}

static void
tls_close(struct xconn *c)
{
	/* a connection that did not fail says close_notify (a body
	   that ends with the connection is not taken for a truncated
	   one), once, without waiting, and so keeps its session for the
	   next one; unshut, OpenSSL would mark it not resumable */
	if (c->ssl != NULL && c->fail == XPRT_FAIL_NONE &&
	    SSL_is_init_finished(c->ssl)) {
		ERR_clear_error();
		if (!(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN))
			(void)SSL_shutdown(c->ssl);
		SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN |
		    SSL_RECEIVED_SHUTDOWN);
		ERR_clear_error();
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

static const struct xprt_ops xprt_tls = {
	.name = "tls",
	.handshake = tls_handshake,
	.recv = tls_recv,
	.send = tls_send,
	.shutdown = tls_shutdown,
	.pending = tls_pending,
	.close = tls_close,
	.splice = false,
};

int
xprt_tls_accept(struct xconn *c, const struct tls_service *ts, int fd)
{
	SSL_CTX *ctx = tls_ctx_default(ts);

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->ops = &xprt_tls;
	if (ctx == NULL || (c->ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(c->ssl, fd) != 1) {
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
		errno = ENOMEM;
		return -1;
	}
	SSL_set_accept_state(c->ssl);
	return 0;
}

int
xprt_tls_connect(struct xconn *c, const struct tls_server *t, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->ops = &xprt_tls;
	if ((c->ssl = tls_client_new(t, fd)) == NULL)
		return -1;
	return 0;
}

const char *
xprt_tls_version(const struct xconn *c)
{
	return c->ssl != NULL ? SSL_get_version(c->ssl) : "-";
}

const char *
xprt_tls_cipher(const struct xconn *c)
{
	return c->ssl != NULL ? SSL_get_cipher_name(c->ssl) : "-";
}

const char *
xprt_tls_sni(const struct xconn *c)
{
	const char *s = c->ssl != NULL ? SSL_get_servername(c->ssl,
	    TLSEXT_NAMETYPE_host_name) : NULL;

	return s != NULL ? s : "-";
}

bool
xprt_tls_resumed(const struct xconn *c)
{
	return c->ssl != NULL && SSL_session_reused(c->ssl);
}

const char *
xprt_tls_peer_subject(const struct xconn *c, char *buf, size_t len)
{
	X509 *x = c->ssl != NULL ? SSL_get0_peer_certificate(c->ssl) : NULL;

	if (x == NULL || len == 0)
		return NULL;
	return X509_NAME_oneline(X509_get_subject_name(x), buf, (int)len);
}
