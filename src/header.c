/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Header rewriting (request_header_* and response_header_* options, the
 * forwarding fields): set, add, delete and append to fields of a head
 * tcpvsd has built itself, so every line ends in CRLF and the head ends
 * in an empty line.  Values were checked at load (no CR, LF or NUL), so
 * no rewrite can make an invalid head.  Pure, in place, bounded by the
 * caller's buffer.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "conf-t.h"
#include "header.h"

/* the line at off: its end (the CR) and the next line's start */
static int
line_at(const char *buf, size_t len, size_t off, size_t *end, size_t *next)
{
	const char *cr;

	if (off >= len)
		return -1;
	cr = memchr(buf + off, '\r', len - off);
	if (cr == NULL || (size_t)(cr - buf) + 1 >= len)
		return -1;
	*end = (size_t)(cr - buf);
	*next = *end + 2;
	return 0;
}

/* the field line [off, end) is named name */
static int
named(const char *buf, size_t off, size_t end, const char *name)
{
	size_t n = strlen(name);

	return end - off > n && buf[off + n] == ':' &&
	    strncasecmp(buf + off, name, n) == 0;
}

/* offset of the empty line that ends the head */
static size_t
head_end(const char *buf, size_t len)
{
	size_t off = 0, end, next;

	while (line_at(buf, len, off, &end, &next) == 0) {
		if (end == off && off > 0)
			return off;
		off = next;
	}
	return len >= 2 ? len - 2 : 0;
}

long
hdr_del(char *buf, size_t len, const char *name)
{
	size_t off, end, next;

	if (line_at(buf, len, 0, &end, &off) == -1)
		return (long)len;
	while (line_at(buf, len, off, &end, &next) == 0 && end > off) {
		if (!named(buf, off, end, name)) {
			off = next;
			continue;
		}
		memmove(buf + off, buf + next, len - next);
		len -= next - off;
	}
	return (long)len;
}

/* insert s[0..n) at off */
static long
insert(char *buf, size_t len, size_t cap, size_t off, const char *s,
    size_t n)
{
	if (n > cap - len)
		return -1;
	memmove(buf + off + n, buf + off, len - off);
	memcpy(buf + off, s, n);
	return (long)(len + n);
}

long
hdr_add(char *buf, size_t len, size_t cap, const char *name,
    const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), at = head_end(buf, len);
	size_t need = nl + 2 + vl + 2;

	if (need > cap - len)
		return -1;
	memmove(buf + at + need, buf + at, len - at);
	memcpy(buf + at, name, nl);
	memcpy(buf + at + nl, ": ", 2);
	memcpy(buf + at + nl + 2, value, vl);
	memcpy(buf + at + nl + 2 + vl, "\r\n", 2);
	return (long)(len + need);
}

long
hdr_set(char *buf, size_t len, size_t cap, const char *name,
    const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	long n;

	/* room first, so a failure leaves the head as it was */
	if (nl + vl + 4 > cap - len)
		return -1;
	n = hdr_del(buf, len, name);
	return hdr_add(buf, (size_t)n, cap, name, value);
}

long
hdr_append(char *buf, size_t len, size_t cap, const char *name,
    const char *value)
{
	size_t off, end, next, last = 0;

	if (line_at(buf, len, 0, &end, &off) == -1)
		return -1;
	while (line_at(buf, len, off, &end, &next) == 0 && end > off) {
		if (named(buf, off, end, name))
			last = end;
		off = next;
	}
	if (last == 0)
		return hdr_add(buf, len, cap, name, value);
	if (strlen(value) + 2 > cap - len)
		return -1;
	len = (size_t)insert(buf, len, cap, last, ", ", 2);
	return insert(buf, len, cap, last + 2, value, strlen(value));
}

const char *
hdr_get(const char *buf, size_t len, const char *name, size_t *vlen)
{
	size_t off, end, next, v;

	if (line_at(buf, len, 0, &end, &off) == -1)
		return NULL;
	while (line_at(buf, len, off, &end, &next) == 0 && end > off) {
		if (named(buf, off, end, name)) {
			v = off + strlen(name) + 1;
			while (v < end && (buf[v] == ' ' || buf[v] == '\t'))
				v++;
			*vlen = end - v;
			return buf + v;
		}
		off = next;
	}
	return NULL;
}

long
hdr_apply(char *buf, size_t len, size_t cap, const struct hdr_edits *e)
{
	long n = (long)len;

	for (unsigned i = 0; e != NULL && i < e->n && n >= 0; i++) {
		const struct hdr_edit *h = &e->e[i];

		switch (h->op) {
		case HDR_DEL:
			n = hdr_del(buf, (size_t)n, h->name);
			break;
		case HDR_SET:
			n = hdr_set(buf, (size_t)n, cap, h->name, h->value);
			break;
		case HDR_ADD:
			n = hdr_add(buf, (size_t)n, cap, h->name, h->value);
			break;
		}
	}
	return n;
}
