/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Names of the scoreboard's states, for logs, tcpvsadm, the status page
 * and the test tools: worker and exchange states with their one key of
 * Apache mod_status characters, health, administrative state and the
 * result of a health check.  Pure: no scoreboard access.
 */
#include "config.h"

#include <stdio.h>

#include "scoreboard.h"

static const char *const ws_names[WS__COUNT] = {
	[WS_DEAD] = "dead",
	[WS_STARTING] = "starting",
	[WS_IDLE] = "idle",
	[WS_READING] = "reading",
	[WS_SCHEDULING] = "scheduling",
	[WS_CONNECTING] = "connecting",
	[WS_RELAYING] = "relaying",
	[WS_KEEPALIVE] = "keepalive",
	[WS_CLOSING] = "closing",
};

/* Apache mod_status's key where one exists */
static const char ws_chars[WS__COUNT] = {
	[WS_DEAD] = '.',
	[WS_STARTING] = 'S',
	[WS_IDLE] = '_',
	[WS_READING] = 'R',
	[WS_SCHEDULING] = 's',
	[WS_CONNECTING] = 'C',
	[WS_RELAYING] = 'W',
	[WS_KEEPALIVE] = 'K',
	[WS_CLOSING] = 'G',
};

const char *
sb_ws_state_str(enum ws_state st)
{
	return (unsigned)st < WS__COUNT ? ws_names[st] : "?";
}

char
sb_ws_state_char(enum ws_state st)
{
	return (unsigned)st < WS__COUNT ? ws_chars[st] : '?';
}

/* an exchange's state as the worker state of the same name: one key */
static enum ws_state
xs_as_ws(enum xs_state st)
{
	switch (st) {
	case XS_FREE:
		return WS_DEAD;
	case XS_READING:
		return WS_READING;
	case XS_SCHEDULING:
		return WS_SCHEDULING;
	case XS_CONNECTING:
		return WS_CONNECTING;
	case XS_RELAYING:
		return WS_RELAYING;
	case XS_CLOSING:
		return WS_CLOSING;
	case XS__COUNT:
		break;
	}
	return WS__COUNT;
}

const char *
sb_xs_state_str(enum xs_state st)
{
	return st == XS_FREE ? "free" : sb_ws_state_str(xs_as_ws(st));
}

char
sb_xs_state_char(enum xs_state st)
{
	return sb_ws_state_char(xs_as_ws(st));
}

const char *
sb_state_key(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int st = WS_STARTING; st <= WS__COUNT && off < len; st++) {
		enum ws_state s = st == WS__COUNT ? WS_DEAD : (enum ws_state)st;

		off += (size_t)snprintf(buf + off, len - off, "%s%c %s",
		    off ? "," : "", sb_ws_state_char(s), s == WS_DEAD ?
		    "open slot" : sb_ws_state_str(s));
	}
	return buf;
}

const char *
sb_health_str(enum rs_health h)
{
	switch (h) {
	case RS_HEALTH_UNKNOWN:
		return "unknown";
	case RS_HEALTH_UP:
		return "up";
	case RS_HEALTH_DOWN:
		return "down";
	}
	return "?";
}

const char *
sb_probe_result_str(enum probe_result r)
{
	switch (r) {
	case PROBE_NONE:
		return "none";
	case PROBE_PENDING:
		return "pending";
	case PROBE_OK:
		return "ok";
	case PROBE_REFUSED:
		return "refused";
	case PROBE_TIMEOUT:
		return "timeout";
	case PROBE_ERROR:
		return "error";
	case PROBE_HTTP_STATUS:
		return "http-status";
	case PROBE_INVALID:
		return "invalid";
	case PROBE_TLS:
		return "tls";
	case PROBE__COUNT:
		break;
	}
	return "?";
}

const char *
sb_admin_str(enum rs_admin a)
{
	switch (a) {
	case RS_ADMIN_ACTIVE:
		return "active";
	case RS_ADMIN_DRAIN:
		return "drain";
	case RS_ADMIN_DISABLED:
		return "disabled";
	}
	return "?";
}
