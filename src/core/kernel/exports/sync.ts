// Locking, execution context, sleeping and debugging: spinlocks (with _irq, _irqsave and _bh),
// rwlocks, mutexes, semaphores, preempt_*/local_irq_*/rcu_read_*, msleep and friends, BUG/WARN,
// and the CONFIG_DEBUG_LIST validators that <linux/list.h> calls. Locks keep their state in the
// lock's own bytes, so the memory map shows a held spinlock as the kernel would.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import { TaskKilled } from '../kernel';
import type { CallSite } from '../../vm/machine';
import type { I64 } from '../../vm/value';
import { add64, toHex64 } from '../../vm/value';
import { MIGHT_SLEEP_SITES } from '../report';
import { LIST_POISON1, LIST_POISON2 } from '../mm/layout';

/** `file:line` of the kernel's own might_sleep() for an API (Linux 6.1 sources, see report.ts). */
function sleepSite(api: string): string {
  const m = MIGHT_SLEEP_SITES[api];
  return m ? `${m.file}:${m.line}` : 'kernel/sched/core.c:9800';
}

const held = (k: Kernel, lock: I64): boolean => k.mem.ld32(lock) !== 0;

/** Take a spinlock: preemption off, lock word set. Taking a lock this task holds deadlocks. */
function spinLock(k: Kernel, lock: I64, site: CallSite, what: string, mode: 'plain' | 'irq' | 'irqsave' | 'bh'): I64 {
  let flags: I64 = 0;
  if (mode === 'irq' || mode === 'irqsave') {
    flags = k.ctx.irqsDisabled ? 0 : 0x200; // X86_EFLAGS_IF
    k.enterAtomic(what, site, 'irq');
  }
  if (mode === 'bh') k.enterAtomic(what, site, 'bh');
  k.enterAtomic(what, site, 'preempt');
  if (held(k, lock)) deadlock(k, site, what, lock);
  k.mem.st32(lock, 1);
  return flags;
}

function spinUnlock(k: Kernel, lock: I64, site: CallSite, what: string, mode: 'plain' | 'irq' | 'irqrestore' | 'bh', flags: I64 = 0): void {
  k.mem.st32(lock, 0);
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

const lockEntry = (name: string, header: string, mode: 'plain' | 'irq' | 'irqsave' | 'bh', acquire: 'spin' | 'spin_irq' | 'spin_irqsave' | 'spin_bh' | 'read' | 'write', doc: string, type = 'spinlock_t'): KernelExport => ({
  name, header, proto: `${mode === 'irqsave' ? 'unsigned long' : 'void'} ${name}(${type} *lock)`, doc, derefs: [0], effect: { acquire, arg: 0 },
  impl: (k, a, site) => {
    const f = spinLock(k, a[0], site, name, mode);
    return mode === 'irqsave' ? f : undefined;
  },
});

const unlockEntry = (name: string, header: string, mode: 'plain' | 'irq' | 'irqrestore' | 'bh', release: 'spin' | 'spin_irq' | 'spin_irqrestore' | 'spin_bh' | 'read' | 'write', doc: string, type = 'spinlock_t'): KernelExport => ({
  name, header, proto: `void ${name}(${type} *lock${mode === 'irqrestore' ? ', unsigned long flags' : ''})`, doc, derefs: [0], effect: { release, arg: 0 },
  impl: (k, a, site) => {
    spinUnlock(k, a[0], site, name, mode, a[1]);
    return undefined;
  },
});

function sleepFor(k: Kernel, site: CallSite, ns: number, api: string): void {
  k.schedule(site, api);
  k.slept(ns);
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
    name: 'mutex_lock', header: 'linux/mutex.h', proto: 'void mutex_lock(struct mutex *lock)', doc: 'Take a mutex; may sleep, so never under a spinlock or in interrupt context.', sleeps: 'always', derefs: [0], effect: { acquire: 'mutex', arg: 0 },
    impl: (k, a, site) => {
      k.mightSleep(site, sleepSite('mutex_lock'), 'mutex_lock');
      if (k.mem.ld64(a[0]) !== 0) deadlock(k, site, 'mutex_lock', a[0]);
      k.mem.st64(a[0], 1);
      return undefined;
    },
  },
  {
    name: 'mutex_lock_interruptible', header: 'linux/mutex.h', proto: 'int __must_check mutex_lock_interruptible(struct mutex *lock)', doc: 'Take a mutex; may sleep; returns -EINTR if a signal arrives.', sleeps: 'always', derefs: [0], effect: { acquire: 'mutex', arg: 0 },
    impl: (k, a, site) => {
      k.mightSleep(site, sleepSite('mutex_lock_interruptible'), 'mutex_lock_interruptible');
      if (k.mem.ld64(a[0]) !== 0) deadlock(k, site, 'mutex_lock_interruptible', a[0]);
      k.mem.st64(a[0], 1);
      return 0;
    },
  },
  {
    name: 'mutex_trylock', header: 'linux/mutex.h', proto: 'int mutex_trylock(struct mutex *lock)', doc: 'Try to take a mutex without sleeping; returns 1 on success.', derefs: [0], effect: { acquire: 'mutex', arg: 0 }, trylock: true,
    impl: (k, a) => {
      if (k.mem.ld64(a[0]) !== 0) return 0;
      k.mem.st64(a[0], 1);
      return 1;
    },
  },
  {
    name: 'mutex_unlock', header: 'linux/mutex.h', proto: 'void mutex_unlock(struct mutex *lock)', doc: 'Release a mutex.', derefs: [0], effect: { release: 'mutex', arg: 0 },
    impl: (k, a) => {
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
      return undefined;
    },
  },
  {
    name: 'mutex_destroy', header: 'linux/mutex.h', proto: 'void mutex_destroy(struct mutex *lock)', doc: 'Mark a mutex unusable (debug builds check it is not held).', derefs: [0],
    impl: () => undefined,
  },
  {
    name: 'down', header: 'linux/semaphore.h', proto: 'void down(struct semaphore *sem)', doc: 'Acquire a semaphore; may sleep.', sleeps: 'always', derefs: [0], effect: { acquire: 'sem', arg: 0 },
    impl: (k, a, site) => {
      k.mightSleep(site, sleepSite('down'), 'down');
      const count = k.mem.ld32(add64(a[0], 4));
      if (count === 0) deadlock(k, site, 'down', a[0]);
      k.mem.st32(add64(a[0], 4), count - 1);
      return undefined;
    },
  },
  {
    name: 'down_interruptible', header: 'linux/semaphore.h', proto: 'int __must_check down_interruptible(struct semaphore *sem)', doc: 'Acquire a semaphore; may sleep; -EINTR on a signal.', sleeps: 'always', derefs: [0], effect: { acquire: 'sem', arg: 0 },
    impl: (k, a, site) => {
      k.mightSleep(site, sleepSite('down_interruptible'), 'down_interruptible');
      const count = k.mem.ld32(add64(a[0], 4));
      if (count === 0) deadlock(k, site, 'down_interruptible', a[0]);
      k.mem.st32(add64(a[0], 4), count - 1);
      return 0;
    },
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
    name: 'synchronize_rcu', header: 'linux/rcupdate.h', proto: 'void synchronize_rcu(void)', doc: 'Wait for all pre-existing RCU readers; sleeps.', sleeps: 'always',
    impl: (k, _a, site) => {
      k.mightSleep(site, sleepSite('synchronize_rcu'), 'synchronize_rcu');
      sleepFor(k, site, 8_000_000, 'synchronize_rcu');
      return undefined;
    },
  },
  {
    name: 'msleep', header: 'linux/delay.h', proto: 'void msleep(unsigned int msecs)', doc: 'Sleep at least msecs milliseconds; never in atomic context (use mdelay there).', sleeps: 'always',
    impl: (k, a, site) => {
      // jiffies granularity: msleep(10) sleeps at least 3 jiffies at HZ=250.
      const ms = Number(a[0]) >>> 0;
      sleepFor(k, site, (Math.ceil(ms / 4) + 1) * 4_000_000, 'msleep');
      return undefined;
    },
  },
  {
    name: 'msleep_interruptible', header: 'linux/delay.h', proto: 'unsigned long msleep_interruptible(unsigned int msecs)', doc: 'Sleep, waking early on a signal; returns the remaining milliseconds.', sleeps: 'always',
    impl: (k, a, site) => {
      sleepFor(k, site, (Math.ceil((Number(a[0]) >>> 0) / 4) + 1) * 4_000_000, 'msleep_interruptible');
      return 0;
    },
  },
  {
    name: 'ssleep', header: 'linux/delay.h', proto: 'void ssleep(unsigned int seconds)', doc: 'Sleep for seconds.', sleeps: 'always',
    impl: (k, a, site) => {
      sleepFor(k, site, (Number(a[0]) >>> 0) * 1e9 + 4_000_000, 'ssleep');
      return undefined;
    },
  },
  {
    name: 'usleep_range', header: 'linux/delay.h', proto: 'void usleep_range(unsigned long min, unsigned long max)', doc: 'Sleep between min and max microseconds (hrtimer based).', sleeps: 'always',
    impl: (k, a, site) => {
      sleepFor(k, site, Number(a[0]) * 1000, 'usleep_range');
      return undefined;
    },
  },
  {
    name: 'udelay', header: 'linux/delay.h', proto: 'void udelay(unsigned long usecs)', doc: 'Busy-wait usecs microseconds; allowed in atomic context.',
    impl: (k, a) => {
      k.spend(Number(a[0]) * 1000);
      return undefined;
    },
  },
  {
    name: 'mdelay', header: 'linux/delay.h', proto: 'void mdelay(unsigned long msecs)', doc: 'Busy-wait msecs milliseconds; allowed in atomic context, but wasteful.',
    impl: (k, a) => {
      k.spend(Number(a[0]) * 1e6);
      return undefined;
    },
  },
  {
    name: 'schedule', header: 'linux/sched.h', proto: 'void schedule(void)', doc: 'Give up the CPU; sleeps.', sleeps: 'always',
    impl: (k, _a, site) => {
      sleepFor(k, site, 1_000_000, 'schedule');
      return undefined;
    },
  },
  {
    name: 'schedule_timeout', header: 'linux/sched.h', proto: 'long schedule_timeout(long timeout)', doc: 'Sleep for timeout jiffies; sleeps.', sleeps: 'always',
    impl: (k, a, site) => {
      sleepFor(k, site, Number(a[0]) * 4_000_000, 'schedule_timeout');
      return 0;
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
    name: '__list_add_valid', header: 'linux/list.h', proto: 'bool __list_add_valid(struct list_head *new, struct list_head *prev, struct list_head *next)', doc: 'CONFIG_DEBUG_LIST check before list_add.',
    impl: (k, a) => listAddValid(k, a[0], a[1], a[2]),
  },
  {
    name: '__list_del_entry_valid', header: 'linux/list.h', proto: 'bool __list_del_entry_valid(struct list_head *entry)', doc: 'CONFIG_DEBUG_LIST check before list_del.',
    impl: (k, a) => listDelValid(k, a[0]),
  },
];

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
