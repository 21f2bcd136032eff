/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * tcpvsadm: KTCPVS's administration command for tcpvsd.  It parses a
 * KTCPVS/ipvsadm command line, checks it against one commands x options
 * table (required, optional, not allowed; the same table prints --help),
 * sends one request over tcpvsd's control socket and prints the answer.
 * It never touches the scoreboard or the configuration file itself.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <unistd.h>

#include "adm.h"
#include "ctl.h"
#include "util.h"

#ifndef TCPVS_CONTROL
#define TCPVS_CONTROL	"/run/tcpvsd.sock"
#endif

#define ADM_EXIT_ERROR	1	/* tcpvsd refused, or is not there */
#define ADM_EXIT_USAGE	2	/* the command line is wrong */

enum adm_cmd {
	CMD_NONE,
	CMD_ADD_SERVICE, CMD_EDIT_SERVICE, CMD_DEL_SERVICE, CMD_FLUSH,
	CMD_ADD_SERVER, CMD_EDIT_SERVER, CMD_DEL_SERVER,
	CMD_ADD_RULE, CMD_DEL_RULE,
	CMD_LIST, CMD_SAVE, CMD_ZERO, CMD_WORKERS, CMD_LOAD,
	CMD_START, CMD_STOP, CMD_DRAIN, CMD_DISABLE, CMD_ENABLE,
	CMD_RESET, CMD_REOPEN_LOGS, CMD_HELP,
	CMD__COUNT
};

enum adm_opt {
	OPT_IDENT, OPT_SCHED, OPT_PORT, OPT_LISTEN, OPT_SERVER, OPT_WEIGHT,
	OPT_PATTERN, OPT_MATCH, OPT_NUMERIC, OPT_STATS, OPT_RATE,
	OPT_CONN, OPT_PERSISTENT,
	OPT_HOST, OPT_METHOD, OPT_HEADER, OPT_SOURCE, OPT_RETURN,
	OPT_LOCATION,
	OPT__COUNT
};

static const char *const opt_names[OPT__COUNT] = {
	[OPT_IDENT] = "-i IDENT",
	[OPT_SCHED] = "-s SCHEDULER",
	[OPT_PORT] = "-P PORT",
	[OPT_LISTEN] = "-l ADDR[:PORT]",
	[OPT_SERVER] = "-r ADDR[:PORT]",
	[OPT_WEIGHT] = "-w WEIGHT",
	[OPT_PATTERN] = "-p PATTERN",
	[OPT_MATCH] = "-m MATCHNUM",
	[OPT_NUMERIC] = "-n",
	[OPT_STATS] = "--stats",
	[OPT_RATE] = "--rate",
	[OPT_CONN] = "-c",
	[OPT_PERSISTENT] = "--persistent SECONDS",
	[OPT_HOST] = "--host HOST[,...]",
	[OPT_METHOD] = "--method METHOD[,...]",
	[OPT_HEADER] = "--header 'NAME: REGEX'",
	[OPT_SOURCE] = "--source NETWORK[,...]",
	[OPT_RETURN] = "--return STATUS",
	[OPT_LOCATION] = "--location URL",
};

/*
 * The commands x options matrix (ipvsadm's commands_v_options): '+'
 * required, ' ' optional, 'x' not allowed.  Columns in enum adm_opt
 * order: i s P l r w p m n S R c T (T: --persistent), then host
 * method header source return location.
 */
static const struct command {
	const char	*name;		/* as the user writes it */
	const char	*verb;		/* on the control socket */
	const char	 opts[OPT__COUNT + 1];
	const char	*help;
} commands[CMD__COUNT] = {
	[CMD_ADD_SERVICE] = { "-A", "add-service", "+   xxxxxxxxxxxxxxx",
	    "add a virtual service" },
	[CMD_EDIT_SERVICE] = { "-E", "edit-service", "+   xxxxxxxx xxxxxx",
	    "change a virtual service's scheduler, listen address or "
	    "persistence" },
	[CMD_DEL_SERVICE] = { "-D", "del-service", "+xxxxxxxxxxxxxxxxxx",
	    "delete a virtual service" },
	[CMD_FLUSH] = { "-F", "flush", "xxxxxxxxxxxxxxxxxxx",
	    "delete every virtual service" },
	[CMD_ADD_SERVER] = { "-a", "add-server", "+xxx+ xxxxxxxxxxxxx",
	    "add a real server" },
	[CMD_EDIT_SERVER] = { "-e", "edit-server", "+xxx++xxxxxxxxxxxxx",
	    "change a real server's weight (no restart)" },
	[CMD_DEL_SERVER] = { "-d", "del-server", "+xxx+xxxxxxxxxxxxxx",
	    "delete a real server" },
	[CMD_ADD_RULE] = { "--add-rule", "add-rule", "+xxx x  xxxxx      ",
	    "add a content rule, or a server to the rule with those "
	    "conditions" },
	[CMD_DEL_RULE] = { "--del-rule", "del-rule", "+xxx x xxxxxx      ",
	    "delete a rule, or one server from it" },
	[CMD_LIST] = { "-L", "list", " xxxxxxx    xxxxxxx",
	    "list services, servers and rules; -c: persistence templates" },
	[CMD_SAVE] = { "-S", "save", "xxxxxxxxxxxxxxxxxxx",
	    "print the running configuration as a tcpvs.conf" },
	[CMD_ZERO] = { "-Z", "zero", " xxxxxxxxxxxxxxxxxx",
	    "zero the counters" },
	[CMD_WORKERS] = { "--workers", "workers", "xxxxxxxx xxxxxxxxxx",
	    "print the worker scoreboard and the busy workers" },
	[CMD_LOAD] = { "-f", "load", "xxxxxxxxxxxxxxxxxxx",
	    "replace the configuration with a tcpvs.conf file" },
	[CMD_START] = { "--start", "start", " xxxxxxxxxxxxxxxxxx",
	    "start listening (one service, or all)" },
	[CMD_STOP] = { "--stop", "stop", " xxxxxxxxxxxxxxxxxx",
	    "stop listening (one service, or all)" },
	[CMD_DRAIN] = { "--drain", "drain", "+xxx+xxxxxxxxxxxxxx",
	    "no new clients for a server; its sticky clients stay" },
	[CMD_DISABLE] = { "--disable", "disable", "+xxx+xxxxxxxxxxxxxx",
	    "take a server out of service; its sticky clients move" },
	[CMD_ENABLE] = { "--enable", "enable", "+xxx+xxxxxxxxxxxxxx",
	    "put a drained or disabled server back in service" },
	[CMD_RESET] = { "--reset", "reset", "+xxx+xxxxxxxxxxxxxx",
	    "give a server its configured weight and admin state again" },
	[CMD_REOPEN_LOGS] = { "--reopen-logs", "reopen-logs", "xxxxxxxxxxxxxxxxxxx",
	    "reopen tcpvsd's log files (logrotate); nothing else" },
	[CMD_HELP] = { "-h", NULL, "xxxxxxxxxxxxxxxxxxx", "print this help" },
};

struct adm {
	enum adm_cmd	 cmd;
	const char	*arg[OPT__COUNT];	/* NULL: not given */
	const char	*file;			/* -f */
	const char	*control;
};

enum {
	LONG_ADD_RULE = 256, LONG_DEL_RULE, LONG_STATS, LONG_RATE,
	LONG_WORKERS, LONG_START, LONG_STOP, LONG_DRAIN, LONG_DISABLE,
	LONG_ENABLE, LONG_CONTROL, LONG_LISTEN, LONG_PERSISTENT, LONG_RESET,
	LONG_REOPEN_LOGS, LONG_HOST, LONG_METHOD, LONG_HEADER, LONG_SOURCE,
	LONG_RETURN, LONG_LOCATION
};

static const struct option long_opts[] = {
	{ "add-service", no_argument, NULL, 'A' },
	{ "edit-service", no_argument, NULL, 'E' },
	{ "delete-service", no_argument, NULL, 'D' },
	{ "flush", no_argument, NULL, 'F' },
	{ "add-server", no_argument, NULL, 'a' },
	{ "edit-server", no_argument, NULL, 'e' },
	{ "delete-server", no_argument, NULL, 'd' },
	{ "add-rule", no_argument, NULL, LONG_ADD_RULE },
	{ "del-rule", no_argument, NULL, LONG_DEL_RULE },
	{ "list", no_argument, NULL, 'L' },
	{ "save", no_argument, NULL, 'S' },
	{ "zero", no_argument, NULL, 'Z' },
	{ "workers", no_argument, NULL, LONG_WORKERS },
	{ "load-file", required_argument, NULL, 'f' },
	{ "start", no_argument, NULL, LONG_START },
	{ "stop", no_argument, NULL, LONG_STOP },
	{ "drain", no_argument, NULL, LONG_DRAIN },
	{ "disable", no_argument, NULL, LONG_DISABLE },
	{ "enable", no_argument, NULL, LONG_ENABLE },
	{ "reset", no_argument, NULL, LONG_RESET },
	{ "reopen-logs", no_argument, NULL, LONG_REOPEN_LOGS },
	{ "help", no_argument, NULL, 'h' },
	{ "ident", required_argument, NULL, 'i' },
	{ "scheduler", required_argument, NULL, 's' },
	{ "port", required_argument, NULL, 'P' },
	{ "listen", required_argument, NULL, LONG_LISTEN },
	{ "real-server", required_argument, NULL, 'r' },
	{ "weight", required_argument, NULL, 'w' },
	{ "pattern", required_argument, NULL, 'p' },
	{ "matchnum", required_argument, NULL, 'm' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "stats", no_argument, NULL, LONG_STATS },
	{ "rate", no_argument, NULL, LONG_RATE },
	{ "connection", no_argument, NULL, 'c' },
	{ "persistent", required_argument, NULL, LONG_PERSISTENT },
	{ "control", required_argument, NULL, LONG_CONTROL },
	{ "host", required_argument, NULL, LONG_HOST },
	{ "method", required_argument, NULL, LONG_METHOD },
	{ "header", required_argument, NULL, LONG_HEADER },
	{ "source", required_argument, NULL, LONG_SOURCE },
	{ "return", required_argument, NULL, LONG_RETURN },
	{ "location", required_argument, NULL, LONG_LOCATION },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: tcpvsadm COMMAND [OPTIONS] [--control PATH]\n");
	for (int c = CMD_NONE + 1; c < CMD__COUNT; c++) {
		const struct command *cmd = &commands[c];
		int n = fprintf(f, "  %s", cmd->name);

		for (int o = 0; o < OPT__COUNT; o++) {
			if (cmd->opts[o] == '+')
				n += fprintf(f, " %s", opt_names[o]);
			else if (cmd->opts[o] == ' ')
				n += fprintf(f, " [%s]", opt_names[o]);
		}
		if (c == CMD_LOAD)
			n += fprintf(f, " FILE");
		fprintf(f, "%*s%s\n", n < 52 ? 52 - n : 1, "", cmd->help);
	}
	fprintf(f, "-l is the listen address with -A and -E, and -L "
	    "otherwise.  Ports default\nto 80; hosts and ports may be "
	    "names.  --control PATH: tcpvsd's control socket\n(default "
	    "%s).\n", TCPVS_CONTROL);
}

static noreturn void
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static noreturn void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tcpvsadm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(ADM_EXIT_USAGE);
}

static void
set_cmd(struct adm *a, enum adm_cmd c)
{
	if (a->cmd != CMD_NONE && a->cmd != c)
		usage_error("%s and %s: one command at a time",
		    commands[a->cmd].name, commands[c].name);
	a->cmd = c;
}

static void
set_opt(struct adm *a, enum adm_opt o, const char *v)
{
	if (a->arg[o] != NULL && strcmp(a->arg[o], v) != 0)
		usage_error("%s given twice", opt_names[o]);
	a->arg[o] = v;
}

/* -A or -E on the line: then -l is a listen address, not --list */
static bool
edits_service(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--add-service") == 0 ||
		    strcmp(argv[i], "--edit-service") == 0 ||
		    (argv[i][0] == '-' && argv[i][1] != '-' &&
		    strpbrk(argv[i] + 1, "AE") == argv[i] + 1))
			return true;
	}
	return false;
}

static enum adm_cmd
long_cmd(int ch)
{
	switch (ch) {
	case LONG_ADD_RULE:	return CMD_ADD_RULE;
	case LONG_DEL_RULE:	return CMD_DEL_RULE;
	case LONG_WORKERS:	return CMD_WORKERS;
	case LONG_START:	return CMD_START;
	case LONG_STOP:		return CMD_STOP;
	case LONG_DRAIN:	return CMD_DRAIN;
	case LONG_DISABLE:	return CMD_DISABLE;
	case LONG_ENABLE:	return CMD_ENABLE;
	case LONG_RESET:	return CMD_RESET;
	case LONG_REOPEN_LOGS:	return CMD_REOPEN_LOGS;
	default:		return CMD_NONE;
	}
}

static void
parse_one(struct adm *a, int ch, bool listen_l)
{
	const char *cmds = "AEDFaedLSZh";
	static const enum adm_cmd cmd_of[] = { CMD_ADD_SERVICE,
	    CMD_EDIT_SERVICE, CMD_DEL_SERVICE, CMD_FLUSH, CMD_ADD_SERVER,
	    CMD_EDIT_SERVER, CMD_DEL_SERVER, CMD_LIST, CMD_SAVE, CMD_ZERO,
	    CMD_HELP };
	const char *p;

	if (ch < 256 && (p = strchr(cmds, ch)) != NULL) {
		set_cmd(a, cmd_of[p - cmds]);
		return;
	}
	if (long_cmd(ch) != CMD_NONE) {
		set_cmd(a, long_cmd(ch));
		return;
	}
	switch (ch) {
	case 'l':
		if (listen_l)
			set_opt(a, OPT_LISTEN, optarg);
		else
			set_cmd(a, CMD_LIST);
		break;
	case LONG_LISTEN:	set_opt(a, OPT_LISTEN, optarg); break;
	case 'f':		set_cmd(a, CMD_LOAD); a->file = optarg; break;
	case 'i':		set_opt(a, OPT_IDENT, optarg); break;
	case 's':		set_opt(a, OPT_SCHED, optarg); break;
	case 'P':		set_opt(a, OPT_PORT, optarg); break;
	case 'r':		set_opt(a, OPT_SERVER, optarg); break;
	case 'w':		set_opt(a, OPT_WEIGHT, optarg); break;
	case 'p':		set_opt(a, OPT_PATTERN, optarg); break;
	case 'm':		set_opt(a, OPT_MATCH, optarg); break;
	case 'n':		set_opt(a, OPT_NUMERIC, ""); break;
	case LONG_STATS:	set_opt(a, OPT_STATS, ""); break;
	case LONG_RATE:		set_opt(a, OPT_RATE, ""); break;
	case 'c':		set_opt(a, OPT_CONN, ""); break;
	case LONG_PERSISTENT:	set_opt(a, OPT_PERSISTENT, optarg); break;
	case LONG_CONTROL:	a->control = optarg; break;
	case LONG_HOST:		set_opt(a, OPT_HOST, optarg); break;
	case LONG_METHOD:	set_opt(a, OPT_METHOD, optarg); break;
	case LONG_HEADER:	set_opt(a, OPT_HEADER, optarg); break;
	case LONG_SOURCE:	set_opt(a, OPT_SOURCE, optarg); break;
	case LONG_RETURN:	set_opt(a, OPT_RETURN, optarg); break;
	case LONG_LOCATION:	set_opt(a, OPT_LOCATION, optarg); break;
	default:
		usage_error("unknown option");
	}
}

static void
parse_args(struct adm *a, int argc, char *argv[])
{
	bool listen_l = edits_service(argc, argv);
	int ch;

	memset(a, 0, sizeof(*a));
	a->control = TCPVS_CONTROL;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, listen_l ?
	    ":AEDFaedLSZhf:i:s:P:l:r:w:p:m:nc" :
	    ":AEDFaedLSZhlf:i:s:P:r:w:p:m:nc", long_opts, NULL)) != -1) {
		if (ch == ':')
			usage_error("%s needs an argument", argv[optind - 1]);
		if (ch == '?')
			usage_error("unknown option '%s'", argv[optind - 1]);
		parse_one(a, ch, listen_l);
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (a->cmd == CMD_NONE)
		usage_error("no command given");
}

/* a number option in 0..max: a command-line mistake (ports may be names:
   with_port checks them) */
static void
check_number(const struct adm *a, enum adm_opt o, const char *name,
    unsigned long max)
{
	const char *s = a->arg[o];
	unsigned long v;
	char *end;

	if (s == NULL)
		return;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > max)
		usage_error("invalid %s '%s': expected 0 to %lu", name, s, max);
}

/* the matrix: what a command needs and what it does not take */
static void
check_matrix(const struct adm *a)
{
	const struct command *c = &commands[a->cmd];

	for (int o = 0; o < OPT__COUNT; o++) {
		if (c->opts[o] == '+' && a->arg[o] == NULL)
			usage_error("%s needs %s", c->name, opt_names[o]);
		if (c->opts[o] == 'x' && a->arg[o] != NULL)
			usage_error("%s does not take %s", c->name,
			    opt_names[o]);
	}
	if (a->arg[OPT_PORT] != NULL && a->arg[OPT_LISTEN] != NULL)
		usage_error("-P PORT and -l ADDR: one or the other");
	if (a->arg[OPT_STATS] != NULL && a->arg[OPT_RATE] != NULL)
		usage_error("--stats and --rate: one or the other");
	check_number(a, OPT_WEIGHT, "weight", 65535);
	check_number(a, OPT_MATCH, "matchnum", 99);
}

/* addr with ":80" when it has no port; checked (and resolved) here */
static char *
with_port(const char *what, const char *s)
{
	const char *end = s[0] == '[' ? strchr(s, ']') : NULL;
	struct util_addr ua;
	char err[512], *out;
	bool has_port;

	has_port = end != NULL ? end[1] == ':' : strchr(s, ':') != NULL;
	if (asprintf(&out, has_port ? "%s" : "%s:80", s) == -1) {
		fprintf(stderr, "tcpvsadm: out of memory\n");
		exit(ADM_EXIT_ERROR);
	}
	if (util_addr_parse(out, NULL, &ua, err, sizeof(err)) == -1)
		usage_error("invalid %s address %s", what, err);
	return out;
}

/* the request line for the command; path: -f's file */
static char *
request(const struct adm *a, const char *path)
{
	char *line = NULL, *listen = NULL, *server = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (f == NULL) {
		fprintf(stderr, "tcpvsadm: out of memory\n");
		exit(ADM_EXIT_ERROR);
	}
	if (a->arg[OPT_PORT] != NULL) {
		if (asprintf(&listen, "0.0.0.0:%s", a->arg[OPT_PORT]) == -1)
			exit(ADM_EXIT_ERROR);
		free(with_port("listen", listen));
	} else if (a->arg[OPT_LISTEN] != NULL)
		listen = with_port("listen", a->arg[OPT_LISTEN]);
	if (a->arg[OPT_SERVER] != NULL)
		server = with_port("server", a->arg[OPT_SERVER]);
	/* -L -c, as ipvsadm's: the persistence templates */
	fputs(a->cmd == CMD_LIST && a->arg[OPT_CONN] != NULL ? "templates" :
	    commands[a->cmd].verb, f);
	ctl_put(f, "ident", a->arg[OPT_IDENT]);
	ctl_put(f, "sched", a->arg[OPT_SCHED]);
	ctl_put(f, "listen", listen);
	ctl_put(f, "server", server);
	ctl_put(f, "weight", a->arg[OPT_WEIGHT]);
	ctl_put(f, "pattern", a->arg[OPT_PATTERN]);
	ctl_put(f, "match", a->arg[OPT_MATCH]);
	ctl_put(f, "host", a->arg[OPT_HOST]);
	ctl_put(f, "method", a->arg[OPT_METHOD]);
	ctl_put(f, "header", a->arg[OPT_HEADER]);
	ctl_put(f, "source", a->arg[OPT_SOURCE]);
	ctl_put(f, "return", a->arg[OPT_RETURN]);
	ctl_put(f, "location", a->arg[OPT_LOCATION]);
	ctl_put(f, "path", path);
	ctl_put(f, "persistent", a->arg[OPT_PERSISTENT]);
	fclose(f);
	free(listen);
	free(server);
	return line;
}

/* -f: the file is opened here, with the user's permissions, and sent */
static int
open_load(const struct adm *a, char *path, size_t len)
{
	int fd = open(a->file, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		fprintf(stderr, "tcpvsadm: %s: %s\n", a->file,
		    strerror(errno));
		exit(ADM_EXIT_ERROR);
	}
	if (realpath(a->file, path) == NULL)
		util_strlcpy(path, a->file, len);
	return fd;
}

static void
print_reply(const struct adm *a, const struct ctl_reply *r)
{
	enum adm_list_mode mode = ADM_LIST_PLAIN;

	if (a->arg[OPT_STATS] != NULL)
		mode = ADM_LIST_STATS;
	else if (a->arg[OPT_RATE] != NULL)
		mode = ADM_LIST_RATE;
	switch (a->cmd) {
	case CMD_LIST:
		if (a->arg[OPT_CONN] != NULL)
			adm_print_templates(stdout, r,
			    a->arg[OPT_NUMERIC] != NULL);
		else
			adm_print_list(stdout, r, mode,
			    a->arg[OPT_NUMERIC] != NULL);
		break;
	case CMD_WORKERS:
		adm_print_workers(stdout, r, a->arg[OPT_NUMERIC] != NULL);
		break;
	case CMD_SAVE:
		adm_print_lines(stdout, r);
		break;
	case CMD_LOAD:
		for (size_t i = 0; i < r->nlines; i++)
			fprintf(stderr, "tcpvsadm: %s\n", r->lines[i]);
		break;
	default:
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct adm a;
	struct ctl_reply r;
	char err[1024], path[PATH_MAX], *req;
	int fd = -1;

	parse_args(&a, argc, argv);
	if (a.cmd == CMD_HELP) {
		usage(stdout);
		return 0;
	}
	check_matrix(&a);
	if (a.cmd == CMD_LOAD)
		fd = open_load(&a, path, sizeof(path));
	req = request(&a, fd != -1 ? path : NULL);
	if (ctl_call(a.control, req, fd, &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "tcpvsadm: %s\n", err);
		free(req);
		return ADM_EXIT_ERROR;
	}
	free(req);
	if (!r.ok) {
		fprintf(stderr, "tcpvsadm: %s\n", r.status);
		adm_print_lines(stderr, &r);	/* -f: every error */
		ctl_reply_free(&r);
		return ADM_EXIT_ERROR;
	}
	print_reply(&a, &r);
	ctl_reply_free(&r);
	return 0;
}
