/* Run a libFuzzer target over files and directories without libFuzzer, so
 * `make check` replays every corpus and every saved crash (SQLite's
 * fuzzcheck). Prints "replay NAME: N passed, 0 failed"; a crash aborts. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long runs;

static void run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;
  if(!f)
    return;
  if(fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
    fclose(f);
    return;
  }
  buf = malloc((size_t)n + 1);
  if(buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    runs++;
  }
  free(buf);
  fclose(f);
}

static void run_path(const char *path)
{
  struct stat st;
  DIR *d;
  struct dirent *e;
  if(stat(path, &st))
    return;
  if(!S_ISDIR(st.st_mode)) {
    run_file(path);
    return;
  }
  d = opendir(path);
  if(!d)
    return;
  while((e = readdir(d)) != NULL) {
    char p[4096];
    if(e->d_name[0] == '.')
      continue;
    snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
    run_path(p);
  }
  closedir(d);
}

int main(int argc, char **argv)
{
  const char *name = strrchr(argv[0], '/');
  for(int i = 1; i < argc; i++)
    run_path(argv[i]);
  printf("replay %s: %lu passed, 0 failed\n", name ? name + 1 : argv[0],
         runs);
  return runs ? 0 : 1;
}
