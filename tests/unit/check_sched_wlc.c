/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for sched_wlc.c and the parts of sched.c it rests on: the
 * choice by active count per weight (cross multiplied in 64 bits), ties,
 * servers that must never be picked, sched_pick_least() over a mask,
 * sched_available() and sched_all(), and the registry (sched_lookup,
 * sched_names).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched_fixture.h"

struct wlc_case {
	const char	*what;
	unsigned	 n;
	unsigned	 weights[4];
	uint32_t	 active[4];
	unsigned	 down;
	uint64_t	 exclude;
	int		 expect;
};

static const struct wlc_case cases[] = {
	/* 2/3 < 1/1 */
	{ "weight counts", 2, { 3, 1 }, { 2, 1 }, 0, 0, 0 },
	{ "equal weights", 2, { 1, 1 }, { 2, 1 }, 0, 0, 1 },
	/* 2/3 < 1/1 with the heavier second */
	{ "heavier second", 2, { 1, 3 }, { 1, 2 }, 0, 0, 1 },
	/* 1/2 == 2/4: in turn by weight, the heavier first */
	{ "tie: heavier first", 2, { 2, 4 }, { 1, 2 }, 0, 0, 1 },
	{ "all idle: heaviest first", 3, { 1, 5, 9 }, { 0, 0, 0 }, 0, 0, 2 },
	{ "weight 0 skipped", 3, { 1, 0, 1 }, { 3, 0, 2 }, 0, 0, 2 },
	{ "down skipped", 3, { 1, 1, 1 }, { 3, 1, 2 }, 0x2, 0, 2 },
	{ "excluded skipped", 3, { 1, 1, 1 }, { 3, 1, 2 }, 0, 0x2, 2 },
	/* 65538 * 65535 wraps in 32 bits and would pick 0 */
	{ "64-bit products", 2, { 65535, 65535 }, { 65538, 65537 }, 0, 0, 1 },
	{ "largest values", 2, { 65535, 65535 },
	    { 4294967295u, 4294967294u }, 0, 0, 1 },
	{ "none", 2, { 1, 1 }, { 0, 0 }, 0x1, 0x2, -1 },
	{ "no servers", 0, { 0 }, { 0 }, 0, 0, -1 },
};

START_TEST(test_choice)
{
	const struct wlc_case *c = &cases[_i];
	struct fixture *fx = fixture_new("wlc", c->weights, c->n, NULL, 0);

	for (unsigned i = 0; i < c->n; i++) {
		fixture_set_active(fx, i, c->active[i]);
		if (c->down & (1u << i))
			fixture_set_health(fx, i, RS_HEALTH_DOWN);
	}
	fx->req.exclude = c->exclude;
	ck_assert_msg(fixture_pick(fx) == c->expect, "%s: expected %d",
	    c->what, c->expect);
	fixture_free(fx);
}
END_TEST

/* the runtime weight in the scoreboard, not the configured one */
START_TEST(test_runtime_weight)
{
	static const unsigned w[] = { 1, 1 };
	struct fixture *fx = fixture_new("wlc", w, 2, NULL, 0);

	fixture_set_active(fx, 0, 2);
	fixture_set_active(fx, 1, 1);
	ck_assert_int_eq(fixture_pick(fx), 1);
	fixture_set_weight(fx, 0, 3);
	ck_assert_int_eq(fixture_pick(fx), 0);
	fixture_set_weight(fx, 0, 0);
	fixture_set_active(fx, 1, 100);
	ck_assert_int_eq(fixture_pick(fx), 1);
	fixture_free(fx);
}
END_TEST

/* picks counted as connections fill servers in proportion to weight */
START_TEST(test_proportional)
{
	static const unsigned w[] = { 1, 3, 2 };
	struct fixture *fx = fixture_new("wlc", w, 3, NULL, 0);
	int i;

	for (unsigned k = 0; k < 600; k++) {
		ck_assert_int_ne(i = fixture_pick(fx), -1);
		fixture_set_active(fx, (unsigned)i,
		    fixture_server(fx, (unsigned)i)->active + 1);
	}
	ck_assert_uint_eq(fixture_server(fx, 0)->active, 100);
	ck_assert_uint_eq(fixture_server(fx, 1)->active, 300);
	ck_assert_uint_eq(fixture_server(fx, 2)->active, 200);
	fixture_free(fx);
}
END_TEST

static int
pick_wlc(struct fixture *fx, const struct sched_req *req, uint64_t mask)
{
	return sched_pick_least(fx->svc, fx->sb, req, mask, SCHED_LOAD_WLC,
	    NULL);
}

START_TEST(test_pick_mask)
{
	static const unsigned w[] = { 1, 1, 1, 1 };
	struct fixture *fx = fixture_new("wlc", w, 4, NULL, 0);

	fixture_set_active(fx, 0, 0);
	fixture_set_active(fx, 1, 3);
	fixture_set_active(fx, 2, 2);
	fixture_set_active(fx, 3, 1);
	ck_assert_int_eq(sched_pick_least(fx->svc, fx->sb, NULL, 0xf, SCHED_LOAD_WLC, NULL), 0);
	ck_assert_int_eq(pick_wlc(fx, NULL, 0x6), 2);
	ck_assert_int_eq(pick_wlc(fx, NULL, 0x2), 1);
	ck_assert_int_eq(pick_wlc(fx, NULL, 0), -1);
	/* bits past nrs name nothing */
	ck_assert_int_eq(pick_wlc(fx, NULL, 0xf0), -1);
	fx->req.exclude = 0x4;
	ck_assert_int_eq(pick_wlc(fx, &fx->req, 0x6), 1);
	fixture_free(fx);
}
END_TEST

START_TEST(test_available)
{
	static const unsigned w[] = { 1, 1, 0 };
	struct fixture *fx = fixture_new("wlc", w, 3, NULL, 0);

	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 0), 1);
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 2), 0);
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 3), 0);
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 64), 0);
	fixture_set_health(fx, 0, RS_HEALTH_UP);
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 0), 1);
	fixture_set_health(fx, 0, RS_HEALTH_DOWN);
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 0), 0);
	fixture_set_admin(fx, 1, RS_ADMIN_DRAIN);
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 1), 0);
	fixture_set_admin(fx, 1, RS_ADMIN_ACTIVE);
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 1), 1);
	fx->req.exclude = 0x2;
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, &fx->req, 1), 0);
	/* a server with no scoreboard slot is never available */
	fx->svc->rs[1].sb_index = -1;
	ck_assert_int_eq(sched_available(fx->svc, fx->sb, NULL, 1), 0);
	fixture_free(fx);
}
END_TEST

START_TEST(test_all)
{
	static const struct {
		unsigned	n;
		uint64_t	mask;
	} t[] = {
		{ 0, 0 }, { 1, 0x1 }, { 3, 0x7 }, { 63, UINT64_MAX >> 1 },
		{ 64, UINT64_MAX },
	};
	struct service *svc = calloc(1, sizeof(*svc));

	ck_assert_ptr_nonnull(svc);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		svc->nrs = t[i].n;
		ck_assert_uint_eq(sched_all(svc), t[i].mask);
	}
	free(svc);
}
END_TEST

static const struct {
	const char	*name;
	unsigned	 flags;
} registered[] = {
	{ "rr", 0 },
	{ "wrr", 0 },
	{ "lc", 0 },
	{ "wlc", 0 },
	{ "http", SCHED_F_RULES },
	{ "phttp", SCHED_F_RULES },
	{ "chttp", SCHED_F_RULES },
	{ "hhttp", 0 },
	{ "sed", 0 },
	{ "nq", 0 },
	{ "sh", 0 },
	{ "dh", 0 },
	{ "mh", 0 },
	{ "lblc", 0 },
	{ "lblcr", 0 },
};

#define NREGISTERED	(sizeof(registered) / sizeof(registered[0]))

START_TEST(test_lookup)
{
	const struct sched_ops *ops = sched_lookup(registered[_i].name);

	ck_assert_ptr_nonnull(ops);
	ck_assert_str_eq(ops->name, registered[_i].name);
	ck_assert_uint_eq(ops->flags, registered[_i].flags);
	/* every member set: callers never test for NULL */
	ck_assert_ptr_nonnull(ops->shm_size);
	ck_assert_ptr_nonnull(ops->init_service);
	ck_assert_ptr_nonnull(ops->done_service);
	ck_assert_ptr_nonnull(ops->schedule);
	ck_assert_ptr_nonnull(ops->response_fields);
}
END_TEST

START_TEST(test_lookup_unknown)
{
	ck_assert_ptr_null(sched_lookup("nope"));
	ck_assert_ptr_null(sched_lookup(""));
	ck_assert_ptr_null(sched_lookup("WLC"));
	ck_assert_ptr_null(sched_lookup("wlc "));
	ck_assert_ptr_null(sched_lookup(NULL));
}
END_TEST

START_TEST(test_names)
{
	const char * const *names = sched_names();
	size_t n = 0;

	for (; names[n] != NULL; n++) {
		ck_assert_uint_lt(n, NREGISTERED);
		ck_assert_str_eq(names[n], registered[n].name);
		ck_assert_ptr_eq(sched_lookup(names[n]),
		    sched_lookup(registered[n].name));
	}
	ck_assert_uint_eq(n, NREGISTERED);
	ck_assert_ptr_eq(sched_names(), names);
}
END_TEST

static Suite *
wlc_suite(void)
{
	Suite *s = suite_create("sched_wlc");
	TCase *tc;

	tc = tcase_create("choice");
	tcase_add_loop_test(tc, test_choice, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_runtime_weight);
	tcase_add_test(tc, test_proportional);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_test(tc, test_pick_mask);
	tcase_add_test(tc, test_available);
	tcase_add_test(tc, test_all);
	suite_add_tcase(s, tc);

	tc = tcase_create("registry");
	tcase_add_loop_test(tc, test_lookup, 0, (int)NREGISTERED);
	tcase_add_test(tc, test_lookup_unknown);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wlc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
