/* skops: the schema.json of a .skops zip, walked node by node for the
 * functions and types skops.io.load would import or call, and for the
 * files it would read from the archive.
 *
 * SPEC: skops-dev/skops skops/io/_audit.py (Node, get_tree, audit_tree:
 * every "module.class" must be in the node's trusted set),
 * skops/io/_general.py, _numpy.py, _scipy.py, _sklearn.py (the loaders
 * and their default trusted types), _trusted_types.py; reference/
 * formats.md §A14. A node is a JSON object with "__class__",
 * "__module__" and "__loader__"; its children sit in "content", "attrs",
 * "__reduce__" and other members, so every member is walked.
 *
 * SKP001: the node's "module.class" (for a MethodNode also
 * "module.class.method") is on brine's deny list, or an OperatorFuncNode
 * names something other than the operator module. SKP002: a type or
 * function outside the loader's default trusted set. brine's
 * approximation of skops' defaults: builtins primitives and containers,
 * numpy arrays, scalar types, dtypes, random states and ufuncs,
 * scipy.special functions and scipy.sparse matrices, and, for
 * ObjectNode (and sklearn's TreeNode/LossNode), any class of a "sklearn."
 * module whose name starts with an upper-case letter (skops lists
 * sklearn's all_estimators(); a short list of known-safe sklearn
 * functions stands in for FunctionNodes). JsonNode and SliceNode import
 * nothing; a CachedNode repeats an earlier node.
 * FMT001: a "file" member naming something the archive lacks.
 */
#include "../internal.h"
#include "formats.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#define SK_MAX_DEPTH 256     /* JSON nesting walked */
#define SK_SEEN 256          /* distinct findings remembered for dedup */

/* numpy ufuncs (numpy 1.24 dir(numpy)), sorted */
static const char *const np_ufuncs[] = {
  "abs", "absolute", "add", "arccos", "arccosh", "arcsin", "arcsinh",
  "arctan", "arctan2", "arctanh", "bitwise_and", "bitwise_not",
  "bitwise_or", "bitwise_xor", "cbrt", "ceil", "conj", "conjugate",
  "copysign", "cos", "cosh", "deg2rad", "degrees", "divide", "divmod",
  "equal", "exp", "exp2", "expm1", "fabs", "float_power", "floor",
  "floor_divide", "fmax", "fmin", "fmod", "frexp", "gcd", "greater",
  "greater_equal", "heaviside", "hypot", "invert", "isfinite", "isinf",
  "isnan", "isnat", "lcm", "ldexp", "left_shift", "less", "less_equal",
  "log", "log10", "log1p", "log2", "logaddexp", "logaddexp2", "logical_and",
  "logical_not", "logical_or", "logical_xor", "matmul", "maximum",
  "minimum", "mod", "modf", "multiply", "negative", "nextafter",
  "not_equal", "positive", "power", "rad2deg", "radians", "reciprocal",
  "remainder", "right_shift", "rint", "sign", "signbit", "sin", "sinh",
  "spacing", "sqrt", "square", "subtract", "tan", "tanh", "true_divide",
  "trunc",
};
/* numpy scalar types (np.sctypeDict), sorted */
static const char *const np_scalars[] = {
  "bool_", "bytes_", "complex128", "complex256", "complex64", "datetime64",
  "float128", "float16", "float32", "float64", "int16", "int32", "int64",
  "int8", "longlong", "object_", "str_", "timedelta64", "uint16", "uint32",
  "uint64", "uint8", "ulonglong", "void",
};
/* sklearn functions models hold as score functions, sorted */
static const char *const sk_functions[] = {
  "sklearn.feature_selection._mutual_info.mutual_info_classif",
  "sklearn.feature_selection._mutual_info.mutual_info_regression",
  "sklearn.feature_selection._univariate_selection.chi2",
  "sklearn.feature_selection._univariate_selection.f_classif",
  "sklearn.feature_selection._univariate_selection.f_oneway",
  "sklearn.feature_selection._univariate_selection.f_regression",
  "sklearn.feature_selection._univariate_selection.r_regression",
  "sklearn.metrics._classification.accuracy_score",
  "sklearn.metrics._classification.f1_score",
  "sklearn.metrics._classification.log_loss",
  "sklearn.metrics._classification.precision_score",
  "sklearn.metrics._classification.recall_score",
  "sklearn.metrics._regression.mean_absolute_error",
  "sklearn.metrics._regression.mean_squared_error",
  "sklearn.metrics._regression.r2_score",
};

/* The fixed trusted type of a container-like loader (skops' defaults). */
static const struct { const char *loader; const char *types[3]; }
  fixed_trust[] = {
  { "BytearrayNode", { "builtins.bytearray" } },
  { "BytesNode", { "builtins.bytes" } },
  { "DTypeNode", { "numpy.dtype" } },
  { "DefaultDictNode", { "collections.defaultdict" } },
  { "DictNode", { "builtins.dict", "collections.OrderedDict" } },
  { "ListNode", { "builtins.list" } },
  { "MaskedArrayNode", { "numpy.ma.core.MaskedArray",
                         "numpy.ma.MaskedArray" } },
  { "RandomGeneratorNode", { "numpy.random._generator.Generator",
                             "numpy.random.Generator" } },
  { "RandomStateNode", { "numpy.random.mtrand.RandomState",
                         "numpy.random.RandomState" } },
  { "SetNode", { "builtins.set" } },
  { "TreeNode", { "sklearn.tree._tree.Tree" } },
  { "TupleNode", { "builtins.tuple" } },
  { "_DictWithDeprecatedKeysNode",
    { "sklearn.covariance._graph_lasso._DictWithDeprecatedKeys" } },
};

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_table(const char *const *t, size_t n, const char *s)
{
  return bsearch(&s, t, n, sizeof(*t), cmp_str) != NULL;
}

static bool is_ident(const char *s)
{
  if(!*s || (*s >= '0' && *s <= '9'))
    return false;
  for(; *s; s++)
    if(!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
         (*s >= '0' && *s <= '9') || *s == '_'))
      return false;
  return true;
}

static bool prefix(const char *s, const char *p)
{
  return !strncmp(s, p, strlen(p));
}

/* sklearn.<...> module and a class-looking name (brine's stand-in for
   all_estimators()). */
static bool sklearn_class(const char *mod, const char *cls)
{
  return prefix(mod, "sklearn.") && cls[0] >= 'A' && cls[0] <= 'Z' &&
         is_ident(cls);
}

static bool numpy_scalar(const char *mod, const char *cls)
{
  return !strcmp(mod, "numpy") &&
         in_table(np_scalars, BRINE_ARRAY_LEN(np_scalars), cls);
}

struct sk {
  const struct brinei_fcheck *c;
  const char *const *names;
  size_t nnames;
  struct brinei_jpath jp;  /* JSON path of the value being walked */
  uint32_t seen[SK_SEEN];  /* hashes of reported (rule, target) pairs */
  size_t nseen;
  bool deep;
};

/* Report once per (rule, target): a forest repeats its nodes. */
static void sk_report(struct sk *w, enum brinei_rule r, const char *target,
                      const char *fmt, ...) BRINE_PRINTF(4, 5);

static void sk_report(struct sk *w, enum brinei_rule r, const char *target,
                      const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  if(target) {
    uint32_t h = brinei_hash32(target, strlen(target)) ^ (uint32_t)r;
    for(size_t i = 0; i < w->nseen; i++)
      if(w->seen[i] == h)
        return;
    if(w->nseen < SK_SEEN)
      w->seen[w->nseen++] = h;
  }
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  brinei_finding_add(w->c->f, r, BRINE_NOOFF, w->c->member, target,
                     BRINE_USE_NONE, "schema.json at %s: %s",
                     brinei_jpath_str(&w->jp), msg);
}

static bool denied(const struct sk *w, const char *g)
{
  return w->c->pol && brine_policy_denied(w->c->pol, g);
}

static bool has_name(const struct sk *w, const char *f)
{
  for(size_t i = 0; i < w->nnames; i++)
    if(w->names[i] && !strcmp(w->names[i], f))
      return true;
  return false;
}

/* Whether loader `ld` trusts mod.cls by default (full = "mod.cls"). */
static bool trusted(const char *ld, const char *mod, const char *cls,
                    const char *full)
{
  for(size_t i = 0; i < BRINE_ARRAY_LEN(fixed_trust); i++) {
    if(strcmp(ld, fixed_trust[i].loader))
      continue;
    for(size_t k = 0; k < 3 && fixed_trust[i].types[k]; k++)
      if(!strcmp(full, fixed_trust[i].types[k]))
        return true;
    return false;
  }
  if(!strcmp(ld, "ObjectNode") || !strcmp(ld, "LossNode"))
    return sklearn_class(mod, cls);
  if(!strcmp(ld, "NdArrayNode"))
    return !strcmp(full, "numpy.ndarray") || numpy_scalar(mod, cls);
  if(!strcmp(ld, "SparseMatrixNode")) {
    size_t n = strlen(cls);
    return prefix(mod, "scipy.sparse") && is_ident(cls) &&
           ((n > 7 && !strcmp(cls + n - 7, "_matrix")) ||
            (n > 6 && !strcmp(cls + n - 6, "_array")));
  }
  if(!strcmp(ld, "TypeNode")) {
    static const char *const prim[] = {
      "builtins.bool", "builtins.float", "builtins.int", "builtins.list",
      "builtins.map", "builtins.set", "builtins.str", "builtins.tuple",
    };
    return in_table(prim, BRINE_ARRAY_LEN(prim), full) ||
           numpy_scalar(mod, cls);
  }
  if(!strcmp(ld, "FunctionNode")) {
    if(!strcmp(mod, "numpy"))
      return in_table(np_ufuncs, BRINE_ARRAY_LEN(np_ufuncs), cls);
    if(!strcmp(mod, "scipy.special") || prefix(mod, "scipy.special."))
      return is_ident(cls);
    return in_table(sk_functions, BRINE_ARRAY_LEN(sk_functions), full);
  }
  /* PartialNode, ConstructorFromReduceNode, MethodNode, OperatorFuncNode
     trust nothing by default; unknown loaders neither */
  return false;
}

static const char *const known_loaders[] = {
  "BytearrayNode", "BytesNode", "CachedNode", "ConstructorFromReduceNode",
  "DTypeNode", "DefaultDictNode", "DictNode", "FunctionNode", "JsonNode",
  "ListNode", "LossNode", "MaskedArrayNode", "MethodNode", "NdArrayNode",
  "ObjectNode", "OperatorFuncNode", "PartialNode", "RandomGeneratorNode",
  "RandomStateNode", "SetNode", "SliceNode", "SparseMatrixNode", "TreeNode",
  "TupleNode", "TypeNode", "_DictWithDeprecatedKeysNode",
};

static void check_node(struct sk *w, json_t *o)
{
  json_t *jc = json_object_get(o, "__class__");
  json_t *jm = json_object_get(o, "__module__");
  json_t *jl = json_object_get(o, "__loader__");
  json_t *file = json_object_get(o, "file");
  const char *cls, *mod, *ld;
  char full[400];
  if(!jc && !jm && !jl)
    return;  /* not a node: a dict's content, the attrs of an object */
  if(!json_is_string(jc) || !json_is_string(jm) ||
     (jl && !json_is_string(jl))) {
    if(jl || (jc && jm))
      sk_report(w, R_FMT_MALFORMED, NULL, "node without string __class__, "
                "__module__ and __loader__");
    return;
  }
  cls = json_string_value(jc);
  mod = json_string_value(jm);
  ld = jl ? json_string_value(jl) : "";
  if(file) {
    if(!json_is_string(file))
      sk_report(w, R_FMT_MALFORMED, NULL, "%.60s \"file\" is not a string",
                ld);
    else if(!has_name(w, json_string_value(file)))
      sk_report(w, R_FMT_MALFORMED, NULL, "%.60s refers to member "
                "'%.200s', which the archive lacks", ld,
                json_string_value(file));
  }
  /* these import nothing (SliceNode, JsonNode) or repeat a node */
  if(!strcmp(ld, "JsonNode") || !strcmp(ld, "SliceNode") ||
     !strcmp(ld, "CachedNode"))
    return;
  snprintf(full, sizeof(full), "%.200s.%.190s", mod, cls);
  if(!strcmp(ld, "MethodNode")) {
    json_t *ct = json_object_get(o, "content");
    const char *fn = json_string_value(json_object_get(ct, "func"));
    char target[400];
    snprintf(target, sizeof(target), "%.200s.%.190s", full, fn ? fn : "?");
    if(denied(w, full) || denied(w, target))
      sk_report(w, R_SKOPS_UNSAFE, target, "MethodNode calls %s, which is "
                "on the deny list", target);
    else
      sk_report(w, R_SKOPS_UNTRUSTED, target, "MethodNode binds %s; skops "
                "trusts no method by default", target);
    return;
  }
  if(!strcmp(ld, "OperatorFuncNode") && strcmp(mod, "operator")) {
    sk_report(w, R_SKOPS_UNSAFE, full, "OperatorFuncNode names %s outside "
              "the operator module", full);
    return;
  }
  if(denied(w, full)) {
    sk_report(w, R_SKOPS_UNSAFE, full, "%.60s loads %s, which is on the "
              "deny list", ld[0] ? ld : "node", full);
    return;
  }
  if(!in_table(known_loaders, BRINE_ARRAY_LEN(known_loaders), ld))
    sk_report(w, R_SKOPS_UNTRUSTED, full, "loader '%.60s' (for %s) is not "
              "one of skops' own", ld, full);
  else if(!trusted(ld, mod, cls, full))
    sk_report(w, R_SKOPS_UNTRUSTED, full, "%s loads %s, outside skops' "
              "default trusted types", ld, full);
}

static void walk(struct sk *w, json_t *v, unsigned depth)
{
  if(!json_is_object(v) && !json_is_array(v))
    return;
  if(depth > SK_MAX_DEPTH) {
    if(!w->deep)
      sk_report(w, R_FMT_BUDGET, NULL, "nests deeper than %u levels; not "
                "examined further", SK_MAX_DEPTH);
    w->deep = true;
    return;
  }
  if(json_is_object(v)) {
    const char *k;
    json_t *x;
    check_node(w, v);
    json_object_foreach(v, k, x) {
      size_t old = brinei_jpath_push(&w->jp, k, 0);
      walk(w, x, depth + 1);
      brinei_jpath_pop(&w->jp, old);
    }
  }
  else {
    for(size_t i = 0; i < json_array_size(v); i++) {
      size_t old = brinei_jpath_push(&w->jp, NULL, i);
      walk(w, json_array_get(v, i), depth + 1);
      brinei_jpath_pop(&w->jp, old);
    }
  }
}

void brinei_skops_check(const struct brinei_fcheck *c, const uint8_t *json,
                        size_t n, const char *const *names, size_t nnames)
{
  struct sk sw, *w = &sw;
  json_error_t jerr;
  json_t *doc;
  doc = json_loadb((const char *)json, n,
                   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if(!doc) {
    brinei_finding_add(c->f, R_FMT_MALFORMED,
                       jerr.position >= 0 ? (uint64_t)jerr.position
                                          : BRINE_NOOFF,
                       c->member, NULL, BRINE_USE_NONE,
                       "schema.json is not valid JSON: %.200s (line %d, "
                       "column %d)", jerr.text, jerr.line, jerr.column);
    return;
  }
  memset(w, 0, sizeof(*w));
  w->c = c;
  w->names = names;
  w->nnames = nnames;
  if(!json_is_object(doc) || !json_is_string(json_object_get(doc,
                                                             "__loader__")))
    sk_report(w, R_FMT_MALFORMED, NULL, "the top is not a skops node");
  walk(w, doc, 0);
  json_decref(doc);
}
