/* PyTorch storages: element sizes of the storage classes, and the raw
 * storage region of legacy (non-zip) checkpoints.
 *
 * SPEC: torch/storage.py _dtype_to_storage_type_map; torch/serialization.py
 * _legacy_save (five pickles, then for each key of the fifth, in its order
 * — sorted(keys) — an int64 element count and the raw elements).
 */
#include "walk.h"

#include <stdlib.h>

unsigned brinei_torch_elem_size(const char *type)
{
  static const struct { const char *name; unsigned size; } t[] = {
    { "DoubleStorage", 8 }, { "FloatStorage", 4 }, { "HalfStorage", 2 },
    { "LongStorage", 8 }, { "IntStorage", 4 }, { "ShortStorage", 2 },
    { "CharStorage", 1 }, { "ByteStorage", 1 }, { "BoolStorage", 1 },
    { "BFloat16Storage", 2 }, { "ComplexDoubleStorage", 16 },
    { "ComplexFloatStorage", 8 }, { "QInt8Storage", 1 },
    { "QUInt8Storage", 1 }, { "QInt32Storage", 4 }, { "QUInt4x2Storage", 1 },
    { "QUInt2x4Storage", 1 }, { "UntypedStorage", 1 },
  };
  if(!type || strncmp(type, "torch.", 6))
    return 0;
  type += 6;
  if(!strncmp(type, "cuda.", 5))
    type += 5;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(t); i++)
    if(!strcmp(type, t[i].name))
      return t[i].size;
  return 0;
}

static int cmp_key(const void *a, const void *b)
{
  const struct brinei_torch_storage *x = *(const struct brinei_torch_storage
                                               *const *)a;
  const struct brinei_torch_storage *y = *(const struct brinei_torch_storage
                                               *const *)b;
  return strcmp(x->key, y->key);
}

brine_verdict brinei_torch_legacy_storages(struct brinei_walk *w,
                                           const char *member,
                                           const uint8_t *d, size_t len,
                                           const struct brinei_pickle_facts *pf,
                                           brine_verdict v)
{
  const struct brinei_torch_storage **order;
  struct brinei_rd r;
  size_t n = 0, from = w->f->n;
  if(pf->streams < 5 || pf->end > len)
    return v;  /* broken earlier: already reported */
  order = brinei_calloc(w->ctx, pf->nst + 1, sizeof(*order));
  if(!order) {
    brinei_finding_add(w->f, R_LIMIT, BRINE_NOOFF, member, NULL,
                       BRINE_USE_NONE, "memory budget exhausted (limit "
                       "memory)");
    return brinei_findings_verdict(w->f, from, v);
  }
  /* one record per key, in sorted order as _legacy_save writes them */
  for(size_t i = 0; i < pf->nst; i++)
    order[n++] = &pf->st[i];
  qsort(order, n, sizeof(*order), cmp_key);
  r = brinei_rd_make(d, len);
  r.pos = pf->end;
  for(size_t i = 0; i < n; i++) {
    const struct brinei_torch_storage *st = order[i];
    unsigned es = brinei_torch_elem_size(st->type);
    size_t at = r.pos;
    uint64_t count;
    if(i && !strcmp(st->key, order[i - 1]->key))
      continue;
    count = brinei_rd_u64(&r);
    if(r.bad) {
      brinei_finding_add(w->f, R_FMT_MALFORMED, at, member, NULL,
                         BRINE_USE_NONE, "the file ends before storage "
                         "\"%.200s\"", st->key);
      break;
    }
    if(!es)
      es = 1;
    if(count != st->numel)
      brinei_finding_add(w->f, R_TORCH_SIZE, at, member, NULL,
                         BRINE_USE_NONE, "storage \"%.200s\" holds %llu "
                         "elements where its persistent id says %llu",
                         st->key, (unsigned long long)count,
                         (unsigned long long)st->numel);
    if(st->need > count)
      brinei_finding_add(w->f, R_TORCH_SIZE, st->need_off, member, NULL,
                         BRINE_USE_NONE, "a tensor reaches element %llu of "
                         "storage \"%.200s\", which has %llu",
                         (unsigned long long)st->need, st->key,
                         (unsigned long long)count);
    if(count > UINT64_MAX / es || !brinei_rd_skip(&r, count * es)) {
      brinei_finding_add(w->f, R_FMT_MALFORMED, at, member, NULL,
                         BRINE_USE_NONE, "storage \"%.200s\" runs past the "
                         "end of the file", st->key);
      break;
    }
  }
  if(!r.bad && r.pos < len)
    brinei_walk_trailing(w, member, d, len, r.pos, r.pos, "storages");
  brinei_free(w->ctx, order);
  return brinei_findings_verdict(w->f, from, v);
}
