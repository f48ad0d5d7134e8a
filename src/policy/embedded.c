/* The allowlist image (src/policy/image.c), built from allowlists/ by
 * tools/al_compile.c and embedded here; BRINE_EMBEDDED_ALLOWLISTS is set by
 * the Makefile. */
#include "../internal.h"

__asm__(".section .rodata\n"
        ".global brinei_allowlists_image\n"
        ".global brinei_allowlists_image_end\n"
        ".balign 16\n"
        "brinei_allowlists_image:\n"
        ".incbin \"" BRINE_EMBEDDED_ALLOWLISTS "\"\n"
        "brinei_allowlists_image_end:\n"
        ".previous\n");
