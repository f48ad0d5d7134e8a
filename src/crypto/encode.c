/* Hex and strict base64 for signature material (DSSE payloads and
 * signatures, certificate rawBytes, key hints).
 *
 * SPEC: RFC 4648 §4 (standard alphabet) and §5 (URL and filename safe
 * alphabet); protobuf JSON encodes bytes with either, padded or not.
 * Strict means: one alphabet per string, no whitespace, no '=' except as
 * 1-2 trailing pad characters that complete a 4-character group, and zero
 * bits after the last byte (RFC 4648 §3.5 "canonical encoding"), so each
 * byte string has exactly one accepted spelling per alphabet. A string is
 * URL-safe when it holds '-' or '_'; otherwise it is taken as standard. */
#include "../internal.h"
#include "crypto.h"

static const char hexdig[] = "0123456789abcdef";
static const char b64std[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void brinei_hex(const uint8_t *p, size_t n, char *out)
{
  for(size_t i = 0; i < n; i++) {
    out[2 * i] = hexdig[p[i] >> 4];
    out[2 * i + 1] = hexdig[p[i] & 15];
  }
  out[2 * n] = '\0';
}


brine_result brinei_b64_decode(struct brine_ctx *ctx, const char *s,
                               size_t n, bool lax_pad, uint8_t **out,
                               size_t *outlen)
{
  const uint8_t *u = (const uint8_t *)s;
  size_t body = n, pad = 0, rem, cap, o = 0, i;
  bool std = false, url = false;
  uint8_t *buf;
  uint32_t acc = 0;
  while(body && u[body - 1] == '=' && pad < 2) {
    body--;
    pad++;
  }
  for(i = 0; i < body; i++) {
    uint8_t c = u[i];
    if(c == '+' || c == '/')
      std = true;
    else if(c == '-' || c == '_')
      url = true;
    else if(c == '=')
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, i,
                        "base64: '=' before the end at offset %zu", i);
    else if(brinei_b64val(c) < 0)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, i,
                        "base64: invalid character 0x%02x at offset %zu",
                        (unsigned)c, i);
  }
  if(std && url)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "base64: mixes the standard and URL-safe alphabets");
  rem = body % 4;
  if(rem == 1)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "base64: %zu characters cannot encode whole bytes",
                      body);
  if(pad && rem + pad != 4)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, body,
                      "base64: wrong padding (%zu '=' after %zu characters)",
                      pad, body);
  if(!pad && rem && !url && !lax_pad)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "base64: padding missing");
  cap = body / 4 * 3 + (rem ? rem - 1 : 0);
  buf = brinei_malloc(ctx, cap ? cap : 1);
  if(!buf)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "base64: out of memory for %zu bytes", cap);
  for(i = 0; i + 4 <= body; i += 4) {
    acc = (uint32_t)brinei_b64val(u[i]) << 18 |
          (uint32_t)brinei_b64val(u[i + 1]) << 12 |
          (uint32_t)brinei_b64val(u[i + 2]) << 6 |
          (uint32_t)brinei_b64val(u[i + 3]);
    buf[o++] = (uint8_t)(acc >> 16);
    buf[o++] = (uint8_t)(acc >> 8);
    buf[o++] = (uint8_t)acc;
  }
  if(rem) {
    acc = (uint32_t)brinei_b64val(u[i]) << 18 |
          (uint32_t)brinei_b64val(u[i + 1]) << 12;
    if(rem == 3)
      acc |= (uint32_t)brinei_b64val(u[i + 2]) << 6;
    /* RFC 4648 §3.5: the bits after the last byte must be zero */
    if(acc & (rem == 2 ? 0xffffu : 0xffu)) {
      brinei_free(ctx, buf);
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, i,
                        "base64: non-zero bits after the last byte");
    }
    buf[o++] = (uint8_t)(acc >> 16);
    if(rem == 3)
      buf[o++] = (uint8_t)(acc >> 8);
  }
  *out = buf;
  *outlen = o;
  return BRINE_OK;
}

char *brinei_b64_encode(struct brine_ctx *ctx, const uint8_t *p, size_t n)
{
  size_t groups = n / 3 + (n % 3 != 0), o = 0, i;
  char *s;
  if(groups > (SIZE_MAX - 1) / 4) {
    BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
               "base64: %zu bytes is too large to encode", n);
    return NULL;
  }
  s = brinei_malloc(ctx, groups * 4 + 1);
  if(!s) {
    BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
               "base64: out of memory encoding %zu bytes", n);
    return NULL;
  }
  for(i = 0; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    s[o++] = b64std[v >> 18];
    s[o++] = b64std[(v >> 12) & 63];
    s[o++] = b64std[(v >> 6) & 63];
    s[o++] = b64std[v & 63];
  }
  if(n - i) {
    uint32_t v = (uint32_t)p[i] << 16;
    if(n - i == 2)
      v |= (uint32_t)p[i + 1] << 8;
    s[o++] = b64std[v >> 18];
    s[o++] = b64std[(v >> 12) & 63];
    s[o++] = n - i == 2 ? b64std[(v >> 6) & 63] : '=';
    s[o++] = '=';
  }
  s[o] = '\0';
  return s;
}
