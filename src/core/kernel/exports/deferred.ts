// Deferred work and waiting: timer_list timers, hrtimers, tasklets, workqueues, kernel threads,
// completions and wait queues. Each entry keeps the object's state in its own bytes (a pending
// timer's entry is hashed, a scheduled tasklet has TASKLET_STATE_SCHED set, a queued work item
// has its PENDING bit), so the memory map shows them as the kernel would; the deferred-execution
// engine (kernel/deferred.ts) decides when their callbacks run and in which context.
//
// Blocking calls (wait_for_completion, the wait_event macros' __kmodlab_wait_event, schedule)
// describe what they wait for as a BlockRequest: a kernel thread yields it and is resumed later;
// any other task waits for it where it is.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import type { CallSite } from '../../vm/machine';
import type { I64 } from '../../vm/value';
import { add64, ubig } from '../../vm/value';
import { deferred, ThreadExit } from '../deferred';
import type { BlockRequest, WakeReason } from '../deferred';
import { TICK_NSEC } from '../clock';
import { MIGHT_SLEEP_SITES } from '../report';
import { encodeLatin1 } from '../vfs';

const num = (v: I64): number => (typeof v === 'number' ? v : Number(ubig(v)));
/** Addresses the engine keys objects by (kernel addresses are safe-integer numbers). */
const key = (v: I64): number => (typeof v === 'number' ? v : Number(v));
/** A signed `long` argument (timeouts in jiffies; MAX_SCHEDULE_TIMEOUT is LONG_MAX). */
const long = (v: I64): number => (typeof v === 'number' ? v : Number(BigInt.asIntN(64, v)));
const MAX_SCHEDULE_TIMEOUT = Number.MAX_SAFE_INTEGER;
const ERESTARTSYS = -512;
const ENOMEM = -12;
const TASK_INTERRUPTIBLE = 1;

function mightSleep(k: Kernel, site: CallSite, api: string, fallback: string): void {
  const s = MIGHT_SLEEP_SITES[api];
  k.mightSleep(site, s ? `${s.file}:${s.line}` : fallback, api);
}

/** A timeout in jiffies from now as an absolute time (Infinity for MAX_SCHEDULE_TIMEOUT). */
function deadline(k: Kernel, jiffies: number): number {
  if (jiffies >= MAX_SCHEDULE_TIMEOUT || jiffies >= 2 ** 50) return Infinity;
  return k.k.clock.nanos() + Math.max(0, jiffies) * TICK_NSEC;
}

/** Jiffies left until `until` (at least 1 while time is left, as the kernel's waits return). */
function jiffiesLeft(k: Kernel, until: number): number {
  if (until === Infinity) return MAX_SCHEDULE_TIMEOUT;
  return Math.max(1, Math.ceil((until - k.k.clock.nanos()) / TICK_NSEC));
}

// ---- task_struct ---------------------------------------------------------------------------------

/** Offsets in the virtual <linux/sched.h> `struct task_struct` (the members modules read). */
const TASK = { size: 64, state: 0, pid: 12, tgid: 16, comm: 40, stack: 56 } as const;
const TASK_COMM_LEN = 16;

const taskStructs = new WeakMap<Kernel, Map<string, number>>();

/** The task_struct of a task (created on first use in the kernel's own data), 0 if there is no room. */
export function taskStruct(k: Kernel, task: { pid: number; comm: string }, state = 0): number {
  let m = taskStructs.get(k);
  if (!m) taskStructs.set(k, (m = new Map()));
  const id = `${task.pid}:${task.comm}`;
  let addr = m.get(id);
  if (addr === undefined) {
    addr = key(k.data.object(TASK.size));
    if (addr === 0) return 0;
    m.set(id, addr);
    k.mem.st32(addr + TASK.state, state);
    k.mem.st32(addr + TASK.pid, task.pid);
    k.mem.st32(addr + TASK.tgid, task.pid);
    const comm = encodeLatin1(task.comm.slice(0, TASK_COMM_LEN - 1));
    k.mem.writeBytes(addr + TASK.comm, comm);
  }
  return addr;
}

/** Pids of kernel threads a module creates (after insmod's 93 and rmmod's 94). */
const FIRST_KTHREAD_PID = 95;
const nextPids = new WeakMap<Kernel, number>();

// ---- completions and wait queues --------------------------------------------------------------------

/** struct completion: `unsigned int done` first; UINT_MAX after complete_all(). */
const COMPLETE_ALL = 0xffffffff;

function completionWait(k: Kernel, x: I64, timeout: number, state: 'D' | 'S', api: string, ret: (why: WakeReason, until: number) => I64): I64 {
  const until = deadline(k, timeout);
  const req: BlockRequest = {
    api, until, state,
    cond: () => k.mem.ld32(x) !== 0,
    result: (why) => {
      if (why === 'cond' || k.mem.ld32(x) !== 0) {
        const done = k.mem.ld32(x) >>> 0;
        if (done !== COMPLETE_ALL) k.mem.st32(x, done - 1);
        return ret('cond', until);
      }
      return ret(why, until);
    },
  };
  return deferred(k).block(req);
}

/** Each wake-up of a wait queue counts, so a waiter knows it was woken since it went to sleep. */
const wakeups = new WeakMap<Kernel, Map<number, number>>();

function wakeCount(k: Kernel, wq: number): number {
  return wakeups.get(k)?.get(wq) ?? 0;
}

function completionEntry(name: string, proto: string, doc: string, timeout: (a: I64[]) => number, state: 'D' | 'S', ret: (k: Kernel, why: WakeReason, until: number) => I64): KernelExport {
  return {
    name, header: 'linux/completion.h', proto, doc, sleeps: 'always', blocks: true, derefs: [0],
    impl: (k, a, site) => {
      mightSleep(k, site, name, 'kernel/sched/completion.c:101');
      if (k.mem.ld32(a[0]) === 0) k.schedule(site, name);
      return completionWait(k, a[0], timeout(a), state, name, (why, until) => ret(k, why, until));
    },
  };
}

// ---- the table -----------------------------------------------------------------------------------

export const DEFERRED_EXPORTS: KernelExport[] = [
  // timer_list
  {
    name: 'init_timer_key', header: 'linux/timer.h', proto: 'void init_timer_key(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags, const char *name, void *key)',
    doc: 'timer_setup(): prepare a timer; its callback runs in softirq context (it must not sleep).', derefs: [0], callbacks: [{ arg: 1, context: 'timer' }],
    impl: (k, a) => {
      const t = a[0];
      k.mem.st64(t, 0);
      k.mem.st64(add64(t, 8), 0);
      k.mem.st64(add64(t, 24), a[1]);
      k.mem.st32(add64(t, 32), num(a[2]));
      return undefined;
    },
  },
  {
    name: 'mod_timer', header: 'linux/timer.h', proto: 'int mod_timer(struct timer_list *timer, unsigned long expires)', doc: 'Arm (or re-arm) a timer to fire at `expires` jiffies; 1 if it was pending.', derefs: [0],
    impl: (k, a, site) => (deferred(k).armTimer(key(a[0]), a[1], site.span) ? 1 : 0),
  },
  {
    name: 'add_timer', header: 'linux/timer.h', proto: 'void add_timer(struct timer_list *timer)', doc: 'Arm a timer at its `expires` field.', derefs: [0],
    impl: (k, a, site) => {
      deferred(k).armTimer(key(a[0]), k.mem.ld64(add64(a[0], 16)), site.span);
      return undefined;
    },
  },
  {
    name: 'timer_reduce', header: 'linux/timer.h', proto: 'int timer_reduce(struct timer_list *timer, unsigned long expires)', doc: 'Move a timer earlier (never later); 1 if it was pending.', derefs: [0],
    impl: (k, a, site) => {
      const d = deferred(k);
      const t = key(a[0]);
      if (d.timerPending(t) && long(k.mem.ld64(add64(a[0], 16))) - long(a[1]) <= 0) return 1;
      return d.armTimer(t, a[1], site.span) ? 1 : 0;
    },
  },
  {
    name: 'del_timer', header: 'linux/timer.h', proto: 'int del_timer(struct timer_list *timer)', doc: 'Deactivate a timer; 1 if it was pending. The callback may still be running elsewhere: use del_timer_sync() before freeing.', derefs: [0],
    impl: (k, a) => (deferred(k).cancelTimer(key(a[0])) ? 1 : 0),
  },
  {
    name: 'del_timer_sync', header: 'linux/timer.h', proto: 'int del_timer_sync(struct timer_list *timer)', doc: 'Deactivate a timer and wait for a running callback to finish; 1 if it was pending. Not from the timer itself or under a lock it takes.', derefs: [0],
    impl: (k, a) => (deferred(k).cancelTimer(key(a[0])) ? 1 : 0),
  },
  // hrtimer
  {
    name: 'hrtimer_init', header: 'linux/hrtimer.h', proto: 'void hrtimer_init(struct hrtimer *timer, clockid_t which_clock, enum hrtimer_mode mode)', doc: 'Prepare a high-resolution timer; set ->function before starting it. Its callback runs in hard interrupt context.', derefs: [0],
    impl: (k, a) => {
      k.mem.fill(a[0], 0, 64);
      return undefined;
    },
  },
  {
    name: 'hrtimer_start_range_ns', header: 'linux/hrtimer.h', proto: 'void hrtimer_start_range_ns(struct hrtimer *timer, ktime_t tim, u64 range_ns, const enum hrtimer_mode mode)',
    doc: 'hrtimer_start(): fire at `tim` (absolute, or relative to now with HRTIMER_MODE_REL).', derefs: [0], callbacks: [],
    impl: (k, a, site) => {
      deferred(k).armHrtimer(key(a[0]), long(a[1]), (num(a[3]) & 1) !== 0, site.span);
      return undefined;
    },
  },
  {
    name: 'hrtimer_cancel', header: 'linux/hrtimer.h', proto: 'int hrtimer_cancel(struct hrtimer *timer)', doc: 'Stop an hrtimer, waiting for a running callback; 1 if it was active.', derefs: [0],
    impl: (k, a) => (deferred(k).cancelHrtimer(key(a[0])) ? 1 : 0),
  },
  {
    name: 'hrtimer_try_to_cancel', header: 'linux/hrtimer.h', proto: 'int hrtimer_try_to_cancel(struct hrtimer *timer)', doc: 'Stop an hrtimer if its callback is not running: 1 if it was active, 0 if not, -1 if the callback runs.', derefs: [0],
    impl: (k, a) => (deferred(k).cancelHrtimer(key(a[0])) ? 1 : 0),
  },
  {
    name: 'hrtimer_active', header: 'linux/hrtimer.h', proto: 'bool hrtimer_active(const struct hrtimer *timer)', doc: 'Whether the hrtimer is queued or its callback is running.', derefs: [0],
    impl: (k, a) => (deferred(k).hrtimerActive(key(a[0])) ? 1 : 0),
  },
  {
    name: 'hrtimer_forward', header: 'linux/hrtimer.h', proto: 'u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval)', doc: 'Push the expiry forward by whole intervals past `now`; returns the number of intervals (overruns).', derefs: [0],
    impl: (k, a) => {
      const exp = long(k.mem.ld64(add64(a[0], 24)));
      const now = long(a[1]);
      const interval = Math.max(1, long(a[2]));
      if (now < exp) return 0;
      const n = Math.floor((now - exp) / interval) + 1;
      const next = exp + n * interval;
      k.mem.st64(add64(a[0], 24), next);
      k.mem.st64(add64(a[0], 32), next);
      return n;
    },
  },
  // tasklets
  {
    name: 'tasklet_setup', header: 'linux/interrupt.h', proto: 'void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *))', doc: 'Prepare a tasklet; it runs in softirq context (it must not sleep).', derefs: [0], callbacks: [{ arg: 1, context: 'tasklet' }],
    impl: (k, a) => {
      k.mem.fill(a[0], 0, 40);
      k.mem.st8(add64(a[0], 20), 1);
      k.mem.st64(add64(a[0], 24), a[1]);
      return undefined;
    },
  },
  {
    name: 'tasklet_init', header: 'linux/interrupt.h', proto: 'void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data)', doc: 'Prepare a tasklet with an old-style callback and its data.', derefs: [0], callbacks: [{ arg: 1, context: 'tasklet' }],
    impl: (k, a) => {
      k.mem.fill(a[0], 0, 40);
      k.mem.st64(add64(a[0], 24), a[1]);
      k.mem.st64(add64(a[0], 32), a[2]);
      return undefined;
    },
  },
  {
    name: 'tasklet_schedule', header: 'linux/interrupt.h', proto: 'void tasklet_schedule(struct tasklet_struct *t)', doc: 'Run the tasklet soon, once, in softirq context.', derefs: [0],
    impl: (k, a) => {
      deferred(k).scheduleTasklet(key(a[0]));
      return undefined;
    },
  },
  {
    name: 'tasklet_kill', header: 'linux/interrupt.h', proto: 'void tasklet_kill(struct tasklet_struct *t)', doc: 'Wait for a scheduled tasklet to run and keep it from being scheduled again; may sleep.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightSleep(k, site, 'tasklet_kill', 'kernel/softirq.c:882');
      deferred(k).killTasklet(key(a[0]));
      return undefined;
    },
  },
  // workqueues
  {
    name: 'system_wq', header: 'linux/workqueue.h', proto: 'struct workqueue_struct *system_wq', doc: 'The system workqueue that schedule_work() uses (its workers are kworker/N:M).',
    data: { size: 8, init: (k, addr) => k.mem.st64(addr, systemQueue(k, 'events', 0)) },
  },
  {
    name: 'system_unbound_wq', header: 'linux/workqueue.h', proto: 'struct workqueue_struct *system_unbound_wq', doc: 'The system workqueue whose workers are not bound to a CPU.',
    data: { size: 8, init: (k, addr) => k.mem.st64(addr, systemQueue(k, 'events_unbound', 1 << 1)) },
  },
  {
    name: 'alloc_workqueue', header: 'linux/workqueue.h', proto: 'struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...)',
    doc: 'Create a workqueue (create_workqueue() and alloc_ordered_workqueue() call this); NULL on failure. Destroy it with destroy_workqueue().', sleeps: 'always', nullable: true,
    impl: (k, a, site) => {
      mightSleep(k, site, 'kmalloc', 'include/linux/sched/mm.h:274');
      const wq = k.k.mm.kmalloc(WORKQUEUE_STRUCT_SIZE, 0xcc0 | 0x100, site);
      if (wq === 0) return 0;
      const name = k.k.format(k.cstring(a[0]) ?? '', a.slice(3)).slice(0, WQ_NAME_LEN - 1);
      k.mem.writeBytes(add64(wq, WQ_NAME_OFFSET), encodeLatin1(name));
      deferred(k).registerWorkqueue(key(wq), name, num(a[1]));
      return wq;
    },
  },
  {
    name: 'destroy_workqueue', header: 'linux/workqueue.h', proto: 'void destroy_workqueue(struct workqueue_struct *wq)', doc: 'Drain (run what is queued) and destroy a workqueue; may sleep.', sleeps: 'always',
    impl: (k, a, site) => {
      mightSleep(k, site, 'destroy_workqueue', 'kernel/workqueue.c:4535');
      const d = deferred(k);
      d.flushQueue(key(a[0]), true);
      const rec = d.workqueues.get(key(a[0]));
      if (rec) rec.destroyed = true;
      k.k.mm.kfree(a[0], site);
      return undefined;
    },
  },
  {
    name: 'flush_workqueue', header: 'linux/workqueue.h', proto: 'void flush_workqueue(struct workqueue_struct *wq)', doc: 'Wait until every work item queued so far has run; sleeps.', sleeps: 'always',
    impl: (k, a, site) => {
      mightSleep(k, site, 'flush_workqueue', 'kernel/workqueue.c:2826');
      deferred(k).flushQueue(key(a[0]));
      return undefined;
    },
  },
  {
    name: 'drain_workqueue', header: 'linux/workqueue.h', proto: 'void drain_workqueue(struct workqueue_struct *wq)', doc: 'Flush until the workqueue is empty, including work queued by the work itself; sleeps.', sleeps: 'always',
    impl: (k, a, site) => {
      mightSleep(k, site, 'drain_workqueue', 'kernel/workqueue.c:2981');
      deferred(k).flushQueue(key(a[0]), true);
      return undefined;
    },
  },
  {
    name: 'queue_work', header: 'linux/workqueue.h', proto: 'bool queue_work(struct workqueue_struct *wq, struct work_struct *work)', doc: 'Queue a work item (it runs later in a kworker thread, process context); false if it was already pending.', derefs: [1], callbacks: [],
    impl: (k, a) => (deferred(k).queueWork(key(a[0]), key(a[1])) ? 1 : 0),
  },
  {
    name: 'schedule_work', header: 'linux/workqueue.h', proto: 'bool schedule_work(struct work_struct *work)', doc: 'Queue a work item on the system workqueue; false if it was already pending.', derefs: [0],
    impl: (k, a) => (deferred(k).queueWork(systemQueue(k, 'events', 0), key(a[0])) ? 1 : 0),
  },
  {
    name: 'queue_delayed_work', header: 'linux/workqueue.h', proto: 'bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay)', doc: 'Queue a work item after `delay` jiffies; false if it was already pending.', derefs: [1],
    impl: (k, a, site) => (deferred(k).queueDelayed(key(a[0]), key(a[1]), a[2], site.span) ? 1 : 0),
  },
  {
    name: 'schedule_delayed_work', header: 'linux/workqueue.h', proto: 'bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)', doc: 'Queue a work item on the system workqueue after `delay` jiffies; false if it was already pending.', derefs: [0],
    impl: (k, a, site) => (deferred(k).queueDelayed(systemQueue(k, 'events', 0), key(a[0]), a[1], site.span) ? 1 : 0),
  },
  {
    name: 'mod_delayed_work', header: 'linux/workqueue.h', proto: 'bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay)', doc: 'Queue a delayed work item, or move its timer if it is pending; true if it was pending.', derefs: [1],
    impl: (k, a, site) => (deferred(k).modDelayed(key(a[0]), key(a[1]), a[2], site.span) ? 1 : 0),
  },
  {
    name: 'cancel_work_sync', header: 'linux/workqueue.h', proto: 'bool cancel_work_sync(struct work_struct *work)', doc: 'Cancel a work item and wait for it if it runs; true if it was pending. Sleeps.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightSleep(k, site, 'cancel_work_sync', 'kernel/workqueue.c:3215');
      return deferred(k).cancelWork(key(a[0])) ? 1 : 0;
    },
  },
  {
    name: 'cancel_delayed_work', header: 'linux/workqueue.h', proto: 'bool cancel_delayed_work(struct delayed_work *dwork)', doc: 'Cancel a delayed work item that has not started; true if it was pending.', derefs: [0],
    impl: (k, a) => (deferred(k).cancelWork(key(a[0])) ? 1 : 0),
  },
  {
    name: 'cancel_delayed_work_sync', header: 'linux/workqueue.h', proto: 'bool cancel_delayed_work_sync(struct delayed_work *dwork)', doc: 'Cancel a delayed work item and wait for it if it runs; true if it was pending. Sleeps.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightSleep(k, site, 'cancel_delayed_work_sync', 'kernel/workqueue.c:3215');
      return deferred(k).cancelWork(key(a[0])) ? 1 : 0;
    },
  },
  {
    name: 'flush_work', header: 'linux/workqueue.h', proto: 'bool flush_work(struct work_struct *work)', doc: 'Wait for a work item to finish running; true if there was something to wait for. Sleeps.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightSleep(k, site, 'flush_work', 'kernel/workqueue.c:3115');
      return deferred(k).flushWork(key(a[0])) ? 1 : 0;
    },
  },
  {
    name: 'flush_delayed_work', header: 'linux/workqueue.h', proto: 'bool flush_delayed_work(struct delayed_work *dwork)', doc: 'Run a pending delayed work item now and wait for it; sleeps.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightSleep(k, site, 'flush_work', 'kernel/workqueue.c:3115');
      return deferred(k).flushWork(key(a[0]), true) ? 1 : 0;
    },
  },
  // kernel threads
  {
    name: 'kthread_create_on_node', header: 'linux/kthread.h', proto: 'struct task_struct *kthread_create_on_node(int (*threadfn)(void *data), void *data, int node, const char namefmt[], ...)',
    doc: 'kthread_create(): a new kernel thread, asleep until wake_up_process() (kthread_run() does both). Its function runs in process context and may sleep.', sleeps: 'always', errPtr: true, callbacks: [{ arg: 0, context: 'process' }],
    impl: (k, a, site) => {
      mightSleep(k, site, 'kthread_create_on_node', 'kernel/sched/completion.c:101');
      const pid = nextPids.get(k) ?? FIRST_KTHREAD_PID;
      nextPids.set(k, pid + 1);
      const comm = k.k.format(k.cstring(a[3]) ?? '', a.slice(4)).slice(0, TASK_COMM_LEN - 1);
      const task = { pid, comm };
      const addr = taskStruct(k, task, 2);
      if (addr === 0) return ENOMEM;
      const stack = k.k.stackAlloc(k.options.stackBytes);
      k.mem.st64(addr + TASK.stack, stack.base);
      const module = k.machine.lookup(a[0]);
      deferred(k).addThread({
        addr, task, fn: a[0], data: a[1], state: 'created', stopRequested: false, woken: false, result: 0, span: site.span, stack,
        module: module?.kind === 'module' ? module.module : undefined, tail: TAILS_KTHREAD, ctx: {},
        machine: { frames: [], sp: stack.top, bottom: stack.bottom, top: stack.top },
      });
      return addr;
    },
  },
  {
    name: 'wake_up_process', header: 'linux/sched.h', proto: 'int wake_up_process(struct task_struct *p)', doc: 'Wake a sleeping task (a new kthread starts running); 1 if it was asleep.', derefs: [0],
    impl: (k, a) => deferred(k).wake(key(a[0])),
  },
  {
    name: 'kthread_stop', header: 'linux/kthread.h', proto: 'int kthread_stop(struct task_struct *k)', doc: 'Tell a kthread to stop (kthread_should_stop() turns true), wake it and wait for it to return; its return value, or -EINTR if it never ran.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightSleep(k, site, 'kthread_stop', 'kernel/sched/completion.c:101');
      return deferred(k).stop(key(a[0]));
    },
  },
  {
    name: 'kthread_should_stop', header: 'linux/kthread.h', proto: 'bool kthread_should_stop(void)', doc: 'In a kthread: whether kthread_stop() was called for it (the thread function should return).',
    impl: (k) => (deferred(k).threadOf(k.task)?.stopRequested ? 1 : 0),
  },
  {
    name: 'kthread_complete_and_exit', header: 'linux/kthread.h', proto: 'void kthread_complete_and_exit(struct completion *comp, long code)', doc: 'Complete `comp` and end the calling kthread with `code`.', noreturn: true,
    impl: (k, a) => {
      if (num(a[0]) !== 0) completeOne(k, a[0], true);
      throw new ThreadExit(a[1]);
    },
  },
  {
    name: 'get_current', header: 'linux/sched.h', proto: 'struct task_struct *get_current(void)', doc: 'current: the task_struct of the task that runs this code.',
    impl: (k) => taskStruct(k, k.task),
  },
  {
    name: 'schedule', header: 'linux/sched.h', proto: 'void schedule(void)', doc: 'Give up the CPU. With the task state set to TASK_(UN)INTERRUPTIBLE first, sleep until woken.', sleeps: 'always', blocks: true,
    impl: (k, _a, site) => {
      k.schedule(site, 'schedule');
      scheduleTimeout(k, MAX_SCHEDULE_TIMEOUT, 'schedule');
      return undefined;
    },
  },
  {
    name: 'schedule_timeout', header: 'linux/sched.h', proto: 'long schedule_timeout(long timeout)', doc: 'Sleep for up to `timeout` jiffies (set the task state first); the jiffies left when woken early, else 0.', sleeps: 'always', blocks: true,
    impl: (k, a, site) => {
      k.schedule(site, 'schedule_timeout');
      return scheduleTimeout(k, long(a[0]), 'schedule_timeout');
    },
  },
  // completions
  {
    name: 'complete', header: 'linux/completion.h', proto: 'void complete(struct completion *x)', doc: 'Signal a completion: one waiter (or the next) goes on.', derefs: [0],
    impl: (k, a) => {
      completeOne(k, a[0], false);
      return undefined;
    },
  },
  {
    name: 'complete_all', header: 'linux/completion.h', proto: 'void complete_all(struct completion *x)', doc: 'Signal a completion for good: every waiter, now and later, goes on (until reinit_completion()).', derefs: [0],
    impl: (k, a) => {
      completeOne(k, a[0], true);
      return undefined;
    },
  },
  completionEntry('wait_for_completion', 'void wait_for_completion(struct completion *x)', 'Sleep (uninterruptibly) until the completion is signalled.', () => MAX_SCHEDULE_TIMEOUT, 'D', () => 0),
  completionEntry('wait_for_completion_timeout', 'unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)', 'Wait at most `timeout` jiffies: 0 on timeout, else the jiffies left (at least 1).', (a) => long(a[1]), 'D',
    (k, why, until) => (why === 'cond' ? jiffiesLeft(k, until) : 0)),
  completionEntry('wait_for_completion_interruptible', 'int wait_for_completion_interruptible(struct completion *x)', 'Wait until signalled or a signal arrives: 0, or -ERESTARTSYS.', () => MAX_SCHEDULE_TIMEOUT, 'S',
    (_k, why) => (why === 'cond' ? 0 : ERESTARTSYS)),
  completionEntry('wait_for_completion_interruptible_timeout', 'long wait_for_completion_interruptible_timeout(struct completion *x, unsigned long timeout)', 'Wait at most `timeout` jiffies, or until a signal: jiffies left, 0 on timeout, -ERESTARTSYS.', (a) => long(a[1]), 'S',
    (k, why, until) => (why === 'cond' ? jiffiesLeft(k, until) : why === 'signal' ? ERESTARTSYS : 0)),
  completionEntry('wait_for_completion_killable', 'int wait_for_completion_killable(struct completion *x)', 'Wait until signalled or the task is killed: 0, or -ERESTARTSYS.', () => MAX_SCHEDULE_TIMEOUT, 'D',
    (_k, why) => (why === 'cond' ? 0 : ERESTARTSYS)),
  {
    name: 'try_wait_for_completion', header: 'linux/completion.h', proto: 'bool try_wait_for_completion(struct completion *x)', doc: 'Take the completion if it is signalled, without sleeping: true if taken.', derefs: [0],
    impl: (k, a) => {
      const done = k.mem.ld32(a[0]) >>> 0;
      if (done === 0) return 0;
      if (done !== COMPLETE_ALL) k.mem.st32(a[0], done - 1);
      return 1;
    },
  },
  {
    name: 'completion_done', header: 'linux/completion.h', proto: 'bool completion_done(struct completion *x)', doc: 'Whether a wait would not block (the completion is signalled).', derefs: [0],
    impl: (k, a) => (k.mem.ld32(a[0]) !== 0 ? 1 : 0),
  },
  // wait queues
  {
    name: '__wake_up', header: 'linux/wait.h', proto: 'int __wake_up(struct wait_queue_head *wq_head, unsigned int mode, int nr, void *key)', doc: 'wake_up(): wake the tasks sleeping on a wait queue so they re-check their condition.', derefs: [0],
    impl: (k, a) => {
      const wq = key(a[0]);
      let m = wakeups.get(k);
      if (!m) wakeups.set(k, (m = new Map()));
      m.set(wq, (m.get(wq) ?? 0) + 1);
      return 0;
    },
  },
  {
    name: '__kmodlab_wait_event', header: 'linux/wait.h', proto: 'long __kmodlab_wait_event(struct wait_queue_head *wq_head, int state, long timeout)',
    doc: 'The sleep inside the wait_event macros: until the queue is woken or `timeout` jiffies pass; returns the jiffies left, 0 when they ran out, -ERESTARTSYS for a signal.', sleeps: 'always', blocks: true, derefs: [0],
    impl: (k, a, site) => {
      k.schedule(site, 'wait_event');
      const wq = key(a[0]);
      const seen = wakeCount(k, wq);
      const until = deadline(k, long(a[2]));
      const interruptible = (num(a[1]) & TASK_INTERRUPTIBLE) !== 0;
      // wake_up() on the queue, or wake_up_process() on the task (kthread_stop()), ends the sleep:
      // the macro then re-checks its condition.
      return deferred(k).block({
        api: 'wait_event', until, state: interruptible ? 'S' : 'D', wakeable: true,
        cond: () => wakeCount(k, wq) !== seen,
        result: (why) => (why === 'timeout' ? 0 : why === 'signal' ? ERESTARTSYS : jiffiesLeft(k, until)),
      });
    },
  },
];

/** complete() / complete_all(): done counts up (or saturates), and the waiters' conditions hold. */
function completeOne(k: Kernel, x: I64, all: boolean): void {
  const done = k.mem.ld32(x) >>> 0;
  if (all) k.mem.st32(x, COMPLETE_ALL);
  else if (done !== COMPLETE_ALL) k.mem.st32(x, done + 1);
}

/** schedule_timeout() in the state the task set: interruptible sleeps end early on wake_up_process(). */
function scheduleTimeout(k: Kernel, timeout: number, api: string): number {
  const cur = taskStruct(k, k.task);
  const state = cur ? k.mem.ld32(cur + TASK.state) : 0;
  if (cur) k.mem.st32(cur + TASK.state, 0);
  if (state === 0) {
    // TASK_RUNNING: the task only yields the CPU. A kthread that polls this way lets the others run
    // for a tick; any other task goes on at once.
    const d = deferred(k);
    if (d.threadOf(k.task)?.gen) d.block({ api, until: k.k.clock.nanos() + TICK_NSEC, state: 'S', wakeable: true, result: () => 0 });
    return timeout >= MAX_SCHEDULE_TIMEOUT ? MAX_SCHEDULE_TIMEOUT : 0;
  }
  const until = deadline(k, timeout);
  return key(deferred(k).block({
    api, until, state: 'S', wakeable: true,
    result: (why) => (why === 'timeout' ? 0 : jiffiesLeft(k, until)),
  }));
}

/** Kernel frames below a kthread's function in call traces. */
const TAILS_KTHREAD = [
  { fn: 'kthread', offset: 0xe6, size: 0x110 },
  { fn: 'ret_from_fork', offset: 0x1f, size: 0x30 },
];

/** Size of the workqueue_struct alloc_workqueue() allocates, and where its name lives in it. */
const WORKQUEUE_STRUCT_SIZE = 256;
const WQ_NAME_OFFSET = 168;
const WQ_NAME_LEN = 24;

/** The system workqueues (kernel objects in the kernel's own data). */
function systemQueue(k: Kernel, name: string, flags: number): number {
  const d = deferred(k);
  for (const w of d.workqueues.values()) if (w.name === name) return w.addr;
  const addr = key(k.data.object(WORKQUEUE_STRUCT_SIZE));
  if (addr !== 0) k.mem.writeBytes(addr + WQ_NAME_OFFSET, encodeLatin1(name));
  d.registerWorkqueue(addr, name, flags);
  return addr;
}

