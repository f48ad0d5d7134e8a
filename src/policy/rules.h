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
  /* containers (ZIP anomalies are warnings unless a pickle is involved:
     then the finding is escalated to critical / unsafe) */
  R_ZIP_NAME,        /* ZIP001 local name differs from the central one */
  R_ZIP_CRC,         /* ZIP002 CRC-32 mismatch */
  R_ZIP_FLAGS,       /* ZIP003 flag bits loaders disagree on */
  R_ZIP_HEADER,      /* ZIP004 local header fields differ from central */
  R_ZIP_OVERLAP,     /* ZIP005 overlapping or duplicate entries */
  R_ZIP_HIDDEN,      /* ZIP006 bytes before, between or after entries */
  R_ZIP_UNLISTED,    /* ZIP007 local entry missing from the directory */
  R_ZIP_PATH,        /* ZIP008 name with .., absolute, backslash, drive */
  R_FMT_MALFORMED,   /* FMT001 structure invalid or truncated */
  R_FMT_BUDGET,      /* FMT002 container depth/bytes/entries/ratio */
  R_FMT_UNSUPPORTED, /* FMT003 member cannot be read (method, encryption) */
  R_FMT_TRAILING,    /* FMT004 bytes after a format's declared end */
  R_FMT_CHILD,       /* FMT005 isolated reader crashed or hit a limit */
  /* PyTorch archives */
  R_TORCH_STORAGE,   /* TRC001 storage record missing */
  R_TORCH_SIZE,      /* TRC002 storage smaller than its tensors need */
  R_TORCH_LAYOUT,    /* TRC003 archive layout (version, root, records) */
  /* non-pickle formats */
  R_KERAS_LAMBDA,    /* KRS001 Lambda / TFOpLambda / __lambda__ code */
  R_KERAS_MODULE,    /* KRS002 object from a module outside Keras */
  R_KERAS_CUSTOM,    /* KRS003 custom object (registered name) */
  R_TF_OP,           /* TFS001 dangerous SavedModel op */
  R_ONNX_PATH,       /* ONX001 external data leaves the model directory */
  R_ONNX_PYOP,       /* ONX002 Python-executing custom op */
  R_ONNX_DOMAIN,     /* ONX003 non-standard operator domain */
  R_GGUF_TEMPLATE,   /* GGF001 chat template with injection constructs */
  R_SKOPS_UNSAFE,    /* SKP001 skops node naming a dangerous target */
  R_SKOPS_UNTRUSTED, /* SKP002 skops type outside the trusted set */
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
