/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * TLS configuration: the tls_* options of tcpvs.conf, what they build in
 * a generation, and how tcpvsadm -S writes them back.  conf.c only puts
 * the option tables below into its own and calls these functions; the
 * contexts themselves (certificates, keys) are tls_ctx.c's.
 */
#ifndef TCPVS_TLS_CONF_H
#define TCPVS_TLS_CONF_H

#include <stdbool.h>
#include <stdio.h>

#include <confuse.h>

#include "conf-t.h"

#define TLS_MAX_CERTS		32	/* tls_certificate files a service */
#define TLS_DEF_TICKET_ROTATE	3600	/* seconds */
#define TLS_TICKET_ROTATE_MIN	60
#define TLS_TICKET_ROTATE_MAX	(7 * 86400)
/* Mozilla's "intermediate" profile (version 5.7) */
#define TLS_DEF_PROTOCOLS	"TLSv1.2 TLSv1.3"
#define TLS_DEF_CIPHERS		"ECDHE-ECDSA-AES128-GCM-SHA256:" \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:" \
	"DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
#define TLS_DEF_CIPHERSUITES	"TLS_AES_128_GCM_SHA256:" \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

/* protocol versions, a bit each in tls_service.protocols */
enum tls_proto {
	TLS_PROTO_TLS1,
	TLS_PROTO_TLS1_1,
	TLS_PROTO_TLS1_2,
	TLS_PROTO_TLS1_3,
	TLS_PROTO__COUNT
};

enum tls_verify_client {
	TLS_VERIFY_NONE,
	TLS_VERIFY_OPTIONAL,
	TLS_VERIFY_REQUIRED
};

struct tls_ctx;

/* a virtual service's client side: NULL in struct service when none */
struct tls_service {
	struct conf_listen	 listen[CONF_MAX_LISTEN];	/* tls_listen */
	unsigned		 nlisten;
	char			*cert[TLS_MAX_CERTS];	/* paths; [0] default */
	unsigned		 ncert;
	unsigned		 protocols;	/* 1 << enum tls_proto */
	char			*ciphers;	/* TLS 1.2 and below */
	char			*ciphersuites;	/* TLS 1.3 */
	char			*client_ca;	/* path, or NULL */
	enum tls_verify_client	 verify_client;
	/* lines of the options, for errors found building the contexts */
	unsigned		 line_listen, line_cert, line_protocols;
	unsigned		 line_ciphers, line_ciphersuites;
	unsigned		 line_client_ca, line_verify_client;
	struct tls_ctx		*ctx;	/* built at load (tls_ctx.c) */
};

/* a real server's "tls = true": NULL in struct realserver when plain */
struct tls_server {
	bool			 verify;	/* tls_verify */
	char			*ca;		/* tls_ca, NULL: system store */
	char			*sni;		/* tls_sni, NULL: none */
	bool			 sni_set;	/* written, not derived */
	char			 host[CONF_NAME_MAX];	/* name or address
						   the certificate must
						   carry */
	unsigned		 line;
	struct ssl_ctx_st	*ctx;	/* SSL_CTX, built at load */
};

/* what conf.c lends for errors: its line finder and error printer */
struct tls_conf_env {
	int	(*line_of)(cfg_t *sec, const char *name);
	void	(*error)(int line, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
};

/* option tables, put into conf.c's */
#define TLS_CONF_GLOBAL_OPTS \
	CFG_INT("tls_ticket_rotate", TLS_DEF_TICKET_ROTATE, CFGF_NONE)
#define TLS_CONF_SERVICE_OPTS \
	CFG_STR_LIST("tls_listen", NULL, CFGF_NODEFAULT), \
	CFG_STR_LIST("tls_certificate", NULL, CFGF_NODEFAULT), \
	CFG_STR_LIST("tls_protocols", NULL, CFGF_NODEFAULT), \
	CFG_STR("tls_ciphers", NULL, CFGF_NODEFAULT), \
	CFG_STR("tls_ciphersuites", NULL, CFGF_NODEFAULT), \
	CFG_STR("tls_client_ca", NULL, CFGF_NODEFAULT), \
	CFG_STR("tls_verify_client", NULL, CFGF_NODEFAULT)
#define TLS_CONF_SERVER_OPTS \
	CFG_BOOL("tls", cfg_false, CFGF_NONE), \
	CFG_BOOL("tls_verify", cfg_true, CFGF_NONE), \
	CFG_STR("tls_ca", NULL, CFGF_NODEFAULT), \
	CFG_STR("tls_sni", NULL, CFGF_NODEFAULT)

/* libconfuse paths of the options above, NULL-terminated: conf.c
   records where each is written */
extern const char *const tls_conf_paths[];

/* build svc->tls from the virtual section vs (NULL when no tls_*) */
void	tls_conf_service(cfg_t *vs, struct service *svc,
	    const struct tls_conf_env *);
/* build rs->tls from the server section ss (NULL unless tls = true) */
void	tls_conf_server(cfg_t *ss, const struct service *svc,
	    struct realserver *rs, const struct tls_conf_env *);
/* across services: a tls_listen address is used once, by one service */
void	tls_conf_check_listen(cfg_t *cfg, const struct generation *,
	    const struct tls_conf_env *);
void	tls_conf_free_service(struct service *);
void	tls_conf_free_server(struct realserver *);

/* tcpvsadm -S: the options as written (paths, never key material) */
void	tls_conf_dump_global(FILE *, const struct generation *);
void	tls_conf_dump_service(FILE *, const struct service *);
void	tls_conf_dump_server(FILE *, const struct realserver *);

const char	*tls_verify_client_str(enum tls_verify_client);
const char	*tls_proto_str(enum tls_proto);
/* "TLSv1.2" -> TLS_PROTO_TLS1_2; -1 if none */
int		 tls_proto_parse(const char *, size_t len);

#endif /* TCPVS_TLS_CONF_H */
