/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for timer.c: timers fire in order of expiry, moved and
 * removed ones keep the heap in order (checked against a brute-force
 * model over random operations), a fired timer may arm others, and the
 * wait until the nearest one is bounded.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "timer.h"

#define N	200

static struct timer	 tm[N];
static int		 fired[N];
static int		 nfired;
static int64_t		 last_when;

static void
on_fire(struct timer *t)
{
	ck_assert_msg(t->when >= last_when, "fired out of order: %lld after "
	    "%lld", (long long)t->when, (long long)last_when);
	ck_assert(!timer_armed(t));
	last_when = t->when;
	fired[nfired++] = (int)(t - tm);
}

static void
reset(void)
{
	for (int i = 0; i < N; i++) {
		tm[i].place = 0;
		tm[i].when = 0;
	}
	nfired = 0;
	last_when = INT64_MIN;
}

START_TEST(test_order)
{
	struct timers ts;
	unsigned early = 0;

	reset();
	timers_init(&ts, 1);		/* grows */
	for (int i = 0; i < N; i++) {
		timer_set(&ts, &tm[i], (i * 7919) % 1000, on_fire);
		early += (i * 7919) % 1000 <= 499;
	}
	ck_assert_int_eq(timers_next(&ts), 0);
	ck_assert_uint_eq(timers_run(&ts, 499), early);
	ck_assert_uint_eq(timers_run(&ts, 1000), N - early);
	ck_assert_int_eq(timers_next(&ts), INT64_MAX);
	timers_free(&ts);
}
END_TEST

/* random arm, move, delete; the model is the armed flags and times */
START_TEST(test_random)
{
	struct timers ts;
	int64_t want[N], now = 0;
	unsigned seed = (unsigned)_i + 1;

	reset();
	timers_init(&ts, 4);
	for (int i = 0; i < N; i++)
		want[i] = -1;
	for (int step = 0; step < 5000; step++) {
		int i = rand_r(&seed) % N, op = rand_r(&seed) % 4;

		if (op < 2) {
			want[i] = now + rand_r(&seed) % 500;
			timer_set(&ts, &tm[i], want[i], on_fire);
		} else if (op == 2) {
			want[i] = -1;
			timer_del(&ts, &tm[i]);
		} else {
			int64_t min = INT64_MAX;

			for (int k = 0; k < N; k++)
				if (want[k] >= 0 && want[k] < min)
					min = want[k];
			ck_assert_int_eq(timers_next(&ts), min);
			now += rand_r(&seed) % 50;
			last_when = INT64_MIN;
			nfired = 0;
			timers_run(&ts, now);
			for (int k = 0; k < nfired; k++) {
				ck_assert_int_le(want[fired[k]], now);
				want[fired[k]] = -1;
			}
			for (int k = 0; k < N; k++)
				ck_assert_msg((want[k] >= 0) ==
				    timer_armed(&tm[k]), "timer %d", k);
		}
	}
	timers_free(&ts);
}
END_TEST

static struct timers	*chain_ts;

static void
chain(struct timer *t)
{
	on_fire(t);
	if (t < &tm[3])
		timer_set(chain_ts, t + 1, t->when, chain);
}

START_TEST(test_fire_arms)
{
	struct timers ts;

	reset();
	timers_init(&ts, 0);
	chain_ts = &ts;
	timer_set(&ts, &tm[0], 10, chain);
	ck_assert_uint_eq(timers_run(&ts, 10), 4);
	ck_assert_int_eq(nfired, 4);
	timers_free(&ts);
}
END_TEST

START_TEST(test_wait)
{
	struct timers ts;

	reset();
	timers_init(&ts, 0);
	ck_assert_int_eq(timers_wait(&ts, 100, 1000), 1000);
	timer_set(&ts, &tm[0], 350, on_fire);
	ck_assert_int_eq(timers_wait(&ts, 100, 1000), 250);
	ck_assert_int_eq(timers_wait(&ts, 100, 50), 50);
	ck_assert_int_eq(timers_wait(&ts, 400, 1000), 0);
	timer_set(&ts, &tm[0], 5000, on_fire);	/* moved later */
	ck_assert_int_eq(timers_wait(&ts, 400, 10000), 4600);
	timer_del(&ts, &tm[0]);
	timer_del(&ts, &tm[0]);			/* twice: nothing */
	ck_assert_int_eq(timers_next(&ts), INT64_MAX);
	timers_free(&ts);
}
END_TEST

static Suite *
timer_suite(void)
{
	Suite *s = suite_create("timer");
	TCase *tc = tcase_create("heap");

	tcase_add_test(tc, test_order);
	tcase_add_loop_test(tc, test_random, 0, 8);
	tcase_add_test(tc, test_fire_arms);
	tcase_add_test(tc, test_wait);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(timer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
