/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The control protocol, both ends: percent-encoding of values, parsing a
 * request or record line in place, and the client side of one exchange
 * (connect to the UNIX socket, send the line with an optional descriptor,
 * read the reply with a time limit).  Linked into tcpvsd and tcpvsadm.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "util.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* decode %XX in place; -1 on a malformed escape */
static int
decode(char *s)
{
	char *out = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		if ((hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0)
			return -1;
		*out++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*out = '\0';
	return 0;
}

int
ctl_parse(char *line, struct ctl_line *l, char *err, size_t errlen)
{
	char *save = NULL, *tok, *eq;

	memset(l, 0, sizeof(*l));
	line[strcspn(line, "\r\n")] = '\0';
	if ((tok = strtok_r(line, " ", &save)) == NULL) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	l->verb = tok;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		if (l->nargs == CTL_MAX_ARGS) {
			snprintf(err, errlen, "more than %d fields",
			    CTL_MAX_ARGS);
			return -1;
		}
		if ((eq = strchr(tok, '=')) == NULL || eq == tok) {
			snprintf(err, errlen, "field '%.40s': expected "
			    "NAME=VALUE", tok);
			return -1;
		}
		*eq = '\0';
		if (decode(eq + 1) == -1) {
			snprintf(err, errlen, "field %.40s: malformed %%XX "
			    "escape", tok);
			return -1;
		}
		l->arg[l->nargs].name = tok;
		l->arg[l->nargs].value = eq + 1;
		l->nargs++;
	}
	return 0;
}

const char *
ctl_get(const struct ctl_line *l, const char *name)
{
	for (unsigned i = 0; i < l->nargs; i++)
		if (strcmp(l->arg[i].name, name) == 0)
			return l->arg[i].value;
	return NULL;
}

void
ctl_put(FILE *f, const char *name, const char *value)
{
	if (value == NULL)
		return;
	fprintf(f, " %s=", name);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == '%' || *p == '=' ||
		    *p == ',')
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
}

void
ctl_putu(FILE *f, const char *name, unsigned long long v)
{
	fprintf(f, " %s=%llu", name, v);
}

static int
connect_to(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path %s is too long",
		    path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EACCES || errno == EPERM)
			snprintf(err, errlen, "cannot connect to tcpvsd at "
			    "%s: permission denied (root, tcpvsd's user or a "
			    "member of its control_group may)", path);
		else
			snprintf(err, errlen, "cannot connect to tcpvsd at "
			    "%s: %s (is tcpvsd running? --control names "
			    "another socket)", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* the request line, with the descriptor as SCM_RIGHTS when passfd >= 0 */
static int
send_request(int fd, const char *request, int passfd)
{
	char line[CTL_MAX_REQUEST + 1];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "%s\n", request);
	if (n >= sizeof(line)) {
		errno = EMSGSIZE;
		return -1;
	}
	/* the line is small: one sendmsg, a short write is an error */
	return util_send_fd(fd, line, n, passfd, MSG_NOSIGNAL) ==
	    (ssize_t)n ? 0 : -1;
}

/* everything up to EOF or the "." line, bounded in time */
static char *
read_all(int fd, size_t *len, char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + CTL_REPLY_TIMEOUT_MS;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *buf = NULL, chunk[65536];
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	for (;;) {
		int64_t left = deadline - util_now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			snprintf(err, errlen, "no complete answer from tcpvsd "
			    "within %d s", CTL_REPLY_TIMEOUT_MS / 1000);
			free(buf);
			return NULL;
		}
		if ((n = read(fd, chunk, sizeof(chunk))) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (*len + (size_t)n + 1 > cap) {
			cap = (*len + (size_t)n + 1) * 2;
			if ((buf = realloc(buf, cap)) == NULL) {
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
		}
		memcpy(buf + *len, chunk, (size_t)n);
		*len += (size_t)n;
		buf[*len] = '\0';
		if ((*len == 2 && memcmp(buf, ".\n", 2) == 0) ||
		    (*len >= 3 && memcmp(buf + *len - 3, "\n.\n", 3) == 0))
			break;
	}
	if (buf == NULL)
		snprintf(err, errlen, "tcpvsd closed the connection without "
		    "an answer");
	return buf;
}

static void
add_line(struct ctl_reply *r, const char *s)
{
	char **l = realloc(r->lines, (r->nlines + 1) * sizeof(*l));

	if (l == NULL)
		return;
	r->lines = l;
	r->lines[r->nlines++] = xstrdup(s);
}

static int
split_reply(char *buf, struct ctl_reply *r, char *err, size_t errlen)
{
	char *line = buf, *nl;
	int ended = 0;

	for (; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (r->status == NULL) {
			r->ok = strcmp(line, "ok") == 0;
			r->status = xstrdup(strncmp(line, "error ", 6) == 0 ?
			    line + 6 : line);
		} else if (strcmp(line, ".") == 0) {
			ended = 1;
			break;
		} else
			add_line(r, line[0] == '.' ? line + 1 : line);
	}
	if (!ended) {
		snprintf(err, errlen, "tcpvsd's answer is incomplete");
		return -1;
	}
	return 0;
}

int
ctl_call(const char *path, const char *request, int passfd,
    struct ctl_reply *r, char *err, size_t errlen)
{
	size_t len;
	char *buf;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	if ((fd = connect_to(path, err, errlen)) == -1)
		return -1;
	/* refused at once (permission): the answer is there to read */
	if (send_request(fd, request, passfd) == -1 && errno != EPIPE &&
	    errno != ECONNRESET) {
		snprintf(err, errlen, "sending to tcpvsd at %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	buf = read_all(fd, &len, err, errlen);
	close(fd);
	if (buf == NULL)
		return -1;
	rc = split_reply(buf, r, err, errlen);
	free(buf);
	if (rc == -1)
		ctl_reply_free(r);
	return rc;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->status);
	memset(r, 0, sizeof(*r));
}
