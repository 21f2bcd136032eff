/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The probe registry: the one list of health-check probes, looked up by
 * the name written as "check = NAME" (conf_check.c reports an unknown
 * name with the choices), and the words a probe's result is logged with.
 * Pure; runs in the master at load and in the health checker.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "probe.h"

/* the only list of probes: one line per probe_<name>.c */
static const struct probe_ops *const probes[] = {
	&probe_tcp,
	&probe_http,
};

#define NPROBES	(sizeof(probes) / sizeof(probes[0]))

const struct probe_ops *
probe_lookup(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < NPROBES; i++)
		if (strcmp(probes[i]->name, name) == 0)
			return probes[i];
	return NULL;
}

const char *
probe_choices(void)
{
	static char buf[128];
	size_t off;

	if (buf[0] != '\0')
		return buf;
	off = (size_t)snprintf(buf, sizeof(buf), "none");
	for (size_t i = 0; i < NPROBES && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    i + 1 == NPROBES ? " or " : ", ", probes[i]->name);
	return buf;
}

void
probe_describe(enum probe_result r, int code, char *buf, size_t len)
{
	switch (r) {
	case PROBE_NONE:
		snprintf(buf, len, "not checked yet");
		return;
	case PROBE_PENDING:
		snprintf(buf, len, "in progress");
		return;
	case PROBE_OK:
		snprintf(buf, len, "ok");
		return;
	case PROBE_REFUSED:
		snprintf(buf, len, "refused");
		return;
	case PROBE_TIMEOUT:
		snprintf(buf, len, "timeout");
		return;
	case PROBE_ERROR:
		snprintf(buf, len, "error: %s", strerror(code));
		return;
	case PROBE_HTTP_STATUS:
		snprintf(buf, len, "http status %d", code);
		return;
	case PROBE_INVALID:
		snprintf(buf, len, "invalid response");
		return;
	case PROBE_TLS:
		probe_tls_describe(code, buf, len);
		return;
	case PROBE__COUNT:
		break;
	}
	snprintf(buf, len, "?");
}
