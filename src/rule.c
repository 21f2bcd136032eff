/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Content rules (KTCPVS's "rule pattern ... server ..."), with PCRE2 in
 * place of KTCPVS's bundled regex.  conf.c compiles each pattern at load
 * in the master, JIT-compiled where the platform allows; workers match
 * request targets against a service's rules in order.  Matching uses one
 * block of match data per process, allocated on first use and grown only
 * when a rule asks for a match group beyond it, so the request path does
 * not allocate.  Patterns are plain 8-bit (no UTF mode): a request
 * target is bytes.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH	8

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pcre2.h>

#include "conf-t.h"
#include "rule.h"

#define RULE_MIN_PAIRS	16	/* match data ovector pairs, at least */

static pcre2_match_data	*md;	/* this process's match data */
static uint32_t		 md_pairs;

int
rule_compile(struct rule *r, char *err, size_t errlen)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	uint32_t groups;
	int ec;

	re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED, 0,
	    &ec, &off, NULL);
	if (re == NULL) {
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ec);
		snprintf(err, errlen, "invalid pattern '%s': %s at offset %zu",
		    r->pattern, (const char *)msg, (size_t)off);
		return -1;
	}
	if (pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups) != 0)
		groups = 0;
	if (r->match > groups) {
		snprintf(err, errlen, "pattern '%s' has no match group %u "
		    "(it has %u)", r->pattern, r->match, groups);
		pcre2_code_free(re);
		return -1;
	}
	/* JIT is an optimisation: without it the interpreter matches */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	r->re = re;
	return 0;
}

void
rule_free(struct rule *r)
{
	pcre2_code_free(r->re);
	r->re = NULL;
	free(r->pattern);
	r->pattern = NULL;
}

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

/* the span of group g after a successful match that returned rc */
static void
group_span(int rc, unsigned g, size_t *mstart, size_t *mlen)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

	/* rc 0: more groups than pairs, but g fits (room_for) */
	if ((rc > 0 && g >= (unsigned)rc) || ov[2 * g] == PCRE2_UNSET) {
		/* the group did not take part: an empty span */
		*mstart = ov[0];
		*mlen = 0;
		return;
	}
	*mstart = ov[2 * g];
	*mlen = ov[2 * g + 1] - ov[2 * g];
}

int
rule_find(const struct service *svc, const char *subject, size_t len,
    size_t *mstart, size_t *mlen)
{
	const struct rule *r;
	int rc;

	if (subject == NULL)
		subject = "";
	for (unsigned i = 0; i < svc->nrules; i++) {
		r = &svc->rules[i];
		if (r->re == NULL || room_for(r->match) == -1)
			continue;
		rc = pcre2_match(r->re, (PCRE2_SPTR)subject, len, 0, 0, md,
		    NULL);
		/* no match, or an error such as the match limit: next */
		if (rc < 0)
			continue;
		if (mstart != NULL && mlen != NULL)
			group_span(rc, r->match, mstart, mlen);
		return (int)i;
	}
	return -1;
}
