/* The identity a Fulcio certificate binds: its subject alternative names
 * and the OIDC issuer extension; and whether a certificate is a root.
 *
 * SPEC: Fulcio certificate-specification.md (OID 1.3.6.1.4.1.57264.1.7
 * otherName SAN holds a UTF8String username; 1.3.6.1.4.1.57264.1.8 is the
 * issuer as a DER UTF8String; 1.3.6.1.4.1.57264.1.1 the deprecated issuer
 * as raw bytes), RFC 5280 §4.2.1.6 (rfc822Name and URI are IA5String);
 * reference/signing.md §2.3 step 6: prefer 1.8, fall back to 1.1, exact
 * matching by the caller. Names that could compare equal to something
 * they are not (an embedded NUL, non-ASCII IA5, invalid UTF-8) make the
 * certificate malformed rather than being cut or skipped. */
#include "../internal.h"
#include "crypto_int.h"
#include "sigstore_x509.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define OID_OTHERNAME_USER "1.3.6.1.4.1.57264.1.7"
#define OID_ISSUER_V2 "1.3.6.1.4.1.57264.1.8"
#define OID_ISSUER_V1 "1.3.6.1.4.1.57264.1.1"
#define MAX_NAMES 4096  /* Fulcio writes one */

/* A name's bytes are safe to hand over as a C string. */
static bool name_ok(const uint8_t *s, size_t n, bool ascii)
{
  if(!s || !n || memchr(s, 0, n))
    return false;
  if(ascii) {
    for(size_t i = 0; i < n; i++)
      if(s[i] >= 0x80)
        return false;
    return true;
  }
  return brinei_utf8_valid(s, n, false);
}

static bool is_oid(const ASN1_OBJECT *o, const char *dotted)
{
  char buf[64];
  int n = OBJ_obj2txt(buf, (int)sizeof(buf), o, 1);
  return n > 0 && (size_t)n < sizeof(buf) && !strcmp(buf, dotted);
}

/* The string one SAN entry contributes, or NULL for types not used as
   identities; *bad when the entry is of a used type but unusable. */
static const ASN1_STRING *san_string(const GENERAL_NAME *gn, bool *ascii,
                                     bool *bad)
{
  const ASN1_TYPE *v;
  *bad = false;
  *ascii = true;
  switch(gn->type) {
  case GEN_EMAIL:
    return gn->d.rfc822Name;
  case GEN_URI:
    return gn->d.uniformResourceIdentifier;
  case GEN_OTHERNAME:
    if(!gn->d.otherName || !is_oid(gn->d.otherName->type_id,
                                   OID_OTHERNAME_USER))
      return NULL;
    v = gn->d.otherName->value;
    if(!v || v->type != V_ASN1_UTF8STRING) {
      *bad = true;
      return NULL;
    }
    *ascii = false;
    return v->value.utf8string;
  default:
    return NULL;
  }
}

void brinei_strs_free(struct brine_ctx *ctx, char **s, size_t n)
{
  if(!s)
    return;
  for(size_t i = 0; i < n; i++)
    brinei_free(ctx, s[i]);
  brinei_free(ctx, s);
}

brine_result brinei_cert_identities(struct brine_ctx *ctx,
                                    const struct brinei_cert *c,
                                    char ***names, size_t *n)
{
  GENERAL_NAMES *gens;
  char **arr = NULL;
  size_t cnt = 0, cap = 0;
  brine_result rc = BRINE_OK;
  int crit = 0;
  gens = X509_get_ext_d2i(c->x, NID_subject_alt_name, &crit, NULL);
  if(!gens) {
    ERR_clear_error();
    if(crit == -1) {  /* no SAN: no identities */
      *names = NULL;
      *n = 0;
      return BRINE_OK;
    }
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      crit == -2 ? "certificate: two subject alternative "
                                   "name extensions"
                                 : "certificate: the subject alternative "
                                   "name extension does not parse");
  }
  for(int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
    const ASN1_STRING *s;
    const uint8_t *p;
    size_t len;
    bool ascii, bad;
    void *grown = arr;
    s = san_string(sk_GENERAL_NAME_value(gens, i), &ascii, &bad);
    if(bad) {
      rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "certificate: subject alternative name %d: the "
                      "Fulcio username is not a UTF8String", i);
      break;
    }
    if(!s)
      continue;
    p = ASN1_STRING_get0_data(s);
    len = (size_t)ASN1_STRING_length(s);
    if(!name_ok(p, len, ascii)) {
      rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "certificate: subject alternative name %d is empty, "
                      "holds a NUL byte or is not valid %s", i,
                      ascii ? "ASCII" : "UTF-8");
      break;
    }
    rc = brinei_grow(ctx, &grown, &cap, cnt + 1, sizeof(*arr), MAX_NAMES);
    if(rc) {
      rc = BRINE_FAIL(ctx, rc, BRINE_NOOFF, rc == BRINE_E_LIMIT
                      ? "certificate: more than %d identities"
                      : "certificate: out of memory for %d identities",
                      MAX_NAMES);
      break;
    }
    arr = grown;
    arr[cnt] = brinei_strndup(ctx, (const char *)p, len);
    if(!arr[cnt]) {
      rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "certificate: out of memory for an identity");
      break;
    }
    cnt++;
  }
  GENERAL_NAMES_free(gens);
  if(rc) {
    brinei_strs_free(ctx, arr, cnt);
    return rc;
  }
  *names = arr;
  *n = cnt;
  return BRINE_OK;
}

/* The value of the extension named by dotted, borrowed from c:
   BRINE_E_NOTFOUND (nothing recorded) when absent. */
static brine_result ext_value(struct brine_ctx *ctx,
                              const struct brinei_cert *c,
                              const char *dotted,
                              const ASN1_OCTET_STRING **out)
{
  ASN1_OBJECT *obj = OBJ_txt2obj(dotted, 1);
  int idx, again;
  if(!obj)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_NOMEM,
                            "certificate: cannot make OID %s", dotted);
  idx = X509_get_ext_by_OBJ(c->x, obj, -1);
  again = idx >= 0 ? X509_get_ext_by_OBJ(c->x, obj, idx) : -1;
  ASN1_OBJECT_free(obj);
  if(idx < 0)
    return BRINE_E_NOTFOUND;
  if(again >= 0)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "certificate: extension %s appears twice", dotted);
  *out = X509_EXTENSION_get_data(X509_get_ext(c->x, idx));
  return BRINE_OK;
}

brine_result brinei_cert_oidc_issuer(struct brine_ctx *ctx,
                                     const struct brinei_cert *c,
                                     char **issuer)
{
  const ASN1_OCTET_STRING *v;
  const unsigned char *p;
  const uint8_t *s;
  size_t len;
  char *out;
  brine_result rc = ext_value(ctx, c, OID_ISSUER_V2, &v);
  if(!rc) {
    /* the value is a DER UTF8String (tag 0x0c), nothing after it */
    ASN1_UTF8STRING *u;
    long n = ASN1_STRING_length(v);
    p = ASN1_STRING_get0_data(v);
    u = p && n > 0 ? d2i_ASN1_UTF8STRING(NULL, &p, n) : NULL;
    if(!u || p != ASN1_STRING_get0_data(v) + n ||
       !name_ok(ASN1_STRING_get0_data(u), (size_t)ASN1_STRING_length(u),
                false)) {
      ASN1_UTF8STRING_free(u);
      ERR_clear_error();
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "certificate: the OIDC issuer (%s) is not a "
                        "UTF8String", OID_ISSUER_V2);
    }
    out = brinei_strndup(ctx, (const char *)ASN1_STRING_get0_data(u),
                         (size_t)ASN1_STRING_length(u));
    ASN1_UTF8STRING_free(u);
  } else if(rc == BRINE_E_NOTFOUND) {
    /* the legacy extension: the issuer's bytes as they are */
    rc = ext_value(ctx, c, OID_ISSUER_V1, &v);
    if(rc == BRINE_E_NOTFOUND)
      return BRINE_FAIL(ctx, BRINE_E_NOTFOUND, BRINE_NOOFF,
                        "certificate: no OIDC issuer extension (%s or %s)",
                        OID_ISSUER_V2, OID_ISSUER_V1);
    if(rc)
      return rc;
    s = ASN1_STRING_get0_data(v);
    len = (size_t)ASN1_STRING_length(v);
    if(!name_ok(s, len, true))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "certificate: the OIDC issuer (%s) is not ASCII",
                        OID_ISSUER_V1);
    out = brinei_strndup(ctx, (const char *)s, len);
  } else {
    return rc;
  }
  if(!out)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "certificate: out of memory for the OIDC issuer");
  *issuer = out;
  return BRINE_OK;
}

bool brinei_cert_self_signed(const struct brinei_cert *c)
{
  /* issued by itself (names, key identifiers, key usage), and the
     signature checks out with its own key */
  EVP_PKEY *pk;
  bool yes = X509_check_issued(c->x, c->x) == X509_V_OK &&
             (pk = X509_get0_pubkey(c->x)) != NULL &&
             X509_verify(c->x, pk) == 1;
  ERR_clear_error();
  return yes;
}
