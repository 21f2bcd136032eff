/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The IPVS family beyond rr/wrr/lc/wlc and KTCPVS's hhttp, held to their
 * documentation: sed and nq choose by the scoreboard's counters; sh, dh,
 * mh and hhttp give the same server for the same key in every process,
 * share keys by weight within a stated tolerance, and fall back
 * deterministically; mh remaps about a fifth of the keys when one of five
 * servers goes, and almost none of the others; lblc keeps a locality on
 * one server until it is overloaded (as IPVS defines it), lblcr grows a
 * replica set then, and both forget after lblc_expiration.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sched_fixture.h"

#define NKEYS	20000

/* the server for client address k */
static int
pick_client(struct fixture *fx, uint32_t k)
{
	fixture_client(fx, 0x0a000000u + k);
	return fixture_pick(fx);
}

/*
 * Weighted shares: over NKEYS clients each server's share is within
 * tol (absolute, of the whole) of weight / total.
 */
static void
check_shares(struct fixture *fx, const unsigned *w, unsigned n, double tol)
{
	unsigned counts[CONF_MAX_SERVERS] = { 0 }, total = 0;
	int i;

	for (unsigned k = 0; k < n; k++)
		total += w[k];
	for (uint32_t k = 0; k < NKEYS; k++) {
		i = pick_client(fx, k);
		ck_assert_int_ge(i, 0);
		counts[i]++;
	}
	for (unsigned k = 0; k < n; k++) {
		double got = (double)counts[k] / NKEYS, want = (double)w[k] /
		    total;

		ck_assert_msg(got > want - tol && got < want + tol,
		    "%s: server %u got %.3f of the keys, weight share %.3f "
		    "(tolerance %.2f)", fx->ops->name, k, got, want, tol);
	}
}

/*
 * The same picks for 2000 keys in a forked process as here: the child
 * writes its picks to a pipe.
 */
static void
check_same_in_child(struct fixture *fx)
{
	int p[2], status;
	unsigned char got[2000];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		unsigned char mine[2000];

		for (uint32_t k = 0; k < 2000; k++)
			mine[k] = (unsigned char)pick_client(fx, k * 7919);
		_exit(write(p[1], mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], got, sizeof(got)), (ssize_t)sizeof(got));
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	for (uint32_t k = 0; k < 2000; k++)
		ck_assert_int_eq(got[k], (unsigned char)pick_client(fx,
		    k * 7919));
}

START_TEST(test_sed_counters)
{
	unsigned w[] = { 1, 3 };
	struct fixture *fx = fixture_new("sed", w, 2, NULL, 0);

	/* (0+1)/1 against (0+1)/3: the heavy idle server */
	ck_assert_int_eq(fixture_pick(fx), 1);
	/* 1/1 against 3/3: a tie, in turn by weight (1 0 1 1) */
	fixture_set_active(fx, 1, 2);
	ck_assert_int_eq(fixture_pick(fx), 1);
	ck_assert_int_eq(fixture_pick(fx), 0);
	ck_assert_int_eq(fixture_pick(fx), 1);
	ck_assert_int_eq(fixture_pick(fx), 1);
	/* 2/1 against 3/3 */
	fixture_set_active(fx, 0, 1);
	ck_assert_int_eq(fixture_pick(fx), 1);
	fixture_free(fx);
}
END_TEST

START_TEST(test_nq_idle_first)
{
	unsigned w[] = { 1, 1, 3 };
	struct fixture *fx = fixture_new("nq", w, 3, NULL, 0);

	fixture_set_active(fx, 0, 1);
	/* idle servers in turn by weight (1 against 3): 2 1 2 2 */
	ck_assert_int_eq(fixture_pick(fx), 2);
	ck_assert_int_eq(fixture_pick(fx), 1);
	ck_assert_int_eq(fixture_pick(fx), 2);
	fixture_set_active(fx, 1, 1);
	ck_assert_int_eq(fixture_pick(fx), 2);
	/* none idle: sed, 2/1 2/1 2/3 */
	fixture_set_active(fx, 2, 1);
	ck_assert_int_eq(fixture_pick(fx), 2);
	/* a drained idle server is not a candidate */
	fixture_set_active(fx, 0, 0);
	fixture_set_admin(fx, 0, RS_ADMIN_DRAIN);
	ck_assert_int_eq(fixture_pick(fx), 2);
	fixture_free(fx);
}
END_TEST

START_TEST(test_sh_consistent)
{
	unsigned w[] = { 1, 2, 3, 4 };
	struct fixture *fx = fixture_new("sh", w, 4, NULL, 0);
	int first = pick_client(fx, 42);

	for (int k = 0; k < 100; k++)
		ck_assert_int_eq(pick_client(fx, 42), first);
	check_shares(fx, w, 4, 0.02);
	check_same_in_child(fx);
	fixture_free(fx);
}
END_TEST

/* a server going down moves its own keys only, each to one place */
static void
check_fallback(const char *name)
{
	unsigned w[] = { 1, 1, 1, 1, 1 };
	struct fixture *fx = fixture_new(name, w, 5, NULL, 0);
	static unsigned char before[NKEYS];
	unsigned moved = 0;
	int i;

	for (uint32_t k = 0; k < NKEYS; k++)
		before[k] = (unsigned char)pick_client(fx, k);
	fixture_set_health(fx, 2, RS_HEALTH_DOWN);
	for (uint32_t k = 0; k < NKEYS; k++) {
		i = pick_client(fx, k);
		ck_assert_int_ne(i, 2);
		if (before[k] != 2)
			ck_assert_msg(i == before[k], "%s: key %u moved from "
			    "surviving server %d to %d", name, k, before[k], i);
		else {
			moved++;
			ck_assert_int_eq(pick_client(fx, k), i);
		}
	}
	ck_assert_uint_gt(moved, NKEYS / 10);
	/* back up: every key returns */
	fixture_set_health(fx, 2, RS_HEALTH_UP);
	for (uint32_t k = 0; k < NKEYS; k++)
		ck_assert_int_eq(pick_client(fx, k), before[k]);
	fixture_free(fx);
}

START_TEST(test_sh_fallback)
{
	check_fallback("sh");
}
END_TEST

START_TEST(test_mh_fallback)
{
	check_fallback("mh");
}
END_TEST

START_TEST(test_dh_host)
{
	unsigned w[] = { 1, 1, 1 };
	struct fixture *fx = fixture_new("dh", w, 3, NULL, 0);
	unsigned seen[3] = { 0 };
	char head[256];
	int a, b;

	fixture_request_head(fx, "GET /x HTTP/1.1\r\nHost: Example.COM:8080"
	    "\r\n\r\n");
	a = fixture_pick(fx);
	fixture_request_head(fx, "GET /other?q HTTP/1.1\r\nHost: example.com."
	    "\r\n\r\n");
	b = fixture_pick(fx);
	ck_assert_int_eq(a, b);
	for (int k = 0; k < 3000; k++) {
		snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: "
		    "site%d.example\r\n\r\n", k);
		fixture_request_head(fx, head);
		seen[fixture_pick(fx)]++;
	}
	for (int k = 0; k < 3; k++)
		ck_assert_msg(seen[k] > 850 && seen[k] < 1150, "dh: server %d "
		    "took %u of 3000 hosts", k, seen[k]);
	fixture_free(fx);
}
END_TEST

START_TEST(test_mh_shares)
{
	unsigned w[] = { 1, 2, 3, 4 };
	struct fixture *fx = fixture_new("mh", w, 4, NULL, 0);
	unsigned entries[4] = { 0 };

	/* the table itself is shared by weight, to a few entries */
	for (uint32_t c = 0; c < CONF_DEF_MH_TABLE_SIZE; c++)
		entries[sched_mh_entry(fx->svc, c)]++;
	for (int k = 0; k < 4; k++)
		ck_assert_msg(abs((int)entries[k] - (int)(CONF_DEF_MH_TABLE_SIZE *
		    w[k] / 10)) < 10, "mh: server %d has %u entries", k,
		    entries[k]);
	check_shares(fx, w, 4, 0.02);
	check_same_in_child(fx);
	fixture_free(fx);
}
END_TEST

/*
 * Removing one of five servers from the configuration: about a fifth of
 * 100,000 keys move, and keys whose server stays almost never move
 * (Maglev's promise; the tolerance here is 1 %).
 */
START_TEST(test_mh_remove)
{
	unsigned w[] = { 1, 1, 1, 1, 1 };
	struct fixture *five = fixture_new("mh", w, 5, NULL, 0);
	struct fixture *four;
	unsigned moved = 0, strays = 0;
	char err[128];
	int a, b;

	/* the same servers but the middle one: five's ids, table rebuilt */
	four = fixture_new("mh", w, 4, NULL, 0);
	for (unsigned k = 0; k < 4; k++)
		strcpy(four->svc->rs[k].id, five->svc->rs[k < 2 ? k : k + 1].id);
	four->ops->done_service(four->svc);
	ck_assert_int_eq(four->ops->init_service(four->svc, err, sizeof(err)),
	    0);
	for (uint32_t k = 0; k < 100000; k++) {
		a = pick_client(five, k);
		b = pick_client(four, k);
		/* four's index k is five's k (k < 2) or k + 1 */
		b = b < 2 ? b : b + 1;
		if (a != b) {
			moved++;
			if (a != 2)
				strays++;
		}
	}
	printf("mh: removing 1 of 5 servers moved %u of 100000 keys, %u of "
	    "them from a server that stayed\n", moved, strays);
	ck_assert_msg(moved > 18000 && moved < 23000, "mh: %u of 100000 keys "
	    "moved, expected about 20000", moved);
	ck_assert_msg(strays < 1000, "mh: %u keys moved from a server that "
	    "stayed", strays);
	fixture_free(five);
	fixture_free(four);
}
END_TEST

START_TEST(test_hhttp_group)
{
	unsigned w[] = { 1, 1, 1, 1 };
	struct fixture_rule rules[] = {
		{ "^/users/([^/]+)/", 0xf, 1 },
	};
	struct fixture *fx = fixture_new("hhttp", w, 4, rules, 1);
	unsigned seen[4] = { 0 };
	char target[64];
	int a;

	fixture_request(fx, "/users/alice/profile");
	a = fixture_pick(fx);
	fixture_request(fx, "/users/alice/photos/1?size=2");
	ck_assert_int_eq(fixture_pick(fx), a);
	for (int k = 0; k < 4000; k++) {
		snprintf(target, sizeof(target), "/users/u%d/x", k);
		fixture_request(fx, target);
		seen[fixture_pick(fx)]++;
	}
	for (int k = 0; k < 4; k++)
		ck_assert_msg(seen[k] > 850 && seen[k] < 1150, "hhttp: server "
		    "%d took %u of 4000 users", k, seen[k]);
	/* no rule matches: no server */
	fixture_request(fx, "/other");
	ck_assert_int_eq(fixture_pick(fx), -1);
	fixture_free(fx);
}
END_TEST

static uint32_t fake_now = 1000000;

static uint32_t
clock_fake(void)
{
	return fake_now;
}

START_TEST(test_lblc_locality)
{
	unsigned w[] = { 2, 2 };
	struct fixture *fx = fixture_new("lblc", w, 2, NULL, 0);
	int a, b;

	sched_lblc_now = clock_fake;
	fx->svc->lblc_expiration = 60;
	fixture_request_head(fx, "GET /img/a.png?v=1 HTTP/1.1\r\nHost: c\r\n"
	    "\r\n");
	a = fixture_pick(fx);
	ck_assert_int_ge(a, 0);
	/* the locality stays, though wlc would now choose the other */
	fixture_set_active(fx, (unsigned)a, 2);
	for (int k = 0; k < 10; k++)
		ck_assert_int_eq(fixture_pick(fx), a);
	/* another query of the same path is the same locality */
	fixture_request_head(fx, "GET /img/a.png?v=2 HTTP/1.1\r\nHost: c\r\n"
	    "\r\n");
	ck_assert_int_eq(fixture_pick(fx), a);
	/* overloaded as IPVS says: over its weight, the other under half */
	fixture_set_active(fx, (unsigned)a, 3);
	b = fixture_pick(fx);
	ck_assert_int_eq(b, 1 - a);
	/* and the locality moved with it */
	fixture_set_active(fx, (unsigned)a, 0);
	ck_assert_int_eq(fixture_pick(fx), b);
	/* forgotten after lblc_expiration: wlc decides again */
	fixture_set_active(fx, (unsigned)b, 1);
	fake_now += 61;
	ck_assert_int_eq(fixture_pick(fx), a);
	sched_lblc_now = NULL;
	fixture_free(fx);
}
END_TEST

START_TEST(test_lblcr_replicas)
{
	unsigned w[] = { 2, 2, 2 };
	struct fixture *fx = fixture_new("lblcr", w, 3, NULL, 0);
	int a, b;

	sched_lblc_now = clock_fake;
	fx->svc->lblc_expiration = 60;
	fixture_request_head(fx, "GET /big.iso HTTP/1.1\r\nHost: c\r\n\r\n");
	a = fixture_pick(fx);
	/* the set {a}: the locality stays while a is not overloaded */
	fixture_set_active(fx, (unsigned)a, 2);
	ck_assert_int_eq(fixture_pick(fx), a);
	/* a overloaded: wlc's choice b joins the set */
	fixture_set_active(fx, (unsigned)a, 3);
	b = fixture_pick(fx);
	ck_assert_int_ne(b, a);
	/* the set {a, b}: the least loaded of the two, never the third */
	fixture_set_active(fx, (unsigned)a, 0);
	fixture_set_active(fx, (unsigned)b, 1);
	ck_assert_int_eq(fixture_pick(fx), a);
	fixture_set_active(fx, (unsigned)a, 2);
	ck_assert_int_eq(fixture_pick(fx), b);
	/* unchanged for lblc_expiration, though used: the most loaded
	   leaves the set */
	fake_now += 40;
	ck_assert_int_eq(fixture_pick(fx), b);
	fake_now += 30;
	fixture_set_active(fx, (unsigned)a, 0);
	fixture_set_active(fx, (unsigned)b, 1);
	ck_assert_int_eq(fixture_pick(fx), a);	/* b left; a remains */
	fixture_set_active(fx, (unsigned)a, 1);
	ck_assert_int_eq(fixture_pick(fx), a);	/* b is no longer a member */
	sched_lblc_now = NULL;
	fixture_free(fx);
}
END_TEST

START_TEST(test_skip_unavailable)
{
	static const char *const names[] = { "sed", "nq", "sh", "mh", "dh",
	    "lblc", "lblcr" };
	unsigned w[] = { 1, 0, 1 };

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		struct fixture *fx = fixture_new(names[n], w, 3, NULL, 0);

		fixture_request_head(fx, "GET /p HTTP/1.1\r\nHost: h\r\n\r\n");
		fixture_set_weight(fx, 1, 0);
		fixture_set_health(fx, 0, RS_HEALTH_DOWN);
		for (uint32_t k = 0; k < 200; k++) {
			fixture_client(fx, k);
			ck_assert_msg(fixture_pick(fx) == 2, "%s picked a down "
			    "or quiescent server", names[n]);
		}
		fixture_set_admin(fx, 2, RS_ADMIN_DRAIN);
		ck_assert_int_eq(fixture_pick(fx), -1);
		fixture_free(fx);
	}
}
END_TEST

static Suite *
ipvs_suite(void)
{
	Suite *s = suite_create("sched_ipvs");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sed_counters);
	tcase_add_test(tc, test_nq_idle_first);
	tcase_add_test(tc, test_sh_consistent);
	tcase_add_test(tc, test_sh_fallback);
	tcase_add_test(tc, test_mh_fallback);
	tcase_add_test(tc, test_dh_host);
	tcase_add_test(tc, test_mh_shares);
	tcase_add_test(tc, test_mh_remove);
	tcase_add_test(tc, test_hhttp_group);
	tcase_add_test(tc, test_lblc_locality);
	tcase_add_test(tc, test_lblcr_replicas);
	tcase_add_test(tc, test_skip_unavailable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ipvs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
