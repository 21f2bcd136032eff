/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Test fixture for the scheduler suites: builds a one-service generation
 * the way conf.c would (servers, compiled rules, the scheduler's
 * init_service and shared-byte request), attaches it to a real anonymous
 * MAP_SHARED scoreboard, and drives the scheduler.  Failures abort the
 * calling Check test.
 */
#include "config.h"

#include <arpa/inet.h>

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "http.h"
#include "rule.h"
#include "sched.h"
#include "sched_fixture.h"
#include "scoreboard.h"

static void
add_rules(struct service *svc, const struct fixture_rule *rules,
    unsigned nrules)
{
	char err[256];

	ck_assert_uint_le(nrules, FIXTURE_MAX_RULES);
	svc->rules = calloc(FIXTURE_MAX_RULES, sizeof(*svc->rules));
	ck_assert_ptr_nonnull(svc->rules);
	for (unsigned i = 0; i < nrules; i++) {
		struct rule *r = &svc->rules[i];

		r->pattern = strdup(rules[i].pattern);
		ck_assert_ptr_nonnull(r->pattern);
		r->servers = rules[i].servers;
		r->match = rules[i].match;
		r->line = i + 1;
		ck_assert_msg(rule_compile(r, err, sizeof(err)) == 0,
		    "rule_compile: %s", err);
		svc->nrules++;
	}
}

static struct service *
make_service(const struct sched_ops *ops, const unsigned *weights,
    unsigned n)
{
	struct service *svc = calloc(1, sizeof(*svc));

	ck_assert_ptr_nonnull(svc);
	ck_assert_uint_le(n, CONF_MAX_SERVERS);
	snprintf(svc->ident, sizeof(svc->ident), "test");
	svc->sb_index = -1;
	svc->sched = ops;
	svc->nrs = n;
	svc->mh_table_size = CONF_DEF_MH_TABLE_SIZE;
	svc->lblc_expiration = CONF_DEF_LBLC_EXPIRATION;
	snprintf(svc->cookie, sizeof(svc->cookie), "%s", CONF_DEF_COOKIE);
	for (unsigned i = 0; i < n; i++) {
		struct realserver *rs = &svc->rs[i];

		snprintf(rs->name, sizeof(rs->name), "127.0.0.1:%u", 8001 + i);
		snprintf(rs->addrstr, sizeof(rs->addrstr), "127.0.0.1:%u",
		    8001 + i);
		snprintf(rs->id, sizeof(rs->id), "srv%u", 8001 + i);
		rs->weight = weights[i];
		rs->line = i + 1;
		rs->sb_index = -1;
	}
	return svc;
}

struct fixture *
fixture_new(const char *name, const unsigned *weights, unsigned n,
    const struct fixture_rule *rules, unsigned nrules)
{
	return fixture_new_rule_sched(name, NULL, weights, n, rules, nrules);
}

struct fixture *
fixture_new_rule_sched(const char *name, const char *rule_sched,
    const unsigned *weights, unsigned n, const struct fixture_rule *rules,
    unsigned nrules)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *opt = NULL;
	char err[256];

	ck_assert_ptr_nonnull(fx);
	ck_assert_msg((fx->ops = sched_lookup(name)) != NULL,
	    "no scheduler %s", name);
	fx->svc = make_service(fx->ops, weights, n);
	if (rule_sched != NULL)
		ck_assert_msg((fx->svc->rule_sched = sched_lookup(rule_sched)) !=
		    NULL, "no scheduler %s", rule_sched);
	add_rules(fx->svc, rules, nrules);
	err[0] = '\0';
	ck_assert_msg(sched_init(fx->svc, err, sizeof(err), &opt) == 0,
	    "%s: %s", opt, err);
	fx->gen.svc = fx->svc;
	fx->gen.nsvc = 1;
	fx->gen.serverlimit = 4;
	fx->sb = sb_create(4, 4, (unsigned)fx->svc->sched_shm, NULL);
	ck_assert_ptr_nonnull(fx->sb);
	ck_assert_msg(sb_attach(fx->sb, &fx->gen, err, sizeof(err)) == 0,
	    "sb_attach: %s", err);
	ck_assert_int_ge(fx->svc->sb_index, 0);
	return fx;
}

void
fixture_free(struct fixture *fx)
{
	if (fx == NULL)
		return;
	sched_done(fx->svc);
	for (unsigned i = 0; i < fx->svc->nrules; i++)
		rule_free(&fx->svc->rules[i]);
	free(fx->svc->rules);
	free(fx->svc);
	sb_destroy(fx->sb);
	free(fx);
}

struct sb_server *
fixture_server(const struct fixture *fx, unsigned i)
{
	ck_assert_uint_lt(i, fx->svc->nrs);
	ck_assert_int_ge(fx->svc->rs[i].sb_index, 0);
	return sb_server(fx->sb, (unsigned)fx->svc->rs[i].sb_index);
}

void
fixture_set_weight(struct fixture *fx, unsigned i, uint32_t w)
{
	atomic_store(&fixture_server(fx, i)->weight, w);
}

void
fixture_set_health(struct fixture *fx, unsigned i, enum rs_health h)
{
	atomic_store(&fixture_server(fx, i)->health, (int32_t)h);
}

void
fixture_set_admin(struct fixture *fx, unsigned i, enum rs_admin a)
{
	atomic_store(&fixture_server(fx, i)->admin, (int32_t)a);
}

void
fixture_set_active(struct fixture *fx, unsigned i, uint32_t n)
{
	atomic_store(&fixture_server(fx, i)->active, n);
}

void
fixture_request(struct fixture *fx, const char *target)
{
	size_t tlen = strlen(target), plen = strcspn(target, "?#");
	int len;

	len = snprintf(fx->head, sizeof(fx->head),
	    "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", target);
	ck_assert_int_gt(len, 0);
	ck_assert_uint_lt((size_t)len, sizeof(fx->head));
	memset(&fx->http, 0, sizeof(fx->http));
	fx->http.method = (struct http_span){ 0, 3 };
	fx->http.target = (struct http_span){ 4, (uint32_t)tlen };
	fx->http.path = (struct http_span){ 4, (uint32_t)plen };
	fx->http.minor = 1;
	fx->http.head_len = (size_t)len;
	fx->req.http = &fx->http;
	fx->req.head = fx->head;
}

void
fixture_request_head(struct fixture *fx, const char *head)
{
	struct http_limits lim = { 8192, 1024, 64 };
	size_t len = strlen(head);

	ck_assert_uint_lt(len, sizeof(fx->head));
	memcpy(fx->head, head, len + 1);
	ck_assert_int_eq(http_parse_request(fx->head, len, &lim, &fx->http),
	    HTTP_OK);
	fx->req.http = &fx->http;
	fx->req.head = fx->head;
}

void
fixture_client(struct fixture *fx, uint32_t ipv4)
{
	memset(&fx->client, 0, sizeof(fx->client));
	fx->client.sin_family = AF_INET;
	fx->client.sin_addr.s_addr = htonl(ipv4);
	fx->client.sin_port = htons((uint16_t)(ipv4 * 7));	/* ignored */
	fx->req.client = (const struct sockaddr *)&fx->client;
}

int
fixture_pick(struct fixture *fx)
{
	int i = fx->ops->schedule(fx->svc, fx->sb, &fx->req);

	ck_assert_int_ge(i, -1);
	ck_assert_int_lt(i, (int)fx->svc->nrs);
	return i;
}

unsigned
fixture_count(struct fixture *fx, unsigned npicks, unsigned *counts)
{
	unsigned none = 0;
	int i;

	memset(counts, 0, fx->svc->nrs * sizeof(*counts));
	for (unsigned k = 0; k < npicks; k++) {
		if ((i = fixture_pick(fx)) == -1)
			none++;
		else
			counts[i]++;
	}
	return none;
}

/* a child of fixture_fork_count(): no Check calls, only an exit status */
static void
fork_child(struct fixture *fx, int go, int res, unsigned npicks)
{
	unsigned rec[CONF_MAX_SERVERS + 1];
	size_t len = (fx->svc->nrs + 1) * sizeof(rec[0]);
	ssize_t r;
	char c;
	int i;

	memset(rec, 0, sizeof(rec));
	/* wait until the parent closes the other end: all are forked */
	while ((r = read(go, &c, 1)) == -1 && errno == EINTR)
		;
	if (r != 0)
		_exit(3);
	for (unsigned k = 0; k < npicks; k++) {
		i = fx->ops->schedule(fx->svc, fx->sb, &fx->req);
		if (i < -1 || i >= (int)fx->svc->nrs)
			_exit(2);
		rec[i == -1 ? fx->svc->nrs : (unsigned)i]++;
	}
	/* at most 65 words: below PIPE_BUF, so one atomic write */
	if (write(res, rec, len) != (ssize_t)len)
		_exit(4);
	_exit(0);
}

static void
read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t r;

	while (len > 0) {
		r = read(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		ck_assert_int_gt(r, 0);
		p += r;
		len -= (size_t)r;
	}
}

unsigned
fixture_fork_count(struct fixture *fx, unsigned nproc, unsigned npicks,
    unsigned *counts)
{
	unsigned rec[CONF_MAX_SERVERS + 1], none = 0, n = fx->svc->nrs;
	pid_t pids[FIXTURE_MAX_PROCS];
	int go[2], res[2], status;

	ck_assert_uint_le(nproc, FIXTURE_MAX_PROCS);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (unsigned p = 0; p < nproc; p++) {
		ck_assert_int_ne(pids[p] = fork(), -1);
		if (pids[p] == 0) {
			close(go[1]);
			close(res[0]);
			fork_child(fx, go[0], res[1], npicks);
		}
	}
	close(go[0]);
	close(res[1]);
	close(go[1]);		/* start them all */
	memset(counts, 0, n * sizeof(*counts));
	for (unsigned p = 0; p < nproc; p++) {
		read_full(res[0], rec, (n + 1) * sizeof(rec[0]));
		for (unsigned i = 0; i < n; i++)
			counts[i] += rec[i];
		none += rec[n];
	}
	close(res[0]);
	for (unsigned p = 0; p < nproc; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %u: status %#x", p, (unsigned)status);
	}
	return none;
}
