/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * sbset: change a real server's runtime weight or administrative state in
 * a running tcpvsd's scoreboard file, as tcpvsadm does over the control
 * socket, for the integration tests:
 *   sbset SCOREBOARDFILE KEY weight=N|admin=active|drain|disabled
 * KEY is "ident/addr:port" as sbdump prints it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scoreboard.h"

int
main(int argc, char *argv[])
{
	struct sb *sb;
	struct sb_server *s;

	if (argc != 4) {
		fprintf(stderr, "usage: sbset SCOREBOARDFILE KEY "
		    "weight=N|admin=active|drain|disabled\n");
		return 2;
	}
	if ((sb = sb_open_file(argv[1], 1)) == NULL) {
		perror(argv[1]);
		return 1;
	}
	for (unsigned i = 0; i < sb->hdr->nservers; i++) {
		s = sb_server(sb, i);
		if (!atomic_load(&s->in_use) || strcmp(s->key, argv[2]) != 0)
			continue;
		if (strncmp(argv[3], "weight=", 7) == 0)
			atomic_store(&s->weight, (uint32_t)atoi(argv[3] + 7));
		else if (strcmp(argv[3], "admin=active") == 0)
			atomic_store(&s->admin, RS_ADMIN_ACTIVE);
		else if (strcmp(argv[3], "admin=drain") == 0)
			atomic_store(&s->admin, RS_ADMIN_DRAIN);
		else if (strcmp(argv[3], "admin=disabled") == 0)
			atomic_store(&s->admin, RS_ADMIN_DISABLED);
		else {
			fprintf(stderr, "sbset: %s: expected weight=N or "
			    "admin=active|drain|disabled\n", argv[3]);
			return 2;
		}
		sb_destroy(sb);
		return 0;
	}
	fprintf(stderr, "sbset: no server %s in %s\n", argv[2], argv[1]);
	sb_destroy(sb);
	return 1;
}
