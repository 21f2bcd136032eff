/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Content rules (KTCPVS's "rule pattern ... server ..."), with PCRE2 in
 * place of KTCPVS's bundled regex, and the conditions an operator of
 * HAProxy or nginx expects beside the target: the request's host, its
 * method, header and cookie values, its source network and its query.
 * conf_rule.c builds each rule at load and calls rule_compile() in the
 * master (JIT where the platform allows); workers try a service's rules
 * in order and the first whose conditions all hold decides.  Matching
 * uses one block of match data per process, allocated on first use and
 * grown only when a rule asks for a match group beyond it, so the
 * request path does not allocate.  Patterns are plain 8-bit (no UTF
 * mode): a request target is bytes.  A rule's own answer (return =) is
 * built by rule_reply.c.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH	8

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pcre2.h>

#include "cidr.h"
#include "conf-t.h"
#include "rule.h"

#define RULE_MIN_PAIRS	16	/* match data ovector pairs, at least */

static pcre2_match_data	*md;	/* this process's match data */
static uint32_t		 md_pairs;

/* compile one regex; what names it in an error: "pattern", "host" ... */
static int
compile(const char *what, const char *pat, uint32_t opts, pcre2_code **out,
    char *err, size_t errlen)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int ec;

	*out = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts,
	    &ec, &off, NULL);
	if (*out == NULL) {
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ec);
		snprintf(err, errlen, "invalid %s '%s': %s at offset %zu",
		    what, pat, (const char *)msg, (size_t)off);
		return -1;
	}
	/* JIT is an optimisation: without it the interpreter matches */
	(void)pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
	return 0;
}

static int
compile_pattern(struct rule *r, char *err, size_t errlen)
{
	uint32_t groups;

	if (r->pattern == NULL) {
		if (r->match > 0) {
			snprintf(err, errlen, "match %u without a pattern",
			    r->match);
			return -1;
		}
		return 0;
	}
	if (compile("pattern", r->pattern, 0, &r->re, err, errlen) == -1)
		return -1;
	if (pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &groups) != 0)
		groups = 0;
	if (r->match > groups) {
		snprintf(err, errlen, "pattern '%s' has no match group %u "
		    "(it has %u)", r->pattern, r->match, groups);
		pcre2_code_free(r->re);
		r->re = NULL;
		return -1;
	}
	return 0;
}

int
rule_compile(struct rule *r, char *err, size_t errlen)
{
	if (compile_pattern(r, err, errlen) == -1)
		return -1;
	for (unsigned i = 0; i < r->nhosts; i++)
		if (r->hosts[i].kind == RULE_HOST_REGEX && compile("host",
		    r->hosts[i].name, PCRE2_CASELESS, &r->hosts[i].re, err,
		    errlen) == -1)
			return -1;
	for (unsigned i = 0; i < r->nheaders; i++)
		if (compile("header", r->headers[i].regex, 0,
		    &r->headers[i].re, err, errlen) == -1)
			return -1;
	for (unsigned i = 0; i < r->ncookies; i++)
		if (compile("cookie", r->cookies[i].regex, 0,
		    &r->cookies[i].re, err, errlen) == -1)
			return -1;
	if (r->query != NULL && compile("query", r->query, 0, &r->query_re,
	    err, errlen) == -1)
		return -1;
	return 0;
}

static void
free_fields(struct rule_field *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pcre2_code_free(f[i].re);
		free(f[i].name);
		free(f[i].regex);
	}
	free(f);
}

void
rule_free_edits(struct hdr_edits *e)
{
	for (unsigned i = 0; i < e->n; i++) {
		free(e->e[i].name);
		free(e->e[i].value);
	}
	free(e->e);
	e->e = NULL;
	e->n = 0;
}

void
rule_free(struct rule *r)
{
	pcre2_code_free(r->re);
	free(r->pattern);
	for (unsigned i = 0; i < r->nhosts; i++) {
		pcre2_code_free(r->hosts[i].re);
		free(r->hosts[i].name);
	}
	free(r->hosts);
	for (unsigned i = 0; i < r->nmethods; i++)
		free(r->methods[i]);
	free(r->methods);
	free_fields(r->headers, r->nheaders);
	free_fields(r->cookies, r->ncookies);
	free(r->sources);
	pcre2_code_free(r->query_re);
	free(r->query);
	free(r->location);
	free(r->body);
	rule_free_edits(&r->req_edits);
	rule_free_edits(&r->resp_edits);
	memset(r, 0, sizeof(*r));
}

/*
 * What a request offers.
 */

static struct http_span
sp(size_t off, size_t len)
{
	struct http_span s = { (uint32_t)off, (uint32_t)len };

	return s;
}

/* the authority without ":port" ("[v6]" keeps its brackets) */
static struct http_span
host_of(const char *buf, struct http_span a)
{
	for (size_t i = a.len; i-- > 0;) {
		char ch = buf[a.off + i];

		if (ch == ':')
			return sp(a.off, i);
		if (ch < '0' || ch > '9')
			break;
	}
	return a;
}

void
rule_ctx_init(struct rule_ctx *ctx, const struct http_req *req,
    const char *buf, const struct sockaddr *source)
{
	size_t end = (size_t)req->target.off + req->target.len, q;

	memset(ctx, 0, sizeof(*ctx));
	ctx->buf = buf;
	ctx->method = req->method;
	ctx->path = req->path;
	/* origin-form: from the path on (an absolute-form one's too) */
	ctx->target = sp(req->path.off, end - req->path.off);
	q = (size_t)req->path.off + req->path.len;
	if (q < end && buf[q] == '?') {
		size_t e = q + 1;

		while (e < end && buf[e] != '#')
			e++;
		ctx->query = sp(q + 1, e - q - 1);
	}
	ctx->host = host_of(buf, req->host);
	ctx->hdr = req->hdr;
	ctx->nhdr = req->nheaders;
	ctx->source = source;
}

/*
 * Conditions.
 */

/* match data with room for group g; allocates only the first time */
static int
room_for(unsigned g)
{
	uint32_t need = (uint32_t)g + 1;

	if (md != NULL && md_pairs >= need)
		return 0;
	if (need < RULE_MIN_PAIRS)
		need = RULE_MIN_PAIRS;
	pcre2_match_data_free(md);
	md_pairs = 0;
	if ((md = pcre2_match_data_create(need, NULL)) == NULL)
		return -1;
	md_pairs = need;
	return 0;
}

/* rc of pcre2_match, or -1; an error such as the match limit: no match */
static int
re_match(const pcre2_code *re, const char *s, size_t len, unsigned g)
{
	if (room_for(g) == -1)
		return -1;
	return pcre2_match(re, (PCRE2_SPTR)(s != NULL ? s : ""), len, 0, 0,
	    md, NULL);
}

bool
rule_host_match(const struct rule_host *h, const char *host, size_t len)
{
	size_t n = strlen(h->name);

	switch (h->kind) {
	case RULE_HOST_EXACT:
		return n == len && strncasecmp(h->name, host, len) == 0;
	case RULE_HOST_WILDCARD:	/* ".example.com": one label or more */
		return len > n && strncasecmp(h->name, host + len - n, n) == 0;
	case RULE_HOST_REGEX:
		return h->re != NULL && re_match(h->re, host, len, 0) >= 0;
	}
	return false;
}

static bool
hosts_ok(const struct rule *r, const struct rule_ctx *ctx)
{
	for (unsigned i = 0; i < r->nhosts; i++)
		if (rule_host_match(&r->hosts[i], ctx->buf + ctx->host.off,
		    ctx->host.len))
			return true;
	return r->nhosts == 0;
}

/* methods are case-sensitive (RFC 9110 9.1) */
static bool
methods_ok(const struct rule *r, const struct rule_ctx *ctx)
{
	for (unsigned i = 0; i < r->nmethods; i++)
		if (strlen(r->methods[i]) == ctx->method.len &&
		    memcmp(r->methods[i], ctx->buf + ctx->method.off,
		    ctx->method.len) == 0)
			return true;
	return r->nmethods == 0;
}

static bool
name_is(const struct rule_ctx *ctx, const struct http_header *h,
    const char *name)
{
	return strlen(name) == h->name.len && strncasecmp(name,
	    ctx->buf + h->name.off, h->name.len) == 0;
}

/* one header condition: a field of that name whose value matches */
static bool
header_ok(const struct rule_field *f, const struct rule_ctx *ctx)
{
	const struct http_header *h;

	for (unsigned i = 0; i < ctx->nhdr; i++) {
		h = &ctx->hdr[i];
		if (name_is(ctx, h, f->name) && re_match(f->re, ctx->buf +
		    h->value.off, h->value.len, 0) >= 0)
			return true;
	}
	return false;
}

/* in one Cookie value ("a=1; b=2"), a cookie named f->name that matches */
static bool
cookie_in(const struct rule_field *f, const char *v, size_t len)
{
	size_t nl = strlen(f->name), i = 0, s, e, eq;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == ';'))
			i++;
		for (s = i; i < len && v[i] != ';'; i++)
			;
		for (e = i; e > s && v[e - 1] == ' '; e--)
			;
		for (eq = s; eq < e && v[eq] != '='; eq++)
			;
		if (eq < e && eq - s == nl && memcmp(v + s, f->name, nl) == 0 &&
		    re_match(f->re, v + eq + 1, e - eq - 1, 0) >= 0)
			return true;
	}
	return false;
}

static bool
cookie_ok(const struct rule_field *f, const struct rule_ctx *ctx)
{
	const struct http_header *h;

	for (unsigned i = 0; i < ctx->nhdr; i++) {
		h = &ctx->hdr[i];
		if (name_is(ctx, h, "cookie") && cookie_in(f,
		    ctx->buf + h->value.off, h->value.len))
			return true;
	}
	return false;
}

/* every condition but the pattern */
static bool
others_ok(const struct rule *r, const struct rule_ctx *ctx)
{
	if (!hosts_ok(r, ctx) || !methods_ok(r, ctx))
		return false;
	for (unsigned i = 0; i < r->nheaders; i++)
		if (!header_ok(&r->headers[i], ctx))
			return false;
	for (unsigned i = 0; i < r->ncookies; i++)
		if (!cookie_ok(&r->cookies[i], ctx))
			return false;
	if (r->nsources > 0 && !cidr_match(r->sources, r->nsources,
	    ctx->source))
		return false;
	return r->query_re == NULL || re_match(r->query_re, ctx->buf +
	    ctx->query.off, ctx->query.len, 0) >= 0;
}

/* the span of group g after a successful match that returned rc */
static void
group_span(int rc, unsigned g, size_t base, size_t *mstart, size_t *mlen)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

	/* rc 0: more groups than pairs, but g fits (room_for) */
	if ((rc > 0 && g >= (unsigned)rc) || ov[2 * g] == PCRE2_UNSET) {
		/* the group did not take part: an empty span */
		*mstart = base + ov[0];
		*mlen = 0;
		return;
	}
	*mstart = base + ov[2 * g];
	*mlen = ov[2 * g + 1] - ov[2 * g];
}

int
rule_match(const struct service *svc, const struct rule_ctx *ctx,
    size_t *mstart, size_t *mlen)
{
	const struct rule *r;
	const char *t = ctx->buf != NULL ? ctx->buf + ctx->target.off : "";
	int rc = 1;

	for (unsigned i = 0; i < svc->nrules; i++) {
		r = &svc->rules[i];
		if (r->pattern != NULL && r->re == NULL)
			continue;	/* not compiled: never matches */
		if (!others_ok(r, ctx))
			continue;
		/* last, so the match data holds its groups */
		if (r->re != NULL && (room_for(r->match) == -1 ||
		    (rc = pcre2_match(r->re, (PCRE2_SPTR)t, ctx->target.len,
		    0, 0, md, NULL)) < 0))
			continue;
		if (mstart != NULL && mlen != NULL) {
			if (r->re != NULL)
				group_span(rc, r->match, ctx->target.off,
				    mstart, mlen);
			else {
				*mstart = ctx->target.off;
				*mlen = ctx->target.len;
			}
		}
		return (int)i;
	}
	return -1;
}

int
rule_find(const struct service *svc, const char *subject, size_t len,
    size_t *mstart, size_t *mlen)
{
	struct rule_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.buf = subject != NULL ? subject : "";
	ctx.target = sp(0, subject != NULL ? len : 0);
	ctx.path = ctx.target;
	return rule_match(svc, &ctx, mstart, mlen);
}
