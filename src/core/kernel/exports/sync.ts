// Locking, execution context, sleeping and debugging: spinlocks (with _irq, _irqsave and _bh),
// rwlocks, mutexes, semaphores, preempt_*/local_irq_*/rcu_read_*, msleep and friends, BUG/WARN,
// and the CONFIG_DEBUG_LIST validators that <linux/list.h> calls. Locks keep their state in the
// lock's own bytes, so the memory map shows a held spinlock as the kernel would: a spinlock word is
// 1 when held, an rwlock counts readers in units of 0x200 and is 0xff for a writer (qrwlock), a
// mutex's owner is the holder's task_struct, a semaphore its count. Lockdep (kernel/lockdep.ts)
// sees every acquisition first. Sleeps and contended mutexes and semaphores block through the
// deferred engine: a kernel thread yields and is resumed later (kernel/deferred.ts).

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import { TaskKilled } from '../kernel';
import type { CallSite } from '../../vm/machine';
import type { I64 } from '../../vm/value';
import { add64, toHex64 } from '../../vm/value';
import { MIGHT_SLEEP_SITES } from '../report';
import { deferred } from '../deferred';
import type { WakeReason } from '../deferred';
import { lockdep } from '../lockdep';
import type { LockKind } from '../lockdep';
import { msleepNanos, TICK_NSEC } from '../clock';
import { taskStruct } from './deferred';
import { LIST_POISON1, LIST_POISON2 } from '../mm/layout';

/** `file:line` of the kernel's own might_sleep() for an API (Linux 6.1 sources, see report.ts). */
function sleepSite(api: string): string {
  const m = MIGHT_SLEEP_SITES[api];
  return m ? `${m.file}:${m.line}` : 'kernel/sched/core.c:9800';
}

type SpinType = 'spinlock_t' | 'raw_spinlock_t' | 'rwlock_t';

/** How a lock word reads and changes: plain spinlocks 0/1; rwlocks (qrwlock) readers × 0x200, a writer 0xff. */
const QR_BIAS = 0x200;
const QW_LOCKED = 0xff;
const held = (k: Kernel, lock: I64): boolean => k.mem.ld32(lock) !== 0;

function lockKind(type: SpinType): LockKind {
  return type === 'rwlock_t' ? 'rwlock' : type === 'raw_spinlock_t' ? 'raw_spin' : 'spin';
}

/** Take a spinlock or rwlock: preemption off, lock word set. Taking a lock that cannot be released deadlocks. */
function spinLock(k: Kernel, lock: I64, site: CallSite, what: string, mode: 'plain' | 'irq' | 'irqsave' | 'bh', type: SpinType = 'spinlock_t', read = false): I64 {
  let flags: I64 = 0;
  if (mode === 'irq' || mode === 'irqsave') {
    flags = k.ctx.irqsDisabled ? 0 : 0x200; // X86_EFLAGS_IF
    k.enterAtomic(what, site, 'irq');
  }
  if (mode === 'bh') k.enterAtomic(what, site, 'bh');
  k.enterAtomic(what, site, 'preempt');
  lockdep(k)?.acquire(lock, lockKind(type), site, read);
  const word = k.mem.ld32(lock);
  if (type === 'rwlock_t' && read) {
    if ((word & QW_LOCKED) !== 0) deadlock(k, site, what, lock);
    k.mem.st32(lock, word + QR_BIAS);
  } else {
    if (word !== 0) deadlock(k, site, what, lock);
    k.mem.st32(lock, type === 'rwlock_t' ? QW_LOCKED : 1);
  }
  return flags;
}

function spinUnlock(k: Kernel, lock: I64, site: CallSite, what: string, mode: 'plain' | 'irq' | 'irqrestore' | 'bh', flags: I64 = 0, type: SpinType = 'spinlock_t', read = false): void {
  lockdep(k)?.release(lock);
  k.mem.st32(lock, type === 'rwlock_t' && read ? Math.max(0, k.mem.ld32(lock) - QR_BIAS) : 0);
  k.leaveAtomic(what, site, 'preempt');
  if (mode === 'irq') k.leaveAtomic(what, site, 'irq');
  if (mode === 'irqrestore' && (Number(flags) & 0x200) !== 0) k.leaveAtomic(what, site, 'irq');
  if (mode === 'bh') k.leaveAtomic(what, site, 'bh');
}

/**
 * A task spinning on a lock that can never be released: on Linux the watchdog reports a soft
 * lockup after 20 s; the emulated clock jumps there at once.
 */
function deadlock(k: Kernel, site: CallSite, what: string, lock: I64): never {
  void site;
  void what;
  void lock;
  k.spend(k.options.softLockupSeconds * 1e9);
  k.tick(k.machine);
  throw new TaskKilled('SIGKILL', 'deadlock');
}

const lockEntry = (name: string, header: string, mode: 'plain' | 'irq' | 'irqsave' | 'bh', acquire: 'spin' | 'spin_irq' | 'spin_irqsave' | 'spin_bh' | 'read' | 'write', doc: string, type: SpinType = 'spinlock_t'): KernelExport => ({
  name, header, proto: `${mode === 'irqsave' ? 'unsigned long' : 'void'} ${name}(${type} *lock)`, doc, derefs: [0], effect: { acquire, arg: 0 },
  impl: (k, a, site) => {
    const f = spinLock(k, a[0], site, name, mode, type, acquire === 'read');
    return mode === 'irqsave' ? f : undefined;
  },
});

const unlockEntry = (name: string, header: string, mode: 'plain' | 'irq' | 'irqrestore' | 'bh', release: 'spin' | 'spin_irq' | 'spin_irqrestore' | 'spin_bh' | 'read' | 'write', doc: string, type: SpinType = 'spinlock_t'): KernelExport => ({
  name, header, proto: `void ${name}(${type} *lock${mode === 'irqrestore' ? ', unsigned long flags' : ''})`, doc, derefs: [0], effect: { release, arg: 0 },
  impl: (k, a, site) => {
    spinUnlock(k, a[0], site, name, mode, a[1], type, release === 'read');
    return undefined;
  },
});

/** Sleep `ns` (the scheduler's `scheduling while atomic` check first); a kthread yields meanwhile. */
function sleepFor(k: Kernel, site: CallSite, ns: number, api: string, state: 'D' | 'S' = 'D', result: (why: WakeReason) => I64 = () => 0): I64 {
  k.schedule(site, api);
  return deferred(k).block({ api, until: k.k.clock.nanos() + Math.max(0, ns), state, result });
}

/**
 * udelay()/mdelay(): the task spins, but the timer interrupt still comes every tick, and on its way
 * out runs the softirqs that are due (expired timers, scheduled tasklets) on top of the spinning task.
 */
function busyWait(k: Kernel, ns: number): void {
  let left = Number.isFinite(ns) ? Math.max(0, ns) : 0;
  while (left > 0) {
    const step = Math.min(left, TICK_NSEC - (k.k.clock.nanos() % TICK_NSEC));
    k.spend(step);
    left -= step;
  }
}

/** msleep(ms) as 6.1 does it: msecs_to_jiffies(ms) + 1 ticks, waking on a tick. */
function msleepFor(k: Kernel, site: CallSite, ms: number, api: string, state: 'D' | 'S' = 'D'): I64 {
  return sleepFor(k, site, msleepNanos(k.k.clock.nanos(), ms), api, state);
}

/** struct mutex: the owner (task_struct pointer, 0 when free) is the first word. */
function mutexLock(k: Kernel, lock: I64, site: CallSite, api: string, state: 'D' | 'S'): I64 {
  k.mightSleep(site, sleepSite(api), api);
  lockdep(k)?.acquire(lock, 'mutex', site);
  const me = taskStruct(k, k.task) || 1;
  if (k.mem.ld64(lock) === 0) {
    k.mem.st64(lock, me);
    return 0;
  }
  // Held (by another task, or by this one: then nothing will ever release it). Sleep until it is free.
  k.schedule(site, api);
  return deferred(k).block({
    api: 'mutex_lock', until: Infinity, state,
    cond: () => k.mem.ld64(lock) === 0,
    result: (why) => {
      if (why !== 'cond') return -4; // -EINTR
      k.mem.st64(lock, me);
      return 0;
    },
  });
}

/** struct semaphore: count at +4. down() sleeps while it is 0. */
function semDown(k: Kernel, sem: I64, site: CallSite, api: string, state: 'D' | 'S'): I64 {
  k.mightSleep(site, sleepSite(api), api);
  const count = add64(sem, 4);
  if (k.mem.ld32(count) > 0) {
    k.mem.st32(count, k.mem.ld32(count) - 1);
    return 0;
  }
  k.schedule(site, api);
  return deferred(k).block({
    api: 'down', until: Infinity, state,
    cond: () => k.mem.ld32(count) > 0,
    result: (why) => {
      if (why !== 'cond') return -4; // -EINTR
      k.mem.st32(count, k.mem.ld32(count) - 1);
      return 0;
    },
  });
}

export const SYNC_EXPORTS: KernelExport[] = [
  lockEntry('spin_lock', 'linux/spinlock.h', 'plain', 'spin', 'Take a spinlock: disables preemption; the holder must not sleep.'),
  lockEntry('spin_lock_irq', 'linux/spinlock.h', 'irq', 'spin_irq', 'Take a spinlock and disable local interrupts.'),
  lockEntry('_raw_spin_lock_irqsave', 'linux/spinlock.h', 'irqsave', 'spin_irqsave', 'spin_lock_irqsave(): take a spinlock, save and disable local interrupts.'),
  lockEntry('spin_lock_bh', 'linux/spinlock.h', 'bh', 'spin_bh', 'Take a spinlock and disable softirqs (bottom halves).'),
  unlockEntry('spin_unlock', 'linux/spinlock.h', 'plain', 'spin', 'Release a spinlock.'),
  unlockEntry('spin_unlock_irq', 'linux/spinlock.h', 'irq', 'spin_irq', 'Release a spinlock and enable local interrupts.'),
  unlockEntry('spin_unlock_irqrestore', 'linux/spinlock.h', 'irqrestore', 'spin_irqrestore', 'Release a spinlock and restore the saved interrupt state.'),
  unlockEntry('spin_unlock_bh', 'linux/spinlock.h', 'bh', 'spin_bh', 'Release a spinlock and enable softirqs.'),
  lockEntry('raw_spin_lock', 'linux/spinlock.h', 'plain', 'spin', 'Take a raw spinlock.', 'raw_spinlock_t'),
  unlockEntry('raw_spin_unlock', 'linux/spinlock.h', 'plain', 'spin', 'Release a raw spinlock.', 'raw_spinlock_t'),
  lockEntry('read_lock', 'linux/spinlock.h', 'plain', 'read', 'Take a rwlock for reading.', 'rwlock_t'),
  unlockEntry('read_unlock', 'linux/spinlock.h', 'plain', 'read', 'Release a rwlock held for reading.', 'rwlock_t'),
  lockEntry('write_lock', 'linux/spinlock.h', 'plain', 'write', 'Take a rwlock for writing.', 'rwlock_t'),
  unlockEntry('write_unlock', 'linux/spinlock.h', 'plain', 'write', 'Release a rwlock held for writing.', 'rwlock_t'),
  lockEntry('read_lock_bh', 'linux/spinlock.h', 'bh', 'read', 'Take a rwlock for reading, softirqs off.', 'rwlock_t'),
  unlockEntry('read_unlock_bh', 'linux/spinlock.h', 'bh', 'read', 'Release a rwlock, softirqs on.', 'rwlock_t'),
  lockEntry('write_lock_bh', 'linux/spinlock.h', 'bh', 'write', 'Take a rwlock for writing, softirqs off.', 'rwlock_t'),
  unlockEntry('write_unlock_bh', 'linux/spinlock.h', 'bh', 'write', 'Release a rwlock, softirqs on.', 'rwlock_t'),
  lockEntry('write_lock_irq', 'linux/spinlock.h', 'irq', 'write', 'Take a rwlock for writing, interrupts off.', 'rwlock_t'),
  unlockEntry('write_unlock_irq', 'linux/spinlock.h', 'irq', 'write', 'Release a rwlock, interrupts on.', 'rwlock_t'),
  lockEntry('_raw_read_lock_irqsave', 'linux/spinlock.h', 'irqsave', 'read', 'read_lock_irqsave().', 'rwlock_t'),
  lockEntry('_raw_write_lock_irqsave', 'linux/spinlock.h', 'irqsave', 'write', 'write_lock_irqsave().', 'rwlock_t'),
  unlockEntry('read_unlock_irqrestore', 'linux/spinlock.h', 'irqrestore', 'read', 'Release a rwlock, restore interrupts.', 'rwlock_t'),
  unlockEntry('write_unlock_irqrestore', 'linux/spinlock.h', 'irqrestore', 'write', 'Release a rwlock, restore interrupts.', 'rwlock_t'),
  {
    name: 'spin_trylock', header: 'linux/spinlock.h', proto: 'int spin_trylock(spinlock_t *lock)', doc: 'Try to take a spinlock; returns 1 on success.', derefs: [0], effect: { acquire: 'spin', arg: 0 }, trylock: true,
    impl: (k, a, site) => {
      if (held(k, a[0])) return 0;
      spinLock(k, a[0], site, 'spin_trylock', 'plain');
      return 1;
    },
  },
  {
    name: 'spin_is_locked', header: 'linux/spinlock.h', proto: 'int spin_is_locked(spinlock_t *lock)', doc: 'Whether the spinlock is held.', derefs: [0],
    impl: (k, a) => (held(k, a[0]) ? 1 : 0),
  },
  {
    name: 'mutex_lock', header: 'linux/mutex.h', proto: 'void mutex_lock(struct mutex *lock)', doc: 'Take a mutex, sleeping while another task holds it; never under a spinlock or in interrupt context.', sleeps: 'always', blocks: true, derefs: [0], effect: { acquire: 'mutex', arg: 0 },
    impl: (k, a, site) => {
      mutexLock(k, a[0], site, 'mutex_lock', 'D');
      return undefined;
    },
  },
  {
    name: 'mutex_lock_interruptible', header: 'linux/mutex.h', proto: 'int __must_check mutex_lock_interruptible(struct mutex *lock)', doc: 'Take a mutex, sleeping while it is held; -EINTR if a signal arrives first.', sleeps: 'always', blocks: true, derefs: [0], effect: { acquire: 'mutex', arg: 0 },
    impl: (k, a, site) => mutexLock(k, a[0], site, 'mutex_lock_interruptible', 'S'),
  },
  {
    name: 'mutex_lock_killable', header: 'linux/mutex.h', proto: 'int __must_check mutex_lock_killable(struct mutex *lock)', doc: 'Take a mutex, sleeping while it is held; -EINTR if the task is killed first.', sleeps: 'always', blocks: true, derefs: [0], effect: { acquire: 'mutex', arg: 0 },
    impl: (k, a, site) => mutexLock(k, a[0], site, 'mutex_lock_killable', 'D'),
  },
  {
    name: 'mutex_trylock', header: 'linux/mutex.h', proto: 'int mutex_trylock(struct mutex *lock)', doc: 'Try to take a mutex without sleeping; returns 1 on success.', derefs: [0], effect: { acquire: 'mutex', arg: 0 }, trylock: true,
    impl: (k, a, site) => {
      if (k.mem.ld64(a[0]) !== 0) return 0;
      lockdep(k)?.acquire(a[0], 'mutex', site);
      k.mem.st64(a[0], taskStruct(k, k.task) || 1);
      return 1;
    },
  },
  {
    name: 'mutex_unlock', header: 'linux/mutex.h', proto: 'void mutex_unlock(struct mutex *lock)', doc: 'Release a mutex (a task sleeping on it takes it next).', derefs: [0], effect: { release: 'mutex', arg: 0 },
    impl: (k, a) => {
      lockdep(k)?.release(a[0]);
      k.mem.st64(a[0], 0);
      return undefined;
    },
  },
  {
    name: 'mutex_is_locked', header: 'linux/mutex.h', proto: 'bool mutex_is_locked(struct mutex *lock)', doc: 'Whether the mutex is held.', derefs: [0],
    impl: (k, a) => (k.mem.ld64(a[0]) !== 0 ? 1 : 0),
  },
  {
    name: '__mutex_init', header: 'linux/mutex.h', proto: 'void __mutex_init(struct mutex *lock, const char *name, void *key)', doc: 'mutex_init(): initialise a mutex.', derefs: [0],
    impl: (k, a) => {
      k.mem.fill(a[0], 0, 32);
      const list = add64(a[0], 16);
      k.mem.st64(list, list);
      k.mem.st64(add64(list, 8), list);
      lockdep(k)?.init(a[0], 'mutex', k.cstring(a[1]) ?? 'mutex');
      return undefined;
    },
  },
  {
    name: 'mutex_destroy', header: 'linux/mutex.h', proto: 'void mutex_destroy(struct mutex *lock)', doc: 'Mark a mutex unusable (debug builds check it is not held).', derefs: [0],
    impl: () => undefined,
  },
  {
    name: 'down', header: 'linux/semaphore.h', proto: 'void down(struct semaphore *sem)', doc: 'Acquire a semaphore, sleeping while its count is 0.', sleeps: 'always', blocks: true, derefs: [0], effect: { acquire: 'sem', arg: 0 },
    impl: (k, a, site) => {
      semDown(k, a[0], site, 'down', 'D');
      return undefined;
    },
  },
  {
    name: 'down_interruptible', header: 'linux/semaphore.h', proto: 'int __must_check down_interruptible(struct semaphore *sem)', doc: 'Acquire a semaphore, sleeping while its count is 0; -EINTR on a signal.', sleeps: 'always', blocks: true, derefs: [0], effect: { acquire: 'sem', arg: 0 },
    impl: (k, a, site) => semDown(k, a[0], site, 'down_interruptible', 'S'),
  },
  {
    name: 'down_trylock', header: 'linux/semaphore.h', proto: 'int __must_check down_trylock(struct semaphore *sem)', doc: 'Try to acquire a semaphore; returns 0 on success (note: inverted).', derefs: [0],
    impl: (k, a) => {
      const count = k.mem.ld32(add64(a[0], 4));
      if (count === 0) return 1;
      k.mem.st32(add64(a[0], 4), count - 1);
      return 0;
    },
  },
  {
    name: 'up', header: 'linux/semaphore.h', proto: 'void up(struct semaphore *sem)', doc: 'Release a semaphore.', derefs: [0], effect: { release: 'sem', arg: 0 },
    impl: (k, a) => {
      k.mem.st32(add64(a[0], 4), k.mem.ld32(add64(a[0], 4)) + 1);
      return undefined;
    },
  },
  {
    name: 'sema_init', header: 'linux/semaphore.h', proto: 'void sema_init(struct semaphore *sem, int val)', doc: 'Initialise a semaphore to val.', derefs: [0],
    impl: (k, a) => {
      k.mem.fill(a[0], 0, 24);
      k.mem.st32(add64(a[0], 4), Number(a[1]));
      const list = add64(a[0], 8);
      k.mem.st64(list, list);
      k.mem.st64(add64(list, 8), list);
      return undefined;
    },
  },
  {
    name: 'preempt_disable', header: 'linux/preempt.h', proto: 'void preempt_disable(void)', doc: 'Disable preemption: the code that follows must not sleep.', effect: { acquire: 'preempt' },
    impl: (k, _a, site) => {
      k.enterAtomic('preempt_disable', site, 'preempt');
      return undefined;
    },
  },
  {
    name: 'preempt_enable', header: 'linux/preempt.h', proto: 'void preempt_enable(void)', doc: 'Re-enable preemption.', effect: { release: 'preempt' },
    impl: (k, _a, site) => {
      k.leaveAtomic('preempt_enable', site, 'preempt');
      return undefined;
    },
  },
  {
    name: 'preempt_count', header: 'linux/preempt.h', proto: 'int preempt_count(void)', doc: 'The current preemption count.',
    impl: (k) => k.ctx.raw,
  },
  {
    name: 'local_irq_disable', header: 'linux/irqflags.h', proto: 'void local_irq_disable(void)', doc: 'Disable interrupts on this CPU: the code that follows must not sleep.', effect: { acquire: 'irq_off' },
    impl: (k, _a, site) => {
      k.enterAtomic('local_irq_disable', site, 'irq');
      return undefined;
    },
  },
  {
    name: 'local_irq_enable', header: 'linux/irqflags.h', proto: 'void local_irq_enable(void)', doc: 'Enable interrupts on this CPU.', effect: { release: 'irq_on' },
    impl: (k, _a, site) => {
      k.leaveAtomic('local_irq_enable', site, 'irq');
      return undefined;
    },
  },
  {
    name: 'arch_local_irq_save', header: 'linux/irqflags.h', proto: 'unsigned long arch_local_irq_save(void)', doc: 'local_irq_save(): save the interrupt state and disable interrupts.', effect: { acquire: 'irq_save' },
    impl: (k, _a, site) => {
      const flags = k.ctx.irqsDisabled ? 0 : 0x200;
      k.enterAtomic('local_irq_save', site, 'irq');
      return flags;
    },
  },
  {
    name: 'arch_local_irq_restore', header: 'linux/irqflags.h', proto: 'void arch_local_irq_restore(unsigned long flags)', doc: 'local_irq_restore(): restore the saved interrupt state.', effect: { release: 'irq_restore' },
    impl: (k, a, site) => {
      if ((Number(a[0]) & 0x200) !== 0) k.leaveAtomic('local_irq_restore', site, 'irq');
      return undefined;
    },
  },
  {
    name: 'arch_local_save_flags', header: 'linux/irqflags.h', proto: 'unsigned long arch_local_save_flags(void)', doc: 'local_save_flags(): the current interrupt state.',
    impl: (k) => (k.ctx.irqsDisabled ? 0 : 0x200),
  },
  {
    name: 'arch_irqs_disabled', header: 'linux/irqflags.h', proto: 'int arch_irqs_disabled(void)', doc: 'irqs_disabled(): whether local interrupts are off.',
    impl: (k) => (k.ctx.irqsDisabled ? 1 : 0),
  },
  {
    name: 'local_bh_disable', header: 'linux/bottom_half.h', proto: 'void local_bh_disable(void)', doc: 'Disable softirqs on this CPU.', effect: { acquire: 'bh' },
    impl: (k, _a, site) => {
      k.enterAtomic('local_bh_disable', site, 'bh');
      return undefined;
    },
  },
  {
    name: 'local_bh_enable', header: 'linux/bottom_half.h', proto: 'void local_bh_enable(void)', doc: 'Enable softirqs on this CPU.', effect: { release: 'bh' },
    impl: (k, _a, site) => {
      k.leaveAtomic('local_bh_enable', site, 'bh');
      return undefined;
    },
  },
  {
    name: 'rcu_read_lock', header: 'linux/rcupdate.h', proto: 'void rcu_read_lock(void)', doc: 'Enter an RCU read-side critical section: no sleeping until rcu_read_unlock().', effect: { acquire: 'rcu' },
    impl: (k, _a, site) => {
      k.enterAtomic('rcu_read_lock', site, 'rcu');
      return undefined;
    },
  },
  {
    name: 'rcu_read_unlock', header: 'linux/rcupdate.h', proto: 'void rcu_read_unlock(void)', doc: 'Leave an RCU read-side critical section.', effect: { release: 'rcu' },
    impl: (k, _a, site) => {
      k.leaveAtomic('rcu_read_unlock', site, 'rcu');
      return undefined;
    },
  },
  {
    name: 'synchronize_rcu', header: 'linux/rcupdate.h', proto: 'void synchronize_rcu(void)', doc: 'Wait for all pre-existing RCU readers; sleeps.', sleeps: 'always', blocks: true,
    impl: (k, _a, site) => {
      k.mightSleep(site, sleepSite('synchronize_rcu'), 'synchronize_rcu');
      sleepFor(k, site, 8_000_000, 'synchronize_rcu');
      return undefined;
    },
  },
  {
    name: 'msleep', header: 'linux/delay.h', proto: 'void msleep(unsigned int msecs)', doc: 'Sleep at least msecs milliseconds (whole jiffies: msleep(10) takes 12 to 16 ms at HZ=250); never in atomic context (use mdelay there).', sleeps: 'always', blocks: true,
    impl: (k, a, site) => {
      msleepFor(k, site, Number(a[0]) >>> 0, 'msleep');
      return undefined;
    },
  },
  {
    name: 'msleep_interruptible', header: 'linux/delay.h', proto: 'unsigned long msleep_interruptible(unsigned int msecs)', doc: 'Sleep, waking early on a signal; returns the remaining milliseconds.', sleeps: 'always', blocks: true,
    impl: (k, a, site) => msleepFor(k, site, Number(a[0]) >>> 0, 'msleep_interruptible', 'S'),
  },
  {
    name: 'ssleep', header: 'linux/delay.h', proto: 'void ssleep(unsigned int seconds)', doc: 'Sleep for seconds (msleep(seconds * 1000)).', sleeps: 'always', blocks: true,
    impl: (k, a, site) => {
      msleepFor(k, site, (Number(a[0]) >>> 0) * 1000, 'ssleep');
      return undefined;
    },
  },
  {
    name: 'usleep_range', header: 'linux/delay.h', proto: 'void usleep_range(unsigned long min, unsigned long max)', doc: 'Sleep between min and max microseconds (hrtimer based).', sleeps: 'always', blocks: true,
    impl: (k, a, site) => {
      sleepFor(k, site, Number(a[0]) * 1000, 'usleep_range');
      return undefined;
    },
  },
  {
    name: 'udelay', header: 'linux/delay.h', proto: 'void udelay(unsigned long usecs)', doc: 'Busy-wait usecs microseconds; allowed in atomic context.',
    impl: (k, a) => {
      busyWait(k, Number(a[0]) * 1000);
      return undefined;
    },
  },
  {
    name: 'mdelay', header: 'linux/delay.h', proto: 'void mdelay(unsigned long msecs)', doc: 'Busy-wait msecs milliseconds; allowed in atomic context, but wasteful.',
    impl: (k, a) => {
      busyWait(k, Number(a[0]) * 1e6);
      return undefined;
    },
  },
  {
    name: '_cond_resched', header: 'linux/sched.h', proto: 'int _cond_resched(void)', doc: 'cond_resched(): let other tasks run in a long loop; may sleep.', sleeps: 'always',
    impl: (k, _a, site) => {
      k.mightSleep(site, 'kernel/sched/core.c:8518', 'cond_resched');
      if (!k.ctx.atomic) k.slept(0);
      return 0;
    },
  },
  {
    name: '__might_sleep', header: 'linux/kernel.h', proto: 'void __might_sleep(const char *file, int line)', doc: 'might_sleep(): annotate that the code may sleep (checked with CONFIG_DEBUG_ATOMIC_SLEEP).',
    impl: (k, a, site) => {
      const file = k.cstring(a[0]) ?? '?';
      k.mightSleep(site, `${file}:${Number(a[1])}`, 'might_sleep');
      return undefined;
    },
  },
  {
    name: '__kmodlab_in_interrupt', header: 'linux/preempt.h', proto: 'int __kmodlab_in_interrupt(void)', doc: 'in_interrupt(): in hard or soft interrupt context.',
    impl: (k) => (k.ctx.hardirq || k.ctx.softirq ? 1 : 0),
  },
  {
    name: '__kmodlab_in_hardirq', header: 'linux/preempt.h', proto: 'int __kmodlab_in_hardirq(void)', doc: 'in_hardirq(): in a hard interrupt handler.',
    impl: (k) => (k.ctx.hardirq ? 1 : 0),
  },
  {
    name: '__kmodlab_in_softirq', header: 'linux/preempt.h', proto: 'int __kmodlab_in_softirq(void)', doc: 'in_softirq(): in softirq context or with bottom halves disabled.',
    impl: (k) => (k.ctx.softirq ? 1 : 0),
  },
  {
    name: 'refcount_warn_saturate', header: 'linux/refcount.h', proto: 'void refcount_warn_saturate(refcount_t *r, enum refcount_saturation_type t)',
    doc: 'A refcount_t went wrong (increment from 0, underflow, overflow): it is saturated so the object leaks instead of being freed twice, and the kernel WARNs once.', derefs: [0],
    impl: (k, a, site) => {
      k.mem.st32(a[0], REFCOUNT_SATURATED);
      const w = REFCOUNT_WARNINGS[Number(a[1])];
      if (!w || warnedOnce(k, `refcount:${w.line}`)) return undefined;
      const lines = k.k.reports.mmWarning(k, { message: `refcount_t: ${w.text}.`, file: 'lib/refcount.c', line: w.line, ip: REFCOUNT_WARN_IP });
      k.report('refcount', lines, site.span, [], 4);
      k.addTaint('W');
      return undefined;
    },
  },
  {
    name: '__list_add_valid', header: 'linux/list.h', proto: 'bool __list_add_valid(struct list_head *new, struct list_head *prev, struct list_head *next)', doc: 'CONFIG_DEBUG_LIST check before list_add.',
    impl: (k, a) => listAddValid(k, a[0], a[1], a[2]),
  },
  {
    name: '__list_del_entry_valid', header: 'linux/list.h', proto: 'bool __list_del_entry_valid(struct list_head *entry)', doc: 'CONFIG_DEBUG_LIST check before list_del.',
    impl: (k, a) => listDelValid(k, a[0]),
  },
];

/** REFCOUNT_SATURATED: INT_MIN / 2. */
const REFCOUNT_SATURATED = -0x40000000;

/** refcount_warn_saturate()'s WARN_ONCE per enum refcount_saturation_type (lib/refcount.c, 6.1). */
const REFCOUNT_WARNINGS: readonly { text: string; line: number }[] = [
  { text: 'saturated; leaking memory', line: 19 },
  { text: 'saturated; leaking memory', line: 22 },
  { text: 'addition on 0; use-after-free', line: 25 },
  { text: 'underflow; use-after-free', line: 28 },
  { text: 'decrement hit 0; leaking memory', line: 31 },
];
const REFCOUNT_WARN_IP = { fn: 'refcount_warn_saturate', offset: 0x9c, size: 0x110 };

const warned = new WeakMap<Kernel, Set<string>>();

/** WARN_ONCE(): true if this warning was already printed on this boot. */
function warnedOnce(k: Kernel, id: string): boolean {
  let s = warned.get(k);
  if (!s) warned.set(k, (s = new Set()));
  if (s.has(id)) return true;
  s.add(id);
  return false;
}

/** lib/list_debug.c: a corrupted list is a kernel BUG (CONFIG_BUG_ON_DATA_CORRUPTION=y in Debian). */
function listAddValid(k: Kernel, nw: I64, prev: I64, next: I64): number {
  const mem = k.mem;
  const nextPrev = mem.ld64(add64(next, 8));
  const prevNext = mem.ld64(prev);
  let msg: string | undefined;
  if (nextPrev !== prev) msg = `list_add corruption. next->prev should be prev (${hex(prev)}), but was ${hex(nextPrev)}. (next=${hex(next)}).`;
  else if (prevNext !== next) msg = `list_add corruption. prev->next should be next (${hex(next)}), but was ${hex(prevNext)}. (prev=${hex(prev)}).`;
  else if (nw === prev || nw === next) msg = `list_add double add: new=${hex(nw)}, prev=${hex(prev)}, next=${hex(next)}.`;
  if (msg) k.listCorruption(msg);
  return 1;
}

function listDelValid(k: Kernel, entry: I64): number {
  const mem = k.mem;
  const next = mem.ld64(entry);
  const prev = mem.ld64(add64(entry, 8));
  let msg: string | undefined;
  // I64 values are canonical, so === compares them whether number or bigint.
  if (next === LIST_POISON1) msg = `list_del corruption, ${hex(entry)}->next is LIST_POISON1 (${hex(next)})`;
  else if (prev === LIST_POISON2) msg = `list_del corruption, ${hex(entry)}->prev is LIST_POISON2 (${hex(prev)})`;
  else {
    const prevNext = mem.ld64(prev);
    const nextPrev = mem.ld64(add64(next, 8));
    if (prevNext !== entry) msg = `list_del corruption. prev->next should be ${hex(entry)}, but was ${hex(prevNext)}. (prev=${hex(prev)})`;
    else if (nextPrev !== entry) msg = `list_del corruption. next->prev should be ${hex(entry)}, but was ${hex(nextPrev)}. (next=${hex(next)})`;
  }
  if (msg) k.listCorruption(msg);
  return 1;
}

function hex(v: I64): string {
  return toHex64(v).padStart(16, '0');
}
