/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for sched_rr.c: the order of picks over a table of server
 * states (weight 0 configured or set at run time, down, drained,
 * disabled, excluded), an even share between the servers left when one
 * is skipped, and the cursor shared through the scoreboard by forked
 * processes.
 */
#include "config.h"

#include <check.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "sched_fixture.h"

#define NPICK	8

struct rr_case {
	const char	*what;
	unsigned	 n;
	unsigned	 weights[4];	/* configured */
	unsigned	 zero;		/* runtime weight set to 0 */
	unsigned	 down;		/* health down */
	unsigned	 drain;		/* admin drain */
	unsigned	 disabled;	/* admin disabled */
	uint64_t	 exclude;	/* excluded by the request */
	int		 expect[NPICK];
};

static const struct rr_case cases[] = {
	{ "all", 3, { 1, 1, 1 }, 0, 0, 0, 0, 0,
	    { 0, 1, 2, 0, 1, 2, 0, 1 } },
	{ "weights ignored", 3, { 5, 1, 2 }, 0, 0, 0, 0, 0,
	    { 0, 1, 2, 0, 1, 2, 0, 1 } },
	{ "configured weight 0", 3, { 1, 0, 1 }, 0, 0, 0, 0, 0,
	    { 0, 2, 0, 2, 0, 2, 0, 2 } },
	{ "runtime weight 0", 3, { 1, 1, 1 }, 0x1, 0, 0, 0, 0,
	    { 1, 2, 1, 2, 1, 2, 1, 2 } },
	{ "down", 3, { 1, 1, 1 }, 0, 0x2, 0, 0, 0,
	    { 0, 2, 0, 2, 0, 2, 0, 2 } },
	{ "drain", 3, { 1, 1, 1 }, 0, 0, 0x4, 0, 0,
	    { 0, 1, 0, 1, 0, 1, 0, 1 } },
	{ "disabled", 4, { 1, 1, 1, 1 }, 0, 0, 0, 0x1, 0,
	    { 1, 2, 3, 1, 2, 3, 1, 2 } },
	{ "excluded", 3, { 1, 1, 1 }, 0, 0, 0, 0, 0x2,
	    { 0, 2, 0, 2, 0, 2, 0, 2 } },
	{ "only one left", 4, { 1, 1, 1, 1 }, 0x1, 0x2, 0x8, 0, 0,
	    { 2, 2, 2, 2, 2, 2, 2, 2 } },
	{ "none left", 3, { 1, 1, 1 }, 0x1, 0x2, 0, 0, 0x4,
	    { -1, -1, -1, -1, -1, -1, -1, -1 } },
	{ "no servers", 0, { 0 }, 0, 0, 0, 0, 0,
	    { -1, -1, -1, -1, -1, -1, -1, -1 } },
};

START_TEST(test_cycle)
{
	const struct rr_case *c = &cases[_i];
	struct fixture *fx = fixture_new("rr", c->weights, c->n, NULL, 0);

	for (unsigned i = 0; i < c->n; i++) {
		if (c->zero & (1u << i))
			fixture_set_weight(fx, i, 0);
		if (c->down & (1u << i))
			fixture_set_health(fx, i, RS_HEALTH_DOWN);
		if (c->drain & (1u << i))
			fixture_set_admin(fx, i, RS_ADMIN_DRAIN);
		if (c->disabled & (1u << i))
			fixture_set_admin(fx, i, RS_ADMIN_DISABLED);
	}
	fx->req.exclude = c->exclude;
	for (unsigned k = 0; k < NPICK; k++)
		ck_assert_msg(fixture_pick(fx) == c->expect[k],
		    "%s: pick %u: expected %d", c->what, k, c->expect[k]);
	fixture_free(fx);
}
END_TEST

/* the runtime weight decides, not the configured one */
START_TEST(test_runtime_weight)
{
	static const unsigned w[] = { 1, 0, 1 };
	struct fixture *fx = fixture_new("rr", w, 3, NULL, 0);

	ck_assert_int_eq(fixture_pick(fx), 0);
	ck_assert_int_eq(fixture_pick(fx), 2);
	fixture_set_weight(fx, 1, 4);
	ck_assert_int_eq(fixture_pick(fx), 0);
	ck_assert_int_eq(fixture_pick(fx), 1);
	ck_assert_int_eq(fixture_pick(fx), 2);
	fixture_set_health(fx, 2, RS_HEALTH_UP);
	fixture_set_weight(fx, 0, 0);
	ck_assert_int_eq(fixture_pick(fx), 1);
	ck_assert_int_eq(fixture_pick(fx), 2);
	ck_assert_int_eq(fixture_pick(fx), 1);
	fixture_free(fx);
}
END_TEST

/*
 * A skipped server does not give its turn to one neighbour: the others
 * share evenly (IPVS continues after the last pick, it does not count).
 */
START_TEST(test_even_after_skip)
{
	static const unsigned w[] = { 1, 1, 1, 1 };
	struct fixture *fx = fixture_new("rr", w, 4, NULL, 0);
	unsigned counts[4];

	fixture_set_health(fx, 1, RS_HEALTH_DOWN);
	ck_assert_uint_eq(fixture_count(fx, 3000, counts), 0);
	ck_assert_uint_eq(counts[0], 1000);
	ck_assert_uint_eq(counts[1], 0);
	ck_assert_uint_eq(counts[2], 1000);
	ck_assert_uint_eq(counts[3], 1000);
	fixture_free(fx);
}
END_TEST

/* the state is one word in the scoreboard's scheduler bytes */
START_TEST(test_cursor_in_scoreboard)
{
	static const unsigned w[] = { 1, 1, 1 };
	struct fixture *fx = fixture_new("rr", w, 3, NULL, 0);
	_Atomic uint32_t *cursor = sb_sched(fx->sb,
	    (unsigned)fx->svc->sb_index);

	ck_assert_uint_ge(sched_rr.shm_size(fx->svc), sizeof(*cursor));
	ck_assert_int_eq(fixture_pick(fx), 0);
	ck_assert_uint_eq(atomic_load(cursor), 1);
	atomic_store(cursor, 2);
	ck_assert_int_eq(fixture_pick(fx), 2);
	ck_assert_uint_eq(atomic_load(cursor), 0);
	/* a cursor left by a larger service is taken modulo n */
	atomic_store(cursor, 7);
	ck_assert_int_eq(fixture_pick(fx), 1);
	fixture_free(fx);
}
END_TEST

/*
 * 4 processes x 1,000 picks over 3 servers.  One shared cursor walks a
 * single sequence of 4,000: 1334, 1333, 1333.  A cursor private to each
 * process would give 4 x (334, 333, 333) = 1336, 1332, 1332.
 */
START_TEST(test_processes)
{
	static const unsigned w[] = { 1, 1, 1 };
	struct fixture *fx = fixture_new("rr", w, 3, NULL, 0);
	_Atomic uint32_t *cursor = sb_sched(fx->sb,
	    (unsigned)fx->svc->sb_index);
	unsigned counts[3];

	ck_assert_uint_eq(fixture_fork_count(fx, 4, 1000, counts), 0);
	ck_assert_uint_eq(counts[0], 1334);
	ck_assert_uint_eq(counts[1], 1333);
	ck_assert_uint_eq(counts[2], 1333);
	ck_assert_uint_eq(atomic_load(cursor), 4000 % 3);
	fixture_free(fx);
}
END_TEST

static Suite *
rr_suite(void)
{
	Suite *s = suite_create("sched_rr");
	TCase *tc;

	tc = tcase_create("cycle");
	tcase_add_loop_test(tc, test_cycle, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_runtime_weight);
	tcase_add_test(tc, test_even_after_skip);
	suite_add_tcase(s, tc);

	tc = tcase_create("shared");
	tcase_add_test(tc, test_cursor_in_scoreboard);
	tcase_add_test(tc, test_processes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
