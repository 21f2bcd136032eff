/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * One direction of an HTTP exchange: a message body (or a tunnel) moving
 * from a source socket to a destination socket, framed as its head said.
 * Bytes already read into user space (what came with a head, chunk-size
 * lines) go out from a buffer; the rest of the payload moves by splice(2)
 * through the flow's pipe and never enters user space.  For a chunked
 * body only the framing is read into the buffer and checked by the chunk
 * decoder; the data between is spliced.
 *
 * The buffer holds three regions: buf[w..c) is classified, to be written
 * to the destination; buf[c..r) is read but not yet classified (for a
 * message that ended, what followed it: a pipelined request).  Bytes
 * enter the pipe only while the buffer is empty and the buffer fills only
 * while the pipe is empty, so the order of the bytes is kept.
 *
 * Non-blocking: flow_step() moves what can move now, flow_events() says
 * what to poll for.  The caller owns the poll loop and the timeouts.
 */
#ifndef TCPVS_FLOW_H
#define TCPVS_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "xprt.h"

enum flow_mode {
	FLOW_NONE,	/* no body: done at once */
	FLOW_LENGTH,	/* left bytes */
	FLOW_CHUNKED,	/* chunked framing, checked */
	FLOW_CLOSE,	/* until the source closes */
	FLOW_TUNNEL	/* until the source closes; then half-close dst */
};

enum flow_error {
	FLOW_OK,
	FLOW_ESRC,	/* reading the source failed, or it closed early */
	FLOW_EDST,	/* writing the destination failed */
	FLOW_EFRAMING,	/* invalid chunked framing from the source */
	FLOW_ELIMIT	/* the body passed the limit */
};

struct flow {
	struct xconn		*src;
	struct xconn		*dst;
	bool			 splice;	/* asked, and both sides' ops
						   let the kernel move bytes */
	int			*pipe;		/* [0] read end, [1] write end */
	size_t			*inpipe;	/* bytes in the pipe */
	char			*buf;
	size_t			 cap;
	size_t			 w, c, r;
	enum flow_mode		 mode;
	uint64_t		 left;		/* FLOW_LENGTH: bytes to come */
	uint64_t		 limit;		/* body bytes allowed, 0 = any */
	struct http_chunk	 ch;		/* FLOW_CHUNKED */
	bool			 eof;		/* the source closed */
	bool			 bad;		/* framing error after what is
						   pending */
	bool			 done;
	enum flow_error		 err;
	int			 errnum;	/* errno of ESRC/EDST, 0: the
						   transport's own (xprt.h) */
	uint64_t		 bytes;		/* written to dst */
	uint64_t		 body;		/* body bytes (data) classified */
	int			*lowat;		/* src's SO_RCVLOWAT as last set
						   (0: never), NULL: leave it */
	bool			 lowat_off;	/* not for the rest of this flow */
	unsigned		 slow;		/* timeouts in a row that found
						   the source slow */
};

#define FLOW_MAX_TRAILER	8192	/* trailer field bytes of a chunked
					   body */
/*
 * Waiting for more of a spliced body of known length, a flow with a lowat
 * place asks the kernel to wake it only when this much (or the rest) has
 * come, instead of at every segment: a worker woke about 7 times for a
 * 1 MiB response, about 4 times with this.  The owner of the socket
 * lowers the mark again (flow_set_lowat) before it reads anything else
 * from it.  Bodies under FLOW_LOWAT_MIN gain
 * nothing from it (a 64 KiB one came in one wake-up anyway, and the two
 * setsockopt calls made it slower).  When the mark is not reached within
 * FLOW_LOWAT_WAIT_MS (flow_lowat_timeout), what came is relayed; a source
 * that sent less than FLOW_LOWAT_FAST bytes in that time, FLOW_LOWAT_SLOW
 * times in a row, is slow and loses the mark for the rest of the flow
 * (flow_lowat_off), so its bytes are not held back.  One that sent more
 * keeps it: on a loaded machine an origin writing 16 KiB every 50 us had
 * 96-464 KiB waiting after 10 ms, now and then nothing (descheduled), and
 * losing the mark cost the worker a wake-up per segment.
 */
#define FLOW_LOWAT		(512 * 1024)
#define FLOW_LOWAT_MIN		(256 * 1024)
#define FLOW_LOWAT_WAIT_MS	10
#define FLOW_LOWAT_FAST		(32 * 1024)
#define FLOW_LOWAT_SLOW		3

/*
 * Set up f to move a body of the given framing from src to dst.  buf
 * holds pre bytes to write first (a head the caller built), then r - pre
 * bytes read from src, not yet classified; cap in all.  It splices when
 * asked and both transports let it (ops->splice); else every byte goes
 * through buf with ops->recv and ops->send (TLS).
 */
void		 flow_init(struct flow *f, struct xconn *src,
		    struct xconn *dst, bool splice,
		    int *pipe, size_t *inpipe, char *buf, size_t cap,
		    size_t pre, size_t r, enum flow_mode, uint64_t length);
/* set fd's SO_RCVLOWAT to want, *cur holding its value as last set */
void		 flow_set_lowat(int fd, int *cur, int want);
/* a poll for f waits on a raised low-water mark */
bool		 flow_lowat_waiting(const struct flow *f);
/* the mark back to 1 for the rest of f: its source is slow */
void		 flow_lowat_off(struct flow *f);
/* the mark waited FLOW_LOWAT_WAIT_MS: off if the source is slow */
void		 flow_lowat_timeout(struct flow *f);
/* move what can move now; returns whether anything moved */
bool		 flow_step(struct flow *);
/* poll events f waits for on fd (0 when done or stuck elsewhere) */
short		 flow_events(const struct flow *, int fd);
/* bytes classified or in the pipe, not yet written */
bool		 flow_pending(const struct flow *);
/* the bytes after the message, moved to buf[0..); returns how many */
size_t		 flow_rest(struct flow *);
const char	*flow_error_str(enum flow_error);
enum flow_mode	 flow_mode_of(enum http_body);

#endif /* TCPVS_FLOW_H */
