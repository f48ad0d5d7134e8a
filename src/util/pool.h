/* A fixed pool of worker threads over a numbered list of tasks.
 *
 * brinei_pool_run() calls fn(ud, task, worker) once for every task in
 * [0, ntasks), spread over `threads` workers (the caller's thread is worker
 * 0); tasks are handed out in ascending order as workers free up, so put
 * the biggest tasks first for the best balance. It returns when every task
 * has run. fn must not touch a struct brine_ctx shared with other workers:
 * give each worker its own (indexed by `worker`, < threads).
 */
#ifndef BRINE_UTIL_POOL_H
#define BRINE_UTIL_POOL_H

#include <stddef.h>

typedef void brinei_task_fn(void *ud, size_t task, unsigned worker);

/* Cores this process may use (sched_getaffinity), at least 1. */
unsigned brinei_cpu_count(void);

/* threads 0 means brinei_cpu_count(); capped at ntasks. When a thread
   cannot be started the remaining workers (at least the caller) do its
   share, so every task still runs. */
void brinei_pool_run(unsigned threads, size_t ntasks, brinei_task_fn *fn,
                     void *ud);

#endif
