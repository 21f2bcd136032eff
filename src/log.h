/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Error log vocabulary, after relayd's log.c: log_warn adds the errno text,
 * log_warnx does not; log_debug prints only at loglevel debug; fatal and
 * fatalx log and exit 1.  Messages are lower case, subject first, no final
 * period.  Every function preserves errno.
 */
#ifndef TCPVS_LOG_H
#define TCPVS_LOG_H

#include <stdarg.h>
#include <stdnoreturn.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* "error", "warning", ... for a level; -1 from log_level_parse if unknown */
const char	*log_level_str(enum log_level);
int		 log_level_parse(const char *);

/*
 * dest: "stderr", "syslog" or a file path (opened O_APPEND).  Returns 0, or
 * -1 with errno when the file cannot be opened (the previous destination
 * stays).  log_reopen() reopens a file destination (SIGUSR1, logrotate).
 */
int	 log_init(const char *dest, enum log_level, const char *ident);
int	 log_reopen(void);
/* the file path of the error log, or NULL (stderr, syslog) */
const char *log_file(void);
void	 log_set_level(enum log_level);
/* tag prepended to every message of this process, e.g. "worker web" */
void	 log_set_tag(const char *);

void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* level error, no errno text: a failed start or reload */
void	 log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* in[0..inlen) with control and non-ASCII bytes as \xNN, NUL-terminated */
size_t	log_escape(char *out, size_t outlen, const char *in, size_t inlen);
noreturn void fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif /* TCPVS_LOG_H */
