/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for sched_wrr.c: IPVS's interleaved order, the share each
 * weight gets, servers that must never be picked (weight 0, down,
 * excluded), runtime weight changes, and the state shared through the
 * scoreboard by forked processes.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "sched_fixture.h"

/* one IPVS cycle, repeated twice in the test */
struct order_case {
	unsigned	 n;
	unsigned	 weights[4];
	unsigned	 len;
	int		 cycle[16];
};

static const struct order_case orders[] = {
	/* ip_vs_wrr.c: cw 4: a; 3: a b; 2: a b c; 1: a b c */
	{ 3, { 4, 3, 2 }, 9, { 0, 0, 1, 0, 1, 2, 0, 1, 2 } },
	{ 2, { 3, 1 }, 4, { 0, 0, 0, 1 } },
	/* gcd 2: cw steps 4, 2 */
	{ 3, { 4, 2, 2 }, 4, { 0, 0, 1, 2 } },
	/* equal weights: plain round robin */
	{ 3, { 5, 5, 5 }, 3, { 0, 1, 2 } },
	/* the heaviest need not come first */
	{ 3, { 1, 2, 3 }, 6, { 2, 1, 2, 0, 1, 2 } },
};

START_TEST(test_ipvs_order)
{
	const struct order_case *c = &orders[_i];
	struct fixture *fx = fixture_new("wrr", c->weights, c->n, NULL, 0);

	for (unsigned k = 0; k < 2 * c->len; k++)
		ck_assert_msg(fixture_pick(fx) == c->cycle[k % c->len],
		    "case %d: pick %u: expected %d", _i, k,
		    c->cycle[k % c->len]);
	fixture_free(fx);
}
END_TEST

struct ratio_case {
	unsigned	 n;
	unsigned	 weights[4];
};

static const struct ratio_case ratios[] = {
	{ 2, { 3, 1 } },
	{ 3, { 5, 3, 1 } },
	{ 4, { 100, 10, 1, 50 } },
	{ 2, { 65535, 65534 } },
};

/* 4,000 picks: each server's share within 1% of the picks */
START_TEST(test_ratio)
{
	const struct ratio_case *c = &ratios[_i];
	struct fixture *fx = fixture_new("wrr", c->weights, c->n, NULL, 0);
	unsigned counts[4], sum = 0;
	const unsigned npicks = 4000;
	double want;

	for (unsigned i = 0; i < c->n; i++)
		sum += c->weights[i];
	ck_assert_uint_eq(fixture_count(fx, npicks, counts), 0);
	for (unsigned i = 0; i < c->n; i++) {
		want = (double)npicks * c->weights[i] / sum;
		ck_assert_msg(counts[i] >= want - npicks / 100.0 &&
		    counts[i] <= want + npicks / 100.0,
		    "case %d: server %u: %u picks, want %.1f", _i, i,
		    counts[i], want);
	}
	fixture_free(fx);
}
END_TEST

struct never_case {
	const char	*what;
	unsigned	 weights[3];
	unsigned	 zero;		/* runtime weight set to 0 */
	unsigned	 down;
	uint64_t	 exclude;
	unsigned	 expect[3];	/* counts over 600 picks */
};

static const struct never_case nevers[] = {
	{ "configured 0", { 2, 0, 1 }, 0, 0, 0, { 400, 0, 200 } },
	{ "runtime 0", { 2, 5, 1 }, 0x2, 0, 0, { 400, 0, 200 } },
	{ "down", { 2, 5, 1 }, 0, 0x2, 0, { 400, 0, 200 } },
	{ "excluded", { 2, 5, 1 }, 0, 0, 0x2, { 400, 0, 200 } },
	{ "heaviest excluded", { 1, 65535, 1 }, 0, 0, 0x2, { 300, 0, 300 } },
	{ "all but one", { 2, 5, 1 }, 0x1, 0x4, 0, { 0, 600, 0 } },
	{ "none", { 2, 5, 1 }, 0x1, 0x4, 0x2, { 0, 0, 0 } },
};

START_TEST(test_never)
{
	const struct never_case *c = &nevers[_i];
	struct fixture *fx = fixture_new("wrr", c->weights, 3, NULL, 0);
	unsigned counts[3], none;

	for (unsigned i = 0; i < 3; i++) {
		if (c->zero & (1u << i))
			fixture_set_weight(fx, i, 0);
		if (c->down & (1u << i))
			fixture_set_health(fx, i, RS_HEALTH_DOWN);
	}
	fx->req.exclude = c->exclude;
	none = fixture_count(fx, 600, counts);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_msg(counts[i] == c->expect[i], "%s: server %u: %u "
		    "picks, want %u", c->what, i, counts[i], c->expect[i]);
	ck_assert_uint_eq(none, c->expect[0] + c->expect[1] +
	    c->expect[2] == 0 ? 600 : 0);
	fixture_free(fx);
}
END_TEST

/* weights set in the scoreboard at run time take effect at once */
START_TEST(test_runtime_weight)
{
	static const unsigned w[] = { 1, 1 };
	struct fixture *fx = fixture_new("wrr", w, 2, NULL, 0);
	unsigned counts[2];

	ck_assert_uint_eq(fixture_count(fx, 1000, counts), 0);
	ck_assert_uint_eq(counts[0], 500);
	ck_assert_uint_eq(counts[1], 500);
	fixture_set_weight(fx, 1, 3);
	ck_assert_uint_eq(fixture_count(fx, 1000, counts), 0);
	ck_assert_uint_le(counts[0], 251);
	ck_assert_uint_ge(counts[0], 249);
	fixture_set_weight(fx, 0, 0);
	ck_assert_uint_eq(fixture_count(fx, 100, counts), 0);
	ck_assert_uint_eq(counts[1], 100);
	fixture_free(fx);
}
END_TEST

/*
 * 4 processes x 1,000 picks at weights 2:1 (cycle a a b).  The shared
 * state walks one sequence of 4,000 picks: 2667, 1333.  State private to
 * each process would give 4 x (667, 333) = 2668, 1332.
 */
START_TEST(test_processes)
{
	static const unsigned w[] = { 2, 1 };
	struct fixture *fx = fixture_new("wrr", w, 2, NULL, 0);
	unsigned counts[2];

	ck_assert_uint_ge(sched_wrr.shm_size(fx->svc), sizeof(uint64_t));
	ck_assert_uint_eq(fixture_fork_count(fx, 4, 1000, counts), 0);
	ck_assert_uint_eq(counts[0], 2667);
	ck_assert_uint_eq(counts[1], 1333);
	/* the parent continues the same sequence: picks 4,001 and 4,002 */
	ck_assert_int_eq(fixture_pick(fx), 0);
	ck_assert_int_eq(fixture_pick(fx), 1);
	fixture_free(fx);
}
END_TEST

static Suite *
wrr_suite(void)
{
	Suite *s = suite_create("sched_wrr");
	TCase *tc;

	tc = tcase_create("order");
	tcase_add_loop_test(tc, test_ipvs_order, 0,
	    (int)(sizeof(orders) / sizeof(orders[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("ratio");
	tcase_add_loop_test(tc, test_ratio, 0,
	    (int)(sizeof(ratios) / sizeof(ratios[0])));
	tcase_add_test(tc, test_runtime_weight);
	suite_add_tcase(s, tc);

	tc = tcase_create("never");
	tcase_add_loop_test(tc, test_never, 0,
	    (int)(sizeof(nevers) / sizeof(nevers[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("shared");
	tcase_add_test(tc, test_processes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wrr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
