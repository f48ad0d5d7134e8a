/* Short Python-like renderings of symbolic values, for messages and the
 * decompiler: strings are cut, containers show their first items. */
#include "vm.h"

#include <math.h>

static void repr_items(struct pk_vm *vm, struct brinei_sbuf *b,
                       const struct pnode *n, size_t limit, int depth,
                       bool pairs)
{
  uint32_t shown = n->kept < 8 ? n->kept : 8;
  for(uint32_t i = 0; i < shown; i++) {
    if(i)
      brinei_sbuf_puts(b, pairs && (i % 2) ? ": " : ", ");
    brinei_pv_repr(vm, b, &n->items[i], limit, depth + 1);
  }
  if(n->n > shown)
    brinei_sbuf_printf(b, "%s...%llu items", shown ? ", " : "",
                       (unsigned long long)(pairs ? n->n / 2 : n->n));
}

void brinei_pv_repr(struct pk_vm *vm, struct brinei_sbuf *b,
                    const struct pv *v, size_t limit, int depth)
{
  const struct pnode *n = v->u.node;
  switch((enum pv_kind)v->kind) {
  case PV_NONE:
    brinei_sbuf_puts(b, "None");
    return;
  case PV_BOOL:
    brinei_sbuf_puts(b, v->u.i ? "True" : "False");
    return;
  case PV_INT:
    brinei_sbuf_printf(b, "%lld", (long long)v->u.i);
    return;
  case PV_BIGINT:
    if(v->flags)
      brinei_sbuf_add(b, v->u.s, v->len < 40 ? (size_t)v->len : 40);
    else
      brinei_sbuf_printf(b, "<%llu-byte int>", (unsigned long long)v->len);
    return;
  case PV_FLOAT:
    if(isnan(v->u.f))
      brinei_sbuf_puts(b, "nan");
    else if(isinf(v->u.f))
      brinei_sbuf_puts(b, v->u.f > 0 ? "inf" : "-inf");
    else
      brinei_sbuf_printf(b, "%.17g", v->u.f);
    return;
  case PV_STR:
    brinei_sbuf_pyrepr(b, v->u.s, (size_t)v->len, false, limit);
    return;
  case PV_BYTES:
    brinei_sbuf_pyrepr(b, v->u.s, (size_t)v->len, true, limit);
    return;
  case PV_BYTEARRAY:
    brinei_sbuf_puts(b, "bytearray(");
    brinei_sbuf_pyrepr(b, v->u.s, (size_t)v->len, true, limit);
    brinei_sbuf_puts(b, ")");
    return;
  case PV_TUPLE:
  case PV_LIST:
  case PV_SET:
  case PV_FROZENSET:
  case PV_DICT: {
    static const char *const open[] = { "(", "[", "{", "frozenset({", "{" };
    static const char *const close[] = { ")", "]", "}", "})", "}" };
    int k = v->kind == PV_TUPLE ? 0 : v->kind == PV_LIST ? 1
          : v->kind == PV_SET ? 2 : v->kind == PV_FROZENSET ? 3 : 4;
    if(!n) {  /* contents not kept */
      brinei_sbuf_puts(b, v->kind == PV_DICT ? "{...}" : v->kind == PV_LIST
                       ? "[...]" : v->kind == PV_SET ? "{...}"
                       : "frozenset({...})");
      return;
    }
    if(v->kind == PV_SET && !n->n) {
      brinei_sbuf_puts(b, "set()");
      return;
    }
    brinei_sbuf_puts(b, open[k]);
    if(depth < 3)
      repr_items(vm, b, n, limit, depth, v->kind == PV_DICT);
    else if(n->n)
      brinei_sbuf_puts(b, "...");
    if(v->kind == PV_TUPLE && n->n == 1)
      brinei_sbuf_puts(b, ",");
    brinei_sbuf_puts(b, close[k]);
    return;
  }
  case PV_GLOBAL:
    brinei_sbuf_puts(b, vm->globals[v->ref].name);
    return;
  case PV_OBJ:
    if(vm->repr_vars)
      brinei_sbuf_printf(b, "_var%llu", (unsigned long long)v->len);
    else if(v->ref != PV_NOREF)
      brinei_sbuf_printf(b, "<%s %s>", vm->globals[v->ref].name,
                         (v->flags & PVF_CALLED) ? "result" : "instance");
    else
      brinei_sbuf_puts(b, "<object>");
    return;
  case PV_PERSID:
    brinei_sbuf_puts(b, "<persistent object>");
    return;
  case PV_BUFFER:
    brinei_sbuf_puts(b, "<out-of-band buffer>");
    return;
  case PV_COMPUTED:
  case PV_KINDS:
    break;
  }
  brinei_sbuf_puts(b, "<computed>");
}
