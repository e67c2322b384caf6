// The emulated Linux 6.1 x86_64 kernel: one object that owns memory (mm), the log (printk), the
// virtual clock, the execution context (preempt count, irq state, RCU depth), taint flags, the
// loaded modules and the machine the modules' code runs on. No globals: each run builds a fresh
// Kernel, so runs are independent and deterministic.
//
// Debug configuration: by default it behaves like a kernel built with DEBUG_ATOMIC_SLEEP, KASAN,
// SLUB debug and kmemleak (the `full` profile, for teaching). `default` behaves like Debian's stock
// 6.1 kernel, which the oracle runs.

import type { Span } from '../source/source';
import { spanLine } from '../source/source';
import type { Related } from '../diag/diagnostic';
import type { I64 } from '../vm/value';
import { toHex64 } from '../vm/value';
import type { CallSite, CompiledFunction, Frame as VmFrame, Machine, MachineHost, NativeFunction } from '../vm/machine';
import { Machine as VmMachine } from '../vm/machine';
import type { Frame as TraceFrame } from './trace';
import type { KernelExport } from './exports/types';
import type { LoadedModule } from './module';
import { EventLog } from './events';
import { GPL_COMPATIBLE as GPL_LICENSES } from './module';
import { KernelData } from './kdata';
import { kernelPanic, reportText } from './report';
import type { KLine } from './report';

export type KernelConfigName = 'default' | 'slub_debug' | 'kasan' | 'kmemleak' | 'full';

export interface KernelConfig {
  readonly name: KernelConfigName;
  readonly kasan: boolean;
  readonly slubDebug: boolean;
  readonly kmemleak: boolean;
  readonly debugAtomicSleep: boolean;
  /** PROVE_LOCKING (lockdep): lock order and recursion checks (kernel/lockdep.ts). */
  readonly lockdep: boolean;
}

export const KERNEL_CONFIGS: Record<KernelConfigName, KernelConfig> = {
  default: { name: 'default', kasan: false, slubDebug: false, kmemleak: false, debugAtomicSleep: false, lockdep: false },
  slub_debug: { name: 'slub_debug', kasan: false, slubDebug: true, kmemleak: false, debugAtomicSleep: false, lockdep: false },
  kasan: { name: 'kasan', kasan: true, slubDebug: false, kmemleak: false, debugAtomicSleep: false, lockdep: false },
  kmemleak: { name: 'kmemleak', kasan: false, slubDebug: false, kmemleak: true, debugAtomicSleep: false, lockdep: false },
  full: { name: 'full', kasan: true, slubDebug: true, kmemleak: true, debugAtomicSleep: true, lockdep: true },
};

export interface KernelOptions {
  readonly config?: KernelConfigName;
  /** Emulated RAM in bytes (default 128 MiB). */
  readonly ramBytes?: number;
  /** Seed for addresses and hashed pointers; same seed ⇒ same run. */
  readonly seed?: number;
  /** failslab: fail the Nth allocation (1-based). */
  readonly failNth?: number;
  /** failslab: fail this share of allocations (0..1), seeded. */
  readonly failProbability?: number;
  /** Seconds of virtual time a task may run without sleeping before the soft-lockup report (default 22). */
  readonly softLockupSeconds?: number;
  /** Virtual nanoseconds one loop iteration costs (default 1000: an endless loop reaches the 22 s soft-lockup report after 22 million iterations). */
  readonly loopNanos?: number;
  /** Kernel stack size of the insmod task, bytes (default 16 KiB, THREAD_SIZE). */
  readonly stackBytes?: number;
  /** Most events the event log keeps; older ones are dropped and counted (default 200,000). */
  readonly eventLogCap?: number;
}

/** A finding of the run, at the student's line: it becomes an editor diagnostic and a JSON entry. */
export interface RuntimeFinding {
  /** `oops`, `kasan-use-after-free`, `atomic-sleep`, `leak`, `double-free`, `free-mismatch`, `soft-lockup`, ... */
  readonly rule: string;
  /** The report's headline, as the kernel printed it. */
  readonly message: string;
  readonly span: Span | undefined;
  readonly related: Related[];
  /** All lines of the kernel's report. */
  readonly report: string[];
}

/** Thrown to end the current task (an Oops kills insmod, as on Linux). Never escapes the kernel. */
export class TaskKilled {
  constructor(readonly signal: 'SIGKILL' | 'SIGSEGV', readonly reason: string) {}
}

/**
 * Thrown by a debugger's hook to give up the whole run where it stands (to replay it from a fresh
 * boot, or because the session ended). `runTask` lets it through with the machine untouched.
 */
export class RunAbandoned {
  constructor(readonly why: string) {}
}

/** Execution context, as preempt_count and the irq flag track it on Linux. */
export class Context {
  preemptCount = 0;
  irqsDisabled = false;
  rcuDepth = 0;
  softirq = 0;
  hardirq = 0;
  /** Where preemption was last disabled (lock taken), for reports and the analyzer's runtime twin. */
  disabledAt: { what: string; span: Span | undefined; frames: readonly TraceFrame[] } | undefined;

  /** Back to plain process context: preemption and interrupts on, no RCU, softirq or hardirq. */
  reset(): void {
    this.preemptCount = 0;
    this.irqsDisabled = false;
    this.rcuDepth = 0;
    this.softirq = 0;
    this.hardirq = 0;
    this.disabledAt = undefined;
  }

  get atomic(): boolean {
    return this.preemptCount > 0 || this.irqsDisabled || this.rcuDepth > 0 || this.hardirq > 0 || this.softirq > 0;
  }

  /** The preempt_count value as the kernel prints it (HARDIRQ and SOFTIRQ bits included). */
  get raw(): number {
    return this.preemptCount + (this.softirq << 8) + (this.hardirq << 16);
  }
}

export class Kernel implements MachineHost {
  readonly config: KernelConfig;
  readonly options: Required<Omit<KernelOptions, 'failNth' | 'failProbability'>> & Pick<KernelOptions, 'failNth' | 'failProbability'>;
  readonly ctx = new Context();
  readonly machine: Machine;
  readonly events = new EventLog();
  readonly findings: RuntimeFinding[] = [];
  readonly modules = new Map<string, LoadedModule>();
  readonly exports = new Map<string, KernelExport>();
  private readonly natives = new Map<string, NativeFunction>();
  /** Taint letters set so far (O, E, P, W, B, D, L). */
  readonly taints = new Set<string>();
  /** Set before insmod to compile the module with a debugger's statement hook (see vm/compile.ts). */
  onStatement: import('../vm/compile').ModuleLayout['onStatement'];
  /** The task currently running module code. */
  task = { pid: 93, comm: 'insmod' };
  /** Virtual time spent by the current task without sleeping (for the soft-lockup watchdog). */
  private runSince = 0;
  /**
   * The module being loaded or unloaded (for `Modules linked in:` markers `+` and `-`). `run` is a
   * module callback the kernel runs (a timer, a work item); its `tail` is the kernel path below it
   * in call traces, in place of insmod's or rmmod's syscall path.
   */
  current: { module: LoadedModule | string; phase: 'init' | 'exit' | 'run'; tail?: readonly TraceFrame[] } | undefined;
  readonly k: KernelParts;
  /** The kernel's exported variables (jiffies, ...), in the kernel image's data (kdata.ts). */
  readonly data: KernelData;
  /**
   * Deferred execution (timers, tasklets, work items, kthreads: kernel/deferred.ts), attached on
   * first use. The kernel tells it when time passes with interrupts on, when the task sleeps and
   * when a task ends, the moments at which Linux would run what is pending.
   */
  deferred: DeferredHost | undefined = undefined;

  constructor(parts: KernelParts, exports: Iterable<KernelExport>, options: KernelOptions = {}) {
    this.config = KERNEL_CONFIGS[options.config ?? 'full'];
    this.options = {
      config: this.config.name,
      ramBytes: options.ramBytes ?? 128 << 20,
      seed: options.seed ?? 0,
      failNth: options.failNth,
      failProbability: options.failProbability,
      softLockupSeconds: options.softLockupSeconds ?? 22,
      loopNanos: options.loopNanos ?? 1000,
      stackBytes: options.stackBytes ?? 16384,
      eventLogCap: Math.max(1, Math.floor(options.eventLogCap ?? this.events.cap)),
    };
    this.events.cap = this.options.eventLogCap;
    this.k = parts;
    this.machine = new VmMachine(parts.memory, this);
    let textAddr = 0xffffffff81000000n;
    for (const e of exports) {
      this.exports.set(e.name, e);
      if (!e.impl) continue;
      const impl = e.impl;
      const nf: NativeFunction = {
        kind: 'native', name: e.name, addr: Number(BigInt.asIntN(64, textAddr)), size: 0x80,
        impl: (_m, a, site) => impl(this, a, site),
      };
      textAddr += 0x100n;
      this.natives.set(e.name, nf);
      this.machine.register(nf);
    }
    const area = parts.dataArea ?? { base: 0, bytes: 0 };
    this.data = new KernelData(area.base, area.bytes, this.exports.values());
    if (parts.dataArea) this.data.boot(this);
  }

  native(name: string): NativeFunction | undefined {
    return this.natives.get(name);
  }

  get mem(): KernelParts['memory'] {
    return this.k.memory;
  }

  // ---- time ------------------------------------------------------------------------------------

  /** Advance virtual time (work done by the current task without sleeping). */
  spend(ns: number): void {
    this.advance(ns);
    this.runSince += ns;
    // Interrupts are on: the timer tick may run softirqs (expired timers, tasklets) on this task.
    if (this.deferred && this.current) this.deferred.ticked();
  }

  /** The task slept: the soft-lockup watchdog is fed, and what falls due meanwhile runs. */
  slept(ns: number): void {
    this.runSince = 0;
    if (this.deferred) this.deferred.sleep(ns);
    else this.advance(ns);
  }

  /** Move the clock and the variables that follow it (jiffies); nothing runs. */
  advance(ns: number): void {
    this.k.clock.advance(ns);
    this.data.refresh(this);
  }

  // ---- MachineHost -----------------------------------------------------------------------------

  tick(m: Machine): void {
    this.spend(m.sliceSteps * this.options.loopNanos);
    if (this.runSince >= this.options.softLockupSeconds * 1e9) {
      const stuck = Math.floor(this.runSince / 1e9);
      const lines = this.k.reports.softLockup(this, stuck);
      this.report('soft-lockup', lines, this.currentSpan(), []);
      // The watchdog cannot stop a spinning task; Kernel Module Lab ends it so the editor stays usable.
      throw new TaskKilled('SIGKILL', `soft lockup: CPU#0 stuck for ${stuck}s`);
    }
  }

  stackOverflow(_m: Machine, fn: CompiledFunction): never {
    const lines = this.k.reports.stackOverflow(this, fn);
    this.report('stack-overflow', lines, this.currentSpan(), []);
    // A stack overflow is a double fault: Linux panics and the machine stops.
    this.panicked = true;
    throw new TaskKilled('SIGSEGV', 'kernel stack overflow');
  }

  badCall(_m: Machine, addr: I64, site: CallSite): never {
    void site;
    return this.pageFault(addr, false, true);
  }

  divideError(_m: Machine, span: Span): never {
    void span;
    const lines = this.k.reports.divideError(this);
    this.report('oops', lines, this.currentSpan(), []);
    throw new TaskKilled('SIGSEGV', 'divide error');
  }

  // ---- faults and reports ----------------------------------------------------------------------

  /** An access to an unmapped address: the kernel's page-fault Oops, then the task dies. */
  pageFault(addr: I64, write: boolean, exec = false, ip?: TraceFrame): never {
    const lines = this.k.reports.pageFault(this, addr, write, exec, ip);
    this.report('oops', lines, this.currentSpan(), []);
    this.oopsed = true;
    throw new TaskKilled('SIGKILL', `page fault at ${toHex64(addr)}`);
  }

  /** Print a report's lines to the log at its level and record it as a finding of the run. */
  report(rule: string, lines: string[], span: Span | undefined, related: Related[], level = 4): void {
    for (const l of lines) this.k.printk.log(level, l, span);
    const headline = lines.find((l) => /BUG|WARNING|Oops|general protection|watchdog|kmemleak|unreferenced|Trying to|corruption|double-free|KASAN/.test(l)) ?? lines[0] ?? rule;
    this.findings.push({ rule, message: headline.trim(), span, related, report: lines });
    this.events.emit({ kind: 'finding', rule, message: headline.trim(), span });
  }

  /** The innermost statement of module code that is running (the student's line). */
  currentSpan(): Span | undefined {
    const frames = this.machine.frames;
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i];
      if (f.cur && !f.fn.def.fromHeader) return f.cur.span;
    }
    const top = frames[frames.length - 1];
    return top?.cur?.span;
  }

  /**
   * The call trace of the module code that is running, innermost first, as report frames, followed
   * by `tail` (the syscall path below the module, say). Every allocation records one, so traces are
   * interned as lib/stackdepot.c does: hashed, looked up, and built only the first time, so the same
   * chain of statements and the same tail give the same (shared, never mutated) array.
   */
  trace(tail: readonly TraceFrame[] = NO_FRAMES): readonly TraceFrame[] {
    const frames = this.machine.frames;
    const stop = Math.max(0, frames.length - TRACE_DEPTH);
    let h = tail.length;
    for (let i = frames.length - 1; i >= stop; i--) {
      const f = frames[i];
      h = (Math.imul(h ^ (f.cur ? f.cur.span.start : f.fn.size), 0x9e3779b1) + i) | 0;
    }
    let bucket = this.traceDepot.get(h);
    if (bucket === undefined) {
      bucket = [];
      this.traceDepot.set(h, bucket);
    }
    for (const entry of bucket) if (entry.tail === tail && sameTraceKeys(entry.keys, frames, stop)) return entry.trace;
    const keys: object[] = [];
    for (let i = frames.length - 1; i >= stop; i--) keys.push(frames[i].cur ?? frames[i].fn);
    const trace = Object.freeze(this.buildTrace().concat(tail));
    bucket.push({ keys, tail, trace });
    return trace;
  }

  /** Interned traces by hash (see `trace`). */
  private readonly traceDepot = new Map<number, DepotEntry[]>();

  private buildTrace(): TraceFrame[] {
    const out: TraceFrame[] = [];
    const frames = this.machine.frames;
    const stop = Math.max(0, frames.length - TRACE_DEPTH);
    for (let i = frames.length - 1; i >= stop; i--) {
      const f = frames[i];
      const def = f.fn.def;
      const off = f.cur ? Math.max(0, Math.min(f.fn.size - 1, f.cur.span.start - def.span.start)) : 0;
      out.push({ fn: f.fn.name, offset: off, size: f.fn.size, module: f.fn.module, span: f.cur?.span });
    }
    return out;
  }

  /** A report from the memory subsystem (KASAN, SLUB debug, vmalloc WARNINGs, failslab). */
  mmReport(r: import('./mm/types').MMReport): void {
    if (r.source === 'silent') return;
    for (const l of r.lines) this.log(r.level, l, r.span);
    if (r.taint) this.addTaint(r.taint);
    for (const l of r.after ?? []) this.log(r.level, l, r.span);
    let lines = [...r.lines];
    if (r.warning) {
      const w = this.k.reports.mmWarning(this, r.warning);
      for (const l of w) this.log(4, l, r.span);
      this.addTaint('W');
      lines = lines.concat(w);
    }
    const span = r.span ?? this.currentSpan();
    if (r.source !== 'fault-inject') this.finding(r.rule, r.headline, span, [...r.related], lines);
    if (r.bug) {
      const b = this.k.reports.mmBug(this, r.bug.file, r.bug.line, r.bug.ip);
      for (const l of b) this.log(4, l, span);
      throw new TaskKilled('SIGSEGV', `kernel BUG at ${r.bug.file}:${r.bug.line}`);
    }
  }

  /** Record a runtime finding without printing (the report was printed by its subsystem). */
  finding(rule: string, message: string, span: Span | undefined, related: Related[], report: string[]): void {
    this.findings.push({ rule, message, span, related, report });
    this.events.emit({ kind: 'finding', rule, message, span });
  }

  /**
   * add_taint(): taints that make lockdep unreliable (bad page, proprietary module, oops) turn lock
   * debugging off, and the first such taint says so.
   */
  addTaint(letter: string): void {
    this.taints.add(letter);
    if ((letter === 'B' || letter === 'P' || letter === 'D') && !this.debugLocksOff) {
      this.debugLocksOff = true;
      this.log(4, 'Disabling lock debugging due to kernel taint');
    }
  }

  /** debug_locks_off(): a taint made lock debugging unreliable (lockdep stops). */
  debugLocksOff = false;

  // ---- context ---------------------------------------------------------------------------------

  /**
   * A sleeping function was called. With DEBUG_ATOMIC_SLEEP in atomic context this prints
   * `BUG: sleeping function called from invalid context at <file>:<line>` (once per second, like
   * __might_resched's rate limit).
   */
  mightSleep(site: CallSite, where: string, what: string): void {
    if (!this.config.debugAtomicSleep || !this.ctx.atomic) return;
    const now = this.k.clock.nanos();
    if (this.lastMightSleep !== undefined && now - this.lastMightSleep < 1e9) return;
    this.lastMightSleep = now;
    const lines = this.k.reports.sleepingInAtomic(this, where);
    const related: Related[] = [];
    if (this.ctx.disabledAt?.span) related.push({ span: this.ctx.disabledAt.span, message: `atomic context entered here (${this.ctx.disabledAt.what})` });
    this.report('atomic-sleep', lines, site.span, related, 3);
    void what;
  }

  private lastMightSleep: number | undefined;

  /** The task really schedules (msleep, mutex contention): `scheduling while atomic` if atomic. */
  schedule(site: CallSite, api: string): void {
    if (this.ctx.preemptCount > 0 || this.ctx.hardirq > 0 || this.ctx.softirq > 0) {
      const lines = this.k.reports.schedulingWhileAtomic(this, api);
      this.report('atomic-sleep', lines, site.span, this.atomicRelated(), 3);
      // __schedule_bug() taints W and is followed by preempt_count_set(PREEMPT_DISABLED): the lock's count is lost.
      this.addTaint('W');
      this.ctx.preemptCount = 0;
    }
  }

  atomicRelated(): Related[] {
    const at = this.ctx.disabledAt;
    return at?.span ? [{ span: at.span, message: `atomic context entered here (${at.what})` }] : [];
  }

  enterAtomic(what: string, site: CallSite | undefined, kind: 'preempt' | 'irq' | 'rcu' | 'bh'): void {
    if (kind === 'preempt') this.ctx.preemptCount++;
    else if (kind === 'irq') this.ctx.irqsDisabled = true;
    else if (kind === 'rcu') this.ctx.rcuDepth++;
    else if (kind === 'bh') this.ctx.softirq++;
    if (!this.ctx.disabledAt || this.ctx.disabledAt.span === undefined) this.ctx.disabledAt = { what, span: site?.span, frames: this.trace() };
    this.events.emit({ kind: 'context', what, enter: true, span: site?.span, preemptCount: this.ctx.raw, irqsDisabled: this.ctx.irqsDisabled });
  }

  leaveAtomic(what: string, site: CallSite | undefined, kind: 'preempt' | 'irq' | 'rcu' | 'bh'): void {
    // No clamp: an unlock after the scheduler reset the count leaves it negative, as on Linux,
    // and do_one_initcall() then reports the imbalance.
    if (kind === 'preempt') this.ctx.preemptCount--;
    else if (kind === 'irq') this.ctx.irqsDisabled = false;
    else if (kind === 'rcu') this.ctx.rcuDepth = Math.max(0, this.ctx.rcuDepth - 1);
    else if (kind === 'bh') this.ctx.softirq = Math.max(0, this.ctx.softirq - 1);
    if (!this.ctx.atomic) this.ctx.disabledAt = undefined;
    this.events.emit({ kind: 'context', what, enter: false, span: site?.span, preemptCount: this.ctx.raw, irqsDisabled: this.ctx.irqsDisabled });
  }

  // ---- tasks -----------------------------------------------------------------------------------

  /** Diagnostics for constructs the emulator could not run (reported instead of loading). */
  readonly unsupported: import('../diag/diagnostic').Diagnostic[] = [];

  /**
   * Run a module function as a task (insmod runs init, rmmod runs exit). An Oops kills the task;
   * anything else that escapes is a bug in Kernel Module Lab, reported as such, never a crash.
   */
  runTask(comm: 'insmod' | 'rmmod', mod: LoadedModule, phase: 'init' | 'exit', fn: CompiledFunction, args: I64[]): { ret: I64 | undefined; killed: TaskKilled | undefined } {
    this.task = { pid: comm === 'insmod' ? 93 : 94, comm };
    this.current = { module: mod, phase };
    this.k.setTask(this.task, mod.name);
    const stack = this.k.stackAlloc(this.options.stackBytes);
    this.machine.setStack(stack.bottom, stack.top);
    this.machine.budget = this.machine.sliceSteps;
    const pc0 = this.ctx.raw;
    let ret: I64 | undefined;
    let killed: TaskKilled | undefined;
    try {
      ret = fn.invoke(args);
    } catch (e) {
      if (e instanceof RunAbandoned) throw e;
      killed = this.taskException(e);
    }
    this.machine.frames.length = 0;
    if (killed) {
      this.exitNotes();
    } else if (phase === 'init' && (this.ctx.raw !== pc0 || this.ctx.irqsDisabled)) {
      const what = `${this.ctx.raw !== pc0 ? 'preemption imbalance ' : ''}${this.ctx.irqsDisabled ? 'disabled interrupts ' : ''}`;
      this.ctx.preemptCount = 0;
      this.ctx.irqsDisabled = false;
      this.ctx.rcuDepth = 0;
      this.ctx.disabledAt = undefined;
      const lines = this.k.reports.initcallImbalance(this, fn, what);
      this.report('atomic-imbalance', lines, undefined, [], 4);
    }
    this.k.stackFree(stack);
    this.current = undefined;
    this.k.setTask(this.task, undefined);
    // The task is done and the CPU idles: pending work, tasklets and expired timers run now.
    if (this.deferred && !this.panicked) this.deferred.idle();
    return { ret, killed };
  }

  /**
   * Run a module callback the kernel calls on its own: a timer or tasklet (softirq context), an
   * interrupt handler (hardirq context), a work item or kthread (`process` context, in its own
   * kernel thread). The interrupted task's frames, stack, context and identity are set aside and
   * restored. An Oops in interrupt context panics the machine (`Fatal exception in interrupt`, as
   * on Linux) and ends the interrupted task too; in a kernel thread only that thread dies.
   */
  runCallback(fn: I64, args: I64[], how: CallbackRun): { ret: I64 | undefined; killed: TaskKilled | undefined } {
    const m = this.machine;
    const target = m.lookup(fn);
    const modName = target?.kind === 'module' ? target.module : undefined;
    const stack = this.k.stackAlloc(this.options.stackBytes);
    const saved = this.switchTask(how.task ?? this.task, modName, how.what, how.tail, { frames: [], sp: stack.top, bottom: stack.bottom, top: stack.top });
    if (how.context === 'process') {
      this.ctx.reset();
    } else if (how.context === 'softirq') {
      this.ctx.softirq++;
    } else {
      this.ctx.hardirq++;
      this.ctx.irqsDisabled = true;
    }
    const pc0 = this.ctx.raw;
    const irq0 = this.ctx.irqsDisabled;
    let ret: I64 | undefined;
    let killed: TaskKilled | undefined;
    try {
      if (target?.kind === 'module') ret = target.invoke(args);
      else ret = m.callAddr(fn, args, { span: how.span ?? this.currentSpan()!, frame: saved.frames[saved.frames.length - 1] });
    } catch (e) {
      killed = this.taskException(e);
    }
    m.frames.length = 0;
    if (killed && how.context !== 'process' && !this.panicked) {
      for (const l of reportText(kernelPanicLines(this, 'Fatal exception in interrupt'))) this.log(0, l);
      this.panicked = true;
    } else if (killed) {
      this.exitNotes();
    } else if (this.ctx.raw !== pc0 || this.ctx.irqsDisabled !== irq0) {
      how.leaked?.(this.ctx.raw, pc0);
    }
    this.k.stackFree(stack);
    this.switchBack(saved);
    // After a panic nothing runs any more, the interrupted task included.
    if (killed && this.panicked) throw killed;
    return { ret, killed };
  }

  /**
   * Run one slice of a kernel thread that can block (kernel/deferred.ts): its own frames, stack and
   * execution context are put in place, `step` resumes it until it blocks or ends, and what it left
   * is saved back into `thread` for the next slice. An Oops ends only that thread.
   */
  resumeThread<R>(thread: ThreadContext, step: () => R): { value: R | undefined; killed: TaskKilled | undefined } {
    const saved = this.switchTask(thread.task, thread.module, thread.task.comm, thread.tail, thread.machine);
    Object.assign(this.ctx, thread.ctx);
    this.runSince = 0;
    let value: R | undefined;
    let killed: TaskKilled | undefined;
    try {
      value = step();
    } catch (e) {
      killed = this.taskException(e);
    }
    if (killed) this.exitNotes();
    thread.machine.frames = this.machine.frames.splice(0, this.machine.frames.length);
    thread.machine.sp = this.machine.sp;
    thread.ctx = { ...this.ctx };
    this.switchBack(saved);
    return { value, killed };
  }

  /** Set the running task aside and make `task` current, on the given frames and stack. */
  private switchTask(task: { pid: number; comm: string }, modName: string | undefined, what: string, tail: readonly TraceFrame[], on: ThreadMachine): SavedTask {
    const m = this.machine;
    const saved: SavedTask = {
      frames: m.frames.splice(0, m.frames.length), sp: m.sp, limit: m.stackLimit, top: m.stackTop, budget: m.budget,
      task: this.task, current: this.current, ctx: { ...this.ctx }, owner: this.current ? moduleName(this.current.module) : undefined,
    };
    this.task = task;
    this.current = { module: (modName && this.modules.get(modName)) || modName || what, phase: 'run', tail };
    this.k.setTask(task, modName);
    m.setStack(on.bottom, on.top);
    m.sp = on.sp;
    m.frames.push(...on.frames);
    m.budget = m.sliceSteps;
    return saved;
  }

  /** Make the task that switchTask() set aside current again. */
  private switchBack(saved: SavedTask): void {
    const m = this.machine;
    m.frames.length = 0;
    m.frames.push(...saved.frames);
    m.setStack(saved.limit, saved.top);
    m.sp = saved.sp;
    m.budget = saved.budget;
    Object.assign(this.ctx, saved.ctx);
    this.task = saved.task;
    this.current = saved.current;
    this.k.setTask(saved.task, saved.owner);
  }

  /** Turn whatever stopped a task into the kernel's report. */
  private taskException(e: unknown): TaskKilled {
    if (e instanceof TaskKilled) return e;
    const fault = this.k.asPageFault(e);
    if (fault) {
      try {
        this.pageFault(fault.address, fault.write, false, fault.ip);
      } catch (k2) {
        if (k2 instanceof TaskKilled) return k2;
        throw k2;
      }
    }
    // A bug in Kernel Module Lab: say so plainly, keep going.
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    this.findings.push({ rule: 'internal-error', message: `internal error in Kernel Module Lab: ${msg}`, span: this.currentSpan(), related: [], report: [] });
    return new TaskKilled('SIGKILL', `internal error: ${msg}`);
  }

  /** make_task_dead()'s notes after an Oops. */
  private exitNotes(): void {
    if (this.ctx.irqsDisabled || this.oopsed) this.log(6, `note: ${this.task.comm}[${this.task.pid}] exited with irqs disabled`);
    if (this.ctx.preemptCount > 0) this.log(6, `note: ${this.task.comm}[${this.task.pid}] exited with preempt_count ${this.ctx.preemptCount}`);
    this.ctx.reset();
    this.oopsed = false;
  }

  /** The kernel panicked: nothing runs any more (insmod never returns, rmmod cannot start). */
  panicked = false;

  /** Set by Oops reports: the oops path disables interrupts before the task dies. */
  oopsed = false;

  /** The taint lines load_module() prints, once per boot each, and the module's taint letters. */
  moduleTaints(name: string, license: string | undefined): void {
    if (!this.taints.has('O')) this.log(4, `${name}: loading out-of-tree module taints kernel.`);
    this.addTaint('O');
    this.spend(1_400_000);
    if (!this.taints.has('E')) this.log(5, `${name}: module verification failed: signature and/or required key missing - tainting kernel`);
    this.addTaint('E');
    const lic = license ?? 'unspecified';
    if (!GPL_LICENSES.has(lic)) {
      if (!this.taints.has('P')) this.log(4, `${name}: module license '${lic}' taints kernel.`);
      this.addTaint('P');
    }
  }

  moduleTaintLetters(license: string | undefined): string {
    return `${GPL_LICENSES.has(license ?? 'unspecified') ? '' : 'P'}OE`;
  }

  /** do_init_module(): an init that returned a positive value. */
  suspiciousInitReturn(mod: LoadedModule, ret: number): void {
    const lines = this.k.reports.suspiciousInit(this, mod.name, ret);
    this.report('init-return', lines, mod.init?.def.nameSpan, [], 4);
  }

  /** kmemleak at rmmod: objects allocated by the module and still live. */
  leakCheck(mod: LoadedModule): void {
    if (!this.config.kmemleak) return;
    const leaks = this.k.leaksOf(mod.name);
    if (!leaks.length) return;
    const lines = this.k.reports.kmemleak(this, leaks);
    for (const l of lines) this.log(3, l);
    for (const leak of leaks) {
      this.finding('leak', `unreferenced object 0x${toHex64(leak.addr)} (size ${leak.size}): allocated here and never freed before rmmod`, leak.span, [], lines);
    }
  }

  /** Print the current call trace (dump_stack), with `above` kernel frames on top of the running code. */
  dumpStack(above: readonly TraceFrame[] = []): void {
    for (const l of this.k.reports.dumpStack(this, above)) this.log(4, l);
  }

  /** BUG(): `kernel BUG at file:line!`, an invalid-opcode Oops, and the task dies. */
  bug(file: string, line: number, span: Span | undefined): never {
    const lines = this.k.reports.bug(this, file, line);
    this.report('bug', lines, span, [], 4);
    throw new TaskKilled('SIGSEGV', `kernel BUG at ${file}:${line}`);
  }

  /** WARN(): the cut-here block with a call trace; execution continues. */
  warnAt(file: string, line: number, msg: string | undefined, span: Span | undefined): void {
    const lines = this.k.reports.warnAt(this, file, line, msg);
    this.report('warning', lines, span, [], 4);
    this.addTaint('W');
  }

  /** CONFIG_DEBUG_LIST found a corrupted list: pr_err + BUG at lib/list_debug.c. */
  listCorruption(msg: string): never {
    this.log(3, msg);
    const line = msg.startsWith('list_add') ? 30 : 59;
    const lines = this.k.reports.bug(this, 'lib/list_debug.c', line);
    this.report('list-corruption', [msg, ...lines], this.currentSpan(), [], 4);
    throw new TaskKilled('SIGSEGV', 'list corruption');
  }

  /** printk at a level (for the kernel's own messages). */
  log(level: number, text: string, span?: Span): void {
    this.k.printk.log(level, text, span);
  }

  /** `Modules linked in: test_mem(OE+)` as print_modules() shows them. */
  modulesLinkedIn(): string {
    const parts: string[] = [];
    for (const m of [...this.modules.values()].reverse()) {
      const mark = m.state === 'coming' ? '+' : m.state === 'going' ? '-' : '';
      const t = m.taints ? `(${m.taints}${mark})` : mark ? `(${mark})` : '';
      parts.push(`${m.name}${t}`);
    }
    return parts.join(' ');
  }

  // ---- helpers for natives ---------------------------------------------------------------------

  cstring(addr: I64, max = 4096): string | null {
    return this.k.memory.readCString(addr, max);
  }

  /** `file.c:line` of a span, as reports name the student's code. */
  where(span: Span | undefined): string {
    return span ? `${span.file.name}:${spanLine(span)}` : '?';
  }
}

/** How Kernel.runCallback runs a callback. */
export interface CallbackRun {
  readonly context: 'process' | 'softirq' | 'hardirq';
  /** The kernel thread that runs it (process context); interrupts borrow the interrupted task. */
  readonly task?: { pid: number; comm: string };
  /** The kernel frames below the callback in call traces (call_timer_fn, __run_timers, ...). */
  readonly tail: readonly TraceFrame[];
  /** What runs it, when the callback belongs to no module ("timer", "work"). */
  readonly what: string;
  /** Where the callback was registered (for calls into kernel functions). */
  readonly span?: Span;
  /** The callback returned with a different preempt count or irq state (each context words it differently). */
  readonly leaked?: (now: number, before: number) => void;
}

/** A task's machine state while it is not running: its frames (innermost last) and its stack. */
export interface ThreadMachine {
  frames: import('../vm/machine').Frame[];
  sp: number;
  readonly bottom: number;
  readonly top: number;
}

/** What Kernel.resumeThread needs of a blocked kernel thread, and keeps up to date. */
export interface ThreadContext {
  readonly task: { pid: number; comm: string };
  /** The module whose code the thread runs (owner of what it allocates). */
  readonly module: string | undefined;
  /** The kernel frames below the thread function in call traces (kthread, ret_from_fork). */
  readonly tail: readonly TraceFrame[];
  readonly machine: ThreadMachine;
  /** Its preempt count and irq state, as it left them when it blocked. */
  ctx: Partial<Context>;
}

interface SavedTask {
  readonly frames: import('../vm/machine').Frame[];
  readonly sp: number;
  readonly limit: number;
  readonly top: number;
  readonly budget: number;
  readonly task: { pid: number; comm: string };
  readonly current: Kernel['current'];
  readonly ctx: Partial<Context>;
  readonly owner: string | undefined;
}

/** What the kernel tells the deferred-execution engine (kernel/deferred.ts). */
export interface DeferredHost {
  /** Time passed while a task ran with interrupts on: run the softirqs that fell due. */
  ticked(): void;
  /** The current task sleeps `ns`: advance the clock, running what falls due on the way. */
  sleep(ns: number): void;
  /** A task ended and the CPU idles: run what is pending. */
  idle(): void;
}

function moduleName(m: LoadedModule | string): string {
  return typeof m === 'string' ? m : m.name;
}

/** panic()'s lines for a machine that was running `k`. */
function kernelPanicLines(k: Kernel, reason: string): KLine[] {
  return kernelPanic({ task: k.task, taints: k.taints, modules: k.modulesLinkedIn() }, reason);
}

/** Module frames kept per trace, innermost first (kmemleak keeps 16; deep recursion is cut there). */
const TRACE_DEPTH = 16;

const NO_FRAMES: readonly TraceFrame[] = Object.freeze([]);

/** An interned trace: the frames' keys (statement, or function before its first), innermost first. */
interface DepotEntry {
  readonly keys: readonly object[];
  readonly tail: readonly TraceFrame[];
  readonly trace: readonly TraceFrame[];
}

function sameTraceKeys(keys: readonly object[], frames: readonly VmFrame[], stop: number): boolean {
  if (keys.length !== frames.length - stop) return false;
  for (let i = frames.length - 1, k = 0; i >= stop; i--, k++) if (keys[k] !== (frames[i].cur ?? frames[i].fn)) return false;
  return true;
}

/** A live allocation kmemleak reports at rmmod. */
export interface LeakInfo {
  readonly addr: I64;
  readonly size: number;
  readonly span: Span | undefined;
  readonly frames: TraceFrame[];
  readonly ageNanos: number;
  readonly jiffies: number;
  readonly bytes: Uint8Array;
}

/** The subsystems a Kernel is assembled from (built by `bootKernel` in boot.ts). */
export interface KernelParts {
  readonly memory: import('../vm/machine').VmMemory & {
    readCString(addr: I64, max: number): string | null;
    /** Bulk helpers; they KASAN-check what they touch and throw the page fault a bad pointer causes. */
    strnlen(addr: I64, max: number): number;
    readBytes(addr: I64, n: number): Uint8Array;
    /** Unchecked, non-faulting read for the kernel's own bookkeeping: null if any byte is unmapped. */
    peekBytes(addr: I64, n: number): Uint8Array | null;
    writeBytes(addr: I64, data: Uint8Array): void;
    /** memcmp: the difference of the first differing unsigned bytes, or 0. */
    compare(a: I64, b: I64, n: number): number;
  };
  readonly clock: { advance(ns: number): void; nanos(): number; readonly jiffies: number; wallClockMs(ns?: number): number };
  readonly printk: { log(level: number, text: string, span?: Span): void; printk(text: string, span?: Span): number };
  readonly reports: KernelReports;
  readonly mm: import('./exports/mm').KernelMM;
  /** vsprintf with the kernel's conversions. */
  format(fmt: string, args: I64[]): string;
  moduleAlloc(size: number): I64;
  moduleFree(base: I64): void;
  stackAlloc(bytes: number): { bottom: number; top: number; base: I64 };
  stackFree(stack: { bottom: number; top: number; base: I64 }): void;
  /** A NUL-terminated copy of a string in kernel memory (for charp parameters). */
  kstrdup(text: string): I64;
  /** Where the kernel's exported variables live: a mapped region of the kernel image (kdata.ts). */
  readonly dataArea?: { readonly base: number; readonly bytes: number };
  leaksOf(module: string): LeakInfo[];
  asPageFault(e: unknown): { address: I64; write: boolean; ip?: TraceFrame } | undefined;
  /** The task now running module code, and the module that owns what it allocates. */
  setTask(task: { pid: number; comm: string }, owner: string | undefined): void;
}

/** Report builders (texts verified against Linux 6.1); each returns the report's lines. */
export interface KernelReports {
  softLockup(k: Kernel, seconds: number): string[];
  stackOverflow(k: Kernel, fn: CompiledFunction): string[];
  divideError(k: Kernel): string[];
  pageFault(k: Kernel, addr: I64, write: boolean, exec: boolean, ip?: TraceFrame): string[];
  mmWarning(k: Kernel, w: { message?: string; file: string; line: number; ip: TraceFrame }): string[];
  mmBug(k: Kernel, file: string, line: number, ip: TraceFrame): string[];
  sleepingInAtomic(k: Kernel, where: string): string[];
  schedulingWhileAtomic(k: Kernel, api: string): string[];
  initcallImbalance(k: Kernel, fn: CompiledFunction, what: string): string[];
  suspiciousInit(k: Kernel, name: string, ret: number): string[];
  kmemleak(k: Kernel, leaks: LeakInfo[]): string[];
  /** dump_stack() from the running code; `above` are kernel frames between dump_stack_lvl and it. */
  dumpStack(k: Kernel, above?: readonly TraceFrame[]): string[];
  bug(k: Kernel, file: string, line: number): string[];
  warnAt(k: Kernel, file: string, line: number, msg: string | undefined): string[];
}
