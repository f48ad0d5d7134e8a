/* The brine command: shared helpers for the subcommands. Built only on the
   public API (include/brine/). */
#ifndef BRINE_CLI_H
#define BRINE_CLI_H

#include <stdio.h>

#include "brine/brine.h"
#include "brine/scan.h"

#define EXIT_PASS 0
#define EXIT_REJECT 1
#define EXIT_ERROR 2

int cmd_scan(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_decompile(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_verify_blob(int argc, char **argv);
int cmd_conformance(int argc, char **argv);

/* Parse "--format" values; returns -1 for an unknown name. */
int cli_parse_format(const char *s, int allow_sarif);
/* Apply "NAME=VALUE" to limits; prints the problem and returns -1. */
int cli_parse_limit(struct brine_limits *lim, const char *arg);
/* The embedded allowlists plus each --allow file; prints the problem and
   returns -1 (*out is then NULL). */
int cli_policy(struct brine_ctx *ctx, const char *cmd,
               const char *const *allow, size_t nallow,
               struct brine_policy **out);
/* Print "brine: CMD: message" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
