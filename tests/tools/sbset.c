/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * sbset: write a running tcpvsd's scoreboard file for the integration
 * tests.  A real server's runtime weight or administrative state, as
 * tcpvsadm does over the control socket:
 *   sbset SCOREBOARDFILE KEY weight=N|admin=active|drain|disabled
 * KEY is "ident/addr:port" as sbdump prints it.  An exchange slot of a
 * worker slot, as the worker that owns it would (through the sb_exchange
 * API, so the worker's counts by state follow and a server given takes an
 * active count), and the worker's parked connections, and of those the
 * ones whose request waits for a place:
 *   sbset SCOREBOARDFILE exchange SLOT INDEX STATE [CLIENT [KEY [REQUEST]]]
 *   sbset SCOREBOARDFILE exchange SLOT INDEX free
 *   sbset SCOREBOARDFILE parked SLOT N
 *   sbset SCOREBOARDFILE queued SLOT N
 * STATE is reading, scheduling, connecting, relaying or closing; KEY "-"
 * holds no server.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scoreboard.h"
#include "util.h"

static int
find_server(const struct sb *sb, const char *key)
{
	for (unsigned i = 0; i < atomic_load(&sb->hdr->servers_used); i++)
		if (atomic_load(&sb_server(sb, i)->in_use) &&
		    strcmp(sb_server(sb, i)->key, key) == 0)
			return (int)i;
	return -1;
}

static int
set_server(struct sb *sb, const char *key, const char *what)
{
	int i = find_server(sb, key);
	struct sb_server *s;

	if (i < 0) {
		fprintf(stderr, "sbset: no server %s\n", key);
		return 1;
	}
	s = sb_server(sb, (unsigned)i);
	if (strncmp(what, "weight=", 7) == 0)
		atomic_store(&s->weight, (uint32_t)atoi(what + 7));
	else if (strcmp(what, "admin=active") == 0)
		atomic_store(&s->admin, RS_ADMIN_ACTIVE);
	else if (strcmp(what, "admin=drain") == 0)
		atomic_store(&s->admin, RS_ADMIN_DRAIN);
	else if (strcmp(what, "admin=disabled") == 0)
		atomic_store(&s->admin, RS_ADMIN_DISABLED);
	else {
		fprintf(stderr, "sbset: %s: expected weight=N or "
		    "admin=active|drain|disabled\n", what);
		return 2;
	}
	return 0;
}

static int
xs_state(const char *name)
{
	for (int st = XS_FREE; st < XS__COUNT; st++)
		if (strcmp(name, sb_xs_state_str((enum xs_state)st)) == 0)
			return st;
	return -1;
}

/* argv: SLOT INDEX STATE [CLIENT [KEY [REQUEST]]] */
static int
set_exchange(struct sb *sb, int argc, char *argv[])
{
	unsigned slot = (unsigned)atoi(argv[0]), i = (unsigned)atoi(argv[1]);
	int st = xs_state(argv[2]), srv = -1;
	struct sockaddr_storage client;
	struct sb_exchange *x;
	struct sb_worker *ws;
	struct util_addr ua;
	char err[128];

	if (slot >= sb->hdr->nworkers || i >= sb->hdr->inflight || st < 0) {
		fprintf(stderr, "sbset: exchange %s %s %s: expected a worker "
		    "slot, an index below %u and a state\n", argv[0],
		    argv[1], argv[2], sb->hdr->inflight);
		return 2;
	}
	ws = sb_worker(sb, slot);
	x = sb_exchange(sb, slot, i);
	if (st == XS_FREE) {
		sb_exchange_end(sb, ws, x);
		return 0;
	}
	memset(&client, 0, sizeof(client));
	if (argc > 3 && util_addr_parse(argv[3], "1", &ua, err,
	    sizeof(err)) == 0)
		memcpy(&client, &ua.ss, sizeof(client));
	if (argc > 4 && strcmp(argv[4], "-") != 0 &&
	    (srv = find_server(sb, argv[4])) < 0) {
		fprintf(stderr, "sbset: no server %s\n", argv[4]);
		return 1;
	}
	if (atomic_load(&x->state) == XS_FREE)
		sb_exchange_begin(ws, x, &client);
	if (argc > 5)
		sb_exchange_request(x, argv[5], strlen(argv[5]));
	if (srv >= 0)
		sb_exchange_hold(sb, x, srv);
	sb_exchange_state(ws, x, (enum xs_state)st);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sb *sb;
	int rc;

	if (argc < 4 || (strcmp(argv[2], "exchange") == 0 && argc < 6) ||
	    ((strcmp(argv[2], "parked") == 0 ||
	    strcmp(argv[2], "queued") == 0) && argc != 5)) {
		fprintf(stderr, "usage: sbset SCOREBOARDFILE KEY "
		    "weight=N|admin=active|drain|disabled\n"
		    "       sbset SCOREBOARDFILE exchange SLOT INDEX STATE "
		    "[CLIENT [KEY [REQUEST]]]\n"
		    "       sbset SCOREBOARDFILE parked|queued SLOT N\n");
		return 2;
	}
	if ((sb = sb_open_file(argv[1], 1)) == NULL) {
		perror(argv[1]);
		return 1;
	}
	if (strcmp(argv[2], "exchange") == 0)
		rc = set_exchange(sb, argc - 3, argv + 3);
	else if (strcmp(argv[2], "parked") == 0 &&
	    (unsigned)atoi(argv[3]) < sb->hdr->nworkers) {
		atomic_store(&sb_worker(sb, (unsigned)atoi(argv[3]))->parked,
		    (uint32_t)atoi(argv[4]));
		rc = 0;
	} else if (strcmp(argv[2], "queued") == 0 &&
	    (unsigned)atoi(argv[3]) < sb->hdr->nworkers) {
		atomic_store(&sb_worker(sb, (unsigned)atoi(argv[3]))->queued,
		    (uint32_t)atoi(argv[4]));
		rc = 0;
	} else
		rc = set_server(sb, argv[2], argv[3]);
	sb_destroy(sb);
	return rc;
}
