/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for json.c, the access log's JSON string escaper: valid
 * UTF-8 of every length and at every boundary copied as is; every
 * control byte, DEL, quotes and backslashes escaped; overlong forms,
 * surrogates, code points past U+10FFFF, stray continuation bytes and
 * truncated sequences replaced, one U+FFFD per maximal subpart (the
 * expectations are what Python's bytes.decode("utf-8", "replace") gives);
 * 8 KiB fields; an output too small cut between whole characters.  Then
 * JSON lines of alog.c: a template, a refused head, hostile fields that
 * must still fit, and a directive a template may not quote.  Inputs are
 * copied into buffers of their exact size, so that a read past the end
 * shows under AddressSanitizer.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alog.h"
#include "http.h"
#include "http_fixture.h"
#include "json.h"

#define S(x)	x, sizeof(x) - 1

static const struct {
	const char	*in;
	size_t		 len;
	const char	*out;
} cases[] = {
	/* valid: copied */
	{ S("plain ascii ~!"), "plain ascii ~!" },
	{ S(""), "" },
	{ S("caf\xc3\xa9"), "caf\xc3\xa9" },
	{ S("\xe2\x82\xac"), "\xe2\x82\xac" },			/* U+20AC */
	{ S("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80" },		/* U+1F600 */
	{ S("\xc2\x80"), "\xc2\x80" },				/* U+0080 */
	{ S("\xdf\xbf"), "\xdf\xbf" },				/* U+07FF */
	{ S("\xe0\xa0\x80"), "\xe0\xa0\x80" },			/* U+0800 */
	{ S("\xed\x9f\xbf"), "\xed\x9f\xbf" },			/* U+D7FF */
	{ S("\xee\x80\x80"), "\xee\x80\x80" },			/* U+E000 */
	{ S("\xef\xbf\xbf"), "\xef\xbf\xbf" },			/* U+FFFF */
	{ S("\xf0\x90\x80\x80"), "\xf0\x90\x80\x80" },		/* U+10000 */
	{ S("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf" },		/* U+10FFFF */
	/* escaped */
	{ S("a\"b"), "a\\\"b" },
	{ S("a\\b"), "a\\\\b" },
	{ S("\\\""), "\\\\\\\"" },
	{ S("/"), "/" },
	{ S("\x7f"), "\\u007f" },
	{ S("\x00x"), "\\u0000x" },
	/* overlong forms */
	{ S("\xc0\x80"), "\\ufffd\\ufffd" },
	{ S("\xc1\xbf"), "\\ufffd\\ufffd" },
	{ S("\xe0\x80\x80"), "\\ufffd\\ufffd\\ufffd" },
	{ S("\xe0\x9f\xbf"), "\\ufffd\\ufffd\\ufffd" },
	{ S("\xf0\x80\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd" },
	{ S("\xf0\x8f\xbf\xbf"), "\\ufffd\\ufffd\\ufffd\\ufffd" },
	/* surrogates, alone and paired (CESU-8) */
	{ S("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd" },
	{ S("\xed\xbf\xbf"), "\\ufffd\\ufffd\\ufffd" },
	{ S("\xed\xa0\xbd\xed\xb8\x80"),
	    "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd" },
	/* past U+10FFFF, bytes never in UTF-8 */
	{ S("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd" },
	{ S("\xf5\x80\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd" },
	{ S("\xfe\xff"), "\\ufffd\\ufffd" },
	/* stray continuation bytes */
	{ S("\x80"), "\\ufffd" },
	{ S("a\xbf" "b"), "a\\ufffdb" },
	/* truncated: at the end, and before another character */
	{ S("\xc3"), "\\ufffd" },
	{ S("\xe2\x82"), "\\ufffd" },
	{ S("\xf0\x9f\x98"), "\\ufffd" },
	{ S("\xe2\x82" "A"), "\\ufffdA" },
	{ S("\xf0\x9f\x41"), "\\ufffdA" },
	{ S("\xf0\x9f\x98\xc3\xa9"), "\\ufffd\xc3\xa9" },
	{ S("\xc3\"\x01"), "\\ufffd\\\"\\u0001" },
};

/* escape in[0..len) with room to spare */
static char *
escape(const char *in, size_t len, size_t *outlen, size_t *used)
{
	char *buf = exact_copy(in, len);
	size_t cap = len * JSON_ESCAPE_MAX + 1;
	char *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	*outlen = json_escape(out, cap, buf, len, used);
	out[*outlen] = '\0';
	free(buf);
	return out;
}

START_TEST(test_cases)
{
	size_t n, used;
	char *out = escape(cases[_i].in, cases[_i].len, &n, &used);

	ck_assert_str_eq(out, cases[_i].out);
	ck_assert_uint_eq(n, strlen(cases[_i].out));
	ck_assert_uint_eq(used, cases[_i].len);
	free(out);
}
END_TEST

/* every control byte as \u00XX */
START_TEST(test_control)
{
	char in = (char)_i, want[8];
	size_t n, used;
	char *out = escape(&in, 1, &n, &used);

	snprintf(want, sizeof(want), "\\u%04x", _i);
	ck_assert_str_eq(out, want);
	free(out);
}
END_TEST

/* every printable ASCII byte but " and \ as itself */
START_TEST(test_printable)
{
	char in = (char)_i;
	size_t n, used;
	char *out = escape(&in, 1, &n, &used);

	if (_i == '"' || _i == '\\')
		ck_assert_uint_eq(n, 2);
	else {
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(out[0], _i);
	}
	free(out);
}
END_TEST

/* json_utf8_len on every lead byte: the maximal subpart is at least 1 */
START_TEST(test_lead_bytes)
{
	unsigned char p[1] = { (unsigned char)_i };
	size_t bad = 0, n = json_utf8_len(p, 1, &bad);

	if (_i < 0x80)
		ck_assert_uint_eq(n, 1);
	else {
		ck_assert_uint_eq(n, 0);
		ck_assert_uint_eq(bad, 1);
	}
}
END_TEST

/* 8 KiB of each kind, as a hostile header would bring */
START_TEST(test_8k)
{
	static const char *const unit[] = { "\x01", "\xc3\xa9", "\xff", "\"",
	    "\xe2\x82" };
	static const size_t ulen[] = { 1, 2, 1, 1, 2 };
	static const size_t olen[] = { 6, 2, 6, 2, 6 };
	size_t len = 8192, n, used;
	char *in = malloc(len), *out;

	ck_assert_ptr_nonnull(in);
	for (size_t i = 0; i < len; i += ulen[_i])
		memcpy(in + i, unit[_i], ulen[_i]);
	out = escape(in, len, &n, &used);
	ck_assert_uint_eq(used, len);
	ck_assert_uint_eq(n, len / ulen[_i] * olen[_i]);
	free(in);
	free(out);
}
END_TEST

/*
 * With every output size from 0 up, the output is a prefix of the whole
 * escape that ends between two characters, and used says where.
 */
START_TEST(test_cut)
{
	static const char in[] = "a\x01\xc3\xa9\xff\"\xf0\x9f\x98\x80z";
	size_t len = sizeof(in) - 1, whole, used, n, u2;
	char full[128], out[128];

	whole = json_escape(full, sizeof(full), in, len, &used);
	ck_assert_uint_eq(used, len);
	for (size_t cap = 0; cap <= whole; cap++) {
		n = json_escape(out, cap, in, len, &used);
		ck_assert_uint_le(n, cap);
		ck_assert_mem_eq(out, full, n);
		/* the rest escapes to the rest of full */
		ck_assert_uint_eq(json_escape(out, sizeof(out), in + used,
		    len - used, &u2), whole - n);
		ck_assert_uint_eq(u2, len - used);
	}
}
END_TEST

/*
 * alog.c's JSON lines.
 */

struct line {
	char			 head[20000];
	struct http_req		 req;
	struct sockaddr_storage	 ss;
	struct alog_rec		 rec;
	char			 out[ALOG_LINE_MAX];
};

static void
line_init(struct line *l, const char *head, size_t len)
{
	struct http_limits lim = { 16384, 19000, 100 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&l->ss;

	memset(l, 0, sizeof(*l));
	memcpy(l->head, head, len);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x7f000001);
	l->rec.client = &l->ss;
	l->rec.wall_ms = 1700000000123;
	l->rec.head = l->head;
	l->rec.headlen = len;
	l->rec.ident = "web";
	l->rec.tq = 5;
	l->rec.tc = l->rec.tr = l->rec.tt = -1;
	if (http_parse_request(l->head, len, &lim, &l->req) == HTTP_OK)
		l->rec.req = &l->req;
}

START_TEST(test_alog_template)
{
	static const char h[] = "GET /p?q HTTP/1.1\r\nHost: h\r\n"
	    "User-Agent: a\"\\\xff\r\n\r\n";
	static struct line l;
	size_t n;

	line_init(&l, h, sizeof(h) - 1);
	ck_assert_ptr_nonnull(l.rec.req);
	l.rec.status = 200;
	l.rec.term = TERM_DONE;
	n = alog_format(l.out, sizeof(l.out), "{\"r\":%r,\"m\":%m,\"u\":%U,"
	    "\"s\":%s,\"b\":%b,\"x\":%X,\"ua\":%{User-Agent}i,\"ref\":"
	    "%{Referer}i,\"S\":%S,\"tq\":%Tq,\"tc\":%Tc,\"ms\":%{msec}t,"
	    "\"e\":%E}", &l.rec);
	l.out[n] = '\0';
	ck_assert_str_eq(l.out, "{\"r\":\"GET /p?q HTTP/1.1\",\"m\":\"GET\","
	    "\"u\":\"/p\",\"s\":200,\"b\":0,\"x\":\"--\","
	    "\"ua\":\"a\\\"\\\\\\ufffd\",\"ref\":null,\"S\":null,"
	    "\"tq\":5,\"tc\":null,\"ms\":1700000000123,\"e\":null}\n");
}
END_TEST

START_TEST(test_alog_refused)
{
	static const char h[] = "\r\nGET /a\x01\xc3\xa9 HTTP/1.1\r\nHost: x\r\n";
	static struct line l;
	size_t n;

	line_init(&l, h, sizeof(h) - 1);
	l.rec.req = NULL;
	l.rec.status = 400;
	l.rec.term = TERM_FRAMING_HEAD;
	l.rec.reason = "control character";
	n = alog_format(l.out, sizeof(l.out), "json", &l.rec);
	l.out[n] = '\0';
	ck_assert_ptr_nonnull(strstr(l.out, "\"request\":\"GET /a\\u0001"
	    "\xc3\xa9 HTTP/1.1\",\"method\":null,"));
	ck_assert_ptr_nonnull(strstr(l.out, "\"status\":400,"));
	ck_assert_ptr_nonnull(strstr(l.out, "\"term\":\"FR\","
	    "\"reason\":\"control character\",\"tls_version\":null,"
	    "\"tls_cipher\":null,\"sni\":null,\"client_s_dn\":null}\n"));
	n = alog_format(l.out, sizeof(l.out), "%r %X \"%E\"", &l.rec);
	l.out[n] = '\0';
	ck_assert_str_eq(l.out, "GET /a\\x01\\xc3\\xa9 HTTP/1.1 FR "
	    "\"control character\"\n");
}
END_TEST

/* two 8 KiB fields of invalid bytes: 96 KiB escaped, cut to fit whole */
START_TEST(test_alog_fits)
{
	static char h[19000];
	static struct line l;
	size_t n = 0, len;

	n += (size_t)snprintf(h, sizeof(h), "GET / HTTP/1.1\r\nHost: h\r\n"
	    "User-Agent: ");
	memset(h + n, 0xff, 8192);
	n += 8192;
	n += (size_t)snprintf(h + n, sizeof(h) - n, "\r\nReferer: ");
	memset(h + n, 0xfe, 8192);
	n += 8192;
	n += (size_t)snprintf(h + n, sizeof(h) - n, "\r\n\r\n");
	line_init(&l, h, n);
	ck_assert_ptr_nonnull(l.rec.req);
	len = alog_format(l.out, sizeof(l.out), "json", &l.rec);
	ck_assert_uint_lt(len, sizeof(l.out));
	ck_assert_int_eq(l.out[len - 1], '\n');
	ck_assert_int_eq(l.out[len - 2], '}');
	ck_assert_ptr_nonnull(strstr(l.out, "\"reason\":null,"));
	ck_assert_ptr_nonnull(strstr(l.out, "\"client_s_dn\":null}\n"));
	/* cut at 1 KiB of input a field: 6 KiB of output each */
	ck_assert_ptr_nonnull(strstr(l.out, "\"user_agent\":\"\\ufffd"));
	ck_assert_uint_gt(len, 2 * 6 * 1024);
}
END_TEST

START_TEST(test_alog_check)
{
	char err[256];

	ck_assert_int_eq(alog_check("json", err, sizeof(err)), 0);
	ck_assert_int_eq(alog_check("combined", err, sizeof(err)), 0);
	ck_assert_int_eq(alog_check("{\"a\": %h, \"b\": %%}", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(alog_check("{\"a\": \"%h\"}", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "without quotes"));
	ck_assert_int_eq(alog_check("%{foo}t", err, sizeof(err)), -1);
	ck_assert_int_eq(alog_check("%Z", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "%X %E"));
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc;

	tc = tcase_create("escape");
	tcase_add_loop_test(tc, test_cases, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_control, 0, 0x20);
	tcase_add_loop_test(tc, test_printable, 0x20, 0x7f);
	tcase_add_loop_test(tc, test_lead_bytes, 0, 0x100);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_8k, 0, 5);
	tcase_add_test(tc, test_cut);
	suite_add_tcase(s, tc);

	tc = tcase_create("alog");
	tcase_add_test(tc, test_alog_template);
	tcase_add_test(tc, test_alog_refused);
	tcase_add_test(tc, test_alog_fits);
	tcase_add_test(tc, test_alog_check);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
