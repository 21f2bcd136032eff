/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Content rules: PCRE2 compile at load, match against a request target on
 * the request path with per-process match data (no malloc per request).
 */
#ifndef TCPVS_RULE_H
#define TCPVS_RULE_H

#include <stddef.h>

struct rule;
struct service;

/*
 * Compile r->pattern into r->re.  Returns 0, or -1 with PCRE2's message
 * and the offset in err: "invalid pattern '(': missing closing
 * parenthesis at offset 1".
 */
int	rule_compile(struct rule *, char *err, size_t errlen);
void	rule_free(struct rule *);

/*
 * Index of the first rule of svc whose pattern matches subject[0..len), or
 * -1.  With mstart/mlen non-NULL, the span of the rule's match group
 * (r->match, 0 = whole match) is returned through them.
 */
int	rule_find(const struct service *, const char *subject, size_t len,
	    size_t *mstart, size_t *mlen);

#endif /* TCPVS_RULE_H */
