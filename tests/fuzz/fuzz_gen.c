/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What the targets that load configurations share (fuzz_conf,
 * fuzz_control): host names are never looked up, getaddrinfo being
 * wrapped to numeric only, so a fuzzer sends no traffic anywhere and stays
 * fast; and the conf_dump() round trip every accepted generation must
 * pass.
 */
#include "config.h"

#include <sys/socket.h>
#include <netdb.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static gai_fn real;
	struct addrinfo h;

	if (real == NULL)
		real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	memset(&h, 0, sizeof(h));
	if (hints != NULL)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
	return real(node, service, &h, res);
}

/*
 * tcpvsadm -S and every structural tcpvsadm change write the generation
 * out with conf_dump() and load it again: whatever the parser accepted
 * must be written so that it loads back, and to the same text.
 */
void
fuzz_check_dump(const struct generation *gen)
{
	static char junk[1 << 16];
	struct generation *again;
	char *t1 = NULL, *t2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *f, *errf;

	if ((f = open_memstream(&t1, &l1)) == NULL)
		abort();
	conf_dump(f, gen, NULL);
	fclose(f);
	if ((errf = fmemopen(junk, sizeof(junk) - 1, "w")) == NULL)
		abort();
	again = conf_load_buf("dump", t1, errf);
	fclose(errf);
	if (again == NULL)
		fprintf(stderr, "dump rejected:\n%s\n%s\n", junk, t1);
	FUZZ_CHECK(again != NULL);
	if ((f = open_memstream(&t2, &l2)) == NULL)
		abort();
	conf_dump(f, again, NULL);
	fclose(f);
	if (strcmp(t1, t2) != 0)
		fprintf(stderr, "dump differs:\n%s\n---\n%s\n", t1, t2);
	FUZZ_CHECK(strcmp(t1, t2) == 0);
	FUZZ_CHECK(again->nsvc == gen->nsvc);
	conf_free(again);
	free(t1);
	free(t2);
}
