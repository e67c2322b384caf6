// The shape of one entry in the kernel API table. One entry feeds the front end (its prototype is
// appended to the virtual header named here), the interpreter (`impl`) and the analyzer (sleeping,
// NULL returns, allocation families, dereferenced arguments, lock effects). Adding a kernel API is
// adding one entry.

import type { I64 } from '../../vm/value';
import type { CallSite } from '../../vm/machine';
import type { Kernel } from '../kernel';

export type AllocFamily = 'kmalloc' | 'vmalloc' | 'kvmalloc' | 'kmem_cache' | 'pages' | 'page_struct' | 'devm' | 'percpu';

/** What a call does to the execution context (for the analyzer's atomic-context tracking). */
export type ContextEffect =
  | { acquire: 'spin' | 'spin_irq' | 'spin_irqsave' | 'spin_bh' | 'read' | 'write' | 'irq_off' | 'irq_save' | 'preempt' | 'rcu' | 'bh' | 'mutex' | 'sem'; arg?: number }
  | { release: 'spin' | 'spin_irq' | 'spin_irqrestore' | 'spin_bh' | 'read' | 'write' | 'irq_on' | 'irq_restore' | 'preempt' | 'rcu' | 'bh' | 'mutex' | 'sem'; arg?: number };

/**
 * The context the kernel runs a registered callback in (for the analyzer: which callbacks must not
 * sleep). `process` callbacks may sleep; every other context is atomic.
 */
export type CallbackContext = 'hardirq' | 'softirq' | 'timer' | 'hrtimer' | 'tasklet' | 'rcu' | 'urb' | 'ipi' | 'bh' | 'process';

/**
 * A kernel variable exported to modules (`jiffies`, `init_uts_ns`). It lives in the kernel image's
 * data (kernel/kdata.ts); the loader resolves a module's `extern` declaration of it to that address.
 */
export interface KernelDataSpec {
  /** Bytes the variable occupies. */
  readonly size: number;
  /** Alignment (default 8). */
  readonly align?: number;
  /** Write the boot-time value (default: all zero bytes). */
  readonly init?: (k: Kernel, addr: I64) => void;
  /** Keep the value current; called whenever virtual time moves (jiffies follow the clock). */
  readonly update?: (k: Kernel, addr: I64) => void;
}

export interface KernelExport {
  readonly name: string;
  /** The virtual header that declares it, e.g. `linux/slab.h`. */
  readonly header: string;
  /** The C declaration, without the trailing semicolon (for `data` entries, the variable's declaration). */
  readonly proto: string;
  /** One line for hovers: what it does. */
  readonly doc: string;
  /** May sleep: always, or only when the gfp argument allows direct reclaim. */
  readonly sleeps?: 'always' | 'gfp';
  /** Index of the gfp_t argument. */
  readonly gfpArg?: number;
  /** May return NULL (the analyzer requires a check before use). */
  readonly nullable?: boolean;
  /** Returns an ERR_PTR on failure instead of NULL. */
  readonly errPtr?: boolean;
  /** Returns memory of this allocation family. */
  readonly allocates?: AllocFamily;
  /** Frees argument `arg`; `family` is what it accepts ('any' for kvfree). */
  readonly frees?: { readonly arg: number; readonly family: AllocFamily | 'any' };
  /** Arguments the function dereferences (passing NULL is a bug). */
  readonly derefs?: readonly number[];
  readonly effect?: ContextEffect;
  /** With `effect.acquire`: the lock is taken only when the call returns nonzero (spin_trylock). */
  readonly trylock?: boolean;
  /**
   * May block the calling task until something else happens (msleep, wait_for_completion, a
   * contended mutex): a kernel thread then yields to the scheduler and is resumed later
   * (kernel/deferred.ts), so the module functions that call it get a resumable form.
   */
  readonly blocks?: boolean;
  /** Never returns (BUG(), panic()): the path ends here. */
  readonly noreturn?: boolean;
  /** Function-pointer arguments the kernel calls later, and in which context (request_irq's handler: hardirq). */
  readonly callbacks?: readonly { readonly arg: number; readonly context: CallbackContext }[];
  /** Resizes the allocation passed as argument `resizes` (krealloc): on failure the old block stays allocated. */
  readonly resizes?: number;
  /** Exported with EXPORT_SYMBOL_GPL: unavailable to modules without a GPL-compatible license. */
  readonly gplOnly?: boolean;
  /** Link to the kernel's documentation. */
  readonly docUrl?: string;
  /** An exported variable rather than a function: its storage in the kernel image. */
  readonly data?: KernelDataSpec;
  /** The implementation; undefined for declarations that are only there for the type checker. */
  readonly impl?: (k: Kernel, a: I64[], site: CallSite) => I64 | undefined;
}
