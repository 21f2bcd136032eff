/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The access log: one line per request, formatted by accesslog_format
 * and written by the worker with a single write(2) on an O_APPEND
 * descriptor the master opened, so lines of many workers never mix.
 *
 * Directives (Apache's where they exist):
 *   %h  client address     %t  time, with brackets: [10/Oct/2026:13:55:36 +0000]
 *   %{iso8601}t  time as 2026-10-10T13:55:36.123+00:00
 *   %{msec}t     milliseconds since the epoch
 *   %r  request line (what was received of it when the head was refused)
 *   %m  method     %U  path of the request-target, without the query
 *   %s  status sent to the client
 *   %b  bytes sent to the client, head included (Apache's %O), "-" if 0
 *   %S  real server (host:port as configured, or "-")
 *   %v  virtual service ident    %{Name}i  a request field, or "-"
 *   %Tq microseconds from the request's first byte to its whole head
 *   %Tc microseconds to get a server connection (0 for a kept one)
 *   %Tr microseconds from sending the head to the response head
 *   %Tt microseconds from the first byte to the end of the response
 *   %{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_TLS_SNI}x %{SSL_CLIENT_S_DN}x
 *       the client connection's TLS version, cipher, server name and
 *       certificate subject (Apache mod_ssl's names), "-" on plain HTTP
 *   %X  how the exchange ended: two characters (term.h)
 *   %E  why, when it did not complete: the parser's reason for a refused
 *       head, else the termination code's meaning; "-" when complete
 *   %%  a percent sign
 * Bytes that came from the client or a server are escaped as \xNN when
 * they are control bytes, non-ASCII, a backslash or a double quote.
 *
 * A format that starts with '{' is a JSON template: each directive is
 * written as a JSON value (a string escaped by json.c, a number, or null
 * where the text would say "-"), so it goes where a value goes, without
 * quotes.  Named formats: "combined" (Apache's) and "json" (every field).
 */
#ifndef TCPVS_ALOG_H
#define TCPVS_ALOG_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "term.h"

struct http_req;

#define ALOG_TLS_SUBJECT_MAX	256	/* a client certificate's subject */

/* the client connection's TLS facts (tls_log_fields fills them) */
struct alog_tls {
	bool			 on;		/* false: plain, every one "-" */
	const char		*version;	/* "TLSv1.3"; static strings */
	const char		*cipher;
	const char		*sni;		/* NULL: none sent */
	char			 subject[ALOG_TLS_SUBJECT_MAX]; /* "": none */
};

struct alog_rec {
	const struct sockaddr_storage *client;
	int64_t			 wall_ms;	/* when the request began */
	const char		*head;		/* buffer req points into */
	size_t			 headlen;	/* bytes received in head */
	const struct http_req	*req;		/* NULL: no valid head */
	const char		*ident;
	const char		*server;	/* NULL: none */
	int			 status;	/* 0: none sent */
	uint64_t		 bytes;
	int64_t			 tq, tc, tr, tt;	/* us; -1: not measured */
	enum term		 term;
	const char		*reason;	/* NULL: term_str(term) */
	struct alog_tls		 tls;
};

#define ALOG_LINE_MAX	65536	/* a line, JSON ones whole */
#define ALOG_FIELD_MAX	8192	/* bytes of one field, when they fit */
#define ALOG_FORMAT_MAX	1024	/* bytes of a format */

/* format rec and write it to fd in one write(2) */
void	alog_write(int fd, const char *fmt, const struct alog_rec *);
/* a refused or cut head is worth a line: more than empty lines came */
int	alog_head_seen(const char *head, size_t len);

/* 0 if every directive of fmt is known, else -1 with a reason */
int	alog_check(const char *fmt, char *err, size_t errlen);
/*
 * The line for rec, newline included, cut to outlen; its length.  Fields
 * are cut (at a character) so that the line fits in outlen, which should
 * be ALOG_LINE_MAX.
 */
size_t	alog_format(char *out, size_t outlen, const char *fmt,
	    const struct alog_rec *);

#endif /* TCPVS_ALOG_H */
