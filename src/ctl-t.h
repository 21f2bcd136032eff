/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The control protocol's wire format, shared by tcpvsd's control socket
 * (control.c) and tcpvsadm: one request line per connection,
 *
 *	VERB [NAME=VALUE ...]\n
 *
 * answered by a status line, "ok" or "error MESSAGE", data lines, and a
 * line holding a single "." (data lines starting with "." get another,
 * as in SMTP).  Values are percent-encoded (%XX) where they hold a byte
 * outside '!'..'~' or one of '%' '=' ','.  Data lines of listings are
 * records in the same form as requests: a type, then NAME=VALUE fields.
 * docs/control-protocol.md describes every verb.
 *
 * Types and constants only.
 */
#ifndef TCPVS_CTL_T_H
#define TCPVS_CTL_T_H

#define CTL_MAX_REQUEST		4096	/* request line, newline included */
#define CTL_MAX_ARGS		32	/* NAME=VALUE fields of a line */
#define CTL_MAX_CLIENTS		16	/* connections served at once */
#define CTL_CLIENT_TIMEOUT_MS	10000	/* a client's whole exchange */
#define CTL_MAX_LOAD		(4 * 1024 * 1024) /* bytes of a loaded file */
#define CTL_REPLY_TIMEOUT_MS	60000	/* tcpvsadm waits this long */

/* one parsed line: request or record; strings point into the line */
struct ctl_line {
	const char	*verb;
	unsigned	 nargs;
	struct {
		const char	*name;
		const char	*value;		/* decoded */
	} arg[CTL_MAX_ARGS];
};

#endif /* TCPVS_CTL_T_H */
