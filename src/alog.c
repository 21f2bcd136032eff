/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Access log lines: see alog.h.  Pure: formats into a caller buffer.
 */
#include "config.h"

#include <netinet/in.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alog.h"
#include "http.h"
#include "util.h"

/* an output that stops (and remembers it stopped) at its end */
struct out {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len)
		n = o->cap - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* bytes from outside: printable ASCII as is, the rest as \xNN */
static void
put_escaped(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char ch;
	char e[4] = { '\\', 'x', 0, 0 };

	for (size_t i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"') {
			put(o, s + i, 1);
			continue;
		}
		e[2] = hex[ch >> 4];
		e[3] = hex[ch & 15];
		put(o, e, 4);
	}
}

static void
put_num(struct out *o, int64_t v)
{
	char num[24];

	if (v < 0) {
		put(o, "-", 1);
		return;
	}
	snprintf(num, sizeof(num), "%" PRId64, v);
	puts_(o, num);
}

static void
put_time(struct out *o, int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	char buf[40];

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%d/%b/%Y:%H:%M:%S %z", &tm);
	puts_(o, buf);
}

/* the request line as sent: method SP target SP version */
static void
put_request(struct out *o, const struct alog_rec *r)
{
	const struct http_req *q = r->req;

	if (q == NULL || r->head == NULL) {
		put(o, "-", 1);
		return;
	}
	put_escaped(o, r->head + q->method.off, (size_t)q->target.off +
	    q->target.len + 9 - q->method.off);
}

static void
put_field(struct out *o, const struct alog_rec *r, const char *name,
    size_t nlen)
{
	char n[64];
	const struct http_header *h;

	if (r->req == NULL || nlen >= sizeof(n)) {
		put(o, "-", 1);
		return;
	}
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	h = http_find_header(r->req, r->head, n);
	if (h == NULL || h->value.len == 0)
		put(o, "-", 1);
	else
		put_escaped(o, r->head + h->value.off, h->value.len);
}

/*
 * Walk fmt; with o NULL only check it.  Returns 0, or -1 with the reason
 * in err.
 */
static int
walk(const char *fmt, struct out *o, const struct alog_rec *r, char *err,
    size_t errlen)
{
	char host[UTIL_ADDRSTRLEN];
	const char *p = fmt, *end;

	while (*p != '\0') {
		if (*p != '%') {
			end = strchr(p, '%');
			if (end == NULL)
				end = p + strlen(p);
			if (o != NULL)
				put(o, p, (size_t)(end - p));
			p = end;
			continue;
		}
		p++;
		if (*p == '{') {
			end = strchr(p, '}');
			if (end == NULL || end == p + 1 || end[1] != 'i' ||
			    (size_t)(end - p - 1) >= 64) {
				snprintf(err, errlen, "'%%%.*s': expected "
				    "%%{Field}i", (int)strcspn(p, " "), p);
				return -1;
			}
			if (o != NULL)
				put_field(o, r, p + 1, (size_t)(end - p - 1));
			p = end + 2;
			continue;
		}
		if (*p == 'T' && p[1] != '\0' && strchr("qcrt", p[1]) != NULL) {
			if (o != NULL)
				put_num(o, p[1] == 'q' ? r->tq : p[1] == 'c' ?
				    r->tc : p[1] == 'r' ? r->tr : r->tt);
			p += 2;
			continue;
		}
		if (*p == '\0' || strchr("htrsbSv%", *p) == NULL) {
			snprintf(err, errlen, "unknown directive '%%%.2s': "
			    "expected one of %%h %%t %%r %%s %%b %%S %%v "
			    "%%Tq %%Tc %%Tr %%Tt %%{Field}i %%%%", p);
			return -1;
		}
		if (o == NULL) {
			p++;
			continue;
		}
		switch (*p++) {
		case 'h':
			util_addr_host((const struct sockaddr *)r->client, host,
			    sizeof(host));
			puts_(o, host);
			break;
		case 't':
			put(o, "[", 1);
			put_time(o, r->wall_ms);
			put(o, "]", 1);
			break;
		case 'r':
			put_request(o, r);
			break;
		case 's':
			put_num(o, r->status > 0 ? r->status : -1);
			break;
		case 'b':
			put_num(o, r->bytes > 0 ? (int64_t)r->bytes : -1);
			break;
		case 'S':
			puts_(o, r->server != NULL ? r->server : "-");
			break;
		case 'v':
			puts_(o, r->ident);
			break;
		case '%':
			put(o, "%", 1);
			break;
		}
	}
	return 0;
}

int
alog_check(const char *fmt, char *err, size_t errlen)
{
	return walk(fmt, NULL, NULL, err, errlen);
}

size_t
alog_format(char *out, size_t outlen, const char *fmt,
    const struct alog_rec *r)
{
	struct out o = { out, 0, outlen > 0 ? outlen - 1 : 0 };
	char err[8];

	if (outlen == 0)
		return 0;
	(void)walk(fmt, &o, r, err, sizeof(err));
	out[o.len++] = '\n';
	return o.len;
}
