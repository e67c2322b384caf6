// The machine as it stands at a debugger stop: the call stack with real frame addresses, scopes
// and variables decoded by C type, expression evaluation, raw memory, and the memory map's view of
// the current step (`step`). Valid only while the debugger's host is handling the stop (`invalidate` ends
// it): the run goes on afterwards and the same objects would show later states.
//
// Variable references (`ref`) are small integers handed to the editor; each names a Place and the
// C expression that reaches it, and lives as long as this stop.

import type { Var } from '../c/ast';
import type { StructType } from '../c/types';
import { typeName } from '../c/types';
import type { FrontEndResult } from '../frontend';
import type { Booted } from '../kernel/boot';
import type { MemmapRecorder } from '../memmap/recorder';
import { memmapSnapshot } from '../memmap/snapshot';
import type { MemmapSnapshot } from '../../protocol/memoryMap';
import type { Span } from '../source/source';
import { spanLine } from '../source/source';
import type { Frame } from '../vm/machine';
import { callStack, localHome } from '../vm/machine';
import type { I64 } from '../vm/value';
import { i64 } from '../vm/value';
import type { Scope } from './expr';
import { evaluate } from './expr';
import type { Child, MemoryView, Place } from './values';
import { children, expandable, hexAddr, memoryOf, render, scalarBytes } from './values';

export interface StackFrameInfo {
  readonly id: number;
  readonly name: string;
  readonly span: Span | undefined;
  /** The frame's base in the task's kernel stack; undefined for the report-only frame of a leak. */
  readonly frameAddr: I64 | undefined;
  /** The function is a helper of the virtual headers (shown as kernel code). */
  readonly fromHeader: boolean;
}

export interface VariableInfo {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  /** Non-zero when the value has children (pass to `variables`). */
  readonly ref: number;
  readonly evaluateName?: string;
  /** Address of the bytes the value designates (a pointer's target), as `0x…`. */
  readonly memoryReference?: string;
}

export interface MemoryRead {
  readonly address: string;
  readonly data: Uint8Array;
  /** Bytes after `data` that could not be read (unmapped). */
  readonly unreadable: number;
}

/** What the memory map panel needs to follow the debugger (plain data). */
export interface DebugStep {
  readonly tick: number;
  readonly line: number | undefined;
  /** The memory map at the stop: the run's objects as memory holds them now. */
  readonly snapshot: MemmapSnapshot | undefined;
  /**
   * Addresses (`0x…`) the current line touches: the targets of the pointer variables it names, and
   * the variables it names that live in memory (a global such as `personList`).
   */
  readonly highlight: string[];
}

/** The debugger side the paused state calls back (records writes so replays repeat them). */
export interface EditRecorder {
  recordEdit(tick: number, addr: number, bytes: Uint8Array): void;
}

type Handle = { readonly kind: 'scope'; readonly frame: number; readonly which: 'locals' | 'globals' | 'context' } | { readonly kind: 'value'; readonly place: Place; readonly expr: string | undefined };

export class PausedState {
  private valid = true;
  private readonly handles: Handle[] = [];
  private readonly frames: Frame[];
  readonly view: MemoryView;

  constructor(
    private readonly booted: Booted,
    private readonly fe: FrontEndResult,
    readonly stop: { readonly tick: number; readonly span: Span | undefined },
    private readonly recorder: EditRecorder,
    private readonly memmap?: MemmapRecorder,
  ) {
    this.frames = callStack(booted.kernel.machine).map((e) => e.frame);
    this.view = memoryView(booted, fe);
  }

  invalidate(): void {
    this.valid = false;
  }

  get isValid(): boolean {
    return this.valid;
  }

  /** The call stack, innermost first. A leak found at rmmod has no frames: its allocation site stands in. */
  stackTrace(): StackFrameInfo[] {
    if (!this.frames.length) return [{ id: 0, name: this.fe.moduleName, span: this.stop.span, frameAddr: undefined, fromHeader: false }];
    return this.frames.map((f, id) => ({ id, name: f.fn.name, span: f.cur?.span ?? f.fn.def.span, frameAddr: f.bp, fromHeader: f.fn.def.fromHeader }));
  }

  scopes(frameId: number): { name: string; ref: number }[] {
    const out = [];
    if (this.frames[frameId]) out.push({ name: 'Locals', ref: this.handle({ kind: 'scope', frame: frameId, which: 'locals' }) });
    out.push({ name: 'Globals', ref: this.handle({ kind: 'scope', frame: frameId, which: 'globals' }) });
    out.push({ name: 'Kernel context', ref: this.handle({ kind: 'scope', frame: frameId, which: 'context' }) });
    return out;
  }

  variables(ref: number): VariableInfo[] {
    const h = this.handles[ref - 1];
    if (!h || !this.valid) return [];
    if (h.kind === 'value') return children(this.view, h.place, h.expr).map((c) => this.info(c));
    if (h.which === 'context') return this.context();
    const vars = h.which === 'locals' ? this.localsInScope(this.frames[h.frame]) : this.moduleGlobals();
    return vars.map(({ v, place }) => this.info({ name: v.name, place, evaluateName: v.name }));
  }

  /** Evaluate a C expression in a frame's scope (frame 0 is the innermost). */
  evaluate(expr: string, frameId: number): VariableInfo | { error: string } {
    if (!this.valid) return { error: 'the machine is running' };
    const r = evaluate(expr, this.scope(this.frames[frameId]), this.view);
    if ('error' in r) return r;
    return this.info({ name: expr, place: r.place, evaluateName: expr });
  }

  /** Assign a value (a C expression) to the variable `name` under `ref`. */
  setVariable(ref: number, name: string, valueExpr: string): VariableInfo | { error: string } {
    const h = this.handles[ref - 1];
    if (!h || !this.valid) return { error: 'no such variable' };
    const list = h.kind === 'value'
      ? children(this.view, h.place, h.expr)
      : h.which === 'context' ? [] : (h.which === 'locals' ? this.localsInScope(this.frames[h.frame]) : this.moduleGlobals()).map(({ v, place }) => ({ name: v.name, place, evaluateName: v.name }));
    const target = list.find((c) => c.name === name);
    if (!target) return { error: `no variable '${name}' here` };
    const frame = h.kind === 'scope' ? this.frames[h.frame] : this.frames[0];
    const r = evaluate(valueExpr, this.scope(frame), this.view);
    if ('error' in r) return r;
    const v = r.place.kind === 'memory' ? undefined : r.place.kind === 'slot' ? r.place.get() : r.place.value;
    if (v === undefined) return { error: 'only numbers and pointers can be assigned' };
    const p = target.place;
    if (p.kind === 'slot') p.set(v);
    else if (p.kind === 'memory') {
      const bytes = scalarBytes(p.type, v);
      if (!bytes) return { error: `cannot assign to a ${typeName(p.type)}` };
      const w = this.writeMemory(p.addr, bytes);
      if ('error' in w) return w;
    } else return { error: 'not assignable' };
    return this.info(target);
  }

  readMemory(addr: I64, count: number): MemoryRead {
    const n = Math.max(0, Math.min(count, 1 << 20));
    let readable = 0;
    // Page by page: a read that runs into an unmapped page (a vmalloc guard page) stops there.
    while (readable < n) {
      const a = typeof addr === 'number' ? addr + readable : addr;
      const pageLeft = 4096 - (Number(BigInt.asUintN(12, BigInt(a))) % 4096);
      const chunk = Math.min(pageLeft, n - readable);
      if (!this.view.peek(a, chunk)) break;
      readable += chunk;
    }
    const data = readable ? (this.view.peek(addr, readable) ?? new Uint8Array(0)) : new Uint8Array(0);
    return { address: hexAddr(addr), data, unreadable: n - readable };
  }

  /** Write bytes into emulated memory (also on every replay, at this stop's tick). */
  writeMemory(addr: I64, data: Uint8Array): { written: number } | { error: string } {
    if (!this.valid) return { error: 'the machine is running' };
    if (typeof addr !== 'number' || !this.view.peek(addr, data.length)) return { error: `${hexAddr(addr)} is not mapped` };
    try {
      this.booted.mm.mem.writeBytes(addr, data);
    } catch {
      return { error: `${hexAddr(addr)} cannot be written (KASAN-poisoned or unmapped)` };
    }
    this.recorder.recordEdit(this.stop.tick, addr, data.slice());
    return { written: data.length };
  }

  /** Address and size of the value `name` under `ref`, for a data breakpoint on it. */
  dataBreakpointInfo(ref: number | undefined, name: string, frameId = 0): { addr: number; size: number; description: string } | undefined {
    const h = ref !== undefined ? this.handles[ref - 1] : undefined;
    let child: Child | undefined;
    if (h?.kind === 'value') child = children(this.view, h.place, h.expr).find((c) => c.name === name);
    else {
      const r = evaluate(name, this.scope(this.frames[h?.kind === 'scope' ? h.frame : frameId]), this.view);
      if (!('error' in r)) child = { name, place: r.place, evaluateName: name };
    }
    if (!child || child.place.kind !== 'memory' || typeof child.place.addr !== 'number') return undefined;
    const size = Math.max(1, Math.min(memoryOf(this.view, { ...child.place, type: child.place.type.kind === 'ptr' ? { kind: 'int', ik: 'long', size: 8, signed: true } : child.place.type })?.size ?? 1, 4096));
    return { addr: child.place.addr, size, description: `${child.evaluateName ?? name} (${size} bytes at ${hexAddr(child.place.addr)})` };
  }

  /**
   * The memory map's state at this step (see DebugStep). Built only when asked (the panel follows
   * the debugger): it reads every live object of the run once.
   */
  step(): DebugStep {
    const highlight = new Set<string>();
    const top = this.frames[0];
    if (top?.cur) {
      const text = this.fe.file.text.slice(top.cur.span.start, top.cur.span.end);
      const named = (name: string) => new RegExp(`\\b${name}\\b`).test(text);
      // Locals shadow globals of the same name.
      const locals = this.localsInScope(top);
      const shadowed = new Set(locals.map((l) => l.v.name));
      const globals = this.moduleGlobals().filter((g) => !shadowed.has(g.v.name));
      for (const { v, place } of [...locals, ...globals]) {
        if (!named(v.name)) continue;
        const m = memoryOf(this.view, place);
        if (m) highlight.add(hexAddr(m.addr));
      }
    }
    let snapshot: MemmapSnapshot | undefined;
    if (this.memmap && this.valid) {
      this.memmap.captureLive();
      snapshot = memmapSnapshot(this.memmap, this.fe.moduleName);
    }
    return { tick: this.stop.tick, line: this.stop.span ? spanLine(this.stop.span) : undefined, snapshot, highlight: [...highlight] };
  }

  private info(c: Child): VariableInfo {
    const more = expandable(this.view, c.place);
    const mem = memoryOf(this.view, c.place);
    return {
      name: c.name,
      value: render(this.view, c.place),
      type: typeName(c.place.type),
      ref: more ? this.handle({ kind: 'value', place: c.place, expr: c.evaluateName }) : 0,
      evaluateName: c.evaluateName,
      memoryReference: mem ? hexAddr(mem.addr) : undefined,
    };
  }

  private handle(h: Handle): number {
    this.handles.push(h);
    return this.handles.length;
  }

  /**
   * The function's parameters and the locals declared before the current statement, the innermost
   * declaration winning when names repeat (the front end keeps a function's locals in one list).
   */
  private localsInScope(f: Frame | undefined): { v: Var; place: Place }[] {
    if (!f) return [];
    const def = f.fn.def;
    const at = f.cur?.span.start ?? def.span.start;
    const byName = new Map<string, { v: Var; place: Place }>();
    for (const v of [...def.params, ...def.locals]) {
      if (v.kind === 'local' && v.span.file === f.cur?.span.file && v.span.start > at) continue;
      if (v.name.startsWith('__') || v.isStatic) continue;
      const home = localHome(f, v);
      if (!home) continue;
      const place: Place = home.kind === 'memory' ? { kind: 'memory', type: v.type, addr: home.addr } : { kind: 'slot', type: v.type, get: home.get, set: home.set };
      byName.set(v.name, { v, place });
    }
    return [...byName.values()];
  }

  /** The module's own variables (not .modinfo entries, externs or the loader's bookkeeping). */
  private moduleGlobals(): { v: Var; place: Place }[] {
    const mod = this.booted.kernel.modules.get(this.fe.moduleName);
    const addrs = mod?.globalAddrs;
    if (!addrs) return [];
    const out: { v: Var; place: Place }[] = [];
    for (const v of this.fe.unit.globals) {
      if (v.attrs.section || v.isExtern || v.name.startsWith('__') || v.span.file !== this.fe.file) continue;
      const addr = addrs.get(v);
      if (addr !== undefined) out.push({ v, place: { kind: 'memory', type: v.type, addr } });
    }
    return out;
  }

  private context(): VariableInfo[] {
    const k = this.booted.kernel;
    const row = (name: string, value: string): VariableInfo => ({ name, value, type: '', ref: 0 });
    return [
      row('task', `${k.task.comm} [${k.task.pid}]`),
      row('preempt_count', `0x${k.ctx.raw.toString(16)}`),
      row('in_atomic()', k.ctx.atomic ? '1' : '0'),
      row('irqs_disabled()', k.ctx.irqsDisabled ? '1' : '0'),
      row('atomic context entered at', k.ctx.disabledAt?.span ? `${k.ctx.disabledAt.what} (${k.where(k.ctx.disabledAt.span)})` : '-'),
      row('jiffies', String(k.k.clock.nanos() === 0 ? 0 : Math.floor(4294892296 + k.k.clock.nanos() / 4e6))),
      row('tainted', [...k.taints].sort().join('') || '-'),
    ];
  }

  private scope(f: Frame | undefined): Scope {
    const locals = new Map(this.localsInScope(f).map((x) => [x.v.name, x.place]));
    const globals = new Map(this.moduleGlobals().map((x) => [x.v.name, x.place]));
    return {
      lookup: (name) => locals.get(name) ?? globals.get(name),
      structTag: (tag) => structTags(this.fe).get(tag),
    };
  }
}

/** Struct types of the module by tag (from its variables, parameters and members). */
function structTags(fe: FrontEndResult): Map<string, StructType> {
  const out = new Map<string, StructType>();
  const visit = (t: import('../c/types').CType, depth: number): void => {
    if (depth > 6) return;
    if (t.kind === 'ptr') visit(t.to, depth + 1);
    else if (t.kind === 'array') visit(t.of, depth + 1);
    else if (t.kind === 'struct' && t.tag && !out.has(t.tag)) {
      out.set(t.tag, t);
      for (const m of t.members) visit(m.type, depth + 1);
    }
  };
  for (const v of fe.unit.globals) visit(v.type, 0);
  for (const f of fe.unit.funcs) for (const v of [...f.params, ...f.locals]) visit(v.type, 0);
  return out;
}

function memoryView(booted: Booted, fe: FrontEndResult): MemoryView {
  const mem = booted.mm.mem;
  const containers = [...structTags(fe).values()].flatMap((type) =>
    type.members.filter((m) => m.type.kind === 'struct' && m.type.tag === 'list_head').map((m) => ({ type, offset: m.offset, member: m.name })),
  );
  const globalStarts = new Set<string>();
  for (const mod of booted.kernel.modules.values()) for (const a of mod.globalAddrs.values()) globalStarts.add(String(a));
  return {
    peek: (addr, n) => mem.peekBytes(addr, n),
    isObjectStart: (addr) => {
      const a = booted.mm.lookup(addr);
      return (a !== undefined && a.state === 'live' && String(a.addr) === String(addr)) || globalStarts.has(String(addr));
    },
    functionAt: (addr) => booted.kernel.machine.lookup(addr)?.name,
    listContainers: () => containers,
  };
}

/** Parse an address the editor sends back (`0xffff888003a1c000`, a memoryReference) plus an offset. */
export function parseAddress(ref: string, offset = 0): I64 | undefined {
  if (!/^(0x[0-9a-fA-F]{1,16}|\d+)$/.test(ref.trim())) return undefined;
  return i64(BigInt.asIntN(64, BigInt(ref.trim()) + BigInt(offset)));
}
