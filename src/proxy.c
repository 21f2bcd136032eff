/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * PROXY protocol headers (haproxy.org/download/2.9/doc/proxy-protocol.txt):
 * version 1, one text line of at most 107 bytes ("PROXY TCP4 a b p q",
 * TCP6, or UNKNOWN), and version 2, a 12-byte signature, version and
 * command, family, a length, the addresses and TLVs.  Strict: every
 * field is checked, TLVs must tile the rest of the header exactly, and a
 * header over PROXY_V2_MAX bytes is refused rather than buffered.  Pure,
 * no I/O; proxy_conn.c reads and sends them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static const char v2sig[12] = "\r\n\r\n\0\r\nQUIT\n";

#define V2_HEAD		16	/* signature, ver/cmd, family, length */
#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_TCP4		0x11
#define V2_TCP6		0x21

static enum proxy_result
fail(struct proxy_hdr *h, const char *why)
{
	h->reason = why;
	return PROXY_ERROR;
}

/* a decimal port, 0..65535, no leading zero (the v1 grammar) */
static int
v1_port(const char *s, unsigned *port)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static int
v1_addr(int fam, const char *a, const char *p, struct sockaddr_storage *ss)
{
	unsigned port;

	memset(ss, 0, sizeof(*ss));
	if (v1_port(p, &port) == -1)
		return -1;
	if (fam == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return inet_pton(AF_INET, a, &s4->sin_addr) == 1 ? 0 : -1;
	}
	{
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, a, &s6->sin6_addr) == 1 ? 0 : -1;
	}
}

/* "PROXY TCP4 SRC DST SPORT DPORT" (the line without CRLF) */
static enum proxy_result
v1_fields(char *line, struct proxy_hdr *h)
{
	char *f[7], *save = NULL;
	int n = 0, fam;

	for (char *t = strtok_r(line, " ", &save); t != NULL && n < 7;
	    t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n >= 2 && strcmp(f[1], "UNKNOWN") == 0) {
		h->local = true;	/* the rest is ignored (the spec) */
		return PROXY_OK;
	}
	if (n != 6)
		return fail(h, "PROXY v1: expected 6 fields");
	if (strcmp(f[1], "TCP4") == 0)
		fam = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		fam = AF_INET6;
	else
		return fail(h, "PROXY v1: unknown protocol");
	if (v1_addr(fam, f[2], f[4], &h->src) == -1 ||
	    v1_addr(fam, f[3], f[5], &h->dst) == -1)
		return fail(h, "PROXY v1: invalid address or port");
	return PROXY_OK;
}

static enum proxy_result
parse_v1(const char *buf, size_t len, struct proxy_hdr *h)
{
	char line[PROXY_V1_MAX + 1];
	const char *lf = memchr(buf, '\n', len < PROXY_V1_MAX ? len :
	    PROXY_V1_MAX);
	size_t n;

	if (lf == NULL)
		return len >= PROXY_V1_MAX ? fail(h, "PROXY v1: line too long")
		    : PROXY_AGAIN;
	n = (size_t)(lf - buf);
	if (n == 0 || buf[n - 1] != '\r')
		return fail(h, "PROXY v1: line not ended by CRLF");
	n--;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < ' ' || (unsigned char)buf[i] > '~')
			return fail(h, "PROXY v1: invalid byte");
	/* one space between fields, none at the ends */
	if (memmem(buf, n, "  ", 2) != NULL || buf[n - 1] == ' ')
		return fail(h, "PROXY v1: invalid spacing");
	memcpy(line, buf, n);
	line[n] = '\0';
	h->version = 1;
	h->len = n + 2;
	return v1_fields(line, h);
}

/* the TLVs in p[0..n) tile it exactly */
static int
v2_tlvs(const unsigned char *p, size_t n)
{
	size_t off = 0, l;

	while (off < n) {
		if (n - off < 3)
			return -1;
		l = (size_t)p[off + 1] << 8 | p[off + 2];
		if (l > n - off - 3)
			return -1;
		off += 3 + l;
	}
	return 0;
}

static void
v2_addrs(const unsigned char *a, int fam, struct proxy_hdr *h)
{
	memset(&h->src, 0, sizeof(h->src));
	memset(&h->dst, 0, sizeof(h->dst));
	if (fam == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&h->src;
		struct sockaddr_in *d = (struct sockaddr_in *)&h->dst;

		s->sin_family = d->sin_family = AF_INET;
		memcpy(&s->sin_addr, a, 4);
		memcpy(&d->sin_addr, a + 4, 4);
		memcpy(&s->sin_port, a + 8, 2);
		memcpy(&d->sin_port, a + 10, 2);
		return;
	}
	{
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&h->src;
		struct sockaddr_in6 *d = (struct sockaddr_in6 *)&h->dst;

		s->sin6_family = d->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, a, 16);
		memcpy(&d->sin6_addr, a + 16, 16);
		memcpy(&s->sin6_port, a + 32, 2);
		memcpy(&d->sin6_port, a + 34, 2);
	}
}

static enum proxy_result
parse_v2(const unsigned char *p, size_t len, struct proxy_hdr *h)
{
	size_t body, need;
	int cmd, fam;

	if (len < V2_HEAD)
		return PROXY_AGAIN;
	if ((p[12] >> 4) != 2)
		return fail(h, "PROXY v2: unsupported version");
	cmd = p[12] & 0x0f;
	if (cmd != V2_CMD_LOCAL && cmd != V2_CMD_PROXY)
		return fail(h, "PROXY v2: unknown command");
	body = (size_t)p[14] << 8 | p[15];
	if (V2_HEAD + body > PROXY_V2_MAX)
		return fail(h, "PROXY v2: header too large");
	if (len < V2_HEAD + body)
		return PROXY_AGAIN;
	h->version = 2;
	h->len = V2_HEAD + body;
	fam = p[13] == V2_TCP4 ? AF_INET : p[13] == V2_TCP6 ? AF_INET6 : 0;
	need = fam == AF_INET ? 12 : fam == AF_INET6 ? 36 : 0;
	if (cmd == V2_CMD_LOCAL || fam == 0) {
		/* addresses, if any, are ignored (the spec, 2.2) */
		h->local = true;
		return PROXY_OK;
	}
	if (body < need)
		return fail(h, "PROXY v2: address block too short");
	if (v2_tlvs(p + V2_HEAD + need, body - need) == -1)
		return fail(h, "PROXY v2: invalid TLV");
	v2_addrs(p + V2_HEAD, fam, h);
	return PROXY_OK;
}

enum proxy_result
proxy_parse(const char *buf, size_t len, struct proxy_hdr *h)
{
	size_t n;

	memset(h, 0, sizeof(*h));
	n = len < sizeof(v2sig) ? len : sizeof(v2sig);
	if (memcmp(buf, v2sig, n) == 0)
		return n < sizeof(v2sig) ? PROXY_AGAIN :
		    parse_v2((const unsigned char *)buf, len, h);
	n = len < 6 ? len : 6;
	if (memcmp(buf, "PROXY ", n) == 0)
		return n < 6 ? PROXY_AGAIN : parse_v1(buf, len, h);
	return fail(h, "no PROXY header");
}

/*
 * Building.
 */

static void
host_port(const struct sockaddr *sa, char *host, size_t hl, unsigned *port)
{
	const void *a;

	if (sa->sa_family == AF_INET) {
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		*port = ntohs(((const struct sockaddr_in *)(const void *)sa)->
		    sin_port);
	} else {
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		*port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_port);
	}
	if (inet_ntop(sa->sa_family, a, host, (socklen_t)hl) == NULL)
		host[0] = '\0';
}

size_t
proxy_build_v1(char *out, size_t outlen, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	unsigned sp, dp;
	int n;

	if (src == NULL || dst == NULL || src->sa_family != dst->sa_family ||
	    (src->sa_family != AF_INET && src->sa_family != AF_INET6))
		n = snprintf(out, outlen, "PROXY UNKNOWN\r\n");
	else {
		host_port(src, s, sizeof(s), &sp);
		host_port(dst, d, sizeof(d), &dp);
		n = snprintf(out, outlen, "PROXY %s %s %s %u %u\r\n",
		    src->sa_family == AF_INET ? "TCP4" : "TCP6", s, d, sp, dp);
	}
	return n > 0 && (size_t)n < outlen ? (size_t)n : 0;
}

size_t
proxy_build_v2(char *out, size_t outlen, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	unsigned char *p = (unsigned char *)out;
	size_t body = 0;

	if (outlen < V2_HEAD + 36)
		return 0;
	memcpy(p, v2sig, sizeof(v2sig));
	if (src == NULL || dst == NULL || src->sa_family != dst->sa_family ||
	    (src->sa_family != AF_INET && src->sa_family != AF_INET6)) {
		p[12] = 0x20 | V2_CMD_LOCAL;
		p[13] = 0;
	} else if (src->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)src, *d =
		    (const void *)dst;

		p[12] = 0x20 | V2_CMD_PROXY;
		p[13] = V2_TCP4;
		memcpy(p + 16, &s->sin_addr, 4);
		memcpy(p + 20, &d->sin_addr, 4);
		memcpy(p + 24, &s->sin_port, 2);
		memcpy(p + 26, &d->sin_port, 2);
		body = 12;
	} else {
		const struct sockaddr_in6 *s = (const void *)src, *d =
		    (const void *)dst;

		p[12] = 0x20 | V2_CMD_PROXY;
		p[13] = V2_TCP6;
		memcpy(p + 16, &s->sin6_addr, 16);
		memcpy(p + 32, &d->sin6_addr, 16);
		memcpy(p + 48, &s->sin6_port, 2);
		memcpy(p + 50, &d->sin6_port, 2);
		body = 36;
	}
	p[14] = 0;
	p[15] = (unsigned char)body;
	return V2_HEAD + body;
}

size_t
proxy_build_local(char *out, size_t outlen, int version)
{
	switch (version) {
	case 1:
		return proxy_build_v1(out, outlen, NULL, NULL);
	case 2:
		return proxy_build_v2(out, outlen, NULL, NULL);
	default:
		return 0;
	}
}
