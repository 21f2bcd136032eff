/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Certificates for the TLS Check suites (tls_fixture.h), made with
 * OpenSSL's X509 API: no openssl command needed, nothing left behind.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_fixture.h"

struct tlsfx_ca {
	EVP_PKEY	*key;
	X509		*cert;
};

static char dir[256];

const char *
tlsfx_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/tcpvs-tls.XXXXXX",
		    tmp != NULL ? tmp : "/tmp");
		ck_assert_ptr_nonnull(mkdtemp(dir));
	}
	return dir;
}

const char *
tlsfx_path(const char *name)
{
	static char ring[8][512];
	static unsigned i;
	char *p = ring[i++ % 8];

	snprintf(p, sizeof(ring[0]), "%s/%s", tlsfx_dir(), name);
	return p;
}

void
tlsfx_cleanup(void)
{
	char cmd[300];

	if (dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	dir[0] = '\0';
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	ck_assert_ptr_nonnull(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
}

static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
	static long serial = 1;
	X509 *x = X509_new();

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : X509_get_subject_name(x));
	return x;
}

struct tlsfx_ca *
tlsfx_ca_new(const char *cn)
{
	struct tlsfx_ca *ca = calloc(1, sizeof(*ca));

	ck_assert_ptr_nonnull(ca);
	ca->key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(ca->key);
	ca->cert = make_cert(cn, ca->key, NULL, NULL);
	add_ext(ca->cert, ca->cert, NID_basic_constraints, "critical,CA:TRUE");
	add_ext(ca->cert, ca->cert, NID_key_usage,
	    "critical,keyCertSign,cRLSign");
	add_ext(ca->cert, ca->cert, NID_subject_key_identifier, "hash");
	ck_assert_int_gt(X509_sign(ca->cert, ca->key, EVP_sha256()), 0);
	return ca;
}

static FILE *
open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	return f;
}

const char *
tlsfx_ca_write(const struct tlsfx_ca *ca, const char *name)
{
	const char *path = tlsfx_path(name);
	FILE *f = open_out(path);

	PEM_write_X509(f, ca->cert);
	fclose(f);
	return path;
}

void
tlsfx_ca_free(struct tlsfx_ca *ca)
{
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	free(ca);
}

static void
add_sans(X509 *x, X509 *issuer, const char *const *sans)
{
	char buf[1024];
	size_t off = 0;

	if (sans == NULL || sans[0] == NULL)
		return;
	for (; *sans != NULL && off < sizeof(buf); sans++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "%sDNS:%s", off ? "," : "", *sans);
	add_ext(x, issuer, NID_subject_alt_name, buf);
}

const char *
tlsfx_cert(const struct tlsfx_ca *ca, const char *name, const char *cn,
    const char *const *sans, enum tlsfx_kind kind)
{
	const char *path = tlsfx_path(name);
	EVP_PKEY *key = EVP_EC_gen("P-256"), *other = NULL;
	X509 *x;
	FILE *f;

	ck_assert_ptr_nonnull(key);
	x = make_cert(cn, key, ca->cert, ca->key);
	add_ext(x, ca->cert, NID_basic_constraints, "CA:FALSE");
	add_ext(x, ca->cert, NID_ext_key_usage, "serverAuth,clientAuth");
	add_ext(x, ca->cert, NID_authority_key_identifier, "keyid");
	add_sans(x, ca->cert, sans);
	ck_assert_int_gt(X509_sign(x, ca->key, EVP_sha256()), 0);
	f = open_out(path);
	if (kind != TLSFX_KEY_ONLY) {
		PEM_write_X509(f, x);
		PEM_write_X509(f, ca->cert);
	}
	if (kind == TLSFX_WRONG_KEY)
		other = EVP_EC_gen("P-256");
	if (kind != TLSFX_NO_KEY)
		PEM_write_PrivateKey(f, other != NULL ? other : key, NULL,
		    NULL, 0, NULL, NULL);
	fclose(f);
	EVP_PKEY_free(other);
	EVP_PKEY_free(key);
	X509_free(x);
	return path;
}

static int
step(SSL *ssl, int *done)
{
	int r;

	if (*done)
		return 0;
	if ((r = SSL_do_handshake(ssl)) == 1) {
		*done = 1;
		return 0;
	}
	r = SSL_get_error(ssl, r);
	return r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

int
tlsfx_handshake(SSL *client, SSL *server)
{
	int cdone = 0, sdone = 0;
	char c = 'x';
	size_t n;

	for (int i = 0; i < 1000 && !(cdone && sdone); i++)
		if (step(client, &cdone) == -1 || step(server, &sdone) == -1)
			return -1;
	if (!(cdone && sdone))
		return -1;
	if (SSL_write_ex(server, &c, 1, &n) != 1)
		return -1;
	for (int i = 0; i < 1000; i++)
		if (SSL_read_ex(client, &c, 1, &n) == 1)
			return 0;
	return -1;
}
