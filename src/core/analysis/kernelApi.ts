// The analyzer's reading of the kernel API table (kernel/exports): which calls sleep, allocate,
// free, dereference an argument, take or drop a lock, never return, or register a callback. Facts
// about exported functions come from the table only (DESIGN invariant 3); the few fallbacks below
// cover entries that do not carry the newer optional fields yet, and say so.
// The `static inline` list helpers of <linux/list.h> are real C in the AST: their dereferences are
// derived from their bodies (summaries), and only their effect on list membership is modelled here.

import { KERNEL_EXPORTS } from '../kernel/exports/index';
import type { AllocFamily, CallbackContext, ContextEffect, KernelExport } from '../kernel/exports/types';

export type { AllocFamily, CallbackContext, ContextEffect, KernelExport };

const BY_NAME: ReadonlyMap<string, KernelExport> = new Map(KERNEL_EXPORTS.map((e) => [e.name, e]));

/** The table entry of an exported function, or undefined for user and header functions. */
export function exportOf(name: string): KernelExport | undefined {
  return BY_NAME.get(name);
}

/** `__GFP_DIRECT_RECLAIM`: an allocation whose gfp mask has it may sleep to reclaim memory. */
export const GFP_DIRECT_RECLAIM = 0x400;

export function gfpMaySleep(gfp: number): boolean {
  return (gfp & GFP_DIRECT_RECLAIM) !== 0;
}

/**
 * Functions that never return although their table entry does not say `noreturn` yet: BUG() ends
 * in `__kmodlab_bug`, whose entry lives in exports/printk.ts.
 */
const NORETURN_FALLBACK: ReadonlySet<string> = new Set(['__kmodlab_bug', 'panic', 'do_exit', 'kthread_complete_and_exit', 'BUG']);

export function isNoreturn(name: string): boolean {
  const e = exportOf(name);
  return e?.noreturn === true || NORETURN_FALLBACK.has(name);
}

/**
 * Callback registrations for entries that do not carry `callbacks` yet (the entries are being added
 * to the table; once an entry says `callbacks`, the table wins). Contexts per the kernel docs:
 * request_irq handlers run in hard interrupt context, timer_list and tasklet callbacks in softirq
 * context, call_rcu callbacks in softirq context, URB completion handlers in interrupt context,
 * smp_call_function callbacks in IPI context with interrupts off.
 */
const CALLBACK_FALLBACK: ReadonlyMap<string, readonly { arg: number; context: CallbackContext }[]> = new Map([
  ['request_irq', [{ arg: 1, context: 'hardirq' }]],
  ['request_threaded_irq', [{ arg: 1, context: 'hardirq' }, { arg: 2, context: 'process' }]],
  ['request_any_context_irq', [{ arg: 1, context: 'hardirq' }]],
  ['devm_request_irq', [{ arg: 2, context: 'hardirq' }]],
  ['devm_request_threaded_irq', [{ arg: 2, context: 'hardirq' }, { arg: 3, context: 'process' }]],
  ['request_percpu_irq', [{ arg: 1, context: 'hardirq' }]],
  ['timer_setup', [{ arg: 1, context: 'timer' }]],
  ['__timer_setup', [{ arg: 1, context: 'timer' }]],
  ['setup_timer', [{ arg: 1, context: 'timer' }]],
  ['tasklet_init', [{ arg: 1, context: 'tasklet' }]],
  ['tasklet_setup', [{ arg: 1, context: 'tasklet' }]],
  ['call_rcu', [{ arg: 1, context: 'rcu' }]],
  ['usb_fill_bulk_urb', [{ arg: 5, context: 'urb' }]],
  ['usb_fill_int_urb', [{ arg: 5, context: 'urb' }]],
  ['usb_fill_control_urb', [{ arg: 6, context: 'urb' }]],
  ['smp_call_function', [{ arg: 0, context: 'ipi' }]],
  ['smp_call_function_single', [{ arg: 1, context: 'ipi' }]],
  ['on_each_cpu', [{ arg: 0, context: 'ipi' }]],
  ['hrtimer_setup', [{ arg: 1, context: 'hrtimer' }]],
  ['INIT_WORK', [{ arg: 1, context: 'process' }]],
  ['kthread_run', [{ arg: 0, context: 'process' }]],
  ['kthread_create', [{ arg: 0, context: 'process' }]],
]);

export function callbacksOf(name: string): readonly { arg: number; context: CallbackContext }[] {
  return exportOf(name)?.callbacks ?? CALLBACK_FALLBACK.get(name) ?? [];
}

/** Calls that sleep although their entry does not say so yet (entries being added to the table). */
const SLEEPS_FALLBACK: ReadonlySet<string> = new Set([
  'copy_to_user', 'copy_from_user', '_copy_to_user', '_copy_from_user', 'get_user', 'put_user', 'clear_user', 'strncpy_from_user',
  'simple_read_from_buffer', 'simple_write_to_buffer', 'memdup_user', 'memdup_user_nul',
  'wait_event', 'wait_event_interruptible', 'wait_event_timeout', 'wait_event_interruptible_timeout', 'wait_for_completion',
  'wait_for_completion_interruptible', 'wait_for_completion_timeout', 'flush_workqueue', 'flush_work', 'cancel_work_sync',
  'cancel_delayed_work_sync', 'destroy_workqueue', 'kthread_stop', 'free_irq',
  'request_irq', 'request_threaded_irq', 'misc_register', 'misc_deregister', 'register_netdev', 'unregister_netdev',
  'register_chrdev', 'alloc_chrdev_region', 'cdev_add', 'device_create', 'class_create',
  'usb_control_msg', 'usb_bulk_msg', 'usleep_range', 'msleep', 'ssleep', 'schedule', 'schedule_timeout',
  'schedule_timeout_interruptible', 'schedule_timeout_uninterruptible', 'mutex_lock', 'mutex_lock_interruptible',
  'mutex_lock_killable', 'down', 'down_interruptible', 'down_killable', 'down_read', 'down_write', 'synchronize_rcu',
  'synchronize_net', 'rtnl_lock', 'vmalloc', 'vzalloc', 'vmalloc_user', 'filp_open', 'kern_path', 'request_firmware',
  'debugfs_create_file', 'debugfs_create_dir', 'proc_create', 'sysfs_create_group', 'kobject_create_and_add',
]);

/** Whether the call may sleep: 'always', 'gfp' (only if the gfp argument allows reclaim), or undefined. */
export function sleepKind(name: string): { kind: 'always' | 'gfp'; gfpArg?: number } | undefined {
  const e = exportOf(name);
  if (e?.sleeps === 'always') return { kind: 'always' };
  if (e?.sleeps === 'gfp') return { kind: 'gfp', gfpArg: e.gfpArg };
  if (SLEEPS_FALLBACK.has(name)) return { kind: 'always' };
  return undefined;
}

/** Which allocation families a free function accepts. kvfree() takes kmalloc, vmalloc and kvmalloc memory. */
export function freeAccepts(freeFamily: AllocFamily | 'any', alloc: AllocFamily): boolean {
  if (freeFamily === 'any') return alloc === 'kmalloc' || alloc === 'vmalloc' || alloc === 'kvmalloc';
  return freeFamily === alloc;
}

/** The free function that matches an allocation family, for quick fixes and messages. */
export const MATCHING_FREE: Readonly<Record<AllocFamily, string>> = {
  kmalloc: 'kfree',
  vmalloc: 'vfree',
  kvmalloc: 'kvfree',
  kmem_cache: 'kmem_cache_free',
  pages: 'free_pages',
  page_struct: '__free_pages',
  devm: 'devm_kfree',
  percpu: 'free_percpu',
};

/** A readable name for a family in messages. */
export const FAMILY_NAME: Readonly<Record<AllocFamily, string>> = {
  kmalloc: 'kmalloc()',
  vmalloc: 'vmalloc()',
  kvmalloc: 'kvmalloc()',
  kmem_cache: 'kmem_cache_alloc()',
  pages: '__get_free_pages()',
  page_struct: 'alloc_pages()',
  devm: 'devm_kmalloc()',
  percpu: 'alloc_percpu()',
};

/** What a <linux/list.h> helper does to list membership (its dereferences come from its body). */
export type ListOp =
  | { readonly op: 'add'; readonly elem: number; readonly head: number; readonly tail: boolean }
  | { readonly op: 'del'; readonly elem: number }
  | { readonly op: 'move'; readonly elem: number; readonly head: number; readonly tail: boolean }
  | { readonly op: 'init'; readonly head: number };

const LIST_OPS: ReadonlyMap<string, ListOp> = new Map<string, ListOp>([
  ['list_add', { op: 'add', elem: 0, head: 1, tail: false }],
  ['list_add_tail', { op: 'add', elem: 0, head: 1, tail: true }],
  ['list_add_rcu', { op: 'add', elem: 0, head: 1, tail: false }],
  ['list_add_tail_rcu', { op: 'add', elem: 0, head: 1, tail: true }],
  ['list_del', { op: 'del', elem: 0 }],
  ['list_del_init', { op: 'del', elem: 0 }],
  ['list_del_rcu', { op: 'del', elem: 0 }],
  ['__list_del_entry', { op: 'del', elem: 0 }],
  ['list_move', { op: 'move', elem: 0, head: 1, tail: false }],
  ['list_move_tail', { op: 'move', elem: 0, head: 1, tail: true }],
  ['INIT_LIST_HEAD', { op: 'init', head: 0 }],
]);

export function listOpOf(name: string): ListOp | undefined {
  return LIST_OPS.get(name);
}

/** Lock kinds that make the context atomic (sleeping is a bug while one is held). */
export type HoldKind = Extract<ContextEffect, { acquire: unknown }>['acquire'] | 'callback';

export function isAtomicHold(kind: HoldKind): boolean {
  return kind !== 'mutex' && kind !== 'sem';
}

/** The acquire kinds a release kind ends (spin_unlock_irqrestore ends spin_lock_irqsave, ...). */
export function releaseMatches(release: Extract<ContextEffect, { release: unknown }>['release'], kind: HoldKind): boolean {
  switch (release) {
    case 'spin': return kind === 'spin';
    case 'spin_irq': return kind === 'spin_irq';
    case 'spin_irqrestore': return kind === 'spin_irqsave' || kind === 'read' || kind === 'write';
    case 'spin_bh': return kind === 'spin_bh';
    case 'read': return kind === 'read';
    case 'write': return kind === 'write';
    case 'irq_on': return kind === 'irq_off' || kind === 'irq_save';
    case 'irq_restore': return kind === 'irq_save' || kind === 'irq_off';
    case 'preempt': return kind === 'preempt';
    case 'rcu': return kind === 'rcu';
    case 'bh': return kind === 'bh';
    case 'mutex': return kind === 'mutex';
    case 'sem': return kind === 'sem';
  }
}

/** Why a hold makes the context atomic, for messages: "holds a spinlock". */
export function holdReason(kind: HoldKind): string {
  switch (kind) {
    case 'spin': return 'holds a spinlock';
    case 'spin_irq': return 'holds a spinlock with interrupts disabled';
    case 'spin_irqsave': return 'holds a spinlock with interrupts disabled';
    case 'spin_bh': return 'holds a spinlock with softirqs disabled';
    case 'read': return 'holds a rwlock for reading';
    case 'write': return 'holds a rwlock for writing';
    case 'irq_off': return 'runs with local interrupts disabled';
    case 'irq_save': return 'runs with local interrupts disabled';
    case 'preempt': return 'runs with preemption disabled';
    case 'rcu': return 'is inside an RCU read-side critical section';
    case 'bh': return 'runs with softirqs disabled';
    case 'mutex': return 'holds a mutex';
    case 'sem': return 'holds a semaphore';
    case 'callback': return 'runs in atomic context';
  }
}

/** How a callback context is described in messages. */
export function contextReason(ctx: CallbackContext): string {
  switch (ctx) {
    case 'hardirq': return 'a hard interrupt handler';
    case 'softirq': return 'a softirq handler';
    case 'timer': return 'a timer callback (softirq context)';
    case 'hrtimer': return 'an hrtimer callback (hard interrupt context)';
    case 'tasklet': return 'a tasklet (softirq context)';
    case 'rcu': return 'an RCU callback (softirq context)';
    case 'urb': return 'a USB URB completion handler (interrupt context)';
    case 'ipi': return 'a cross-CPU function call (interrupts disabled)';
    case 'bh': return 'a callback the kernel calls with softirqs disabled';
    case 'process': return 'a process-context callback';
  }
}
