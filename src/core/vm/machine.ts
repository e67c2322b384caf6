// The machine the compiled module runs on: memory accessors, the task's kernel stack, the call
// stack of frames (for call traces and the debugger), the function table that function pointers
// resolve through, and the virtual-time budget that turns an endless loop into a soft lockup.
//
// The kernel (src/core/kernel) creates one Machine per emulated CPU task and implements the
// `MachineHost` hooks; the VM only ever talks to this interface.

import type { Func, Stmt } from '../c/ast';
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
  /** Set after compilation; runs the body with a fresh frame. */
  invoke: (args: I64[]) => I64 | undefined;
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

  /** The innermost module frame, if any. */
  get top(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }
}
