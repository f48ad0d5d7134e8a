/* Worker threads over a task counter: no queue, no allocation per task.
 * Each worker takes the next task number with one atomic increment. */
#include "../internal.h"
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define POOL_MAX_THREADS 64

struct pool {
  brinei_task_fn *fn;
  void *ud;
  size_t ntasks;
  atomic_size_t next;
};

struct worker {
  struct pool *pool;
  unsigned id;
};

static void drain(struct pool *p, unsigned id)
{
  for(;;) {
    size_t t = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    if(t >= p->ntasks)
      return;
    p->fn(p->ud, t, id);
  }
}

static void *worker_main(void *arg)
{
  struct worker *w = arg;
  drain(w->pool, w->id);
  return NULL;
}

unsigned brinei_cpu_count(void)
{
  cpu_set_t set;
  int n;
  if(sched_getaffinity(0, sizeof(set), &set) != 0)
    return 1;
  n = CPU_COUNT(&set);
  return n < 1 ? 1u : (unsigned)n;
}

void brinei_pool_run(unsigned threads, size_t ntasks, brinei_task_fn *fn,
                     void *ud)
{
  struct pool p = {fn, ud, ntasks, 0};
  pthread_t tid[POOL_MAX_THREADS];
  struct worker w[POOL_MAX_THREADS];
  unsigned started = 0;
  if(!threads)
    threads = brinei_cpu_count();
  if(threads > POOL_MAX_THREADS)
    threads = POOL_MAX_THREADS;
  if(threads > ntasks)
    threads = ntasks ? (unsigned)ntasks : 1u;
  for(unsigned i = 1; i < threads; i++) {
    w[started].pool = &p;
    w[started].id = i;
    if(pthread_create(&tid[started], NULL, worker_main, &w[started]))
      break;
    started++;
  }
  drain(&p, 0);
  for(unsigned i = 0; i < started; i++)
    pthread_join(tid[i], NULL);
}
