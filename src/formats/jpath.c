/* JSON paths for messages about values deep in a JSON document (Keras
 * configs, skops schemas). */
#include "formats.h"

#include <stdio.h>

size_t brinei_jpath_push(struct brinei_jpath *p, const char *key,
                         size_t idx)
{
  size_t old = p->len, room = sizeof(p->s) - p->len;
  int n;
  if(room <= 4)
    return old;
  if(key)
    n = snprintf(p->s + p->len, room, "%s%.64s", p->len ? "." : "", key);
  else
    n = snprintf(p->s + p->len, room, "[%zu]", idx);
  if(n < 0 || (size_t)n >= room - 4) {
    memcpy(p->s + sizeof(p->s) - 4, "...", 4);
    p->len = sizeof(p->s) - 1;
  }
  else
    p->len += (size_t)n;
  return old;
}

void brinei_jpath_pop(struct brinei_jpath *p, size_t old)
{
  p->len = old;
  p->s[old] = '\0';
}

const char *brinei_jpath_str(const struct brinei_jpath *p)
{
  return p->len ? p->s : "(top)";
}
