/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for the configuration loader: libconfuse with our
 * option tables, validators, line-number correction, brace check, rule
 * compilation and scheduler set-up.  Each input is a tcpvs.conf; it must
 * load into a generation that holds its own invariants, or be refused
 * with at least one "FILE:LINE: " error and nothing else printed.
 *
 * Whatever loads must also be written out by conf_dump() so that it loads
 * back to the same text (fuzz_gen.c).  Host names are never looked up.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static int fd = -1;
static char path[64], errs[1 << 16];

static void
check_generation(const struct generation *gen)
{
	const struct service *svc;

	FUZZ_CHECK(gen->nsvc <= CONF_MAX_SERVICES);
	FUZZ_CHECK(gen->serverlimit >= 1);
	for (unsigned i = 0; i < gen->nsvc; i++) {
		svc = &gen->svc[i];
		FUZZ_CHECK(svc->sched != NULL);
		FUZZ_CHECK(svc->nrs <= CONF_MAX_SERVERS);
		FUZZ_CHECK(svc->nlisten <= CONF_MAX_LISTEN);
		FUZZ_CHECK(svc->minspareservers <= svc->maxspareservers);
		FUZZ_CHECK(svc->startservers <= svc->maxclients);
		FUZZ_CHECK(memchr(svc->ident, '\0', sizeof(svc->ident)) != NULL);
		/* a pattern is compiled; a rule without one has none */
		for (unsigned r = 0; r < svc->nrules; r++)
			FUZZ_CHECK((svc->rules[r].pattern != NULL) ==
			    (svc->rules[r].re != NULL));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct generation *gen;
	FILE *errf;

	if (fd == -1) {
		if ((fd = memfd_create("tcpvs.conf", 0)) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	memset(errs, 0, sizeof(errs));
	if ((errf = fmemopen(errs, sizeof(errs) - 1, "w")) == NULL)
		abort();
	gen = conf_load(path, errf);
	fclose(errf);
	if (gen != NULL) {
		check_generation(gen);
		fuzz_check_dump(gen);
		conf_free(gen);
	} else
		/* refused: said where */
		FUZZ_CHECK(strncmp(errs, path, strlen(path)) == 0 &&
		    errs[strlen(path)] == ':');
	return 0;
}
