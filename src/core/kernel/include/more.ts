// The virtual kernel include tree, part 3: locking, context and scheduling (time and the
// driver-facing headers are in drivers.ts).
// Lock types keep their real sizes without lock debugging (spinlock_t is 4 bytes, struct mutex 32),
// so struct layouts that embed them match the real kernel's.

export const MORE_HEADERS: Record<string, string> = {
  'linux/spinlock_types.h': `
#ifndef __LINUX_SPINLOCK_TYPES_H
#define __LINUX_SPINLOCK_TYPES_H
#include <linux/types.h>
typedef struct spinlock { unsigned int rlock; } spinlock_t;
typedef struct raw_spinlock { unsigned int raw_lock; } raw_spinlock_t;
typedef struct { unsigned int cnts; unsigned int wait_lock; } rwlock_t;
#define __SPIN_LOCK_UNLOCKED(lockname) { 0 }
#define __RAW_SPIN_LOCK_UNLOCKED(lockname) { 0 }
#define __RW_LOCK_UNLOCKED(lockname) { 0, 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x) raw_spinlock_t x = __RAW_SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_UNLOCKED(x)
#endif
`,
  'linux/spinlock.h': `
#ifndef __LINUX_SPINLOCK_H
#define __LINUX_SPINLOCK_H
#include <linux/types.h>
#include <linux/spinlock_types.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/bottom_half.h>
#define spin_lock_init(lock) do { (lock)->rlock = 0; } while (0)
#define raw_spin_lock_init(lock) do { (lock)->raw_lock = 0; } while (0)
#define rwlock_init(lock) do { (lock)->cnts = 0; } while (0)
#define spin_lock_irqsave(lock, flags) do { flags = _raw_spin_lock_irqsave(lock); } while (0)
#define spin_lock_irqsave_nested(lock, flags, subclass) spin_lock_irqsave(lock, flags)
#define read_lock_irqsave(lock, flags) do { flags = _raw_read_lock_irqsave(lock); } while (0)
#define write_lock_irqsave(lock, flags) do { flags = _raw_write_lock_irqsave(lock); } while (0)
#define spin_lock_nested(lock, subclass) spin_lock(lock)
#define assert_spin_locked(lock) do { } while (0)
#define lockdep_assert_held(l) do { } while (0)
#endif
`,
  'linux/rwlock.h': `#pragma once
#include <linux/spinlock.h>
`,
  'linux/mutex.h': `
#ifndef __LINUX_MUTEX_H
#define __LINUX_MUTEX_H
#include <linux/types.h>
#include <linux/spinlock_types.h>
struct mutex { atomic_long_t owner; raw_spinlock_t wait_lock; unsigned int osq; struct list_head wait_list; };
#define __MUTEX_INITIALIZER(lockname) { .wait_list = { &(lockname).wait_list, &(lockname).wait_list } }
#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)
#define mutex_init(mutex) __mutex_init((mutex), #mutex, 0)
#define mutex_lock_nested(lock, subclass) mutex_lock(lock)
#endif
`,
  'linux/semaphore.h': `
#ifndef __LINUX_SEMAPHORE_H
#define __LINUX_SEMAPHORE_H
#include <linux/types.h>
#include <linux/spinlock_types.h>
struct semaphore { raw_spinlock_t lock; unsigned int count; struct list_head wait_list; };
#define __SEMAPHORE_INITIALIZER(name, n) { .count = n, .wait_list = { &(name).wait_list, &(name).wait_list } }
#define DEFINE_SEMAPHORE(name) struct semaphore name = __SEMAPHORE_INITIALIZER(name, 1)
#endif
`,
  'linux/preempt.h': `
#ifndef __LINUX_PREEMPT_H
#define __LINUX_PREEMPT_H
#include <linux/types.h>
#define in_interrupt() (__kmodlab_in_interrupt())
#define in_irq() (__kmodlab_in_hardirq())
#define in_hardirq() (__kmodlab_in_hardirq())
#define in_softirq() (__kmodlab_in_softirq())
#define in_task() (!in_interrupt())
#define preemptible() (preempt_count() == 0 && !irqs_disabled())
#endif
`,
  'linux/irqflags.h': `
#ifndef _LINUX_TRACE_IRQFLAGS_H
#define _LINUX_TRACE_IRQFLAGS_H
#include <linux/types.h>
#define local_irq_save(flags) do { flags = arch_local_irq_save(); } while (0)
#define local_irq_restore(flags) arch_local_irq_restore(flags)
#define raw_local_irq_save(flags) local_irq_save(flags)
#define raw_local_irq_restore(flags) local_irq_restore(flags)
#define local_save_flags(flags) do { flags = arch_local_save_flags(); } while (0)
#define irqs_disabled() (arch_irqs_disabled())
#endif
`,
  'linux/bottom_half.h': `
#ifndef _LINUX_BH_H
#define _LINUX_BH_H
#endif
`,
  'linux/rcupdate.h': `
#ifndef __LINUX_RCUPDATE_H
#define __LINUX_RCUPDATE_H
#include <linux/types.h>
#include <linux/compiler.h>
#define rcu_dereference(p) READ_ONCE(p)
#define rcu_dereference_protected(p, c) (p)
#define rcu_dereference_raw(p) READ_ONCE(p)
#define rcu_access_pointer(p) READ_ONCE(p)
#define rcu_assign_pointer(p, v) WRITE_ONCE(p, v)
#define RCU_INIT_POINTER(p, v) do { (p) = (v); } while (0)
#define rcu_read_lock_held() 1
#endif
`,
  'linux/rculist.h': `
#ifndef _LINUX_RCULIST_H
#define _LINUX_RCULIST_H
#include <linux/list.h>
#include <linux/rcupdate.h>
#define list_add_rcu(new, head) list_add(new, head)
#define list_add_tail_rcu(new, head) list_add_tail(new, head)
#define list_del_rcu(entry) __list_del_entry(entry)
#define list_entry_rcu(ptr, type, member) container_of(READ_ONCE(ptr), type, member)
#define list_first_or_null_rcu(ptr, type, member) list_first_entry_or_null(ptr, type, member)
#define list_for_each_entry_rcu(pos, head, member, cond...) list_for_each_entry(pos, head, member)
#define hlist_for_each_entry_rcu(pos, head, member, cond...) hlist_for_each_entry(pos, head, member)
#define hlist_add_head_rcu(n, h) hlist_add_head(n, h)
#define hlist_del_rcu(n) __hlist_del(n)
#endif
`,
  // refcount_t and struct kref without their functions, for headers that only embed them (kobject.h).
  'linux/refcount_types.h': `
#ifndef _LINUX_REFCOUNT_TYPES_H
#define _LINUX_REFCOUNT_TYPES_H
#include <linux/atomic.h>
typedef struct refcount_struct { atomic_t refs; } refcount_t;
struct kref { refcount_t refcount; };
#endif
`,
  'linux/refcount.h': `
#ifndef _LINUX_REFCOUNT_H
#define _LINUX_REFCOUNT_H
#include <linux/refcount_types.h>
#include <linux/limits.h>
#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n), }
#define REFCOUNT_MAX INT_MAX
#define REFCOUNT_SATURATED (INT_MIN / 2)
enum refcount_saturation_type { REFCOUNT_ADD_NOT_ZERO_OVF, REFCOUNT_ADD_OVF, REFCOUNT_ADD_UAF, REFCOUNT_SUB_UAF, REFCOUNT_DEC_LEAK };
/* exports */
static inline void refcount_set(refcount_t *r, int n) { atomic_set(&r->refs, n); }
static inline unsigned int refcount_read(const refcount_t *r) { return atomic_read(&r->refs); }
static inline void refcount_add(int i, refcount_t *r)
{
	int old = atomic_fetch_add_relaxed(i, &r->refs);

	if (!old)
		refcount_warn_saturate(r, REFCOUNT_ADD_UAF);
	else if (old < 0 || old + i < 0)
		refcount_warn_saturate(r, REFCOUNT_ADD_OVF);
}
static inline void refcount_inc(refcount_t *r) { refcount_add(1, r); }
static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = atomic_read(&r->refs);

	if (old)
		atomic_set(&r->refs, old + 1);
	if (old < 0 || old + 1 < 0)
		refcount_warn_saturate(r, REFCOUNT_ADD_NOT_ZERO_OVF);
	return old;
}
static inline bool refcount_sub_and_test(int i, refcount_t *r)
{
	int old = atomic_fetch_sub_release(i, &r->refs);

	if (old == i)
		return true;
	if (old < 0 || old - i < 0)
		refcount_warn_saturate(r, REFCOUNT_SUB_UAF);
	return false;
}
static inline bool refcount_dec_and_test(refcount_t *r) { return refcount_sub_and_test(1, r); }
static inline void refcount_dec(refcount_t *r)
{
	if (atomic_fetch_sub_release(1, &r->refs) <= 1)
		refcount_warn_saturate(r, REFCOUNT_DEC_LEAK);
}
#endif
`,
  'linux/kref.h': `
#ifndef _KREF_H_
#define _KREF_H_
#include <linux/refcount.h>
#include <linux/container_of.h>
#define KREF_INIT(n) { .refcount = REFCOUNT_INIT(n), }
static inline void kref_init(struct kref *kref) { refcount_set(&kref->refcount, 1); }
static inline unsigned int kref_read(const struct kref *kref) { return refcount_read(&kref->refcount); }
static inline void kref_get(struct kref *kref) { refcount_inc(&kref->refcount); }
static inline int kref_put(struct kref *kref, void (*release)(struct kref *kref))
{
	if (refcount_dec_and_test(&kref->refcount)) {
		release(kref);
		return 1;
	}
	return 0;
}
#endif
`,
  'linux/delay.h': `
#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H
#include <linux/types.h>
#define ndelay(n) udelay(((n) + 999) / 1000)
#endif
`,
  'linux/sched.h': `
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H
#include <linux/types.h>
#include <linux/limits.h>
#include <linux/preempt.h>
#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define __TASK_STOPPED 0x0004
#define __TASK_TRACED 0x0008
#define TASK_DEAD 0x0080
#define TASK_WAKEKILL 0x0100
#define TASK_KILLABLE (TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)
#define TASK_IDLE (TASK_UNINTERRUPTIBLE | 0x0400)
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define TASK_COMM_LEN 16
#define MAX_SCHEDULE_TIMEOUT LONG_MAX
/* The members modules read; the real task_struct is ~9 KiB and randomized (__randomize_layout). */
struct task_struct { unsigned int __state; unsigned int flags; int prio; pid_t pid; pid_t tgid; struct task_struct *real_parent; struct task_struct *parent; char comm[TASK_COMM_LEN]; void *stack; };
#define current get_current()
#define __set_current_state(state_value) do { current->__state = (state_value); } while (0)
#define set_current_state(state_value) do { current->__state = (state_value); } while (0)
#define task_pid_nr(tsk) ((tsk)->pid)
#define get_task_comm(buf, tsk) strscpy(buf, (tsk)->comm, sizeof(buf))
#endif
`,
  'linux/atomic.h': `
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H
#include <linux/types.h>
#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
static inline int atomic_read(const atomic_t *v) { return READ_ONCE(v->counter); }
static inline void atomic_set(atomic_t *v, int i) { WRITE_ONCE(v->counter, i); }
static inline void atomic_add(int i, atomic_t *v) { v->counter += i; }
static inline void atomic_sub(int i, atomic_t *v) { v->counter -= i; }
static inline void atomic_inc(atomic_t *v) { v->counter++; }
static inline void atomic_dec(atomic_t *v) { v->counter--; }
static inline int atomic_add_return(int i, atomic_t *v) { v->counter += i; return v->counter; }
static inline int atomic_sub_return(int i, atomic_t *v) { v->counter -= i; return v->counter; }
static inline int atomic_inc_return(atomic_t *v) { return ++v->counter; }
static inline int atomic_dec_return(atomic_t *v) { return --v->counter; }
static inline int atomic_fetch_add(int i, atomic_t *v) { int old = v->counter; v->counter += i; return old; }
#define atomic_fetch_sub(i, v) ({ atomic_t *__afs_v = (v); int __afs_old = __afs_v->counter; __afs_v->counter -= (i); __afs_old; })
#define atomic_fetch_add_relaxed atomic_fetch_add
#define atomic_fetch_sub_release atomic_fetch_sub
#define atomic_add_unless(v, a, u) ({ atomic_t *__aau_v = (v); bool __aau_ok = __aau_v->counter != (u); if (__aau_ok) __aau_v->counter += (a); __aau_ok; })
#define atomic_inc_not_zero(v) atomic_add_unless((v), 1, 0)
static inline int atomic_dec_and_test(atomic_t *v) { return --v->counter == 0; }
static inline int atomic_inc_and_test(atomic_t *v) { return ++v->counter == 0; }
static inline int atomic_sub_and_test(int i, atomic_t *v) { v->counter -= i; return v->counter == 0; }
static inline int atomic_xchg(atomic_t *v, int n) { int old = v->counter; v->counter = n; return old; }
static inline int atomic_cmpxchg(atomic_t *v, int o, int n) { int old = v->counter; if (old == o) v->counter = n; return old; }
static inline long atomic64_read(const atomic64_t *v) { return READ_ONCE(v->counter); }
static inline void atomic64_set(atomic64_t *v, long i) { v->counter = i; }
static inline void atomic64_inc(atomic64_t *v) { v->counter++; }
static inline void atomic64_dec(atomic64_t *v) { v->counter--; }
static inline void atomic64_add(long i, atomic64_t *v) { v->counter += i; }
static inline long atomic64_inc_return(atomic64_t *v) { return ++v->counter; }
#define atomic_long_read atomic64_read
#define atomic_long_set atomic64_set
#define atomic_long_inc atomic64_inc
#define atomic_long_dec atomic64_dec
#define atomic_long_add atomic64_add
#define smp_mb() do { } while (0)
#define smp_rmb() do { } while (0)
#define smp_wmb() do { } while (0)
#define smp_mb__before_atomic() do { } while (0)
#define smp_mb__after_atomic() do { } while (0)
#define smp_load_acquire(p) READ_ONCE(*(p))
#define smp_store_release(p, v) WRITE_ONCE(*(p), v)
#endif
`,
};
