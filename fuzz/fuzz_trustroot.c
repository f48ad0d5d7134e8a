/* libFuzzer target: a Sigstore trusted root (sign/trustroot.c), read
 * strictly, then every log looked up by its own id and every validity
 * window probed at its ends, as verification does. Nothing may leak or
 * crash. */
#include <stdint.h>
#include <stdlib.h>

#include "sign/trustroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const struct brinei_log *logs, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    const struct brinei_log *l = &logs[i];
    const struct brinei_log *f =
        brinei_trustroot_find_log(logs, n, l->log_id, l->log_id_len);
    if(!f || f > l || !l->key || !l->base_url ||
       l->log_id_len < 1 || l->log_id_len > sizeof(l->log_id))
      abort();  /* found: this one or an earlier one with the same id */
    if(!brinei_validity_contains(&l->valid, l->valid.start) ||
       !brinei_validity_contains(&l->valid, l->valid.end) ||
       (l->valid.start > INT64_MIN &&
        brinei_validity_contains(&l->valid, l->valid.start - 1)))
      abort();  /* inclusive at both ends, end >= start */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct brine_limits lim = brine_limits_default();
  struct brinei_trustroot tr;
  struct brine_ctx *ctx;
  lim.memory = 256u << 20;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  if(!brinei_trustroot_parse(ctx, (const char *)data, size, &tr)) {
    probe(tr.tlogs, tr.ntlogs);
    probe(tr.ctlogs, tr.nctlogs);
    for(size_t i = 0; i < tr.ncas; i++)
      if(!tr.cas[i].ncerts || !tr.cas[i].uri)
        abort();
    for(size_t i = 0; i < tr.ntsas; i++)
      if(!tr.tsas[i].ncerts || !tr.tsas[i].uri)
        abort();
    brinei_trustroot_free(ctx, &tr);
  }
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything given back */
  brine_ctx_free(ctx);
  return 0;
}
