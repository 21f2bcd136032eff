/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for scoreboard.c: the carving (printing every sizeof, as
 * memcached's sizes.c does, so layout changes show in review), slot
 * assignment by stable key, counters updated from several forked
 * processes adding up exactly, the repair of a dead worker's slot and of
 * its in-flight exchanges, the exchange slots' counts, and the workers'
 * passive health reports; and for scoreboard_census.c: a worker's free
 * exchange slots (sb_worker_free) and the worker to retire (sb_retiree).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "probe.h"
#include "scoreboard.h"

static struct generation *
make_gen(const char *ident, unsigned nrs)
{
	struct generation *gen = calloc(1, sizeof(*gen));
	struct service *svc;

	ck_assert_ptr_nonnull(gen);
	gen->svc = calloc(1, sizeof(*gen->svc));
	ck_assert_ptr_nonnull(gen->svc);
	gen->nsvc = 1;
	svc = &gen->svc[0];
	snprintf(svc->ident, sizeof(svc->ident), "%s", ident);
	svc->sb_index = -1;
	svc->nrs = nrs;
	for (unsigned i = 0; i < nrs; i++) {
		snprintf(svc->rs[i].addrstr, sizeof(svc->rs[i].addrstr),
		    "127.0.0.1:%u", 8081 + i);
		svc->rs[i].weight = i + 1;
		svc->rs[i].sb_index = -1;
	}
	return gen;
}

static void
free_gen(struct generation *gen)
{
	free(gen->svc);
	free(gen);
}

START_TEST(test_sizes)
{
	size_t sz = sb_size(1024, 0, SB_MAX_SERVICES, SB_MAX_SERVERS, 256);

	printf("sizeof(struct sb_header)  = %zu\n", sizeof(struct sb_header));
	printf("sizeof(struct sb_worker)  = %zu\n", sizeof(struct sb_worker));
	printf("sizeof(struct sb_service) = %zu\n",
	    sizeof(struct sb_service));
	printf("sizeof(struct sb_server)  = %zu\n", sizeof(struct sb_server));
	printf("sizeof(struct sb_exchange) = %zu\n",
	    sizeof(struct sb_exchange));
	printf("scoreboard for 1024 workers = %zu bytes\n", sz);
	ck_assert_uint_eq(sizeof(struct sb_worker) % SB_CACHELINE, 0);
	ck_assert_uint_eq(sizeof(struct sb_server) % SB_CACHELINE, 0);
	ck_assert_uint_eq(sizeof(struct sb_service) % SB_CACHELINE, 0);
	ck_assert_uint_eq(sizeof(struct sb_exchange) % SB_CACHELINE, 0);
	ck_assert_uint_ge(sz, 1024 * sizeof(struct sb_worker) +
	    SB_MAX_SERVERS * sizeof(struct sb_server));
	/* bounded: the default limits fit in a few MiB */
	ck_assert_uint_lt(sz, 8u << 20);
}
END_TEST

START_TEST(test_attach_stable)
{
	struct sb *sb = sb_create(16, 4, 256, NULL);
	struct generation *g1 = make_gen("web", 3), *g2 = make_gen("web", 2);
	char err[256];

	ck_assert_ptr_nonnull(sb);
	ck_assert_int_eq(sb_attach(sb, g1, err, sizeof(err)), 0);
	ck_assert_int_ge(g1->svc[0].sb_index, 0);
	ck_assert_uint_eq(atomic_load(&sb_server(sb,
	    (unsigned)g1->svc[0].rs[2].sb_index)->weight), 3);
	ck_assert_str_eq(sb_server(sb, (unsigned)g1->svc[0].rs[1].sb_index)->
	    key, "web/127.0.0.1:8082");
	atomic_store(&sb_server(sb, (unsigned)g1->svc[0].rs[0].sb_index)->
	    conns, 42);
	/* a second generation with the same keys gets the same slots */
	ck_assert_int_eq(sb_attach(sb, g2, err, sizeof(err)), 0);
	ck_assert_int_eq(g2->svc[0].sb_index, g1->svc[0].sb_index);
	ck_assert_int_eq(g2->svc[0].rs[0].sb_index, g1->svc[0].rs[0].sb_index);
	ck_assert_uint_eq(atomic_load(&sb_server(sb,
	    (unsigned)g2->svc[0].rs[0].sb_index)->conns), 42);
	/* retiring g1 frees only the server g2 does not use */
	sb_detach(sb, g1, g2);
	ck_assert_uint_eq(atomic_load(&sb_server(sb,
	    (unsigned)g1->svc[0].rs[2].sb_index)->in_use), 0);
	ck_assert_uint_eq(atomic_load(&sb_server(sb,
	    (unsigned)g1->svc[0].rs[0].sb_index)->in_use), 1);
	free_gen(g1);
	free_gen(g2);
	sb_destroy(sb);
}
END_TEST

/* slots are taken lowest first, a freed one again before a new one */
START_TEST(test_attach_high_water)
{
	struct sb *sb = sb_create(2, 4, 256, NULL);
	struct generation *g1 = make_gen("web", 3), *g2 = make_gen("web", 2),
	    *g3 = make_gen("api", 2);
	char err[256];

	ck_assert_uint_eq(atomic_load(&sb->hdr->servers_used), 0);
	ck_assert_int_eq(sb_attach(sb, g1, err, sizeof(err)), 0);
	ck_assert_uint_eq(atomic_load(&sb->hdr->services_used), 1);
	ck_assert_uint_eq(atomic_load(&sb->hdr->servers_used), 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(g1->svc[0].rs[i].sb_index, (int)i);
	ck_assert_int_eq(sb_attach(sb, g2, err, sizeof(err)), 0);
	sb_detach(sb, g1, g2);	/* frees web/...:8083, slot 2 */
	ck_assert_int_eq(sb_attach(sb, g3, err, sizeof(err)), 0);
	ck_assert_int_eq(g3->svc[0].sb_index, 1);
	ck_assert_int_eq(g3->svc[0].rs[0].sb_index, 2);
	ck_assert_int_eq(g3->svc[0].rs[1].sb_index, 3);
	ck_assert_uint_eq(atomic_load(&sb->hdr->servers_used), 4);
	ck_assert_uint_eq(atomic_load(&sb->hdr->services_used), 2);
	free_gen(g1);
	free_gen(g2);
	free_gen(g3);
	sb_destroy(sb);
}
END_TEST

#define NPROC	4
#define NITER	20000

START_TEST(test_forked_counters)
{
	struct sb *sb = sb_create(NPROC, 4, 256, NULL);
	struct generation *gen = make_gen("web", 2);
	char err[256];
	pid_t pids[NPROC];
	int status;

	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	for (int p = 0; p < NPROC; p++) {
		int slot = sb_worker_alloc(sb);

		ck_assert_int_ge(slot, 0);
		pids[p] = fork();
		ck_assert_int_ne(pids[p], -1);
		if (pids[p] == 0) {
			struct sb_worker *ws = sb_worker(sb, (unsigned)slot);

			for (int i = 0; i < NITER; i++) {
				sb_server_hold(sb, ws, gen->svc[0].rs[i & 1].
				    sb_index);
				sb_server_connected(sb, gen->svc[0].rs[i & 1].
				    sb_index);
				atomic_fetch_add(&ws->requests, 1);
				sb_server_release(sb, ws);
			}
			/* the child's copies, so memcheck sees no leak */
			free_gen(gen);
			sb_destroy(sb);
			_exit(0);
		}
		atomic_store(&sb_worker(sb, (unsigned)slot)->pid, pids[p]);
	}
	for (int p = 0; p < NPROC; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (int r = 0; r < 2; r++) {
		struct sb_server *s = sb_server(sb,
		    (unsigned)gen->svc[0].rs[r].sb_index);

		ck_assert_uint_eq(atomic_load(&s->conns), NPROC * NITER / 2);
		ck_assert_uint_eq(atomic_load(&s->active), 0);
	}
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_repair)
{
	struct sb *sb = sb_create(4, 4, 256, NULL);
	struct generation *gen = make_gen("web", 1);
	int rs, slot, status;
	char err[256];
	pid_t pid;

	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	rs = gen->svc[0].rs[0].sb_index;
	slot = sb_worker_alloc(sb);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		sb_server_hold(sb, sb_worker(sb, (unsigned)slot), rs);
		pause();	/* killed while holding the connection */
		_exit(0);
	}
	atomic_store(&sb_worker(sb, (unsigned)slot)->pid, pid);
	for (int i = 0; i < 2000 && atomic_load(&sb_server(sb,
	    (unsigned)rs)->active) == 0; i++)
		usleep(1000);
	ck_assert_uint_eq(atomic_load(&sb_server(sb, (unsigned)rs)->active),
	    1);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	sb_worker_repair(sb, (unsigned)slot);
	ck_assert_uint_eq(atomic_load(&sb_server(sb, (unsigned)rs)->active),
	    0);
	ck_assert_int_eq(atomic_load(&sb_worker(sb, (unsigned)slot)->state),
	    WS_DEAD);
	/* a second repair never takes the count below zero */
	sb_worker_repair(sb, (unsigned)slot);
	ck_assert_uint_eq(atomic_load(&sb_server(sb, (unsigned)rs)->active),
	    0);
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_file_readonly)
{
	char path[] = "/tmp/check_scoreboard.XXXXXX";
	int fd = mkstemp(path);
	struct sb *sb, *ro;

	ck_assert_int_ne(fd, -1);
	close(fd);
	sb = sb_create(8, 4, 256, path);
	ck_assert_ptr_nonnull(sb);
	atomic_store(&sb_worker(sb, 3)->pid, 4242);
	ro = sb_open_readonly(path);
	ck_assert_ptr_nonnull(ro);
	ck_assert_uint_eq(ro->hdr->nworkers, 8);
	ck_assert_int_eq(atomic_load(&sb_worker(ro, 3)->pid), 4242);
	sb_destroy(ro);
	sb_destroy(sb);
	unlink(path);
	/* anything else is refused */
	ck_assert_ptr_null(sb_open_readonly("/etc/hostname"));
}
END_TEST

START_TEST(test_available)
{
	struct sb *sb = sb_create(2, 4, 256, NULL);
	struct generation *gen = make_gen("web", 1);
	struct sb_server *s;
	char err[256];

	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	s = sb_server(sb, (unsigned)gen->svc[0].rs[0].sb_index);
	ck_assert_int_eq(sb_server_available(s), 1);
	atomic_store(&s->weight, 0);
	ck_assert_int_eq(sb_server_available(s), 0);
	atomic_store(&s->weight, 1);
	atomic_store(&s->health, RS_HEALTH_DOWN);
	ck_assert_int_eq(sb_server_available(s), 0);
	atomic_store(&s->health, RS_HEALTH_UP);
	atomic_store(&s->admin, RS_ADMIN_DRAIN);
	ck_assert_int_eq(sb_server_available(s), 0);
	atomic_store(&s->admin, RS_ADMIN_ACTIVE);
	ck_assert_int_eq(sb_server_available(s), 1);
	ck_assert_str_eq(sb_ws_state_str(WS_RELAYING), "relaying");
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_passive)
{
	struct sb *sb = sb_create(2, 4, 256, NULL);
	struct generation *gen = make_gen("web", 2);
	struct sb_server *s0, *s1;
	char err[256];
	int r0, r1;

	/* server 0 is checked (tcp), server 1 is not */
	gen->svc[0].rs[0].check.probe = &probe_tcp;
	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	r0 = gen->svc[0].rs[0].sb_index;
	r1 = gen->svc[0].rs[1].sb_index;
	s0 = sb_server(sb, (unsigned)r0);
	s1 = sb_server(sb, (unsigned)r1);
	ck_assert_uint_eq(atomic_load(&s0->checked), 1);
	ck_assert_uint_eq(atomic_load(&s1->checked), 0);
	ck_assert_int_eq(atomic_load(&s0->health), RS_HEALTH_UNKNOWN);
	/* fall 3: the third consecutive failure marks it DOWN */
	ck_assert_uint_eq(sb_server_report_fail(sb, r0, 3), 1);
	ck_assert_uint_eq(sb_server_report_fail(sb, r0, 3), 2);
	ck_assert_int_eq(atomic_load(&s0->health), RS_HEALTH_UNKNOWN);
	ck_assert_int_eq(sb_server_available(s0), 1);
	ck_assert_int_eq(atomic_load(&s0->change_ms), 0);
	ck_assert_uint_eq(sb_server_report_fail(sb, r0, 3), 3);
	ck_assert_int_eq(atomic_load(&s0->health), RS_HEALTH_DOWN);
	ck_assert_int_eq(sb_server_available(s0), 0);
	ck_assert_int_gt(atomic_load(&s0->change_ms), 0);
	/* a success ends the run, but only the checker brings it back UP */
	ck_assert_uint_eq(sb_server_report_ok(sb, r0), 3);
	ck_assert_uint_eq(atomic_load(&s0->fails), 0);
	ck_assert_uint_eq(sb_server_report_ok(sb, r0), 0);
	ck_assert_int_eq(atomic_load(&s0->health), RS_HEALTH_DOWN);
	/* failures are counted on, and a success resets them */
	atomic_store(&s0->health, RS_HEALTH_UP);
	ck_assert_uint_eq(sb_server_report_fail(sb, r0, 3), 1);
	ck_assert_uint_eq(sb_server_report_ok(sb, r0), 1);
	ck_assert_uint_eq(sb_server_report_fail(sb, r0, 3), 1);
	ck_assert_int_eq(atomic_load(&s0->health), RS_HEALTH_UP);
	/* fall 0: never marked DOWN */
	for (unsigned i = 2; i < 10; i++)
		ck_assert_uint_eq(sb_server_report_fail(sb, r0, 0), i);
	ck_assert_int_eq(atomic_load(&s0->health), RS_HEALTH_UP);
	/* an unchecked server is never marked DOWN: nothing would undo it */
	for (unsigned i = 1; i < 10; i++)
		ck_assert_uint_eq(sb_server_report_fail(sb, r1, 1), i);
	ck_assert_int_eq(atomic_load(&s1->health), RS_HEALTH_UNKNOWN);
	ck_assert_int_eq(sb_server_available(s1), 1);
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_passive_forked)
{
	struct sb *sb = sb_create(NPROC, 4, 256, NULL);
	struct generation *gen = make_gen("web", 1);
	char err[256];
	pid_t pids[NPROC];
	int rs, status;

	gen->svc[0].rs[0].check.probe = &probe_http;
	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	rs = gen->svc[0].rs[0].sb_index;
	for (int p = 0; p < NPROC; p++) {
		pids[p] = fork();
		ck_assert_int_ne(pids[p], -1);
		if (pids[p] == 0) {
			for (int i = 0; i < NITER; i++)
				(void)sb_server_report_fail(sb, rs, 3);
			_exit(0);
		}
	}
	for (int p = 0; p < NPROC; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_uint_eq(atomic_load(&sb_server(sb, (unsigned)rs)->fails),
	    NPROC * NITER);
	ck_assert_int_eq(atomic_load(&sb_server(sb, (unsigned)rs)->health),
	    RS_HEALTH_DOWN);
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

/* a reload: conf_weight follows the file, a ramp goes on, unchecked is up */
START_TEST(test_attach_health)
{
	struct sb *sb = sb_create(2, 4, 256, NULL);
	struct generation *g1 = make_gen("web", 1), *g2 = make_gen("web", 1);
	struct sb_server *s;
	char err[256];

	g1->svc[0].rs[0].check.probe = &probe_tcp;
	g1->svc[0].rs[0].weight = 10;
	ck_assert_int_eq(sb_attach(sb, g1, err, sizeof(err)), 0);
	s = sb_server(sb, (unsigned)g1->svc[0].rs[0].sb_index);
	ck_assert_uint_eq(atomic_load(&s->conf_weight), 10);
	ck_assert_uint_eq(atomic_load(&s->weight), 10);
	/* in slowstart: the checker's weight stays */
	atomic_store(&s->health, RS_HEALTH_UP);
	atomic_store(&s->ramp_ms, 12345);
	atomic_store(&s->weight, 2);
	ck_assert_int_eq(sb_attach(sb, g1, err, sizeof(err)), 0);
	ck_assert_uint_eq(atomic_load(&s->weight), 2);
	ck_assert_int_eq(atomic_load(&s->health), RS_HEALTH_UP);
	/* down, then no longer checked: up again, full weight, no ramp */
	atomic_store(&s->health, RS_HEALTH_DOWN);
	atomic_store(&s->fails, 7);
	g2->svc[0].rs[0].weight = 20;
	ck_assert_int_eq(sb_attach(sb, g2, err, sizeof(err)), 0);
	ck_assert_int_eq(g2->svc[0].rs[0].sb_index, g1->svc[0].rs[0].sb_index);
	ck_assert_uint_eq(atomic_load(&s->checked), 0);
	ck_assert_int_eq(atomic_load(&s->health), RS_HEALTH_UNKNOWN);
	ck_assert_uint_eq(atomic_load(&s->fails), 0);
	ck_assert_uint_eq(atomic_load(&s->weight), 20);
	ck_assert_uint_eq(atomic_load(&s->conf_weight), 20);
	ck_assert_int_eq(atomic_load(&s->ramp_ms), 0);
	ck_assert_str_eq(sb_probe_result_str(PROBE_HTTP_STATUS),
	    "http-status");
	free_gen(g1);
	free_gen(g2);
	sb_destroy(sb);
}
END_TEST

/* the exchange slots: last, inflight per worker slot, contiguous */
START_TEST(test_exchange_carving)
{
	size_t none = sb_size(1024, 0, SB_MAX_SERVICES, SB_MAX_SERVERS, 256);
	size_t full = sb_size(1024, CONF_DEF_INFLIGHTLIMIT, SB_MAX_SERVICES,
	    SB_MAX_SERVERS, 256);
	struct sb *sb = sb_create(3, 5, 256, NULL);
	unsigned char *base, *end;

	printf("exchange slots for 1024 x %u = %zu bytes\n",
	    CONF_DEF_INFLIGHTLIMIT, full - none);
	ck_assert_uint_eq(full - none, (size_t)1024 * CONF_DEF_INFLIGHTLIMIT *
	    sizeof(struct sb_exchange));
	ck_assert_ptr_nonnull(sb);
	ck_assert_uint_eq(sb->hdr->inflight, 5);
	ck_assert_uint_eq(sb->hdr->off_exchanges % SB_CACHELINE, 0);
	ck_assert_uint_ge(sb->hdr->off_exchanges, sb->hdr->off_persist +
	    (uint64_t)sb->hdr->nservices * SB_PERSIST_ENTRIES *
	    sizeof(struct sb_persist));
	base = (unsigned char *)sb->hdr;
	end = base + sb->size;
	ck_assert_ptr_eq(sb_exchange(sb, 0, 0), (void *)(base +
	    sb->hdr->off_exchanges));
	ck_assert_ptr_eq(sb_exchange(sb, 1, 0), sb_exchange(sb, 0, 4) + 1);
	ck_assert_ptr_eq((unsigned char *)(sb_exchange(sb, 2, 4) + 1), end);
	for (unsigned w = 0; w < 3; w++)
		for (unsigned i = 0; i < 5; i++) {
			ck_assert_int_eq(atomic_load(&sb_exchange(sb, w,
			    i)->state), XS_FREE);
			ck_assert_uint_eq(atomic_load(&sb_worker(sb,
			    w)->xstates[XS_READING]), 0);
		}
	sb_destroy(sb);
}
END_TEST

static void
assert_xstates(const struct sb_worker *ws, unsigned r, unsigned s,
    unsigned c, unsigned w, unsigned g)
{
	ck_assert_uint_eq(atomic_load(&ws->xstates[XS_READING]), r);
	ck_assert_uint_eq(atomic_load(&ws->xstates[XS_SCHEDULING]), s);
	ck_assert_uint_eq(atomic_load(&ws->xstates[XS_CONNECTING]), c);
	ck_assert_uint_eq(atomic_load(&ws->xstates[XS_RELAYING]), w);
	ck_assert_uint_eq(atomic_load(&ws->xstates[XS_CLOSING]), g);
	ck_assert_uint_eq(atomic_load(&ws->xstates[XS_FREE]), 0);
}

static uint32_t
active(const struct sb *sb, int rs)
{
	return atomic_load(&sb_server(sb, (unsigned)rs)->active);
}

/* begin, state, hold, release and end, with the worker slot's counts */
START_TEST(test_exchange_counts)
{
	struct sb *sb = sb_create(2, 4, 256, NULL);
	struct generation *gen = make_gen("web", 2);
	struct sockaddr_storage ss = { .ss_family = AF_INET };
	struct sb_worker *ws;
	struct sb_exchange *a, *b;
	char err[256], line[200];
	int r0, r1, slot;

	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	r0 = gen->svc[0].rs[0].sb_index;
	r1 = gen->svc[0].rs[1].sb_index;
	slot = sb_worker_alloc(sb);
	ws = sb_worker(sb, (unsigned)slot);
	a = sb_exchange(sb, (unsigned)slot, 0);
	b = sb_exchange(sb, (unsigned)slot, 3);
	sb_exchange_begin(ws, a, &ss);
	sb_exchange_begin(ws, b, NULL);
	ck_assert_int_eq(atomic_load(&a->state), XS_READING);
	ck_assert_int_eq(atomic_load(&a->server), -1);
	ck_assert_int_eq(a->client.ss_family, AF_INET);
	ck_assert_int_gt(atomic_load(&a->state_ms), 0);
	assert_xstates(ws, 2, 0, 0, 0, 0);
	memset(line, 'x', sizeof(line));
	sb_exchange_request(a, line, sizeof(line));
	ck_assert_uint_eq(strlen(a->request), sizeof(a->request) - 1);
	sb_exchange_request(b, "GET / HTTP/1.1", 14);
	ck_assert_str_eq(b->request, "GET / HTTP/1.1");
	sb_exchange_state(ws, a, XS_SCHEDULING);
	assert_xstates(ws, 1, 1, 0, 0, 0);
	sb_exchange_hold(sb, a, r0);
	ck_assert_uint_eq(active(sb, r0), 1);
	/* a retry on another server gives the first one back */
	sb_exchange_hold(sb, a, r1);
	ck_assert_uint_eq(active(sb, r0), 0);
	ck_assert_uint_eq(active(sb, r1), 1);
	sb_exchange_state(ws, a, XS_CONNECTING);
	sb_exchange_state(ws, b, XS_SCHEDULING);
	sb_exchange_hold(sb, b, r1);
	sb_exchange_state(ws, b, XS_RELAYING);
	assert_xstates(ws, 0, 0, 1, 1, 0);
	ck_assert_uint_eq(active(sb, r1), 2);
	sb_exchange_release(sb, a);
	sb_exchange_release(sb, a);	/* idempotent */
	ck_assert_uint_eq(active(sb, r1), 1);
	ck_assert_int_eq(atomic_load(&a->server), -1);
	sb_exchange_state(ws, a, XS_CLOSING);
	sb_exchange_end(sb, ws, a);
	sb_exchange_end(sb, ws, b);	/* releases what b held */
	ck_assert_uint_eq(active(sb, r1), 0);
	ck_assert_int_eq(atomic_load(&a->state), XS_FREE);
	ck_assert_int_eq(atomic_load(&b->state), XS_FREE);
	assert_xstates(ws, 0, 0, 0, 0, 0);
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

/* every state has a name and a key character of its own */
START_TEST(test_exchange_names)
{
	for (int i = 0; i < XS__COUNT; i++) {
		ck_assert_str_ne(sb_xs_state_str((enum xs_state)i), "?");
		ck_assert_int_ne(sb_xs_state_char((enum xs_state)i), '?');
		for (int j = 0; j < i; j++)
			ck_assert_int_ne(sb_xs_state_char((enum xs_state)i),
			    sb_xs_state_char((enum xs_state)j));
	}
	/* one key with the worker states */
	ck_assert_int_eq(sb_xs_state_char(XS_RELAYING),
	    sb_ws_state_char(WS_RELAYING));
	ck_assert_str_eq(sb_xs_state_str(XS_READING),
	    sb_ws_state_str(WS_READING));
}
END_TEST

/* a worker killed with exchanges holding servers; what it held comes back */
static void
hold_and_wait(struct sb *sb, unsigned slot, int r0, int r1)
{
	struct sb_worker *ws = sb_worker(sb, slot);
	const int held[] = { r0, r1, r0, -1, r1 };

	for (unsigned i = 0; i < 5; i++) {
		struct sb_exchange *x = sb_exchange(sb, slot, i);

		sb_exchange_begin(ws, x, NULL);
		if (held[i] < 0)
			continue;
		sb_exchange_state(ws, x, XS_CONNECTING);
		sb_exchange_hold(sb, x, held[i]);
		sb_exchange_state(ws, x, XS_RELAYING);
	}
	atomic_store(&ws->parked, 7);
	pause();	/* killed while holding */
	_exit(0);
}

START_TEST(test_exchange_repair)
{
	struct sb *sb = sb_create(2, 8, 256, NULL);
	struct generation *gen = make_gen("web", 2);
	struct sb_worker *ws, *other;
	int r0, r1, slot, oslot, status;
	char err[256];
	pid_t pid;

	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	r0 = gen->svc[0].rs[0].sb_index;
	r1 = gen->svc[0].rs[1].sb_index;
	slot = sb_worker_alloc(sb);
	oslot = sb_worker_alloc(sb);
	ws = sb_worker(sb, (unsigned)slot);
	other = sb_worker(sb, (unsigned)oslot);
	/* a live neighbour's exchange is not touched */
	sb_exchange_begin(other, sb_exchange(sb, (unsigned)oslot, 0), NULL);
	sb_exchange_hold(sb, sb_exchange(sb, (unsigned)oslot, 0), r1);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		hold_and_wait(sb, (unsigned)slot, r0, r1);
	atomic_store(&ws->pid, pid);
	for (int i = 0; i < 2000 && atomic_load(&ws->parked) == 0; i++)
		usleep(1000);
	ck_assert_uint_eq(active(sb, r0), 2);
	ck_assert_uint_eq(active(sb, r1), 3);
	assert_xstates(ws, 1, 0, 0, 4, 0);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	sb_worker_repair(sb, (unsigned)slot);
	ck_assert_uint_eq(active(sb, r0), 0);
	ck_assert_uint_eq(active(sb, r1), 1);
	assert_xstates(ws, 0, 0, 0, 0, 0);
	ck_assert_uint_eq(atomic_load(&ws->parked), 0);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_int_eq(atomic_load(&sb_exchange(sb, (unsigned)slot,
		    i)->state), XS_FREE);
	ck_assert_int_eq(atomic_load(&sb_exchange(sb, (unsigned)oslot,
	    0)->state), XS_READING);
	assert_xstates(other, 1, 0, 0, 0, 0);
	sb_exchange_end(sb, other, sb_exchange(sb, (unsigned)oslot, 0));
	ck_assert_uint_eq(active(sb, r1), 0);
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

/* free exchange slots, what the master's spare-server count adds up */
START_TEST(test_worker_free)
{
	struct sb *sb = sb_create(1, 8, 256, NULL);
	struct sb_worker *ws = sb_worker(sb, (unsigned)sb_worker_alloc(sb));

	ck_assert_uint_eq(sb_worker_free(ws, 4), 4);	/* starting */
	sb_worker_state(ws, WS_IDLE);
	ck_assert_uint_eq(sb_worker_free(ws, 4), 4);
	ck_assert_uint_eq(sb_worker_free(ws, 1), 1);
	sb_exchange_begin(ws, sb_exchange(sb, 0, 0), NULL);
	sb_exchange_begin(ws, sb_exchange(sb, 0, 5), NULL);
	sb_exchange_state(ws, sb_exchange(sb, 0, 5), XS_RELAYING);
	ck_assert_uint_eq(sb_worker_free(ws, 4), 2);
	atomic_store(&ws->parked, 100);	/* parked take no slot */
	ck_assert_uint_eq(sb_worker_free(ws, 4), 2);
	ck_assert_uint_eq(sb_worker_free(ws, 2), 0);
	ck_assert_uint_eq(sb_worker_free(ws, 1), 0);
	/* busy with exchanges: what they leave */
	sb_worker_state(ws, WS_RELAYING);
	ck_assert_uint_eq(sb_worker_free(ws, 4), 2);
	/* busy without any: a prefork worker on its one request */
	sb_exchange_end(sb, ws, sb_exchange(sb, 0, 0));
	sb_exchange_end(sb, ws, sb_exchange(sb, 0, 5));
	ck_assert_uint_eq(sb_worker_free(ws, 4), 0);
	sb_worker_state(ws, WS_KEEPALIVE);
	ck_assert_uint_eq(sb_worker_free(ws, 32), 0);
	sb_worker_state(ws, WS_IDLE);
	ck_assert_uint_eq(sb_worker_free(ws, 32), 32);
	sb_destroy(sb);
}
END_TEST

/* a worker of service/gen, as the master sets one up at fork */
static struct sb_worker *
forked(struct sb *sb, pid_t pid, uint32_t gen, int32_t service)
{
	struct sb_worker *ws = sb_worker(sb, (unsigned)sb_worker_alloc(sb));

	atomic_store(&ws->pid, pid);
	atomic_store(&ws->generation, gen);
	atomic_store(&ws->service, service);
	sb_worker_state(ws, WS_IDLE);
	return ws;
}

/*
 * The worker the master retires when the pool shrinks: one of the
 * service and generation holding no client connection, in flight or
 * parked; none while one told to retire is still there.
 */
START_TEST(test_retiree)
{
	struct sb *sb = sb_create(6, 4, 256, NULL);
	struct sb_worker *keeper = forked(sb, 100, 1, 0);
	struct sb_worker *busy = forked(sb, 101, 1, 0);
	struct sb_worker *empty;
	unsigned kslot = 0, bslot = 1, eslot;

	atomic_store(&keeper->parked, 40);
	sb_exchange_begin(busy, sb_exchange(sb, bslot, 2), NULL);
	sb_worker_state(busy, WS_RELAYING);
	(void)forked(sb, 102, 2, 0);	/* another generation */
	(void)forked(sb, 103, 1, 1);	/* another service */
	ck_assert_int_eq(sb_retiree(sb, 0, 1), -1);
	/* its exchange over, the busy one holds nothing */
	sb_exchange_end(sb, busy, sb_exchange(sb, bslot, 2));
	sb_worker_state(busy, WS_IDLE);
	ck_assert_int_eq(sb_retiree(sb, 0, 1), (int)bslot);
	/* closing already, it is not picked again */
	sb_worker_state(busy, WS_CLOSING);
	ck_assert_int_eq(sb_retiree(sb, 0, 1), -1);
	empty = forked(sb, 104, 1, 0);
	eslot = 4;
	ck_assert_ptr_eq(empty, sb_worker(sb, eslot));
	ck_assert_int_eq(sb_retiree(sb, 0, 1), (int)eslot);
	/* told to retire: none other until it is reaped */
	atomic_store(&empty->retiring, 1);
	atomic_store(&keeper->parked, 0);
	ck_assert_int_eq(sb_retiree(sb, 0, 1), -1);
	atomic_store(&empty->pid, 0);
	ck_assert_int_eq(sb_retiree(sb, 0, 1), (int)kslot);
	/* generation 0: any */
	ck_assert_int_eq(sb_retiree(sb, 1, 0), 3);
	sb_destroy(sb);
}
END_TEST

/*
 * The census counts the requests queued in the service's workers for a
 * place: the master's spare workers are the idle ones less those, which
 * the idle ones are about to take by handoff.
 */
START_TEST(test_census_waiting)
{
	struct sb *sb = sb_create(4, 1, 256, NULL);
	struct sb_worker *a = forked(sb, 100, 1, 0);
	struct sb_worker *b = forked(sb, 101, 1, 0);
	struct sb_census c;

	(void)b;
	c = sb_census(sb, 0, 1, NULL, 1);
	ck_assert_uint_eq(c.idle, 2);
	ck_assert_uint_eq(c.waiting, 0);
	atomic_store(&a->parked, 5);
	atomic_store(&a->queued, 3);
	(void)forked(sb, 102, 2, 0);	/* another generation */
	atomic_store(&sb_worker(sb, 2)->queued, 7);
	c = sb_census(sb, 0, 1, NULL, 1);
	ck_assert_uint_eq(c.waiting, 3);
	ck_assert_uint_eq(sb_census(sb, 0, 0, NULL, 1).waiting, 10);
	/* a slot repaired for a new worker waits for nothing */
	sb_worker_repair(sb, 0);
	ck_assert_uint_eq(atomic_load(&a->queued), 0);
	sb_destroy(sb);
}
END_TEST

/* pages of [p, p + len) in memory: mincore over the whole pages inside */
static unsigned
resident(const void *p, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(uintptr_t)(pg - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)(pg - 1);
	unsigned char vec[256];
	unsigned n = 0;

	ck_assert_uint_gt(e, a);
	ck_assert_uint_le((e - a) / pg, sizeof(vec));
	ck_assert_int_eq(mincore((void *)a, e - a, vec), 0);
	for (size_t i = 0; i < (e - a) / pg; i++)
		n += vec[i] & 1;
	return n;
}

/* exchange slots cost memory only once used; a repair reads none it need not */
START_TEST(test_exchange_untouched)
{
	struct sb *sb = sb_create(4, 256, 256, NULL);
	size_t len = 256 * sizeof(struct sb_exchange);
	unsigned slot = (unsigned)sb_worker_alloc(sb);

	ck_assert_uint_eq(resident(sb_exchange(sb, slot, 0), len), 0);
	sb_worker_repair(sb, slot);
	ck_assert_uint_eq(resident(sb_exchange(sb, slot, 0), len), 0);
	slot = (unsigned)sb_worker_alloc(sb);
	/* the check can fail: a slot in use is in memory, and repaired */
	sb_exchange_begin(sb_worker(sb, slot), sb_exchange(sb, slot, 128),
	    NULL);
	ck_assert_uint_ge(resident(sb_exchange(sb, slot, 0), len), 1);
	sb_worker_repair(sb, slot);
	ck_assert_int_eq(atomic_load(&sb_exchange(sb, slot, 128)->state),
	    XS_FREE);
	sb_destroy(sb);
}
END_TEST

/* a reload cannot grow the exchange slots of a running scoreboard */
START_TEST(test_exchange_reload_limit)
{
	struct sb *sb = sb_create(2, 8, 256, NULL);
	struct generation *gen = make_gen("web", 1);
	char err[256];

	gen->inflightlimit = 8;
	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), 0);
	gen->inflightlimit = 9;
	ck_assert_int_eq(sb_attach(sb, gen, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "inflightlimit (9)"));
	ck_assert_ptr_nonnull(strstr(err, "stop and start"));
	free_gen(gen);
	sb_destroy(sb);
}
END_TEST

static Suite *
scoreboard_suite(void)
{
	Suite *s = suite_create("scoreboard");
	TCase *tc;

	tc = tcase_create("layout");
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_file_readonly);
	suite_add_tcase(s, tc);
	tc = tcase_create("slots");
	tcase_add_test(tc, test_attach_stable);
	tcase_add_test(tc, test_attach_high_water);
	tcase_add_test(tc, test_available);
	tcase_add_test(tc, test_attach_health);
	suite_add_tcase(s, tc);
	tc = tcase_create("passive");
	tcase_add_test(tc, test_passive);
	tcase_add_test(tc, test_passive_forked);
	suite_add_tcase(s, tc);
	tc = tcase_create("processes");
	tcase_add_test(tc, test_forked_counters);
	tcase_add_test(tc, test_repair);
	tcase_add_test(tc, test_exchange_repair);
	suite_add_tcase(s, tc);
	tc = tcase_create("exchanges");
	tcase_add_test(tc, test_exchange_carving);
	tcase_add_test(tc, test_exchange_counts);
	tcase_add_test(tc, test_exchange_names);
	tcase_add_test(tc, test_exchange_reload_limit);
	tcase_add_test(tc, test_worker_free);
	tcase_add_test(tc, test_retiree);
	tcase_add_test(tc, test_census_waiting);
	tcase_add_test(tc, test_exchange_untouched);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scoreboard_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
