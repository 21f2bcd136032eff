/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What every scheduler owes the operator: a content rule's servers and no
 * other, whatever the rule_scheduler (the registry is iterated, so a new
 * scheduler is covered without touching this file); weights that hold at
 * light load (ties taken in turn by smooth weighted round robin, evenly
 * for lc), with the cursor shared between processes; the least loaded
 * still winning when loads differ; and sched_choose()'s persistence,
 * which drained servers keep and disabled ones lose.
 */
#include "config.h"

#include <arpa/inet.h>

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "sched.h"
#include "sched_fixture.h"
#include "scoreboard.h"

static const char *const content[] = { "http", "phttp", "chttp" };

/* servers 1 and 3 of 5 for /static/, the others for the rest */
static const unsigned five[] = { 1, 2, 3, 1, 2 };
static const struct fixture_rule subset[] = {
	{ "^/static/", 0xa, 0 },
	{ "^/", 0x15, 0 },
};

/* the picks of one scheduler as rule_scheduler, from many clients */
static void
check_subset(const char *sched, const char *rule_sched)
{
	struct fixture *fx = fixture_new_rule_sched(sched, rule_sched, five,
	    5, subset, 2);
	char head[256];
	int i;

	for (unsigned k = 0; k < 300; k++) {
		snprintf(head, sizeof(head), "GET /static/%u HTTP/1.1\r\n"
		    "Host: h%u\r\nCookie: TCPVSID=srv8001\r\n\r\n", k, k % 7);
		fixture_request_head(fx, head);
		fixture_client(fx, 0x0a000001 + k * 13);
		/* loads that move, so least-load choices vary */
		fixture_set_active(fx, k % 5, k % 3);
		i = fixture_pick(fx);
		ck_assert_msg(i == 1 || i == 3, "%s with rule_scheduler %s: "
		    "/static/%u went to server %d, not named by its rule",
		    sched, rule_sched, k, i);
	}
	fixture_free(fx);
}

START_TEST(test_rule_subset)
{
	const struct sched_ops *const *all = sched_all_ops();
	unsigned n = 0;

	for (unsigned k = 0; all[k] != NULL; k++) {
		if (!sched_rule_capable(all[k]))
			continue;
		check_subset(content[_i], all[k]->name);
		n++;
	}
	ck_assert_uint_ge(n, 11);
}
END_TEST

/* npicks sequential requests: each counted active while it is chosen */
static void
sequential(struct fixture *fx, unsigned npicks, unsigned *counts)
{
	struct sb_server *s;
	int i;

	memset(counts, 0, fx->svc->nrs * sizeof(*counts));
	for (unsigned k = 0; k < npicks; k++) {
		ck_assert_int_ge(i = fixture_pick(fx), 0);
		s = fixture_server(fx, (unsigned)i);
		atomic_fetch_add(&s->active, 1);
		counts[i]++;
		atomic_fetch_sub(&s->active, 1);
	}
}

static const struct {
	const char	*name;
	unsigned	 expect[3];	/* of 600, weights 1:2:3 */
} ratios[] = {
	{ "wlc", { 100, 200, 300 } },
	{ "nq", { 100, 200, 300 } },
	{ "lc", { 200, 200, 200 } },	/* lc ignores weights */
	{ "sed", { 0, 0, 600 } },	/* idle: the heaviest, as IPVS */
};

START_TEST(test_ratios)
{
	static const unsigned w[] = { 1, 2, 3 };
	struct fixture *fx = fixture_new(ratios[_i].name, w, 3, NULL, 0);
	unsigned counts[3], e;

	sequential(fx, 600, counts);
	for (unsigned i = 0; i < 3; i++) {
		e = ratios[_i].expect[i];
		ck_assert_msg(counts[i] + e / 20 >= e && counts[i] <= e + e / 20,
		    "%s: server %u got %u of 600, expected %u +- 5%%",
		    ratios[_i].name, i, counts[i], e);
	}
	fixture_free(fx);
}
END_TEST

/* under http, the default rule_scheduler (wlc) weighs too */
START_TEST(test_ratios_rule)
{
	static const unsigned w[] = { 1, 3 };
	static const struct fixture_rule r[] = { { "^/", 0x3, 0 } };
	struct fixture *fx = fixture_new("http", w, 2, r, 1);
	unsigned counts[2];

	fixture_request(fx, "/x");
	sequential(fx, 40, counts);
	ck_assert_uint_eq(counts[0], 10);
	ck_assert_uint_eq(counts[1], 30);
	fixture_free(fx);
}
END_TEST

/* lc: three tied servers, a loaded fourth: 1 2 3 1 2 3 */
START_TEST(test_rotation)
{
	static const unsigned w[] = { 1, 1, 1, 1 };
	struct fixture *fx = fixture_new("lc", w, 4, NULL, 0);

	fixture_set_active(fx, 0, 2);
	for (unsigned k = 0; k < 6; k++)
		ck_assert_int_eq(fixture_pick(fx), (int)(1 + k % 3));
	fixture_free(fx);
}
END_TEST

/* loads that differ: the least loaded every time, whatever the turn */
START_TEST(test_least_wins)
{
	static const unsigned w[] = { 1, 2, 3 };
	static const char *const names[] = { "wlc", "lc", "nq", "sed" };
	struct fixture *fx;

	for (unsigned n = 0; n < 4; n++) {
		fx = fixture_new(names[n], w, 3, NULL, 0);
		fixture_set_active(fx, 0, 0);
		fixture_set_active(fx, 1, 5);
		fixture_set_active(fx, 2, 9);
		/* wlc 0/1 < 5/2 < 9/3; sed 1/1 < 6/2 < 10/3; nq: the idle */
		for (unsigned k = 0; k < 20; k++)
			ck_assert_msg(fixture_pick(fx) == 0, "%s", names[n]);
		fixture_free(fx);
	}
}
END_TEST

/*
 * 60 processes, one after the other, one pick each: with the cursor in
 * the shared scoreboard they continue each other's turns (10/20/30);
 * with a cursor of their own each would take the same first server.
 */
START_TEST(test_shared_cursor)
{
	static const unsigned w[] = { 1, 2, 3 };
	struct fixture *fx = fixture_new("wlc", w, 3, NULL, 0);
	unsigned counts[3], total[3] = { 0, 0, 0 };

	for (unsigned k = 0; k < 60; k++) {
		ck_assert_uint_eq(fixture_fork_count(fx, 1, 1, counts), 0);
		for (unsigned i = 0; i < 3; i++)
			total[i] += counts[i];
	}
	ck_assert_uint_eq(total[0], 10);
	ck_assert_uint_eq(total[1], 20);
	ck_assert_uint_eq(total[2], 30);
	/* and at once: 8 processes of 75 picks share the turns too */
	ck_assert_uint_eq(fixture_fork_count(fx, 8, 75, counts), 0);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_msg(counts[i] + 100 * (i + 1) / 20 >= 100 * (i + 1) &&
		    counts[i] <= 100 * (i + 1) + 100 * (i + 1) / 20,
		    "server %u: %u of 600", i, counts[i]);
	fixture_free(fx);
}
END_TEST

/* persistence: drained servers keep their clients, disabled ones lose */
START_TEST(test_persist_drain_disable)
{
	static const unsigned w[] = { 1, 1 };
	struct fixture *fx = fixture_new("wlc", w, 2, NULL, 0);
	int i, j;

	fx->svc->persistent = 60;
	fx->svc->persistent_mask = 0xffffffffu;
	fixture_client(fx, 0x7f000002);
	i = sched_choose(fx->svc, fx->sb, &fx->req);
	ck_assert_int_ge(i, 0);
	for (unsigned k = 0; k < 5; k++)
		ck_assert_int_eq(sched_choose(fx->svc, fx->sb, &fx->req), i);
	fixture_set_admin(fx, (unsigned)i, RS_ADMIN_DRAIN);
	ck_assert_int_eq(sched_choose(fx->svc, fx->sb, &fx->req), i);
	/* a new client goes elsewhere */
	fixture_client(fx, 0x7f000003);
	ck_assert_int_eq(j = sched_choose(fx->svc, fx->sb, &fx->req), 1 - i);
	fixture_client(fx, 0x7f000002);
	fixture_set_admin(fx, (unsigned)i, RS_ADMIN_DISABLED);
	ck_assert_int_eq(sched_choose(fx->svc, fx->sb, &fx->req), j);
	/* the template now names the new server */
	fixture_set_admin(fx, (unsigned)i, RS_ADMIN_ACTIVE);
	ck_assert_int_eq(sched_choose(fx->svc, fx->sb, &fx->req), j);
	fixture_free(fx);
}
END_TEST

/* chttp: a drained server keeps its cookie holders, a disabled one not */
START_TEST(test_cookie_drain_disable)
{
	static const unsigned w[] = { 1, 1 };
	struct fixture *fx = fixture_new("chttp", w, 2, NULL, 0);
	char buf[128];

	fixture_request_head(fx, "GET / HTTP/1.1\r\nHost: h\r\n"
	    "Cookie: TCPVSID=srv8001\r\n\r\n");
	ck_assert_int_eq(sched_choose(fx->svc, fx->sb, &fx->req), 0);
	ck_assert_uint_eq(sched_response_fields(fx->svc, &fx->req, 0, buf,
	    sizeof(buf)), 0);
	fixture_set_admin(fx, 0, RS_ADMIN_DRAIN);
	ck_assert_int_eq(sched_choose(fx->svc, fx->sb, &fx->req), 0);
	fixture_set_admin(fx, 0, RS_ADMIN_DISABLED);
	ck_assert_int_eq(sched_choose(fx->svc, fx->sb, &fx->req), 1);
	ck_assert_uint_gt(sched_response_fields(fx->svc, &fx->req, 1, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Set-Cookie: TCPVSID=srv8002; Path=/; "
	    "HttpOnly\r\n");
	fixture_free(fx);
}
END_TEST

/* templates can be listed: IPv4 clients by their masked address */
START_TEST(test_persist_entries)
{
	static const unsigned w[] = { 1, 1 };
	struct fixture *fx = fixture_new("rr", w, 2, NULL, 0);
	char buf[64];
	uint32_t exp;
	unsigned found = 0;
	int server;

	fx->svc->persistent = 60;
	fx->svc->persistent_mask = htonl(0xffffff00u);
	fixture_client(fx, 0x7f000002);
	ck_assert_int_ge(sched_choose(fx->svc, fx->sb, &fx->req), 0);
	for (unsigned e = 0; e < SB_PERSIST_ENTRIES; e++) {
		if (sched_persist_entry(fx->sb, (unsigned)fx->svc->sb_index, e,
		    0, buf, sizeof(buf), &server, &exp) == -1)
			continue;
		found++;
		ck_assert_str_eq(buf, "127.0.0.0");
	}
	ck_assert_uint_eq(found, 1);
	fixture_free(fx);
}
END_TEST

static Suite *
ties_suite(void)
{
	Suite *s = suite_create("sched_ties");
	TCase *tc;

	tc = tcase_create("rules");
	tcase_add_loop_test(tc, test_rule_subset, 0,
	    (int)(sizeof(content) / sizeof(content[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("ties");
	tcase_add_loop_test(tc, test_ratios, 0,
	    (int)(sizeof(ratios) / sizeof(ratios[0])));
	tcase_add_test(tc, test_ratios_rule);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_least_wins);
	tcase_add_test(tc, test_shared_cursor);
	suite_add_tcase(s, tc);

	tc = tcase_create("persistence");
	tcase_add_test(tc, test_persist_drain_disable);
	tcase_add_test(tc, test_cookie_drain_disable);
	tcase_add_test(tc, test_persist_entries);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ties_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
