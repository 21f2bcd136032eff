/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * JSON strings (RFC 8259 section 7) from bytes that came from outside:
 * the access log's JSON lines.  A double quote and a backslash are
 * escaped with a backslash; every control byte (0x00-0x1f) and DEL as
 * \u00XX; valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF) is copied as it is; every maximal subpart of an
 * invalid sequence becomes one \ufffd (U+FFFD REPLACEMENT CHARACTER), as
 * Unicode 15 section 3.9 recommends and Python's "replace" does, so no
 * invalid byte ever reaches the output.  Pure: no I/O, no allocation.
 */
#ifndef TCPVS_JSON_H
#define TCPVS_JSON_H

#include <stddef.h>

/* the longest escape of one input character: \u00XX or \ufffd */
#define JSON_ESCAPE_MAX	6

/*
 * Escape in[0..len) into out[0..cap), without the enclosing quotes,
 * never splitting an escape or a character: stops before the first
 * character that does not fit.  Returns the bytes written; *used (if not
 * NULL) says how many input bytes they stand for.
 */
size_t	json_escape(char *out, size_t cap, const char *in, size_t len,
	    size_t *used);

/*
 * The length of the valid UTF-8 character at p[0..n), 1 to 4, or 0 when
 * it is invalid; then *bad is the length of its maximal subpart (1 to 3),
 * the bytes one U+FFFD replaces.
 */
size_t	json_utf8_len(const unsigned char *p, size_t n, size_t *bad);

#endif /* TCPVS_JSON_H */
