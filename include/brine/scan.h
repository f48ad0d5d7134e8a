/* Scanning model artifacts: verdicts and findings.
 *
 * A scan session (struct brine_scan) examines files and directories by
 * content and keeps one report per file. Verdicts, rule ids, JSON keys and
 * exit codes are those of docs/contract.md; docs/scan.md describes them.
 */
#ifndef BRINE_SCAN_H
#define BRINE_SCAN_H

#include <stdio.h>

#include "brine/brine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ordered from least to most severe: a file's verdict is the maximum of
   its members' (contract.md §2). */
typedef enum {
  BRINE_VERDICT_UNRECOGNIZED = 0,
  BRINE_VERDICT_SAFE = 1,
  BRINE_VERDICT_UNKNOWN = 2,
  BRINE_VERDICT_ERROR = 3,
  BRINE_VERDICT_UNSAFE = 4
} brine_verdict;

typedef enum {
  BRINE_SEV_INFO = 0,
  BRINE_SEV_WARNING = 1,
  BRINE_SEV_ERROR = 2,
  BRINE_SEV_CRITICAL = 3
} brine_severity;

/* How a global is used; each includes the ones before it. */
typedef enum {
  BRINE_USE_NONE = 0,
  BRINE_USE_REFERENCE = 1,
  BRINE_USE_CONSTRUCT = 2,
  BRINE_USE_CALL = 3
} brine_use;

const char *brine_verdict_name(brine_verdict v);   /* "safe", ... */
const char *brine_severity_name(brine_severity s); /* "warning", ... */
const char *brine_use_name(brine_use u);           /* "call", ... */

/* One finding. All strings are borrowed from the scan that made them. */
struct brine_finding {
  const char *rule;        /* stable id, e.g. "PKL001" */
  const char *rule_name;   /* e.g. "call-not-allowed" */
  brine_severity severity;
  uint64_t offset;         /* byte offset in the member; UINT64_MAX none */
  const char *member;      /* container path; "" for the file itself */
  const char *global;      /* "module.qualname" or NULL */
  brine_use use;           /* BRINE_USE_NONE when no global is involved */
  const char *message;     /* a sentence */
  brine_verdict verdict;   /* what this finding makes its member: the
                              rule's verdict, or `unsafe` for a container
                              anomaly that involves a pickle */
};

/* A member of a container, at any depth. Members are listed in the order
   they are met (a container before what it holds); a container's verdict
   includes its members'. */
struct brine_member_report {
  const char *member;      /* container path: "a/data.pkl",
                              "m.tar.gz!m/x.bin!archive/data.pkl" */
  const char *format;      /* contract.md §5 identifier */
  brine_verdict verdict;
  size_t first_finding;    /* findings[first_finding .. +nfindings) are
                              this member's own and those of members
                              inside it */
  size_t nfindings;
};

struct brine_file_report {
  const char *path;        /* as given or as found while walking */
  const char *format;      /* contract.md §5 identifier */
  brine_verdict verdict;
  const struct brine_member_report *members;  /* containers only */
  size_t nmembers;
  const struct brine_finding *findings;       /* every finding of the file */
  size_t nfindings;
  uint64_t findings_dropped;  /* beyond limit `findings` */
};

/* ---- allowlists ---------------------------------------------------- */

struct brine_policy; /* opaque: allowlist entries and the deny list */

/* A policy holding the embedded profiles (all of them) and the deny list.
   *out is owned (brine_policy_free).
   Returns BRINE_OK, BRINE_E_NOMEM, or BRINE_E_MALFORMED if an embedded
   profile is broken (a build defect). */
brine_result brine_policy_new(struct brine_ctx *ctx,
                              struct brine_policy **out);
void brine_policy_free(struct brine_policy *pol);

/* Add the entries of an allowlist file (docs/allowlists.md). Returns
   BRINE_OK, BRINE_E_IO, BRINE_E_MALFORMED (invalid JSON, duplicate keys,
   an entry that breaks the schema's rules; the context's error says which),
   BRINE_E_NOMEM. */
brine_result brine_policy_add_file(struct brine_policy *pol,
                                   const char *path);
/* The same from memory; origin names the data in messages. */
brine_result brine_policy_add_json(struct brine_policy *pol,
                                   const char *json, size_t len,
                                   const char *origin);

/* The widest use the allowlists grant to a global (BRINE_USE_NONE if
   none). */
brine_use brine_policy_allowed(const struct brine_policy *pol,
                               const char *global);
/* Whether a global is on the deny list (any run of its dotted components,
   or a dunder component). */
int brine_policy_denied(const struct brine_policy *pol, const char *global);

/* ---- scanning ------------------------------------------------------ */

#define BRINE_SCAN_STRICT 0x1u  /* `unknown` counts as a rejection */
#define BRINE_SCAN_DEEP 0x2u    /* check the CRC-32 of every archive member,
                                   tensor storages included (otherwise
                                   storages are checked by size) */

struct brine_scan; /* opaque: a session of scanned files */

/* pol is borrowed and must outlive the scan. *out is owned. */
brine_result brine_scan_new(struct brine_ctx *ctx,
                            const struct brine_policy *pol, unsigned flags,
                            struct brine_scan **out);
void brine_scan_free(struct brine_scan *scan);

/* Worker threads for the files of a directory: 1 (the default) examines
   them one after another on the calling thread; 0 uses every core this
   process may run on; N uses N. Reports come in the same order and with
   the same content whatever the number. With more than one, the
   context's allocator hooks must be thread-safe (the C library's are),
   and each worker has its own budget of lim.memory, so a scan may hold up
   to N times it. */
void brine_scan_set_threads(struct brine_scan *scan, unsigned threads);

/* Scan a file, or a directory recursively (symbolic links are reported,
   not followed). Every problem with an input becomes that file's report
   (verdict `error`); the return value is BRINE_OK unless the session
   itself failed (BRINE_E_NOMEM). */
brine_result brine_scan_path(struct brine_scan *scan, const char *path);

/* Scan bytes in memory, reported under `name`. Same results. */
brine_result brine_scan_buffer(struct brine_scan *scan, const char *name,
                               const void *data, size_t len);

size_t brine_scan_nfiles(const struct brine_scan *scan);
/* Borrowed; i < brine_scan_nfiles(). */
const struct brine_file_report *brine_scan_file(const struct brine_scan *scan,
                                                size_t i);

/* 0 pass, 1 rejected, 2 error (contract.md §1), over every file. */
int brine_scan_exit_code(const struct brine_scan *scan);

typedef enum {
  BRINE_OUT_TEXT = 0,
  BRINE_OUT_JSON = 1,
  BRINE_OUT_SARIF = 2
} brine_output;

/* Write the session's report. Returns BRINE_OK, BRINE_E_IO, BRINE_E_NOMEM.
   base: directory that SARIF URIs are made relative to (NULL: the current
   directory). */
brine_result brine_scan_write(const struct brine_scan *scan, FILE *out,
                              brine_output fmt, const char *base);

/* ---- looking inside ------------------------------------------------ */

#define BRINE_INSPECT_OPCODES 0x1u  /* include a disassembly */

/* Describe a file for people (text) or tools (JSON): format, pickle
   streams, protocols, opcode counts, every global and how it is used,
   call sites, memo use, framework versions recorded inside. Returns
   BRINE_OK, BRINE_E_IO, BRINE_E_NOMEM; a malformed input is described, not
   an error. */
brine_result brine_inspect_path(struct brine_ctx *ctx,
                                const struct brine_policy *pol,
                                const char *path, unsigned flags,
                                brine_output fmt, FILE *out);

/* Write a Python-like listing of what unpickling the file would do.
   Returns BRINE_OK, BRINE_E_IO, BRINE_E_NOMEM. */
brine_result brine_decompile_path(struct brine_ctx *ctx, const char *path,
                                  FILE *out);

#ifdef __cplusplus
}
#endif
#endif
