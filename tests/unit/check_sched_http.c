/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for sched_http.c: requests routed by target through the
 * content rules, the first matching rule winning, the least loaded of a
 * rule's servers, no fall-through when a rule's servers are all
 * unavailable, no server when no rule matches or the head is missing,
 * and the checks init_service makes at load.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf-t.h"
#include "sched_fixture.h"

/*
 * Servers 0 static, 1 and 2 api (weights 1, 2), 3 php, 4 search.  No
 * catch-all: anything else has no server.
 */
static const unsigned weights[] = { 1, 1, 2, 1, 1 };
static const struct fixture_rule rules[] = {
	{ "^/(images|css)/", 0x1, 0 },
	{ "^/api/", 0x6, 0 },
	{ "\\.php$", 0x8, 0 },
	{ "^/search\\?q=", 0x10, 0 },
};

static struct fixture *
http_fixture(void)
{
	return fixture_new("http", weights, 5, rules,
	    sizeof(rules) / sizeof(rules[0]));
}

static const struct {
	const char	*target;
	int		 expect;
} routes[] = {
	{ "/images/logo.png", 0 },
	{ "/css/site.css", 0 },
	/* idle 1 and 2 tie: by weight, 2 (weight 2) goes first */
	{ "/api/users", 2 },
	{ "/index.php", 3 },
	{ "/search?q=tcpvs", 4 },
	/* the first matching rule wins */
	{ "/api/run.php", 2 },
	{ "/images/x.php", 0 },
	/* the target, query included, is the subject */
	{ "/index.php?x=1", -1 },
	{ "/search", -1 },
	{ "/", -1 },
	{ "/imagesx/a", -1 },
	{ "*", -1 },
	{ "http://example.com/api/x", -1 },
};

START_TEST(test_route)
{
	struct fixture *fx = http_fixture();

	fixture_request(fx, routes[_i].target);
	ck_assert_msg(fixture_pick(fx) == routes[_i].expect,
	    "'%s': expected %d", routes[_i].target, routes[_i].expect);
	fixture_free(fx);
}
END_TEST

/* within a rule, weighted least connection */
START_TEST(test_least_loaded)
{
	struct fixture *fx = http_fixture();

	fixture_request(fx, "/api/x");
	fixture_set_active(fx, 1, 5);
	fixture_set_active(fx, 2, 1);
	ck_assert_int_eq(fixture_pick(fx), 2);
	/* 3/2 > 1/1 */
	fixture_set_active(fx, 1, 1);
	fixture_set_active(fx, 2, 3);
	ck_assert_int_eq(fixture_pick(fx), 1);
	/* 2/2 == 1/1: in turn by weight (smooth wrr: 2 1 2) */
	fixture_set_active(fx, 2, 2);
	ck_assert_int_eq(fixture_pick(fx), 2);
	ck_assert_int_eq(fixture_pick(fx), 1);
	ck_assert_int_eq(fixture_pick(fx), 2);
	/* servers outside the rule are never considered, however idle */
	fixture_set_active(fx, 1, 50);
	fixture_set_active(fx, 2, 50);
	ck_assert_int_eq(fixture_pick(fx), 2);
	fixture_free(fx);
}
END_TEST

/*
 * All servers of the matching rule unavailable: no server, even though a
 * later rule matches too and its server is up.
 */
START_TEST(test_rule_servers_down)
{
	struct fixture *fx = http_fixture();

	fixture_request(fx, "/api/run.php");
	fixture_set_active(fx, 2, 2);
	ck_assert_int_eq(fixture_pick(fx), 1);
	fixture_set_health(fx, 1, RS_HEALTH_DOWN);
	ck_assert_int_eq(fixture_pick(fx), 2);
	fixture_set_admin(fx, 2, RS_ADMIN_DRAIN);
	ck_assert_int_eq(fixture_pick(fx), -1);
	fixture_set_admin(fx, 2, RS_ADMIN_ACTIVE);
	fixture_set_weight(fx, 2, 0);
	ck_assert_int_eq(fixture_pick(fx), -1);
	fixture_set_weight(fx, 2, 2);
	fx->req.exclude = 0x4;
	ck_assert_int_eq(fixture_pick(fx), -1);
	fx->req.exclude = 0;
	ck_assert_int_eq(fixture_pick(fx), 2);
	fixture_free(fx);
}
END_TEST

START_TEST(test_no_head)
{
	struct fixture *fx = http_fixture();

	fx->req.http = NULL;
	fx->req.head = NULL;
	ck_assert_int_eq(fixture_pick(fx), -1);
	fixture_request(fx, "/api/x");
	ck_assert_int_eq(fixture_pick(fx), 2);
	fx->req.http = NULL;
	ck_assert_int_eq(fixture_pick(fx), -1);
	ck_assert_int_eq(sched_http.schedule(fx->svc, fx->sb, NULL), -1);
	fixture_free(fx);
}
END_TEST

/* the subject is exactly the target span, not the rest of the head */
START_TEST(test_target_span)
{
	static const unsigned w[] = { 1 };
	static const struct fixture_rule r[] = {
		{ "HTTP/1\\.1", 0x1, 0 },
	};
	struct fixture *fx = fixture_new("http", w, 1, r, 1);

	fixture_request(fx, "/a");
	ck_assert_int_eq(fixture_pick(fx), -1);
	fixture_request(fx, "/HTTP/1.1");
	ck_assert_int_eq(fixture_pick(fx), 0);
	fixture_free(fx);
}
END_TEST

START_TEST(test_flags)
{
	ck_assert_uint_eq(sched_http.flags & SCHED_F_RULES, SCHED_F_RULES);
	ck_assert_ptr_eq(sched_lookup("http"), &sched_http);
}
END_TEST

/* valid without rules (tcpvsadm -A -s http, then --add-rule): no server */
START_TEST(test_init_no_rules)
{
	struct service *svc = calloc(1, sizeof(*svc));
	struct sched_req req;
	char err[256] = "";

	ck_assert_ptr_nonnull(svc);
	memset(&req, 0, sizeof(req));
	svc->nrs = 2;
	ck_assert_int_eq(sched_http.init_service(svc, err, sizeof(err)), 0);
	ck_assert_int_eq(sched_http.schedule(svc, NULL, &req), -1);
	free(svc);
}
END_TEST

START_TEST(test_init_rule_no_server)
{
	struct service *svc = calloc(1, sizeof(*svc));
	struct rule r[2];
	char err[256] = "";

	ck_assert_ptr_nonnull(svc);
	memset(r, 0, sizeof(r));
	r[0].pattern = (char[]){ "^/a" };
	r[0].servers = 0x2;
	r[1].pattern = (char[]){ "^/b" };
	r[1].servers = 0x4;	/* server 2 of 2 does not exist */
	svc->nrs = 2;
	svc->rules = r;
	svc->nrules = 2;
	ck_assert_int_eq(sched_http.init_service(svc, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule '^/b' names no server of this service");
	svc->nrules = 1;
	ck_assert_int_eq(sched_http.init_service(svc, err, sizeof(err)), 0);
	free(svc);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("sched_http");
	TCase *tc;

	tc = tcase_create("route");
	tcase_add_loop_test(tc, test_route, 0,
	    (int)(sizeof(routes) / sizeof(routes[0])));
	tcase_add_test(tc, test_least_loaded);
	tcase_add_test(tc, test_rule_servers_down);
	tcase_add_test(tc, test_no_head);
	tcase_add_test(tc, test_target_span);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_init_no_rules);
	tcase_add_test(tc, test_init_rule_no_server);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
