/* Python 2 names as the unpickler maps them for protocols 0-2.
 * SPEC: Lib/pickle.py Unpickler.find_class and Modules/_pickle.c
 * _pickle_Unpickler_find_class_impl: when proto < 3 and fix_imports, look up
 * (module, name) in NAME_MAPPING, else module in IMPORT_MAPPING. */
#include "vm.h"

#include <stdlib.h>

struct compat_name {
  const char *mod, *name, *to_mod, *to_name;
};
struct compat_module {
  const char *mod, *to_mod;
};

#include "compat_table.h"

/* Compare a length-counted key with a NUL-terminated table string. */
static int cmp_n(const char *key, size_t n, const char *s)
{
  size_t sl = strlen(s);
  int c = memcmp(key, s, n < sl ? n : sl);
  if(c)
    return c;
  return n < sl ? -1 : n > sl;
}

bool brinei_compat_map(const char **module, size_t *mlen, const char **name,
                       size_t *nlen)
{
  size_t lo = 0, hi = BRINE_ARRAY_LEN(compat_names);
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    const struct compat_name *e = &compat_names[mid];
    int c = cmp_n(*module, *mlen, e->mod);
    if(!c)
      c = cmp_n(*name, *nlen, e->name);
    if(!c) {
      *module = e->to_mod;
      *mlen = strlen(e->to_mod);
      *name = e->to_name;
      *nlen = strlen(e->to_name);
      return true;
    }
    if(c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  lo = 0;
  hi = BRINE_ARRAY_LEN(compat_modules);
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = cmp_n(*module, *mlen, compat_modules[mid].mod);
    if(!c) {
      *module = compat_modules[mid].to_mod;
      *mlen = strlen(*module);
      return true;
    }
    if(c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return false;
}
