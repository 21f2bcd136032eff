/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Termination codes of exchanges (see term.h): the code table and the
 * classifiers a worker calls where an exchange ends.  Pure.
 */
#include "config.h"

#include <stddef.h>

#include "flow.h"
#include "term.h"

static const struct {
	const char	*code;
	const char	*str;
} terms[] = {
	[TERM_NONE] = { "??", "not recorded" },
	[TERM_DONE] = { "--", "complete" },
	[TERM_CLIENT_ABORT_HEAD] = { "CR",
	    "the client closed during its request head" },
	[TERM_CLIENT_TIMEOUT_HEAD] = { "cR",
	    "request head not complete within request_timeout or slower "
	    "than request_min_rate" },
	[TERM_LIMIT_HEAD] = { "PR", "request head over a limit" },
	[TERM_FRAMING_HEAD] = { "FR", "invalid request head" },
	[TERM_KILLED_HEAD] = { "KR", "stopped during the request head" },
	[TERM_SERVER_REFUSED] = { "SC",
	    "no server available, or every connect failed" },
	[TERM_SERVER_TIMEOUT_CONNECT] = { "sC",
	    "connect to the server timed out" },
	[TERM_CLIENT_ABORT_BODY] = { "CB",
	    "the client closed during its request body" },
	[TERM_CLIENT_TIMEOUT_BODY] = { "cB",
	    "no request body bytes for read_timeout" },
	[TERM_LIMIT_BODY] = { "PB", "request body over max_body_size" },
	[TERM_FRAMING_BODY] = { "FB", "invalid chunked request body" },
	[TERM_CLIENT_ABORT_WAIT] = { "CH",
	    "the client closed while the response was awaited" },
	[TERM_SERVER_ABORT_HEAD] = { "SH",
	    "the server closed before a complete response head" },
	[TERM_SERVER_TIMEOUT_HEAD] = { "sH",
	    "no response head within read_timeout" },
	[TERM_LIMIT_RESP_HEAD] = { "PH", "response head too large" },
	[TERM_FRAMING_RESP_HEAD] = { "FH", "invalid response head" },
	[TERM_KILLED_WAIT] = { "KH", "stopped while the response was "
	    "awaited" },
	[TERM_CLIENT_ABORT_DATA] = { "CD",
	    "the client closed during the response" },
	[TERM_CLIENT_TIMEOUT_DATA] = { "cD",
	    "the client read nothing for read_timeout" },
	[TERM_SERVER_ABORT_DATA] = { "SD",
	    "the server closed before the end of the response" },
	[TERM_SERVER_TIMEOUT_DATA] = { "sD",
	    "the server sent nothing for read_timeout" },
	[TERM_FRAMING_DATA] = { "FD", "invalid chunked response body" },
	[TERM_KILLED_DATA] = { "KD", "stopped during the response" },
	[TERM_INTERNAL] = { "I-", "internal error" },
};

_Static_assert(sizeof(terms) / sizeof(terms[0]) == TERM_INTERNAL + 1,
    "a code for every enum term");

const char *
term_code(enum term t)
{
	return (size_t)t < sizeof(terms) / sizeof(terms[0]) ?
	    terms[t].code : "??";
}

const char *
term_str(enum term t)
{
	return (size_t)t < sizeof(terms) / sizeof(terms[0]) ?
	    terms[t].str : "not recorded";
}

enum term
term_head(int status)
{
	switch (status) {
	case 408:
		return TERM_CLIENT_TIMEOUT_HEAD;
	case 413:
	case 414:
	case 431:
		return TERM_LIMIT_HEAD;
	default:
		return TERM_FRAMING_HEAD;	/* 400, 501 */
	}
}

enum term
term_refused(int status)
{
	switch (status) {
	case 400:
		return TERM_FRAMING_BODY;
	case 413:
		return TERM_LIMIT_BODY;
	case 431:
		return TERM_LIMIT_HEAD;
	case 503:
		return TERM_SERVER_REFUSED;
	case 504:
		return TERM_SERVER_TIMEOUT_CONNECT;
	default:
		return TERM_INTERNAL;
	}
}

enum term
term_timeout(const struct flow *req, const struct flow *resp, bool started)
{
	if (started)
		return flow_pending(resp) ? TERM_CLIENT_TIMEOUT_DATA :
		    TERM_SERVER_TIMEOUT_DATA;
	/* the request body still comes, and nothing of it waits for the
	   server: the client is slow */
	if (!req->done && req->err == FLOW_OK && !flow_pending(req))
		return TERM_CLIENT_TIMEOUT_BODY;
	return TERM_SERVER_TIMEOUT_HEAD;
}

/* a flow that failed, by its direction */
static enum term
flow_term(const struct flow *f, bool response)
{
	switch (f->err) {
	case FLOW_OK:
		return TERM_NONE;
	case FLOW_ESRC:
		return response ? TERM_SERVER_ABORT_DATA :
		    TERM_CLIENT_ABORT_BODY;
	case FLOW_EDST:
		/* a server that stops reading the body may still answer */
		return response ? TERM_CLIENT_ABORT_DATA : TERM_NONE;
	case FLOW_EFRAMING:
		return response ? TERM_FRAMING_DATA : TERM_FRAMING_BODY;
	case FLOW_ELIMIT:
		return response ? TERM_INTERNAL : TERM_LIMIT_BODY;
	}
	return TERM_INTERNAL;
}

enum term
term_exchange(const struct flow *req, const struct flow *resp, int status,
    bool started, bool killed)
{
	enum term t;

	if (status == 0)
		return TERM_DONE;
	if (started && (t = flow_term(resp, true)) != TERM_NONE)
		return t;
	if ((t = flow_term(req, false)) != TERM_NONE)
		return t;
	if (killed)
		return started ? TERM_KILLED_DATA : TERM_KILLED_WAIT;
	if (status == 504)
		return TERM_SERVER_TIMEOUT_HEAD;
	if (status > 0)
		return TERM_SERVER_ABORT_HEAD;	/* 502 */
	/* cut without a flow's failure: the client went away while an
	   interim response went out (or a poll failed) */
	return started ? TERM_INTERNAL : TERM_CLIENT_ABORT_WAIT;
}
