/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * TLS contexts, built by the master while it loads a generation (as
 * root, before any worker drops privileges).  A service gets one server
 * SSL_CTX per tls_certificate file, all alike but for the certificate;
 * the first answers clients without SNI or with a name no certificate
 * carries, the others are chosen by the servername callback through
 * tls_sni.c.  Each file's chain and key are read from memory and the
 * buffer wiped, so key material lives only inside OpenSSL; errors name
 * the option's line and the file.  A real server with "tls = true" gets
 * one client SSL_CTX.  Workers inherit the contexts through fork and only
 * make SSL objects from them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "tls_conf.h"
#include "tls_sni.h"
#include "tls_stat.h"
#include "util.h"

#define TLS_PEM_MAX	(1024 * 1024)	/* a certificate file, at most */

const bool tls_built = true;

struct tls_ctx {
	SSL_CTX		*ctx[TLS_MAX_CERTS];
	unsigned	 n;
	struct tls_sni	 sni;
};

/* the first OpenSSL error queued, as text, and the queue emptied */
static const char *
ssl_reason(void)
{
	static char buf[256];
	unsigned long e = ERR_peek_error();

	if (e == 0)
		return "unknown error";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return ERR_reason_error_string(e) != NULL ?
	    ERR_reason_error_string(e) : buf;
}

/* the whole file in memory; NULL with errno */
static char *
read_pem(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 16384;
	char *buf;
	ssize_t n;

	if (fd == -1)
		return NULL;
	buf = xmalloc(cap);
	*len = 0;
	while ((n = read(fd, buf + *len, cap - *len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || *len + (size_t)n >= TLS_PEM_MAX) {
			int e = n == -1 ? errno : EFBIG;

			OPENSSL_cleanse(buf, *len);
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		*len += (size_t)n;
		if (*len == cap) {
			char *b = xmalloc(cap * 2);

			memcpy(b, buf, *len);
			OPENSSL_cleanse(buf, *len);
			free(buf);
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	return buf;
}

/* the DNS names of x (subjectAltName, else its CN) into the SNI table */
static void
index_names(struct tls_ctx *c, X509 *x, unsigned cert)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL);
	const char *why;
	int any = 0;

	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type != GEN_DNS)
			continue;
		any = 1;
		(void)tls_sni_add(&c->sni, (const char *)ASN1_STRING_get0_data(
		    g->d.dNSName), (size_t)ASN1_STRING_length(g->d.dNSName),
		    cert, &why);	/* a name no client can send: skipped */
	}
	GENERAL_NAMES_free(gens);
	if (!any) {
		X509_NAME *sub = X509_get_subject_name(x);
		int k = X509_NAME_get_index_by_NID(sub, NID_commonName, -1);
		ASN1_STRING *cn;

		if (k < 0)
			return;
		cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(sub, k));
		(void)tls_sni_add(&c->sni, (const char *)
		    ASN1_STRING_get0_data(cn), (size_t)ASN1_STRING_length(cn),
		    cert, &why);
	}
}

/*
 * The certificate, its chain and the key of one PEM buffer into ctx;
 * 0, or -1 with what is wrong in why.
 */
static int
use_pem(SSL_CTX *ctx, const char *pem, size_t len, X509 **leaf,
    const char **why)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = NULL;
	X509 *x, *ca;

	*leaf = NULL;
	if (bio == NULL || (x = PEM_read_bio_X509_AUX(bio, NULL, NULL,
	    NULL)) == NULL) {
		BIO_free(bio);
		ERR_clear_error();
		*why = "no certificate in the file, expected PEM with the "
		    "certificate, its chain and the private key";
		return -1;
	}
	if (SSL_CTX_use_certificate(ctx, x) != 1) {
		*why = ssl_reason();
		goto fail;
	}
	(void)BIO_reset(bio);
	while ((ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (X509_cmp(ca, x) == 0)
			X509_free(ca);	/* the leaf itself */
		else if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
			X509_free(ca);
			*why = ssl_reason();
			goto fail;
		}
	ERR_clear_error();
	(void)BIO_reset(bio);
	if ((key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL) {
		ERR_clear_error();
		*why = "no private key in the file, expected PEM with the "
		    "certificate, its chain and the private key";
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		*why = "the private key does not match the certificate";
		goto fail;
	}
	EVP_PKEY_free(key);
	BIO_free(bio);
	*leaf = x;
	return 0;
fail:
	EVP_PKEY_free(key);
	X509_free(x);
	BIO_free(bio);
	return -1;
}

static const int proto_version[TLS_PROTO__COUNT] = {
	[TLS_PROTO_TLS1] = TLS1_VERSION,
	[TLS_PROTO_TLS1_1] = TLS1_1_VERSION,
	[TLS_PROTO_TLS1_2] = TLS1_2_VERSION,
	[TLS_PROTO_TLS1_3] = TLS1_3_VERSION,
};

static const uint64_t proto_off[TLS_PROTO__COUNT] = {
	[TLS_PROTO_TLS1] = SSL_OP_NO_TLSv1,
	[TLS_PROTO_TLS1_1] = SSL_OP_NO_TLSv1_1,
	[TLS_PROTO_TLS1_2] = SSL_OP_NO_TLSv1_2,
	[TLS_PROTO_TLS1_3] = SSL_OP_NO_TLSv1_3,
};

/* the lowest and highest of the set; a gap is switched off */
static int
set_protocols(SSL_CTX *ctx, unsigned set)
{
	int lo = -1, hi = -1;

	for (int p = 0; p < TLS_PROTO__COUNT; p++)
		if (set & 1u << p) {
			if (lo == -1)
				lo = p;
			hi = p;
		}
	if (lo == -1 || SSL_CTX_set_min_proto_version(ctx,
	    proto_version[lo]) != 1 || SSL_CTX_set_max_proto_version(ctx,
	    proto_version[hi]) != 1)
		return -1;
	for (int p = lo; p <= hi; p++)
		if (!(set & 1u << p))
			SSL_CTX_set_options(ctx, proto_off[p]);
	return 0;
}

/* ALPN: http/1.1 when offered; anything else (h2 only) gets none */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char h1[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, h1, sizeof(h1) - 1, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* SNI: the certificate whose names match, on the same connection */
static int
servername(SSL *ssl, int *alert, void *arg)
{
	const struct tls_ctx *c = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	unsigned i;

	(void)alert;
	if (name == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	i = tls_sni_lookup(&c->sni, name, strlen(name));
	if (i != 0 && i < c->n && SSL_set_SSL_CTX(ssl, c->ctx[i]) == NULL)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	return SSL_TLSEXT_ERR_OK;
}

/* optional client verification: the handshake goes on, the result is
   SSL_get_verify_result()'s */
static int
verify_optional(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

/* the settings every certificate's context of the service shares */
static int
setup_server(SSL_CTX *ctx, const struct tls_service *ts, const char *ident,
    tls_err_fn err)
{
	int rc = 0;

	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	/* one worker's cache would miss on the others: tickets only */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)ident,
	    (unsigned)strlen(ident));
	SSL_CTX_set_num_tickets(ctx, 1);
	if (tls_ticket_attach(ctx) == -1) {
		err((int)ts->line_cert, "virtual %s: session ticket keys: %s",
		    ident, strerror(errno));
		rc = -1;
	}
	/* at load, in the master: the pool's one "not TLS" log limiter */
	if (tls_stat_share() == -1) {
		err((int)ts->line_listen, "virtual %s: shared memory: %s",
		    ident, strerror(errno));
		rc = -1;
	}
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	if (set_protocols(ctx, ts->protocols) == -1) {
		err((int)ts->line_protocols, "virtual %s: tls_protocols: %s",
		    ident, ssl_reason());
		rc = -1;
	}
	if (SSL_CTX_set_cipher_list(ctx, ts->ciphers) != 1) {
		ERR_clear_error();
		err((int)ts->line_ciphers, "virtual %s: tls_ciphers '%s': no "
		    "cipher OpenSSL knows", ident, ts->ciphers);
		rc = -1;
	}
	if (SSL_CTX_set_ciphersuites(ctx, ts->ciphersuites) != 1) {
		ERR_clear_error();
		err((int)ts->line_ciphersuites, "virtual %s: tls_ciphersuites "
		    "'%s': expected TLS 1.3 suites such as "
		    "TLS_AES_128_GCM_SHA256", ident, ts->ciphersuites);
		rc = -1;
	}
	return rc;
}

static int
setup_client_ca(SSL_CTX *ctx, const struct tls_service *ts,
    const char *ident, tls_err_fn err)
{
	STACK_OF(X509_NAME) *names;

	if (ts->client_ca == NULL)
		return 0;
	if (access(ts->client_ca, R_OK) == -1) {
		err((int)ts->line_client_ca, "virtual %s: tls_client_ca %s: "
		    "%s", ident, ts->client_ca, strerror(errno));
		return -1;
	}
	if (SSL_CTX_load_verify_locations(ctx, ts->client_ca, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(ts->client_ca)) == NULL) {
		err((int)ts->line_client_ca, "virtual %s: tls_client_ca %s: "
		    "%s, expected PEM certificates", ident, ts->client_ca,
		    ssl_reason());
		return -1;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	switch (ts->verify_client) {
	case TLS_VERIFY_NONE:
		break;
	case TLS_VERIFY_OPTIONAL:
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_optional);
		break;
	case TLS_VERIFY_REQUIRED:
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		break;
	}
	return 0;
}

/* one tls_certificate file into a new context; NULL after reporting */
static SSL_CTX *
load_cert(struct tls_ctx *c, const struct tls_service *ts, unsigned i,
    const char *ident, tls_err_fn err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	const char *why;
	size_t len;
	char *pem;
	X509 *x;

	if (ctx == NULL) {
		err((int)ts->line_cert, "virtual %s: %s", ident, ssl_reason());
		return NULL;
	}
	if ((pem = read_pem(ts->cert[i], &len)) == NULL) {
		err((int)ts->line_cert, "virtual %s: tls_certificate %s: %s",
		    ident, ts->cert[i], strerror(errno));
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (use_pem(ctx, pem, len, &x, &why) == -1) {
		err((int)ts->line_cert, "virtual %s: tls_certificate %s: %s",
		    ident, ts->cert[i], why);
		SSL_CTX_free(ctx);
		ctx = NULL;
	} else {
		index_names(c, x, i);
		X509_free(x);
	}
	OPENSSL_cleanse(pem, len);
	free(pem);
	return ctx;
}

__attribute__((format(printf, 2, 3)))
static void
quiet(int line, const char *fmt, ...)
{
	(void)line;
	(void)fmt;
}

int
tls_ctx_service(struct tls_service *ts, const char *ident, tls_err_fn err)
{
	struct tls_ctx *c = xcalloc(1, sizeof(*c));
	tls_err_fn once = err;	/* the same for every file: say it once */
	int rc = 0;

	ts->ctx = c;
	for (unsigned i = 0; i < ts->ncert; i++) {
		SSL_CTX *ctx = load_cert(c, ts, i, ident, err);

		if (ctx == NULL) {
			rc = -1;
			continue;
		}
		c->ctx[c->n++] = ctx;
		if (setup_server(ctx, ts, ident, once) == -1 ||
		    setup_client_ca(ctx, ts, ident, once) == -1)
			rc = -1;
		once = quiet;
	}
	tls_sni_done(&c->sni);
	if (c->n > 0) {
		SSL_CTX_set_tlsext_servername_callback(c->ctx[0], servername);
		SSL_CTX_set_tlsext_servername_arg(c->ctx[0], c);
	}
	return rc;
}

void
tls_ctx_service_free(struct tls_service *ts)
{
	struct tls_ctx *c = ts->ctx;

	if (c == NULL)
		return;
	for (unsigned i = 0; i < c->n; i++)
		SSL_CTX_free(c->ctx[i]);
	tls_sni_free(&c->sni);
	free(c);
	ts->ctx = NULL;
}

struct ssl_ctx_st *
tls_ctx_default(const struct tls_service *ts)
{
	return ts->ctx != NULL && ts->ctx->n > 0 ? ts->ctx->ctx[0] : NULL;
}

unsigned
tls_ctx_ncert(const struct tls_service *ts)
{
	return ts->ctx != NULL ? ts->ctx->n : 0;
}

unsigned
tls_ctx_select(const struct tls_service *ts, const char *name)
{
	if (ts->ctx == NULL || name == NULL)
		return 0;
	return tls_sni_lookup(&ts->ctx->sni, name, strlen(name));
}

/*
 * Origins: the last session a process got from this server, kept with
 * its context (ex_data), so the next connection resumes.  A worker's copy
 * is its own after fork, so each worker remembers its own.
 */
static int session_idx = -1;

static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
	SSL_SESSION *old = SSL_CTX_get_ex_data(ctx, session_idx);

	if (!SSL_SESSION_is_resumable(sess))
		return 0;
	SSL_SESSION_free(old);
	SSL_CTX_set_ex_data(ctx, session_idx, sess);
	return 1;	/* we keep the reference */
}

static void
free_session(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	SSL_SESSION_free(ptr);
}

static void
remember_sessions(SSL_CTX *ctx)
{
	if (session_idx == -1)
		session_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    free_session);
	SSL_CTX_sess_set_new_cb(ctx, new_session);
}

int
tls_ctx_server(struct tls_server *t, const char *ident, const char *rsname,
    tls_err_fn err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	static const unsigned char h1[] = "\x08http/1.1";

	if (ctx == NULL) {
		err((int)t->line, "virtual %s: server %s: %s", ident, rsname,
		    ssl_reason());
		return -1;
	}
	t->ctx = ctx;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	remember_sessions(ctx);
	(void)SSL_CTX_set_alpn_protos(ctx, h1, sizeof(h1) - 1);
	if (!t->verify)
		return 0;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (t->ca == NULL) {
		if (SSL_CTX_set_default_verify_paths(ctx) != 1)
			ERR_clear_error();
		return 0;
	}
	if (access(t->ca, R_OK) == -1) {
		err((int)t->line, "virtual %s: server %s: tls_ca %s: %s",
		    ident, rsname, t->ca, strerror(errno));
		return -1;
	}
	if (SSL_CTX_load_verify_locations(ctx, t->ca, NULL) != 1) {
		err((int)t->line, "virtual %s: server %s: tls_ca %s: %s, "
		    "expected PEM certificates", ident, rsname, t->ca,
		    ssl_reason());
		return -1;
	}
	return 0;
}

void
tls_ctx_server_free(struct tls_server *t)
{
	SSL_CTX_free(t->ctx);
	t->ctx = NULL;
}

struct ssl_st *
tls_client_new(const struct tls_server *t, int fd)
{
	SSL *ssl = SSL_new(t->ctx);

	if (ssl == NULL) {
		ERR_clear_error();
		errno = ENOMEM;
		return NULL;
	}
	if (SSL_set_fd(ssl, fd) != 1 || (t->sni != NULL &&
	    SSL_set_tlsext_host_name(ssl, t->sni) != 1) || (t->verify &&
	    t->host[0] != '\0' && (t->sni != NULL ? SSL_set1_host(ssl,
	    t->host) : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
	    t->host)) != 1)) {
		ERR_clear_error();
		SSL_free(ssl);
		errno = ENOMEM;
		return NULL;
	}
	if (session_idx != -1 && SSL_CTX_get_ex_data(t->ctx, session_idx) !=
	    NULL)
		(void)SSL_set_session(ssl, SSL_CTX_get_ex_data(t->ctx,
		    session_idx));
	SSL_set_connect_state(ssl);
	return ssl;
}

const char *
tls_verify_str(long code)
{
	return X509_verify_cert_error_string(code);
}
