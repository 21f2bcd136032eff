/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * JSON string escaping for the access log: see json.h.  Any process may
 * call it; it only reads its input and writes its output buffer.
 */
#include "config.h"

#include <string.h>

#include "json.h"

/*
 * RFC 3629 section 4: the lead byte says the length and the range of the
 * second byte (which excludes overlong forms, surrogates and code points
 * past U+10FFFF); every later byte is 0x80..0xbf.
 */
size_t
json_utf8_len(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong below */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* surrogates above */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong below */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* past U+10FFFF above */
	} else
		return 0;	/* 0x80..0xc1 (a continuation, overlong 2-byte
				   leads), 0xf5..0xff */
	for (i = 1; i < need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

size_t
json_escape(char *out, size_t cap, const char *in, size_t len, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	char e[JSON_ESCAPE_MAX];
	size_t i = 0, o = 0, n, bad, elen;

	while (i < len) {
		n = json_utf8_len(p + i, len - i, &bad);
		if (n == 0) {
			memcpy(e, "\\ufffd", 6);
			elen = 6;
			n = bad;
		} else if (n > 1) {
			if (cap - o < n)
				break;
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
			continue;
		} else if (p[i] == '"' || p[i] == '\\') {
			e[0] = '\\';
			e[1] = (char)p[i];
			elen = 2;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			memcpy(e, "\\u00", 4);
			e[4] = hex[p[i] >> 4];
			e[5] = hex[p[i] & 15];
			elen = 6;
		} else {
			e[0] = (char)p[i];
			elen = 1;
		}
		if (cap - o < elen)
			break;
		memcpy(out + o, e, elen);
		o += elen;
		i += n;
	}
	if (used != NULL)
		*used = i;
	return o;
}
