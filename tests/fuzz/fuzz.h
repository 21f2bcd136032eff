/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What the libFuzzer targets share: the entry point's prototype and an
 * invariant check that aborts with the failed expression, so that a
 * broken invariant is a crash libFuzzer saves, whatever NDEBUG says.
 */
#ifndef TCPVS_FUZZ_H
#define TCPVS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct generation;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
/* fuzz_gen.c: gen written out by conf_dump() loads back to the same text */
void	fuzz_check_dump(const struct generation *);

#define FUZZ_CHECK(e) do {						\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #e);				\
		abort();						\
	}								\
} while (0)

#endif /* TCPVS_FUZZ_H */
