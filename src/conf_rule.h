/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The rule, header-rewriting and forwarding part of tcpvs.conf
 * (conf_rule.c): its libconfuse schema, checked where each value is
 * written, and what it builds into a service.  Called by conf_schema.c and
 * conf_build.c only.
 */
#ifndef TCPVS_CONF_RULE_H
#define TCPVS_CONF_RULE_H

#include <stdio.h>

#include <confuse.h>

#include "conf-t.h"

struct realserver;
struct rule;
struct service;

#define CONF_HDR_OPTS \
	CFG_STR_LIST("request_header_set", NULL, CFGF_NODEFAULT), \
	CFG_STR_LIST("request_header_add", NULL, CFGF_NODEFAULT), \
	CFG_STR_LIST("request_header_del", NULL, CFGF_NODEFAULT), \
	CFG_STR_LIST("response_header_set", NULL, CFGF_NODEFAULT), \
	CFG_STR_LIST("response_header_add", NULL, CFGF_NODEFAULT), \
	CFG_STR_LIST("response_header_del", NULL, CFGF_NODEFAULT)

/* a virtual section's options of this file */
#define CONF_RULE_SERVICE_OPTS \
	CONF_HDR_OPTS, \
	CFG_STR("forwarded", "xff", CFGF_NONE), \
	CFG_STR_LIST("trusted_proxies", NULL, CFGF_NODEFAULT), \
	CFG_BOOL("accept_proxy", cfg_false, CFGF_NONE), \
	CFG_SEC("rule", conf_rule_opts, CFGF_MULTI)

/* a server section's */
#define CONF_RULE_SERVER_OPTS \
	CFG_STR("send_proxy", "none", CFGF_NONE)

extern cfg_opt_t conf_rule_opts[];

/* set the validate callbacks of these options on the root section */
void	conf_rule_validators(cfg_t *);
/* the service's rules, header edits, forwarding and PROXY options */
void	conf_rule_build_service(cfg_t *vs, struct service *);
void	conf_rule_build_server(cfg_t *ss, struct realserver *);
void	conf_rule_free_service(struct service *);

/* conf_rule_dump.c: the same options written back for conf_dump() */
void	conf_rule_dump_service(FILE *, const struct service *);
void	conf_rule_dump_server(FILE *, const struct realserver *);
/* a rule's conditions and action besides pattern, server and match */
void	conf_rule_dump_rule(FILE *, const struct rule *);
void	conf_dump_str(FILE *, const char *);
struct conf_edit;
/* the conditions and action of a rule tcpvsadm --add-rule adds */
void	conf_rule_dump_edit(FILE *, const struct conf_edit *);

const char	*conf_fwd_str(enum fwd_mode);
const char	*conf_proxy_send_str(enum proxy_send);

#endif /* TCPVS_CONF_RULE_H */
