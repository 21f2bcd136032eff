/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for sched_lc.c: the choice by the active counts set in the
 * scoreboard, ties, weights ignored (except 0), servers that must never
 * be picked, and counts that change between calls.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "sched_fixture.h"

struct lc_case {
	const char	*what;
	unsigned	 n;
	unsigned	 weights[4];
	uint32_t	 active[4];
	unsigned	 down;
	unsigned	 drain;
	uint64_t	 exclude;
	int		 expect;
	int		 again;		/* the next pick */
};

static const struct lc_case cases[] = {
	{ "least", 3, { 1, 1, 1 }, { 3, 1, 2 }, 0, 0, 0, 1, 1 },
	{ "last is least", 4, { 1, 1, 1, 1 }, { 3, 3, 3, 2 }, 0, 0, 0, 3, 3 },
	{ "all idle: in turn", 3, { 1, 1, 1 }, { 0, 0, 0 }, 0, 0, 0, 0, 1 },
	{ "tie: in turn", 3, { 1, 1, 1 }, { 2, 1, 1 }, 0, 0, 0, 1, 2 },
	{ "weights ignored", 2, { 1, 10 }, { 1, 2 }, 0, 0, 0, 0, 0 },
	{ "weight 0 skipped", 3, { 1, 0, 1 }, { 3, 0, 2 }, 0, 0, 0, 2, 2 },
	{ "down skipped", 3, { 1, 1, 1 }, { 3, 1, 2 }, 0x2, 0, 0, 2, 2 },
	{ "drain skipped", 3, { 1, 1, 1 }, { 3, 1, 2 }, 0, 0x2, 0, 2, 2 },
	{ "excluded skipped", 3, { 1, 1, 1 }, { 3, 1, 2 }, 0, 0, 0x6, 0, 0 },
	{ "large counts", 2, { 1, 1 }, { 4000000000u, 3999999999u }, 0, 0,
	    0, 1, 1 },
	{ "none", 2, { 1, 1 }, { 0, 0 }, 0x1, 0x2, 0, -1, -1 },
	{ "no servers", 0, { 0 }, { 0 }, 0, 0, 0, -1, -1 },
};

START_TEST(test_choice)
{
	const struct lc_case *c = &cases[_i];
	struct fixture *fx = fixture_new("lc", c->weights, c->n, NULL, 0);

	for (unsigned i = 0; i < c->n; i++) {
		fixture_set_active(fx, i, c->active[i]);
		if (c->down & (1u << i))
			fixture_set_health(fx, i, RS_HEALTH_DOWN);
		if (c->drain & (1u << i))
			fixture_set_admin(fx, i, RS_ADMIN_DRAIN);
	}
	fx->req.exclude = c->exclude;
	ck_assert_msg(fixture_pick(fx) == c->expect, "%s: expected %d",
	    c->what, c->expect);
	/* ties are taken in turn; a single least is taken again */
	ck_assert_msg(fixture_pick(fx) == c->again, "%s: again, expected %d",
	    c->what, c->again);
	fixture_free(fx);
}
END_TEST

/* each pick counted as a connection spreads the load evenly */
START_TEST(test_follows_counts)
{
	static const unsigned w[] = { 1, 1, 1 };
	struct fixture *fx = fixture_new("lc", w, 3, NULL, 0);
	struct sb_server *s;
	int i;

	fixture_set_active(fx, 0, 5);
	for (unsigned k = 0; k < 10; k++) {
		ck_assert_int_ne(i = fixture_pick(fx), -1);
		s = fixture_server(fx, (unsigned)i);
		fixture_set_active(fx, (unsigned)i, s->active + 1);
	}
	/* 10 picks fill 1 and 2 up to 5 each; 0 was never needed */
	ck_assert_uint_eq(fixture_server(fx, 0)->active, 5);
	ck_assert_uint_eq(fixture_server(fx, 1)->active, 5);
	ck_assert_uint_eq(fixture_server(fx, 2)->active, 5);
	fixture_free(fx);
}
END_TEST

static Suite *
lc_suite(void)
{
	Suite *s = suite_create("sched_lc");
	TCase *tc;

	tc = tcase_create("choice");
	tcase_add_loop_test(tc, test_choice, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_follows_counts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
