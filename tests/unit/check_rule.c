/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for rule.c: compile errors with PCRE2's message and offset,
 * match groups that do not exist, the first matching rule winning, the
 * span of the match group, subjects bounded by their length rather than
 * a NUL, and match data growing for a rule with many groups.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conf-t.h"
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
