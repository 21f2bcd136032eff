/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * TCP probe ("check = tcp"): the server is healthy when a connection to
 * it is established within check_timeout.  health.c does the connect;
 * nothing is sent, and health.c closes the connection.
 */
#include "config.h"

#include <stdint.h>

#include "probe.h"

static enum probe_result
tcp_start(struct probe *p)
{
	(void)p;
	return PROBE_OK;
}

static enum probe_result
tcp_io(struct probe *p, uint32_t events)
{
	(void)p;
	(void)events;
	return PROBE_OK;
}

const struct probe_ops probe_tcp = {
	.name = "tcp",
	.start = tcp_start,
	.io = tcp_io,
};
