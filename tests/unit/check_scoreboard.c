/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for scoreboard.c: the carving (printing every sizeof, as
 * memcached's sizes.c does, so layout changes show in review), slot
 * assignment by stable key, counters updated from several forked
 * processes adding up exactly, and the repair of a dead worker's slot.
 */
#include "config.h"

#include <sys/wait.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
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
	size_t sz = sb_size(1024, SB_MAX_SERVICES, SB_MAX_SERVERS, 256);

	printf("sizeof(struct sb_header)  = %zu\n", sizeof(struct sb_header));
	printf("sizeof(struct sb_worker)  = %zu\n", sizeof(struct sb_worker));
	printf("sizeof(struct sb_service) = %zu\n",
	    sizeof(struct sb_service));
	printf("sizeof(struct sb_server)  = %zu\n", sizeof(struct sb_server));
	printf("scoreboard for 1024 workers = %zu bytes\n", sz);
	ck_assert_uint_eq(sizeof(struct sb_worker) % SB_CACHELINE, 0);
	ck_assert_uint_eq(sizeof(struct sb_server) % SB_CACHELINE, 0);
	ck_assert_uint_eq(sizeof(struct sb_service) % SB_CACHELINE, 0);
	ck_assert_uint_ge(sz, 1024 * sizeof(struct sb_worker) +
	    SB_MAX_SERVERS * sizeof(struct sb_server));
	/* bounded: the default limits fit in a few MiB */
	ck_assert_uint_lt(sz, 8u << 20);
}
END_TEST

START_TEST(test_attach_stable)
{
	struct sb *sb = sb_create(16, 256, NULL);
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

#define NPROC	4
#define NITER	20000

START_TEST(test_forked_counters)
{
	struct sb *sb = sb_create(NPROC, 256, NULL);
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
	struct sb *sb = sb_create(4, 256, NULL);
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
	sb = sb_create(8, 256, path);
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
	struct sb *sb = sb_create(2, 256, NULL);
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
	tcase_add_test(tc, test_available);
	suite_add_tcase(s, tc);
	tc = tcase_create("processes");
	tcase_add_test(tc, test_forked_counters);
	tcase_add_test(tc, test_repair);
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
