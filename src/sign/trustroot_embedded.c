/* The Sigstore public-good production trusted root
 * (src/sign/trusted_root.production.json, sha256 6494e21e…, identical to
 * the TUF target of tuf-repo-cdn.sigstore.dev), embedded so that
 * verification never needs the network. BRINE_PRODUCTION_ROOT is set by
 * the Makefile. */
#include "../internal.h"

__asm__(".section .rodata\n"
        ".global brinei_production_root\n"
        ".global brinei_production_root_end\n"
        "brinei_production_root:\n"
        ".incbin \"" BRINE_PRODUCTION_ROOT "\"\n"
        "brinei_production_root_end:\n"
        ".previous\n");
