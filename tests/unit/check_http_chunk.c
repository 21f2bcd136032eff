/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for http_chunk.c: chunked bodies decoded the way a worker
 * relays them, the data of each chunk "spliced" by the test past the
 * decoder, fed whole, a byte at a time and in uneven pieces; chunk
 * extensions and trailers; every invalid framing as one table row, with
 * the offset of the bad byte; the limits (line length, chunk-size
 * overflow, trailer size) and the calls a caller may make out of turn.
 * Inputs are copied into buffers of their exact size, so that a read past
 * the end shows under AddressSanitizer.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_fixture.h"

#define MAX_TRAILER	64

/* what a relay of one body saw */
struct run {
	enum http_result r;	/* OK: done, AGAIN: the input ran out */
	size_t		 off;	/* bytes consumed, framing and data */
	size_t		 framing; /* of which framing */
	char		 data[256];
	size_t		 ndata;
	uint64_t	 total;
	const char	*reason;
};

static size_t
min_size(uint64_t a, size_t b)
{
	return a < b ? (size_t)a : b;
}

/*
 * Relay in[0..len) as if it arrived piece bytes at a time: framing goes
 * through the decoder, data bytes around it (as splice would move them).
 */
static void
relay(const char *in, size_t len, size_t piece, uint64_t max_trailer,
    struct run *out)
{
	struct http_chunk c;
	char *buf = exact_copy(in, len);
	size_t off = 0, got = 0, used, n;
	enum http_result r;

	memset(out, 0, sizeof(*out));
	http_chunk_init(&c, max_trailer);
	for (;;) {
		if (off == got) {
			if (got == len) {
				out->r = HTTP_AGAIN;
				break;
			}
			got += len - got < piece ? len - got : piece;
		}
		r = http_chunk_parse(&c, buf + off, got - off, &used);
		ck_assert_uint_le(used, got - off);
		off += used;
		out->framing += used;
		if (r == HTTP_ERROR) {
			ck_assert_ptr_nonnull(c.reason);
			out->reason = c.reason;
			out->r = r;
			break;
		}
		if (r == HTTP_AGAIN) {
			ck_assert_uint_eq(off, got);
			continue;
		}
		if (c.done) {
			ck_assert_uint_eq(c.data_left, 0);
			out->r = r;
			break;
		}
		ck_assert_uint_gt(c.data_left, 0);
		n = min_size(c.data_left, got - off);
		ck_assert_uint_le(out->ndata + n, sizeof(out->data));
		memcpy(out->data + out->ndata, buf + off, n);
		out->ndata += n;
		off += n;
		http_chunk_data(&c, n);
	}
	out->off = off;
	out->total = c.total;
	free(buf);
}

static const size_t pieces[] = { SIZE_MAX, 1, 2, 3, 7 };

/*
 * valid: fed whole and in pieces, the same data and the same end
 */

static const struct good {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*data;
	size_t		 ndata;		/* 0: strlen(data) */
	size_t		 after;		/* bytes past the end of the body */
} good[] = {
	{ "5\r\nhello\r\n0\r\n\r\n", 0, "hello", 0, 0 },
	{ "0\r\n\r\n", 0, "", 0, 0 },
	{ "3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n", 0, "abcdef", 0, 0 },
	{ "a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n", 0,
	    "0123456789abcdefghij", 0, 0 },
	{ "0005\r\nhello\r\n000\r\n\r\n", 0, "hello", 0, 0 },
	{ "000000000000000000003\r\nabc\r\n0\r\n\r\n", 0, "abc", 0, 0 },
	/* data is never looked at: framing lookalikes, NUL, CR, LF */
	{ "7\r\n0\r\n\r\nab\r\n0\r\n\r\n", 0, "0\r\n\r\nab", 0, 0 },
	{ "4\r\n\0\r\n\n\r\n0\r\n\r\n", 14, "\0\r\n\n", 4, 0 },
	/* RFC 9112 7.1.1: extensions, BWS around ";" and "=" */
	{ "5;name\r\nhello\r\n0;last\r\n\r\n", 0, "hello", 0, 0 },
	{ "5;a=b;c=d\r\nhello\r\n0\r\n\r\n", 0, "hello", 0, 0 },
	{ "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n", 0, "hello", 0, 0 },
	{ "5\t;\ta\t=\tb\r\nhello\r\n0\r\n\r\n", 0, "hello", 0, 0 },
	{ "5;a=\"q;u=o\\\"t\\\\e\"\r\nhello\r\n0\r\n\r\n", 0, "hello", 0, 0 },
	{ "5;a=\"\";b=\" \t\xe9\"\r\nhello\r\n0\r\n\r\n", 0, "hello", 0, 0 },
	{ "5;a=\"x\" ;b\r\nhello\r\n0\r\n\r\n", 0, "hello", 0, 0 },
	{ "5;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~\r\nhello\r\n0\r\n\r\n", 0,
	    "hello", 0, 0 },
	/* RFC 9112 7.1.2: trailer fields */
	{ "5\r\nhello\r\n0\r\nX-Sum: abc\r\nY:\r\n\r\n", 0, "hello", 0, 0 },
	{ "0\r\nX:\t a \xff b\t\r\n\r\n", 0, "", 0, 0 },
	/* what follows the body is left alone */
	{ "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0, "hello", 0,
	    18 },
	{ "0\r\n\r\n0\r\n\r\n", 0, "", 0, 5 },
};

START_TEST(test_valid)
{
	const struct good *g = &good[_i];
	size_t len = g->len ? g->len : strlen(g->in);
	size_t ndata = g->ndata ? g->ndata : strlen(g->data);
	struct run run;

	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		relay(g->in, len, pieces[p], MAX_TRAILER, &run);
		ck_assert_msg(run.r == HTTP_OK, "row %d, pieces of %zu: %s",
		    _i, pieces[p], run.reason ? run.reason : "AGAIN");
		ck_assert_uint_eq(run.off, len - g->after);
		ck_assert_uint_eq(run.framing, len - g->after - ndata);
		ck_assert_uint_eq(run.ndata, ndata);
		ck_assert_int_eq(memcmp(run.data, g->data, ndata), 0);
		ck_assert_uint_eq(run.total, ndata);
	}
}
END_TEST

/* every prefix of a valid body asks for more, whatever the pieces */
START_TEST(test_prefixes)
{
	const struct good *g = &good[_i];
	size_t len = g->len ? g->len : strlen(g->in);
	struct run run;

	for (size_t n = 0; n < len - g->after; n++) {
		relay(g->in, n, 1, MAX_TRAILER, &run);
		ck_assert_msg(run.r == HTTP_AGAIN, "row %d: %zu of %zu bytes",
		    _i, n, len);
		ck_assert_uint_eq(run.off, n);
		relay(g->in, n, SIZE_MAX, MAX_TRAILER, &run);
		ck_assert_int_eq(run.r, HTTP_AGAIN);
	}
}
END_TEST

/*
 * invalid: one row each, the same fault at the same byte in any pieces
 */

static const struct bad {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*reason;
	size_t		 at;		/* offset of the bad byte */
} bad[] = {
	{ "\r\n", 0, "empty chunk size", 0 },
	{ ";a\r\n", 0, "empty chunk size", 0 },
	{ " 5\r\n", 0, "invalid chunk size", 0 },
	{ "g\r\n", 0, "invalid chunk size", 0 },
	{ "-5\r\n", 0, "invalid chunk size", 0 },
	{ "+5\r\n", 0, "invalid chunk size", 0 },
	{ "0x5\r\n", 0, "invalid chunk size", 1 },
	{ "5g\r\n", 0, "invalid chunk size", 1 },
	{ "5=a\r\n", 0, "invalid chunk size", 1 },
	{ "\0", 1, "NUL byte", 0 },
	{ "5\0\r\n", 4, "NUL byte", 1 },
	/* 2^64 and more: the 17th digit overflows */
	{ "10000000000000000\r\n", 0, "chunk size too large", 16 },
	{ "FFFFFFFFFFFFFFFFF\r\n", 0, "chunk size too large", 16 },
	{ "0000000000000000123456789abcdef01\r\n", 0,
	    "chunk size too large", 32 },
	/* bare LF, bare CR */
	{ "5\nhello\r\n0\r\n\r\n", 0, "bare LF", 1 },
	{ "5\r\rhello\r\n", 0, "bare CR", 2 },
	{ "5;a\nhello\r\n", 0, "bare LF", 3 },
	{ "5;a=\"x\ny\"\r\n", 0, "bare LF", 6 },
	/* the CRLF after the data */
	{ "5\r\nhello\n0\r\n\r\n", 0, "missing CRLF after chunk data", 8 },
	{ "5\r\nhelloX\r\n0\r\n\r\n", 0, "missing CRLF after chunk data",
	    8 },
	{ "5\r\nhello\rX0\r\n\r\n", 0, "missing CRLF after chunk data", 9 },
	{ "5\r\nhello\r\r\n0\r\n\r\n", 0, "missing CRLF after chunk data",
	    9 },
	{ "3\r\nhello\r\n0\r\n\r\n", 0, "missing CRLF after chunk data", 6 },
	{ "5\r\nhello0\r\n\r\n", 0, "missing CRLF after chunk data", 8 },
	/* extensions */
	{ "5 \r\nhello\r\n", 0, "invalid chunk extension", 2 },
	{ "5;\r\nhello\r\n", 0, "invalid chunk extension", 2 },
	{ "5; \r\nhello\r\n", 0, "invalid chunk extension", 3 },
	{ "5;=x\r\n", 0, "invalid chunk extension", 2 },
	{ "5;a=\r\n", 0, "invalid chunk extension", 4 },
	{ "5;a b\r\n", 0, "invalid chunk extension", 4 },
	{ "5;a \r\n", 0, "invalid chunk extension", 4 },
	{ "5;a=b c\r\n", 0, "invalid chunk extension", 6 },
	{ "5;a=b \r\n", 0, "invalid chunk extension", 6 },
	{ "5;a==b\r\n", 0, "invalid chunk extension", 4 },
	{ "5;a=b=c\r\n", 0, "invalid chunk extension", 5 },
	{ "5;a=(b)\r\n", 0, "invalid chunk extension", 4 },
	{ "5;a(=b\r\n", 0, "invalid chunk extension", 3 },
	{ "5;a=\"x\"y\r\n", 0, "invalid chunk extension", 7 },
	{ "5;a=\"x\r\n", 0, "invalid chunk extension", 6 },
	{ "5;a=\"x\001\"\r\n", 0, "invalid chunk extension", 6 },
	{ "5;a=\"x\177\"\r\n", 0, "invalid chunk extension", 6 },
	{ "5;a=\"\\\001\"\r\n", 0, "invalid chunk extension", 6 },
	{ "5;a=\001\r\n", 0, "invalid chunk extension", 4 },
	{ "5;a=b\0\r\n", 8, "NUL byte", 5 },
	{ "5 5\r\n", 0, "invalid chunk extension", 2 },
	/* trailers */
	{ "0\r\nX : a\r\n\r\n", 0, "whitespace before colon", 4 },
	{ "0\r\nX\t: a\r\n\r\n", 0, "whitespace before colon", 4 },
	{ "0\r\n a: b\r\n\r\n", 0, "obsolete line folding", 3 },
	{ "0\r\nX: a\r\n\tb\r\n\r\n", 0, "obsolete line folding", 9 },
	{ "0\r\n: b\r\n\r\n", 0, "empty trailer field name", 3 },
	{ "0\r\nX\r\n\r\n", 0, "trailer field without colon", 4 },
	{ "0\r\nX\n\r\n", 0, "trailer field without colon", 4 },
	{ "0\r\nX(: b\r\n\r\n", 0, "invalid trailer field name", 4 },
	{ "0\r\n(: b\r\n\r\n", 0, "invalid trailer field name", 3 },
	{ "0\r\n\001X: b\r\n\r\n", 0, "invalid trailer field name", 3 },
	{ "0\r\nX: a\001\r\n\r\n", 0, "control character", 7 },
	{ "0\r\nX: a\177\r\n\r\n", 0, "control character", 7 },
	{ "0\r\nX: a\0\r\n\r\n", 12, "NUL byte", 7 },
	{ "0\r\nX: a\nY: b\r\n\r\n", 0, "bare LF", 7 },
	{ "0\r\nX: a\rY: b\r\n\r\n", 0, "bare CR", 8 },
	{ "0\r\n\n", 0, "bare LF", 3 },
	{ "0\r\nX: a\r\n\n", 0, "bare LF", 9 },
	{ "0\r\n\r\r\n", 0, "bare CR", 4 },
	{ "0\r\n\rX", 0, "bare CR", 4 },
};

START_TEST(test_invalid)
{
	const struct bad *b = &bad[_i];
	size_t len = b->len ? b->len : strlen(b->in);
	struct run run;

	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		relay(b->in, len, pieces[p], MAX_TRAILER, &run);
		ck_assert_msg(run.r == HTTP_ERROR, "row %d, pieces of %zu: "
		    "not HTTP_ERROR", _i, pieces[p]);
		ck_assert_str_eq(run.reason, b->reason);
		ck_assert_uint_eq(run.off, b->at);
	}
}
END_TEST

/*
 * limits
 */

START_TEST(test_line_length)
{
	char buf[HTTP_CHUNK_MAX_LINE + 16];
	struct run run;
	size_t n;

	/* "5;" and a name: exactly the limit, then one byte over */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "5;", 2);
	n = HTTP_CHUNK_MAX_LINE;
	memcpy(buf + n, "\r\nhello\r\n0\r\n\r\n", 14);
	relay(buf, n + 14, SIZE_MAX, 0, &run);
	ck_assert_int_eq(run.r, HTTP_OK);
	ck_assert_uint_eq(run.ndata, 5);

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "5;", 2);
	n = HTTP_CHUNK_MAX_LINE + 1;
	memcpy(buf + n, "\r\nhello\r\n0\r\n\r\n", 14);
	relay(buf, n + 14, 1, 0, &run);
	ck_assert_int_eq(run.r, HTTP_ERROR);
	ck_assert_str_eq(run.reason, "chunk size line too long");
	ck_assert_uint_eq(run.off, HTTP_CHUNK_MAX_LINE);

	/* the limit is per line */
	memset(buf, '0', sizeof(buf));
	memcpy(buf + HTTP_CHUNK_MAX_LINE - 1, "1\r\nx\r\n0\r\n\r\n", 11);
	relay(buf, HTTP_CHUNK_MAX_LINE + 10, 3, 0, &run);
	ck_assert_int_eq(run.r, HTTP_OK);
	ck_assert_uint_eq(run.ndata, 1);
}
END_TEST

START_TEST(test_largest_size)
{
	struct http_chunk c;
	const char *line = "FFFFFFFFFFFFFFFF\r\n";
	size_t used;

	http_chunk_init(&c, 0);
	ck_assert_int_eq(http_chunk_parse(&c, line, strlen(line), &used),
	    HTTP_OK);
	ck_assert_uint_eq(used, strlen(line));
	ck_assert_uint_eq(c.data_left, UINT64_MAX);
	ck_assert_uint_eq(c.total, UINT64_MAX);
	http_chunk_data(&c, UINT64_MAX - 1);
	ck_assert_uint_eq(c.data_left, 1);
	http_chunk_data(&c, 1);
	ck_assert_uint_eq(c.data_left, 0);
	/* the total saturates */
	ck_assert_int_eq(http_chunk_parse(&c, "\r\n2\r\n", 5, &used),
	    HTTP_OK);
	ck_assert_uint_eq(used, 5);
	ck_assert_uint_eq(c.data_left, 2);
	ck_assert_uint_eq(c.total, UINT64_MAX);
}
END_TEST

START_TEST(test_trailer_size)
{
	/* "X: abc\r\n" and "Y: d\r\n": 14 bytes of trailer fields */
	const char *s = "2\r\nhi\r\n0\r\nX: abc\r\nY: d\r\n\r\n";
	struct http_chunk c;
	struct run run;
	size_t used;

	relay(s, strlen(s), 1, 14, &run);
	ck_assert_int_eq(run.r, HTTP_OK);
	relay(s, strlen(s), SIZE_MAX, 13, &run);
	ck_assert_int_eq(run.r, HTTP_ERROR);
	ck_assert_str_eq(run.reason, "trailers too large");
	ck_assert_uint_eq(run.off, strlen(s) - 3);
	/* 0: no trailer field at all, the final CRLF still passes */
	relay("0\r\n\r\n", 5, 1, 0, &run);
	ck_assert_int_eq(run.r, HTTP_OK);
	relay("0\r\nX:\r\n\r\n", 9, 1, 0, &run);
	ck_assert_int_eq(run.r, HTTP_ERROR);
	ck_assert_str_eq(run.reason, "trailers too large");
	ck_assert_uint_eq(run.off, 3);
	/* the refused byte is not counted: the count stays within */
	http_chunk_init(&c, 3);
	ck_assert_int_eq(http_chunk_parse(&c, "0\r\nXY: z\r\n\r\n", 13,
	    &used), HTTP_ERROR);
	ck_assert_uint_eq(used, 6);
	ck_assert_uint_eq(c.trailer, 3);
}
END_TEST

/*
 * the API: calls out of turn, state after the end and after an error
 */

START_TEST(test_data_calls)
{
	struct http_chunk c;
	size_t used;

	http_chunk_init(&c, 0);
	/* data before any size line: ignored */
	http_chunk_data(&c, 3);
	ck_assert_int_eq(http_chunk_parse(&c, "3\r\n", 3, &used), HTTP_OK);
	ck_assert_uint_eq(c.data_left, 3);
	/* while data is pending, nothing is consumed */
	ck_assert_int_eq(http_chunk_parse(&c, "abc\r\n", 5, &used), HTTP_OK);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(http_chunk_parse(&c, "", 0, &used), HTTP_OK);
	http_chunk_data(&c, 0);
	ck_assert_uint_eq(c.data_left, 3);
	http_chunk_data(&c, 2);
	ck_assert_uint_eq(c.data_left, 1);
	/* more than is left counts as what is left */
	http_chunk_data(&c, 10);
	ck_assert_uint_eq(c.data_left, 0);
	ck_assert_int_eq(http_chunk_parse(&c, "\r", 1, &used), HTTP_AGAIN);
	ck_assert_uint_eq(used, 1);
	ck_assert_int_eq(http_chunk_parse(&c, "", 0, &used), HTTP_AGAIN);
	ck_assert_int_eq(http_chunk_parse(&c, "\n0\r\n\r\nrest", 10, &used),
	    HTTP_OK);
	ck_assert_uint_eq(used, 6);
	ck_assert_int_eq(c.done, 1);
	ck_assert_uint_eq(c.total, 3);
	/* after the end: nothing more is consumed */
	ck_assert_int_eq(http_chunk_parse(&c, "5\r\n", 3, &used), HTTP_OK);
	ck_assert_uint_eq(used, 0);
	http_chunk_data(&c, 1);
	ck_assert_int_eq(c.done, 1);
	ck_assert_uint_eq(c.data_left, 0);
}
END_TEST

START_TEST(test_error_sticks)
{
	struct http_chunk c;
	size_t used;

	http_chunk_init(&c, 0);
	ck_assert_int_eq(http_chunk_parse(&c, "5\r\nhello", 8, &used),
	    HTTP_OK);
	ck_assert_uint_eq(used, 3);
	http_chunk_data(&c, 5);
	ck_assert_int_eq(http_chunk_parse(&c, "\r\nz\r\n", 5, &used),
	    HTTP_ERROR);
	ck_assert_uint_eq(used, 2);
	ck_assert_str_eq(c.reason, "invalid chunk size");
	ck_assert_int_eq(http_chunk_parse(&c, "0\r\n\r\n", 5, &used),
	    HTTP_ERROR);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(http_chunk_parse(&c, "", 0, &used), HTTP_ERROR);
	ck_assert_str_eq(c.reason, "invalid chunk size");
	ck_assert_int_eq(c.done, 0);
	/* init starts over */
	http_chunk_init(&c, 0);
	ck_assert_ptr_null(c.reason);
	ck_assert_int_eq(http_chunk_parse(&c, "0\r\n\r\n", 5, &used),
	    HTTP_OK);
	ck_assert_int_eq(c.done, 1);
}
END_TEST

static Suite *
http_chunk_suite(void)
{
	Suite *s = suite_create("http_chunk");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_loop_test(tc, test_valid, 0,
	    (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_loop_test(tc, test_prefixes, 0,
	    (int)(sizeof(good) / sizeof(good[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, test_invalid, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_line_length);
	tcase_add_test(tc, test_largest_size);
	tcase_add_test(tc, test_trailer_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_test(tc, test_data_calls);
	tcase_add_test(tc, test_error_sticks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_chunk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
