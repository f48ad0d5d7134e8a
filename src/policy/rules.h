/* The finding rules: stable ids (never renumber), severities and the
 * verdict each one implies (contract.md §2). SARIF's rule metadata comes
 * from here too. */
#ifndef BRINE_POLICY_RULES_H
#define BRINE_POLICY_RULES_H

#include "../internal.h"
#include "brine/scan.h"

enum brinei_rule {
  R_CALL = 0,        /* PKL001 */
  R_DENIED,          /* PKL002 */
  R_COMPUTED,        /* PKL003 */
  R_EXT,             /* PKL004 */
  R_BUILD,           /* PKL005 */
  R_CONTAINER,       /* PKL006 */
  R_NESTED_UNSAFE,   /* PKL007 */
  R_FRAME,           /* PKL008 */
  R_PERSID,          /* PKL009 */
  R_UNKNOWN_GLOBAL,  /* PKL010 */
  R_UNKNOWN_CLASS,   /* PKL011 */
  R_TRAILING,        /* PKL012 */
  R_MALFORMED,       /* PKL013 */
  R_LIMIT,           /* PKL014 */
  R_BUFFER,          /* PKL015 */
  R_NESTED_UNKNOWN,  /* PKL016 */
  R_IO,              /* BRN001 */
  R_SYMLINK,         /* BRN002 */
  R_COUNT
};

struct brinei_rule_info {
  const char *id;
  const char *name;
  brine_severity severity;
  brine_verdict verdict;     /* what a finding of this rule makes the file */
  const char *security;      /* SARIF security-severity */
  const char *short_desc;
  const char *full_desc;
};

extern const struct brinei_rule_info brinei_rules[R_COUNT];

#endif
