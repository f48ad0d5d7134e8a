/* The allowlist image: the shipped profiles and deny list as loaded and
 * validated by the strict JSON loader at build time (tools/al_compile.c),
 * written as flat tables that brine_policy_new maps back without parsing.
 * Strings point into the image; nothing is copied but the pointer arrays.
 *
 * Layout, every field a little-endian u32:
 *   header   magic "BRAL", version, nentries, ncons, npool, ndeny_mods,
 *            ndeny_names, ndeny_except, strtab_bytes
 *   entries  nentries x { global, use, has_args, min_args, max_args,
 *                         first_con, ncons }
 *   cons     ncons x { index, types, first_value, nvalues, first_global,
 *                      nglobals, allowed, nested }
 *   pool     npool string offsets (constraint value and global lists)
 *   deny     ndeny_mods + ndeny_names + ndeny_except string offsets
 *   strtab   NUL-terminated strings
 */
#include "policy.h"

#include <stdio.h>

#define IMG_MAGIC 0x4c415242u  /* "BRAL" */
#define IMG_VERSION 1u
#define HDR_WORDS 9u
#define ENTRY_WORDS 7u
#define CON_WORDS 8u

/* ---- writing (build time) ------------------------------------------- */

struct img_writer {
  struct brinei_sbuf words;   /* u32 tables, in order */
  struct brinei_sbuf strtab;
};

static void put32(struct brinei_sbuf *b, uint32_t v)
{
  uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                    (uint8_t)(v >> 24) };
  brinei_sbuf_add(b, le, 4);
}

static uint32_t put_str(struct img_writer *w, const char *s)
{
  uint32_t off = (uint32_t)w->strtab.len;
  brinei_sbuf_add(&w->strtab, s, strlen(s) + 1);
  return off;
}

brine_result brinei_policy_write_image(const struct brine_policy *pol,
                                       FILE *out)
{
  struct img_writer w;
  uint32_t ncons = 0, npool = 0, con = 0, pool = 0;
  brine_result rc = BRINE_OK;
  brinei_sbuf_init(&w.words, pol->ctx, (size_t)1 << 30);
  brinei_sbuf_init(&w.strtab, pol->ctx, (size_t)1 << 30);
  brinei_sbuf_add(&w.strtab, "", 1);  /* offset 0: the empty string */
  for(size_t i = 0; i < pol->nentries; i++) {
    ncons += (uint32_t)pol->entries[i].ncons;
    for(size_t c = 0; c < pol->entries[i].ncons; c++)
      npool += (uint32_t)(pol->entries[i].cons[c].nvalues +
                          pol->entries[i].cons[c].nglobals);
  }
  put32(&w.words, IMG_MAGIC);
  put32(&w.words, IMG_VERSION);
  put32(&w.words, (uint32_t)pol->nentries);
  put32(&w.words, ncons);
  put32(&w.words, npool);
  put32(&w.words, (uint32_t)pol->ndeny_mods);
  put32(&w.words, (uint32_t)pol->ndeny_names);
  put32(&w.words, (uint32_t)pol->ndeny_except);
  put32(&w.words, 0);  /* strtab size, patched below */
  for(size_t i = 0; i < pol->nentries; i++) {
    const struct al_entry *e = &pol->entries[i];
    put32(&w.words, put_str(&w, e->global));
    put32(&w.words, (uint32_t)e->use);
    put32(&w.words, (uint32_t)e->has_args);
    put32(&w.words, e->min_args);
    put32(&w.words, e->max_args);
    put32(&w.words, con);
    put32(&w.words, (uint32_t)e->ncons);
    con += (uint32_t)e->ncons;
  }
  for(size_t i = 0; i < pol->nentries; i++) {
    for(size_t c = 0; c < pol->entries[i].ncons; c++) {
      const struct al_argcon *k = &pol->entries[i].cons[c];
      put32(&w.words, k->index);
      put32(&w.words, k->types);
      put32(&w.words, pool);
      put32(&w.words, (uint32_t)k->nvalues);
      put32(&w.words, pool + (uint32_t)k->nvalues);
      put32(&w.words, (uint32_t)k->nglobals);
      put32(&w.words, (uint32_t)k->allowed);
      put32(&w.words, (uint32_t)k->nested);
      pool += (uint32_t)(k->nvalues + k->nglobals);
    }
  }
  for(size_t i = 0; i < pol->nentries; i++) {
    for(size_t c = 0; c < pol->entries[i].ncons; c++) {
      const struct al_argcon *k = &pol->entries[i].cons[c];
      for(size_t v = 0; v < k->nvalues; v++)
        put32(&w.words, put_str(&w, k->values[v]));
      for(size_t g = 0; g < k->nglobals; g++)
        put32(&w.words, put_str(&w, k->globals[g]));
    }
  }
  for(size_t i = 0; i < pol->ndeny_mods; i++)
    put32(&w.words, put_str(&w, pol->deny_mods[i]));
  for(size_t i = 0; i < pol->ndeny_names; i++)
    put32(&w.words, put_str(&w, pol->deny_names[i]));
  for(size_t i = 0; i < pol->ndeny_except; i++)
    put32(&w.words, put_str(&w, pol->deny_except[i]));
  if(w.words.failed || w.strtab.failed)
    rc = BRINE_E_NOMEM;
  else {
    uint32_t n = (uint32_t)w.strtab.len;
    uint8_t le[4] = { (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
                      (uint8_t)(n >> 24) };
    memcpy(w.words.p + 4 * (HDR_WORDS - 1), le, 4);
    if(fwrite(w.words.p, 1, w.words.len, out) != w.words.len ||
       fwrite(w.strtab.p, 1, w.strtab.len, out) != w.strtab.len)
      rc = BRINE_E_IO;
  }
  brinei_sbuf_free(&w.words);
  brinei_sbuf_free(&w.strtab);
  return rc;
}

/* ---- loading (run time) --------------------------------------------- */

struct img_reader {
  const uint8_t *p;
  size_t len;
  size_t words;        /* u32 words before strtab */
  const char *strtab;
  size_t strtab_len;
  bool bad;
};

static uint32_t word(struct img_reader *r, size_t i)
{
  const uint8_t *q;
  if(i >= r->words) {
    r->bad = true;
    return 0;
  }
  q = r->p + 4 * i;
  return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
         (uint32_t)q[3] << 24;
}

static const char *str_at(struct img_reader *r, uint32_t off)
{
  /* strtab ends with a NUL (checked once), so any offset inside it is a
     terminated string */
  if(off >= r->strtab_len) {
    r->bad = true;
    return "";
  }
  return r->strtab + off;
}

brine_result brinei_policy_load_image(struct brine_policy *pol,
                                      const uint8_t *p, size_t len)
{
  struct img_reader r = { p, len, HDR_WORDS, NULL, 0, false };
  uint32_t nent, ncons, npool, nmods, nnames, nexc;
  size_t ent0, con0, pool0, deny0, total;
  const char **pool;
  struct al_argcon *cons;
  if(len < 4 * HDR_WORDS || word(&r, 0) != IMG_MAGIC ||
     word(&r, 1) != IMG_VERSION)
    goto bad;
  nent = word(&r, 2);
  ncons = word(&r, 3);
  npool = word(&r, 4);
  nmods = word(&r, 5);
  nnames = word(&r, 6);
  nexc = word(&r, 7);
  r.strtab_len = word(&r, 8);
  total = HDR_WORDS + (size_t)nent * ENTRY_WORDS +
          (size_t)ncons * CON_WORDS + npool + nmods + nnames + nexc;
  if(total > len / 4 || len - 4 * total != r.strtab_len ||
     !r.strtab_len || p[len - 1] != '\0')
    goto bad;
  r.words = total;
  r.strtab = (const char *)p + 4 * total;
  ent0 = HDR_WORDS;
  con0 = ent0 + (size_t)nent * ENTRY_WORDS;
  pool0 = con0 + (size_t)ncons * CON_WORDS;
  deny0 = pool0 + npool;

  pool = brinei_arena_alloc(&pol->arena, (npool + 1) * sizeof(*pool));
  cons = brinei_arena_alloc(&pol->arena, (ncons + 1) * sizeof(*cons));
  pol->deny_mods = brinei_arena_alloc(&pol->arena,
                                      (nmods + 1) * sizeof(char *));
  pol->deny_names = brinei_arena_alloc(&pol->arena,
                                       (nnames + 1) * sizeof(char *));
  pol->deny_except = brinei_arena_alloc(&pol->arena,
                                        (nexc + 1) * sizeof(char *));
  if(!pool || !cons || !pol->deny_mods || !pol->deny_names ||
     !pol->deny_except)
    return BRINE_E_NOMEM;
  for(size_t i = 0; i < npool; i++)
    pool[i] = str_at(&r, word(&r, pool0 + i));
  for(size_t i = 0; i < ncons; i++) {
    size_t w = con0 + i * CON_WORDS;
    uint32_t fv = word(&r, w + 2), nv = word(&r, w + 3);
    uint32_t fg = word(&r, w + 4), ng = word(&r, w + 5);
    if(fv > npool || nv > npool - fv || fg > npool || ng > npool - fg)
      goto bad;
    cons[i].index = word(&r, w);
    cons[i].types = word(&r, w + 1);
    cons[i].values = nv ? &pool[fv] : NULL;
    cons[i].nvalues = nv;
    cons[i].globals = ng ? &pool[fg] : NULL;
    cons[i].nglobals = ng;
    cons[i].allowed = (brine_use)word(&r, w + 6);
    cons[i].nested = (int)word(&r, w + 7);
  }
  for(size_t i = 0; i < nmods; i++)
    pol->deny_mods[i] = str_at(&r, word(&r, deny0 + i));
  for(size_t i = 0; i < nnames; i++)
    pol->deny_names[i] = str_at(&r, word(&r, deny0 + nmods + i));
  for(size_t i = 0; i < nexc; i++)
    pol->deny_except[i] = str_at(&r, word(&r, deny0 + nmods + nnames + i));
  pol->ndeny_mods = nmods;
  pol->ndeny_names = nnames;
  pol->ndeny_except = nexc;
  for(size_t i = 0; i < nent; i++) {
    size_t w = ent0 + i * ENTRY_WORDS;
    struct al_entry e;
    uint32_t fc = word(&r, w + 5), nc = word(&r, w + 6);
    brine_result rc;
    if(fc > ncons || nc > ncons - fc || word(&r, w + 1) > BRINE_USE_CALL)
      goto bad;
    memset(&e, 0, sizeof(e));
    e.global = str_at(&r, word(&r, w));
    e.use = (brine_use)word(&r, w + 1);
    e.has_args = (int)word(&r, w + 2);
    e.min_args = word(&r, w + 3);
    e.max_args = word(&r, w + 4);
    e.cons = nc ? &cons[fc] : NULL;
    e.ncons = nc;
    e.next = UINT32_MAX;
    rc = brinei_policy_add_entry(pol, &e);
    if(rc)
      return rc;
  }
  if(r.bad)
    goto bad;
  return BRINE_OK;
bad:
  return BRINE_FAIL(pol->ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "embedded allowlist image is damaged");
}
