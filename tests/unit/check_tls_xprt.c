/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for the transports (xprt.c, tls_xprt.c) over a socketpair,
 * against an OpenSSL peer made here: the server side's handshake as a
 * resumable step (want-read before the client speaks, a stalled half
 * ClientHello, garbage and plain HTTP refused), SNI and ALPN, echo, a
 * large write that comes back partial with XPRT_WANT_WRITE and is
 * resumed, the pump between a TLS and a plain transport, and the client
 * side's verification of a real server's certificate (CA and name).
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "conf.h"
#include "tls.h"
#include "tls_conf.h"
#include "tls_fixture.h"
#include "xprt.h"

static struct generation *gen;
static struct tlsfx_ca *ca, *ca2;
static const char *const www[] = { "www.example.com", NULL };

static struct generation *
load(const char *text)
{
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	struct generation *g;

	ck_assert_ptr_nonnull(f);
	g = conf_load_buf("x.conf", text, f);
	fclose(f);
	ck_assert_msg(g != NULL, "rejected: %s\n%s", errs, text);
	free(errs);
	return g;
}

static void
setup(void)
{
	char text[4096];

	ca = tlsfx_ca_new("tcpvs test CA");
	ca2 = tlsfx_ca_new("another CA");
	tlsfx_ca_write(ca, "ca.pem");
	tlsfx_ca_write(ca2, "ca2.pem");
	tlsfx_cert(ca, "default.pem", "default.test", NULL, TLSFX_FULL);
	tlsfx_cert(ca, "www.pem", "www", www, TLSFX_FULL);
	snprintf(text, sizeof(text), "virtual web {\n"
	    "    tls_certificate = {\"%s\", \"%s\"}\n"
	    "    server \"127.0.0.1:1\" { tls = true tls_ca = \"%s\"\n"
	    "        tls_sni = \"www.example.com\" }\n"
	    "    server \"127.0.0.1:2\" { tls = true tls_ca = \"%s\"\n"
	    "        tls_sni = \"www.example.com\" }\n"
	    "    server \"127.0.0.1:3\" { tls = true tls_ca = \"%s\"\n"
	    "        tls_sni = \"other.example.com\" }\n"
	    "}\n", tlsfx_path("default.pem"), tlsfx_path("www.pem"),
	    tlsfx_path("ca.pem"), tlsfx_path("ca2.pem"),
	    tlsfx_path("ca.pem"));
	gen = load(text);
}

static void
teardown(void)
{
	conf_free(gen);
	tlsfx_ca_free(ca);
	tlsfx_ca_free(ca2);
	tlsfx_cleanup();
}

/* a TLS server transport on sv[1] and an OpenSSL client on sv[0] */
struct pair {
	int		 sv[2];
	struct xconn	 x;
	SSL_CTX		*cctx;
	SSL		*c;
};

static void
pair_open(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    p->sv), 0);
	ck_assert_int_eq(xprt_tls_accept(&p->x, gen->svc[0].tls, p->sv[1]),
	    0);
	p->cctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(p->cctx);
}

static void
pair_client(struct pair *p)
{
	p->c = SSL_new(p->cctx);
	SSL_set_fd(p->c, p->sv[0]);
	SSL_set_connect_state(p->c);
}

static void
pair_close(struct pair *p)
{
	p->x.ops->close(&p->x);
	SSL_free(p->c);
	SSL_CTX_free(p->cctx);
	close(p->sv[0]);
}

/* both ends' handshakes; 0, or the server's XPRT_FAIL, or -9 client's */
static int
handshake(struct pair *p)
{
	int s = XPRT_WANT_READ, c = 0;

	for (int i = 0; i < 1000; i++) {
		if (s != 0 && (s = p->x.ops->handshake(&p->x)) == XPRT_FAIL)
			return XPRT_FAIL;
		if (c != 1 && (c = SSL_do_handshake(p->c)) != 1) {
			int e = SSL_get_error(p->c, c);

			if (e != SSL_ERROR_WANT_READ &&
			    e != SSL_ERROR_WANT_WRITE) {
				/* let the server see the client's alert */
				if ((s = p->x.ops->handshake(&p->x)) ==
				    XPRT_FAIL)
					return XPRT_FAIL;
				return -9;
			}
		}
		if (s == 0 && c == 1)
			return 0;
	}
	return -8;
}

START_TEST(test_handshake_echo)
{
	struct pair p;
	char buf[64];
	size_t n;

	pair_open(&p);
	/* nothing sent yet: the step waits for the socket, never blocks */
	ck_assert_int_eq(p.x.ops->handshake(&p.x), XPRT_WANT_READ);
	ck_assert_int_eq(p.x.ops->recv(&p.x, buf, sizeof(buf)),
	    XPRT_WANT_READ);
	pair_client(&p);
	ck_assert_int_eq(handshake(&p), 0);
	ck_assert_int_eq(p.x.ops->recv(&p.x, buf, sizeof(buf)),
	    XPRT_WANT_READ);
	ck_assert_int_eq(SSL_write_ex(p.c, "hello", 5, &n), 1);
	ck_assert_int_eq(p.x.ops->recv(&p.x, buf, sizeof(buf)), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(p.x.ops->send(&p.x, "world", 5), 5);
	ck_assert_int_eq(SSL_read_ex(p.c, buf, sizeof(buf), &n), 1);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(xprt_tls_version(&p.x), "TLSv1.3");
	ck_assert(!p.x.ops->splice);
	ck_assert(xprt_plain.splice);
	/* the client closes: the server reads its end */
	SSL_shutdown(p.c);
	ck_assert_int_eq(p.x.ops->recv(&p.x, buf, sizeof(buf)), 0);
	ck_assert_int_eq(p.x.ops->shutdown(&p.x), 0);
	pair_close(&p);
}
END_TEST

/* SNI picks the certificate; ALPN: http/1.1, or none for h2 alone */
START_TEST(test_sni_alpn)
{
	static const unsigned char h2[] = "\x02h2";
	static const unsigned char both[] = "\x02h2\x08http/1.1";
	const unsigned char *sel;
	unsigned len;
	struct pair p;
	X509 *peer;
	char cn[64];

	pair_open(&p);
	pair_client(&p);
	SSL_set_tlsext_host_name(p.c, "www.example.com");
	SSL_set_alpn_protos(p.c, both, sizeof(both) - 1);
	ck_assert_int_eq(handshake(&p), 0);
	peer = SSL_get1_peer_certificate(p.c);
	X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
	    NID_commonName, cn, sizeof(cn));
	X509_free(peer);
	ck_assert_str_eq(cn, "www");
	ck_assert_str_eq(xprt_tls_sni(&p.x), "www.example.com");
	SSL_get0_alpn_selected(p.c, &sel, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(sel, "http/1.1", 8), 0);
	pair_close(&p);

	pair_open(&p);
	pair_client(&p);
	SSL_set_tlsext_host_name(p.c, "nowhere.test");
	SSL_set_alpn_protos(p.c, h2, sizeof(h2) - 1);
	ck_assert_int_eq(handshake(&p), 0);
	peer = SSL_get1_peer_certificate(p.c);
	X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
	    NID_commonName, cn, sizeof(cn));
	X509_free(peer);
	ck_assert_str_eq(cn, "default.test");
	SSL_get0_alpn_selected(p.c, &sel, &len);
	ck_assert_uint_eq(len, 0);
	pair_close(&p);
}
END_TEST

/* a client that offers only TLS 1.1 fails; the server says why */
START_TEST(test_old_protocol)
{
	struct pair p;

	pair_open(&p);
	SSL_CTX_set_security_level(p.cctx, 0);
	SSL_CTX_set_min_proto_version(p.cctx, TLS1_1_VERSION);
	SSL_CTX_set_max_proto_version(p.cctx, TLS1_1_VERSION);
	SSL_CTX_set_cipher_list(p.cctx, "DEFAULT@SECLEVEL=0");
	pair_client(&p);
	ck_assert_int_eq(handshake(&p), XPRT_FAIL);
	ck_assert_int_eq(p.x.fail, XPRT_FAIL_PROTOCOL);
	pair_close(&p);
}
END_TEST

/* a megabyte written against a small socket buffer: partial, resumed */
START_TEST(test_partial_write)
{
	enum { TOTAL = 1 << 20 };
	char *out = malloc(TOTAL), *in = malloc(TOTAL);
	size_t sent = 0, got = 0, n;
	int sndbuf = 4096, wants = 0;
	struct pair p;

	ck_assert(out != NULL && in != NULL);
	for (size_t i = 0; i < TOTAL; i++)
		out[i] = (char)(i * 7 + i / 4096);
	pair_open(&p);
	setsockopt(p.sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	pair_client(&p);
	ck_assert_int_eq(handshake(&p), 0);
	for (int round = 0; round < 100000 && got < TOTAL; round++) {
		if (sent < TOTAL) {
			ssize_t r = p.x.ops->send(&p.x, out + sent,
			    TOTAL - sent);

			ck_assert_int_ne(r, XPRT_FAIL);
			ck_assert_int_ne(r, 0);
			if (r == XPRT_WANT_WRITE)
				wants++;
			else if (r > 0) {
				ck_assert_int_le(r, TOTAL - sent);
				sent += (size_t)r;
			}
		}
		if (SSL_read_ex(p.c, in + got, TOTAL - got, &n) == 1)
			got += n;
	}
	ck_assert_uint_eq(got, TOTAL);
	ck_assert_msg(wants > 0, "no XPRT_WANT_WRITE with a 4 KiB buffer");
	ck_assert_int_eq(memcmp(in, out, TOTAL), 0);
	pair_close(&p);
	free(out);
	free(in);
}
END_TEST

/* the bytes of a client's first flight, without a socket */
static size_t
client_hello(unsigned char *buf, size_t cap)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *c = SSL_new(cctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	int n;

	SSL_set_bio(c, rb, wb);
	SSL_set_connect_state(c);
	(void)SSL_do_handshake(c);
	n = BIO_read(wb, buf, (int)cap);
	ck_assert_int_gt(n, 100);
	SSL_free(c);
	SSL_CTX_free(cctx);
	return (size_t)n;
}

START_TEST(test_stalled_hello)
{
	unsigned char hello[4096];
	size_t n = client_hello(hello, sizeof(hello));
	struct pair p;

	pair_open(&p);
	ck_assert_int_eq(write(p.sv[0], hello, n / 2), (ssize_t)(n / 2));
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(p.x.ops->handshake(&p.x), XPRT_WANT_READ);
	close(p.sv[0]);		/* and gives up */
	p.sv[0] = -1;
	ck_assert_int_eq(p.x.ops->handshake(&p.x), XPRT_FAIL);
	ck_assert_int_eq(p.x.fail, XPRT_FAIL_EOF);
	pair_close(&p);
}
END_TEST

static const struct {
	const char	*bytes;
	size_t		 len;
	enum xprt_fail	 want;
} garbage[] = {
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, XPRT_FAIL_NOT_TLS },
	{ "\x16\x03\x01\x01\x00\x01\x00", 7, XPRT_FAIL_EOF },	/* truncated */
	{ "\x16\x03\x01\xff\xff", 5, XPRT_FAIL_NOT_TLS },	/* too long */
	{ "\x00\x00\x00\x00\x00\x00\x00\x00", 8, XPRT_FAIL_NOT_TLS },
	{ "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10,
	    XPRT_FAIL_PROTOCOL },			/* a hello of nothing */
};

START_TEST(test_garbage)
{
	struct pair p;

	pair_open(&p);
	ck_assert_int_eq(write(p.sv[0], garbage[_i].bytes, garbage[_i].len),
	    (ssize_t)garbage[_i].len);
	shutdown(p.sv[0], SHUT_WR);
	ck_assert_int_eq(p.x.ops->handshake(&p.x), XPRT_FAIL);
	ck_assert_msg(p.x.fail == garbage[_i].want, "fail %s, want %s",
	    xprt_fail_str(p.x.fail), xprt_fail_str(garbage[_i].want));
	pair_close(&p);
}
END_TEST

/* a ClientHello carrying a 64 KiB extension: refused, nothing else */
START_TEST(test_huge_extension)
{
	static unsigned char rec[70000];
	struct pair p;
	size_t len = 5 + 4 + 65536;

	rec[0] = 0x16;
	rec[1] = 3;
	rec[2] = 1;
	rec[3] = (unsigned char)((len - 5) >> 8);	/* too long a record */
	rec[4] = (unsigned char)(len - 5);
	rec[5] = 1;
	pair_open(&p);
	ck_assert_int_eq(write(p.sv[0], rec, 4096), 4096);
	for (int i = 0; i < 100; i++) {
		int r = p.x.ops->handshake(&p.x);

		if (r == XPRT_FAIL)
			break;
		ck_assert_int_eq(r, XPRT_WANT_READ);
		if (write(p.sv[0], rec, 4096) == -1)
			break;	/* the buffer is full: the server stopped */
	}
	close(p.sv[0]);
	p.sv[0] = -1;
	ck_assert_int_eq(p.x.ops->handshake(&p.x), XPRT_FAIL);
	pair_close(&p);
}
END_TEST

/* the pump: TLS in, plain out, through a 1 KiB buffer */
START_TEST(test_pump)
{
	char data[10000], got[10000], space[1024];
	struct xbuf b = { space, sizeof(space), 0, 0 };
	struct xprt_wait w;
	struct xconn out;
	uint64_t moved = 0;
	size_t n, have = 0;
	int pl[2], r = 0;
	struct pair p;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)i;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    pl), 0);
	xprt_plain_init(&out, pl[0]);
	pair_open(&p);
	pair_client(&p);
	ck_assert_int_eq(handshake(&p), 0);
	ck_assert_int_eq(SSL_write_ex(p.c, data, sizeof(data), &n), 1);
	SSL_shutdown(p.c);
	for (int i = 0; i < 1000 && r != 1; i++) {
		ssize_t k;

		r = xprt_pump(&p.x, &out, &b, &w, &moved);
		ck_assert_int_ne(r, -1);
		while ((k = read(pl[1], got + have, sizeof(got) - have)) > 0)
			have += (size_t)k;
	}
	ck_assert_int_eq(r, 1);
	ck_assert_uint_eq(moved, sizeof(data));
	ck_assert_uint_eq(have, sizeof(data));
	ck_assert_int_eq(memcmp(got, data, sizeof(data)), 0);
	out.ops->close(&out);
	close(pl[1]);
	pair_close(&p);
}
END_TEST

/* the client side to real server i of the service: 0 or the failure;
   *resumed: did it resume the session of the connection before */
static int
connect_server(unsigned i, struct xconn *cli, bool *resumed)
{
	struct pair p;
	int s = XPRT_WANT_READ, c = XPRT_WANT_WRITE;
	char byte;

	pair_open(&p);
	ck_assert_int_eq(xprt_tls_connect(cli, gen->svc[0].rs[i].tls,
	    p.sv[0]), 0);
	for (int k = 0; k < 1000 && (s != 0 || c != 0); k++) {
		if (c != 0 && (c = cli->ops->handshake(cli)) == XPRT_FAIL)
			break;
		if (s != 0 && (s = p.x.ops->handshake(&p.x)) == XPRT_FAIL)
			break;
	}
	/* a byte from the server: the client reads the session ticket */
	if (c == 0 && p.x.ops->send(&p.x, "x", 1) == 1)
		for (int k = 0; k < 100; k++)
			if (cli->ops->recv(cli, &byte, 1) == 1)
				break;
	*resumed = xprt_tls_resumed(cli);
	p.sv[0] = -1;		/* cli's */
	pair_close(&p);
	cli->ops->close(cli);
	return c;
}

START_TEST(test_verify_server)
{
	struct xconn cli;
	bool resumed;

	/* the right CA and name; the second time, the session resumes */
	ck_assert_int_eq(connect_server(0, &cli, &resumed), 0);
	ck_assert(!resumed);
	ck_assert_int_eq(connect_server(0, &cli, &resumed), 0);
	ck_assert_msg(resumed, "a new connection to an origin did not "
	    "resume the session of the last");
	/* a certificate from another CA */
	ck_assert_int_eq(connect_server(1, &cli, &resumed), XPRT_FAIL);
	ck_assert_int_eq(cli.fail, XPRT_FAIL_CERT);
	ck_assert_msg(cli.err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	    cli.err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	    "verify result %d: %s", cli.err, tls_verify_str(cli.err));
	/* the right CA, a name the certificate does not carry */
	ck_assert_int_eq(connect_server(2, &cli, &resumed), XPRT_FAIL);
	ck_assert_int_eq(cli.fail, XPRT_FAIL_CERT);
	ck_assert_int_eq(cli.err, X509_V_ERR_HOSTNAME_MISMATCH);
	ck_assert_str_eq(tls_verify_str(cli.err), "hostname mismatch");
}
END_TEST

static Suite *
xprt_suite(void)
{
	Suite *s = suite_create("tls_xprt");
	TCase *tc;

	tc = tcase_create("server");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_handshake_echo);
	tcase_add_test(tc, test_sni_alpn);
	tcase_add_test(tc, test_old_protocol);
	tcase_add_test(tc, test_partial_write);
	tcase_add_test(tc, test_stalled_hello);
	tcase_add_loop_test(tc, test_garbage, 0, sizeof(garbage) /
	    sizeof(garbage[0]));
	tcase_add_test(tc, test_huge_extension);
	tcase_add_test(tc, test_pump);
	suite_add_tcase(s, tc);
	tc = tcase_create("client");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_verify_server);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xprt_suite());
	int failed;

	signal(SIGPIPE, SIG_IGN);	/* as in tcpvsd's workers */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
