// Deferred execution: everything a module asks the kernel to run later — timers and tasklets
// (softirq context), RCU callbacks, work items (in a kworker thread) and kthreads — and the waits
// (completions, wait queues) that let them run.
//
// The emulated machine has one CPU and runs one thing at a time, so "later" means the moments at
// which Linux would switch to it:
//   * time passes while a task runs with interrupts on (a loop, mdelay): the timer tick runs the
//     softirqs that fell due — expired timers, then scheduled tasklets — on top of that task, as the
//     interrupt-exit path does on Linux (`pid: 93, name: insmod` in their reports);
//   * the task sleeps (msleep, a wait, cond_resched) or ends (insmod returns): the CPU is free, so
//     softirqs run (as swapper/0), then queued work (as a kworker), then woken kthreads; a sleep
//     moves the clock timer by timer, so each timer runs at its own jiffy;
//   * explicitly: flush_work(), flush_workqueue(), destroy_workqueue(), tasklet_kill(),
//     kthread_stop(), rcu_barrier() run what they wait for.
// Between two shell commands nothing runs unless the user sleeps (`sleep 2` lets the time pass).
//
// Kernel threads block and resume. A module function that may block is also compiled to a
// resumable form (vm/compile.ts); a kthread runs through it, so when it blocks (msleep, a
// completion, a wait queue, a contended mutex) it yields a BlockRequest and the engine parks it:
// it is resumed when its condition holds, its time comes, or (for schedule()-style waits)
// wake_up_process() wakes it. kthread_stop() sets the stop flag, wakes the thread and lets time
// pass until it returns, as rmmod waits on Linux. Every other task (insmod, rmmod, the shell, a
// work item) waits on the host stack: what falls due meanwhile runs nested inside the wait. A
// kthread that has to block on the host stack (no resumable form: it was started through a
// function pointer the compiler could not follow, or it blocks behind &&, || or ?:, or in a
// switch) takes that moment as kthread_stop() (kthread_should_stop() is true from then on), so
// `while (!kthread_should_stop()) { ...; msleep(); }` still ends instead of sleeping on forever.
//
// Invariants: a thread is in exactly one state (created, runnable, running, blocked, done); only a
// blocked thread has a BlockRequest; the clock only moves forward, to the next timer or wake-up.
//
// A task that waits for something nothing can bring (wait_for_completion() with no timer, work or
// thread left to complete it) gets the kernel's hung-task report after 120 s of virtual time and is
// ended, as the soft-lockup watchdog's victims are; an interruptible wait instead returns
// -ERESTARTSYS then, as if the user pressed Ctrl-C.
//
// State is per Kernel (a WeakMap); addresses are numbers (direct map, module area, vmalloc area).

import type { Span } from '../source/source';
import type { I64 } from '../vm/value';
import type { Frame } from './trace';
import type { DeferredHost, Kernel, ThreadContext } from './kernel';
import { TaskKilled } from './kernel';
import { INITIAL_JIFFIES, TICK_NSEC } from './clock';
import { DEBIAN_QEMU, callTraceLines, printTainted, reportText, taskFrames, INSMOD_USER_REGS, RMMOD_USER_REGS } from './report';

const f = (fn: string, offset: number, size: number): Frame => ({ fn, offset, size });

/** Kernel paths below a callback in call traces (6.1 symbol names; offsets are plausible values for that build). */
export const TAILS = {
  timer: [f('call_timer_fn', 0x27, 0x130), f('__run_timers', 0x1f5, 0x290), f('run_timer_softirq', 0x2b, 0x50), f('__do_softirq', 0xc5, 0x2ac), f('__irq_exit_rcu', 0xb5, 0xf0), f('sysvec_apic_timer_interrupt', 0x9e, 0xc0), f('asm_sysvec_apic_timer_interrupt', 0x16, 0x20)],
  tasklet: [f('tasklet_action_common.constprop.0', 0xc0, 0x100), f('__do_softirq', 0xc5, 0x2ac), f('__irq_exit_rcu', 0xb5, 0xf0), f('sysvec_apic_timer_interrupt', 0x9e, 0xc0), f('asm_sysvec_apic_timer_interrupt', 0x16, 0x20)],
  rcu: [f('rcu_do_batch', 0x19e, 0x4c0), f('rcu_core', 0x2cd, 0x480), f('__do_softirq', 0xc5, 0x2ac), f('__irq_exit_rcu', 0xb5, 0xf0), f('sysvec_apic_timer_interrupt', 0x9e, 0xc0), f('asm_sysvec_apic_timer_interrupt', 0x16, 0x20)],
  work: [f('process_one_work', 0x1c7, 0x380), f('worker_thread', 0x4d, 0x380), f('kthread', 0xe6, 0x110), f('ret_from_fork', 0x1f, 0x30)],
  kthread: [f('kthread', 0xe6, 0x110), f('ret_from_fork', 0x1f, 0x30)],
  hrtimer: [f('__hrtimer_run_queues', 0xf4, 0x2a0), f('hrtimer_interrupt', 0xfa, 0x230), f('__sysvec_apic_timer_interrupt', 0x4f, 0x100), f('sysvec_apic_timer_interrupt', 0x8d, 0xc0), f('asm_sysvec_apic_timer_interrupt', 0x16, 0x20)],
  hardirq: [f('__handle_irq_event_percpu', 0x46, 0x190), f('handle_irq_event', 0x34, 0x70), f('handle_edge_irq', 0x9f, 0x240), f('__common_interrupt', 0x66, 0x100), f('common_interrupt', 0x80, 0xa0), f('asm_common_interrupt', 0x22, 0x40)],
} as const satisfies Record<string, readonly Frame[]>;

/** The tasks that run deferred work (pids as a freshly booted 1-CPU guest has them, plausibly). */
export const SWAPPER = { pid: 0, comm: 'swapper/0' };
const KWORKER = { pid: 31, comm: 'kworker/0:2' };
const KWORKER_UNBOUND = { pid: 32, comm: 'kworker/u2:1' };

/** __WQ_ORDERED / WQ_UNBOUND flags of alloc_workqueue(). */
const WQ_UNBOUND = 1 << 1;

/** Ends a kthread from inside (do_exit, kthread_complete_and_exit): its code becomes the result. */
export class ThreadExit extends TaskKilled {
  constructor(readonly code: I64) {
    super('SIGKILL', 'kthread exited');
  }
}

interface TimerRec {
  /** timer_list (or rcu_head) address. */
  readonly addr: number;
  readonly kind: 'timer' | 'dwork' | 'rcu' | 'hrtimer';
  readonly dueNs: number;
  readonly seq: number;
  /** rcu: the callback; dwork: the workqueue. */
  readonly fn?: I64;
  readonly wq?: number;
  readonly span?: Span;
}

interface WorkRec {
  readonly work: number;
  readonly wq: number;
}

export interface WorkqueueRec {
  readonly addr: number;
  readonly name: string;
  readonly flags: number;
  destroyed: boolean;
}

export interface ThreadRec extends ThreadContext {
  /** Its task_struct (what kthread_create() returned). */
  readonly addr: number;
  readonly fn: I64;
  readonly data: I64;
  state: 'created' | 'runnable' | 'running' | 'blocked' | 'done';
  stopRequested: boolean;
  /** wake_up_process() was called while it was blocked. */
  woken: boolean;
  result: I64;
  readonly span?: Span;
  /** The running resumable form (vm/compile.ts), once started; undefined: runs as a plain callback. */
  gen?: Generator<unknown, I64 | undefined, I64>;
  /** What it waits for while blocked, and why it was made runnable again. */
  block?: BlockRequest;
  wakeReason?: WakeReason;
  /** Its kernel stack (freed when it ends). */
  readonly stack: { bottom: number; top: number; base: I64 };
}

export type WakeReason = 'cond' | 'timeout' | 'woken' | 'signal';

/**
 * What a blocking call waits for. A resumable kthread yields it and is resumed with `result()`;
 * any other task waits for it where it is (Deferred.waitHere).
 */
export interface BlockRequest {
  /** The blocking function (for the hung-task report). */
  readonly api: string;
  /** Wake at this time (ns since boot) at the latest; Infinity: no timeout. */
  readonly until: number;
  /** Wake as soon as this holds. */
  readonly cond?: () => boolean;
  /** wake_up_process() ends the wait (schedule(), schedule_timeout()); msleep() sleeps on. */
  readonly wakeable?: boolean;
  /** 'D' waits that nothing can end give the hung-task report; 'S' ones end as if by a signal. */
  readonly state: WaitState;
  /** The call's value when the task wakes, and why it woke. */
  readonly result: (why: WakeReason) => I64;
}

export type WaitState = 'D' | 'S' | 'K';

export interface WaitResult {
  /** The condition held. */
  readonly ok: boolean;
  /** Jiffies of the timeout left (MAX for none), 0 when it ran out. */
  readonly left: number;
  /** A signal ended the wait (-ERESTARTSYS). */
  readonly signal: boolean;
}

/** Seconds before khungtaskd reports a blocked task (CONFIG_DEFAULT_HUNG_TASK_TIMEOUT). */
const HUNG_TASK_SECONDS = 120;
/** Nested deferred runs allowed (a work item that sleeps lets other work run, and so on). */
const MAX_DEPTH = 8;
/** Items one idle moment runs at most (a work item that always requeues itself cannot hang the run). */
const MAX_BATCH = 10_000;

const engines = new WeakMap<Kernel, Deferred>();

/** The deferred-execution engine of a kernel, attached on first use. */
export function deferred(k: Kernel): Deferred {
  let d = engines.get(k);
  if (!d) {
    d = new Deferred(k);
    engines.set(k, d);
    k.deferred = d;
  }
  return d;
}

/** The engine if one was attached (for read-only questions: is anything pending?). */
export function deferredIfAny(k: Kernel): Deferred | undefined {
  return engines.get(k);
}

export class Deferred implements DeferredHost {
  private readonly timers = new Map<number, TimerRec>();
  private readonly tasklets: number[] = [];
  private readonly work: WorkRec[] = [];
  private readonly runnable: number[] = [];
  readonly threads = new Map<number, ThreadRec>();
  readonly workqueues = new Map<number, WorkqueueRec>();
  private seq = 0;
  private depth = 0;
  /** Earliest timer expiry (ns since boot), Infinity when none. */
  private nextDue = Infinity;

  constructor(readonly k: Kernel) {}

  private now(): number {
    return this.k.k.clock.nanos();
  }

  // ---- DeferredHost -------------------------------------------------------------------------------

  ticked(): void {
    if (this.nextDue > this.now() && this.tasklets.length === 0) return;
    const c = this.k.ctx;
    if (c.irqsDisabled || c.softirq > 0 || c.hardirq > 0 || this.depth >= MAX_DEPTH) return;
    this.guard(() => this.runSoftirqs(this.k.task));
  }

  sleep(ns: number): void {
    const k = this.k;
    // A kthread blocking on the host stack (no resumable form, or a block it cannot yield from):
    // rmmod's kthread_stop() is taken to come now (see the file comment).
    const t = this.threadOf(k.task);
    if (t) t.stopRequested = true;
    const end = this.now() + Math.max(0, Number.isFinite(ns) ? ns : 0);
    this.runPending();
    for (let i = 0; i < MAX_BATCH && this.nextEvent() <= end; i++) {
      k.advance(Math.max(0, this.nextEvent() - this.now()));
      this.runPending();
    }
    k.advance(Math.max(0, end - this.now()));
    this.runPending();
  }

  idle(): void {
    this.runPending();
  }

  // ---- running ----------------------------------------------------------------------------------

  private guard(run: () => void): boolean {
    if (this.depth >= MAX_DEPTH) return false;
    this.depth++;
    try {
      run();
    } finally {
      this.depth--;
    }
    return true;
  }

  /** Everything that can run now, with the CPU free: softirqs, then work, then kthreads. True if anything ran. */
  runPending(): boolean {
    let ran = false;
    this.guard(() => {
      for (let i = 0; i < MAX_BATCH; i++) {
        if (this.runSoftirqs(SWAPPER)) ran = true;
        else if (this.work.length) this.runWork(this.work.shift()!);
        else if (this.runnable.length || this.wakeBlocked()) this.runThread(this.runnable.shift()!);
        else break;
        ran = true;
        if (this.k.panicked) break;
      }
    });
    return ran;
  }

  /** Expired timers (in expiry order) and scheduled tasklets. True if anything ran. */
  private runSoftirqs(task: { pid: number; comm: string }): boolean {
    let ran = false;
    // Tasklets that were disabled when due run once enabled again.
    for (let i = this.parked.length - 1; i >= 0; i--) {
      if ((this.peek32(this.parked[i] + 16) | 0) <= 0) this.tasklets.push(...this.parked.splice(i, 1));
    }
    for (let i = 0; i < MAX_BATCH && !this.k.panicked; i++) {
      const t = this.firstExpired();
      if (t) {
        this.fireTimer(t, task);
        ran = true;
        continue;
      }
      const tl = this.tasklets.shift();
      if (tl === undefined) break;
      this.runTasklet(tl, task);
      ran = true;
    }
    return ran;
  }

  private firstExpired(): TimerRec | undefined {
    const now = this.now();
    if (this.nextDue > now) return undefined;
    let best: TimerRec | undefined;
    for (const t of this.timers.values()) {
      if (t.dueNs <= now && (!best || t.dueNs < best.dueNs || (t.dueNs === best.dueNs && t.seq < best.seq))) best = t;
    }
    return best;
  }

  private recomputeNext(): void {
    let n = Infinity;
    for (const t of this.timers.values()) if (t.dueNs < n) n = t.dueNs;
    this.nextDue = n;
  }

  private fireTimer(t: TimerRec, task: { pid: number; comm: string }): void {
    const k = this.k;
    this.timers.delete(t.addr);
    this.recomputeNext();
    if (t.kind === 'dwork') {
      this.unhash(t.addr);
      this.enqueueWork(t.addr - 32, t.wq ?? 0);
      return;
    }
    if (t.kind === 'rcu') {
      k.runCallback(t.fn ?? 0, [t.addr], { context: 'softirq', task, tail: TAILS.rcu, what: 'rcu', span: t.span });
      return;
    }
    if (t.kind === 'hrtimer') {
      this.fireHrtimer(t, task);
      return;
    }
    // detach_timer(): the entry is unhashed before the callback runs (so it may re-arm itself).
    this.unhash(t.addr);
    const fn = this.peek64(t.addr + 24);
    this.note('timer', fn, task, 'run');
    k.runCallback(fn, [t.addr], {
      context: 'softirq', task, tail: TAILS.timer, what: 'timer', span: t.span,
      leaked: (now, before) => {
        k.warnAt('kernel/time/timer.c', 1522, `timer: ${symbolOf(k, fn)} preempt leak: ${hex8(before)} -> ${hex8(now)}`, t.span);
      },
    });
  }

  private runTasklet(t: number, task: { pid: number; comm: string }): void {
    const k = this.k;
    const state = Number(this.peek64(t + 8));
    // A disabled tasklet (count > 0) stays scheduled until tasklet_enable().
    if ((this.peek32(t + 16) | 0) > 0) {
      this.parked.push(t);
      return;
    }
    this.poke64(t + 8, (state & ~1) | 2);
    const useCallback = this.peek8(t + 20) !== 0;
    const fn = this.peek64(t + 24);
    const arg = useCallback ? t : this.peek64(t + 32);
    this.note('tasklet', fn, task, 'run');
    k.runCallback(fn, [arg], { context: 'softirq', task, tail: TAILS.tasklet, what: 'tasklet' });
    this.poke64(t + 8, Number(this.peek64(t + 8)) & ~2);
  }

  /** Disabled tasklets that were due; tasklet_enable() does not reschedule them here, the next schedule does. */
  private readonly parked: number[] = [];

  private runWork(w: WorkRec): void {
    const k = this.k;
    // set_work_pool_and_clear_pending(): the item may be queued again from its own function.
    this.poke64(w.work, Number(this.peek64(w.work)) & ~1);
    const fn = this.peek64(w.work + 24);
    const wq = this.workqueues.get(w.wq);
    const task = wq && (wq.flags & WQ_UNBOUND) !== 0 ? KWORKER_UNBOUND : KWORKER;
    this.note('work', fn, task, 'run', wq?.name);
    k.runCallback(fn, [w.work], {
      context: 'process', task, tail: TAILS.work, what: 'work',
      leaked: (now) => {
        const lines = [
          `BUG: workqueue leaked lock or atomic: ${task.comm}/0x${hex8(now)}/${task.pid}`,
          `    last function: ${symbolOf(k, fn)}`,
        ];
        k.report('atomic-imbalance', lines, k.currentSpan(), [], 3);
        k.dumpStack();
      },
    });
  }

  private runThread(task: number): void {
    const t = this.threads.get(task);
    if (!t || t.state !== 'runnable') return;
    const target = this.k.machine.lookup(t.fn);
    if (target?.kind === 'module' && target.resume) {
      t.gen ??= target.resume([t.data]);
      this.step(t);
      return;
    }
    t.state = 'running';
    const k = this.k;
    this.note('kthread', t.fn, t.task, 'run');
    const r = k.runCallback(t.fn, [t.data], { context: 'process', task: t.task, tail: TAILS.kthread, what: 'kthread', span: t.span });
    this.finish(t, r.ret, r.killed);
  }

  /** Resume a resumable thread until it blocks again or ends. */
  private step(t: ThreadRec): void {
    const value = t.block && t.wakeReason ? t.block.result(t.wakeReason) : 0;
    t.block = undefined;
    t.wakeReason = undefined;
    t.woken = false;
    t.state = 'running';
    this.note('kthread', t.fn, t.task, 'run');
    const r = this.k.resumeThread(t, () => t.gen!.next(value));
    if (r.killed || !r.value) this.finish(t, undefined, r.killed);
    else if (r.value.done) this.finish(t, r.value.value ?? 0, undefined);
    else {
      t.block = r.value.value as BlockRequest;
      t.state = 'blocked';
      this.note('kthread', t.fn, t.task, 'block', t.block.api);
    }
  }

  private finish(t: ThreadRec, ret: I64 | undefined, killed: unknown): void {
    t.state = 'done';
    if (killed instanceof ThreadExit) t.result = killed.code;
    else if (killed) t.result = -4; // -EINTR: the thread died
    else t.result = ret ?? 0;
    t.gen = undefined;
    this.k.k.stackFree(t.stack);
    this.note('kthread', t.fn, t.task, 'exit', String(t.result));
  }

  /** Tell the event log (the memory map's timeline) what runs. */
  private note(what: 'timer' | 'hrtimer' | 'tasklet' | 'rcu' | 'work' | 'kthread', fn: I64, task: { comm: string }, phase: 'run' | 'block' | 'exit', detail?: string): void {
    const events = this.k.events;
    if (!events.active) return;
    events.emit({ kind: 'deferred', what, fn: this.k.machine.lookup(fn)?.name ?? symbolOf(this.k, fn), task: task.comm, phase, detail });
  }

  /** What is pending and who exists, as plain data (for the memory map and `--json`). */
  snapshot(): DeferredSnapshot {
    const name = (fn: I64): string => this.k.machine.lookup(fn)?.name ?? symbolOf(this.k, fn);
    return {
      timers: [...this.timers.values()].sort((a, b) => a.dueNs - b.dueNs || a.seq - b.seq).map((t) => ({
        kind: t.kind, addr: t.addr, dueNs: t.dueNs,
        fn: t.kind === 'timer' ? name(this.peek64(t.addr + 24)) : t.kind === 'hrtimer' ? name(this.peek64(t.addr + 40)) : t.kind === 'rcu' ? name(t.fn ?? 0) : name(this.peek64(t.addr - 32 + 24)),
      })),
      tasklets: this.tasklets.map((t) => ({ addr: t, fn: name(this.peek64(t + 24)) })),
      work: this.work.map((w) => ({ addr: w.work, fn: name(this.peek64(w.work + 24)), queue: this.workqueues.get(w.wq)?.name ?? '' })),
      threads: [...this.threads.values()].map((t) => ({ pid: t.task.pid, comm: t.task.comm, fn: name(t.fn), state: t.state, waitsIn: t.block?.api, stopRequested: t.stopRequested })),
    };
  }

  /** Blocked threads whose wait is over become runnable. True if any did. */
  private wakeBlocked(): boolean {
    const now = this.now();
    let any = false;
    for (const t of this.threads.values()) {
      const b = t.block;
      if (t.state !== 'blocked' || !b) continue;
      const why: WakeReason | undefined = b.cond?.() ? 'cond' : b.wakeable && t.woken ? 'woken' : now >= b.until ? 'timeout' : undefined;
      if (!why) continue;
      t.wakeReason = why;
      t.state = 'runnable';
      this.runnable.push(t.addr);
      any = true;
    }
    return any;
  }

  /** When the next timer fires or the next sleeping thread's time comes (ns since boot). */
  private nextEvent(): number {
    let n = this.nextDue;
    for (const t of this.threads.values()) if (t.state === 'blocked' && t.block && t.block.until < n) n = t.block.until;
    return n;
  }

  // ---- blocking -----------------------------------------------------------------------------------

  /**
   * A blocking call. Called from a kthread's resumable form, the request is handed to the
   * scheduler (Machine.pending) and the value returned here is ignored: the thread is resumed with
   * `req.result()`. Anywhere else the task waits here.
   */
  block(req: BlockRequest): I64 {
    const k = this.k;
    const t = this.threadOf(k.task);
    if (k.machine.takeBlockable() && t?.gen) {
      k.machine.pending = req;
      return 0;
    }
    return this.waitHere(req);
  }

  /** Wait on the host stack: time passes and what falls due runs, nested, until the request is met. */
  waitHere(req: BlockRequest): I64 {
    const now = this.now();
    if (!req.cond) {
      this.k.slept(Number.isFinite(req.until) ? Math.max(0, req.until - now) : 1_000_000);
      return req.result('timeout');
    }
    const timeout = Number.isFinite(req.until) ? Math.max(0, Math.ceil((req.until - now) / TICK_NSEC)) : Infinity;
    const r = this.wait(req.cond, timeout, req.state, req.api);
    return req.result(r.ok ? 'cond' : r.signal ? 'signal' : 'timeout');
  }

  // ---- timers -----------------------------------------------------------------------------------

  /** When a timer armed now with `expires` (jiffies) fires: at that jiffy, or the next tick if it has passed. */
  dueOf(expires: I64): number {
    const nowJ = this.k.k.clock.jiffies;
    const e = typeof expires === 'number' ? expires : Number(BigInt.asUintN(64, expires));
    // time_after() arithmetic: a delta beyond LONG_MAX is in the past.
    let delta = e - nowJ;
    if (delta > 2 ** 62 || !Number.isFinite(delta)) delta = 2 ** 62;
    if (delta < -(2 ** 62)) delta = 0;
    const dueJ = nowJ + Math.max(1, delta);
    return (dueJ - INITIAL_JIFFIES) * TICK_NSEC;
  }

  /** mod_timer(): (re)arm; true if it was pending. The timer_list shows it: expires set, entry hashed. */
  armTimer(addr: number, expires: I64, span?: Span): boolean {
    const was = this.timers.has(addr);
    this.timers.set(addr, { addr, kind: 'timer', dueNs: this.dueOf(expires), seq: this.seq++, span });
    this.recomputeNext();
    this.poke64(addr + 16, expires);
    this.hash(addr);
    return was;
  }

  /** del_timer(): true if it was pending. */
  cancelTimer(addr: number): boolean {
    const t = this.timers.get(addr);
    if (!t || t.kind !== 'timer') return false;
    this.timers.delete(addr);
    this.recomputeNext();
    this.unhash(addr);
    return true;
  }

  /** The timer wheel bucket pending timers hang off (a kernel object; only its address matters). */
  private bucket: I64 = 0;

  /** Link a timer_list's entry into the wheel: timer_pending() reads entry.pprev. */
  private hash(timer: number): void {
    if (this.bucket === 0) this.bucket = this.k.data.object(16) || 1;
    this.poke64(timer, 0);
    this.poke64(timer + 8, this.bucket);
  }

  /** detach_timer(): pprev cleared, next poisoned (LIST_POISON2). */
  private unhash(timer: number): void {
    this.poke64(timer, 0x122n + 0xdead000000000000n);
    this.poke64(timer + 8, 0);
  }

  timerPending(addr: number): boolean {
    return this.timers.has(addr);
  }

  // ---- hrtimers: struct hrtimer { node (rb_node, expires at +24); _softexpires +32; function +40; ...; state +56 } ----

  /** hrtimer_start(): fire at `ns` (absolute ktime, or relative to now). */
  armHrtimer(addr: number, ns: number, relative: boolean, span?: Span): void {
    const due = Math.max(this.now(), relative ? this.now() + Math.max(0, ns) : ns);
    this.timers.set(addr, { addr, kind: 'hrtimer', dueNs: due, seq: this.seq++, span });
    this.recomputeNext();
    this.poke64(addr + 24, due);
    this.poke64(addr + 32, due);
    this.k.mem.st8(addr + 56, 1); // HRTIMER_STATE_ENQUEUED
  }

  cancelHrtimer(addr: number): boolean {
    const t = this.timers.get(addr);
    if (!t || t.kind !== 'hrtimer') return false;
    this.timers.delete(addr);
    this.recomputeNext();
    this.k.mem.st8(addr + 56, 0);
    return true;
  }

  hrtimerActive(addr: number): boolean {
    return this.timers.get(addr)?.kind === 'hrtimer' || this.runningHrtimer === addr;
  }

  private runningHrtimer = 0;

  /** __run_hrtimer(): the callback runs in hard interrupt context; HRTIMER_RESTART re-queues it at its (forwarded) expiry. */
  private fireHrtimer(t: TimerRec, task: { pid: number; comm: string }): void {
    const k = this.k;
    k.mem.st8(t.addr + 56, 0);
    const fn = this.peek64(t.addr + 40);
    this.note('hrtimer', fn, task, 'run');
    this.runningHrtimer = t.addr;
    const r = k.runCallback(fn, [t.addr], { context: 'hardirq', task, tail: TAILS.hrtimer, what: 'hrtimer', span: t.span });
    this.runningHrtimer = 0;
    if (r.killed || Number(r.ret ?? 0) !== 1 || this.timers.has(t.addr)) return;
    const due = Number(this.peek64(t.addr + 24));
    this.armHrtimer(t.addr, due <= this.now() ? this.now() + 1 : due, false, t.span);
  }

  /** call_rcu(): the callback runs after a grace period (the next tick after ~8 ms), in softirq context. */
  callRcu(head: number, fn: I64, span?: Span): void {
    this.timers.set(head, { addr: head, kind: 'rcu', fn, dueNs: this.now() + 2 * TICK_NSEC, seq: this.seq++, span });
    this.recomputeNext();
  }

  /** rcu_barrier(): every queued RCU callback runs now. */
  rcuBarrier(): void {
    const due = [...this.timers.values()].filter((t) => t.kind === 'rcu').sort((a, b) => a.seq - b.seq);
    this.guard(() => {
      for (const t of due) {
        if (this.timers.get(t.addr) !== t) continue;
        this.fireTimer(t, this.k.task);
      }
    });
  }

  // ---- tasklets ---------------------------------------------------------------------------------

  /** tasklet_schedule(): false if it was already scheduled. */
  scheduleTasklet(t: number): boolean {
    const state = Number(this.peek64(t + 8));
    if (state & 1) return false;
    this.poke64(t + 8, state | 1);
    this.tasklets.push(t);
    const parked = this.parked.indexOf(t);
    if (parked >= 0) this.parked.splice(parked, 1);
    return true;
  }

  /** tasklet_kill(): a scheduled tasklet runs first, then it can no longer run. */
  killTasklet(t: number): void {
    const i = this.tasklets.indexOf(t);
    if (i >= 0) {
      this.tasklets.splice(i, 1);
      this.guard(() => this.runTasklet(t, this.k.task));
    }
    const p = this.parked.indexOf(t);
    if (p >= 0) this.parked.splice(p, 1);
    this.poke64(t + 8, 0);
  }

  // ---- work -------------------------------------------------------------------------------------

  registerWorkqueue(addr: number, name: string, flags: number): WorkqueueRec {
    const rec: WorkqueueRec = { addr, name, flags, destroyed: false };
    this.workqueues.set(addr, rec);
    return rec;
  }

  /** queue_work(): false if the item was already pending. */
  queueWork(wq: number, work: number): boolean {
    const data = Number(this.peek64(work));
    if (data & 1) return false;
    this.poke64(work, data | 1);
    this.enqueueWork(work, wq);
    return true;
  }

  private enqueueWork(work: number, wq: number): void {
    this.work.push({ work, wq });
  }

  /** queue_delayed_work(): false if already pending; delay 0 queues at once. */
  queueDelayed(wq: number, dwork: number, delay: I64, span?: Span): boolean {
    const data = Number(this.peek64(dwork));
    if (data & 1) return false;
    this.poke64(dwork, data | 1);
    this.armDelayed(wq, dwork, delay, span);
    return true;
  }

  /** mod_delayed_work(): (re)arm whether or not pending; true if it was pending. */
  modDelayed(wq: number, dwork: number, delay: I64, span?: Span): boolean {
    const was = this.cancelWork(dwork);
    this.poke64(dwork, Number(this.peek64(dwork)) | 1);
    this.armDelayed(wq, dwork, delay, span);
    return was;
  }

  private armDelayed(wq: number, dwork: number, delay: I64, span?: Span): void {
    const d = typeof delay === 'number' ? delay : Number(BigInt.asIntN(64, delay));
    this.poke64(dwork + 72, wq);
    if (d <= 0) {
      this.enqueueWork(dwork, wq);
      return;
    }
    const timer = dwork + 32;
    const expires = this.k.k.clock.jiffies + d;
    this.timers.set(timer, { addr: timer, kind: 'dwork', wq, dueNs: this.dueOf(expires), seq: this.seq++, span });
    this.recomputeNext();
    this.poke64(timer + 16, expires);
    this.hash(timer);
  }

  /** cancel_work() / cancel_delayed_work(): remove a pending item (or its timer); true if it was pending. */
  cancelWork(work: number): boolean {
    let was = false;
    const timer = this.timers.get(work + 32);
    if (timer && timer.kind === 'dwork') {
      this.timers.delete(work + 32);
      this.recomputeNext();
      this.unhash(work + 32);
      was = true;
    }
    const i = this.work.findIndex((w) => w.work === work);
    if (i >= 0) {
      this.work.splice(i, 1);
      was = true;
    }
    if (was) this.poke64(work, Number(this.peek64(work)) & ~1);
    return was;
  }

  /** flush_work(): run the item now if it is queued; true if there was something to wait for. */
  flushWork(work: number, delayed = false): boolean {
    if (delayed) {
      const timer = this.timers.get(work + 32);
      if (timer && timer.kind === 'dwork') {
        this.timers.delete(work + 32);
        this.recomputeNext();
        this.unhash(work + 32);
        this.enqueueWork(work, timer.wq ?? 0);
      }
    }
    const i = this.work.findIndex((w) => w.work === work);
    if (i < 0) return false;
    const [w] = this.work.splice(i, 1);
    this.guard(() => this.runWork(w));
    return true;
  }

  /** flush_workqueue(): run what is queued on `wq` now (items queued meanwhile wait for the next flush). */
  flushQueue(wq: number, drain = false): void {
    this.guard(() => {
      for (let round = 0; round < (drain ? MAX_BATCH : 1); round++) {
        const mine = this.work.filter((w) => w.wq === wq);
        if (!mine.length) return;
        for (const w of mine) {
          const i = this.work.indexOf(w);
          if (i < 0) continue;
          this.work.splice(i, 1);
          this.runWork(w);
          if (this.k.panicked) return;
        }
      }
    });
  }

  /** Whether any item is queued on `wq` or waits on a delayed-work timer for it. */
  busy(wq: number): boolean {
    return this.work.some((w) => w.wq === wq) || [...this.timers.values()].some((t) => t.kind === 'dwork' && t.wq === wq);
  }

  // ---- kthreads ---------------------------------------------------------------------------------

  addThread(rec: ThreadRec): void {
    this.threads.set(rec.addr, rec);
  }

  /** wake_up_process(): a created kthread becomes runnable, a blocked one is woken; 1 if it was asleep. */
  wake(task: number): number {
    const t = this.threads.get(task);
    if (!t) return 0;
    if (t.state === 'blocked') {
      t.woken = true;
      return 1;
    }
    if (t.state !== 'created') return 0;
    t.state = 'runnable';
    this.runnable.push(task);
    return 1;
  }

  /**
   * kthread_stop(): set the stop flag, wake the thread and wait until it returns; its result, or
   * -EINTR if it never ran (kthread() checks the flag before calling the thread function).
   */
  stop(task: number): I64 {
    const t = this.threads.get(task);
    if (!t) return -4;
    t.stopRequested = true;
    if (t.state === 'created') {
      this.finish(t, -4, undefined);
    } else if (t.state === 'runnable' && !t.gen && !this.isResumable(t)) {
      const i = this.runnable.indexOf(task);
      if (i >= 0) this.runnable.splice(i, 1);
      this.guard(() => this.runThread(task));
    } else if (t.state !== 'done') {
      this.wake(task);
      this.wait(() => t.state === 'done', Infinity, 'D', 'kthread_stop');
    }
    this.threads.delete(task);
    return t.result;
  }

  private isResumable(t: ThreadRec): boolean {
    const target = this.k.machine.lookup(t.fn);
    return target?.kind === 'module' && target.resume !== undefined;
  }

  /** The kthread running as `task`, if it is one. */
  threadOf(task: { pid: number; comm: string }): ThreadRec | undefined {
    for (const t of this.threads.values()) if (t.task === task && t.state === 'running') return t;
    return undefined;
  }

  // ---- waiting ----------------------------------------------------------------------------------

  /**
   * Sleep until `cond` holds: run what can run, move the clock to the next timer, and repeat.
   * `timeout` is in jiffies (Infinity: none). When nothing is left that could make `cond` true the
   * wait ends: by timeout, by a signal (interruptible waits), or with the hung-task report (which
   * ends the task). `api` names the waiting function in that report.
   */
  wait(cond: () => boolean, timeout: number, state: WaitState, api: string, once = false): WaitResult {
    const k = this.k;
    const start = this.now();
    const deadline = timeout === Infinity ? Infinity : start + Math.max(0, timeout) * TICK_NSEC;
    const left = (): number => (deadline === Infinity ? Number.MAX_SAFE_INTEGER : Math.max(1, Math.ceil((deadline - this.now()) / TICK_NSEC)));
    for (let i = 0; i < MAX_BATCH; i++) {
      if (cond()) return { ok: true, left: left(), signal: false };
      if (this.runPending()) {
        if (once) return { ok: false, left: left(), signal: false };
        continue;
      }
      const next = this.nextEvent();
      if (next !== Infinity && next <= deadline && this.depth < MAX_DEPTH) {
        k.slept(Math.max(0, next - this.now()));
        if (once) return { ok: false, left: left(), signal: false };
        continue;
      }
      // Nothing left that could wake the task before its deadline.
      const thread = this.threadOf(k.task);
      if (thread && !thread.stopRequested) {
        thread.stopRequested = true;
        return { ok: false, left: left(), signal: false };
      }
      if (deadline !== Infinity) {
        k.slept(Math.max(0, deadline - this.now()));
        return { ok: cond(), left: 0, signal: false };
      }
      if (state === 'D') this.hung(api);
      k.slept(HUNG_TASK_SECONDS * 1e9);
      return { ok: false, left: 0, signal: true };
    }
    return { ok: cond(), left: left(), signal: false };
  }

  /** khungtaskd: `INFO: task insmod:93 blocked for more than 120 seconds.`, then the task is ended. */
  private hung(api: string): never {
    const k = this.k;
    k.slept(HUNG_TASK_SECONDS * 1e9 + 4 * TICK_NSEC);
    const task = k.task;
    const m = DEBIAN_QEMU;
    const ctx = { task, taints: k.taints, modules: k.modulesLinkedIn(), userRegs: k.current?.phase === 'exit' ? RMMOD_USER_REGS : INSMOD_USER_REGS };
    const cur = k.current;
    const initAddr = cur && typeof cur.module === 'object' && cur.phase === 'init' ? cur.module.init?.addr : undefined;
    const below = cur?.tail ? [...k.trace(), ...cur.tail] : taskFrames(k.trace(), cur?.phase === 'exit' ? 'exit' : 'init', initAddr);
    const path = WAIT_PATHS[api] ?? WAIT_PATHS.schedule;
    const lines = [
      `INFO: task ${task.comm}:${task.pid} blocked for more than ${HUNG_TASK_SECONDS} seconds.`,
      `      ${printTainted(k.taints)} ${m.release} ${m.version.split(' ')[0]}`,
      '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
      `task:${task.comm.padEnd(15).slice(0, 15)} state:D stack:0     pid:${String(task.pid).padEnd(5)} ppid:${String(task.pid === 94 || task.pid === 93 ? 92 : 2).padEnd(6)} flags:0x${task.pid < 90 ? '00004000' : '00000002'}`,
      ...reportText(callTraceLines(ctx, [...path, ...below])),
    ];
    k.report('hung-task', lines, k.currentSpan(), [], 3);
    throw new TaskKilled('SIGKILL', `hung task: ${api}`);
  }

  // ---- memory helpers (the kernel's own accesses: unchecked reads, checked writes) ---------------

  peek64(a: number): I64 {
    const b = this.k.mem.peekBytes(a, 8);
    if (!b) return 0;
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
    return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
  }

  peek32(a: number): number {
    const b = this.k.mem.peekBytes(a, 4);
    return b ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0;
  }

  peek8(a: number): number {
    const b = this.k.mem.peekBytes(a, 1);
    return b ? b[0] : 0;
  }

  poke64(a: number, v: I64 | bigint): void {
    if (!this.k.mem.peekBytes(a, 8)) return;
    const val: I64 = typeof v === 'bigint' ? (BigInt.asIntN(64, v) >= -(2n ** 53n) && BigInt.asIntN(64, v) <= 2n ** 53n ? Number(BigInt.asIntN(64, v)) : BigInt.asIntN(64, v)) : v;
    this.k.mem.st64(a, val);
  }
}

/** The engine's state as plain JSON-able data. */
export interface DeferredSnapshot {
  readonly timers: readonly { kind: string; addr: number; dueNs: number; fn: string }[];
  readonly tasklets: readonly { addr: number; fn: string }[];
  readonly work: readonly { addr: number; fn: string; queue: string }[];
  readonly threads: readonly { pid: number; comm: string; fn: string; state: string; waitsIn: string | undefined; stopRequested: boolean }[];
}

/** Kernel frames between a waiting API and the scheduler, innermost first. */
const WAIT_PATHS: Record<string, readonly Frame[]> = {
  schedule: [f('__schedule', 0x34d, 0x9e0), f('schedule', 0x5a, 0xd0)],
  wait_for_completion: [f('__schedule', 0x34d, 0x9e0), f('schedule', 0x5a, 0xd0), f('schedule_timeout', 0x118, 0x150), f('__wait_for_common', 0x90, 0x1b0)],
  wait_event: [f('__schedule', 0x34d, 0x9e0), f('schedule', 0x5a, 0xd0)],
  kthread_stop: [f('__schedule', 0x34d, 0x9e0), f('schedule', 0x5a, 0xd0), f('schedule_timeout', 0x118, 0x150), f('__wait_for_common', 0x90, 0x1b0), f('kthread_stop', 0x6a, 0x180)],
};

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/** `name+0x0/0x40 [module]` for a callback address, as %pS prints it. */
function symbolOf(k: Kernel, fn: I64): string {
  const t = k.machine.lookup(fn);
  if (!t) return `0x${BigInt.asUintN(64, BigInt(fn)).toString(16)}`;
  return `${t.name}+0x0/0x${t.size.toString(16)}${t.kind === 'module' ? ` [${t.module}]` : ''}`;
}

/** Address arithmetic on kernel pointers that are numbers (the engine keys everything by number). */
export function addrKey(a: I64): number | undefined {
  return typeof a === 'number' && a !== 0 ? a : undefined;
}

