/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * TLS contexts and session ticket keys.  The master builds a service's
 * server contexts (one per tls_certificate, chosen by SNI) and a real
 * server's client context while it loads a generation, as root, so
 * workers never open a key file; the ticket keys live in a mapping of
 * their own that every worker shares.  Built with OpenSSL (tls_ctx.c,
 * tls_ticket.c) or without (tls_none.c: every TLS option is refused).
 */
#ifndef TCPVS_TLS_H
#define TCPVS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct generation;
struct ssl_ctx_st;
struct ssl_st;
struct tls_server;
struct tls_service;

/* how tls_ctx reports a load error: "FILE:LINE: " is the callback's */
typedef void (*tls_err_fn)(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* is TLS built in (false: --without-openssl) */
extern const bool tls_built;

/*
 * Build ts->ctx: read every tls_certificate (chain and key), check the key
 * matches, index their DNS names for SNI, set protocols, ciphers, client
 * verification, ALPN and the shared ticket keys.  Every problem is
 * reported through err with the option's line; returns 0 or -1.
 */
int	 tls_ctx_service(struct tls_service *, const char *ident,
	    tls_err_fn err);
void	 tls_ctx_service_free(struct tls_service *);
/* the context a connection to a tls_listen address starts with */
struct ssl_ctx_st *tls_ctx_default(const struct tls_service *);
/* how many certificates, and the index SNI would choose for name */
unsigned tls_ctx_ncert(const struct tls_service *);
unsigned tls_ctx_select(const struct tls_service *, const char *name);

/* build t->ctx for "tls = true" (server named rsname of ident) */
int	 tls_ctx_server(struct tls_server *, const char *ident,
	    const char *rsname, tls_err_fn err);
void	 tls_ctx_server_free(struct tls_server *);
/*
 * A new client SSL for a connection to the server: SNI and the name its
 * certificate is checked against set; NULL on failure (errno ENOMEM).
 */
struct ssl_st *tls_client_new(const struct tls_server *, int fd);

/* a certificate verification result, as the log and tcpvsadm -L say */
const char *tls_verify_str(long code);

/*
 * Session ticket keys shared by the pool: the master maps them once
 * (tls_ticket_init, before the first fork; kept across reloads) and
 * rotates them (tls_ticket_tick, every tick) every period seconds; the
 * key before the current one still decrypts.  0, or -1 with errno.
 */
int	 tls_ticket_init(void);
void	 tls_ticket_tick(const struct generation *, int64_t now_ms);
/* install the shared keys on a server context, mapping them the first
   time (tls_ctx.c, in the master at load); 0, or -1 */
int	 tls_ticket_attach(struct ssl_ctx_st *);
/* tests: rotate now; how many keys decrypt */
void	 tls_ticket_rotate_now(void);

#endif /* TCPVS_TLS_H */
