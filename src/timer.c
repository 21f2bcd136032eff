/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * A worker's deadlines, one binary min-heap keyed by expiry (timer.h).
 * The heap is an array of pointers to timers that live in their owners;
 * each timer keeps its own place, so moving or removing one sifts from
 * there.  The array grows by doubling, like the worker's other tables,
 * and is sized at start for what the worker expects to hold.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "timer.h"
#include "util.h"

#define TIMER_MIN_CAP	16

void
timers_init(struct timers *ts, unsigned cap)
{
	ts->n = 0;
	ts->cap = cap < TIMER_MIN_CAP ? TIMER_MIN_CAP : cap;
	ts->heap = xreallocarray(NULL, ts->cap, sizeof(*ts->heap));
}

void
timers_free(struct timers *ts)
{
	for (unsigned i = 0; i < ts->n; i++)
		ts->heap[i]->place = 0;
	free(ts->heap);
	ts->heap = NULL;
	ts->n = ts->cap = 0;
}

static void
put(struct timers *ts, unsigned i, struct timer *t)
{
	ts->heap[i] = t;
	t->place = i + 1;
}

static void
sift_up(struct timers *ts, unsigned i)
{
	struct timer *t = ts->heap[i];

	while (i > 0 && ts->heap[(i - 1) / 2]->when > t->when) {
		put(ts, i, ts->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	put(ts, i, t);
}

static void
sift_down(struct timers *ts, unsigned i)
{
	struct timer *t = ts->heap[i];
	unsigned c;

	while ((c = 2 * i + 1) < ts->n) {
		if (c + 1 < ts->n && ts->heap[c + 1]->when < ts->heap[c]->when)
			c++;
		if (ts->heap[c]->when >= t->when)
			break;
		put(ts, i, ts->heap[c]);
		i = c;
	}
	put(ts, i, t);
}

void
timer_set(struct timers *ts, struct timer *t, int64_t when, timer_fn fire)
{
	int64_t was = t->when;

	t->fire = fire;
	t->when = when;
	if (t->place != 0) {
		if (when < was)
			sift_up(ts, t->place - 1);
		else if (when > was)
			sift_down(ts, t->place - 1);
		return;
	}
	if (ts->n == ts->cap) {
		ts->cap *= 2;
		ts->heap = xreallocarray(ts->heap, ts->cap, sizeof(*ts->heap));
	}
	put(ts, ts->n++, t);
	sift_up(ts, ts->n - 1);
}

void
timer_del(struct timers *ts, struct timer *t)
{
	unsigned i = t->place;
	struct timer *last;

	if (i == 0)
		return;
	i--;
	t->place = 0;
	last = ts->heap[--ts->n];
	if (i == ts->n)
		return;
	put(ts, i, last);
	if (i > 0 && ts->heap[(i - 1) / 2]->when > last->when)
		sift_up(ts, i);
	else
		sift_down(ts, i);
}

int64_t
timers_next(const struct timers *ts)
{
	return ts->n > 0 ? ts->heap[0]->when : INT64_MAX;
}

int
timers_wait(const struct timers *ts, int64_t now, int max)
{
	int64_t next = timers_next(ts);

	if (next <= now)
		return 0;
	if (next - now < max)
		return (int)(next - now);
	return max;
}

unsigned
timers_run(struct timers *ts, int64_t now)
{
	struct timer *t;
	unsigned fired = 0;

	/* a timer fired may arm others, even for now: they run too */
	while (ts->n > 0 && ts->heap[0]->when <= now) {
		t = ts->heap[0];
		timer_del(ts, t);
		fired++;
		t->fire(t);
	}
	return fired;
}
