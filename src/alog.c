/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Access log lines: see alog.h.  alog_format() is pure: it formats into a
 * caller buffer; alog_write() formats into this process's line buffer
 * and writes it.  Text lines escape bytes from outside as \xNN, JSON
 * lines through json.c; either way a field is cut, never the line.
 */
#include "config.h"

#include <netinet/in.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alog.h"
#include "http.h"
#include "json.h"
#include "term.h"
#include "util.h"

/* Apache's combined format */
#define ALOG_FMT_COMBINED	"%h - - %t \"%r\" %s %b \"%{Referer}i\" " \
	"\"%{User-Agent}i\""
/* every field, as JSON */
#define ALOG_FMT_JSON	"{\"time\":%{iso8601}t,\"client\":%h," \
	"\"virtual\":%v,\"request\":%r,\"method\":%m,\"path\":%U," \
	"\"host\":%{Host}i,\"status\":%s,\"bytes\":%b," \
	"\"referer\":%{Referer}i,\"user_agent\":%{User-Agent}i," \
	"\"server\":%S,\"tq\":%Tq,\"tc\":%Tc,\"tr\":%Tr,\"tt\":%Tt," \
	"\"term\":%X,\"reason\":%E,\"tls_version\":%{SSL_PROTOCOL}x," \
	"\"tls_cipher\":%{SSL_CIPHER}x,\"sni\":%{SSL_TLS_SNI}x," \
	"\"client_s_dn\":%{SSL_CLIENT_S_DN}x}"

static const struct {
	const char	*name;
	const char	*fmt;
} named[] = {
	{ "combined", ALOG_FMT_COMBINED },
	{ "json", ALOG_FMT_JSON },
};

/* an output that stops (and remembers it stopped) at its end */
struct out {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	bool	 full;		/* something did not fit */
	bool	 json;		/* values as JSON */
	size_t	 fieldmax;	/* input bytes of one string value */
};

enum dir {
	D_HOST, D_TIME, D_TIME_ISO, D_TIME_MSEC, D_REQUEST, D_METHOD, D_PATH,
	D_STATUS, D_BYTES, D_SERVER, D_VIRTUAL, D_FIELD, D_TQ, D_TC, D_TR,
	D_TT, D_TERM, D_REASON, D_PERCENT, D_TLS_VERSION, D_TLS_CIPHER,
	D_TLS_SNI, D_TLS_SUBJECT
};

/* %{NAME}x: the TLS facts, by Apache mod_ssl's variable names */
static const struct {
	const char	*name;
	enum dir	 d;
} tls_vars[] = {
	{ "SSL_PROTOCOL", D_TLS_VERSION },
	{ "SSL_CIPHER", D_TLS_CIPHER },
	{ "SSL_TLS_SNI", D_TLS_SNI },
	{ "SSL_CLIENT_S_DN", D_TLS_SUBJECT },
};

/* one directive of a format */
struct directive {
	enum dir	 d;
	const char	*arg;		/* D_FIELD: the field name */
	size_t		 arglen;
};

static const char *
resolve(const char *fmt)
{
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(fmt, named[i].name) == 0)
			return named[i].fmt;
	return fmt;
}

static bool
is_json(const char *fmt)
{
	return fmt[strspn(fmt, " \t")] == '{';
}

static void
put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len) {
		n = o->cap - o->len;
		o->full = true;
	}
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

	for (size_t i = 0; i < n && !o->full; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"') {
			put(o, s + i, 1);
			continue;
		}
		e[2] = hex[ch >> 4];
		e[3] = hex[ch & 15];
		if (o->cap - o->len < 4)
			o->full = true;
		else
			put(o, e, 4);
	}
}

/* a JSON string, quotes included; cut whole characters at the end */
static void
put_json(struct out *o, const char *s, size_t n)
{
	size_t used;

	if (o->cap - o->len < 2) {
		o->full = true;
		return;
	}
	o->buf[o->len++] = '"';
	o->len += json_escape(o->buf + o->len, o->cap - o->len - 1, s, n,
	    &used);
	o->buf[o->len++] = '"';
	if (used < n)
		o->full = true;
}

/* a string value, bytes from outside or ours */
static void
val_str(struct out *o, const char *s, size_t n)
{
	if (n > o->fieldmax)
		n = o->fieldmax;
	if (o->json)
		put_json(o, s, n);
	else
		put_escaped(o, s, n);
}

static void
val_null(struct out *o)
{
	puts_(o, o->json ? "null" : "-");
}

static void
val_num(struct out *o, int64_t v)
{
	char num[24];

	if (v < 0) {
		val_null(o);
		return;
	}
	snprintf(num, sizeof(num), "%" PRId64, v);
	puts_(o, num);
}

/* [10/Oct/2026:13:55:36 +0000], brackets in text only */
static void
put_time(struct out *o, int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	char buf[40];
	size_t n;

	localtime_r(&t, &tm);
	n = strftime(buf + 1, sizeof(buf) - 2, "%d/%b/%Y:%H:%M:%S %z", &tm);
	if (o->json) {
		val_str(o, buf + 1, n);
		return;
	}
	buf[0] = '[';
	buf[n + 1] = ']';
	put(o, buf, n + 2);
}

/* RFC 3339 with milliseconds: 2026-10-10T13:55:36.123+00:00 */
static void
put_iso8601(struct out *o, int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	char buf[48];
	size_t n;
	long off;

	localtime_r(&t, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf + n, sizeof(buf) - n, ".%03d%c%02ld:%02ld",
	    (int)(wall_ms % 1000), off < 0 ? '-' : '+',
	    (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
	val_str(o, buf, strlen(buf));
}

/*
 * The request line as sent: method SP target SP version; for a head that
 * was refused or cut, what came of its first line.
 */
static void
put_request(struct out *o, const struct alog_rec *r)
{
	const struct http_req *q = r->req;
	const char *p, *nl;
	size_t n;

	if (r->head == NULL || (q == NULL && !alog_head_seen(r->head,
	    r->headlen))) {
		val_null(o);
		return;
	}
	if (q != NULL) {
		val_str(o, r->head + q->method.off, (size_t)q->target.off +
		    q->target.len + 9 - q->method.off);
		return;
	}
	p = r->head;
	n = r->headlen;
	while (n > 0 && (*p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	if ((nl = memchr(p, '\n', n)) != NULL)
		n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	val_str(o, p, n);
}

static void
put_span(struct out *o, const struct alog_rec *r, const struct http_span *s)
{
	if (r->req == NULL || r->head == NULL)
		val_null(o);
	else
		val_str(o, r->head + s->off, s->len);
}

static void
put_field(struct out *o, const struct alog_rec *r, const char *name,
    size_t nlen)
{
	char n[64];
	const struct http_header *h;

	if (r->req == NULL || nlen >= sizeof(n)) {
		val_null(o);
		return;
	}
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	h = http_find_header(r->req, r->head, n);
	if (h == NULL || h->value.len == 0)
		val_null(o);
	else
		val_str(o, r->head + h->value.off, h->value.len);
}

static void
put_reason(struct out *o, const struct alog_rec *r)
{
	const char *why = r->reason;

	if (why == NULL && r->term != TERM_DONE && r->term != TERM_NONE)
		why = term_str(r->term);
	if (why == NULL)
		val_null(o);
	else
		val_str(o, why, strlen(why));
}

#define ALOG_DIRECTIVES	"%h %t %{iso8601}t %{msec}t %r %m %U %s %b %S %v " \
	"%{Field}i %Tq %Tc %Tr %Tt %X %E %{SSL_PROTOCOL}x %{SSL_CIPHER}x " \
	"%{SSL_TLS_SNI}x %{SSL_CLIENT_S_DN}x %%"

/* %{NAME}x of n bytes at name; 0 or -1 with a reason */
static int
parse_tls_var(const char *name, size_t n, struct directive *d, char *err,
    size_t errlen)
{
	for (size_t i = 0; i < sizeof(tls_vars) / sizeof(tls_vars[0]); i++)
		if (strlen(tls_vars[i].name) == n &&
		    strncmp(name, tls_vars[i].name, n) == 0) {
			d->d = tls_vars[i].d;
			return 0;
		}
	snprintf(err, errlen, "'%%{%.*s}x': expected %%{SSL_PROTOCOL}x, "
	    "%%{SSL_CIPHER}x, %%{SSL_TLS_SNI}x or %%{SSL_CLIENT_S_DN}x",
	    (int)n, name);
	return -1;
}

/* %{...}i or %{...}t at p (past the '%'); 0 or -1 with a reason */
static int
parse_braced(const char **pp, struct directive *d, char *err, size_t errlen)
{
	const char *p = *pp, *end = strchr(p, '}');
	size_t n;

	if (end == NULL || end == p + 1 || (end[1] != 'i' && end[1] != 't' &&
	    end[1] != 'x') || (n = (size_t)(end - p - 1)) >= 64) {
		snprintf(err, errlen, "'%%%.*s': expected %%{Field}i, "
		    "%%{iso8601}t, %%{msec}t or %%{SSL_...}x",
		    (int)strcspn(p, " "), p);
		return -1;
	}
	d->arg = p + 1;
	d->arglen = n;
	if (end[1] == 'x') {
		if (parse_tls_var(p + 1, n, d, err, errlen) == -1)
			return -1;
	} else if (end[1] == 'i')
		d->d = D_FIELD;
	else if (n == 7 && strncmp(p + 1, "iso8601", 7) == 0)
		d->d = D_TIME_ISO;
	else if (n == 4 && strncmp(p + 1, "msec", 4) == 0)
		d->d = D_TIME_MSEC;
	else {
		snprintf(err, errlen, "'%%%.*s}t': expected %%{iso8601}t or "
		    "%%{msec}t", (int)(end - p), p);
		return -1;
	}
	*pp = end + 2;
	return 0;
}

/* the directive at *pp (past the '%'); advances *pp */
static int
parse_directive(const char **pp, struct directive *d, char *err,
    size_t errlen)
{
	static const char simple[] = "htrmUsbSvXE%";
	static const enum dir simple_dir[] = {
		D_HOST, D_TIME, D_REQUEST, D_METHOD, D_PATH, D_STATUS,
		D_BYTES, D_SERVER, D_VIRTUAL, D_TERM, D_REASON, D_PERCENT
	};
	static const char tchars[] = "qcrt";
	static const enum dir times[] = { D_TQ, D_TC, D_TR, D_TT };
	const char *p = *pp, *c;

	if (*p == '{')
		return parse_braced(pp, d, err, errlen);
	if (*p == 'T' && p[1] != '\0' && (c = strchr(tchars, p[1])) != NULL) {
		d->d = times[c - tchars];
		*pp = p + 2;
		return 0;
	}
	if (*p == '\0' || (c = strchr(simple, *p)) == NULL) {
		snprintf(err, errlen, "unknown directive '%%%.2s': expected "
		    "one of %s", p, ALOG_DIRECTIVES);
		return -1;
	}
	d->d = simple_dir[c - simple];
	*pp = p + 1;
	return 0;
}

/* a string of ours, or null */
static void
val_opt(struct out *o, const char *s)
{
	if (s != NULL)
		val_str(o, s, strlen(s));
	else
		val_null(o);
}

static void
put_host(struct out *o, const struct alog_rec *r)
{
	char host[UTIL_ADDRSTRLEN];

	val_opt(o, util_addr_host((const struct sockaddr *)r->client, host,
	    sizeof(host)));
}

/* a TLS fact: "-" (null) on plain HTTP or when there is none */
static void
put_tls(struct out *o, const struct alog_tls *t, enum dir d)
{
	const char *s = NULL;

	if (t->on)
		s = d == D_TLS_VERSION ? t->version : d == D_TLS_CIPHER ?
		    t->cipher : d == D_TLS_SNI ? t->sni :
		    t->subject[0] != '\0' ? t->subject : NULL;
	if (s == NULL)
		val_null(o);
	else
		val_str(o, s, strlen(s));
}

static void
emit(struct out *o, const struct alog_rec *r, const struct directive *d)
{
	switch (d->d) {
	case D_HOST:
		put_host(o, r);
		break;
	case D_TIME:
	case D_TIME_ISO:
		(d->d == D_TIME ? put_time : put_iso8601)(o, r->wall_ms);
		break;
	case D_TIME_MSEC:
		val_num(o, r->wall_ms);
		break;
	case D_REQUEST:
		put_request(o, r);
		break;
	case D_METHOD:
	case D_PATH:
		put_span(o, r, r->req == NULL ? NULL : d->d == D_METHOD ?
		    &r->req->method : &r->req->path);
		break;
	case D_STATUS:
		val_num(o, r->status > 0 ? r->status : -1);
		break;
	case D_BYTES:
		val_num(o, r->bytes > 0 || o->json ? (int64_t)r->bytes : -1);
		break;
	case D_SERVER:
	case D_VIRTUAL:
		val_opt(o, d->d == D_SERVER ? r->server : r->ident);
		break;
	case D_FIELD:
		put_field(o, r, d->arg, d->arglen);
		break;
	case D_TQ:
	case D_TC:
	case D_TR:
	case D_TT:
		val_num(o, d->d == D_TQ ? r->tq : d->d == D_TC ? r->tc :
		    d->d == D_TR ? r->tr : r->tt);
		break;
	case D_TERM:
		val_opt(o, term_code(r->term));
		break;
	case D_REASON:
		put_reason(o, r);
		break;
	case D_PERCENT:
		put(o, "%", 1);
		break;
	case D_TLS_VERSION:
	case D_TLS_CIPHER:
	case D_TLS_SNI:
	case D_TLS_SUBJECT:
		put_tls(o, &r->tls, d->d);
		break;
	}
}

/* a directive written inside a JSON string makes the line invalid */
static int
check_json_place(const char *fmt, const char *pct, char *err, size_t errlen)
{
	if (pct > fmt && pct[-1] == '"') {
		snprintf(err, errlen, "'%%%.*s': a directive of a JSON format "
		    "is a whole value: write it without quotes",
		    (int)strcspn(pct + 1, "\","), pct + 1);
		return -1;
	}
	return 0;
}

/*
 * Walk fmt; with o NULL only check it.  Returns 0, or -1 with the reason
 * in err.
 */
static int
walk(const char *fmt, struct out *o, const struct alog_rec *r, char *err,
    size_t errlen)
{
	struct directive d;
	const char *p = fmt, *end;
	bool json = is_json(fmt);

	while (*p != '\0' && (o == NULL || !o->full)) {
		if (*p != '%') {
			end = strchr(p, '%');
			if (end == NULL)
				end = p + strlen(p);
			if (o != NULL)
				put(o, p, (size_t)(end - p));
			p = end;
			continue;
		}
		if (json && o == NULL && p[1] != '%' &&
		    check_json_place(fmt, p, err, errlen) == -1)
			return -1;
		p++;
		memset(&d, 0, sizeof(d));
		if (parse_directive(&p, &d, err, errlen) == -1)
			return -1;
		if (o != NULL)
			emit(o, r, &d);
	}
	return 0;
}

int
alog_head_seen(const char *head, size_t len)
{
	if (head == NULL)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (head[i] != '\r' && head[i] != '\n')
			return 1;
	return 0;
}

int
alog_check(const char *fmt, char *err, size_t errlen)
{
	fmt = resolve(fmt);
	if (strlen(fmt) > ALOG_FORMAT_MAX) {
		snprintf(err, errlen, "%zu bytes, at most %d", strlen(fmt),
		    ALOG_FORMAT_MAX);
		return -1;
	}
	return walk(fmt, NULL, NULL, err, errlen);
}

/*
 * A line that does not fit is formatted again with shorter fields: at
 * ALOG_FORMAT_MAX bytes of format and 16 bytes a field, any line fits in
 * ALOG_LINE_MAX, so a JSON line is never cut.
 */
size_t
alog_format(char *out, size_t outlen, const char *fmt,
    const struct alog_rec *r)
{
	static const size_t fieldmax[] = { ALOG_FIELD_MAX, 1024, 128, 16 };
	struct out o;
	char err[8];

	if (outlen == 0)
		return 0;
	fmt = resolve(fmt);
	for (size_t i = 0; i < sizeof(fieldmax) / sizeof(fieldmax[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.buf = out;
		o.cap = outlen - 1;
		o.json = is_json(fmt);
		o.fieldmax = fieldmax[i];
		(void)walk(fmt, &o, r, err, sizeof(err));
		if (!o.full)
			break;
	}
	out[o.len++] = '\n';
	return o.len;
}

/*
 * One line per request, one write: a short write of a full disk loses
 * the line, never the request.
 */
void
alog_write(int fd, const char *fmt, const struct alog_rec *r)
{
	static char line[ALOG_LINE_MAX];
	size_t n;

	n = alog_format(line, sizeof(line), fmt, r);
	(void)!write(fd, line, n);
}
