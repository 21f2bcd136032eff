/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for TLS at load and certificate selection: tls_sni.c's
 * names and lookups (pure), the certificates of tls_ctx.c chosen by SNI
 * (default, exact, wildcard, no match), the load errors of tls_conf.c
 * with their file:line, and the session ticket keys of tls_ticket.c
 * resuming a session across two generations' contexts and one rotation.
 * Certificates come from tls_fixture.c, made for the run.
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "conf.h"
#include "tls.h"
#include "tls_conf.h"
#include "tls_fixture.h"
#include "tls_sni.h"
#include "util.h"

/* tls_sni.c, pure */
static const struct {
	const char	*name;
	unsigned	 want;
} lookups[] = {
	{ NULL, 0 },			/* no SNI: the default */
	{ "default.test", 0 },
	{ "www.example.com", 1 },	/* exact */
	{ "WWW.Example.COM.", 1 },	/* case, the root's dot */
	{ "example.com", 1 },
	{ "a.example.org", 2 },		/* wildcard */
	{ "example.org", 0 },		/* a wildcard needs a label */
	{ "a.b.example.org", 0 },	/* ... one label */
	{ "*.example.org", 0 },		/* clients send no wildcards */
	{ "host.example.net", 3 },	/* exact beats a wildcard */
	{ "x.example.net", 2 },		/* the wildcard of cert 2 */
	{ "unknown.test", 0 },		/* no match: the default */
	{ "", 0 },
};

static void
table(struct tls_sni *t)
{
	static const struct { const char *n; unsigned c; } add[] = {
		{ "default.test", 0 },
		{ "www.example.com", 1 }, { "example.com", 1 },
		{ "*.example.org", 2 }, { "*.example.net", 2 },
		{ "host.example.net", 3 },
		{ "www.example.com", 3 },	/* cert 1 has it first */
	};
	const char *why;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(add) / sizeof(add[0]); i++)
		ck_assert_int_eq(tls_sni_add(t, add[i].n, strlen(add[i].n),
		    add[i].c, &why), 0);
	tls_sni_done(t);
}

START_TEST(test_sni_lookup)
{
	struct tls_sni t;
	const char *n = lookups[_i].name;

	table(&t);
	ck_assert_msg(tls_sni_lookup(&t, n, n ? strlen(n) : 0) ==
	    lookups[_i].want, "%s: want certificate %u", n ? n : "(none)",
	    lookups[_i].want);
	tls_sni_free(&t);
}
END_TEST

static const char *const bad_names[] = {
	"", ".", "*.com", "a*.example.com", "*.*.example.com", "a..b",
	"*", "-", "exa mple.com", "www.*.example.com",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
};

START_TEST(test_sni_bad_name)
{
	char out[TLS_SNI_NAME_MAX];
	const char *why = NULL;

	ck_assert_msg(tls_sni_name(bad_names[_i], strlen(bad_names[_i]), out,
	    sizeof(out), &why) == -1, "'%s' accepted", bad_names[_i]);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_sni_good_name)
{
	char out[TLS_SNI_NAME_MAX];
	const char *why;

	ck_assert_int_eq(tls_sni_name("*.Example.COM.", 14, out, sizeof(out),
	    &why), 0);
	ck_assert_str_eq(out, "*.example.com");
	ck_assert_int_eq(tls_sni_name("xn--bcher-kva.example", 21, out,
	    sizeof(out), &why), 0);
}
END_TEST

/* certificates for the rest: made once */
static struct tlsfx_ca *ca;
static const char *const www[] = { "www.example.com", "example.com", NULL };
static const char *const wild[] = { "*.example.org", NULL };

static void
setup_certs(void)
{
	if (ca != NULL)
		return;
	ca = tlsfx_ca_new("tcpvs test CA");
	tlsfx_ca_write(ca, "ca.pem");
	tlsfx_cert(ca, "default.pem", "default.test", NULL, TLSFX_FULL);
	tlsfx_cert(ca, "www.pem", "www", www, TLSFX_FULL);
	tlsfx_cert(ca, "wild.pem", "wild", wild, TLSFX_FULL);
	tlsfx_cert(ca, "nokey.pem", "nokey.test", NULL, TLSFX_NO_KEY);
	tlsfx_cert(ca, "wrongkey.pem", "wrong.test", NULL, TLSFX_WRONG_KEY);
	tlsfx_cert(ca, "keyonly.pem", "keyonly.test", NULL, TLSFX_KEY_ONLY);
}

static void
teardown_certs(void)
{
	if (ca != NULL)
		tlsfx_ca_free(ca);
	ca = NULL;
	tlsfx_cleanup();
}

/* load text; NULL with the errors in *errs */
static struct generation *
load_text(const char *text, char **errs)
{
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	struct generation *gen;

	ck_assert_ptr_nonnull(f);
	gen = conf_load_buf("tls.conf", text, f);
	fclose(f);
	return gen;
}

static struct generation *
load_certs(const char *certs)
{
	char text[4096], *errs = NULL;
	struct generation *gen;

	snprintf(text, sizeof(text), "virtual web {\n"
	    "    tls_listen = \"127.0.0.1:1\"\n"
	    "    tls_certificate = {%s}\n"
	    "}\n", certs);
	gen = load_text(text, &errs);
	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	free(errs);
	return gen;
}

START_TEST(test_select)
{
	char certs[2048];
	struct generation *gen;
	const struct tls_service *ts;

	setup_certs();
	snprintf(certs, sizeof(certs), "\"%s\", \"%s\", \"%s\"",
	    tlsfx_path("default.pem"), tlsfx_path("www.pem"),
	    tlsfx_path("wild.pem"));
	gen = load_certs(certs);
	ts = gen->svc[0].tls;
	ck_assert_ptr_nonnull(ts);
	ck_assert_uint_eq(tls_ctx_ncert(ts), 3);
	ck_assert_ptr_nonnull(tls_ctx_default(ts));
	ck_assert_uint_eq(tls_ctx_select(ts, NULL), 0);		/* default */
	ck_assert_uint_eq(tls_ctx_select(ts, "default.test"), 0); /* its CN */
	ck_assert_uint_eq(tls_ctx_select(ts, "www.example.com"), 1);
	ck_assert_uint_eq(tls_ctx_select(ts, "EXAMPLE.com"), 1);
	ck_assert_uint_eq(tls_ctx_select(ts, "a.example.org"), 2);
	ck_assert_uint_eq(tls_ctx_select(ts, "www"), 0);	/* not a SAN */
	ck_assert_uint_eq(tls_ctx_select(ts, "nowhere.test"), 0);
	ck_assert_uint_eq(ts->protocols, 1u << TLS_PROTO_TLS1_2 |
	    1u << TLS_PROTO_TLS1_3);
	ck_assert_str_eq(ts->ciphers, TLS_DEF_CIPHERS);
	conf_free(gen);
}
END_TEST

/* each a load error, on the line of its option, naming the file */
static const struct {
	const char	*opt;		/* line 3 of the file */
	const char	*file;		/* in the fixture's directory */
	const char	*want;
} bad[] = {
	{ "tls_certificate", "missing.pem", "No such file or directory" },
	{ "tls_certificate", "nokey.pem", "no private key in the file" },
	{ "tls_certificate", "wrongkey.pem", "does not match the certificate" },
	{ "tls_certificate", "keyonly.pem", "no certificate in the file" },
	{ "tls_certificate", "", "Is a directory" },	/* unreadable */
	{ "tls_client_ca", "missing-ca.pem", "No such file or directory" },
	{ "tls_ciphers", NULL, "no cipher OpenSSL knows" },
	{ "tls_protocols", NULL, "expected TLSv1, TLSv1.1" },
	{ "tls_verify_client", NULL, "expected none, optional or required" },
};

START_TEST(test_load_error)
{
	char text[4096], want[600], *errs = NULL;
	struct generation *gen;
	const char *v = bad[_i].file != NULL ? tlsfx_path(bad[_i].file) :
	    "nonsense";

	setup_certs();
	snprintf(text, sizeof(text), "virtual web {\n"
	    "    tls_listen = \"127.0.0.1:1\"\n"
	    "    %s = \"%s\"\n%s"
	    "}\n", bad[_i].opt, v, strcmp(bad[_i].opt, "tls_certificate") ?
	    "    tls_certificate = \"" : "");
	if (strcmp(bad[_i].opt, "tls_certificate") != 0) {
		size_t n = strlen(text) - 2;

		snprintf(text + n, sizeof(text) - n, "%s\"\n}\n",
		    tlsfx_path("default.pem"));
	}
	gen = load_text(text, &errs);
	ck_assert_msg(gen == NULL, "accepted:\n%s", text);
	snprintf(want, sizeof(want), "tls.conf:3: virtual web: %s",
	    bad[_i].opt);
	ck_assert_msg(strstr(errs, want) != NULL, "want '%s' in: %s", want,
	    errs);
	ck_assert_msg(strstr(errs, bad[_i].want) != NULL, "want '%s' in: %s",
	    bad[_i].want, errs);
	free(errs);
}
END_TEST

/*
 * One tls_listen address twice, in two services or in one: refused at the
 * second (listener.c would hand both the same socket).
 */
START_TEST(test_dup_tls_listen)
{
	char text[4096], *errs = NULL;
	const char *pem;

	setup_certs();
	pem = tlsfx_path("default.pem");
	snprintf(text, sizeof(text), "virtual a {\n"
	    "    tls_listen = \"127.0.0.1:1\"\n"
	    "    tls_certificate = \"%s\"\n"
	    "}\n"
	    "virtual b {\n"
	    "    tls_listen = \"127.0.0.1:1\"\n"
	    "    tls_certificate = \"%s\"\n"
	    "}\n", pem, pem);
	ck_assert_ptr_null(load_text(text, &errs));
	ck_assert_msg(strstr(errs, "tls.conf:6: virtual b: tls_listen "
	    "127.0.0.1:1: already used by virtual a") != NULL, "%s", errs);
	free(errs);
	errs = NULL;
	snprintf(text, sizeof(text), "virtual a {\n"
	    "    tls_listen = {\"127.0.0.1:1\", \"127.0.0.1:1\"}\n"
	    "    tls_certificate = \"%s\"\n"
	    "}\n", pem);
	ck_assert_ptr_null(load_text(text, &errs));
	ck_assert_msg(strstr(errs, "tls.conf:2: virtual a: tls_listen "
	    "127.0.0.1:1: already used by virtual a") != NULL, "%s", errs);
	free(errs);
}
END_TEST

/* key material never in an error: the wrong key's file is named only */
START_TEST(test_error_no_key_text)
{
	char text[1024], *errs = NULL;

	setup_certs();
	snprintf(text, sizeof(text), "virtual web {\n    tls_certificate = "
	    "\"%s\"\n}\n", tlsfx_path("wrongkey.pem"));
	ck_assert_ptr_null(load_text(text, &errs));
	ck_assert_ptr_null(strstr(errs, "PRIVATE"));
	ck_assert_ptr_null(strstr(errs, "BEGIN"));
	free(errs);
}
END_TEST

/* "name =" at the start of a line of text, after blanks */
static int
written(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; (p = strstr(p, name)) != NULL; p += n) {
		const char *b = p, *e = p + n;

		while (b > text && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		while (*e == ' ')
			e++;
		if ((b == text || b[-1] == '\n') && *e == '=')
			return 1;
	}
	return 0;
}

static char *
dump(const struct generation *gen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	conf_dump(f, gen, NULL);
	fclose(f);
	return text;
}

/* every tls option is written by tcpvsadm -S, paths only, and reads back */
START_TEST(test_dump)
{
	char text[4096], *t1, *t2, *errs = NULL;
	const char *const *o = conf_option_names();
	struct generation *gen, *again;

	setup_certs();
	snprintf(text, sizeof(text), "tls_ticket_rotate = 600\n"
	    "virtual web {\n"
	    "    tls_listen = {\"127.0.0.1:1\", \"127.0.0.1:2\"}\n"
	    "    tls_certificate = {\"%s\", \"%s\"}\n"
	    "    tls_protocols = \"TLSv1.3\"\n"
	    "    tls_ciphers = \"ECDHE-ECDSA-AES128-GCM-SHA256\"\n"
	    "    tls_ciphersuites = \"TLS_AES_128_GCM_SHA256\"\n"
	    "    tls_client_ca = \"%s\"\n"
	    "    tls_verify_client = \"optional\"\n"
	    "    server \"127.0.0.1:9\" { tls = true tls_verify = false\n"
	    "        tls_ca = \"%s\" tls_sni = \"origin.test\" }\n"
	    "}\n", tlsfx_path("default.pem"), tlsfx_path("www.pem"),
	    tlsfx_path("ca.pem"), tlsfx_path("ca.pem"));
	gen = load_text(text, &errs);
	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	free(errs);
	t1 = dump(gen);
	for (; *o != NULL; o++)
		ck_assert_msg(strncmp(*o, "tls", 3) != 0 || written(t1, *o),
		    "option '%s' is not written by conf_dump:\n%s", *o, t1);
	ck_assert_ptr_null(strstr(t1, "BEGIN"));
	errs = NULL;
	again = load_text(t1, &errs);
	ck_assert_msg(again != NULL, "dump rejected: %s\n%s", errs, t1);
	free(errs);
	t2 = dump(again);
	ck_assert_str_eq(t1, t2);
	ck_assert_uint_eq(again->tls_ticket_rotate, 600);
	ck_assert_str_eq(again->svc[0].rs[0].tls->sni, "origin.test");
	conf_free(gen);
	conf_free(again);
	free(t1);
	free(t2);
}
END_TEST

/* a client session: a full handshake against gen's default context */
static SSL_SESSION *
connect_once(const struct generation *gen, SSL_SESSION *resume,
    int *reused)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *c, *s;
	SSL_SESSION *sess;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	c = SSL_new(cctx);
	s = SSL_new(tls_ctx_default(gen->svc[0].tls));
	SSL_set_fd(c, sv[0]);
	SSL_set_fd(s, sv[1]);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	if (resume != NULL)
		SSL_set_session(c, resume);
	ck_assert_int_eq(tlsfx_handshake(c, s), 0);
	*reused = SSL_session_reused(c);
	sess = SSL_get1_session(c);
	/* freed unshut, OpenSSL would mark the session not resumable */
	SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	close(sv[0]);
	close(sv[1]);
	return sess;
}

/*
 * Two generations (a reload: new contexts) share the ticket keys: a
 * session from the first resumes on the second, after one rotation too;
 * after two it is a full handshake again.
 */
START_TEST(test_tickets_shared)
{
	char certs[1024];
	struct generation *g1, *g2;
	SSL_SESSION *s1, *s2;
	int reused;

	setup_certs();
	snprintf(certs, sizeof(certs), "\"%s\"", tlsfx_path("default.pem"));
	g1 = load_certs(certs);
	g2 = load_certs(certs);
	s1 = connect_once(g1, NULL, &reused);
	ck_assert_int_eq(reused, 0);
	s2 = connect_once(g1, s1, &reused);
	ck_assert_msg(reused, "a ticket did not resume on its generation");
	SSL_SESSION_free(s2);
	s2 = connect_once(g2, s1, &reused);
	ck_assert_msg(reused, "a ticket of one generation did not resume on "
	    "the next");
	SSL_SESSION_free(s2);
	tls_ticket_rotate_now();
	s2 = connect_once(g2, s1, &reused);
	ck_assert_msg(reused, "the previous key no longer decrypts");
	SSL_SESSION_free(s2);
	tls_ticket_rotate_now();
	s2 = connect_once(g2, s1, &reused);
	ck_assert_msg(!reused, "a key two rotations old still decrypts");
	SSL_SESSION_free(s2);
	SSL_SESSION_free(s1);
	conf_free(g1);
	conf_free(g2);
}
END_TEST

static Suite *
tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc;

	tc = tcase_create("sni");
	tcase_add_loop_test(tc, test_sni_lookup, 0, sizeof(lookups) /
	    sizeof(lookups[0]));
	tcase_add_loop_test(tc, test_sni_bad_name, 0, sizeof(bad_names) /
	    sizeof(bad_names[0]));
	tcase_add_test(tc, test_sni_good_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("certificates");
	tcase_add_unchecked_fixture(tc, NULL, teardown_certs);
	tcase_add_test(tc, test_select);
	tcase_add_loop_test(tc, test_load_error, 0, sizeof(bad) /
	    sizeof(bad[0]));
	tcase_add_test(tc, test_error_no_key_text);
	tcase_add_test(tc, test_dup_tls_listen);
	tcase_add_test(tc, test_dump);
	tcase_add_test(tc, test_tickets_shared);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tls_suite());
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
