/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * sbdump: print a scoreboard file (tcpvs.conf "scoreboardfile") for the
 * integration tests, one line per in-use server slot (with what the
 * health checker published), per live worker slot (with its exchanges by
 * state and parked connections) and per exchange slot in use.  It maps the file
 * read-only and never writes it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scoreboard.h"

/* the health checker's fields of a server line */
static void
dump_check(const struct sb_server *s)
{
	printf(" checked=%u fails=%u check=%s code=%d latency_us=%u "
	    "check_ms=%lld oks=%u check_fails=%u change_ms=%lld "
	    "ramp_ms=%lld", atomic_load(&s->checked),
	    atomic_load(&s->fails),
	    sb_probe_result_str((enum probe_result)atomic_load(
	    &s->check_result)), atomic_load(&s->check_code),
	    atomic_load(&s->check_latency_us),
	    (long long)atomic_load(&s->check_ms), atomic_load(&s->check_oks),
	    atomic_load(&s->check_fails),
	    (long long)atomic_load(&s->change_ms),
	    (long long)atomic_load(&s->ramp_ms));
}

static void
dump_servers(const struct sb *sb)
{
	for (unsigned i = 0; i < atomic_load(&sb->hdr->servers_used); i++) {
		const struct sb_server *s = sb_server(sb, i);

		if (!atomic_load(&s->in_use))
			continue;
		printf("server %s active=%u conns=%llu requests=%llu "
		    "health=%s weight=%u admin=%s conf_weight=%u", s->key,
		    atomic_load(&s->active),
		    (unsigned long long)atomic_load(&s->conns),
		    (unsigned long long)atomic_load(&s->requests),
		    sb_health_str((enum rs_health)atomic_load(&s->health)),
		    atomic_load(&s->weight),
		    sb_admin_str((enum rs_admin)atomic_load(&s->admin)),
		    atomic_load(&s->conf_weight));
		dump_check(s);
		putchar('\n');
	}
}

static void
dump_workers(const struct sb *sb)
{
	for (unsigned i = 0; i < sb->hdr->nworkers; i++) {
		const struct sb_worker *ws = sb_worker(sb, i);
		int svc = atomic_load(&ws->service);
		pid_t pid = atomic_load(&ws->pid);
		unsigned inflight = 0;

		if (pid == 0)
			continue;
		for (unsigned k = XS_FREE + 1; k < XS__COUNT; k++)
			inflight += atomic_load(&ws->xstates[k]);
		printf("worker %u pid=%ld service=%s state=%s conns=%llu "
		    "requests=%llu", i, (long)pid,
		    svc >= 0 && (unsigned)svc < sb->hdr->nservices ?
		    sb_service(sb, (unsigned)svc)->ident : "-",
		    sb_ws_state_str((enum ws_state)atomic_load(&ws->state)),
		    (unsigned long long)atomic_load(&ws->conns),
		    (unsigned long long)atomic_load(&ws->requests));
		for (int st = XS_FREE + 1; st < XS__COUNT; st++)
			printf(" %s=%u", sb_xs_state_str((enum xs_state)st),
			    atomic_load(&ws->xstates[st]));
		printf(" inflight=%u parked=%u queued=%u\n", inflight,
		    atomic_load(&ws->parked), atomic_load(&ws->queued));
	}
}

static int
counted(const struct sb_worker *ws)
{
	for (int st = XS_FREE + 1; st < XS__COUNT; st++)
		if (atomic_load(&ws->xstates[st]) > 0)
			return 1;
	return 0;
}

/*
 * Every exchange slot in use of a worker slot that is live or counts
 * exchanges (only those: an untouched slot is left untouched)
 */
static void
dump_exchanges(const struct sb *sb)
{
	for (unsigned i = 0; i < sb->hdr->nworkers; i++)
		for (unsigned j = 0; j < sb->hdr->inflight &&
		    (atomic_load(&sb_worker(sb, i)->pid) != 0 ||
		    counted(sb_worker(sb, i))); j++) {
			const struct sb_exchange *x = sb_exchange(sb, i, j);
			int st = atomic_load(&x->state);

			if (st == XS_FREE)
				continue;
			printf("exchange %u-%u state=%s server=%d\n", i, j,
			    sb_xs_state_str((enum xs_state)st),
			    atomic_load(&x->server));
		}
}

int
main(int argc, char *argv[])
{
	struct sb *sb;

	if (argc != 2) {
		fprintf(stderr, "usage: sbdump SCOREBOARDFILE\n");
		return 2;
	}
	if ((sb = sb_open_readonly(argv[1])) == NULL) {
		fprintf(stderr, "sbdump: %s: not a tcpvs scoreboard file\n",
		    argv[1]);
		return 1;
	}
	printf("scoreboard workers=%u inflight=%u services=%u servers=%u "
	    "generation=%u\n", sb->hdr->nworkers, sb->hdr->inflight,
	    sb->hdr->nservices, sb->hdr->nservers,
	    atomic_load(&sb->hdr->generation));
	dump_servers(sb);
	dump_workers(sb);
	dump_exchanges(sb);
	sb_destroy(sb);
	return 0;
}
