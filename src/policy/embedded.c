/* The allowlist profiles and the deny list, embedded at build time from
 * the JSON files in allowlists/ (BRINE_ALLOWLIST_DIR is set by the Makefile). */
#include "../internal.h"

struct brinei_blob {
  const char *name;
  const char *data;
  size_t len;
};

#define EMBED(sym, file)                                              \
  __asm__(".section .rodata\n"                                        \
          ".global " #sym "_start\n"                                  \
          ".global " #sym "_end\n"                                    \
          ".balign 16\n" #sym "_start:\n"                             \
          ".incbin \"" BRINE_ALLOWLIST_DIR "/" file "\"\n"            \
          #sym "_end:\n"                                              \
          ".byte 0\n"                                                 \
          ".previous\n");                                             \
  extern const char sym##_start[], sym##_end[];

EMBED(brine_al_stdlib, "stdlib.json")
EMBED(brine_al_numpy, "numpy.json")
EMBED(brine_al_torch, "torch.json")
EMBED(brine_al_sklearn, "sklearn.json")
EMBED(brine_al_xgboost, "xgboost.json")
EMBED(brine_al_pandas, "pandas.json")
EMBED(brine_al_deny, "denylist.json")

/* each blob ends with a NUL byte; JSON holds none, so len = strlen */
const struct brinei_blob brinei_profiles[] = {
  { "allowlists/stdlib.json", brine_al_stdlib_start, 0 },
  { "allowlists/numpy.json", brine_al_numpy_start, 0 },
  { "allowlists/torch.json", brine_al_torch_start, 0 },
  { "allowlists/sklearn.json", brine_al_sklearn_start, 0 },
  { "allowlists/xgboost.json", brine_al_xgboost_start, 0 },
  { "allowlists/pandas.json", brine_al_pandas_start, 0 },
};
const size_t brinei_nprofiles = BRINE_ARRAY_LEN(brinei_profiles);
const struct brinei_blob brinei_denylist = {
  "allowlists/denylist.json", brine_al_deny_start, 0
};
