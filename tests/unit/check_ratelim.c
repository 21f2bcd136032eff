/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for ratelim.c: the first message about an address is said,
 * the next ones in the interval are held back and counted, the first one
 * after it is said with that count; addresses (IPv4, IPv6, a port apart)
 * are apart or the same as they should be; a table flooded by many more
 * sources than it has places keeps answering, forgets the stalest, and
 * never says one source twice in an interval while it keeps its place.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ratelim.h"

#define IVL	60000

static struct sockaddr_storage
v4(const char *a, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, a, &sin->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage
v6(const char *a)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
	return ss;
}

#define SA(x)	((const struct sockaddr *)&(x))

START_TEST(test_interval)
{
	static struct ratelim rl;
	struct sockaddr_storage a = v4("192.0.2.1", 1000);
	uint32_t held = 99;

	ratelim_init(&rl, IVL);
	ck_assert(ratelim_allow(&rl, SA(a), 1000, &held));
	ck_assert_uint_eq(held, 0);
	for (int i = 1; i <= 500; i++)
		ck_assert(!ratelim_allow(&rl, SA(a), 1000 + i * 100, &held));
	/* 59.999 s after: still held back */
	ck_assert(!ratelim_allow(&rl, SA(a), 1000 + IVL - 1, &held));
	ck_assert(ratelim_allow(&rl, SA(a), 1000 + IVL, &held));
	ck_assert_uint_eq(held, 501);
	/* the count starts again */
	ck_assert(!ratelim_allow(&rl, SA(a), 1000 + IVL + 1, &held));
	ck_assert(ratelim_allow(&rl, SA(a), 1000 + 3 * IVL, &held));
	ck_assert_uint_eq(held, 1);
	ck_assert(ratelim_allow(&rl, SA(a), 1000 + 5 * IVL, &held));
	ck_assert_uint_eq(held, 0);
}
END_TEST

START_TEST(test_keys)
{
	static struct ratelim rl;
	struct sockaddr_storage a = v4("192.0.2.1", 1000);
	struct sockaddr_storage a2 = v4("192.0.2.1", 2000);
	struct sockaddr_storage b = v4("192.0.2.2", 1000);
	struct sockaddr_storage c = v6("2001:db8::1");
	struct sockaddr_storage d = v6("2001:db8::2");
	struct sockaddr_storage u;
	uint32_t held;

	ratelim_init(&rl, IVL);
	ck_assert(ratelim_allow(&rl, SA(a), 0, &held));
	ck_assert(!ratelim_allow(&rl, SA(a2), 1, &held));	/* a port apart */
	ck_assert(ratelim_allow(&rl, SA(b), 2, &held));
	ck_assert(ratelim_allow(&rl, SA(c), 3, &held));
	ck_assert(ratelim_allow(&rl, SA(d), 4, &held));
	ck_assert(!ratelim_allow(&rl, SA(c), 5, &held));
	/* no address (AF_UNIX): nothing to key on, always said */
	memset(&u, 0, sizeof(u));
	u.ss_family = AF_UNIX;
	ck_assert(ratelim_allow(&rl, SA(u), 6, &held));
	ck_assert(ratelim_allow(&rl, SA(u), 7, &held));
	ck_assert(ratelim_allow(&rl, SA(a), IVL, &held));
	ck_assert_uint_eq(held, 1);
}
END_TEST

/* 10 x RATELIM_SLOTS sources, round after round in one interval */
START_TEST(test_flood)
{
	static struct ratelim rl;
	unsigned said = 0, n = 10 * RATELIM_SLOTS;
	struct sockaddr_storage a = v4("198.51.100.7", 1);
	uint32_t held;

	ratelim_init(&rl, IVL);
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < n; i++) {
			struct sockaddr_storage s;
			struct sockaddr_in *sin = (struct sockaddr_in *)&s;

			memset(&s, 0, sizeof(s));
			sin->sin_family = AF_INET;
			sin->sin_addr.s_addr = htonl(0x0a000000u + i);
			said += ratelim_allow(&rl, SA(s), round * 10 + i % 7,
			    &held);
		}
	/* each round said at least the new ones, never more than all */
	ck_assert_uint_ge(said, n);
	ck_assert_uint_le(said, 3 * n);
	/* a source that keeps talking keeps its place: said once */
	ratelim_init(&rl, IVL);
	ck_assert(ratelim_allow(&rl, SA(a), 100, &held));
	for (unsigned i = 0; i < 4 * RATELIM_SLOTS; i++) {
		struct sockaddr_storage s;
		struct sockaddr_in *sin = (struct sockaddr_in *)&s;

		memset(&s, 0, sizeof(s));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(0x0a000000u + i);
		(void)ratelim_allow(&rl, SA(s), 100, &held);
		ck_assert(!ratelim_allow(&rl, SA(a), 101 + i, &held));
	}
}
END_TEST

static Suite *
ratelim_suite(void)
{
	Suite *s = suite_create("ratelim");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_interval);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_flood);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ratelim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
