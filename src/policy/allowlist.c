/* Allowlists and the deny list: loading (strictly), lookup.
 *
 * SPEC: docs/allowlists.md. JSON is read with jansson, duplicate keys
 * rejected; every key is checked, unknown keys are errors, so a typo can
 * never silently widen or disable an entry (B33).
 */
#include "policy.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* Embedded at build time (src/policy/embedded.c, image.c's layout). */
extern const uint8_t brinei_allowlists_image[];
extern const uint8_t brinei_allowlists_image_end[];

static const struct al_entry *entry_at(const struct brine_policy *pol,
                                       uint32_t i)
{
  return i == UINT32_MAX ? NULL : &pol->entries[i];
}

const struct al_entry *brinei_policy_find(const struct brine_policy *pol,
                                          const char *global, size_t n)
{
  uint32_t h;
  if(!pol->tab_cap)
    return NULL;
  h = brinei_hash32(global, n) & (uint32_t)(pol->tab_cap - 1);
  for(;;) {
    uint32_t i = pol->tab[h];
    const struct al_entry *e;
    if(i == UINT32_MAX)
      return NULL;
    e = &pol->entries[i];
    if(strlen(e->global) == n && !memcmp(e->global, global, n))
      return e;
    h = (h + 1) & (uint32_t)(pol->tab_cap - 1);
  }
}

const struct al_entry *brinei_policy_next(const struct brine_policy *pol,
                                          const struct al_entry *e)
{
  return entry_at(pol, e->next);
}

static brine_result tab_insert(struct brine_policy *pol, uint32_t idx)
{
  const char *g = pol->entries[idx].global;
  size_t n = strlen(g);
  uint32_t h;
  if((pol->nentries + 1) * 2 > pol->tab_cap) {
    size_t cap = pol->tab_cap ? pol->tab_cap * 2 : 1024;
    uint32_t *t = brinei_malloc(pol->ctx, cap * sizeof(uint32_t));
    uint32_t *old = pol->tab;
    size_t oldcap = pol->tab_cap;
    if(!t)
      return BRINE_E_NOMEM;
    for(size_t i = 0; i < cap; i++)
      t[i] = UINT32_MAX;
    pol->tab = t;
    pol->tab_cap = cap;
    for(size_t i = 0; i < oldcap; i++) {
      uint32_t j = old[i];
      if(j != UINT32_MAX) {
        const char *og = pol->entries[j].global;
        uint32_t k = brinei_hash32(og, strlen(og)) & (uint32_t)(cap - 1);
        while(t[k] != UINT32_MAX)
          k = (k + 1) & (uint32_t)(cap - 1);
        t[k] = j;
      }
    }
    brinei_free(pol->ctx, old);
  }
  h = brinei_hash32(g, n) & (uint32_t)(pol->tab_cap - 1);
  for(;;) {
    uint32_t i = pol->tab[h];
    if(i == UINT32_MAX) {
      pol->tab[h] = idx;
      return BRINE_OK;
    }
    if(!strcmp(pol->entries[i].global, g)) {
      /* chain: same global, another entry (e.g. a user's --allow) */
      uint32_t *p = &pol->entries[i].next;
      while(*p != UINT32_MAX)
        p = &pol->entries[*p].next;
      *p = idx;
      return BRINE_OK;
    }
    h = (h + 1) & (uint32_t)(pol->tab_cap - 1);
  }
}

/* ---- validation helpers --------------------------------------------- */

static bool is_dunder(const char *s, size_t n)
{
  return n > 4 && s[0] == '_' && s[1] == '_' && s[n - 1] == '_' &&
         s[n - 2] == '_';
}

/* A global name: dotted identifiers, at least module.name, no dunder
   component, no wildcard. */
static const char *bad_global_name(const char *g)
{
  size_t n = strlen(g), start = 0, parts = 0;
  if(!n)
    return "empty name";
  for(size_t i = 0; i <= n; i++) {
    if(i == n || g[i] == '.') {
      if(i == start)
        return "empty dotted component";
      if(is_dunder(g + start, i - start))
        return "dunder component";
      parts++;
      start = i + 1;
    }
    else if(!(g[i] == '_' || (g[i] >= 'a' && g[i] <= 'z') ||
              (g[i] >= 'A' && g[i] <= 'Z') ||
              (g[i] >= '0' && g[i] <= '9') || (unsigned char)g[i] >= 0x80))
      return g[i] == '*' ? "wildcard" : "character not allowed in a name";
  }
  if(parts < 2)
    return "a module alone (name a module.qualname)";
  return NULL;
}

static brine_use parse_use(const char *s)
{
  if(!strcmp(s, "reference"))
    return BRINE_USE_REFERENCE;
  if(!strcmp(s, "construct"))
    return BRINE_USE_CONSTRUCT;
  if(!strcmp(s, "call"))
    return BRINE_USE_CALL;
  return BRINE_USE_NONE;
}

static uint32_t parse_type(const char *s)
{
  static const char *const names[] = {
    "none", "bool", "int", "float", "str", "bytes", "bytearray", "tuple",
    "list", "dict", "set", "frozenset", "persid", "object",
  };
  for(size_t i = 0; i < BRINE_ARRAY_LEN(names); i++)
    if(!strcmp(s, names[i]))
      return 1u << i;
  return 0;
}

struct loader {
  struct brine_policy *pol;
  const char *origin;
  const char *def_profile;
  const char *def_source;
};

#define BAD(ld, ...)                                                    \
  BRINE_FAIL((ld)->pol->ctx, BRINE_E_MALFORMED, BRINE_NOOFF, __VA_ARGS__)

static const char *dup_str(struct loader *ld, const char *s)
{
  return s ? brinei_arena_strndup(&ld->pol->arena, s, strlen(s)) : NULL;
}

/* A JSON array of strings into an arena array. */
static brine_result str_list(struct loader *ld, json_t *a, const char *what,
                             const char ***out, size_t *n)
{
  const char **v;
  size_t i;
  json_t *x;
  if(!json_is_array(a) || !json_array_size(a))
    return BAD(ld, "%s: %s must be a non-empty array of strings", ld->origin,
               what);
  v = brinei_arena_alloc(&ld->pol->arena,
                         json_array_size(a) * sizeof(*v));
  if(!v)
    return BRINE_E_NOMEM;
  json_array_foreach(a, i, x) {
    if(!json_is_string(x))
      return BAD(ld, "%s: %s must hold strings", ld->origin, what);
    v[i] = dup_str(ld, json_string_value(x));
    if(!v[i])
      return BRINE_E_NOMEM;
  }
  *out = v;
  *n = json_array_size(a);
  return BRINE_OK;
}

static brine_result parse_argcon(struct loader *ld, const char *g,
                                 const char *key, json_t *o,
                                 struct al_argcon *c)
{
  const char *k;
  json_t *v;
  char *end;
  unsigned long idx = strtoul(key, &end, 10);
  brine_result rc;
  if(*end || end == key || idx > 255)
    return BAD(ld, "%s: %s: unknown args key '%s'", ld->origin, g, key);
  if(!json_is_object(o))
    return BAD(ld, "%s: %s: args.%s must be an object", ld->origin, g, key);
  memset(c, 0, sizeof(*c));
  c->index = (uint32_t)idx;
  json_object_foreach(o, k, v) {
    if(!strcmp(k, "type")) {
      size_t i;
      json_t *t;
      if(!json_is_array(v) || !json_array_size(v))
        return BAD(ld, "%s: %s: args.%s.type must be a non-empty array",
                   ld->origin, g, key);
      json_array_foreach(v, i, t) {
        uint32_t bit = json_is_string(t) ? parse_type(json_string_value(t))
                                         : 0;
        if(!bit)
          return BAD(ld, "%s: %s: args.%s.type: unknown type", ld->origin,
                     g, key);
        c->types |= bit;
      }
    }
    else if(!strcmp(k, "value")) {
      rc = str_list(ld, v, "value", &c->values, &c->nvalues);
      if(rc)
        return rc;
    }
    else if(!strcmp(k, "global")) {
      rc = str_list(ld, v, "global", &c->globals, &c->nglobals);
      if(rc)
        return rc;
    }
    else if(!strcmp(k, "allowed")) {
      c->allowed = json_is_string(v) ? parse_use(json_string_value(v))
                                     : BRINE_USE_NONE;
      if(!c->allowed)
        return BAD(ld, "%s: %s: args.%s.allowed must be reference, "
                   "construct or call", ld->origin, g, key);
    }
    else if(!strcmp(k, "pickle")) {
      const char *s = json_is_string(v) ? json_string_value(v) : "";
      c->nested = !strcmp(s, "pickle") ? NEST_PICKLE
                : !strcmp(s, "torch-legacy") ? NEST_TORCH_LEGACY : NEST_NONE;
      if(!c->nested)
        return BAD(ld, "%s: %s: args.%s.pickle must be \"pickle\" or "
                   "\"torch-legacy\"", ld->origin, g, key);
    }
    else
      return BAD(ld, "%s: %s: args.%s: unknown key '%s'", ld->origin, g,
                 key, k);
  }
  return BRINE_OK;
}

static brine_result parse_args(struct loader *ld, const char *g, json_t *o,
                               struct al_entry *e)
{
  const char *k;
  json_t *v;
  size_t ncons = 0, i = 0;
  struct al_argcon *cons;
  if(!json_is_object(o))
    return BAD(ld, "%s: %s: args must be an object", ld->origin, g);
  e->has_args = 1;
  e->min_args = 0;
  e->max_args = UINT32_MAX;
  json_object_foreach(o, k, v)
    if(strcmp(k, "count"))
      ncons++;
  cons = ncons ? brinei_arena_alloc(&ld->pol->arena, ncons * sizeof(*cons))
               : NULL;
  if(ncons && !cons)
    return BRINE_E_NOMEM;
  json_object_foreach(o, k, v) {
    if(!strcmp(k, "count")) {
      if(json_is_integer(v) && json_integer_value(v) >= 0 &&
         json_integer_value(v) < 256)
        e->min_args = e->max_args = (uint32_t)json_integer_value(v);
      else if(json_is_array(v) && json_array_size(v) == 2 &&
              json_is_integer(json_array_get(v, 0)) &&
              json_is_integer(json_array_get(v, 1)) &&
              json_integer_value(json_array_get(v, 0)) >= 0 &&
              json_integer_value(json_array_get(v, 0)) <=
                  json_integer_value(json_array_get(v, 1)) &&
              json_integer_value(json_array_get(v, 1)) < 256) {
        e->min_args = (uint32_t)json_integer_value(json_array_get(v, 0));
        e->max_args = (uint32_t)json_integer_value(json_array_get(v, 1));
      }
      else
        return BAD(ld, "%s: %s: args.count must be N or [MIN, MAX]",
                   ld->origin, g);
      continue;
    }
    {
      brine_result rc = parse_argcon(ld, g, k, v, &cons[i++]);
      if(rc)
        return rc;
    }
  }
  e->cons = cons;
  e->ncons = ncons;
  return BRINE_OK;
}

static brine_result parse_entry(struct loader *ld, json_t *o)
{
  struct brine_policy *pol = ld->pol;
  struct al_entry e;
  const char *k, *why;
  json_t *v;
  brine_result rc;
  if(!json_is_object(o))
    return BAD(ld, "%s: every entry must be an object", ld->origin);
  memset(&e, 0, sizeof(e));
  e.next = UINT32_MAX;
  e.profile = ld->def_profile;
  e.source = ld->def_source;
  {
    json_t *gv = json_object_get(o, "global");
    if(!json_is_string(gv))
      return BAD(ld, "%s: an entry has no \"global\" string", ld->origin);
    e.global = dup_str(ld, json_string_value(gv));
    if(!e.global)
      return BRINE_E_NOMEM;
  }
  why = bad_global_name(e.global);
  if(why)
    return BAD(ld, "%s: \"%s\": %s", ld->origin, e.global, why);
  if((why = brinei_policy_deny_reason(pol, e.global)))
    return BAD(ld, "%s: \"%s\" %s; no allowlist can allow it",
               ld->origin, e.global, strcmp(why, "deny list")
               ? "reaches a dunder attribute" : "is on the deny list");
  json_object_foreach(o, k, v) {
    if(!strcmp(k, "global"))
      continue;
    if(!strcmp(k, "use")) {
      e.use = json_is_string(v) ? parse_use(json_string_value(v))
                                : BRINE_USE_NONE;
      if(!e.use)
        return BAD(ld, "%s: %s: use must be reference, construct or call",
                   ld->origin, e.global);
    }
    else if(!strcmp(k, "args")) {
      rc = parse_args(ld, e.global, v, &e);
      if(rc)
        return rc;
    }
    else if(!strcmp(k, "profile") || !strcmp(k, "reason") ||
            !strcmp(k, "source")) {
      const char *s;
      if(!json_is_string(v))
        return BAD(ld, "%s: %s: %s must be a string", ld->origin, e.global,
                   k);
      s = dup_str(ld, json_string_value(v));
      if(!s)
        return BRINE_E_NOMEM;
      if(k[0] == 'p')
        e.profile = s;
      else if(k[0] == 'r')
        e.reason = s;
      else
        e.source = s;
    }
    else
      return BAD(ld, "%s: %s: unknown key '%s'", ld->origin, e.global, k);
  }
  if(!e.use)
    return BAD(ld, "%s: %s: no \"use\"", ld->origin, e.global);
  if(e.use == BRINE_USE_CALL && (!e.reason || !*e.reason))
    return BAD(ld, "%s: %s: a call entry needs a reason", ld->origin,
               e.global);
  return brinei_policy_add_entry(pol, &e);
}

brine_result brinei_policy_add_entry(struct brine_policy *pol,
                                     const struct al_entry *e)
{
  brine_result rc;
  void *p = pol->entries;
  if(brinei_grow(pol->ctx, &p, &pol->entries_cap, pol->nentries + 1,
                 sizeof(*e), UINT32_MAX - 1))
    return BRINE_E_NOMEM;
  pol->entries = p;
  pol->entries[pol->nentries] = *e;
  pol->entries[pol->nentries].next = UINT32_MAX;
  rc = tab_insert(pol, (uint32_t)pol->nentries);
  if(rc)
    return rc;
  pol->nentries++;
  return BRINE_OK;
}

static brine_result load_doc(struct brine_policy *pol, json_t *doc,
                             const char *origin)
{
  struct loader ld = { pol, origin, NULL, NULL };
  json_t *entries = doc, *v;
  const char *k;
  size_t i;
  brine_result rc;
  if(json_is_object(doc)) {
    entries = NULL;
    json_object_foreach(doc, k, v) {
      if(!strcmp(k, "entries"))
        entries = v;
      else if(!strcmp(k, "profile") || !strcmp(k, "source")) {
        if(!json_is_string(v))
          return BAD(&ld, "%s: %s must be a string", origin, k);
        if(k[0] == 'p')
          ld.def_profile = dup_str(&ld, json_string_value(v));
        else
          ld.def_source = dup_str(&ld, json_string_value(v));
      }
      else if(k[0] != '_' && strcmp(k, "description"))
        return BAD(&ld, "%s: unknown top-level key '%s'", origin, k);
    }
  }
  if(!json_is_array(entries))
    return BAD(&ld, "%s: expected an array of entries", origin);
  json_array_foreach(entries, i, v) {
    rc = parse_entry(&ld, v);
    if(rc)
      return rc;
  }
  return BRINE_OK;
}

static brine_result load_json(struct brine_policy *pol, const char *data,
                              size_t len, const char *origin)
{
  json_error_t jerr;
  json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  brine_result rc;
  if(!doc)
    return BRINE_FAIL(pol->ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s:%d:%d: %s", origin, jerr.line, jerr.column,
                      jerr.text);
  rc = load_doc(pol, doc, origin);
  json_decref(doc);
  return rc;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

brine_result brinei_policy_empty(struct brine_ctx *ctx,
                                 struct brine_policy **out)
{
  struct brine_policy *pol = brinei_calloc(ctx, 1, sizeof(*pol));
  *out = pol;
  if(!pol)
    return BRINE_E_NOMEM;
  pol->ctx = ctx;
  brinei_arena_init(&pol->arena, ctx);
  return BRINE_OK;
}

brine_result brinei_policy_add_denylist(struct brine_policy *pol,
                                        const char *data, size_t len,
                                        const char *origin)
{
  struct loader ld = { pol, origin, NULL, NULL };
  json_error_t jerr;
  json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr), *x;
  brine_result rc;
  size_t i, n;
  if(!doc)
    return BRINE_FAIL(pol->ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s:%d:%d: %s", origin, jerr.line, jerr.column,
                      jerr.text);
  rc = str_list(&ld, json_object_get(doc, "modules"), "modules",
                &pol->deny_mods, &pol->ndeny_mods);
  if(!rc)
    rc = str_list(&ld, json_object_get(doc, "names"), "names",
                  &pol->deny_names, &pol->ndeny_names);
  n = json_array_size(json_object_get(doc, "exceptions"));
  if(!rc && n) {
    /* each exception names a global and says why it is allowed */
    pol->deny_except = brinei_arena_alloc(&pol->arena, n * sizeof(char *));
    if(!pol->deny_except)
      rc = BRINE_E_NOMEM;
    json_array_foreach(json_object_get(doc, "exceptions"), i, x) {
      json_t *g = json_object_get(x, "global");
      if(rc)
        break;
      if(!json_is_string(g) ||
         !json_is_string(json_object_get(x, "reason")))
        rc = BAD(&ld, "%s: an exception needs a global and a reason",
                 origin);
      else if(!(pol->deny_except[i] = dup_str(&ld, json_string_value(g))))
        rc = BRINE_E_NOMEM;
    }
    pol->ndeny_except = rc ? 0 : n;
  }
  json_decref(doc);
  if(rc)
    return rc;
  qsort(pol->deny_mods, pol->ndeny_mods, sizeof(char *), cmp_str);
  qsort(pol->deny_names, pol->ndeny_names, sizeof(char *), cmp_str);
  if(pol->ndeny_except)
    qsort(pol->deny_except, pol->ndeny_except, sizeof(char *), cmp_str);
  return BRINE_OK;
}

brine_result brine_policy_new(struct brine_ctx *ctx,
                              struct brine_policy **out)
{
  struct brine_policy *pol;
  brine_result rc = brinei_policy_empty(ctx, &pol);
  *out = NULL;
  if(rc)
    return rc;
  rc = brinei_policy_load_image(pol, brinei_allowlists_image,
                                (size_t)(brinei_allowlists_image_end -
                                         brinei_allowlists_image));
  if(!rc && !pol->ndeny_mods)
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "embedded allowlists: no deny list");
  if(rc) {
    brine_policy_free(pol);
    return rc;
  }
  *out = pol;
  return BRINE_OK;
}

void brine_policy_free(struct brine_policy *pol)
{
  if(!pol)
    return;
  brinei_free(pol->ctx, pol->entries);
  brinei_free(pol->ctx, pol->tab);
  brinei_arena_free(&pol->arena);
  brinei_free(pol->ctx, pol);
}

brine_result brine_policy_add_json(struct brine_policy *pol,
                                   const char *json, size_t len,
                                   const char *origin)
{
  return load_json(pol, json, len, origin);
}

brine_result brine_policy_add_file(struct brine_policy *pol,
                                   const char *path)
{
  struct brinei_map m;
  brine_result rc = brinei_map_file(pol->ctx, path, &m);
  if(rc)
    return rc;
  rc = load_json(pol, (const char *)m.data, m.len, path);
  brinei_map_close(&m);
  return rc;
}

brine_use brine_policy_allowed(const struct brine_policy *pol,
                               const char *global)
{
  brine_use best = BRINE_USE_NONE;
  for(const struct al_entry *e = brinei_policy_find(pol, global,
                                                    strlen(global));
      e; e = brinei_policy_next(pol, e))
    if(e->use > best)
      best = e->use;
  return best;
}

static bool in_sorted(const char *const *v, size_t n, const char *s,
                      size_t len)
{
  size_t lo = 0, hi = n;
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    size_t ml = strlen(v[mid]);
    int c = memcmp(s, v[mid], len < ml ? len : ml);
    if(!c)
      c = len < ml ? -1 : len > ml;
    if(!c)
      return true;
    if(c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return false;
}

const char *brinei_policy_deny_reason(const struct brine_policy *pol,
                                      const char *g)
{
  size_t n = strlen(g);
  size_t starts[64], ends[64], k = 0, s = 0;
  /* split into dotted components */
  for(size_t i = 0; i <= n && k < 64; i++) {
    if(i == n || g[i] == '.') {
      starts[k] = s;
      ends[k++] = i;
      s = i + 1;
    }
  }
  for(size_t i = 0; i < k; i++)
    if(is_dunder(g + starts[i], ends[i] - starts[i]))
      return "dunder attribute";
  if(pol->ndeny_except && in_sorted(pol->deny_except, pol->ndeny_except, g,
                                    n))
    return NULL;  /* a reasoned exception (allowlists/denylist.json) */
  /* every run of components: pathlib.os.system contains os, os.system */
  for(size_t i = 0; i < k; i++) {
    for(size_t j = i; j < k; j++) {
      const char *run = g + starts[i];
      size_t len = ends[j] - starts[i];
      if(in_sorted(pol->deny_mods, pol->ndeny_mods, run, len) ||
         in_sorted(pol->deny_names, pol->ndeny_names, run, len))
        return "deny list";
    }
  }
  return NULL;
}

int brine_policy_denied(const struct brine_policy *pol, const char *global)
{
  return brinei_policy_deny_reason(pol, global) != NULL;
}
