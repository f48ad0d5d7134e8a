/* Growable text with a hard cap; failures are sticky so callers can chain
 * appends and check once (curl's dynbuf). */
#include "../internal.h"

#include <stdio.h>

void brinei_sbuf_init(struct brinei_sbuf *b, struct brine_ctx *ctx, size_t max)
{
  b->ctx = ctx;
  b->p = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
  b->failed = false;
}

static bool reserve(struct brinei_sbuf *b, size_t n)
{
  void *p = b->p;
  if(b->failed)
    return false;
  if(n > b->max - b->len ||
     brinei_grow(b->ctx, &p, &b->cap, b->len + n + 1, 1, b->max + 1)) {
    b->failed = true;
    return false;
  }
  b->p = p;
  return true;
}

void brinei_sbuf_add(struct brinei_sbuf *b, const void *s, size_t n)
{
  if(!reserve(b, n))
    return;
  if(n)
    memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void brinei_sbuf_puts(struct brinei_sbuf *b, const char *s)
{
  brinei_sbuf_add(b, s, strlen(s));
}

void brinei_sbuf_printf(struct brinei_sbuf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  char small[256];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if(n < 0) {
    b->failed = true;
    return;
  }
  if((size_t)n < sizeof(small)) {
    brinei_sbuf_add(b, small, (size_t)n);
    return;
  }
  if(!reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void brinei_sbuf_pyrepr(struct brinei_sbuf *b, const uint8_t *s, size_t n,
                        bool is_bytes, size_t limit)
{
  static const char hex[] = "0123456789abcdef";
  size_t shown = n < limit ? n : limit;
  char q = '\'';
  if(is_bytes)
    brinei_sbuf_add(b, "b", 1);
  brinei_sbuf_add(b, &q, 1);
  for(size_t i = 0; i < shown; i++) {
    uint8_t c = s[i];
    char esc[4];
    if(c == '\\' || c == '\'') {
      esc[0] = '\\';
      esc[1] = (char)c;
      brinei_sbuf_add(b, esc, 2);
    }
    else if(c == '\n')
      brinei_sbuf_add(b, "\\n", 2);
    else if(c == '\r')
      brinei_sbuf_add(b, "\\r", 2);
    else if(c == '\t')
      brinei_sbuf_add(b, "\\t", 2);
    else if(c < 0x20 || c == 0x7f || (is_bytes && c >= 0x80)) {
      esc[0] = '\\';
      esc[1] = 'x';
      esc[2] = hex[c >> 4];
      esc[3] = hex[c & 15];
      brinei_sbuf_add(b, esc, 4);
    }
    else
      brinei_sbuf_add(b, &s[i], 1);
  }
  brinei_sbuf_add(b, &q, 1);
  if(shown < n)
    brinei_sbuf_printf(b, "...(%zu bytes)", n);
}

void brinei_sbuf_json_str(struct brinei_sbuf *b, const char *str, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  const uint8_t *s = (const uint8_t *)str;
  size_t i = 0, run = 0;
  brinei_sbuf_add(b, "\"", 1);
  while(i < n) {
    uint8_t c = s[i];
    if(c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      i++;
      run++;
      continue;
    }
    if(run)
      brinei_sbuf_add(b, s + i - run, run);
    run = 0;
    if(c >= 0x80) {
      /* copy one valid UTF-8 sequence, else U+FFFD for the byte */
      size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
      if(k && k <= n - i && brinei_utf8_valid(s + i, k, false)) {
        brinei_sbuf_add(b, s + i, k);
        i += k;
      }
      else {
        brinei_sbuf_add(b, "\\ufffd", 6);
        i++;
      }
      continue;
    }
    if(c == '"' || c == '\\') {
      char e[2] = { '\\', (char)c };
      brinei_sbuf_add(b, e, 2);
    }
    else if(c == '\n')
      brinei_sbuf_add(b, "\\n", 2);
    else if(c == '\r')
      brinei_sbuf_add(b, "\\r", 2);
    else if(c == '\t')
      brinei_sbuf_add(b, "\\t", 2);
    else {
      char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
      brinei_sbuf_add(b, e, 6);
    }
    i++;
  }
  if(run)
    brinei_sbuf_add(b, s + i - run, run);
  brinei_sbuf_add(b, "\"", 1);
}

char *brinei_sbuf_take(struct brinei_sbuf *b)
{
  char *p;
  if(b->failed) {
    brinei_sbuf_free(b);
    return NULL;
  }
  if(!b->p)
    return brinei_strndup(b->ctx, "", 0);
  p = b->p;
  b->p = NULL;
  b->len = b->cap = 0;
  return p;
}

void brinei_sbuf_free(struct brinei_sbuf *b)
{
  brinei_free(b->ctx, b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}
