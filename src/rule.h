/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Content rules: PCRE2 compile at load; on the request path, the first
 * rule whose conditions all hold (target, host, method, header, cookie,
 * source, query) with per-process match data (no malloc per request),
 * and the answer of a rule that says "return".
 */
#ifndef TCPVS_RULE_H
#define TCPVS_RULE_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

struct rule;
struct rule_host;
struct hdr_edits;
struct service;

/*
 * What rules look at in one request: spans into buf.  target is the
 * origin-form target (an absolute-form target without its scheme and
 * authority), host the authority without its port, query what follows
 * '?' (without it).  hdr may be NULL (no fields), source NULL (no address).
 */
struct rule_ctx {
	const char		*buf;
	struct http_span	 method;
	struct http_span	 target;
	struct http_span	 path;
	struct http_span	 query;
	struct http_span	 host;
	const struct http_header *hdr;
	unsigned		 nhdr;
	const struct sockaddr	*source;
};

/* fill ctx from a parsed request head and the client's address */
void	rule_ctx_init(struct rule_ctx *, const struct http_req *,
	    const char *buf, const struct sockaddr *source);

/*
 * Compile every regex of r (pattern, ~hosts, header and cookie values,
 * query).  Returns 0, or -1 with PCRE2's message and the offset in err:
 * "invalid pattern '(': missing closing parenthesis at offset 1".
 */
int	rule_compile(struct rule *, char *err, size_t errlen);
void	rule_free(struct rule *);
/* a service's or a rule's header edits (conf_rule.c builds them) */
void	rule_free_edits(struct hdr_edits *);

/* does one host condition ("name", "*.suffix", "~regex") accept host */
bool	rule_host_match(const struct rule_host *, const char *host,
	    size_t len);

/*
 * Index of the first rule of svc whose conditions all hold for ctx, or
 * -1.  With mstart/mlen non-NULL, the span in ctx->buf of the rule's
 * pattern match group (r->match, 0 = whole match; the whole target for
 * a rule without a pattern) is returned through them.
 */
int	rule_match(const struct service *, const struct rule_ctx *,
	    size_t *mstart, size_t *mlen);

/* rule_match() on a request target alone (no host, fields or source) */
int	rule_find(const struct service *, const char *subject, size_t len,
	    size_t *mstart, size_t *mlen);

/*
 * The answer of a rule with a return status, for ctx: status line,
 * Location (3xx, $host $path $query $target replaced), Content-Type,
 * Content-Length, "Connection: conn" unless conn is NULL, then the body
 * (none when head_only, for HEAD).  Returns the length, or -1 when out
 * is too small.
 */
long	rule_reply(const struct rule *, const struct rule_ctx *,
	    const char *conn, bool head_only, char *out, size_t outlen);
/* the body of r's answer (tmp holds a default one); *len its length */
const char *rule_body(const struct rule *, char *tmp, size_t tmplen,
	    size_t *len);
/* the Location of r for ctx, NUL-terminated; -1 when out is too small */
long	rule_location(const struct rule *, const struct rule_ctx *,
	    char *out, size_t outlen);

#endif /* TCPVS_RULE_H */
