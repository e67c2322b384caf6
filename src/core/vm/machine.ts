// The machine the compiled module runs on: memory accessors, the task's kernel stack, the call
// stack of frames (for call traces and the debugger), the function table that function pointers
// resolve through, and the virtual-time budget that turns an endless loop into a soft lockup.
//
// The kernel (src/core/kernel) creates one Machine per emulated CPU task and implements the
// `MachineHost` hooks; the VM only ever talks to this interface.

import type { Func, Stmt, Var } from '../c/ast';
import type { Span } from '../source/source';
import type { I64 } from './value';

/** The byte-addressed memory the VM loads from and stores to (implemented by kernel/mm). */
export interface VmMemory {
  ld8(a: I64): number;
  ld8s(a: I64): number;
  ld16(a: I64): number;
  ld16s(a: I64): number;
  ld32(a: I64): number;
  ld32s(a: I64): number;
  ld64(a: I64): I64;
  st8(a: I64, v: number): void;
  st16(a: I64, v: number): void;
  st32(a: I64, v: number): void;
  st64(a: I64, v: I64): void;
  /** memmove semantics. */
  move(dst: I64, src: I64, n: number): void;
  fill(a: I64, byte: number, n: number): void;
}

/** Where a call to a kernel function comes from: the student's span and the calling frame. */
export interface CallSite {
  readonly span: Span;
  readonly frame: Frame;
}

export type NativeImpl = (m: Machine, args: I64[], site: CallSite) => I64 | undefined;

export interface Callable {
  readonly name: string;
  /** The function's address in the emulated kernel (module text or kernel text). */
  readonly addr: I64;
  readonly size: number;
}

export interface CompiledFunction extends Callable {
  readonly kind: 'module';
  readonly def: Func;
  readonly module: string;
  frameSize: number;
  nslots: number;
  /** Where each parameter and local lives (filled in by the compiler; read through `localHome`). */
  readonly homes: Map<Var, { slot: number } | { offset: number }>;
  /** Set after compilation; runs the body with a fresh frame. */
  invoke: (args: I64[]) => I64 | undefined;
  /**
   * The resumable form, for functions that may block (see compile.ts, "Resumable form"): a
   * generator that yields each blocking call's request (Machine.pending) and is resumed with the
   * call's value. Set only when the module has functions that may block.
   */
  resume?: (args: I64[]) => Generator<unknown, I64 | undefined, I64>;
  /** The same for calls of known arity, without an argument array (direct calls in module code). */
  invoke0: () => I64 | undefined;
  invoke1: (a: I64) => I64 | undefined;
  invoke2: (a: I64, b: I64) => I64 | undefined;
  invoke3: (a: I64, b: I64, c: I64) => I64 | undefined;
}

export interface NativeFunction extends Callable {
  readonly kind: 'native';
  readonly impl: NativeImpl;
}

export type AnyFunction = CompiledFunction | NativeFunction;

/** A call frame of a module function. Scalar locals whose address is never taken live in `s`. */
export class Frame {
  /** The statement being executed (for call traces, the debugger and runtime reports). */
  cur: Stmt | undefined;
  ret: I64 | undefined = undefined;
  gotoLabel = '';
  readonly s: I64[];

  constructor(
    readonly fn: CompiledFunction,
    /** Frame base: address-taken locals live at bp - offset in the task's stack. */
    public bp: number,
    nslots: number,
  ) {
    this.s = new Array<I64>(nslots).fill(0);
  }

  /** Make a pooled frame fresh for another call (the VM reuses frames to spare the allocator). */
  reset(bp: number): void {
    this.bp = bp;
    this.cur = undefined;
    this.ret = undefined;
    this.gotoLabel = '';
    this.s.fill(0);
  }
}

/**
 * Where a local of a running frame lives, for the debugger: a JS slot of the frame (a scalar whose
 * address is never taken, so it has no address) or bytes at an address in the task's stack.
 * Undefined for a variable that is not a parameter or local of the frame's function.
 */
export type LocalHome = { readonly kind: 'slot'; get(): I64; set(v: I64): void } | { readonly kind: 'memory'; readonly addr: number };

export function localHome(f: Frame, v: Var): LocalHome | undefined {
  const h = f.fn.homes.get(v);
  if (!h) return undefined;
  if ('offset' in h) return { kind: 'memory', addr: f.bp - h.offset };
  const slot = h.slot;
  return { kind: 'slot', get: () => f.s[slot], set: (x) => (f.s[slot] = x) };
}

/** One module frame of the call stack, as a debugger lists it. */
export interface StackEntry {
  readonly fn: CompiledFunction;
  /** The statement the frame is executing (the call, for outer frames). */
  readonly stmt: Stmt | undefined;
  /** The frame's base address in the task's kernel stack (its saved frame pointer slot). */
  readonly frameAddr: number;
  readonly frame: Frame;
}

/** The module call stack, innermost first. */
export function callStack(m: Machine): StackEntry[] {
  const out: StackEntry[] = [];
  for (let i = m.frames.length - 1; i >= 0; i--) {
    const f = m.frames[i];
    out.push({ fn: f.fn, stmt: f.cur, frameAddr: f.bp, frame: f });
  }
  return out;
}

/** Hooks the kernel implements. Each may throw a KernelStop to end the current task. */
export interface MachineHost {
  /** Called when the stack would grow past the task's stack (the kernel prints its stack-overflow report). */
  stackOverflow(m: Machine, fn: CompiledFunction): never;
  /** Called every `sliceSteps` loop iterations: advances virtual time, may report a soft lockup. */
  tick(m: Machine): void;
  /** A call through a function pointer that is not a known function. */
  badCall(m: Machine, addr: I64, site: CallSite): never;
  /** Integer division by zero (x86 #DE). */
  divideError(m: Machine, span: Span): never;
}

export class Machine {
  /** Current stack pointer (grows down) and the lowest usable stack address. */
  sp = 0;
  stackLimit = 0;
  stackTop = 0;
  readonly frames: Frame[] = [];
  /** Function table: address (as a number key) → function, for calls through pointers and %pS. */
  readonly byAddr = new Map<I64, AnyFunction>();
  /** Loop iterations left before the next `host.tick`. */
  budget: number;
  /**
   * Set by resumable code just before a call that may block, and taken by the blocking function:
   * instead of sleeping on the host stack it leaves what it waits for in `pending` and returns, and
   * the resumable caller yields that to the scheduler.
   */
  blockable = false;
  /** A blocking function's request (opaque to the VM), for the resumable caller to yield. */
  pending: unknown = undefined;

  constructor(
    readonly mem: VmMemory,
    readonly host: MachineHost,
    /** Loop iterations per virtual-time slice. */
    readonly sliceSteps = 1 << 16,
  ) {
    this.budget = sliceSteps;
  }

  setStack(bottom: number, top: number): void {
    this.stackLimit = bottom;
    this.stackTop = top;
    this.sp = top;
  }

  /** Called from loop back-edges when the budget runs out. */
  slice(): void {
    this.budget = this.sliceSteps;
    this.host.tick(this);
  }

  register(fn: AnyFunction): void {
    this.byAddr.set(fn.addr, fn);
  }

  lookup(addr: I64): AnyFunction | undefined {
    return this.byAddr.get(addr);
  }

  /** Call any function (module or native) by address, as a function pointer call does. */
  callAddr(addr: I64, args: I64[], site: CallSite): I64 | undefined {
    const fn = this.byAddr.get(addr);
    if (!fn) return this.host.badCall(this, addr, site);
    if (fn.kind === 'module') return fn.invoke(args);
    return fn.impl(this, args, site);
  }

  /** Called by a blocking function: true (once) if its caller can yield instead of sleeping here. */
  takeBlockable(): boolean {
    const b = this.blockable;
    this.blockable = false;
    return b;
  }

  /** The innermost module frame, if any. */
  get top(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }
}
