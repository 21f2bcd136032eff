/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The chunked transfer coding (RFC 9112 7.1) for the workers: a resumable
 * decoder of the framing only, one byte at a time, keeping no bytes, so
 * that a worker relays a chunked body as it arrives, hands the data of
 * each chunk to splice without looking at it, and forwards the framing it
 * validated verbatim.  The grammar is applied strictly (every line ends in
 * CRLF, extensions and trailer fields are checked), since a next hop that
 * read one byte of framing differently would see other messages than we
 * do.  Pure functions: no I/O, no allocation; the sockets are the
 * worker's and relay.c's.
 */
#include "config.h"

#include <string.h>

#include "http.h"

enum chunk_state {
	CS_SIZE_FIRST,		/* the first digit of a chunk-size */
	CS_SIZE,		/* more digits */
	CS_EXT_BWS,		/* BWS, then ";" */
	CS_EXT_NAME_BWS,	/* after ";": BWS, then a name */
	CS_EXT_NAME,		/* chunk-ext-name */
	CS_EXT_EQ_BWS,		/* after a name: BWS, then "=" or ";" */
	CS_EXT_VAL_BWS,		/* after "=": BWS, then a value */
	CS_EXT_TOKEN,		/* chunk-ext-val as a token */
	CS_EXT_QEND,		/* after a quoted-string */
	CS_EXT_QUOTED,		/* in a quoted-string */
	CS_EXT_ESCAPE,		/* after its backslash */
	CS_SIZE_LF,		/* the LF of the chunk-size line */
	CS_DATA,		/* data_left bytes of data */
	CS_DATA_CR,		/* the CRLF after the data */
	CS_DATA_LF,
	CS_TRAILER,		/* a trailer field, or the final CRLF */
	CS_TRAILER_NAME,
	CS_TRAILER_VALUE,
	CS_TRAILER_LF,
	CS_END_LF,		/* the LF of the final CRLF */
	CS_DONE,
	CS_ERROR
};

/* the bytes of a chunk-size line, as the table below tells them apart */
enum chunk_class {
	CC_WS,			/* SP, HTAB */
	CC_SEMI,
	CC_EQ,
	CC_QUOTE,
	CC_CR,
	CC_TCHAR,
	CC_OTHER,
	CC_N
};

#define E	CS_ERROR

/*
 * RFC 9112 7.1 and 7.1.1, after the digits of chunk-size:
 *	chunk-ext = *( BWS ";" BWS chunk-ext-name
 *		    [ BWS "=" BWS chunk-ext-val ] )
 *	chunk-ext-val = token / quoted-string
 * then CRLF.  BWS is allowed before ";" and around "=", nowhere else: a
 * line "5 " CRLF is invalid.  The hex digits of chunk-size are taken
 * before the table is looked at; the quoted-string states have their own
 * function.
 */
static const unsigned char ext_next[CS_EXT_QEND + 1][CC_N] = {
	/*		  WS		   ;		    =		    "
			  CR		   tchar	    other */
	[CS_SIZE_FIRST] = { E, E, E, E, E, E, E },
	[CS_SIZE] = { CS_EXT_BWS, CS_EXT_NAME_BWS, E, E,
			  CS_SIZE_LF, E, E },
	[CS_EXT_BWS] = { CS_EXT_BWS, CS_EXT_NAME_BWS, E, E,
			  E, E, E },
	[CS_EXT_NAME_BWS] = { CS_EXT_NAME_BWS, E, E, E,
			  E, CS_EXT_NAME, E },
	[CS_EXT_NAME] = { CS_EXT_EQ_BWS, CS_EXT_NAME_BWS, CS_EXT_VAL_BWS, E,
			  CS_SIZE_LF, CS_EXT_NAME, E },
	[CS_EXT_EQ_BWS] = { CS_EXT_EQ_BWS, CS_EXT_NAME_BWS, CS_EXT_VAL_BWS, E,
			  E, E, E },
	[CS_EXT_VAL_BWS] = { CS_EXT_VAL_BWS, E, E, CS_EXT_QUOTED,
			  E, CS_EXT_TOKEN, E },
	[CS_EXT_TOKEN] = { CS_EXT_BWS, CS_EXT_NAME_BWS, E, E,
			  CS_SIZE_LF, CS_EXT_TOKEN, E },
	[CS_EXT_QEND] = { CS_EXT_BWS, CS_EXT_NAME_BWS, E, E,
			  CS_SIZE_LF, E, E },
};

#undef E

static enum chunk_class
classify(unsigned char ch)
{
	switch (ch) {
	case ' ':
	case '\t':
		return CC_WS;
	case ';':
		return CC_SEMI;
	case '=':
		return CC_EQ;
	case '"':
		return CC_QUOTE;
	case '\r':
		return CC_CR;
	default:
		return http_is_tchar(ch) ? CC_TCHAR : CC_OTHER;
	}
}

static int
hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* what a byte that is not allowed costs, named after the byte */
static const char *
bad_byte(unsigned char ch, const char *otherwise)
{
	if (ch == '\n')
		return "bare LF";
	if (ch == '\0')
		return "NUL byte";
	return otherwise;
}

/* qdtext and quoted-pair of RFC 9110 5.6.4: no controls but HTAB */
static const char *
quoted_byte(struct http_chunk *c, unsigned char ch)
{
	if (!http_is_fieldchar(ch))
		return bad_byte(ch, "invalid chunk extension");
	if (c->state == CS_EXT_ESCAPE)
		c->state = CS_EXT_QUOTED;
	else if (ch == '"')
		c->state = CS_EXT_QEND;
	else if (ch == '\\')
		c->state = CS_EXT_ESCAPE;
	return NULL;
}

/* chunk-size [ chunk-ext ], up to its CR */
static const char *
size_line_byte(struct http_chunk *c, unsigned char ch)
{
	int d, next;

	if (ch != '\r' && ++c->line > HTTP_CHUNK_MAX_LINE)
		return "chunk size line too long";
	if ((c->state == CS_SIZE_FIRST || c->state == CS_SIZE) &&
	    (d = hexval(ch)) >= 0) {
		if (c->size > (UINT64_MAX >> 4))
			return "chunk size too large";
		c->size = c->size << 4 | (uint64_t)d;
		c->state = CS_SIZE;
		return NULL;
	}
	if (c->state == CS_EXT_QUOTED || c->state == CS_EXT_ESCAPE)
		return quoted_byte(c, ch);
	if ((next = ext_next[c->state][classify(ch)]) != CS_ERROR) {
		c->state = next;
		return NULL;
	}
	if (c->state == CS_SIZE_FIRST)
		return bad_byte(ch, ch == '\r' || ch == ';' ?
		    "empty chunk size" : "invalid chunk size");
	return bad_byte(ch, c->state == CS_SIZE ? "invalid chunk size" :
	    "invalid chunk extension");
}

/* the LF that ends a chunk-size line: data, or the trailer section */
static const char *
size_lf(struct http_chunk *c, unsigned char ch)
{
	if (ch != '\n')
		return "bare CR";
	c->line = 0;
	if (c->size == 0) {
		c->state = CS_TRAILER;
		return NULL;
	}
	c->data_left = c->size;
	c->total = c->total > UINT64_MAX - c->size ? UINT64_MAX :
	    c->total + c->size;
	c->size = 0;
	c->state = CS_DATA;
	return NULL;
}

/* RFC 9112 7.1: chunk-data CRLF */
static const char *
data_crlf(struct http_chunk *c, unsigned char ch)
{
	if (c->state == CS_DATA_CR && ch == '\r')
		c->state = CS_DATA_LF;
	else if (c->state == CS_DATA_LF && ch == '\n')
		c->state = CS_SIZE_FIRST;
	else
		return "missing CRLF after chunk data";
	return NULL;
}

/* the first byte of a trailer line */
static const char *
trailer_start(struct http_chunk *c, unsigned char ch)
{
	if (ch == '\r')
		c->state = CS_END_LF;
	else if (ch == ' ' || ch == '\t')
		return "obsolete line folding";
	else if (ch == ':')
		return "empty trailer field name";
	else if (http_is_tchar(ch))
		c->state = CS_TRAILER_NAME;
	else
		return bad_byte(ch, "invalid trailer field name");
	return NULL;
}

/* RFC 9112 7.1.2: trailer fields, checked as header fields (RFC 9112 5) */
static const char *
trailer_field(struct http_chunk *c, unsigned char ch)
{
	if (c->state == CS_TRAILER)
		return trailer_start(c, ch);
	if (c->state == CS_TRAILER_NAME) {
		if (ch == ':')
			c->state = CS_TRAILER_VALUE;
		else if (ch == ' ' || ch == '\t')
			return "whitespace before colon";
		else if (ch == '\r' || ch == '\n')
			return "trailer field without colon";
		else if (!http_is_tchar(ch))
			return bad_byte(ch, "invalid trailer field name");
		return NULL;
	}
	if (c->state == CS_TRAILER_VALUE) {
		if (ch == '\r')
			c->state = CS_TRAILER_LF;
		else if (!http_is_fieldchar(ch))
			return bad_byte(ch, "control character");
		return NULL;
	}
	if (ch != '\n')		/* CS_TRAILER_LF */
		return "bare CR";
	c->state = CS_TRAILER;
	return NULL;
}

/* every byte of the trailer fields counts, the final CRLF does not */
static const char *
trailer_byte(struct http_chunk *c, unsigned char ch)
{
	int counted = !(c->state == CS_TRAILER && ch == '\r');
	const char *why;

	if ((why = trailer_field(c, ch)) != NULL)
		return why;
	if (counted) {
		if (c->trailer >= c->max_trailer)
			return "trailers too large";
		c->trailer++;
	}
	return NULL;
}

/* one framing byte; NULL, or what is wrong with it */
static const char *
step(struct http_chunk *c, unsigned char ch)
{
	switch ((enum chunk_state)c->state) {
	case CS_SIZE_FIRST:
	case CS_SIZE:
	case CS_EXT_BWS:
	case CS_EXT_NAME_BWS:
	case CS_EXT_NAME:
	case CS_EXT_EQ_BWS:
	case CS_EXT_VAL_BWS:
	case CS_EXT_TOKEN:
	case CS_EXT_QEND:
	case CS_EXT_QUOTED:
	case CS_EXT_ESCAPE:
		return size_line_byte(c, ch);
	case CS_SIZE_LF:
		return size_lf(c, ch);
	case CS_DATA_CR:
	case CS_DATA_LF:
		return data_crlf(c, ch);
	case CS_TRAILER:
	case CS_TRAILER_NAME:
	case CS_TRAILER_VALUE:
	case CS_TRAILER_LF:
		return trailer_byte(c, ch);
	case CS_END_LF:
		if (ch != '\n')
			return "bare CR";
		c->state = CS_DONE;
		c->done = 1;
		return NULL;
	case CS_DATA:
	case CS_DONE:
	case CS_ERROR:
		break;
	}
	return "chunk decoder misused";	/* http_chunk_parse stops before */
}

void
http_chunk_init(struct http_chunk *c, uint64_t max_trailer)
{
	memset(c, 0, sizeof(*c));
	c->state = CS_SIZE_FIRST;
	c->max_trailer = max_trailer;
}

enum http_result
http_chunk_parse(struct http_chunk *c, const char *buf, size_t len,
    size_t *used)
{
	const char *why;
	size_t i;

	*used = 0;
	if (c->state == CS_ERROR)
		return HTTP_ERROR;
	for (i = 0; i < len; i++) {
		if (c->state == CS_DATA || c->state == CS_DONE)
			break;
		if ((why = step(c, (unsigned char)buf[i])) != NULL) {
			*used = i;
			c->state = CS_ERROR;
			c->reason = why;
			return HTTP_ERROR;
		}
	}
	*used = i;
	if (c->state == CS_DATA || c->state == CS_DONE)
		return HTTP_OK;
	return HTTP_AGAIN;
}

void
http_chunk_data(struct http_chunk *c, uint64_t n)
{
	if (c->state != CS_DATA)
		return;
	if (n > c->data_left)
		n = c->data_left;
	c->data_left -= n;
	if (c->data_left == 0)
		c->state = CS_DATA_CR;
}
