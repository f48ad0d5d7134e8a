/* UTF-8 validation and base64/hex decoding of untrusted literals. */
#include "../internal.h"

/* SPEC: Unicode 15 Table 3-7 (well-formed UTF-8 byte sequences); with
   surrogatepass, ED A0..BF xx (encoded U+D800..U+DFFF) is accepted, as
   CPython's "surrogatepass" error handler does for BINUNICODE. */
bool brinei_utf8_valid(const uint8_t *s, size_t n, bool surrogatepass)
{
  size_t i = 0;
  while(i < n) {
    uint8_t c = s[i];
    if(c < 0x80) {
      /* ASCII fast path, 8 bytes at a time */
      while(i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if(w & 0x8080808080808080ull)
          break;
        i += 8;
      }
      if(i < n && s[i] < 0x80)
        i++;
      continue;
    }
    if(c >= 0xc2 && c <= 0xdf) {
      if(n - i < 2 || (s[i + 1] & 0xc0) != 0x80)
        return false;
      i += 2;
    }
    else if(c >= 0xe0 && c <= 0xef) {
      uint8_t lo = 0x80, hi = 0xbf;
      if(c == 0xe0)
        lo = 0xa0;
      if(c == 0xed && !surrogatepass)
        hi = 0x9f;
      if(n - i < 3 || s[i + 1] < lo || s[i + 1] > hi ||
         (s[i + 2] & 0xc0) != 0x80)
        return false;
      i += 3;
    }
    else if(c >= 0xf0 && c <= 0xf4) {
      uint8_t lo = 0x80, hi = 0xbf;
      if(c == 0xf0)
        lo = 0x90;
      if(c == 0xf4)
        hi = 0x8f;
      if(n - i < 4 || s[i + 1] < lo || s[i + 1] > hi ||
         (s[i + 2] & 0xc0) != 0x80 || (s[i + 3] & 0xc0) != 0x80)
        return false;
      i += 4;
    }
    else
      return false;
  }
  return true;
}

int brinei_b64val(uint8_t c)
{
  if(c >= 'A' && c <= 'Z')
    return c - 'A';
  if(c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if(c >= '0' && c <= '9')
    return c - '0' + 52;
  if(c == '+' || c == '-')
    return 62;
  if(c == '/' || c == '_')
    return 63;
  return -1;
}

bool brinei_is_base64(const uint8_t *s, size_t n)
{
  size_t pad = 0;
  while(n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    n--;
  while(n && s[n - 1] == '=' && pad < 2) {
    n--;
    pad++;
  }
  if(n < 4 || (n + pad) % 4 == 1)
    return false;
  for(size_t i = 0; i < n; i++)
    if(brinei_b64val(s[i]) < 0)
      return false;
  return true;
}

size_t brinei_base64_decode(const uint8_t *s, size_t n, uint8_t *out)
{
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for(size_t i = 0; i < n; i++) {
    int v;
    if(s[i] == '=' || s[i] == '\n' || s[i] == '\r')
      continue;
    v = brinei_b64val(s[i]);
    if(v < 0)
      return SIZE_MAX;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if(bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  return o;
}

static int hexval(uint8_t c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

size_t brinei_hex_decode(const uint8_t *s, size_t n, uint8_t *out)
{
  if(n % 2)
    return SIZE_MAX;
  for(size_t i = 0; i < n; i += 2) {
    int hi = hexval(s[i]), lo = hexval(s[i + 1]);
    if(hi < 0 || lo < 0)
      return SIZE_MAX;
    out[i / 2] = (uint8_t)(hi << 4 | lo);
  }
  return n / 2;
}
