/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * TLS configuration.  conf_schema.c puts the option tables of tls_conf.h
 * into its own and conf_build.c calls this file to build a service's
 * tls_listen, tls_certificate ... options and a real server's tls,
 * tls_verify ... into struct tls_service and struct tls_server; the
 * contexts are then built at once (tls_ctx.c, or tls_none.c refusing
 * them), so a missing or wrong certificate is a load error with its line,
 * and a reload with one is rejected.  Also writes the options back for
 * tcpvsadm -S: paths, never what the files hold.  Runs in the master and
 * in tcpvsd -t.
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "tls.h"
#include "tls_conf.h"
#include "util.h"

const char *const tls_conf_paths[] = {
	"virtual|tls_certificate",
	"virtual|tls_protocols",
	"virtual|tls_ciphers",
	"virtual|tls_ciphersuites",
	"virtual|tls_client_ca",
	"virtual|tls_verify_client",
	"virtual|server|tls",
	"virtual|server|tls_verify",
	"virtual|server|tls_ca",
	"virtual|server|tls_sni",
	NULL
};

static const char *const proto_names[TLS_PROTO__COUNT] = {
	[TLS_PROTO_TLS1] = "TLSv1",
	[TLS_PROTO_TLS1_1] = "TLSv1.1",
	[TLS_PROTO_TLS1_2] = "TLSv1.2",
	[TLS_PROTO_TLS1_3] = "TLSv1.3",
};

const char *
tls_proto_str(enum tls_proto p)
{
	switch (p) {
	case TLS_PROTO_TLS1:
	case TLS_PROTO_TLS1_1:
	case TLS_PROTO_TLS1_2:
	case TLS_PROTO_TLS1_3:
		return proto_names[p];
	case TLS_PROTO__COUNT:
		break;
	}
	return "?";
}

int
tls_proto_parse(const char *s, size_t len)
{
	for (int i = 0; i < TLS_PROTO__COUNT; i++)
		if (strlen(proto_names[i]) == len &&
		    strncmp(proto_names[i], s, len) == 0)
			return i;
	return -1;
}

const char *
tls_verify_client_str(enum tls_verify_client v)
{
	switch (v) {
	case TLS_VERIFY_NONE:
		return "none";
	case TLS_VERIFY_OPTIONAL:
		return "optional";
	case TLS_VERIFY_REQUIRED:
		return "required";
	}
	return "?";
}

/* the first of the service's tls_ options the section writes, or NULL */
static const char *
any_tls(cfg_t *vs)
{
	static const char *const names[] = {
		"tls_listen", "tls_certificate", "tls_protocols",
		"tls_ciphers", "tls_ciphersuites", "tls_client_ca",
		"tls_verify_client",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (cfg_size(vs, names[i]) > 0)
			return names[i];
	return NULL;
}

/* tls_protocols: a list, each item one or more names apart by spaces */
static void
build_protocols(cfg_t *vs, struct tls_service *ts,
    const struct tls_conf_env *env)
{
	unsigned n = cfg_size(vs, "tls_protocols");

	ts->line_protocols = (unsigned)env->line_of(vs, "tls_protocols");
	if (n == 0) {
		ts->protocols = 1u << TLS_PROTO_TLS1_2 | 1u << TLS_PROTO_TLS1_3;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const char *s = cfg_getnstr(vs, "tls_protocols", i);

		while (*s != '\0') {
			size_t len = strcspn(s, " \t,");
			int p;

			if (len > 0 && (p = tls_proto_parse(s, len)) == -1)
				env->error((int)ts->line_protocols, "virtual "
				    "%s: tls_protocols '%.*s': expected TLSv1, "
				    "TLSv1.1, TLSv1.2 or TLSv1.3",
				    cfg_title(vs), (int)len, s);
			else if (len > 0)
				ts->protocols |= 1u << p;
			s += len;
			s += strspn(s, " \t,");
		}
	}
	if (ts->protocols == 0)
		env->error((int)ts->line_protocols, "virtual %s: "
		    "tls_protocols: no protocol, expected TLSv1.2 TLSv1.3 or "
		    "a part of it", cfg_title(vs));
}

static void
build_tls_listen(cfg_t *vs, struct tls_service *ts,
    const struct tls_conf_env *env)
{
	unsigned n = cfg_size(vs, "tls_listen");

	ts->line_listen = (unsigned)env->line_of(vs, "tls_listen");
	if (n > CONF_MAX_LISTEN) {
		env->error((int)ts->line_listen, "virtual %s: %u tls_listen "
		    "addresses, at most %d", cfg_title(vs), n,
		    CONF_MAX_LISTEN);
		n = CONF_MAX_LISTEN;
	}
	for (unsigned i = 0; i < n; i++) {
		struct conf_listen *l = &ts->listen[i];
		const char *s = cfg_getnstr(vs, "tls_listen", i);
		struct util_addr ua;
		char err[256];

		util_strlcpy(l->name, s, sizeof(l->name));
		l->line = ts->line_listen;
		l->fd = -1;
		if (util_addr_parse(s, NULL, &ua, err, sizeof(err)) == 0) {
			memcpy(&l->addr, &ua.ss, ua.len);
			l->addrlen = ua.len;
		}	/* else reported while parsing */
	}
	ts->nlisten = n;
}

static void
build_certs(cfg_t *vs, struct tls_service *ts,
    const struct tls_conf_env *env)
{
	unsigned n = cfg_size(vs, "tls_certificate");

	ts->line_cert = (unsigned)env->line_of(vs, "tls_certificate");
	if (n > TLS_MAX_CERTS) {
		env->error((int)ts->line_cert, "virtual %s: %u "
		    "tls_certificate files, at most %d", cfg_title(vs), n,
		    TLS_MAX_CERTS);
		n = TLS_MAX_CERTS;
	}
	for (unsigned i = 0; i < n; i++)
		ts->cert[i] = xstrdup(cfg_getnstr(vs, "tls_certificate", i));
	ts->ncert = n;
	if (n == 0 && ts->nlisten > 0)
		env->error((int)ts->line_listen, "virtual %s: tls_listen "
		    "without tls_certificate, expected tls_certificate = "
		    "\"PEM file with chain and key\"", cfg_title(vs));
}

static char *
str_or(cfg_t *sec, const char *name, const char *def)
{
	const char *s = cfg_getstr(sec, name);

	return s != NULL ? xstrdup(s) : def != NULL ? xstrdup(def) : NULL;
}

static void
build_verify_client(cfg_t *vs, struct tls_service *ts,
    const struct tls_conf_env *env)
{
	const char *v = cfg_getstr(vs, "tls_verify_client");

	ts->line_client_ca = (unsigned)env->line_of(vs, "tls_client_ca");
	ts->line_verify_client = (unsigned)env->line_of(vs,
	    "tls_verify_client");
	ts->client_ca = str_or(vs, "tls_client_ca", NULL);
	ts->verify_client = TLS_VERIFY_NONE;
	if (v == NULL)
		return;
	if (strcmp(v, "optional") == 0)
		ts->verify_client = TLS_VERIFY_OPTIONAL;
	else if (strcmp(v, "required") == 0)
		ts->verify_client = TLS_VERIFY_REQUIRED;
	else if (strcmp(v, "none") != 0)
		env->error((int)ts->line_verify_client, "virtual %s: "
		    "tls_verify_client '%s': expected none, optional or "
		    "required", cfg_title(vs), v);
	if (ts->verify_client != TLS_VERIFY_NONE && ts->client_ca == NULL)
		env->error((int)ts->line_verify_client, "virtual %s: "
		    "tls_verify_client %s without tls_client_ca, expected "
		    "tls_client_ca = \"CA file\"", cfg_title(vs), v);
}

/* without OpenSSL: the first TLS option of the section is an error */
static void
refuse(cfg_t *sec, const char *what, const char *name, const char *opt,
    const struct tls_conf_env *env)
{
	env->error(env->line_of(sec, opt), "%s %s: %s: tcpvsd was built "
	    "without TLS (configure --without-openssl); rebuild with OpenSSL "
	    "3 (Debian: libssl-dev)", what, name, opt);
}

void
tls_conf_service(cfg_t *vs, struct service *svc,
    const struct tls_conf_env *env)
{
	const char *first = any_tls(vs);
	struct tls_service *ts;

	if (first == NULL)
		return;
	if (!tls_built) {
		refuse(vs, "virtual", svc->ident, first, env);
		return;
	}
	ts = svc->tls = xcalloc(1, sizeof(*ts));
	build_tls_listen(vs, ts, env);
	build_certs(vs, ts, env);
	build_protocols(vs, ts, env);
	ts->ciphers = str_or(vs, "tls_ciphers", TLS_DEF_CIPHERS);
	ts->ciphersuites = str_or(vs, "tls_ciphersuites",
	    TLS_DEF_CIPHERSUITES);
	ts->line_ciphers = (unsigned)env->line_of(vs, "tls_ciphers");
	ts->line_ciphersuites = (unsigned)env->line_of(vs,
	    "tls_ciphersuites");
	build_verify_client(vs, ts, env);
	if (ts->ncert > 0)
		(void)tls_ctx_service(ts, svc->ident, env->error);
}

/* the host part of "host:port": "" for an address (no SNI for those) */
static void
server_host(const char *name, char *host, size_t len, bool *is_ip)
{
	const char *colon = strrchr(name, ':');
	size_t n = colon != NULL ? (size_t)(colon - name) : strlen(name);
	struct in_addr a;

	*is_ip = name[0] == '[';
	if (*is_ip) {	/* "[v6]:port" */
		n = strcspn(name + 1, "]");
		name++;
	}
	if (n >= len)
		n = len - 1;
	memcpy(host, name, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &a) == 1)
		*is_ip = true;
}

void
tls_conf_server(cfg_t *ss, const struct service *svc, struct realserver *rs,
    const struct tls_conf_env *env)
{
	struct tls_server *t;
	const char *sni = cfg_getstr(ss, "tls_sni");
	bool is_ip;

	if (cfg_getbool(ss, "tls") != cfg_true)
		return;
	if (!tls_built) {
		refuse(ss, "server", rs->name, "tls", env);
		return;
	}
	t = rs->tls = xcalloc(1, sizeof(*t));
	t->line = (unsigned)env->line_of(ss, "tls");
	t->verify = cfg_getbool(ss, "tls_verify") == cfg_true;
	t->ca = str_or(ss, "tls_ca", NULL);
	server_host(rs->name, t->host, sizeof(t->host), &is_ip);
	if (sni != NULL) {
		t->sni_set = true;
		t->sni = *sni != '\0' ? xstrdup(sni) : NULL;
		if (t->sni != NULL)
			util_strlcpy(t->host, t->sni, sizeof(t->host));
	} else if (!is_ip)
		t->sni = xstrdup(t->host);
	(void)tls_ctx_server(t, svc->ident, rs->name, env->error);
}

/* the same address as b */
static bool
same_addr(const struct conf_listen *a, const struct conf_listen *b)
{
	return a->addrlen != 0 && a->addrlen == b->addrlen &&
	    memcmp(&a->addr, &b->addr, a->addrlen) == 0;
}

/*
 * Two tls_listen of one address (in one service or two) would share one
 * socket across reloads (listener.c finds sockets by address): refused,
 * at the later one, as check_listen_dups does for listen.
 */
static void
check_tls_dups(const struct generation *gen, const struct tls_conf_env *env)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		for (unsigned j = 0; gen->svc[i].tls != NULL &&
		    j < gen->svc[i].tls->nlisten; j++)
			for (unsigned k = 0; k <= i; k++)
				for (unsigned m = 0; gen->svc[k].tls != NULL &&
				    m < (k == i ? j : gen->svc[k].tls->nlisten);
				    m++) {
					const struct conf_listen *a, *b;

					a = &gen->svc[i].tls->listen[j];
					b = &gen->svc[k].tls->listen[m];
					if (same_addr(a, b))
						env->error((int)a->line,
						    "virtual %s: tls_listen %s:"
						    " already used by virtual "
						    "%s", gen->svc[i].ident,
						    a->name,
						    gen->svc[k].ident);
				}
}

void
tls_conf_check_listen(cfg_t *cfg, const struct generation *gen,
    const struct tls_conf_env *env)
{
	check_tls_dups(gen, env);
	for (unsigned i = 0; i < gen->nsvc; i++) {
		const struct tls_service *ts = gen->svc[i].tls;

		for (unsigned j = 0; ts != NULL && j < ts->nlisten; j++) {
			const struct conf_listen *a = &ts->listen[j];

			for (unsigned k = 0; k < gen->nsvc; k++) {
				const struct service *o = &gen->svc[k];

				for (unsigned m = 0; m < o->nlisten; m++)
					if (a->addrlen != 0 &&
					    a->addrlen == o->listen[m].addrlen &&
					    memcmp(&a->addr, &o->listen[m].addr,
					    a->addrlen) == 0)
						env->error((int)a->line,
						    "virtual %s: tls_listen %s:"
						    " already the listen of "
						    "virtual %s",
						    gen->svc[i].ident, a->name,
						    o->ident);
			}
		}
	}
	(void)cfg;
}

void
tls_conf_free_service(struct service *svc)
{
	struct tls_service *ts = svc->tls;

	if (ts == NULL)
		return;
	tls_ctx_service_free(ts);
	for (unsigned i = 0; i < ts->ncert; i++)
		free(ts->cert[i]);
	free(ts->ciphers);
	free(ts->ciphersuites);
	free(ts->client_ca);
	free(ts);
	svc->tls = NULL;
}

void
tls_conf_free_server(struct realserver *rs)
{
	struct tls_server *t = rs->tls;

	if (t == NULL)
		return;
	tls_ctx_server_free(t);
	free(t->ca);
	free(t->sni);
	free(t);
	rs->tls = NULL;
}

void
tls_conf_dump_global(FILE *f, const struct generation *gen)
{
	fprintf(f, "tls_ticket_rotate = %u\n", gen->tls_ticket_rotate);
}

static void
dump_list(FILE *f, const char *name, const char *const *v, unsigned n)
{
	fprintf(f, "    %s = {", name);
	for (unsigned i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		conf_dump_str(f, v[i]);
	}
	fputs("}\n", f);
}

void
tls_conf_dump_service(FILE *f, const struct service *svc)
{
	const struct tls_service *ts = svc->tls;
	const char *names[CONF_MAX_LISTEN > TLS_PROTO__COUNT ?
	    CONF_MAX_LISTEN : TLS_PROTO__COUNT];
	unsigned n = 0;

	if (ts == NULL)
		return;
	for (unsigned i = 0; i < ts->nlisten; i++)
		names[i] = ts->listen[i].name;
	if (ts->nlisten > 0)
		dump_list(f, "tls_listen", names, ts->nlisten);
	if (ts->ncert > 0)
		dump_list(f, "tls_certificate", (const char *const *)ts->cert,
		    ts->ncert);
	for (int p = 0; p < TLS_PROTO__COUNT; p++)
		if (ts->protocols & 1u << p)
			names[n++] = tls_proto_str((enum tls_proto)p);
	dump_list(f, "tls_protocols", names, n);
	conf_dump_opt(f, "    ", "tls_ciphers", ts->ciphers);
	conf_dump_opt(f, "    ", "tls_ciphersuites", ts->ciphersuites);
	if (ts->client_ca != NULL)
		conf_dump_opt(f, "    ", "tls_client_ca", ts->client_ca);
	conf_dump_opt(f, "    ", "tls_verify_client",
	    tls_verify_client_str(ts->verify_client));
}

void
tls_conf_dump_server(FILE *f, const struct realserver *rs)
{
	const struct tls_server *t = rs->tls;
	const char *in = "        ";

	if (t == NULL)
		return;
	fprintf(f, "%stls = true\n%stls_verify = %s\n", in, in,
	    t->verify ? "true" : "false");
	if (t->ca != NULL)
		conf_dump_opt(f, in, "tls_ca", t->ca);
	if (t->sni_set)
		conf_dump_opt(f, in, "tls_sni", t->sni != NULL ? t->sni : "");
}
