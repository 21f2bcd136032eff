/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Error log for every tcpvsd process: stderr, syslog or a file opened
 * O_APPEND, so that lines from many workers never interleave (each line is
 * one write).  After relayd's log.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

enum log_dest { LOG_DEST_STDERR, LOG_DEST_SYSLOG, LOG_DEST_FILE };

static enum log_dest	 dest = LOG_DEST_STDERR;
static enum log_level	 level = LOG_LEVEL_INFO;
static int		 logfd = -1;
static char		 path[4096];
static char		 ident[32] = "tcpvsd";
static char		 tag[64];

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

const char *
log_level_str(enum log_level l)
{
	return level_names[l];
}

int
log_level_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	    i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
open_file(const char *p)
{
	int fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	return fd;
}

int
log_init(const char *d, enum log_level l, const char *id)
{
	int fd = -1;

	if (id != NULL)
		util_strlcpy(ident, id, sizeof(ident));
	if (d == NULL || strcmp(d, "stderr") == 0) {
		if (dest == LOG_DEST_SYSLOG)
			closelog();
		if (logfd != -1)
			close(logfd);
		logfd = -1;
		dest = LOG_DEST_STDERR;
	} else if (strcmp(d, "syslog") == 0) {
		if (logfd != -1)
			close(logfd);
		logfd = -1;
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		dest = LOG_DEST_SYSLOG;
	} else {
		if ((fd = open_file(d)) == -1)
			return -1;
		if (logfd != -1)
			close(logfd);
		logfd = fd;
		util_strlcpy(path, d, sizeof(path));
		dest = LOG_DEST_FILE;
	}
	level = l;
	return 0;
}

int
log_reopen(void)
{
	int fd;

	if (dest != LOG_DEST_FILE)
		return 0;
	if ((fd = open_file(path)) == -1)
		return -1;
	close(logfd);
	logfd = fd;
	return 0;
}

const char *
log_file(void)
{
	return dest == LOG_DEST_FILE ? path : NULL;
}

void
log_set_level(enum log_level l)
{
	level = l;
}

void
log_set_tag(const char *t)
{
	util_strlcpy(tag, t == NULL ? "" : t, sizeof(tag));
}

static const int syslog_prio[] = {
	[LOG_LEVEL_ERROR] = LOG_ERR,
	[LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_NOTICE] = LOG_NOTICE,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

/*
 * Control bytes and bytes past ASCII become \xNN, and a backslash \\, so
 * nothing a client or a server sent can forge a line, move a terminal's
 * cursor or hide in a log; the result is cut to fit, never a partial
 * escape.
 */
size_t
log_escape(char *out, size_t outlen, const char *in, size_t inlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char ch;
	size_t o = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < inlen; i++) {
		ch = (unsigned char)in[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)ch;
			continue;
		}
		if (o + (ch == '\\' ? 2 : 4) >= outlen)
			break;
		out[o++] = '\\';
		if (ch == '\\') {
			out[o++] = '\\';
			continue;
		}
		out[o++] = 'x';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	out[o] = '\0';
	return o;
}

__attribute__((format(printf, 3, 0)))
static void
vlog(enum log_level l, int errnum, const char *fmt, va_list ap)
{
	char raw[2048], msg[2048], line[2400], stamp[32];
	int saved = errno, n;
	struct timespec ts;
	struct tm tm;

	if (l > level)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_escape(msg, sizeof(msg), raw, strlen(raw));
	if (dest == LOG_DEST_SYSLOG) {
		if (errnum)
			syslog(syslog_prio[l], "%s%s%s: %s", tag, *tag ? ": " :
			    "", msg, strerror(errnum));
		else
			syslog(syslog_prio[l], "%s%s%s", tag, *tag ? ": " : "",
			    msg);
		errno = saved;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ld %s[%ld]: %s: %s%s%s%s%s\n",
	    stamp, ts.tv_nsec / 1000000, ident, (long)getpid(), level_names[l],
	    tag, *tag ? ": " : "", msg, errnum ? ": " : "",
	    errnum ? strerror(errnum) : "");
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* one write per line: lines of many processes never interleave */
	if (write(dest == LOG_DEST_FILE ? logfd : STDERR_FILENO, line,
	    (size_t)n) == -1) {
		/* nowhere left to report it */
	}
	errno = saved;
}

#define LOG_FN(fn, lvl, witherr)				\
void								\
fn(const char *fmt, ...)					\
{								\
	int e = errno;						\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	vlog(lvl, witherr ? e : 0, fmt, ap);			\
	va_end(ap);						\
	errno = e;						\
}

LOG_FN(log_errorx, LOG_LEVEL_ERROR, 0)
LOG_FN(log_warn, LOG_LEVEL_WARNING, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARNING, 0)
LOG_FN(log_notice, LOG_LEVEL_NOTICE, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
