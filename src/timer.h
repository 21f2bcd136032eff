/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Every deadline of a worker in one binary min-heap keyed by expiry (as
 * nginx's ngx_event_timer.c keeps them in one tree): request_timeout,
 * read_timeout, connect_timeout, keepalive_timeout,
 * server_keepalive_timeout, lingering close.  The worker's loop waits in
 * epoll_wait until the nearest one (timers_wait), then fires those due
 * (timers_run).  Arming, moving and removing a timer cost O(log n); a
 * timer that never fires costs nothing more.  A timer lives inside the
 * object it times (an exchange, a parked connection); its place in the
 * heap is kept in it, so it can be moved or removed without a search.
 */
#ifndef TCPVS_TIMER_H
#define TCPVS_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer;
typedef void	(*timer_fn)(struct timer *);

struct timer {
	int64_t		 when;		/* ms, util_now_ms() */
	unsigned	 place;		/* in the heap, plus one; 0: not armed */
	timer_fn	 fire;		/* called once when it expires, disarmed */
};

struct timers {
	struct timer	**heap;
	unsigned	 n;
	unsigned	 cap;
};

void		 timers_init(struct timers *, unsigned cap);
void		 timers_free(struct timers *);
/* arm t to fire at when (ms), or move it there if armed */
void		 timer_set(struct timers *, struct timer *, int64_t when,
		    timer_fn);
/* disarm t; nothing if it is not armed */
void		 timer_del(struct timers *, struct timer *);
static inline bool
timer_armed(const struct timer *t)
{
	return t->place != 0;
}
/* the nearest expiry, or INT64_MAX when none is armed */
int64_t		 timers_next(const struct timers *);
/* ms from now until the nearest expiry, 0 if due, at most max */
int		 timers_wait(const struct timers *, int64_t now, int max);
/* fire (in order of expiry) every timer due at now; returns how many */
unsigned	 timers_run(struct timers *, int64_t now);

#endif /* TCPVS_TIMER_H */
