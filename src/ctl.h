/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The control protocol (ctl-t.h) for both ends: encoding and parsing of
 * lines, and the client side tcpvsadm uses (connect, one request, the
 * reply).  No policy: which verbs exist is control.c's business.
 */
#ifndef TCPVS_CTL_H
#define TCPVS_CTL_H

#include <stddef.h>
#include <stdio.h>

#include "ctl-t.h"

/*
 * Parse a line in place (it is modified) into verb and fields, decoding
 * values.  Returns 0, or -1 with the reason in err.
 */
int		 ctl_parse(char *line, struct ctl_line *, char *err,
		    size_t errlen);
/* the value of field name, or NULL */
const char	*ctl_get(const struct ctl_line *, const char *name);
/* write " name=VALUE" with VALUE encoded (nothing when value is NULL) */
void		 ctl_put(FILE *, const char *name, const char *value);
/* the same for a number */
void		 ctl_putu(FILE *, const char *name, unsigned long long);

/* a reply: status, and data lines (dot-stuffing undone) */
struct ctl_reply {
	int		 ok;
	char		*status;	/* "ok" or the error message */
	char		**lines;
	size_t		 nlines;
};

/*
 * Connect to the control socket at path, send request (a line without
 * its newline) and, when passfd is not -1, that descriptor with it; read
 * the whole reply.  Returns 0 (reply->ok says whether the command
 * succeeded), or -1 when there is no answer, with the reason in err
 * ("cannot connect to tcpvsd at PATH: ...").
 */
int		 ctl_call(const char *path, const char *request, int passfd,
		    struct ctl_reply *, char *err, size_t errlen);
void		 ctl_reply_free(struct ctl_reply *);

#endif /* TCPVS_CTL_H */
