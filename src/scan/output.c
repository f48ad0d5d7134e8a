/* Scan reports as text (people), JSON (contract.md §6) and SARIF 2.1.0
 * (GitHub code scanning: relative URIs, stable ruleIds,
 * partialFingerprints, security-severity on rules). */
#include "scan_internal.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- text ------------------------------------------------------------ */

static void write_text(const struct brine_scan *s, FILE *out)
{
  size_t counts[5] = { 0 };
  size_t n = brine_scan_nfiles(s);
  for(size_t i = 0; i < n; i++) {
    const struct brine_file_report *r = brine_scan_file(s, i);
    counts[r->verdict]++;
    fprintf(out, "%s: %s (%s)\n", r->path, brine_verdict_name(r->verdict),
            r->format);
    for(size_t k = 0; k < r->nfindings; k++) {
      const struct brine_finding *x = &r->findings[k];
      fprintf(out, "  %-8s %s %s", brine_severity_name(x->severity), x->rule,
              x->rule_name);
      if(x->member[0])
        fprintf(out, " [%s]", x->member);
      if(x->offset != BRINE_NOOFF)
        fprintf(out, " @%llu", (unsigned long long)x->offset);
      if(x->global)
        fprintf(out, " %s (%s)", x->global, brine_use_name(x->use));
      fprintf(out, ": %s\n", x->message);
    }
    if(r->findings_dropped)
      fprintf(out, "  ... %llu more findings not shown (limit findings)\n",
              (unsigned long long)r->findings_dropped);
  }
  fprintf(out, "%zu file%s: %zu safe, %zu unknown, %zu unsafe, %zu error, "
          "%zu unrecognized\n", n, n == 1 ? "" : "s",
          counts[BRINE_VERDICT_SAFE], counts[BRINE_VERDICT_UNKNOWN],
          counts[BRINE_VERDICT_UNSAFE], counts[BRINE_VERDICT_ERROR],
          counts[BRINE_VERDICT_UNRECOGNIZED]);
}

/* ---- JSON ------------------------------------------------------------ */

static _Thread_local struct brine_ctx *out_ctx;  /* brine_scan_write sets */

static json_t *jstr(const char *s)
{
  return brinei_json_str(out_ctx, s);
}

json_t *brinei_json_str(struct brine_ctx *ctx, const char *s)
{
  /* jansson wants UTF-8; paths and messages may hold other bytes, which
     become U+FFFD */
  json_t *v = json_string(s);
  if(!v) {
    struct brinei_sbuf b;
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    brinei_sbuf_init(&b, ctx, 4 * n + 1);
    for(size_t i = 0; i < n; i++) {
      size_t k = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : p[i] >= 0xc2 ? 2
               : p[i] < 0x80 ? 1 : 0;
      if(k && k <= n - i && brinei_utf8_valid(p + i, k, false)) {
        brinei_sbuf_add(&b, p + i, k);
        i += k - 1;
      }
      else
        brinei_sbuf_add(&b, "\xef\xbf\xbd", 3);
    }
    v = b.failed ? NULL : json_string(b.p ? b.p : "");
    brinei_sbuf_free(&b);
  }
  return v;
}

static json_t *finding_json(const struct brine_finding *x)
{
  json_t *o = json_object();
  if(!o)
    return NULL;
  json_object_set_new(o, "rule", json_string(x->rule));
  json_object_set_new(o, "rule_name", json_string(x->rule_name));
  json_object_set_new(o, "severity",
                      json_string(brine_severity_name(x->severity)));
  json_object_set_new(o, "offset", x->offset == BRINE_NOOFF
                                     ? json_null()
                                     : json_integer((json_int_t)x->offset));
  json_object_set_new(o, "member", jstr(x->member));
  json_object_set_new(o, "global", x->global ? jstr(x->global)
                                             : json_null());
  json_object_set_new(o, "use", x->use ? json_string(brine_use_name(x->use))
                                       : json_null());
  json_object_set_new(o, "message", jstr(x->message));
  json_object_set_new(o, "verdict",
                      json_string(brine_verdict_name(x->verdict)));
  return o;
}

static json_t *scan_json(const struct brine_scan *s)
{
  json_t *root = json_object(), *files = json_array(), *sum = json_object();
  size_t counts[5] = { 0 };
  size_t n = brine_scan_nfiles(s);
  if(!root || !files || !sum) {
    json_decref(root);
    json_decref(files);
    json_decref(sum);
    return NULL;
  }
  json_object_set_new(root, "brine_version", json_string(BRINE_VERSION));
  for(size_t i = 0; i < n; i++) {
    const struct brine_file_report *r = brine_scan_file(s, i);
    json_t *fo = json_object(), *mem = json_array(), *fa = json_array();
    counts[r->verdict]++;
    json_object_set_new(fo, "path", jstr(r->path));
    json_object_set_new(fo, "format", json_string(r->format));
    json_object_set_new(fo, "verdict",
                        json_string(brine_verdict_name(r->verdict)));
    for(size_t m = 0; m < r->nmembers; m++) {
      const struct brine_member_report *mr = &r->members[m];
      json_t *mo = json_object(), *mf = json_array();
      json_object_set_new(mo, "member", jstr(mr->member));
      json_object_set_new(mo, "format", json_string(mr->format));
      json_object_set_new(mo, "verdict",
                          json_string(brine_verdict_name(mr->verdict)));
      /* its own findings; those of members inside it are listed there */
      for(size_t k = 0; k < mr->nfindings; k++) {
        const struct brine_finding *x = &r->findings[mr->first_finding + k];
        size_t ml = strlen(mr->member);
        if(!strncmp(x->member, mr->member, ml) &&
           (x->member[ml] == '\0' || x->member[ml] == '#'))
          json_array_append_new(mf, finding_json(x));
      }
      json_object_set_new(mo, "findings", mf);
      json_array_append_new(mem, mo);
    }
    for(size_t k = 0; k < r->nfindings; k++)
      json_array_append_new(fa, finding_json(&r->findings[k]));
    json_object_set_new(fo, "members", mem);
    json_object_set_new(fo, "findings", fa);
    json_object_set_new(fo, "findings_dropped",
                        json_integer((json_int_t)r->findings_dropped));
    json_array_append_new(files, fo);
  }
  json_object_set_new(root, "files", files);
  json_object_set_new(sum, "files", json_integer((json_int_t)n));
  for(int v = BRINE_VERDICT_SAFE; v <= BRINE_VERDICT_UNSAFE; v++)
    json_object_set_new(sum, brine_verdict_name((brine_verdict)v),
                        json_integer((json_int_t)counts[v]));
  json_object_set_new(sum, "unrecognized",
                      json_integer((json_int_t)counts[0]));
  json_object_set_new(root, "summary", sum);
  return root;
}

/* ---- SARIF ----------------------------------------------------------- */

/* A URI relative to base (default: the current directory): repositories
   upload SARIF with paths relative to their root (GitHub rejects absolute
   ones). A path outside base gets ../ segments; percent-encoded. */
static char *rel_uri(const char *path, const char *base)
{
  char cwd[PATH_MAX], abs_base[PATH_MAX], abs_path[PATH_MAX];
  char dir[PATH_MAX];
  const char *p = path, *slash;
  struct brinei_sbuf out;
  brinei_sbuf_init(&out, out_ctx, PATH_MAX * 3 + 1);
  if(!base)
    base = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
  /* resolve the directory part (the file itself may be a link) */
  slash = strrchr(path, '/');
  if(slash && (size_t)(slash - path) < sizeof(dir)) {
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if(!dir[0])
      memcpy(dir, "/", 2);
  }
  else
    memcpy(dir, ".", 2);
  if(realpath(base, abs_base) && realpath(dir, abs_path)) {
    size_t common = 0, i = 0;
    /* longest common directory prefix */
    while(abs_base[i] && abs_base[i] == abs_path[i]) {
      if(abs_base[i] == '/')
        common = i;
      i++;
    }
    if(!abs_base[i] && (abs_path[i] == '/' || !abs_path[i]))
      common = i;
    for(const char *b = abs_base + common; *b; b++)
      if(*b == '/' && !(b == abs_base && !abs_base[1]))
        brinei_sbuf_puts(&out, "../");
    if(abs_path[common] == '/')
      common++;
    if(abs_path[common]) {
      brinei_sbuf_puts(&out, abs_path + common);
      brinei_sbuf_puts(&out, "/");
    }
    p = slash ? slash + 1 : path;
  }
  else
    while(p[0] == '.' && p[1] == '/')
      p += 2;
  {
    /* percent-encode what came from the path */
    struct brinei_sbuf enc;
    const char *q;
    brinei_sbuf_init(&enc, out_ctx, PATH_MAX * 3 + 1);
    brinei_sbuf_puts(&out, p);
    for(q = out.p ? out.p : ""; *q; q++) {
      unsigned char c = (unsigned char)*q;
      if((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || strchr("-._~/", c))
        brinei_sbuf_add(&enc, q, 1);
      else
        brinei_sbuf_printf(&enc, "%%%02X", c);
    }
    brinei_sbuf_free(&out);
    return brinei_sbuf_take(&enc);
  }
}

static uint64_t fnv64(uint64_t h, const char *s)
{
  for(; s && *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  h ^= 0xff;
  h *= 1099511628211ull;
  return h;
}

static json_t *sarif_json(const struct brine_scan *s, const char *base)
{
  json_t *root = json_object(), *runs = json_array(), *run = json_object();
  json_t *driver = json_object(), *rules = json_array(),
         *results = json_array();
  for(size_t i = 0; i < R_COUNT; i++) {
    const struct brinei_rule_info *ri = &brinei_rules[i];
    json_t *r = json_object(), *props = json_object(), *tags = json_array();
    static const char *const level[] = { "note", "warning", "error",
                                         "error" };
    json_object_set_new(r, "id", json_string(ri->id));
    json_object_set_new(r, "name", json_string(ri->name));
    json_object_set_new(r, "shortDescription",
                        json_pack("{s:s}", "text", ri->short_desc));
    json_object_set_new(r, "fullDescription",
                        json_pack("{s:s}", "text", ri->full_desc));
    json_object_set_new(r, "defaultConfiguration",
                        json_pack("{s:s}", "level", level[ri->severity]));
    json_array_append_new(tags, json_string("security"));
    json_array_append_new(tags, json_string("supply-chain"));
    json_object_set_new(props, "tags", tags);
    json_object_set_new(props, "security-severity",
                        json_string(ri->security));
    json_object_set_new(props, "precision", json_string("high"));
    json_object_set_new(r, "properties", props);
    json_array_append_new(rules, r);
  }
  json_object_set_new(driver, "name", json_string("brine"));
  json_object_set_new(driver, "version", json_string(BRINE_VERSION));
  json_object_set_new(driver, "rules", rules);
  json_object_set_new(run, "tool", json_pack("{s:o}", "driver", driver));
  for(size_t i = 0; i < brine_scan_nfiles(s); i++) {
    const struct brine_file_report *fr = brine_scan_file(s, i);
    char *uri = rel_uri(fr->path, base);
    for(size_t k = 0; uri && k < fr->nfindings; k++) {
      const struct brine_finding *x = &fr->findings[k];
      json_t *res = json_object(), *loc = json_object(), *locs = json_array();
      size_t ri = 0;
      char fp[17];
      uint64_t h = 1469598103934665603ull;
      static const char *const level[] = { "note", "warning", "error",
                                           "error" };
      while(ri < R_COUNT && brinei_rules[ri].id != x->rule)
        ri++;
      json_object_set_new(res, "ruleId", json_string(x->rule));
      json_object_set_new(res, "ruleIndex", json_integer((json_int_t)ri));
      json_object_set_new(res, "level", json_string(level[x->severity]));
      json_object_set_new(res, "message",
                          json_pack("{s:o}", "text", jstr(x->message)));
      json_object_set_new(loc, "physicalLocation",
                          json_pack("{s:{s:o,s:s},s:{s:i}}",
                                    "artifactLocation", "uri", jstr(uri),
                                    "uriBaseId", "%SRCROOT%", "region",
                                    "startLine", 1));
      if(x->member[0])
        json_object_set_new(loc, "logicalLocations",
                            json_pack("[{s:o,s:s}]", "fullyQualifiedName",
                                      jstr(x->member), "kind", "member"));
      json_array_append_new(locs, loc);
      json_object_set_new(res, "locations", locs);
      /* stable across runs and library updates: no offsets */
      h = fnv64(h, x->rule);
      h = fnv64(h, uri);
      h = fnv64(h, x->member);
      h = fnv64(h, x->global);
      h = fnv64(h, brine_use_name(x->use));
      snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)h);
      json_object_set_new(res, "partialFingerprints",
                          json_pack("{s:s}", "brineFingerprint/v1", fp));
      if(x->offset != BRINE_NOOFF)
        json_object_set_new(res, "properties",
                            json_pack("{s:I}", "offset",
                                      (json_int_t)x->offset));
      json_array_append_new(results, res);
    }
    brinei_free(out_ctx, uri);
  }
  json_object_set_new(run, "results", results);
  json_object_set_new(run, "automationDetails",
                      json_pack("{s:s}", "id", "brine/scan/"));
  json_array_append_new(runs, run);
  json_object_set_new(root, "$schema",
                      json_string("https://json.schemastore.org/"
                                  "sarif-2.1.0.json"));
  json_object_set_new(root, "version", json_string("2.1.0"));
  json_object_set_new(root, "runs", runs);
  return root;
}

brine_result brine_scan_write(const struct brine_scan *s, FILE *out,
                              brine_output fmt, const char *base)
{
  json_t *doc;
  int r;
  out_ctx = brinei_scan_ctx(s);
  if(fmt == BRINE_OUT_TEXT) {
    write_text(s, out);
    return ferror(out) ? BRINE_E_IO : BRINE_OK;
  }
  doc = fmt == BRINE_OUT_JSON ? scan_json(s) : sarif_json(s, base);
  if(!doc)
    return BRINE_E_NOMEM;
  r = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  if(r == 0)
    fputc('\n', out);
  return r || ferror(out) ? BRINE_E_IO : BRINE_OK;
}
