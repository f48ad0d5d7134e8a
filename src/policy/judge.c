/* The judge: a pickle-machine sink that decides, fact by fact, as
 * docs/contract.md §3 says.
 *
 * - call (REDUCE, INST/OBJ with args): the global must be allowed for call
 *   and its argument constraints must hold; anything else is PKL001, a
 *   non-global callable PKL003;
 * - construct (NEWOBJ, NEWOBJ_EX, copyreg.__newobj__/_reconstructor, INST/
 *   OBJ without args on a known class): allowed for construct, else PKL011
 *   (unknown), PKL002 when deny-listed;
 * - BUILD and container opcodes: only on literals or on results of allowed
 *   calls/constructions (PKL005, PKL006);
 * - a global never invoked: allowed for reference, else PKL010, PKL002 when
 *   deny-listed (judged at the end of the input).
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>

#define ARG_SHOW 60  /* bytes of a string argument shown in messages */
#define NOMSG "(the description of this finding ran out of memory)"

static const char *const builtin_bases[] = {
  /* copyreg._reconstructor(cls, base, state): base.__new__(cls, state)
     with these bases runs no code from outside the interpreter */
  "builtins.bool", "builtins.bytearray", "builtins.bytes", "builtins.complex",
  "builtins.dict", "builtins.float", "builtins.frozenset", "builtins.int",
  "builtins.list", "builtins.object", "builtins.set", "builtins.str",
  "builtins.tuple",
};

static const char *gname(struct pk_vm *vm, const struct pv *v)
{
  return v && v->kind == PV_GLOBAL ? vm->globals[v->ref].name : NULL;
}

/* The global a BUILD or container target stands for, if any. */
static const char *target_name(struct pk_vm *vm, const struct pv *t)
{
  if(t->kind == PV_GLOBAL)
    return gname(vm, t);
  if(t->kind == PV_OBJ && t->ref != PV_NOREF)
    return vm->globals[t->ref].name;
  return NULL;
}

static struct judge_global *jg(struct judge *j, uint32_t gid)
{
  if(gid >= j->ng) {
    size_t cap = j->ng_cap;
    void *p = j->g;
    if(brinei_grow(j->ctx, &p, &cap, (size_t)gid + 1, sizeof(*j->g),
                   SIZE_MAX / sizeof(*j->g))) {
      j->oom = true;
      return NULL;
    }
    memset((struct judge_global *)p + j->ng_cap, 0,
           (cap - j->ng_cap) * sizeof(*j->g));
    j->g = p;
    j->ng_cap = cap;
    j->ng = (size_t)gid + 1;
  }
  return &j->g[gid];
}

static void mark_invoked(struct judge *j, const struct pv *v)
{
  if(v && v->kind == PV_GLOBAL) {
    struct judge_global *g = jg(j, v->ref);
    if(g)
      g->invoked = true;
  }
}

/* "posix.system('touch /tmp/x')" */
static void render_call(struct pk_vm *vm, struct brinei_sbuf *b,
                        const struct pv *callee, const struct pk_use *u)
{
  brinei_pv_repr(vm, b, callee, ARG_SHOW, 1);
  brinei_sbuf_puts(b, "(");
  if(!u->args_known)
    brinei_sbuf_puts(b, "*<computed>");
  for(uint64_t i = 0; u->args_known && i < u->nkept && i < 6; i++) {
    if(i)
      brinei_sbuf_puts(b, ", ");
    brinei_pv_repr(vm, b, &u->args[i], ARG_SHOW, 1);
  }
  if(u->args_known && u->nargs > 6)
    brinei_sbuf_printf(b, ", ...%llu arguments",
                       (unsigned long long)u->nargs);
  brinei_sbuf_puts(b, ")");
}

/* In a TorchScript archive, `__torch__.a.B` names a class compiled from
   the archive's own code/ (torch/csrc/jit/serialization/unpickler.cpp
   resolves it through the compilation unit, never through Python's
   import): creating one is the archive's normal business. */
static bool torchscript_class(const struct judge *j, const char *name)
{
  const char *p;
  if(j->context != PCTX_TORCHSCRIPT || strncmp(name, "__torch__.", 10))
    return false;
  for(p = name + 10; *p; p++)
    if(p[0] == '_' && p[1] == '_' && (p == name + 10 || p[-1] == '.'))
      return false;  /* a further dunder component */
  return name[10] != '\0';
}

/* The helpers TorchScript's own pickles call (torch/jit/_pickle.py: each
   returns its argument, or a tensor the archive holds). */
static bool torchscript_helper(const struct judge *j, const char *name)
{
  static const char *const h[] = {
    "build_intlist", "build_tensorlist", "build_doublelist",
    "build_boollist", "build_tensor_from_id", "restore_type_tag",
  };
  if(j->context != PCTX_TORCHSCRIPT || strncmp(name, "torch.jit._pickle.", 18))
    return false;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(h); i++)
    if(!strcmp(name + 18, h[i]))
      return true;
  return false;
}

static const char *deny_reason(const struct judge *j, const char *name)
{
  /* exact names: the deny list's torch.jit entry stays in force for
     everything else under it */
  if(torchscript_class(j, name) || torchscript_helper(j, name))
    return NULL;
  return brinei_policy_deny_reason(j->pol, name);
}

static const char *deny_note(struct judge *j, const char *name)
{
  const char *why = deny_reason(j, name);
  if(!why)
    return "";
  return !strcmp(why, "dunder attribute")
           ? " (reaches a dunder attribute)"
           : " (a known-dangerous name on the deny list)";
}

/* The widest use any entry grants, ignoring argument constraints; none
   for a deny-listed name, whatever the allowlists say (contract.md §2). */
static brine_use allowed_use(struct judge *j, const char *name)
{
  if(!name || deny_reason(j, name))
    return BRINE_USE_NONE;
  if(torchscript_class(j, name))
    return BRINE_USE_CONSTRUCT;
  if(torchscript_helper(j, name))
    return BRINE_USE_CALL;
  return brine_policy_allowed(j->pol, name);
}

static bool global_in(struct pk_vm *vm, const struct pv *v,
                      const char *const *names, size_t n)
{
  const char *g = gname(vm, v);
  if(!g)
    return false;
  for(size_t i = 0; i < n; i++)
    if(!strcmp(g, names[i]))
      return true;
  return false;
}

static uint32_t type_bit(const struct pv *v)
{
  switch((enum pv_kind)v->kind) {
  case PV_NONE: return AT_NONE;
  case PV_BOOL: return AT_BOOL;
  case PV_INT: case PV_BIGINT: return AT_INT;
  case PV_FLOAT: return AT_FLOAT;
  case PV_STR: return AT_STR;
  case PV_BYTES: return AT_BYTES;
  case PV_BYTEARRAY: return AT_BYTEARRAY;
  case PV_TUPLE: return AT_TUPLE;
  case PV_LIST: return AT_LIST;
  case PV_DICT: return AT_DICT;
  case PV_SET: return AT_SET;
  case PV_FROZENSET: return AT_FROZENSET;
  case PV_PERSID: return AT_PERSID;
  case PV_OBJ: return (v->flags & PVF_ALLOWED) ? AT_OBJECT : 0;
  default: return 0;
  }
}

/* Check one entry's constraints; on failure write why into `why`. */
static bool args_ok(struct judge *j, struct pk_vm *vm,
                    const struct al_entry *e, const struct pk_use *u,
                    char *why, size_t whylen)
{
  if(!e->has_args)
    return true;
  if(!u->args_known) {
    snprintf(why, whylen, "its arguments are computed, not literal");
    return false;
  }
  if(u->nargs < e->min_args || u->nargs > e->max_args) {
    snprintf(why, whylen, "%llu arguments where %u..%u are allowed",
             (unsigned long long)u->nargs, e->min_args, e->max_args);
    return false;
  }
  for(size_t c = 0; c < e->ncons; c++) {
    const struct al_argcon *k = &e->cons[c];
    const struct pv *a;
    if(k->index >= u->nargs)
      continue;  /* optional argument not given */
    if(k->index >= u->nkept) {
      snprintf(why, whylen, "argument %u is beyond the %llu kept (limit "
               "tuple_keep)", k->index, (unsigned long long)u->nkept);
      j->args_unchecked = true;
      return false;
    }
    a = &u->args[k->index];
    if(k->types && !(type_bit(a) & k->types)) {
      snprintf(why, whylen, "argument %u has a type the entry does not "
               "allow", k->index);
      return false;
    }
    if(k->values) {
      size_t n;
      const uint8_t *s = a->kind == PV_STR ? brinei_pv_bytes(a, &n) : NULL;
      bool hit = false;
      for(size_t i = 0; s && !hit && i < k->nvalues; i++)
        hit = strlen(k->values[i]) == n && !memcmp(s, k->values[i], n);
      if(!hit) {
        snprintf(why, whylen, "argument %u is not one of the allowed "
                 "values", k->index);
        return false;
      }
    }
    if(k->globals && !global_in(vm, a, k->globals, k->nglobals)) {
      snprintf(why, whylen, "argument %u is not one of the allowed globals",
               k->index);
      return false;
    }
    if(k->allowed && allowed_use(j, gname(vm, a)) < k->allowed) {
      snprintf(why, whylen, "argument %u is not a global allowed for %s",
               k->index, brine_use_name(k->allowed));
      return false;
    }
    if(k->nested) {
      brine_verdict v = BRINE_VERDICT_UNSAFE;
      size_t n;
      const uint8_t *s = brinei_pv_bytes(a, &n);
      if(s && j->nested_fn)
        v = j->nested_fn(j, s, n, u->off,
                         k->nested == NEST_TORCH_LEGACY ? PCTX_TORCH_LEGACY
                                                        : PCTX_PLAIN);
      if(v == BRINE_VERDICT_ERROR) {
        /* the nested pickle could not be judged (malformed, a limit) */
        snprintf(why, whylen, "argument %u is a pickle whose scan is "
                 "inconclusive", k->index);
        j->args_unchecked = true;
        return false;
      }
      if(v != BRINE_VERDICT_SAFE) {
        snprintf(why, whylen, "argument %u is a pickle that is %s",
                 k->index, s ? brine_verdict_name(v) : "not literal bytes");
        if(v == BRINE_VERDICT_UNSAFE) {
          char msg[256];
          snprintf(msg, sizeof(msg), "the bytes passed at byte %llu hold a "
                   "pickle that is unsafe (findings under member %s#%llu)",
                   (unsigned long long)u->off, j->member,
                   (unsigned long long)u->off);
          brinei_finding_add(j->out, R_NESTED_UNSAFE, u->off, j->member,
                             NULL, BRINE_USE_NONE, "%s", msg);
        }
        return false;
      }
    }
  }
  return true;
}

static void finding(struct judge *j, enum brinei_rule r, uint64_t off,
                    const char *global, brine_use use, const char *msg)
{
  if(j->oom)
    j->out->lost = true;
  brinei_finding_add(j->out, r, off, j->member, global, use, "%s", msg);
}

/* A call of `callee` with u's arguments; returns PVF_ALLOWED or 0. */
static uint8_t judge_call(struct judge *j, struct pk_vm *vm,
                          const struct pv *callee, const struct pk_use *u)
{
  struct brinei_sbuf b;
  const char *name = gname(vm, callee);
  char why[160] = "";
  uint8_t res = 0;
  const struct al_entry *e;
  brine_use best;

  mark_invoked(j, callee);
  if(!name) {
    brinei_sbuf_init(&b, j->ctx, 4096);
    brinei_sbuf_puts(&b, "calls ");
    render_call(vm, &b, callee, u);
    brinei_sbuf_printf(&b, " at byte %llu: the callable is computed at "
                       "load time", (unsigned long long)u->off);
    finding(j, R_COMPUTED, u->off, NULL, BRINE_USE_CALL, b.failed ? NOMSG : b.p);
    brinei_sbuf_free(&b);
    return 0;
  }
  if(torchscript_helper(j, name))
    return PVF_ALLOWED;
  best = BRINE_USE_NONE;
  /* the deny list wins over every allowlist (contract.md §2) */
  for(e = deny_reason(j, name) ? NULL
          : brinei_policy_find(j->pol, name, strlen(name)); e;
      e = brinei_policy_next(j->pol, e)) {
    if(e->use > best)
      best = e->use;
    if(e->use == BRINE_USE_CALL && args_ok(j, vm, e, u, why, sizeof(why)))
      return PVF_ALLOWED;
  }
  if(j->args_unchecked) {
    /* the entry could not be checked: inconclusive, not a verdict */
    j->args_unchecked = false;
    brinei_finding_add(j->out, R_LIMIT, u->off, j->member, name,
                       BRINE_USE_CALL, "the arguments of %s at byte %llu "
                       "could not be checked: %s", name,
                       (unsigned long long)u->off, why);
    /* the file is `error` now; treating the result as allowed keeps one
       limit from cascading into findings about everything built on it */
    return PVF_ALLOWED;
  }
  brinei_sbuf_init(&b, j->ctx, 4096);
  brinei_sbuf_puts(&b, "calls ");
  render_call(vm, &b, callee, u);
  brinei_sbuf_printf(&b, " at byte %llu", (unsigned long long)u->off);
  if(why[0])
    brinei_sbuf_printf(&b, ": the allowlist entry for %s does not accept "
                       "these arguments (%s)", name, why);
  else if(best)
    brinei_sbuf_printf(&b, ": %s is allowed for %s only, not for call",
                       name, brine_use_name(best));
  else
    brinei_sbuf_printf(&b, ": %s is not on the allowlists%s", name,
                       deny_note(j, name));
  finding(j, R_CALL, u->off, name, BRINE_USE_CALL, b.failed ? NOMSG : b.p);
  brinei_sbuf_free(&b);
  return res;
}

/* Creation of an instance of `cls` without calling __init__. */
static uint8_t judge_construct(struct judge *j, struct pk_vm *vm,
                               const struct pv *cls, uint64_t off,
                               const char *how)
{
  const char *name = gname(vm, cls);
  char msg[512];
  mark_invoked(j, cls);
  if(!name) {
    snprintf(msg, sizeof(msg), "%s at byte %llu creates an instance of a "
             "class computed at load time", how, (unsigned long long)off);
    finding(j, R_COMPUTED, off, NULL, BRINE_USE_CONSTRUCT, msg);
    return 0;
  }
  if(allowed_use(j, name) >= BRINE_USE_CONSTRUCT)
    return PVF_ALLOWED;
  if(deny_reason(j, name)) {
    snprintf(msg, sizeof(msg), "%s at byte %llu creates an instance of %s%s",
             how, (unsigned long long)off, name, deny_note(j, name));
    finding(j, R_DENIED, off, name, BRINE_USE_CONSTRUCT, msg);
    return 0;
  }
  snprintf(msg, sizeof(msg), "%s at byte %llu creates an instance of %s, "
           "a class outside the allowlists", how, (unsigned long long)off,
           name);
  finding(j, R_UNKNOWN_CLASS, off, name, BRINE_USE_CONSTRUCT, msg);
  return 0;
}

static bool is_global(struct pk_vm *vm, const struct pv *v, const char *n)
{
  const char *g = gname(vm, v);
  return g && !strcmp(g, n);
}

static uint8_t on_call(struct judge *j, struct pk_vm *vm,
                       const struct pk_use *u)
{
  const struct pv *f = u->callee;
  /* the construct protocols of copyreg (contract.md §3) */
  if(is_global(vm, f, "copyreg.__newobj__") ||
     is_global(vm, f, "copyreg.__newobj_ex__")) {
    mark_invoked(j, f);
    if(!u->args_known || u->nkept < 1) {
      struct pv none;
      memset(&none, 0, sizeof(none));
      none.kind = PV_COMPUTED;
      return judge_construct(j, vm, &none, u->off, gname(vm, f));
    }
    return judge_construct(j, vm, &u->args[0], u->off, gname(vm, f));
  }
  if(is_global(vm, f, "copyreg._reconstructor") && u->args_known &&
     u->nkept >= 2 && u->nargs == 3) {
    uint8_t r;
    mark_invoked(j, f);
    r = judge_construct(j, vm, &u->args[0], u->off,
                        "copyreg._reconstructor");
    if(!global_in(vm, &u->args[1], builtin_bases,
                  BRINE_ARRAY_LEN(builtin_bases))) {
      /* base.__new__(cls, state) and base.__init__(obj, state) run the
         base's code: judged as a call of base */
      struct pk_use bu = *u;
      bu.args = u->nkept >= 3 ? &u->args[2] : NULL;
      bu.nargs = 1;
      bu.nkept = u->nkept >= 3 ? 1 : 0;
      if(!(judge_call(j, vm, &u->args[1], &bu) & PVF_ALLOWED))
        r = 0;
    }
    return r;
  }
  return judge_call(j, vm, f, u);
}

/* ---- PyTorch storages ---------------------------------------------- */

static void record_storage(struct judge *j, struct pk_vm *vm,
                           const struct pnode *n, uint64_t id)
{
  struct brinei_pickle_facts *pf = j->facts;
  struct brinei_torch_storage *st;
  const uint8_t *key;
  size_t kl;
  void *p = pf->st;
  if(brinei_grow(j->ctx, &p, &pf->cap, pf->nst + 1, sizeof(*st),
                 (size_t)j->ctx->lim.streams)) {
    pf->st_lost = true;
    return;
  }
  pf->st = p;
  st = &pf->st[pf->nst];
  key = brinei_pv_bytes(&n->items[2], &kl);
  st->key = brinei_arena_strndup(j->arena, (const char *)key, kl);
  st->type = gname(vm, &n->items[1]);
  if(st->type)  /* the machine's names go with it; facts outlive it */
    st->type = brinei_arena_strndup(j->arena, st->type, strlen(st->type));
  st->numel = (uint64_t)n->items[4].u.i;
  st->id = id;
  st->need = 0;
  st->need_off = BRINE_NOOFF;
  if(!st->key) {
    pf->st_lost = true;
    return;
  }
  pf->nst++;
}

/* _rebuild_tensor*(storage, storage_offset, size, stride, ...): the
   elements of the storage the tensor reaches, offset + sum((size_i - 1) *
   stride_i) + 1, or 0 for an empty tensor (torch/_utils.py). */
static void record_extent(struct judge *j, struct pk_vm *vm,
                          const struct pk_use *u)
{
  const char *name = gname(vm, u->callee);
  struct brinei_pickle_facts *pf = j->facts;
  const struct pnode *sz, *sd;
  uint64_t need;
  if(!name || strncmp(name, "torch._utils._rebuild_", 22) ||
     (strcmp(name + 22, "tensor") && strcmp(name + 22, "tensor_v2") &&
      strcmp(name + 22, "tensor_v3")) ||
     !u->args_known || u->nkept < 4 || u->args[0].kind != PV_PERSID ||
     u->args[1].kind != PV_INT || u->args[2].kind != PV_TUPLE ||
     u->args[3].kind != PV_TUPLE || u->args[1].u.i < 0)
    return;
  sz = u->args[2].u.node;
  sd = u->args[3].u.node;
  if(sz->kept != sz->n || sd->kept != sd->n || sz->n != sd->n)
    return;
  need = (uint64_t)u->args[1].u.i;
  for(uint32_t i = 0; i < sz->kept; i++) {
    int64_t a = sz->items[i].u.i, b = sd->items[i].u.i;
    if(sz->items[i].kind != PV_INT || sd->items[i].kind != PV_INT || a < 0 ||
       b < 0)
      return;
    if(a == 0)
      return;  /* empty: reads nothing */
    if(b && (uint64_t)(a - 1) > (UINT64_MAX - need) / (uint64_t)b) {
      need = UINT64_MAX;
      break;
    }
    need += (uint64_t)(a - 1) * (uint64_t)b;
  }
  if(need != UINT64_MAX)
    need++;
  for(size_t i = 0; i < pf->nst; i++)
    if(pf->st[i].id == u->args[0].len && need > pf->st[i].need) {
      pf->st[i].need = need;
      pf->st[i].need_off = u->off;
    }
}

static uint8_t on_use(void *ud, struct pk_vm *vm, const struct pk_use *u)
{
  struct judge *j = ud;
  char msg[600];
  switch(u->kind) {
  case PKU_CALL:
    if(j->facts)
      record_extent(j, vm, u);
    return on_call(j, vm, u);
  case PKU_CONSTRUCT:
    if((u->op == 0x69 /* INST */ || u->op == 0x6f /* OBJ */) &&
       allowed_use(j, gname(vm, u->callee)) < BRINE_USE_CONSTRUCT) {
      /* instantiate(): without args a class gets cls.__new__(cls), but
         anything else is called; only the allowlists know a class */
      return judge_call(j, vm, u->callee, u);
    }
    return judge_construct(j, vm, u->callee, u->off,
                           brinei_pk_opname(u->op));
  case PKU_BUILD: {
    const struct pv *t = u->callee;
    struct brinei_sbuf b;
    if(t->kind == PV_OBJ && (t->flags & PVF_ALLOWED))
      return 0;
    brinei_sbuf_init(&b, j->ctx, 2048);
    if(t->kind == PV_GLOBAL)
      brinei_sbuf_printf(&b, "BUILD at byte %llu writes attributes of %s "
                         "(a module, class or function) with state ",
                         (unsigned long long)u->off, gname(vm, t));
    else {
      brinei_sbuf_printf(&b, "BUILD at byte %llu sets the state of ",
                         (unsigned long long)u->off);
      brinei_pv_repr(vm, &b, t, ARG_SHOW, 1);
      brinei_sbuf_puts(&b, ", which is not an allowed object: loading runs "
                       "its __setstate__ with state ");
    }
    if(u->nkept)
      brinei_pv_repr(vm, &b, &u->args[0], ARG_SHOW, 1);
    finding(j, R_BUILD, u->off,
              target_name(vm, t), BRINE_USE_CALL,
              b.failed ? NOMSG : b.p);
    brinei_sbuf_free(&b);
    return 0;
  }
  case PKU_CONTAINER: {
    const struct pv *t = u->callee;
    struct brinei_sbuf b;
    if(t->kind == PV_OBJ && (t->flags & PVF_ALLOWED))
      return 0;
    brinei_sbuf_init(&b, j->ctx, 2048);
    brinei_sbuf_printf(&b, "%s at byte %llu calls a method of ",
                       brinei_pk_opname(u->op), (unsigned long long)u->off);
    brinei_pv_repr(vm, &b, t, ARG_SHOW, 1);
    brinei_sbuf_puts(&b, ", which is not a plain list, dict or set");
    finding(j, R_CONTAINER, u->off,
              target_name(vm, t), BRINE_USE_CALL,
              b.failed ? NOMSG : b.p);
    brinei_sbuf_free(&b);
    return 0;
  }
  case PKU_EXT:
    snprintf(msg, sizeof(msg), "%s at byte %llu imports whatever copyreg's "
             "extension registry maps code %lld to",
             brinei_pk_opname(u->op), (unsigned long long)u->off,
             (long long)u->args[0].u.i);
    finding(j, R_EXT, u->off, NULL, BRINE_USE_REFERENCE, msg);
    return 0;
  case PKU_PERSID: {
    struct brinei_sbuf b;
    const struct pv *pid = &u->args[0];
    if(j->context != PCTX_PLAIN && pid->kind == PV_TUPLE) {
      /* torch.serialization persistent_load: ('storage', StorageType,
         key, location, numel) in zip archives, plus view metadata in
         legacy files */
      const struct pnode *n = pid->u.node;
      size_t sl;
      if(n->n > n->kept) {
        snprintf(msg, sizeof(msg), "the persistent id at byte %llu has "
                 "%llu items, more than the %u kept (limit tuple_keep)",
                 (unsigned long long)u->off, (unsigned long long)n->n,
                 n->kept);
        finding(j, R_LIMIT, u->off, NULL, BRINE_USE_NONE, msg);
        return 0;
      }
      const uint8_t *s0 = n->kept ? brinei_pv_bytes(&n->items[0], &sl)
                                  : NULL;
      if(n->kept >= 5 && n->kept == n->n && s0 && sl == 7 &&
         !memcmp(s0, "storage", 7) && n->items[1].kind == PV_GLOBAL &&
         n->items[2].kind == PV_STR && n->items[3].kind == PV_STR &&
         n->items[4].kind == PV_INT && n->items[4].u.i >= 0 &&
         (n->kept == 5 || (n->kept == 6 && j->context == PCTX_TORCH_LEGACY &&
                           n->items[5].kind == PV_NONE))) {
        if(j->facts)
          record_storage(j, vm, n, u->result_id);
        return 0;
      }
    }
    brinei_sbuf_init(&b, j->ctx, 2048);
    brinei_sbuf_printf(&b, "%s at byte %llu hands ",
                       brinei_pk_opname(u->op), (unsigned long long)u->off);
    brinei_pv_repr(vm, &b, pid, ARG_SHOW, 1);
    brinei_sbuf_puts(&b, j->context != PCTX_PLAIN
                     ? " to PyTorch's persistent_load, which is not the "
                       "storage form it expects"
                     : " to the loader's persistent_load: only a custom "
                       "loader (PyTorch, ...) gives it meaning");
    finding(j, R_PERSID, u->off, NULL, BRINE_USE_NONE, b.failed ? NOMSG : b.p);
    brinei_sbuf_free(&b);
    return 0;
  }
  }
  return 0;
}

static void on_event(void *ud, struct pk_vm *vm, enum pk_event ev,
                     uint64_t off, const char *msg)
{
  struct judge *j = ud;
  (void)vm;
  switch(ev) {
  case PKE_FRAME:
    finding(j, R_FRAME, off, NULL, BRINE_USE_NONE, msg);
    break;
  case PKE_BUFFER:
    finding(j, R_BUFFER, off, NULL, BRINE_USE_NONE, msg);
    break;
  case PKE_COMPUTED: {
    char m[300];
    snprintf(m, sizeof(m), "%s (byte %llu): the reference is computed at "
             "load time", msg, (unsigned long long)off);
    finding(j, R_COMPUTED, off, NULL, BRINE_USE_REFERENCE, m);
    break;
  }
  default:
    /* stream ends are reported by the driver, which knows whether the
       bytes were a stream at all */
    break;
  }
}

static void on_global(void *ud, struct pk_vm *vm, uint32_t gid, uint64_t off,
                      uint8_t op)
{
  struct judge *j = ud;
  struct judge_global *g = jg(j, gid);
  const struct pk_global *pg = &vm->globals[gid];
  bool plausible = pg->modlen > 0;
  (void)op;
  if(g && !g->seen) {
    g->seen = true;
    g->first_off = off;
  }
  j->globals_seen++;
  /* a module name with ASCII spaces or punctuation is what text read as
     a protocol-0 GLOBAL looks like ("class M(Module):"); it still counts
     as a global, but not as evidence that the bytes are a pickle */
  for(uint32_t i = 0; i < pg->modlen && plausible; i++) {
    uint8_t c = (uint8_t)pg->name[i];
    plausible = c >= 0x80 || c == '_' || c == '.' ||
                (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
                                           (c | 0x20) <= 'z');
  }
  if(plausible)
    j->plausible_globals++;
}

static void on_nested(void *ud, struct pk_vm *vm, const uint8_t *p, size_t n,
                      enum pk_nested_enc enc, uint64_t off)
{
  struct judge *j = ud;
  (void)vm;
  if(j->nested_candidate)
    j->nested_candidate(j, p, n, enc, off);
}

static size_t on_inline(void *ud, struct pk_vm *vm, size_t at)
{
  struct judge *j = ud;
  (void)vm;
  return j->inline_fn ? j->inline_fn(j, at) : SIZE_MAX;
}

void brinei_judge_init(struct judge *j, struct brine_ctx *ctx,
                       const struct brine_policy *pol,
                       struct brinei_findings *out, const char *member,
                       int context)
{
  memset(j, 0, sizeof(*j));
  j->ctx = ctx;
  j->pol = pol;
  j->out = out;
  j->member = member;
  j->context = context;
  j->sink.ud = j;
  j->sink.on_global = on_global;
  j->sink.on_use = on_use;
  j->sink.on_event = on_event;
  j->sink.on_nested = on_nested;
  j->sink.on_inline = on_inline;
}

void brinei_judge_finish(struct judge *j, struct pk_vm *vm)
{
  for(size_t i = 0; i < vm->nglobals && i < j->ng; i++) {
    const struct judge_global *g = &j->g[i];
    const char *name = vm->globals[i].name;
    char msg[512];
    if(!g->seen || g->invoked)
      continue;
    if(allowed_use(j, name) >= BRINE_USE_REFERENCE)
      continue;
    if(deny_reason(j, name)) {
      snprintf(msg, sizeof(msg), "imports %s at byte %llu%s", name,
               (unsigned long long)g->first_off, deny_note(j, name));
      finding(j, R_DENIED, g->first_off, name, BRINE_USE_REFERENCE, msg);
    }
    else {
      snprintf(msg, sizeof(msg), "imports %s at byte %llu, a global "
               "outside the allowlists (not invoked)", name,
               (unsigned long long)g->first_off);
      finding(j, R_UNKNOWN_GLOBAL, g->first_off, name, BRINE_USE_REFERENCE,
              msg);
    }
  }
}

void brinei_judge_free(struct judge *j)
{
  brinei_free(j->ctx, j->g);
  j->g = NULL;
}
