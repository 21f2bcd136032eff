/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for rule.c: compile errors with PCRE2's message and offset,
 * match groups that do not exist, the first matching rule winning, the
 * span of the match group, subjects bounded by their length rather than
 * a NUL, and match data growing for a rule with many groups; then every
 * condition (host, method, header, cookie, source, query) alone and
 * together on parsed requests, IPv4 and IPv6 networks, and the answers
 * of return rules with their Location variables.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "cidr.h"
#include "conf-t.h"
#include "conf.h"
#include "http.h"
#include "rule.h"

static void
set_pattern(struct rule *r, const char *pattern, unsigned match)
{
	memset(r, 0, sizeof(*r));
	r->pattern = strdup(pattern);
	ck_assert_ptr_nonnull(r->pattern);
	r->match = match;
}

static const struct {
	const char	*pattern;
	unsigned	 match;
	const char	*msg;
} bad[] = {
	{ "(", 0,
	    "invalid pattern '(': missing closing parenthesis at offset 1" },
	{ "[a", 0, "invalid pattern '[a': missing terminating ] for "
	    "character class at offset 2" },
	{ "a{2,1}", 0, "invalid pattern 'a{2,1}': numbers out of order in {} "
	    "quantifier at offset 5" },
	{ "^/x)", 0, "invalid pattern '^/x)': unmatched closing parenthesis "
	    "at offset 3" },
	{ "*a", 0, "invalid pattern '*a': quantifier does not follow a "
	    "repeatable item at offset 0" },
	{ "^/img/", 1, "pattern '^/img/' has no match group 1 (it has 0)" },
	{ "^/(a)(b)", 3, "pattern '^/(a)(b)' has no match group 3 (it has 2)" },
};

START_TEST(test_compile_error)
{
	struct rule r;
	char err[256];

	set_pattern(&r, bad[_i].pattern, bad[_i].match);
	ck_assert_int_eq(rule_compile(&r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, bad[_i].msg);
	ck_assert_ptr_null(r.re);
	rule_free(&r);
}
END_TEST

START_TEST(test_compile_truncated)
{
	struct rule r;
	char err[16];

	set_pattern(&r, "(", 0);
	ck_assert_int_eq(rule_compile(&r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "invalid pattern");
	rule_free(&r);
}
END_TEST

START_TEST(test_compile_free)
{
	struct rule r;
	char err[256];

	set_pattern(&r, "^/(\\w+)/", 1);
	ck_assert_int_eq(rule_compile(&r, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(r.re);
	rule_free(&r);
	ck_assert_ptr_null(r.re);
	ck_assert_ptr_null(r.pattern);
}
END_TEST

static const struct {
	const char	*pattern;
	unsigned	 match;
} rules[] = {
	{ "^/img/([a-z]+)", 1 },
	{ "^/u/([0-9]+)/(\\w+)", 2 },
	{ "\\.php(\\?|$)", 0 },
	{ "^/opt(/x)?", 1 },
	{ "^/$", 0 },
};

#define NRULES	(sizeof(rules) / sizeof(rules[0]))

static struct service *
make_service(void)
{
	struct service *svc = calloc(1, sizeof(*svc));
	char err[256];

	ck_assert_ptr_nonnull(svc);
	svc->rules = calloc(NRULES, sizeof(*svc->rules));
	ck_assert_ptr_nonnull(svc->rules);
	for (size_t i = 0; i < NRULES; i++) {
		set_pattern(&svc->rules[i], rules[i].pattern, rules[i].match);
		ck_assert_msg(rule_compile(&svc->rules[i], err,
		    sizeof(err)) == 0, "%s", err);
		svc->nrules++;
	}
	return svc;
}

static void
free_service(struct service *svc)
{
	for (unsigned i = 0; i < svc->nrules; i++)
		rule_free(&svc->rules[i]);
	free(svc->rules);
	free(svc);
}

static const struct {
	const char	*subject;
	int		 rule;
	const char	*group;		/* the match group's text */
} finds[] = {
	{ "/img/cat.png", 0, "cat" },
	{ "/u/42/profile?x=1", 1, "profile" },
	{ "/index.php", 2, ".php" },
	{ "/index.php?q=1", 2, ".php?" },
	/* the first matching rule wins: rule 2 matches too */
	{ "/img/x.php", 0, "x" },
	{ "/u/7/a.php", 1, "a" },
	/* a group that took no part: an empty span */
	{ "/opt", 3, "" },
	{ "/opt/x", 3, "/x" },
	{ "/", 4, "/" },
	{ "/img/", -1, NULL },
	{ "/u/x/profile", -1, NULL },
	{ "/index.phpx", -1, NULL },
	{ "", -1, NULL },
};

START_TEST(test_find)
{
	struct service *svc = make_service();
	const char *subj = finds[_i].subject;
	size_t len = strlen(subj), ms = 99, ml = 99;
	/* exactly len bytes, no NUL: ASan sees a read past the end */
	char *copy = malloc(len != 0 ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, subj, len);
	r = rule_find(svc, copy, len, &ms, &ml);
	ck_assert_msg(r == finds[_i].rule, "'%s': rule %d, expected %d", subj,
	    r, finds[_i].rule);
	if (r != -1) {
		ck_assert_uint_le(ms + ml, len);
		ck_assert_uint_eq(ml, strlen(finds[_i].group));
		ck_assert_msg(memcmp(copy + ms, finds[_i].group, ml) == 0,
		    "'%s': group '%.*s'", subj, (int)ml, copy + ms);
	}
	/* without span pointers, the same rule */
	ck_assert_int_eq(rule_find(svc, copy, len, NULL, NULL), r);
	free(copy);
	free_service(svc);
}
END_TEST

/* the subject ends at len, not at a NUL */
START_TEST(test_find_len)
{
	struct service *svc = make_service();
	const char buf[] = "/index.php/more";
	size_t ms, ml;

	ck_assert_int_eq(rule_find(svc, buf, 10, &ms, &ml), 2);
	ck_assert_uint_eq(ms, 6);
	ck_assert_uint_eq(ml, 4);
	ck_assert_int_eq(rule_find(svc, buf, strlen(buf), &ms, &ml), -1);
	ck_assert_int_eq(rule_find(svc, "/", 1, NULL, NULL), 4);
	ck_assert_int_eq(rule_find(svc, "/x", 1, NULL, NULL), 4);
	ck_assert_int_eq(rule_find(svc, NULL, 0, NULL, NULL), -1);
	free_service(svc);
}
END_TEST

START_TEST(test_no_rules)
{
	struct service *svc = calloc(1, sizeof(*svc));

	ck_assert_ptr_nonnull(svc);
	ck_assert_int_eq(rule_find(svc, "/", 1, NULL, NULL), -1);
	free(svc);
}
END_TEST

/* a group number beyond the first match data makes it grow */
START_TEST(test_many_groups)
{
	struct service *small = make_service(), *big;
	char pat[256] = "^", err[256];
	const char *subj = "abcdefghijklmnopqrstuvwxyz";
	size_t ms, ml;

	ck_assert_int_eq(rule_find(small, "/img/a", 6, &ms, &ml), 0);
	for (int i = 0; i < 26; i++)
		strcat(pat, (char[]){ '(', (char)('a' + i), ')', '\0' });
	big = calloc(1, sizeof(*big));
	ck_assert_ptr_nonnull(big);
	big->rules = calloc(1, sizeof(*big->rules));
	ck_assert_ptr_nonnull(big->rules);
	set_pattern(&big->rules[0], pat, 25);
	ck_assert_msg(rule_compile(&big->rules[0], err, sizeof(err)) == 0,
	    "%s", err);
	big->nrules = 1;
	ck_assert_int_eq(rule_find(big, subj, 26, &ms, &ml), 0);
	ck_assert_uint_eq(ms, 24);
	ck_assert_uint_eq(ml, 1);
	/* and the first service still matches with the grown data */
	ck_assert_int_eq(rule_find(small, "/u/1/zz", 7, &ms, &ml), 1);
	ck_assert_uint_eq(ms, 5);
	ck_assert_uint_eq(ml, 2);
	free_service(big);
	free_service(small);
}
END_TEST


/*
 * Conditions, on services loaded from tcpvs.conf text.
 */

static struct generation *
load_rules(const char *text_rules)
{
	char text[8192], *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	struct generation *g;

	snprintf(text, sizeof(text), "virtual web {\n"
	    "    scheduler = \"http\"\n"
	    "    server \"127.0.0.1:18081\" { }\n"
	    "    server \"127.0.0.1:18082\" { }\n%s\n}\n", text_rules);
	g = conf_load_buf("rules.conf", text, f);
	fclose(f);
	ck_assert_msg(g != NULL, "rejected: %s", errs);
	free(errs);
	return g;
}

/* the rule a request (its head) from source matches, or -1 */
static int
match_req(const struct service *svc, const char *head, const char *source)
{
	static struct http_req req;
	struct http_limits lim = { 8192, 16384, 100 };
	struct sockaddr_storage ss;
	struct rule_ctx ctx;

	memset(&ss, 0, sizeof(ss));
	if (strchr(source, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, source, &s6->sin6_addr),
		    1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, source, &s4->sin_addr), 1);
	}
	ck_assert_msg(http_parse_request(head, strlen(head), &lim, &req) ==
	    HTTP_OK, "%s: %s", head, req.reason);
	rule_ctx_init(&ctx, &req, head, (struct sockaddr *)&ss);
	return rule_match(svc, &ctx, NULL, NULL);
}

#define S1	"server = \"127.0.0.1:18081\""
#define S2	"server = \"127.0.0.1:18082\""

static const struct {
	const char	*rules;
	const char	*head;
	const char	*source;
	int		 rule;
} conds[] = {
	/* no condition: everything */
	{ "rule { " S1 " }", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4",
	    0 },
	/* host: exact, case and port ignored */
	{ "rule { host = \"api.example.com\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: API.Example.COM:8080\r\n\r\n", "1.2.3.4",
	    0 },
	{ "rule { host = \"api.example.com\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "1.2.3.4", -1 },
	{ "rule { host = \"api.example.com\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: api.example.com.evil\r\n\r\n", "1.2.3.4",
	    -1 },
	/* a list: any one */
	{ "rule { host = {\"a.test\", \"b.test\"} " S1 " }",
	    "GET / HTTP/1.1\r\nHost: b.test\r\n\r\n", "1.2.3.4", 0 },
	/* wildcard: one label or more, never the bare domain */
	{ "rule { host = \"*.example.com\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a.b.example.com\r\n\r\n", "1.2.3.4", 0 },
	{ "rule { host = \"*.example.com\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "1.2.3.4", -1 },
	{ "rule { host = \"*.example.com\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: badexample.com\r\n\r\n", "1.2.3.4", -1 },
	/* regex, without regard to case, port stripped */
	{ "rule { host = \"~^(www|web)[0-9]*\\\\.test$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: WEB12.test:81\r\n\r\n", "1.2.3.4", 0 },
	{ "rule { host = \"~^(www|web)[0-9]*\\\\.test$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: api.test\r\n\r\n", "1.2.3.4", -1 },
	/* IPv6 literal host with port */
	{ "rule { host = \"[::1]\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "1.2.3.4", 0 },
	/* absolute-form: its authority wins over Host */
	{ "rule { host = \"a.test\" " S1 " } rule { " S2 " }",
	    "GET http://a.test/x HTTP/1.1\r\nHost: b.test\r\n\r\n", "1.2.3.4",
	    0 },
	{ "rule { host = \"b.test\" " S1 " } rule { " S2 " }",
	    "GET http://a.test/x HTTP/1.1\r\nHost: b.test\r\n\r\n", "1.2.3.4",
	    1 },
	/* and its pattern sees the origin-form target */
	{ "rule { pattern = \"^/x$\" " S1 " }",
	    "GET http://a.test/x HTTP/1.1\r\nHost: b.test\r\n\r\n", "1.2.3.4",
	    0 },
	/* method: case-sensitive */
	{ "rule { method = {\"POST\", \"PUT\"} " S1 " }",
	    "PUT / HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4", 0 },
	{ "rule { method = \"POST\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4", -1 },
	{ "rule { method = \"POST\" " S1 " }",
	    "post / HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4", -1 },
	/* header: name without regard to case, any field of the name */
	{ "rule { header = \"X-Beta: ^(1|yes)$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nx-beta: no\r\nX-BETA: yes\r\n\r\n",
	    "1.2.3.4", 0 },
	{ "rule { header = \"X-Beta: ^(1|yes)$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nX-Beta: 2\r\n\r\n", "1.2.3.4", -1 },
	{ "rule { header = \"X-Beta: .*\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4", -1 },
	/* several headers: all */
	{ "rule { header = {\"A: 1\", \"B: 2\"} " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n\r\n", "1.2.3.4", -1 },
	{ "rule { header = {\"A: 1\", \"B: 2\"} " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nB: 2\r\nA: 1\r\n\r\n", "1.2.3.4",
	    0 },
	/* cookie: exact name, value regex, in any Cookie field */
	{ "rule { cookie = \"beta: ^on$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nCookie: x=1; beta=on; y=2\r\n\r\n",
	    "1.2.3.4", 0 },
	{ "rule { cookie = \"beta: ^on$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nCookie: x=1\r\nCookie: beta=on\r\n"
	    "\r\n", "1.2.3.4", 0 },
	{ "rule { cookie = \"beta: ^on$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nCookie: xbeta=on; beta=off\r\n\r\n",
	    "1.2.3.4", -1 },
	{ "rule { cookie = \"beta: ^on$\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\nX-Cookie: beta=on\r\n\r\n",
	    "1.2.3.4", -1 },
	/* source: IPv4 and IPv6 networks, mapped addresses as IPv4 */
	{ "rule { source = \"10.0.0.0/8\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "10.200.1.2", 0 },
	{ "rule { source = \"10.0.0.0/8\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "11.0.0.1", -1 },
	{ "rule { source = {\"192.0.2.0/25\", \"2001:db8::/32\"} " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "2001:db8:1::5", 0 },
	{ "rule { source = {\"192.0.2.0/25\", \"2001:db8::/32\"} " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "192.0.2.128", -1 },
	{ "rule { source = {\"192.0.2.0/25\", \"2001:db8::/32\"} " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "2001:db9::1", -1 },
	{ "rule { source = \"127.0.0.2\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "::ffff:127.0.0.2", 0 },
	{ "rule { source = \"127.0.0.2\" " S1 " }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "127.0.0.1", -1 },
	/* query */
	{ "rule { query = \"(^|&)debug=1(&|$)\" " S1 " }",
	    "GET /a?x=2&debug=1 HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4", 0 },
	{ "rule { query = \"(^|&)debug=1(&|$)\" " S1 " }",
	    "GET /a?debug=10 HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4", -1 },
	{ "rule { query = \"^$\" " S1 " }",
	    "GET /a HTTP/1.1\r\nHost: a\r\n\r\n", "1.2.3.4", 0 },
	/* combined: every one must hold; the first rule that holds wins */
	{ "rule { host = \"api.test\" method = \"POST\" source = \"10.0.0.0/8\""
	    " header = \"X-K: ^k$\" " S1 " } rule { host = \"api.test\" " S2
	    " }", "POST /x HTTP/1.1\r\nHost: api.test\r\nX-K: k\r\n"
	    "Content-Length: 0\r\n\r\n", "10.1.1.1", 0 },
	{ "rule { host = \"api.test\" method = \"POST\" source = \"10.0.0.0/8\""
	    " header = \"X-K: ^k$\" " S1 " } rule { host = \"api.test\" " S2
	    " }", "POST /x HTTP/1.1\r\nHost: api.test\r\nX-K: k\r\n"
	    "Content-Length: 0\r\n\r\n", "11.1.1.1", 1 },
	{ "rule { host = \"api.test\" pattern = \"^/v2/\" " S1 " } rule { "
	    "host = \"api.test\" " S2 " }",
	    "GET /v1/x HTTP/1.1\r\nHost: api.test\r\n\r\n", "1.2.3.4", 1 },
	{ "rule { host = \"api.test\" pattern = \"^/v2/\" " S1 " } rule { "
	    "host = \"api.test\" " S2 " }",
	    "GET /v2/x HTTP/1.1\r\nHost: other.test\r\n\r\n", "1.2.3.4", -1 },
};

START_TEST(test_condition)
{
	struct generation *g = load_rules(conds[_i].rules);
	int r = match_req(&g->svc[0], conds[_i].head, conds[_i].source);

	ck_assert_msg(r == conds[_i].rule, "case %d: rule %d, expected %d",
	    _i, r, conds[_i].rule);
	conf_free(g);
}
END_TEST

/* cidr_parse: what is accepted, masked, and refused */
START_TEST(test_cidr)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} c[] = {
		{ "10.1.2.3/8", "10.0.0.0/8" },
		{ "192.0.2.7", "192.0.2.7/32" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "2001:db8:ffff::1/33", "2001:db8:8000::/33" },
		{ "::1", "::1/128" },
		{ "10.0.0.0/33", NULL },
		{ "::/129", NULL },
		{ "10.0.0.0/", NULL },
		{ "10.0.0.0/-1", NULL },
		{ "example.com", NULL },
		{ "", NULL },
	};
	struct cidr x;
	char buf[64], err[128];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = cidr_parse(c[i].in, &x, err, sizeof(err));

		if (c[i].out == NULL) {
			ck_assert_msg(rc == -1, "'%s' accepted", c[i].in);
			continue;
		}
		ck_assert_msg(rc == 0, "'%s': %s", c[i].in, err);
		cidr_format(&x, buf, sizeof(buf));
		ck_assert_str_eq(buf, c[i].out);
	}
}
END_TEST

/*
 * return: the answers, and the Location variables.
 */

static const struct {
	const char	*rules;
	const char	*head;
	const char	*reply;
} replies[] = {
	{ "rule { return = 301 location = \"https://$host$target\" }",
	    "GET /a/b?x=1 HTTP/1.1\r\nHost: www.test:8080\r\n\r\n",
	    "HTTP/1.1 301 Moved Permanently\r\n"
	    "Location: https://www.test/a/b?x=1\r\n"
	    "Content-Length: 0\r\n\r\n" },
	{ "rule { return = 308 location = \"https://new.test$path?q=$query&p\" }",
	    "GET http://old.test/p%20q?k=v#frag HTTP/1.1\r\nHost: x\r\n\r\n",
	    "HTTP/1.1 308 Permanent Redirect\r\n"
	    "Location: https://new.test/p%20q?q=k=v&p\r\n"
	    "Content-Length: 0\r\n\r\n" },
	{ "rule { return = 302 location = \"/login?$x$\" }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    "HTTP/1.1 302 Found\r\nLocation: /login?$x$\r\n"
	    "Content-Length: 0\r\n\r\n" },
	{ "rule { return = 403 }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 14\r\n\r\n403 Forbidden\n" },
	{ "rule { return = 410 body = \"gone for good\" }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    "HTTP/1.1 410 Gone\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 13\r\n\r\ngone for good" },
	{ "rule { return = 204 }",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    "HTTP/1.1 204 No Content\r\n\r\n" },
};

START_TEST(test_reply)
{
	struct generation *g = load_rules(replies[_i].rules);
	struct http_limits lim = { 8192, 16384, 100 };
	const char *head = replies[_i].head;
	static struct http_req req;
	struct rule_ctx ctx;
	char out[512];
	long n;

	ck_assert_int_eq(http_parse_request(head, strlen(head), &lim, &req),
	    HTTP_OK);
	rule_ctx_init(&ctx, &req, head, NULL);
	ck_assert_int_eq(rule_match(&g->svc[0], &ctx, NULL, NULL), 0);
	n = rule_reply(&g->svc[0].rules[0], &ctx, NULL, false, out,
	    sizeof(out));
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	ck_assert_str_eq(out, replies[_i].reply);
	/* too small a buffer: -1, never a cut answer */
	ck_assert_int_eq(rule_reply(&g->svc[0].rules[0], &ctx, NULL, false,
	    out, (size_t)n - 1), -1);
	conf_free(g);
}
END_TEST

/* HEAD: the same fields, no body; the Connection field when asked */
START_TEST(test_reply_head)
{
	struct generation *g = load_rules("rule { return = 403 }");
	const char *head = "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_limits lim = { 8192, 16384, 100 };
	static struct http_req req;
	struct rule_ctx ctx;
	char out[512];
	long n;

	ck_assert_int_eq(http_parse_request(head, strlen(head), &lim, &req),
	    HTTP_OK);
	rule_ctx_init(&ctx, &req, head, NULL);
	n = rule_reply(&g->svc[0].rules[0], &ctx, "close", true, out,
	    sizeof(out));
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 403 Forbidden\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 14\r\n"
	    "Connection: close\r\n\r\n");
	conf_free(g);
}
END_TEST

/* the scheduler never picks a server for a rule that answers itself */
START_TEST(test_return_not_scheduled)
{
	struct generation *g = load_rules("rule { pattern = \"^/deny\" "
	    "return = 403 } rule { " S1 " }");

	ck_assert_int_eq(match_req(&g->svc[0], "GET /deny HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", "1.2.3.4"), 0);
	ck_assert_int_eq(match_req(&g->svc[0], "GET /ok HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", "1.2.3.4"), 1);
	conf_free(g);
}
END_TEST

static Suite *
rule_suite(void)
{
	Suite *s = suite_create("rule");
	TCase *tc;

	tc = tcase_create("compile");
	tcase_add_loop_test(tc, test_compile_error, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_compile_truncated);
	tcase_add_test(tc, test_compile_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("find");
	tcase_add_loop_test(tc, test_find, 0,
	    (int)(sizeof(finds) / sizeof(finds[0])));
	tcase_add_test(tc, test_find_len);
	tcase_add_test(tc, test_no_rules);
	tcase_add_test(tc, test_many_groups);
	suite_add_tcase(s, tc);

	tc = tcase_create("conditions");
	tcase_add_loop_test(tc, test_condition, 0,
	    (int)(sizeof(conds) / sizeof(conds[0])));
	tcase_add_test(tc, test_cidr);
	suite_add_tcase(s, tc);

	tc = tcase_create("return");
	tcase_add_loop_test(tc, test_reply, 0,
	    (int)(sizeof(replies) / sizeof(replies[0])));
	tcase_add_test(tc, test_reply_head);
	tcase_add_test(tc, test_return_not_scheduled);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rule_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
