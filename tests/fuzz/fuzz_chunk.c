/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for the chunked-framing decoder (http_chunk.c).  Each
 * input is a body relayed three times as a worker would, framing through
 * the decoder and data bytes around it: whole, a byte at a time, and in
 * pieces of sizes drawn from the input.  Every call is held to the API's
 * promises (used within the buffer, all of it on HTTP_AGAIN, data or the
 * end on HTTP_OK, a reason and no progress on HTTP_ERROR), and the three
 * relays must agree on the outcome, the bytes consumed, the data (by
 * hash) and the offset of a fault: how bytes arrive never changes what a
 * body means.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "http.h"

#define MAX_TRAILER	256

struct outcome {
	enum http_result r;	/* OK: done, AGAIN: input ran out */
	size_t		 off;	/* bytes consumed, framing and data */
	size_t		 framing;
	uint64_t	 ndata;
	uint64_t	 hash;	/* FNV-1a of the data */
	uint64_t	 total;
	const char	*reason;
};

/* the sizes bytes arrive in: 0 whole, 1 one by one, 2 drawn */
struct feed {
	int		 mode;
	uint32_t	 seed;
};

static size_t
next_piece(struct feed *f)
{
	if (f->mode == 0)
		return SIZE_MAX;
	if (f->mode == 1)
		return 1;
	f->seed = f->seed * 1103515245u + 12345u;
	return 1 + (f->seed >> 16) % 23;
}

static void
take_data(struct http_chunk *c, const char *p, size_t n, struct outcome *o)
{
	for (size_t i = 0; i < n; i++)
		o->hash = (o->hash ^ (unsigned char)p[i]) * 1099511628211u;
	o->ndata += n;
	http_chunk_data(c, n);
}

/* one call, and what it promises */
static enum http_result
parse(struct http_chunk *c, const char *p, size_t avail, size_t *used)
{
	enum http_result r = http_chunk_parse(c, p, avail, used);
	size_t again;

	FUZZ_CHECK(*used <= avail);
	FUZZ_CHECK(c->line <= HTTP_CHUNK_MAX_LINE);
	FUZZ_CHECK(c->trailer <= c->max_trailer);
	switch (r) {
	case HTTP_OK:
		FUZZ_CHECK(c->done != (c->data_left > 0));
		FUZZ_CHECK(http_chunk_parse(c, p + *used, avail - *used,
		    &again) == HTTP_OK && again == 0);
		break;
	case HTTP_AGAIN:
		FUZZ_CHECK(*used == avail && !c->done && c->data_left == 0);
		break;
	case HTTP_ERROR:
		FUZZ_CHECK(c->reason != NULL && *used < avail);
		FUZZ_CHECK(http_chunk_parse(c, p, avail, &again) ==
		    HTTP_ERROR && again == 0);
		break;
	}
	return r;
}

static void
relay(const char *buf, size_t len, struct feed f, struct outcome *o)
{
	struct http_chunk c;
	size_t off = 0, got = 0, used, n, piece;
	enum http_result r;

	memset(o, 0, sizeof(*o));
	o->hash = 14695981039346656037u;
	http_chunk_init(&c, MAX_TRAILER);
	for (;;) {
		if (off == got) {
			if (got == len) {
				o->r = HTTP_AGAIN;
				break;
			}
			piece = next_piece(&f);
			got += len - got < piece ? len - got : piece;
		}
		r = parse(&c, buf + off, got - off, &used);
		off += used;
		o->framing += used;
		if (r == HTTP_AGAIN)
			continue;
		if (r == HTTP_ERROR || c.done) {
			o->r = r;
			o->reason = c.reason;
			break;
		}
		n = c.data_left < got - off ? (size_t)c.data_left : got - off;
		take_data(&c, buf + off, n, o);
		off += n;
	}
	o->off = off;
	o->total = c.total;
	FUZZ_CHECK(o->total >= o->ndata);
}

static int
same(const struct outcome *a, const struct outcome *b)
{
	return a->r == b->r && a->off == b->off && a->framing == b->framing &&
	    a->ndata == b->ndata && a->hash == b->hash &&
	    a->total == b->total && a->reason == b->reason;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct outcome whole, bytes, drawn;
	struct feed f;

	f.mode = 0;
	f.seed = 0;
	relay(buf, size, f, &whole);
	f.mode = 1;
	relay(buf, size, f, &bytes);
	f.mode = 2;
	f.seed = size > 0 ? (uint32_t)data[0] * 2654435761u : 1;
	relay(buf, size, f, &drawn);
	FUZZ_CHECK(same(&whole, &bytes));
	FUZZ_CHECK(same(&whole, &drawn));
	return 0;
}
