/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * tcpvsd: command line, configuration test (-t), daemonizing, then the
 * master.  Everything that can fail for an operator's mistake (the config,
 * the pidfile lock, binding the listen addresses) fails here, on the
 * terminal, before the process detaches.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "control.h"
#include "log.h"
#include "master.h"
#include "notify.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: tcpvsd [-FhtV] [-f file]\n"
	    "  -f file  configuration file (default %s)\n"
	    "  -t       test the configuration and exit\n"
	    "  -F       stay in the foreground and log to stderr\n"
	    "  -h       print this help\n"
	    "  -V       print the version\n", TCPVS_CONFFILE);
}

static int
configtest(const char *path)
{
	struct generation *gen = conf_load(path, stderr);

	if (gen == NULL)
		return 1;
	printf("%s: syntax OK\n", path);
	conf_free(gen);
	return 0;
}

/* classic double fork; stdio to /dev/null */
static void
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		fatal("chdir /");
	umask(022);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

int
main(int argc, char *argv[])
{
	const char *path = TCPVS_CONFFILE;
	static char abspath[PATH_MAX];
	struct generation *gen;
	bool test = false, foreground = false;
	int ch, pidfd = -1, ctlfd = -1;

	while ((ch = getopt(argc, argv, "f:FhtV")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'F':
			foreground = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 't':
			test = true;
			break;
		case 'V':
			printf("tcpvsd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tcpvsd: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return 1;
	}
	if (test)
		return configtest(path);
	/* reloads read it again after chdir("/") */
	if (realpath(path, abspath) == NULL) {
		fprintf(stderr, "tcpvsd: configuration file %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	path = abspath;
	log_init("stderr", LOG_LEVEL_INFO, "tcpvsd");
	if ((gen = conf_load(path, stderr)) == NULL) {
		log_errorx("not started with %s", path);
		return 1;
	}
	log_set_level((enum log_level)gen->loglevel);
	if ((gen->pidfile != NULL &&
	    (pidfd = master_lock_pidfile(gen->pidfile)) == -1) ||
	    master_bind(gen) == -1 || control_listen(gen, &ctlfd) == -1) {
		log_errorx("not started with %s", path);
		if (pidfd != -1) {
			(void)unlink(gen->pidfile);
			close(pidfd);
		}
		conf_free(gen);
		return 1;
	}
	if (!foreground) {
		daemonize();
		if (log_init(gen->errorlog, (enum log_level)gen->loglevel,
		    "tcpvsd") == -1)
			fatal("errorlog %s", gen->errorlog);
	}
	if (pidfd != -1 && master_write_pidfile(pidfd, gen->pidfile) == -1)
		return 1;
	log_info("tcpvsd %s starting with %s", PACKAGE_VERSION, path);
	if (geteuid() == 0 && gen->user == NULL)
		log_warnx("running as root without a user option: workers "
		    "serve clients as root; set user = \"NAME\" in %s", path);
	else if (geteuid() == 0 && gen->uid == 0)
		log_warnx("user = \"%s\" in %s: workers serve clients as root",
		    gen->user, path);
	(void)notify_init();
	master_main(gen, path, pidfd, ctlfd);
}
