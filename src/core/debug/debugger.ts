// The module debugger: runs a module (boot, insmod, and rmmod when asked) with the VM's statement
// hook and stops where the student asked, calling the host synchronously at each stop. The host
// inspects the paused machine through `PausedState` and answers with how to resume. Nothing here
// blocks or waits: the kernel worker blocks inside `stopped` (Atomics.wait) while it serves the
// editor's requests, and a test can answer directly.
//
// Position: a *tick* counts the run's debug events from boot: every statement the hook sees and every
// runtime finding (Oops, KASAN, BUG, soft lockup, leak). The machine is deterministic (seeded), so
// a tick names one machine state, and going back is replaying a fresh boot up to an earlier tick
// with no stops on the way. Invariants: ticks only grow within a run; a replay reaches the same
// state at the same tick (memory edits made while paused are re-applied at their tick); output
// (logpoints, kernel log lines) is only sent for ticks past the highest tick an earlier run
// reached, so a replay never repeats it.

import type { Stmt } from '../c/ast';
import type { FrontEndInput, FrontEndResult } from '../frontend';
import { frontEnd } from '../frontend';
import { bootKernel, kernelHeaders } from '../kernel/boot';
import type { Booted } from '../kernel/boot';
import type { KernelOptions } from '../kernel/kernel';
import { RunAbandoned } from '../kernel/kernel';
import { insmod, rmmod } from '../kernel/insmod';
import type { ToolResult } from '../kernel/insmod';
import type { Span } from '../source/source';
import { spanLine } from '../source/source';
import type { Frame } from '../vm/machine';
import { isStoppable } from '../vm/compile';
import type { Diagnostic } from '../diag/diagnostic';
import { MemmapRecorder } from '../memmap/recorder';
import { PausedState } from './paused';

export interface DebugLaunch extends FrontEndInput, KernelOptions {
  /** insmod's parameter words. */
  readonly params?: string;
  /** Run rmmod (the exit function) after a successful insmod (default true). */
  readonly unload?: boolean;
  /** Step into the C-written helpers of the virtual headers (`list_add_tail`, ...). */
  readonly stepIntoHeaders?: boolean;
}

export interface SourceBreakpoint {
  readonly id: number;
  /** 1-based line in the module's file (or a header's name, for helpers). */
  readonly line: number;
  readonly file?: string;
  /** A C expression: stop only when it is non-zero. */
  readonly condition?: string;
  /** `5`, `>= 5` or `% 5`: stop on matching hits only. */
  readonly hitCondition?: string;
  /** Print this instead of stopping; `{expr}` is replaced by the expression's value. */
  readonly logMessage?: string;
}

/** A write watch: stop after a statement changes any of these bytes. */
export interface DataBreakpoint {
  readonly id: number;
  readonly addr: number;
  readonly size: number;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'data breakpoint' | 'pause';

export interface Stop {
  readonly reason: StopReason;
  readonly tick: number;
  /** The student's line (or the header line) where the machine stands. */
  readonly span: Span | undefined;
  readonly breakpointIds: readonly number[];
  /** For `exception`: the finding's rule, headline and whole kernel report. */
  readonly exception?: { readonly rule: string; readonly message: string; readonly report: readonly string[] };
  /** A short explanation (data breakpoints, replays that could not reach the target). */
  readonly description?: string;
}

export type Resume = 'continue' | 'next' | 'stepIn' | 'stepOut' | 'stepBack' | 'reverseContinue' | 'restart' | 'terminate';

export interface DebugHost {
  /** The machine stopped; inspect `state` (valid only during this call) and say how to go on. */
  stopped(stop: Stop, state: PausedState): Resume;
  /** Text for the debug console: kernel log lines and logpoint messages. */
  output(text: string, category: 'stdout' | 'console' | 'stderr'): void;
  /** Polled at each statement while running: true when the student pressed Pause. */
  pauseRequested?(): boolean;
}

export interface DebugOutcome {
  readonly buildErrors: Diagnostic[];
  readonly insmod: ToolResult | undefined;
  readonly rmmod: ToolResult | undefined;
  /** True when the host ended the session (terminate) before the run finished. */
  readonly terminated: boolean;
}

/** What the run is heading for from the stop at tick `from`. */
type Goal =
  | { readonly kind: 'run'; readonly mode: Resume; readonly from: number; readonly depth: number }
  | { readonly kind: 'goto'; readonly tick: number; readonly reason: StopReason };

/** Statement ticks kept for step back: tick and call depth of the last RING statements. */
const RING = 1 << 16;

export class ModuleDebugger {
  private readonly fe: FrontEndResult;
  private breakpoints: SourceBreakpoint[] = [];
  private dataBreakpoints: DataBreakpoint[] = [];
  /** Break on runtime findings (the `kernel reports` exception filter). */
  breakOnReports = true;
  stopOnEntry = false;
  /** Memory edits made while paused, re-applied at their tick on every replay. */
  private edits: { tick: number; addr: number; bytes: Uint8Array }[] = [];
  /** The highest tick any run reached. */
  private reached = 0;
  /** What earlier runs reached when this one started: a replay sends output only beyond it. */
  private horizon = 0;
  /** Ticks of breakpoint hits in this run (for reverse continue), in order. */
  private hits: number[] = [];
  private hitCounts = new Map<number, number>();
  private readonly ringTick = new Float64Array(RING);
  private readonly ringDepth = new Int32Array(RING);
  private ringLen = 0;
  /** The first tick a stop could be shown at (the entry point), once known. */
  private entryTick = -1;
  private booted: Booted | undefined;
  /** The memory map's recorder of the current run, attached at boot as for Load Module. */
  private memmap: MemmapRecorder | undefined;
  private tick = 0;
  private goal: Goal = { kind: 'run', mode: 'continue', from: 0, depth: 0 };
  private watched: (Uint8Array | null)[] = [];

  constructor(private readonly launch: DebugLaunch) {
    this.fe = frontEnd(launch, kernelHeaders());
  }

  get fileName(): string {
    return this.fe.file.name;
  }

  /** Replace the source breakpoints; returns for each the line it will really stop at (or undefined). */
  setBreakpoints(bps: SourceBreakpoint[]): (number | undefined)[] {
    this.breakpoints = bps;
    const lines = this.stoppableLines();
    return bps.map((b) => {
      if (b.file && b.file !== this.fe.file.name) return b.line;
      for (let l = b.line; l < b.line + 50; l++) if (lines.has(l)) return l;
      return undefined;
    });
  }

  setDataBreakpoints(bps: DataBreakpoint[]): void {
    this.dataBreakpoints = bps;
    this.watched = bps.map((b) => this.booted?.mm.mem.peekBytes(b.addr, b.size) ?? null);
  }

  /**
   * Run the launch to the end, calling the host at each stop. Returns when the run is over (or the
   * host terminated it). Never throws on student input.
   */
  run(host: DebugHost): DebugOutcome {
    const buildErrors = this.fe.diagnostics.filter((d) => d.severity === 'error');
    if (buildErrors.length) return { buildErrors, insmod: undefined, rmmod: undefined, terminated: false };
    this.goal = this.stopOnEntry ? { kind: 'run', mode: 'stepIn', from: 0, depth: 0 } : { kind: 'run', mode: 'continue', from: 0, depth: 0 };
    for (;;) {
      try {
        return this.runOnce(host);
      } catch (e) {
        if (!(e instanceof RunAbandoned)) throw e;
        if (e.why === 'terminate') return { buildErrors: [], insmod: undefined, rmmod: undefined, terminated: true };
        // A rewind: `this.goal` names the tick to replay to.
      }
    }
  }

  /** One run from a fresh boot; a stop that rewinds throws RunAbandoned. */
  private runOnce(host: DebugHost): DebugOutcome {
    const booted = bootKernel(this.launch);
    this.booted = booted;
    // Heap writes are not traced (no cost per store): a stop reads the live objects as they stand.
    this.memmap = new MemmapRecorder(booted);
    this.tick = 0;
    this.horizon = this.reached;
    this.hits = [];
    this.hitCounts = new Map();
    this.ringLen = 0;
    this.setDataBreakpoints(this.dataBreakpoints);
    const k = booted.kernel;
    booted.printk.subscribe((e) => {
      if (e.kind === 'record' && this.tick > this.horizon) host.output(`${e.record.text}\n`, 'stdout');
    });
    k.events.listen((e) => {
      if (e.kind !== 'finding') return;
      this.tick++;
      this.applyEdits();
      const f = k.findings[k.findings.length - 1];
      const exception = { rule: e.rule, message: e.message, report: f?.report ?? [] };
      const span = e.span ?? k.currentSpan();
      const stop = this.goal.kind === 'goto'
        ? (this.tick === this.goal.tick ? { reason: this.goal.reason, exception } : undefined)
        : this.breakOnReports && this.tick > this.goal.from ? { reason: 'exception' as const, exception } : undefined;
      if (stop) this.stopHere(host, { ...stop, tick: this.tick, span, breakpointIds: [] });
      else this.passed();
    });
    k.onStatement = (f, s) => {
      this.tick++;
      this.onStatement(host, f, s);
    };
    const ins = insmod(k, this.fe, this.launch.params ?? '');
    let rm: ToolResult | undefined;
    if ((this.launch.unload ?? true) && ins.status === 0 && !k.unsupported.length) rm = rmmod(k, this.fe.moduleName);
    return { buildErrors: k.unsupported, insmod: ins, rmmod: rm, terminated: false };
  }

  private onStatement(host: DebugHost, f: Frame, s: Stmt): void {
    const tick = this.tick;
    const m = this.booted!.kernel.machine;
    const depth = m.frames.length;
    const visible = this.launch.stepIntoHeaders || !f.fn.def.fromHeader;
    this.ringTick[this.ringLen % RING] = tick;
    this.ringDepth[this.ringLen % RING] = visible ? depth : -1;
    this.ringLen++;
    if (visible && this.entryTick < 0) this.entryTick = tick;
    this.applyEdits();
    const hitIds = this.breakpointHits(host, f, s, tick);
    if (hitIds.length) this.hits.push(tick);
    const changed = this.dataChanges();
    const goal = this.goal;
    if (goal.kind === 'goto') {
      if (tick === goal.tick) this.stopHere(host, { reason: goal.reason, tick, span: s.span, breakpointIds: hitIds });
      else this.passed();
      return;
    }
    if (tick <= goal.from) return this.passed();
    let reason: StopReason | undefined;
    if (host.pauseRequested?.()) reason = 'pause';
    else if (hitIds.length) reason = 'breakpoint';
    else if (changed.length) reason = 'data breakpoint';
    else if (visible) {
      if (goal.mode === 'stepIn') reason = goal.from === 0 ? 'entry' : 'step';
      else if (goal.mode === 'next' && depth <= goal.depth) reason = 'step';
      else if (goal.mode === 'stepOut' && depth < goal.depth) reason = 'step';
    }
    if (!reason) return this.passed();
    const description = reason === 'data breakpoint' ? 'the watched memory was written by the previous statement' : undefined;
    this.stopHere(host, { reason, tick, span: s.span, breakpointIds: reason === 'data breakpoint' ? changed : hitIds, description });
  }

  /** Nothing stops here: remember how far the run got (output beyond this point is new). */
  private passed(): void {
    if (this.tick > this.reached) this.reached = this.tick;
  }

  /** Show the stop to the host, then turn its answer into the next goal (or a rewind). */
  private stopHere(host: DebugHost, stop: Stop): void {
    this.passed();
    const state = new PausedState(this.booted!, this.fe, stop, this, this.memmap);
    const depth = this.booted!.kernel.machine.frames.length;
    const resume = host.stopped(stop, state);
    state.invalidate();
    switch (resume) {
      case 'continue':
      case 'next':
      case 'stepIn':
      case 'stepOut':
        this.goal = { kind: 'run', mode: resume, from: stop.tick, depth };
        return;
      case 'stepBack':
        return this.rewind(this.previousStatement(stop.tick, depth), 'step');
      case 'reverseContinue': {
        const earlier = this.hits.filter((t) => t < stop.tick);
        return this.rewind(earlier.length ? earlier[earlier.length - 1] : this.entryTick, earlier.length ? 'breakpoint' : 'entry');
      }
      case 'restart':
        this.edits = [];
        this.goal = this.stopOnEntry ? { kind: 'run', mode: 'stepIn', from: 0, depth: 0 } : { kind: 'run', mode: 'continue', from: 0, depth: 0 };
        throw new RunAbandoned('restart');
      case 'terminate':
        throw new RunAbandoned('terminate');
    }
  }

  private rewind(tick: number, reason: StopReason): never {
    const target = Math.max(tick, 1);
    // Edits made after the target never happened in the replayed past.
    this.edits = this.edits.filter((e) => e.tick <= target);
    this.goal = { kind: 'goto', tick: target, reason };
    throw new RunAbandoned('rewind');
  }

  /** The last visible statement before `tick` at call depth `depth` or less (step back over calls). */
  private previousStatement(tick: number, depth: number): number {
    const oldest = Math.max(0, this.ringLen - RING);
    for (let i = this.ringLen - 1; i >= oldest; i--) {
      const d = this.ringDepth[i % RING];
      const t = this.ringTick[i % RING];
      if (t < tick && d >= 0 && d <= depth) return t;
    }
    return this.entryTick;
  }

  private breakpointHits(host: DebugHost, f: Frame, s: Stmt, tick: number): number[] {
    if (!this.breakpoints.length) return [];
    const line = spanLine(s.span);
    const file = s.span.file.name;
    const ids: number[] = [];
    for (const b of this.breakpoints) {
      if (b.line !== line || (b.file ?? this.fe.file.name) !== file) continue;
      // A condition that cannot be evaluated stops, so the student sees why (as VS Code's C debuggers do).
      if (b.condition && this.conditionIsFalse(f, b.condition)) continue;
      const n = (this.hitCounts.get(b.id) ?? 0) + 1;
      this.hitCounts.set(b.id, n);
      if (b.hitCondition && !hitMatches(b.hitCondition, n)) continue;
      if (b.logMessage !== undefined) {
        if (tick > this.horizon) host.output(`${this.interpolate(f, b.logMessage)}\n`, 'console');
        continue;
      }
      ids.push(b.id);
    }
    return ids;
  }

  /** The machine at the statement being hooked, for conditions and logpoints (frame 0 is `f`). */
  private pausedHere(f: Frame): PausedState {
    return new PausedState(this.booted!, this.fe, { tick: this.tick, span: f.cur?.span }, this, this.memmap);
  }

  private conditionIsFalse(f: Frame, condition: string): boolean {
    const r = this.pausedHere(f).evaluate(condition, 0);
    return !('error' in r) && /^(0|NULL)$/.test(r.value);
  }

  private interpolate(f: Frame, msg: string): string {
    const state = this.pausedHere(f);
    return msg.replace(/\{([^}]+)\}/g, (_, expr: string) => {
      const r = state.evaluate(expr, 0);
      return 'error' in r ? `<${r.error}>` : r.value;
    });
  }

  /** Ids of the data breakpoints whose bytes changed since the last statement. */
  private dataChanges(): number[] {
    if (!this.dataBreakpoints.length) return [];
    const mem = this.booted!.mm.mem;
    const changed: number[] = [];
    this.dataBreakpoints.forEach((b, i) => {
      const now = mem.peekBytes(b.addr, b.size);
      const before = this.watched[i];
      if (!sameBytes(before, now)) changed.push(b.id);
      this.watched[i] = now;
    });
    return changed;
  }

  private applyEdits(): void {
    for (const e of this.edits) if (e.tick === this.tick) this.booted!.mm.mem.writeBytes(e.addr, e.bytes);
  }

  /** Called by PausedState: write memory now and at this tick on every replay. */
  recordEdit(tick: number, addr: number, bytes: Uint8Array): void {
    this.edits.push({ tick, addr, bytes });
    this.setDataBreakpoints(this.dataBreakpoints);
  }

  /** Lines of the module's file that hold a statement a breakpoint can stop at. */
  private stoppableLines(): Set<number> {
    const lines = new Set<number>();
    const visit = (s: Stmt | undefined): void => {
      if (!s) return;
      if (isStoppable(s) && s.span.file === this.fe.file) lines.add(spanLine(s.span));
      switch (s.k) {
        case 'block': s.stmts.forEach(visit); return;
        case 'if': visit(s.t); visit(s.f); return;
        case 'while': case 'do': case 'switch': case 'case': case 'default': case 'label': visit(s.body); return;
        case 'for': visit(s.init); visit(s.body); return;
        default: return;
      }
    };
    for (const fn of this.fe.unit.funcs) visit(fn.body);
    return lines;
  }
}

/** VS Code's hit conditions: `N` or `== N` (exactly the Nth hit), `>= N`, `> N`, `% N` (every Nth). */
export function hitMatches(cond: string, n: number): boolean {
  const m = /^\s*(==|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) return true;
  const k = Number(m[2]);
  switch (m[1]) {
    case '>=': return n >= k;
    case '>': return n > k;
    case '<=': return n <= k;
    case '<': return n < k;
    case '%': return k > 0 && n % k === 0;
    default: return n === k;
  }
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
