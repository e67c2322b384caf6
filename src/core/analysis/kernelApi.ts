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

/** `__GFP_NOFAIL`: the allocator retries forever instead of returning NULL. */
export const GFP_NOFAIL = 0x8000;

/**
 * Headers whose functions only use the pointers they are given (string and memory functions,
 * printk, locks, list and allocator helpers, user copies). A pointer passed to any other kernel
 * function may be kept by the kernel (queue_work(), register_*(), the driver core), so the module
 * no longer has to free it: it is not reported as leaked.
 */
const BORROWING_HEADERS: ReadonlySet<string> = new Set([
  'linux/string.h', 'linux/kernel.h', 'linux/printk.h', 'linux/spinlock.h', 'linux/mutex.h', 'linux/semaphore.h', 'linux/rwlock.h',
  'linux/rcupdate.h', 'linux/list.h', 'linux/slab.h', 'linux/vmalloc.h', 'linux/uaccess.h', 'linux/delay.h', 'linux/bug.h',
  'linux/atomic.h', 'linux/preempt.h', 'linux/irqflags.h', 'linux/bottom_half.h', 'linux/sched.h', 'linux/mm.h', 'linux/gfp.h',
  'linux/fs.h', 'linux/err.h',
]);

/** Whether a kernel function only borrows its pointer arguments. */
export function borrowsArgs(e: KernelExport): boolean {
  // A function that registers a callback keeps what it is given for later (call_rcu()).
  return BORROWING_HEADERS.has(e.header) && callbacksOf(e.name).length === 0;
}

/**
 * Functions that never return although their table entry does not say `noreturn` yet: BUG() ends
 * in `__kmodlab_bug`, whose entry lives in exports/printk.ts.
 */
const NORETURN_FALLBACK: ReadonlySet<string> = new Set(['__kmodlab_bug', 'panic', 'do_exit', 'kthread_complete_and_exit', 'BUG']);

export function isNoreturn(name: string): boolean {
  const e = apiOf(name);
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
  ['netif_napi_add', [{ arg: 2, context: 'softirq' }]],
  ['netif_napi_add_weight', [{ arg: 2, context: 'softirq' }]],
  ['netif_napi_add_tx', [{ arg: 2, context: 'softirq' }]],
  ['kthread_run', [{ arg: 0, context: 'process' }]],
  ['kthread_create', [{ arg: 0, context: 'process' }]],
]);

export function callbacksOf(name: string): readonly { arg: number; context: CallbackContext }[] {
  return exportOf(name)?.callbacks ?? CALLBACK_FALLBACK.get(name) ?? [];
}

/**
 * What the analyzer assumes about kernel functions whose table entry is missing or does not carry
 * the field yet (the entries for <linux/uaccess.h>, <linux/wait.h>, USB, networking, devm are being
 * added). A table entry always wins field by field; once every function here has its entry, this
 * list can go. Facts per the kernel's own might_sleep()/might_alloc() annotations.
 */
type Fallback = Partial<Pick<KernelExport, 'sleeps' | 'gfpArg' | 'nullable' | 'allocates' | 'frees' | 'effect' | 'derefs' | 'noreturn'>>;

const ALWAYS_SLEEPS = [
  'copy_to_user', 'copy_from_user', '_copy_to_user', '_copy_from_user', 'get_user', 'put_user', 'clear_user', 'strncpy_from_user',
  'simple_read_from_buffer', 'simple_write_to_buffer', 'memdup_user', 'memdup_user_nul', 'vmemdup_user',
  'wait_event', 'wait_event_interruptible', 'wait_event_timeout', 'wait_event_interruptible_timeout', 'wait_event_killable',
  'wait_for_completion', 'wait_for_completion_interruptible', 'wait_for_completion_timeout', 'wait_for_completion_killable',
  'flush_workqueue', 'flush_work', 'flush_delayed_work', 'flush_scheduled_work', 'cancel_work_sync', 'cancel_delayed_work_sync',
  'destroy_workqueue', 'drain_workqueue', 'kthread_stop', 'kthread_park', 'kthread_create', 'kthread_run', 'free_irq', 'synchronize_irq',
  'request_irq', 'request_threaded_irq', 'devm_request_irq', 'misc_register', 'misc_deregister', 'register_netdev', 'unregister_netdev',
  'register_chrdev', 'unregister_chrdev', 'alloc_chrdev_region', 'cdev_add', 'device_create', 'device_destroy', 'device_register',
  'class_create', 'class_destroy', 'usb_control_msg', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_kill_urb', 'usb_poison_urb',
  'usleep_range', 'msleep', 'msleep_interruptible', 'ssleep', 'schedule', 'schedule_timeout', 'schedule_timeout_interruptible',
  'schedule_timeout_uninterruptible', 'schedule_timeout_killable', 'io_schedule', 'yield', 'cond_resched', '__might_sleep', 'might_sleep',
  'mutex_lock', 'mutex_lock_interruptible', 'mutex_lock_killable', 'mutex_lock_nested', 'down', 'down_interruptible', 'down_killable',
  'down_timeout', 'down_read', 'down_write', 'down_read_killable', 'down_write_killable', 'synchronize_rcu', 'synchronize_net',
  'synchronize_srcu', 'rcu_barrier', 'rtnl_lock', 'vmalloc', 'vzalloc', 'vmalloc_user', 'vmalloc_32', 'vmap', 'filp_open', 'filp_close',
  'kernel_read', 'kernel_write', 'kern_path', 'request_firmware', 'release_firmware', 'debugfs_create_file', 'debugfs_create_dir',
  'debugfs_remove', 'debugfs_remove_recursive', 'proc_create', 'proc_mkdir', 'remove_proc_entry', 'sysfs_create_group',
  'sysfs_remove_group', 'kobject_create_and_add', 'kobject_put', 'i2c_transfer', 'i2c_smbus_read_byte_data', 'i2c_smbus_write_byte_data',
  'spi_sync', 'spi_write_then_read', 'regmap_read', 'regmap_write', 'gpiod_set_value_cansleep', 'gpiod_get_value_cansleep',
  'clk_prepare', 'clk_prepare_enable', 'clk_unprepare', 'pm_runtime_get_sync', 'input_register_device', 'input_unregister_device',
  'crypto_alloc_shash', 'crypto_alloc_skcipher', 'kmem_cache_create', 'kmem_cache_destroy', 'register_kprobe', 'unregister_kprobe',
  'mmap_read_lock', 'mmap_write_lock', 'get_user_pages', 'pin_user_pages', 'firmware_request_nowarn',
];

const GFP_SLEEPS: readonly [string, number][] = [
  ['usb_submit_urb', 1], ['usb_alloc_urb', 1], ['usb_alloc_coherent', 2], ['alloc_skb', 1], ['skb_copy', 1], ['skb_clone', 1],
  ['pskb_copy', 1], ['pskb_expand_head', 3], ['skb_copy_expand', 3], ['__netdev_alloc_skb', 2], ['__dev_alloc_skb', 1],
  ['mempool_alloc', 1], ['mempool_create', 3], ['idr_alloc', 4], ['idr_alloc_cyclic', 4], ['ida_alloc', 1], ['ida_alloc_range', 3],
  ['ida_simple_get', 3], ['kfifo_alloc', 2], ['__kfifo_alloc', 3], ['devm_kzalloc', 2], ['devm_kmalloc', 2], ['devm_kcalloc', 3],
  ['devm_kstrdup', 2], ['devm_kasprintf', 1], ['dma_alloc_coherent', 3], ['dma_pool_alloc', 1], ['dma_pool_zalloc', 1],
  ['radix_tree_preload', 0], ['xa_store', 3], ['xa_alloc', 4], ['kmemdup_nul', 2], ['kstrdup_const', 1], ['sg_alloc_table', 2],
  ['__vmalloc', 1], ['alloc_pages_node', 1], ['__get_free_page', 0], ['get_zeroed_page', 0], ['kmalloc_array_node', 3],
  ['kcalloc_node', 3], ['kvmalloc_node', 1], ['krealloc_array', 3], ['kvrealloc', 3], ['kvzalloc_node', 1], ['alloc_workqueue_attrs', 0],
];

const ALLOCATORS: readonly [string, AllocFamily][] = [
  ['devm_kzalloc', 'devm'], ['devm_kmalloc', 'devm'], ['devm_kcalloc', 'devm'], ['devm_kstrdup', 'devm'], ['devm_kasprintf', 'devm'],
  ['devm_kmemdup', 'devm'], ['vmalloc_user', 'vmalloc'], ['vmalloc_32', 'vmalloc'], ['__vmalloc', 'vmalloc'], ['vcalloc', 'vmalloc'],
  ['vmalloc_array', 'vmalloc'], ['kvmalloc_node', 'kvmalloc'], ['kvzalloc_node', 'kvmalloc'], ['kvrealloc', 'kvmalloc'],
  ['kmalloc_array_node', 'kmalloc'], ['kcalloc_node', 'kmalloc'], ['krealloc_array', 'kmalloc'], ['kmemdup_nul', 'kmalloc'],
  ['kstrdup_const', 'kmalloc'], ['memdup_user', 'kmalloc'], ['memdup_user_nul', 'kmalloc'], ['vmemdup_user', 'kvmalloc'],
  ['__get_free_page', 'pages'], ['alloc_pages_node', 'page_struct'], ['alloc_page', 'page_struct'], ['kmem_cache_alloc_node', 'kmem_cache'],
  ['alloc_percpu', 'percpu'], ['__alloc_percpu', 'percpu'],
];

const FREES: readonly [string, number, AllocFamily | 'any'][] = [
  ['devm_kfree', 1, 'devm'], ['free_percpu', 0, 'percpu'], ['free_page', 0, 'pages'], ['__free_page', 0, 'page_struct'],
  ['kvfree_sensitive', 0, 'any'], ['vfree_atomic', 0, 'vmalloc'], ['kfree_const', 0, 'kmalloc'],
];

const EFFECTS: readonly [string, ContextEffect][] = [
  ['rcu_read_lock_bh', { acquire: 'rcu' }], ['rcu_read_unlock_bh', { release: 'rcu' }],
  ['rcu_read_lock_sched', { acquire: 'rcu' }], ['rcu_read_unlock_sched', { release: 'rcu' }],
  ['preempt_disable_notrace', { acquire: 'preempt' }], ['preempt_enable_notrace', { release: 'preempt' }],
  ['preempt_enable_no_resched', { release: 'preempt' }], ['get_cpu', { acquire: 'preempt' }], ['put_cpu', { release: 'preempt' }],
  ['local_irq_save', { acquire: 'irq_save' }], ['local_irq_restore', { release: 'irq_restore' }],
  ['spin_lock_irqsave', { acquire: 'spin_irqsave', arg: 0 }], ['raw_spin_lock_irqsave', { acquire: 'spin_irqsave', arg: 0 }],
  ['raw_spin_unlock_irqrestore', { release: 'spin_irqrestore', arg: 0 }], ['raw_spin_lock_irq', { acquire: 'spin_irq', arg: 0 }],
  ['raw_spin_unlock_irq', { release: 'spin_irq', arg: 0 }], ['raw_spin_lock_bh', { acquire: 'spin_bh', arg: 0 }],
  ['raw_spin_unlock_bh', { release: 'spin_bh', arg: 0 }], ['read_lock_irq', { acquire: 'read', arg: 0 }],
  ['read_unlock_irq', { release: 'read', arg: 0 }], ['read_lock_irqsave', { acquire: 'read', arg: 0 }],
  ['write_lock_irqsave', { acquire: 'write', arg: 0 }], ['netif_tx_lock', { acquire: 'spin' }], ['netif_tx_unlock', { release: 'spin' }],
  ['netif_tx_lock_bh', { acquire: 'spin_bh' }], ['netif_tx_unlock_bh', { release: 'spin_bh' }], ['netif_addr_lock_bh', { acquire: 'spin_bh' }],
  ['netif_addr_unlock_bh', { release: 'spin_bh' }], ['local_lock', { acquire: 'preempt' }], ['local_unlock', { release: 'preempt' }],
  ['mutex_lock_interruptible', { acquire: 'mutex', arg: 0 }], ['mutex_lock_killable', { acquire: 'mutex', arg: 0 }],
];

const FALLBACK: ReadonlyMap<string, Fallback> = (() => {
  const m = new Map<string, Fallback>();
  const put = (n: string, f: Fallback): void => {
    m.set(n, { ...m.get(n), ...f });
  };
  for (const n of ALWAYS_SLEEPS) put(n, { sleeps: 'always' });
  for (const [n, g] of GFP_SLEEPS) put(n, { sleeps: 'gfp', gfpArg: g });
  for (const [n, fam] of ALLOCATORS) put(n, { allocates: fam, nullable: true });
  for (const [n, arg, fam] of FREES) put(n, { frees: { arg, family: fam } });
  for (const [n, eff] of EFFECTS) put(n, { effect: eff });
  for (const n of ['memdup_user', 'memdup_user_nul', 'vmemdup_user']) put(n, { nullable: false });
  return m;
})();

/**
 * The analyzer's view of a kernel function: its table entry, completed field by field from the
 * fallback list above; undefined when neither knows it.
 */
export function apiOf(name: string): KernelExport | undefined {
  return MERGED.get(name) ?? exportOf(name);
}

/** Table entries completed by the fallbacks, computed once (the table is constant). */
const MERGED: ReadonlyMap<string, KernelExport> = (() => {
  const m = new Map<string, KernelExport>();
  for (const [name, f] of FALLBACK) {
    const e = exportOf(name);
    if (!e) {
      m.set(name, { name, header: '', proto: '', doc: '', ...f });
      continue;
    }
    const out: { -readonly [K in keyof KernelExport]: KernelExport[K] } = { ...e };
    for (const k of Object.keys(f) as (keyof Fallback)[]) {
      if (out[k] === undefined) (out as Record<string, unknown>)[k] = f[k];
    }
    m.set(name, out);
  }
  return m;
})();

/** Whether the call may sleep: 'always', 'gfp' (only if the gfp argument allows reclaim), or undefined. */
export function sleepKind(name: string): { kind: 'always' | 'gfp'; gfpArg?: number } | undefined {
  const e = apiOf(name);
  if (e?.sleeps === 'always') return { kind: 'always' };
  if (e?.sleeps === 'gfp') return { kind: 'gfp', gfpArg: e.gfpArg };
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
