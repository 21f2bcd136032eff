/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Source hashing (IPVS ip_vs_sh.c): the client's address (not its port)
 * chooses the server, so a client keeps its server without any table.
 * Weighted rendezvous hashing (sched_pick_hash): weights honoured, the
 * same answer in every process and on every director with the same
 * configuration, and a server that is down sends only its own clients
 * elsewhere, each to the same next server (IPVS's sh-fallback).  No state.
 */
#include "config.h"

#include <stddef.h>

#include "sched.h"

static int
sh_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	return sched_pick_hash(svc, sb, req, sched_all(svc),
	    sched_client_key(req));
}

const struct sched_ops sched_sh = {
	.name = "sh",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = sh_schedule,
	.response_fields = sched_fields_none,
};
