/* Build step: compact the allowlist profiles and the deny list into the one
 * document embedded in libbrine (build/gen/allowlists.json). Only what the
 * judge reads at run time is kept (global, use, args); reasons and sources
 * stay in allowlists/ and are checked here and by tests/check_allowlists.py.
 * Usage: al_compact OUT DENYLIST.json PROFILE.json...
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *file, const char *what)
{
  fprintf(stderr, "al_compact: %s: %s\n", file, what);
  return 1;
}

int main(int argc, char **argv)
{
  json_t *entries = json_array(), *out, *deny;
  json_error_t err;
  if(argc < 4)
    return fail("usage", "al_compact OUT DENYLIST.json PROFILE.json...");
  deny = json_load_file(argv[2], JSON_REJECT_DUPLICATES, &err);
  if(!deny || !json_is_array(json_object_get(deny, "modules")) ||
     !json_is_array(json_object_get(deny, "names")))
    return fail(argv[2], deny ? "no modules/names arrays" : err.text);
  for(int i = 3; i < argc; i++) {
    json_t *doc = json_load_file(argv[i], JSON_REJECT_DUPLICATES, &err);
    json_t *list, *e;
    size_t k;
    if(!doc)
      return fail(argv[i], err.text);
    list = json_object_get(doc, "entries");
    if(!json_is_array(list))
      return fail(argv[i], "no entries array");
    json_array_foreach(list, k, e) {
      json_t *g = json_object_get(e, "global"), *u = json_object_get(e, "use");
      json_t *a = json_object_get(e, "args"), *o;
      if(!json_is_string(g) || !json_is_string(u))
        return fail(argv[i], "an entry lacks global or use");
      if(!strcmp(json_string_value(u), "call") &&
         !json_is_string(json_object_get(e, "reason")))
        return fail(json_string_value(g), "a call entry needs a reason");
      o = json_pack("{s:O,s:O}", "global", g, "use", u);
      if(a)
        json_object_set(o, "args", a);
      json_array_append_new(entries, o);
    }
    json_decref(doc);
  }
  {
    /* the reasoned exceptions: names the shipped profiles allow although
       a peer's deny list names their whole module */
    json_t *exc = json_array(), *x;
    size_t k;
    json_array_foreach(json_object_get(deny, "exceptions"), k, x) {
      json_t *g = json_object_get(x, "global");
      if(!json_is_string(g) ||
         !json_is_string(json_object_get(x, "reason")))
        return fail(argv[2], "an exception needs a global and a reason");
      json_array_append(exc, g);
    }
    out = json_pack("{s:o,s:{s:O,s:O,s:o}}", "entries", entries, "deny",
                    "modules", json_object_get(deny, "modules"), "names",
                    json_object_get(deny, "names"), "exceptions", exc);
  }
  if(!out || json_dump_file(out, argv[1], JSON_COMPACT))
    return fail(argv[1], "cannot write");
  json_decref(out);
  json_decref(deny);
  return 0;
}
