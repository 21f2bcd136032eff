/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for conn_accept.c's conn_wait_ms: how long a worker may
 * sleep in epoll_wait.  It is bounded so that a worker over its share, or
 * full while others had room, looks at its listeners again in time; and
 * it is never 0 for a reason that stays true, which would make the
 * worker poll without sleeping (it did, for the whole millisecond in
 * which the CONN_HANDOFF_MS of a worker over its share ran out while the
 * worker was full: some 30 epoll_wait calls a request at maxinflight = 1).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn_priv.h"

static struct worker	 w;

static void
reset(int64_t now)
{
	memset(&w, 0, sizeof(w));
	w.now = now;
}

START_TEST(test_neither)
{
	reset(1000);
	ck_assert_int_eq(conn_wait_ms(&w, 1000), 1000);
	ck_assert_int_eq(conn_wait_ms(&w, 7), 7);
	ck_assert_int_eq(conn_wait_ms(&w, 0), 0);	/* a timer is due */
	ck_assert_int_eq(conn_wait_ms(&w, -1), -1);
}
END_TEST

/* full, it left new connections to others with room: a look again
   CONN_HANDOFF_MS later at most */
START_TEST(test_declined)
{
	reset(1000);
	w.conns.declined = true;
	ck_assert_int_eq(conn_wait_ms(&w, 1000), CONN_HANDOFF_MS);
	ck_assert_int_eq(conn_wait_ms(&w, -1), CONN_HANDOFF_MS);
	ck_assert_int_eq(conn_wait_ms(&w, 5), 5);
}
END_TEST

/* over its share: until CONN_HANDOFF_MS after it became so */
START_TEST(test_over_share)
{
	reset(1000);
	w.conns.over_since = 1000 - 5;
	ck_assert_int_eq(conn_wait_ms(&w, 1000), CONN_HANDOFF_MS - 5);
	ck_assert_int_eq(conn_wait_ms(&w, -1), CONN_HANDOFF_MS - 5);
	ck_assert_int_eq(conn_wait_ms(&w, 3), 3);
	w.conns.over_since = 1000 - CONN_HANDOFF_MS - 1;	/* past */
	ck_assert_int_eq(conn_wait_ms(&w, 1000), 1000);
	w.finishing = true;
	w.conns.over_since = 1000 - 5;
	ck_assert_int_eq(conn_wait_ms(&w, 1000), 1000);
}
END_TEST

/*
 * The millisecond its CONN_HANDOFF_MS runs out, in a round in which
 * conn_want_accept did not start it again (the worker full, leaving new
 * connections to others): every round of that millisecond asked epoll for
 * its events without waiting.  Each millisecond of a worker's 40 here,
 * over its share since the first and full from the 10th, must let it
 * sleep.
 */
START_TEST(test_runs_out)
{
	int t;

	reset(5000);
	w.conns.over_since = 5000;
	for (int64_t ms = 5000; ms < 5040; ms++) {
		w.now = ms;
		w.conns.declined = ms >= 5010;
		t = conn_wait_ms(&w, 1000);
		ck_assert_msg(t > 0, "millisecond %lld: waits %d ms, not "
		    "sleeping", (long long)(ms - 5000), t);
		if (ms >= 5000 + CONN_HANDOFF_MS)
			ck_assert_int_eq(t, CONN_HANDOFF_MS);
	}
}
END_TEST

static Suite *
conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("wait");

	tcase_add_test(tc, test_neither);
	tcase_add_test(tc, test_declined);
	tcase_add_test(tc, test_over_share);
	tcase_add_test(tc, test_runs_out);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
