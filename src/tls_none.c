/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * TLS when tcpvsd is built without OpenSSL (configure --without-openssl):
 * built instead of tls_ctx.c, tls_ticket.c and tls_xprt.c.  tls_conf.c
 * refuses every TLS option at load ("tcpvsd was built without TLS"), so
 * nothing here is reached with a context; these only keep the link whole.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "tls.h"
#include "tls_conf.h"
#include "xprt.h"

const bool tls_built = false;

int
tls_ctx_service(struct tls_service *ts, const char *ident, tls_err_fn err)
{
	(void)ts;
	(void)ident;
	(void)err;
	return -1;
}

void
tls_ctx_service_free(struct tls_service *ts)
{
	(void)ts;
}

struct ssl_ctx_st *
tls_ctx_default(const struct tls_service *ts)
{
	(void)ts;
	return NULL;
}

unsigned
tls_ctx_ncert(const struct tls_service *ts)
{
	(void)ts;
	return 0;
}

unsigned
tls_ctx_select(const struct tls_service *ts, const char *name)
{
	(void)ts;
	(void)name;
	return 0;
}

int
tls_ctx_server(struct tls_server *t, const char *ident, const char *rsname,
    tls_err_fn err)
{
	(void)t;
	(void)ident;
	(void)rsname;
	(void)err;
	return -1;
}

void
tls_ctx_server_free(struct tls_server *t)
{
	(void)t;
}

struct ssl_st *
tls_client_new(const struct tls_server *t, int fd)
{
	(void)t;
	(void)fd;
	errno = ENOTSUP;
	return NULL;
}

const char *
tls_verify_str(long code)
{
	(void)code;
	return "TLS not built in";
}

int
tls_ticket_init(void)
{
	return 0;
}

void
tls_ticket_tick(const struct generation *gen, int64_t now_ms)
{
	(void)gen;
	(void)now_ms;
}

int
tls_ticket_attach(struct ssl_ctx_st *ctx)
{
	(void)ctx;
	return -1;
}

void
tls_ticket_rotate_now(void)
{
}

int
xprt_tls_accept(struct xconn *c, const struct tls_service *ts, int fd)
{
	(void)c;
	(void)ts;
	(void)fd;
	errno = ENOTSUP;
	return -1;
}

int
xprt_tls_connect(struct xconn *c, const struct tls_server *t, int fd)
{
	(void)c;
	(void)t;
	(void)fd;
	errno = ENOTSUP;
	return -1;
}

const char *
xprt_tls_version(const struct xconn *c)
{
	(void)c;
	return "-";
}

const char *
xprt_tls_cipher(const struct xconn *c)
{
	(void)c;
	return "-";
}

const char *
xprt_tls_sni(const struct xconn *c)
{
	(void)c;
	return "-";
}

bool
xprt_tls_resumed(const struct xconn *c)
{
	(void)c;
	return false;
}

const char *
xprt_tls_peer_subject(const struct xconn *c, char *buf, size_t len)
{
	(void)c;
	(void)buf;
	(void)len;
	return NULL;
}
