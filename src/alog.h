/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The access log: one line per request, formatted by accesslog_format
 * and written by the worker with a single write(2) on an O_APPEND
 * descriptor the master opened, so lines of many workers never mix.
 *
 * Directives (Apache's where they exist):
 *   %h  client address     %t  time, with brackets: [10/Oct/2026:13:55:36 +0000]
 *   %r  request line             %s  status sent to the client
 *   %b  bytes sent to the client, head included (Apache's %O), "-" if 0
 *   %S  real server (host:port as configured, or "-")
 *   %v  virtual service ident    %{Name}i  a request field, or "-"
 *   %Tq microseconds from the request's first byte to its whole head
 *   %Tc microseconds to get a server connection (0 for a kept one)
 *   %Tr microseconds from sending the head to the response head
 *   %Tt microseconds from the first byte to the end of the response
 *   %%  a percent sign
 * Bytes that came from the client or a server are escaped as \xNN when
 * they are control bytes, non-ASCII, a backslash or a double quote.
 */
#ifndef TCPVS_ALOG_H
#define TCPVS_ALOG_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

struct http_req;

struct alog_rec {
	const struct sockaddr_storage *client;
	int64_t			 wall_ms;	/* when the request began */
	const char		*head;		/* buffer req points into */
	const struct http_req	*req;		/* NULL: no valid head */
	const char		*ident;
	const char		*server;	/* NULL: none */
	int			 status;	/* 0: none sent */
	uint64_t		 bytes;
	int64_t			 tq, tc, tr, tt;	/* us; -1: not measured */
};

/* 0 if every directive of fmt is known, else -1 with a reason */
int	alog_check(const char *fmt, char *err, size_t errlen);
/* the line for rec, newline included, cut to outlen; its length */
size_t	alog_format(char *out, size_t outlen, const char *fmt,
	    const struct alog_rec *);

#endif /* TCPVS_ALOG_H */
