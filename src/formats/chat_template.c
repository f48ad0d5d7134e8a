/* Chat-template screening: find Jinja constructs that reach into Python's
 * object model, the server-side template injection of CVE-2024-34359
 * (llama-cpp-python rendered GGUF chat templates with an unsandboxed
 * jinja2.Environment; GHSA-56xg-wfcc-g829) and of the same class in HF
 * tokenizer_config.json templates (GHSA-46cm-pfwv-cgf8).
 *
 * SPEC: Jinja's lexer (jinja2/lexer.py): text, {{ expressions }},
 * {% statements %}, {# comments #}, {% raw %}...{% endraw %}, whitespace
 * control by - or + next to a delimiter, delimiters inside brackets are
 * operators, string literals decoded as Python's unicode-escape;
 * reference/formats.md §A12 for the heuristics.
 *
 * Only the inside of {{ }} and {% %} is examined: prose in the template
 * text ("do not use os commands") is output, not code. A small tokenizer
 * reads each block; string literals are decoded, and literals joined by
 * ~, +, commas and brackets (the ways a payload builds "__class__" from
 * pieces, "_" * 2 included) are folded into one string, with names set
 * earlier from literals ({% set u = '_' %}) substituted, so that the
 * folded text can be checked for dunder names. This is a screen, not an
 * evaluator: a template that computes its payload at run time in a way
 * the folding does not follow can pass, but each of the usual building
 * blocks (attr() with a computed name, escapes spelling identifier
 * characters, underscores assembled from pieces, generator reprs turned
 * into strings) is itself reported.
 */
#include "formats.h"

#include <stdio.h>

#define CT_MAX_FINDINGS 8     /* per template; the first ones tell enough */
#define CT_CHAIN 512          /* bytes of folded literal text kept */
#define CT_SYMS 32            /* names set from literals */
#define CT_SYM_NAME 48
#define CT_SYM_VAL 96
#define CT_REPEAT 64          /* largest literal repeat count followed */
#define CT_TAIL 64            /* ends of a long literal kept for the fold */

enum { TK_NONE, TK_NAME, TK_STR, TK_NUM, TK_OP };

/* One token, as far as the patterns need it. */
struct tinfo {
  int k;              /* TK_* */
  char op[3];         /* operator text */
  char text[40];      /* NAME text or decoded STR value, cut */
  size_t len;         /* full length of that text */
  bool piece;         /* appended to the fold (literal or known name) */
  bool pct_c;         /* a literal holding a %c or {:c} conversion */
  bool attrpos;       /* NAME right after '.' */
  bool filtpos;       /* NAME right after '|' */
  uint64_t num;       /* TK_NUM value when numok */
  bool numok;
  size_t pos;         /* offset in the template */
};

struct sym {
  char name[CT_SYM_NAME];
  size_t nlen;
  char val[CT_SYM_VAL];
  size_t vlen;
};

struct ct {
  const struct brinei_fcheck *c;
  const char *where;
  const uint8_t *t;
  size_t n;
  uint64_t base;       /* offset of the template in the checked bytes */
  size_t pos;
  unsigned nfound;
  uint32_t seen[CT_MAX_FINDINGS];  /* hashes of messages reported */
  bool stop;           /* cap reached or the template cannot be lexed */

  /* the current block */
  bool stmt;           /* {% %} (else {{ }}) */
  int depth;           /* open ( [ { */
  unsigned ntok;       /* tokens so far in this block */
  struct tinfo cur, p1, p2;

  /* the literal being decoded */
  char s[CT_CHAIN];    /* its first CT_CHAIN bytes */
  size_t slen;         /* its whole decoded length */
  char tail[CT_TAIL];  /* ring of its last CT_TAIL bytes */
  bool sesc;           /* a numeric escape spelled [A-Za-z0-9_] */
  size_t sesc_pos;
  unsigned char d_prev;  /* dunder detector: byte before the '_' run */
  size_t d_run;          /* length of the current '_' run */
  bool sdunder;          /* the literal holds "__x" or "x__" */

  /* the fold: literals of the block, '\1' where anything else stood */
  char ch[CT_CHAIN];
  uint8_t pid[CT_CHAIN];   /* which piece each byte came from */
  size_t clen;
  uint8_t npid;
  size_t last_piece;       /* start of the last piece */
  size_t chain_pos;        /* template offset of the fold's first piece */
  bool dunder_seen;        /* a long literal of this block was reported */

  /* {% set name = literals %} */
  int set_state;           /* 0 none, 1 "set", 2 name, 3 right-hand side,
                              4 block set, -1 not a simple set */
  char set_name[CT_SYM_NAME];
  size_t set_nlen, set_from;
  bool set_pure;
  /* {% set name %}text{% endset %} */
  bool bset;
  char bset_name[CT_SYM_NAME];
  size_t bset_nlen, bset_from, bset_to;

  /* attr(...) argument: 0 none, 1 saw "attr" filter, 2 saw '(',
     3 saw a literal argument */
  int attr_state;
  /* replace(a, b) on a literal: 0 none, 1 name, 2 '(', 3 a, 4 ',', 5 b */
  int rep_state;
  size_t rep_from, rep_to;
  char rep_a[32], rep_b[32];
  size_t ra, rb;
  char last_filter[16];    /* the filter before this one */
  bool last_filter_args;

  struct sym syms[CT_SYMS];
  size_t nsyms;
};

/* ---- findings ----------------------------------------------------------- */

static void flag(struct ct *s, size_t pos, const char *fmt, ...)
    BRINE_PRINTF(3, 4);

static void flag(struct ct *s, size_t pos, const char *fmt, ...)
{
  char msg[300];
  uint32_t h;
  va_list ap;
  if(s->stop)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  h = brinei_hash32(msg, strlen(msg));
  for(unsigned i = 0; i < s->nfound; i++) {
    if(s->seen[i] == h)
      return;
  }
  s->seen[s->nfound++] = h;
  brinei_finding_add(s->c->f, R_GGUF_TEMPLATE, s->base + pos, s->c->member,
                     NULL, BRINE_USE_NONE, "chat template %.100s: %s",
                     s->where, msg);
  if(s->nfound == CT_MAX_FINDINGS)
    s->stop = true;
}

/* Printable excerpt of untrusted text for a message; '\1' (where
   something other than a literal stood) shows as "..". */
static void excerpt(char *out, size_t cap, const char *p, size_t n)
{
  size_t o = 0;
  for(size_t i = 0; i < n && o + 3 < cap; i++) {
    unsigned char b = (unsigned char)p[i];
    if(b == 1) {
      out[o++] = '.';
      out[o++] = '.';
    }
    else
      out[o++] = b >= 0x20 && b < 0x7f && b != '\'' ? (char)b : '?';
  }
  out[o] = 0;
}

/* ---- word lists ------------------------------------------------------- */

static bool in_list(const char *const *l, const char *w)
{
  for(; *l; l++) {
    if(!strcmp(*l, w))
      return true;
  }
  return false;
}

/* Names that only serve to escape the template: flagged wherever a
   variable is read. Flask/Jinja globals (request, config, self, cycler,
   joiner, lipsum, url_for, get_flashed_messages) lead to __globals__. */
static const char *const bad_vars[] = {
  "request", "config", "self", "cycler", "joiner", "lipsum", "url_for",
  "get_flashed_messages", "os", "subprocess", "builtins", "globals",
  "getattr", "setattr", "popen", "eval", "exec", "import", NULL
};
/* Attributes (after '.', in attr() and in ['...']) that lead to code. */
static const char *const bad_attrs[] = {
  "os", "sys", "popen", "system", "subprocess", "eval", "exec", "import",
  "builtins", "globals", "getattr", "setattr", "mro", "subclasses",
  "func_globals", "f_globals", "f_locals", "f_builtins", "f_back",
  "gi_frame", "gi_code", "cr_frame", "ag_frame", "tb_frame", "co_code",
  "func_code", "im_func", "environ", "open", "application", NULL
};
/* Items (x['os'], attr('os')): the attributes less the words a benign
   lookup table may hold ('system' is a role). */
static const char *const bad_items[] = {
  "os", "sys", "popen", "subprocess", "eval", "exec", "import",
  "builtins", "globals", "getattr", "setattr", "mro", "subclasses",
  "func_globals", "f_globals", "f_locals", "f_builtins", "f_back",
  "gi_frame", "gi_code", "co_code", "environ", "application", NULL
};
/* Names flagged when called. */
static const char *const bad_calls[] = {
  "system", "open", "compile", "eval", "exec", "getattr", "setattr",
  "delattr", "globals", "locals", "vars", "input", "breakpoint", NULL
};
/* Filters/methods that keep a literal a literal (case does not matter to
   the checks): the fold passes through them. */
static const char *const keep_filters[] = {
  "lower", "upper", "string", "trim", "strip", "safe", "e", "escape",
  "title", "capitalize", "list", "join", "first", "last", "striptags",
  "center", NULL
};

/* Filters that turn their input into text (a generator's repr). */
static const char *const text_filters[] = {
  "string", "e", "escape", "safe", "trim", "lower", "upper", "title",
  "capitalize", "center", "striptags", "format", "truncate", "wordwrap",
  "urlencode", "indent", "replace", NULL
};

static bool is_ident_char(unsigned char b)
{
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
         (b >= '0' && b <= '9') || b == '_' || b >= 0x80;
}

static bool is_alnum(unsigned char b)
{
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
         (b >= '0' && b <= '9');
}

/* ---- the fold ---------------------------------------------------------- */

/* Check the folded text: a run of exactly two underscores next to a
   letter or digit is a dunder name or a piece of one ("__cla", "ss__");
   a run of exactly two that came from two pieces was assembled. */
static void chain_check(struct ct *s)
{
  size_t i = 0;
  if(s->dunder_seen)
    return;   /* reported for this block already */
  while(i < s->clen && !s->stop) {
    size_t a, b;
    if(s->ch[i] != '_') {
      i++;
      continue;
    }
    a = i;
    while(i < s->clen && s->ch[i] == '_')
      i++;
    b = i;
    if(b - a != 2)
      continue;
    if((b < s->clen && is_alnum((unsigned char)s->ch[b])) ||
       (a > 0 && is_alnum((unsigned char)s->ch[a - 1]))) {
      char ex[48];
      size_t from = a > 12 ? a - 12 : 0, to = b + 16 < s->clen ? b + 16
                                                               : s->clen;
      excerpt(ex, sizeof(ex), s->ch + from, to - from);
      flag(s, s->chain_pos, "string literals spell a dunder name ('%s')",
           ex);
      return;   /* one finding per block says enough */
    }
    if(s->pid[a] != s->pid[a + 1]) {
      flag(s, s->chain_pos, "string literals assemble '__' from pieces");
      return;
    }
  }
}

static void chain_reset(struct ct *s)
{
  s->clen = 0;
  s->last_piece = 0;
}

/* Make room for n more bytes: when full, check what is there and keep a
   short tail so patterns across the cut are still seen. */
static void chain_room(struct ct *s, size_t n)
{
  size_t keep = 16;
  if(s->clen + n <= CT_CHAIN)
    return;
  chain_check(s);
  if(s->set_state == 3)
    s->set_pure = false;   /* the value is no longer whole */
  if(s->clen > keep) {
    memmove(s->ch, s->ch + s->clen - keep, keep);
    memmove(s->pid, s->pid + s->clen - keep, keep);
    s->clen = keep;
  }
  s->last_piece = s->clen;
}

static void chain_hole(struct ct *s)
{
  if(s->set_state == 3)
    s->set_pure = false;
  if(s->clen && s->ch[s->clen - 1] == 1)
    return;
  chain_room(s, 1);
  s->ch[s->clen] = 1;
  s->pid[s->clen++] = 0;
}

static void chain_piece(struct ct *s, const char *p, size_t n, size_t pos)
{
  if(!s->clen)
    s->chain_pos = pos;
  if(n > CT_CHAIN / 2)
    n = CT_CHAIN / 2;
  chain_room(s, n);
  s->npid = (uint8_t)(s->npid == 255 ? 1 : s->npid + 1);
  s->last_piece = s->clen;
  memcpy(s->ch + s->clen, p, n);
  memset(s->pid + s->clen, s->npid, n);
  s->clen += n;
}

/* The last piece again, `times` more times ('_' * 2). */
static void chain_repeat(struct ct *s, uint64_t times)
{
  size_t n = s->clen - s->last_piece;
  if(!n || times > CT_REPEAT)
    return;
  for(uint64_t i = 0; i < times; i++) {
    size_t from;
    chain_room(s, n);
    from = s->clen >= n ? s->clen - n : 0;
    if(s->clen + n > CT_CHAIN || from + n > s->clen)
      return;
    s->npid = (uint8_t)(s->npid == 255 ? 1 : s->npid + 1);
    memmove(s->ch + s->clen, s->ch + from, n);
    memset(s->pid + s->clen, s->npid, n);
    s->clen += n;
  }
}

/* Start of the segment (text since the last hole) ending at `end`. */
static size_t seg_start(const struct ct *s, size_t end)
{
  while(end > 0 && s->ch[end - 1] != 1)
    end--;
  return end;
}

/* ---- names set from literals ----------------------------------------- */

static struct sym *sym_find(struct ct *s, const char *name, size_t n)
{
  for(size_t i = 0; i < s->nsyms; i++) {
    if(s->syms[i].nlen == n && !memcmp(s->syms[i].name, name, n))
      return &s->syms[i];
  }
  return NULL;
}

static void sym_set(struct ct *s, const char *name, size_t nlen,
                    const char *val, size_t vlen, bool known)
{
  struct sym *y = sym_find(s, name, nlen);
  if(!known || vlen > CT_SYM_VAL || nlen > CT_SYM_NAME) {
    if(y)
      *y = s->syms[--s->nsyms];   /* forget: the value is not a literal */
    return;
  }
  if(!y) {
    if(s->nsyms == CT_SYMS)
      return;
    y = &s->syms[s->nsyms++];
  }
  memcpy(y->name, name, nlen);
  y->nlen = nlen;
  memcpy(y->val, val, vlen);
  y->vlen = vlen;
}

/* ---- lexing ------------------------------------------------------------ */

static bool is_space(unsigned char b)
{
  return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' ||
         b == '\v';
}

static int hexval(unsigned char b)
{
  if(b >= '0' && b <= '9')
    return b - '0';
  if(b >= 'a' && b <= 'f')
    return b - 'a' + 10;
  if(b >= 'A' && b <= 'F')
    return b - 'A' + 10;
  return -1;
}

static void s_add(struct ct *s, char b)
{
  unsigned char u = (unsigned char)b;
  if(u == '_')
    s->d_run++;
  else {
    if(s->d_run == 2 && (is_alnum(s->d_prev) || is_alnum(u)))
      s->sdunder = true;
    s->d_run = 0;
    s->d_prev = u;
  }
  if(s->slen < CT_CHAIN)
    s->s[s->slen] = b;
  s->tail[s->slen % CT_TAIL] = b;
  s->slen++;
}

/* A code point from a numeric escape. */
static void s_cp(struct ct *s, uint32_t cp, size_t pos)
{
  if(cp < 0x80) {
    if(is_ident_char((unsigned char)cp) && !s->sesc) {
      s->sesc = true;
      s->sesc_pos = pos;
    }
    s_add(s, (char)cp);
  }
  else
    s_add(s, '?');   /* non-ASCII: no part of an ASCII dunder */
}

/* \N{NAME}: the names that spell identifier characters. */
static void s_named(struct ct *s, const uint8_t *nm, size_t n, size_t pos)
{
  static const char small[] = "LATIN SMALL LETTER ";
  static const char cap[] = "LATIN CAPITAL LETTER ";
  static const char digit[] = "DIGIT ";
  char u[48];
  size_t i;
  if(n >= sizeof(u)) {
    s_add(s, '?');
    return;
  }
  for(i = 0; i < n; i++)
    u[i] = (char)(nm[i] >= 'a' && nm[i] <= 'z' ? nm[i] - 32 : nm[i]);
  u[n] = 0;
  if(!strcmp(u, "LOW LINE"))
    s_cp(s, '_', pos);
  else if(n == sizeof(small) && !memcmp(u, small, sizeof(small) - 1))
    s_cp(s, (uint32_t)(u[n - 1] - 'A' + 'a'), pos);
  else if(n == sizeof(cap) && !memcmp(u, cap, sizeof(cap) - 1))
    s_cp(s, (uint32_t)u[n - 1], pos);
  else if(!strcmp(u, "DIGIT ZERO"))
    s_cp(s, '0', pos);
  else if(n > sizeof(digit) - 1 && !memcmp(u, digit, sizeof(digit) - 1))
    s_cp(s, '1', pos);
  else
    s_add(s, '?');
}

/* Decode a string literal starting at the quote; false when it does not
   end (Jinja fails to lex the template: nothing renders). */
static bool lex_string(struct ct *s)
{
  unsigned char q = s->t[s->pos];
  size_t i = s->pos + 1;
  s->slen = 0;
  s->sesc = false;
  s->sdunder = false;
  s->d_prev = 0;
  s->d_run = 0;
  while(i < s->n && s->t[i] != q) {
    unsigned char b = s->t[i];
    size_t at = i;
    if(b != '\\') {
      s_add(s, (char)b);
      i++;
      continue;
    }
    if(i + 1 >= s->n)
      return false;
    b = s->t[i + 1];
    i += 2;
    switch(b) {
    case '\n':
      break;
    case 'a': s_add(s, 7); break;
    case 'b': s_add(s, 8); break;
    case 'f': s_add(s, 12); break;
    case 'n': s_add(s, 10); break;
    case 'r': s_add(s, 13); break;
    case 't': s_add(s, 9); break;
    case 'v': s_add(s, 11); break;
    case 'x': case 'u': case 'U': {
      size_t nd = b == 'x' ? 2 : b == 'u' ? 4 : 8;
      uint32_t cp = 0;
      size_t k;
      for(k = 0; k < nd && i + k < s->n && hexval(s->t[i + k]) >= 0; k++)
        cp = cp << 4 | (uint32_t)hexval(s->t[i + k]);
      if(k < nd) {
        /* Python refuses a short escape: keep the text */
        s_add(s, '\\');
        s_add(s, (char)b);
        break;
      }
      i += nd;
      s_cp(s, cp, at);
      break;
    }
    case 'N':
      if(i < s->n && s->t[i] == '{') {
        size_t e = i + 1;
        while(e < s->n && e - i < 100 && s->t[e] != '}' && s->t[e] != q)
          e++;
        if(e < s->n && s->t[e] == '}') {
          s_named(s, s->t + i + 1, e - i - 1, at);
          i = e + 1;
          break;
        }
      }
      s_add(s, '\\');
      s_add(s, 'N');
      break;
    default:
      if(b >= '0' && b <= '7') {
        uint32_t cp = (uint32_t)(b - '0');
        for(int k = 0; k < 2 && i < s->n && s->t[i] >= '0' && s->t[i] <= '7';
            k++)
          cp = cp * 8 + (uint32_t)(s->t[i++] - '0');
        s_cp(s, cp, at);
      }
      else if(b == '\\' || b == '\'' || b == '"')
        s_add(s, (char)b);
      else {
        s_add(s, '\\');
        s_add(s, (char)b);
      }
      break;
    }
  }
  if(i >= s->n)
    return false;
  if(s->d_run == 2 && is_alnum(s->d_prev))
    s->sdunder = true;
  s->pos = i + 1;
  return true;
}

/* Is there a block end (optionally preceded by - or +) at pos? Returns
   its length or 0. */
static size_t block_end_at(const struct ct *s, size_t pos)
{
  size_t i = pos;
  char d = s->stmt ? '%' : '}';
  if(i < s->n && (s->t[i] == '-' || s->t[i] == '+'))
    i++;
  if(i + 1 < s->n && s->t[i] == (uint8_t)d && s->t[i + 1] == '}')
    return i + 2 - pos;
  return 0;
}

/* Next token of the block into s->cur; false at the block's end or the
   template's end. */
static bool lex(struct ct *s)
{
  struct tinfo *t = &s->cur;
  unsigned char b;
  size_t st;
  while(s->pos < s->n && is_space(s->t[s->pos]))
    s->pos++;
  if(s->pos >= s->n)
    return false;
  if(!s->depth) {
    size_t e = block_end_at(s, s->pos);
    if(e) {
      s->pos += e;
      return false;
    }
  }
  memset(t, 0, sizeof(*t));
  t->pos = st = s->pos;
  b = s->t[st];
  if(is_ident_char(b) && !(b >= '0' && b <= '9')) {
    while(s->pos < s->n && is_ident_char(s->t[s->pos]))
      s->pos++;
    t->k = TK_NAME;
    t->len = s->pos - st;
    memcpy(t->text, s->t + st, t->len < sizeof(t->text) - 1
                                   ? t->len : sizeof(t->text) - 1);
    return true;
  }
  if(b >= '0' && b <= '9') {
    bool dec = true;
    uint64_t v = 0;
    while(s->pos < s->n && (is_ident_char(s->t[s->pos]) ||
                            (s->t[s->pos] == '.' && s->pos + 1 < s->n &&
                             s->t[s->pos + 1] >= '0' &&
                             s->t[s->pos + 1] <= '9'))) {
      unsigned char d = s->t[s->pos++];
      if(d >= '0' && d <= '9') {
        if(v > 1000000)
          dec = false;
        v = v * 10 + (uint64_t)(d - '0');
      }
      else if(d != '_')
        dec = false;
    }
    t->k = TK_NUM;
    t->num = v;
    t->numok = dec;
    return true;
  }
  if(b == '\'' || b == '"') {
    if(!lex_string(s)) {
      s->stop = true;
      return false;
    }
    t->k = TK_STR;
    t->len = s->slen;
    memcpy(t->text, s->s, s->slen < sizeof(t->text) - 1
                              ? s->slen : sizeof(t->text) - 1);
    for(size_t i = 0; i + 1 < s->slen && i + 1 < CT_CHAIN; i++) {
      if(s->s[i] == '%' && s->s[i + 1] == 'c')
        t->pct_c = true;
      if(s->s[i] == ':' && s->s[i + 1] == 'c' && i + 2 < s->slen &&
         i + 2 < CT_CHAIN && s->s[i + 2] == '}')
        t->pct_c = true;
    }
    return true;
  }
  t->k = TK_OP;
  t->op[0] = (char)b;
  s->pos++;
  if(s->pos < s->n) {
    unsigned char b2 = s->t[s->pos];
    if((b == '*' && b2 == '*') || (b == '/' && b2 == '/') ||
       (b2 == '=' && (b == '=' || b == '!' || b == '<' || b == '>'))) {
      t->op[1] = (char)b2;
      s->pos++;
    }
  }
  if(b == '(' || b == '[' || b == '{')
    s->depth++;
  else if((b == ')' || b == ']' || b == '}') && s->depth > 0)
    s->depth--;
  return true;
}

/* o is a 1- or 2-character operator */
static bool op_is(const struct tinfo *t, const char *o)
{
  return t->k == TK_OP && t->op[0] == o[0] && t->op[1] == o[1];
}

/* ---- patterns ----------------------------------------------------------- */

static void on_name(struct ct *s, struct tinfo *t)
{
  struct sym *y;
  t->attrpos = op_is(&s->p1, ".");
  t->filtpos = op_is(&s->p1, "|");
  if(t->len >= 2 && t->text[0] == '_' && t->text[1] == '_')
    flag(s, t->pos, "uses dunder name '%.30s'", t->text);

  /* statement keywords */
  if(s->stmt && s->ntok == 0) {
    if(!strcmp(t->text, "import") || !strcmp(t->text, "from") ||
       !strcmp(t->text, "include") || !strcmp(t->text, "extends"))
      flag(s, t->pos, "loads other templates with '%s'", t->text);
    if(!strcmp(t->text, "set"))
      s->set_state = 1;
    else if(!strcmp(t->text, "endset") && s->bset)
      sym_set(s, s->bset_name, s->bset_nlen,
              (const char *)s->t + s->bset_from,
              s->bset_to - s->bset_from, true);
    s->bset = false;
    chain_hole(s);
    return;
  }
  if(t->attrpos) {
    if(in_list(bad_attrs, t->text))
      flag(s, t->pos, "reads attribute '.%s'", t->text);
  }
  else if(!t->filtpos && in_list(bad_vars, t->text))
    flag(s, t->pos, "uses '%s', a name that leads out of the template",
         t->text);
  if(s->set_state == 1) {
    s->set_state = 2;
    if(t->len >= sizeof(t->text) - 1)
      s->set_state = -1;   /* too long to remember */
    s->set_nlen = t->len < sizeof(t->text) - 1 ? t->len : 0;
    memcpy(s->set_name, t->text, s->set_nlen);
    return;
  }

  /* filters and methods the fold follows */
  if(t->filtpos || t->attrpos) {
    if(t->filtpos) {
      /* ()|select|string is "<generator object select_or_reject at
         ...>": characters to index ('_' is at 24) */
      if(in_list(text_filters, t->text) &&
         (!strcmp(s->last_filter, "select") ||
          !strcmp(s->last_filter, "reject") ||
          !strcmp(s->last_filter, "map")) && !s->last_filter_args)
        flag(s, t->pos, "turns a generator's repr into text "
             "('|%s|%s'), a way to find '_' characters", s->last_filter,
             t->text);
      snprintf(s->last_filter, sizeof(s->last_filter), "%.15s", t->text);
      s->last_filter_args = false;
      if(!strcmp(t->text, "attr"))
        s->attr_state = 1;
      if(!strcmp(t->text, "reverse")) {
        size_t a = seg_start(s, s->clen);
        for(size_t i = a, j = s->clen; i + 1 < j; i++, j--) {
          char x = s->ch[i];
          s->ch[i] = s->ch[j - 1];
          s->ch[j - 1] = x;
        }
        return;
      }
      if(!strcmp(t->text, "lower") || !strcmp(t->text, "upper")) {
        bool up = t->text[0] == 'u';
        for(size_t i = seg_start(s, s->clen); i < s->clen; i++) {
          char x = s->ch[i];
          if(up && x >= 'a' && x <= 'z')
            s->ch[i] = (char)(x - 32);
          else if(!up && x >= 'A' && x <= 'Z')
            s->ch[i] = (char)(x + 32);
        }
        return;
      }
      if(!strcmp(t->text, "format")) {
        if(s->p2.pct_c)
          flag(s, t->pos, "builds characters with a %%c format");
      }
    }
    if(!strcmp(t->text, "replace")) {
      s->rep_state = 1;
      s->rep_to = s->clen;
      s->rep_from = seg_start(s, s->clen);
      return;
    }
    if(in_list(keep_filters, t->text))
      return;
    chain_hole(s);
    return;
  }

  /* a name set from literals reads as that literal */
  y = sym_find(s, t->text, t->len);
  if(y && s->set_state != 2) {
    chain_piece(s, y->val, y->vlen, t->pos);
    t->piece = true;
    return;
  }
  chain_hole(s);
}

/* The token after a name: calls, keyword arguments, namespace games. */
static void after_name(struct ct *s, const struct tinfo *nm,
                       const struct tinfo *t)
{
  if(nm->attrpos || nm->filtpos)
    return;
  if(op_is(t, "(") && in_list(bad_calls, nm->text))
    flag(s, nm->pos, "calls '%s()'", nm->text);
  if(op_is(t, ".") && !strcmp(nm->text, "namespace"))
    flag(s, nm->pos, "reads an attribute of the namespace class");
  /* dict(_=1)|join and friends spell underscores with keyword names */
  if(op_is(t, "=") && s->depth > 0 && nm->text[0] == '_' &&
     nm->text[1] != '_')
    flag(s, nm->pos, "passes keyword argument '%.30s'", nm->text);
}

static void on_token(struct ct *s)
{
  struct tinfo *t = &s->cur;

  if(t->k == TK_STR && s->sesc)
    flag(s, s->sesc_pos, "string literal spells an identifier character "
         "with an escape");

  if(s->p1.k == TK_NAME)
    after_name(s, &s->p1, t);

  /* {% set name = ... %} */
  if(s->set_state == 2) {
    if(op_is(t, "=")) {
      s->set_state = 3;
      s->set_pure = true;
      chain_hole(s);
      s->set_from = s->clen;
      s->set_pure = true;
      goto next;
    }
    s->set_state = -1;
  }

  /* attr(...) with a computed name */
  if(s->attr_state == 1) {
    s->attr_state = op_is(t, "(") ? 2 : 0;
  }
  else if(s->attr_state == 2) {
    s->attr_state = t->k == TK_STR ? 3 : 0;
    if(t->k != TK_STR)
      flag(s, t->pos, "reads an attribute through attr() with a computed "
           "name");
    else if(in_list(bad_items, t->text))
      flag(s, t->pos, "reads attribute '%s' through attr()", t->text);
  }
  else if(s->attr_state == 3) {
    if(!op_is(t, ")"))
      flag(s, t->pos, "reads an attribute through attr() with a computed "
           "name");
    s->attr_state = 0;
  }

  /* replace('x', '_') applied to literal text */
  if(s->rep_state) {
    bool ok = false;
    switch(s->rep_state) {
    case 1:
      ok = op_is(t, "(");
      break;
    case 2: case 4:
      ok = t->k == TK_STR && s->slen < sizeof(s->rep_a);
      if(ok && s->rep_state == 2) {
        memcpy(s->rep_a, s->s, s->slen);
        s->ra = s->slen;
      }
      else if(ok) {
        memcpy(s->rep_b, s->s, s->slen);
        s->rb = s->slen;
      }
      break;
    case 3:
      ok = op_is(t, ",");
      break;
    case 5:
      ok = op_is(t, ")");
      break;
    default:
      break;
    }
    if(ok && s->rep_state == 5) {
      /* rebuild the segment with the replacement applied */
      char buf[CT_CHAIN];
      size_t o = 0, i = s->rep_from;
      s->rep_state = 0;
      if(s->rep_to > s->clen || !s->ra)
        goto plain;
      while(i < s->rep_to && o < sizeof(buf)) {
        if(i + s->ra <= s->rep_to && !memcmp(s->ch + i, s->rep_a, s->ra)) {
          size_t k = s->rb < sizeof(buf) - o ? s->rb : sizeof(buf) - o;
          memcpy(buf + o, s->rep_b, k);
          o += k;
          i += s->ra;
        }
        else
          buf[o++] = s->ch[i++];
      }
      s->clen = s->rep_from;
      chain_piece(s, buf, o, t->pos);
      goto next;
    }
    if(ok) {
      s->rep_state++;
      goto next;
    }
    s->rep_state = 0;
    chain_hole(s);
  }
plain:

  /* '%c' % 95, '%c'|format(95) */
  if(op_is(t, "%") && s->p1.pct_c)
    flag(s, t->pos, "builds characters with a %%c format");

  /* x['os'] */
  if(op_is(t, "]") && s->p1.k == TK_STR && op_is(&s->p2, "[") &&
     in_list(bad_items, s->p1.text))
    flag(s, s->p1.pos, "reads item '%s'", s->p1.text);

  if(op_is(t, "(") && s->p1.k == TK_NAME && s->p1.filtpos)
    s->last_filter_args = true;

  switch(t->k) {
  case TK_NAME:
    on_name(s, t);
    break;
  case TK_STR:
    if(s->slen <= CT_CHAIN / 2)
      chain_piece(s, s->s, s->slen, t->pos);
    else {
      /* a long literal: checked whole as it was decoded; its ends join
         the fold */
      char tl[CT_TAIL];
      for(size_t i = 0; i < CT_TAIL; i++)
        tl[i] = s->tail[(s->slen - CT_TAIL + i) % CT_TAIL];
      if(s->sdunder) {
        flag(s, t->pos, "string literal holds a dunder name");
        s->dunder_seen = true;
      }
      chain_piece(s, s->s, CT_TAIL, t->pos);
      chain_hole(s);
      chain_piece(s, tl, CT_TAIL, t->pos);
    }
    t->piece = true;
    /* 2 * '_' */
    if(op_is(&s->p1, "*") && s->p2.k == TK_NUM && s->p2.numok &&
       s->p2.num > 1)
      chain_repeat(s, s->p2.num - 1);
    break;
  case TK_NUM:
    /* '_' * 2 */
    if(op_is(&s->p1, "*") && s->p2.piece && t->numok && t->num > 1)
      chain_repeat(s, t->num - 1);
    else if(!(op_is(&s->p1, "*") && s->p2.piece))
      chain_hole(s);
    break;
  default:
    /* operators that join literals leave the fold open */
    if(!(op_is(t, "~") || op_is(t, "+") || op_is(t, "*") ||
         op_is(t, "(") || op_is(t, ")") || op_is(t, "[") ||
         op_is(t, "]") || op_is(t, ",") || op_is(t, "|") || op_is(t, ".")))
      chain_hole(s);
    break;
  }
next:
  s->p2 = s->p1;
  s->p1 = *t;
  s->ntok++;
}

/* A {% raw %} tag at pos (just after "{%")? Returns the offset after its
   "%}" or 0. Same for "endraw" when `end`. */
static size_t raw_tag(const struct ct *s, size_t pos, bool end)
{
  const char *w = end ? "endraw" : "raw";
  size_t wl = strlen(w), i = pos;
  if(i < s->n && (s->t[i] == '-' || s->t[i] == '+'))
    i++;
  while(i < s->n && is_space(s->t[i]))
    i++;
  if(s->n - i < wl || memcmp(s->t + i, w, wl))
    return 0;
  i += wl;
  if(i < s->n && !is_space(s->t[i]) && s->t[i] != '-' && s->t[i] != '+' &&
     s->t[i] != '%')
    return 0;
  while(i < s->n && is_space(s->t[i]))
    i++;
  if(i < s->n && (s->t[i] == '-' || s->t[i] == '+'))
    i++;
  if(s->n - i >= 2 && s->t[i] == '%' && s->t[i + 1] == '}')
    return i + 2;
  return 0;
}

/* One {{ }} or {% %} block; s->pos is just after its opening delimiter. */
static void block(struct ct *s, bool stmt)
{
  s->stmt = stmt;
  s->depth = 0;
  s->ntok = 0;
  s->set_state = 0;
  s->attr_state = 0;
  s->rep_state = 0;
  s->last_filter[0] = 0;
  s->last_filter_args = false;
  memset(&s->p1, 0, sizeof(s->p1));
  memset(&s->p2, 0, sizeof(s->p2));
  s->dunder_seen = false;
  chain_reset(s);
  if(s->pos < s->n && (s->t[s->pos] == '-' || s->t[s->pos] == '+'))
    s->pos++;
  while(!s->stop && lex(s))
    on_token(s);
  if(s->attr_state == 2 || s->attr_state == 3)
    flag(s, s->pos, "reads an attribute through attr() with a computed "
         "name");
  chain_check(s);
  if(s->set_state == 3)
    sym_set(s, s->set_name, s->set_nlen, s->ch + s->set_from,
            s->set_from <= s->clen ? s->clen - s->set_from : 0,
            s->set_pure && s->set_from <= s->clen);
  else if(s->set_state == 2 && s->ntok == 2) {
    /* {% set name %}...{% endset %}: the text up to the next tag */
    s->bset = true;
    memcpy(s->bset_name, s->set_name, s->set_nlen);
    s->bset_nlen = s->set_nlen;
    s->bset_from = s->pos;
    s->bset_to = s->pos;
  }
}

void brinei_chat_template_check(const struct brinei_fcheck *c,
                                const char *where, const uint8_t *t,
                                size_t n, uint64_t off)
{
  struct ct *s = brinei_calloc(c->ctx, 1, sizeof(*s));
  if(!s) {
    brinei_finding_add(c->f, R_LIMIT, off, c->member, NULL, BRINE_USE_NONE,
                       "chat template %.100s: out of memory (limit memory)",
                       where);
    return;
  }
  s->c = c;
  s->where = where;
  s->t = t;
  s->n = n;
  s->base = off;
  while(!s->stop && s->pos < s->n) {
    const uint8_t *o = memchr(t + s->pos, '{', s->n - s->pos);
    size_t at, r;
    if(!o)
      break;
    at = (size_t)(o - t);
    if(s->bset)
      s->bset_to = at;
    if(at + 1 >= n)
      break;
    s->pos = at + 2;
    switch(t[at + 1]) {
    case '{':
      s->bset = false;
      block(s, false);
      break;
    case '%':
      if((r = raw_tag(s, s->pos, false)) != 0) {
        /* text until {% endraw %} */
        size_t i = r;
        s->bset = false;
        for(;;) {
          const uint8_t *q = i < n ? memchr(t + i, '{', n - i) : NULL;
          size_t e;
          if(!q) {
            s->pos = n;
            break;
          }
          i = (size_t)(q - t) + 1;
          if(i < n && t[i] == '%' && (e = raw_tag(s, i + 1, true)) != 0) {
            s->pos = e;
            break;
          }
        }
        break;
      }
      block(s, true);
      break;
    case '#': {
      /* comment: to the first "#}" */
      size_t i = s->pos;
      while(i + 1 < n && !(t[i] == '#' && t[i + 1] == '}'))
        i++;
      s->pos = i + 2 <= n ? i + 2 : n;
      break;
    }
    default:
      s->pos = at + 1;
      break;
    }
  }
  brinei_free(c->ctx, s);
}
