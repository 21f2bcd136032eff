/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The configuration loader.  libconfuse parses tcpvs.conf against the
 * option tables of conf_schema.c, whose validate callbacks check each
 * value where it is written (health-check values through conf_check.c),
 * so errors carry its line; conf_build.c then builds the generation,
 * checks what spans options, compiles every PCRE2 rule and runs every
 * scheduler's init_service.  This file runs one load: it reads the
 * source, keeps the error sink and the line each option was written on
 * (correcting libconfuse's, which runs ahead after comments), reports an
 * unbalanced '{', and returns a complete generation or nothing.  Every
 * error is printed as "FILE:LINE: reason".  Runs in the master (and in
 * tcpvsd -t); never on the request path.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "conf.h"
#include "conf_load.h"
#include "util.h"


#define CONF_MAX_LINES	8192	/* option lines remembered per load */

/* where each option was written, recorded by the validate callbacks */
struct optline {
	const cfg_t	*sec;
	const char	*name;
	int		 line;
};

/* one load: the error sink and what it has seen */
struct loader {
	const char	*path;
	FILE		*errf;
	char		*text;		/* the file, to correct line numbers */
	size_t		 textlen;
	unsigned	 nerrors;
	struct optline	 lines[CONF_MAX_LINES];
	unsigned	 nlines;
};

/* libconfuse has no user pointer for callbacks; loads are not reentrant */
static struct loader *cur;

/* the start of line n (1-based) of the source, or NULL */
static const char *
source_line(int n, size_t *len)
{
	const char *p = cur->text, *end = cur->text + cur->textlen, *nl;

	if (p == NULL || n < 1)
		return NULL;
	for (int i = 1; i < n; i++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	return p;
}

/* does the line set option name ("name =" as a whole word) */
static int
line_sets(const char *p, size_t len, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl <= len; i++) {
		size_t j = i + nl;

		if (memcmp(p + i, name, nl) != 0 || (i > 0 &&
		    (isalnum((unsigned char)p[i - 1]) || p[i - 1] == '_')))
			continue;
		while (j < len && (p[j] == ' ' || p[j] == '\t'))
			j++;
		if (j < len && p[j] == '=')
			return 1;
	}
	return 0;
}

/*
 * libconfuse reports the line its lexer has reached, which runs ahead of
 * the option after comments; the option is on the last line at or before
 * that one which sets it.
 */
static int
fix_line(const char *name, int line)
{
	const char *p;
	size_t len;

	for (int n = line; n >= 1 && n > line - 64; n--)
		if ((p = source_line(n, &len)) != NULL &&
		    line_sets(p, len, name))
			return n;
	return line;
}

__attribute__((format(printf, 3, 0)))
static void
conf_vmsg(int line, const char *what, const char *fmt, va_list ap)
{
	fprintf(cur->errf, "%s:%d: %s", cur->path, line, what);
	vfprintf(cur->errf, fmt, ap);
	fputc('\n', cur->errf);
}

void
conf_error(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(line, "", fmt, ap);
	va_end(ap);
	cur->nerrors++;
}

void
conf_warning(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(line, "warning: ", fmt, ap);
	va_end(ap);
}

/* libconfuse's own messages (syntax, unknown option), same format */
static void
on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512], name[128];
	int line = cfg ? cfg->line : 0;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (sscanf(msg, "no such option '%127[^']'", name) == 1)
		line = fix_line(name, line);
	fprintf(cur->errf, "%s:%d: %s\n", cur->path, line, msg);
	cur->nerrors++;
}

static const char *sec_label(cfg_t *);

/*
 * libconfuse keeps the last of an option written twice in a section:
 * an error naming both lines (a list may be extended with +=).
 */
static void
remember(cfg_t *sec, const char *name, int line)
{
	cfg_opt_t *opt = cfg_getopt(sec, name);

	for (unsigned i = 0; opt != NULL && !(opt->flags & CFGF_LIST) &&
	    i < cur->nlines; i++)
		if (cur->lines[i].sec == sec &&
		    strcmp(cur->lines[i].name, name) == 0) {
			conf_error(line, "%s%s set twice, on line %d and line "
			    "%d", sec_label(sec), name, cur->lines[i].line,
			    line);
			break;
		}
	if (cur->nlines < CONF_MAX_LINES) {
		cur->lines[cur->nlines].sec = sec;
		cur->lines[cur->nlines].name = name;
		cur->lines[cur->nlines].line = line;
		cur->nlines++;
	}
}

/* the line an option of sec was written on, else the section's */
static int
line_of(cfg_t *sec, const char *name)
{
	for (unsigned i = cur->nlines; i-- > 0;)
		if (cur->lines[i].sec == sec &&
		    strcmp(cur->lines[i].name, name) == 0)
			return cur->lines[i].line;
	for (unsigned i = 0; i < cur->nlines; i++)
		if (cur->lines[i].sec == sec)
			return cur->lines[i].line;
	return sec->line;
}

static const char *
sec_label(cfg_t *cfg)
{
	static char buf[128];

	if (strcmp(cfg->name, "virtual") == 0)
		snprintf(buf, sizeof(buf), "virtual %s: ", cfg_title(cfg));
	else if (strcmp(cfg->name, "server") == 0)
		snprintf(buf, sizeof(buf), "server %s: ", cfg_title(cfg));
	else
		buf[0] = '\0';
	return buf;
}

/* the line name was written on in sec, 0 when it keeps its default */
int
conf_written(cfg_t *sec, const char *name)
{
	for (unsigned i = cur->nlines; i-- > 0;)
		if (cur->lines[i].sec == sec &&
		    strcmp(cur->lines[i].name, name) == 0)
			return cur->lines[i].line;
	return 0;
}

static void
read_source(struct loader *l)
{
	FILE *f = fopen(l->path, "re");
	char buf[8192];
	size_t n;
	FILE *m;

	if (f == NULL || (m = open_memstream(&l->text, &l->textlen)) == NULL) {
		if (f != NULL)
			fclose(f);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(m);
	fclose(f);
}

/*
 * libconfuse closes sections left open at the end of the file without a
 * word; an unbalanced '{' is a mistake, reported at its line.
 */
static void
check_braces(const struct loader *l)
{
	int depth = 0, line = 1, open_line[32], instr = 0;

	for (size_t i = 0; l->text != NULL && i < l->textlen; i++) {
		char c = l->text[i];

		if (c == '\n')
			line++;
		if (instr) {	/* the quote that opened the string */
			if (c == '\\' && i + 1 < l->textlen)
				i++;
			else if (c == instr)
				instr = 0;
			continue;
		}
		if (c == '"' || c == '\'')
			instr = c;
		else if (c == '#' || (c == '/' && i + 1 < l->textlen &&
		    l->text[i + 1] == '/')) {
			while (i + 1 < l->textlen && l->text[i + 1] != '\n')
				i++;
		} else if (c == '{' && depth < 32)
			open_line[depth++] = line;
		else if (c == '}' && depth > 0)
			depth--;
	}
	if (depth > 0)
		conf_error(open_line[depth - 1], "unterminated section: '{' "
		    "without a matching '}'");
}

/* text NULL: read the file path; else parse text, named path in errors */
static struct generation *
load(const char *path, const char *text, FILE *errf)
{
	struct loader *l = xcalloc(1, sizeof(*l));
	struct generation *gen = NULL;
	cfg_t *cfg;
	int rc;

	l->path = path;
	l->errf = errf;
	cur = l;
	cfg = conf_schema_init(on_cfg_error);
	if (text != NULL) {
		l->text = xstrdup(text);
		l->textlen = strlen(text);
		rc = cfg_parse_buf(cfg, text);
	} else {
		read_source(l);
		rc = cfg_parse(cfg, path);
	}
	if (rc == CFG_SUCCESS)
		check_braces(l);
	if (rc == CFG_FILE_ERROR)
		fprintf(errf, "%s: cannot read: %s\n", path, strerror(errno));
	else if (rc == CFG_SUCCESS)
		gen = conf_build(cfg, path);	/* and what spans options */
	if (gen != NULL && l->nerrors > 0) {
		conf_free(gen);
		gen = NULL;
	}
	if (rc == CFG_PARSE_ERROR && l->nerrors == 0)
		fprintf(errf, "%s: parse error\n", path);
	cfg_free(cfg);
	cur = NULL;
	free(l->text);
	free(l);
	return gen;
}

struct generation *
conf_load(const char *path, FILE *errf)
{
	return load(path, NULL, errf);
}

struct generation *
conf_load_buf(const char *name, const char *text, FILE *errf)
{
	return load(name, text, errf);
}

const struct service *
conf_service(const struct generation *gen, const char *ident)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		if (strcmp(gen->svc[i].ident, ident) == 0)
			return &gen->svc[i];
	return NULL;
}

/*
 * For conf_schema.c, conf_build.c and conf_rule.c (conf_load.h).
 */

int
conf_opt_line(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	return line;
}

int
conf_line_of(cfg_t *sec, const char *name)
{
	return line_of(sec, name);
}

const char *
conf_sec_label(cfg_t *cfg)
{
	return sec_label(cfg);
}
