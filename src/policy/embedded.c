/* The allowlist profiles and the deny list, compacted at build time by
 * tools/al_compact.c into one JSON document and embedded here
 * (BRINE_EMBEDDED_ALLOWLISTS is set by the Makefile). */
#include "../internal.h"

__asm__(".section .rodata\n"
        ".global brinei_allowlists_json\n"
        ".balign 16\n"
        "brinei_allowlists_json:\n"
        ".incbin \"" BRINE_EMBEDDED_ALLOWLISTS "\"\n"
        ".byte 0\n"  /* JSON holds no NUL: the document ends here */
        ".previous\n");
