// The module loader: what `insmod` does between reading the .ko and calling its init function.
// It reads .modinfo (license, author, parameters), resolves every undefined function against the
// kernel's export table (the real `Unknown symbol` error otherwise), lays the module out in the
// module area (text, rodata, data/bss, as `module_alloc` would), compiles it, runs its static
// initializers and applies module parameters.

import type { Func, TranslationUnit, Var } from '../c/ast';
import type { CType } from '../c/types';
import { sizeOf, alignUp, typeName } from '../c/types';
import type { Span } from '../source/source';
import type { Diagnostic } from '../diag/diagnostic';
import { Compiler } from '../vm/compile';
import type { AnyFunction, CompiledFunction } from '../vm/machine';
import type { I64 } from '../vm/value';
import { add64, i64 } from '../vm/value';

export interface ModInfo {
  license: string | undefined;
  author: string[];
  description: string | undefined;
  version: string | undefined;
  /** Every `tag=value` pair, in order, as `modinfo` prints them. */
  all: [string, string][];
}

export interface ParamDecl {
  readonly name: string;
  readonly varName: string;
  readonly type: string;
  readonly perm: string;
  readonly v: Var | undefined;
  readonly span: Span;
  readonly countVar?: string;
}

export type ModuleState = 'coming' | 'live' | 'going' | 'gone';

export interface LoadedModule {
  readonly name: string;
  readonly unit: TranslationUnit;
  readonly info: ModInfo;
  readonly params: ParamDecl[];
  readonly functions: Map<string, CompiledFunction>;
  readonly init: CompiledFunction | undefined;
  readonly exit: CompiledFunction | undefined;
  /** Module area ranges: [base, base+size). */
  readonly base: I64;
  readonly size: number;
  readonly textBase: I64;
  readonly textSize: number;
  readonly globalAddrs: Map<Var, I64>;
  state: ModuleState;
  refcount: number;
  /** Taint letters this module caused (O, E, P). */
  taints: string;
}

/** GPL-compatible license strings, as the kernel's license_is_gpl_compatible() lists them. */
export const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export function readModInfo(unit: TranslationUnit): ModInfo {
  const info: ModInfo = { license: undefined, author: [], description: undefined, version: undefined, all: [] };
  for (const v of unit.globals) {
    if (v.attrs.section !== '.modinfo' || !v.init) continue;
    const s = initString(v);
    if (s === undefined) continue;
    const eq = s.indexOf('=');
    if (eq < 0) continue;
    const tag = s.slice(0, eq);
    const value = s.slice(eq + 1);
    info.all.push([tag, value]);
    if (tag === 'license') info.license = value;
    else if (tag === 'author') info.author.push(value);
    else if (tag === 'description') info.description = value;
    else if (tag === 'version') info.version = value;
  }
  return info;
}

export function readParams(unit: TranslationUnit): ParamDecl[] {
  const out: ParamDecl[] = [];
  for (const v of unit.globals) {
    if (v.attrs.section !== '.kmodlab.param' || !v.init) continue;
    const s = initString(v, true);
    if (s === undefined) continue;
    const [name, varName, type, perm, countVar] = s.split('\0');
    const target = unit.globals.find((g) => g.name === varName && g.attrs.section === undefined);
    out.push({ name, varName, type, perm, v: target, span: v.span, countVar });
  }
  return out;
}

/** The bytes of a char-array global initialised by a string literal, as a string (without the NUL). */
function initString(v: Var, keepNuls = false): string | undefined {
  const leaf = v.init?.leaves[0];
  if (!leaf || !('bytes' in leaf)) return undefined;
  let s = '';
  for (const b of leaf.bytes) s += String.fromCharCode(b);
  if (keepNuls) return s.replace(/\0+$/, '');
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** The initcall/exitcall function named by module_init()/module_exit(), or init_module/cleanup_module. */
export function entryPoint(unit: TranslationUnit, section: '.kmodlab.init' | '.kmodlab.exit', fallback: string): Func | undefined {
  for (const v of unit.globals) {
    if (v.attrs.section !== section || !v.init) continue;
    const leaf = v.init.leaves[0];
    if (leaf && 'expr' in leaf) {
      let e = leaf.expr;
      while (e.k === 'cast' || e.k === 'addr') e = e.e;
      if (e.k === 'func') return unit.funcs.find((f) => f.name === e.f.name && f.body);
    }
  }
  return unit.funcs.find((f) => f.name === fallback && f.body);
}

export interface LinkResult {
  readonly module: LoadedModule | undefined;
  /** `Unknown symbol` names, in the order the kernel reports them. */
  readonly unknown: { name: string; span: Span }[];
  readonly diagnostics: Diagnostic[];
}

export interface LinkHost {
  /** Allocate `size` bytes in the module area (page-granular, like module_alloc). */
  moduleAlloc(size: number): I64;
  /** A kernel export (native) by name, honouring GPL-only exports for non-GPL modules. */
  kernelSymbol(name: string, gplModule: boolean): AnyFunction | undefined;
  /** The address of an exported kernel variable (jiffies), honouring GPL-only exports. */
  kernelData?(name: string, gplModule: boolean): I64 | undefined;
  readonly machine: import('../vm/machine').Machine;
  /** Record stores (only when someone watches the run's memory). */
  readonly onStore?: (addr: I64, size: number, span: Span) => void;
  /** A debugger's statement hook (only when the module is being debugged). */
  readonly onStatement?: import('../vm/compile').ModuleLayout['onStatement'];
  /** Kernel functions that may block (their callers get a resumable form, vm/compile.ts). */
  readonly blocks?: (name: string) => boolean;
}

/**
 * Lay out and compile a parsed module. Does not run anything but static initializers.
 * Returns the unknown symbols instead of a module when linking fails.
 */
export function linkModule(name: string, unit: TranslationUnit, host: LinkHost): LinkResult {
  const info = readModInfo(unit);
  const gpl = info.license !== undefined && GPL_COMPATIBLE.has(info.license);
  // Resolve undefined functions that are actually called or referenced.
  const unknown: { name: string; span: Span }[] = [];
  const natives = new Map<string, AnyFunction>();
  for (const [fname, ref] of unit.funcRefs) {
    if (ref.def?.body) continue;
    const sym = host.kernelSymbol(fname, gpl);
    if (sym) natives.set(fname, sym);
    else if (isReferenced(unit, fname)) unknown.push({ name: fname, span: firstUse(unit, fname) ?? unit.funcs[0]?.span });
  }
  // Undefined extern variables resolve to the kernel's exported variables (jiffies); any other one
  // that is referenced is an unknown symbol too (except the module's own __this_module).
  const kernelVars = new Map<Var, I64>();
  for (const v of unit.globals) {
    if (!v.isExtern || v.init || v.name === '__this_module' || unit.globals.some((g) => g !== v && g.name === v.name && !g.isExtern)) continue;
    const addr = host.kernelData?.(v.name, gpl);
    if (addr !== undefined) kernelVars.set(v, addr);
    else if (v.referenced && !unknown.some((u) => u.name === v.name)) unknown.push({ name: v.name, span: v.span });
  }
  if (unknown.length) return { module: undefined, unknown, diagnostics: [] };

  // Layout: .text (functions), .rodata (strings), .data + .bss (globals), each page aligned.
  const defined = unit.funcs.filter((f) => f.body);
  let textSize = 0;
  const textOff = new Map<Func, { off: number; size: number }>();
  for (const f of defined) {
    const size = alignUp(Math.max(16, f.span.end - f.span.start), 16);
    textOff.set(f, { off: textSize, size });
    textSize += size;
  }
  textSize = alignUp(Math.max(textSize, 1), 4096);
  let roSize = 0;
  const strOff: number[] = [];
  for (const s of unit.strings) {
    strOff[s.id] = roSize;
    roSize += s.bytes.length;
  }
  roSize = alignUp(Math.max(roSize, 1), 4096);
  let dataSize = 0;
  const dataOff = new Map<Var, number>();
  const thisModule = unit.globals.find((g) => g.name === '__this_module');
  for (const v of unit.globals) {
    if (v.isExtern && v !== thisModule) continue;
    const t: CType = v.type;
    const sz = Math.max(1, v === thisModule ? 64 : sizeOf(t));
    dataSize = alignUp(dataSize, Math.min(64, Math.max(1, v.attrs.aligned ?? alignOfVar(t))));
    dataOff.set(v, dataSize);
    dataSize += sz;
  }
  dataSize = alignUp(Math.max(dataSize, 1), 4096);
  const total = textSize + roSize + dataSize;
  const base = host.moduleAlloc(total);
  const textBase = base;
  const roBase = add64(base, textSize);
  const dataBase = add64(roBase, roSize);
  const globalAddrs = new Map<Var, I64>(kernelVars);
  for (const [v, off] of dataOff) globalAddrs.set(v, add64(dataBase, off));
  // Extern declarations of a variable defined later in the file share its address.
  for (const v of unit.globals) {
    if (!globalAddrs.has(v)) {
      const def = unit.globals.find((g) => g.name === v.name && globalAddrs.has(g));
      if (def) globalAddrs.set(v, globalAddrs.get(def)!);
    }
  }
  const funcAddrs = new Map<string, I64>();
  for (const [f, { off }] of textOff) funcAddrs.set(f.name, add64(textBase, off));
  for (const [fname, sym] of natives) funcAddrs.set(fname, sym.addr);

  const functions = new Map<string, CompiledFunction>();
  const compiler = new Compiler(
    host.machine,
    unit,
    {
      globalAddr: (v) => globalAddrs.get(v) ?? 0,
      stringAddr: (id) => add64(roBase, strOff[id] ?? 0),
      funcAddr: (n) => funcAddrs.get(n),
      onStore: host.onStore,
      onStatement: host.onStatement,
      blocks: host.blocks,
    },
    name,
    (n) => functions.get(n) ?? natives.get(n),
    (f) => ({ addr: funcAddrs.get(f.name) ?? 0, size: textOff.get(f)?.size ?? 16 }),
  );
  // The compiler fills `functions` through its own map; share it.
  const result = compiler.compile();
  for (const [k, v] of result.functions) functions.set(k, v);
  result.initGlobals();
  const initDef = entryPoint(unit, '.kmodlab.init', 'init_module');
  const exitDef = entryPoint(unit, '.kmodlab.exit', 'cleanup_module');
  const module: LoadedModule = {
    name, unit, info, params: readParams(unit), functions,
    init: initDef ? functions.get(initDef.name) : undefined,
    exit: exitDef ? functions.get(exitDef.name) : undefined,
    base, size: total, textBase, textSize, globalAddrs, state: 'coming', refcount: 0, taints: '',
  };
  return { module, unknown: [], diagnostics: result.diagnostics };
}

function alignOfVar(t: CType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'ptr': return 8;
    case 'array': return t.len !== undefined && sizeOf(t) >= 16 ? 16 : alignOfVar(t.of);
    case 'struct': return t.align;
    default: return 8;
  }
}

function isReferenced(unit: TranslationUnit, name: string): boolean {
  return unit.funcs.some((f) => f.calls.some((c) => c.name === name)) || referencedInInit(unit, name);
}

function referencedInInit(unit: TranslationUnit, name: string): boolean {
  // Function pointers in static initializers (file_operations tables) count as references.
  for (const v of unit.globals) {
    for (const l of v.init?.leaves ?? []) {
      if ('expr' in l && mentions(l.expr, name)) return true;
    }
  }
  return false;
}

function mentions(e: import('../c/ast').Expr, name: string): boolean {
  switch (e.k) {
    case 'func': return e.f.name === name;
    case 'cast': case 'addr': case 'deref': return mentions(e.e, name);
    default: return false;
  }
}

function firstUse(unit: TranslationUnit, name: string): Span | undefined {
  for (const f of unit.funcs) {
    const c = f.calls.find((x) => x.name === name);
    if (c) return c.span;
  }
  return undefined;
}

/** Parse a module parameter value the way the kernel's param_set_* functions do. */
export function parseParamValue(type: string, text: string, t: CType | undefined): { ok: true; value: I64 } | { ok: false } {
  switch (type) {
    case 'bool':
    case 'invbool': {
      const v = /^(y|Y|1)$/.test(text) || text === '' ? 1 : /^(n|N|0)$/.test(text) ? 0 : -1;
      if (v < 0) return { ok: false };
      return { ok: true, value: type === 'invbool' ? 1 - v : v };
    }
    case 'charp':
    case 'string':
      return { ok: false };
    default: {
      const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text.trim());
      if (!m) return { ok: false };
      let b = BigInt(m[2].startsWith('0') && m[2].length > 1 && !/^0[xX]/.test(m[2]) ? '0o' + m[2].slice(1) : m[2]);
      if (m[1] === '-') b = -b;
      const ranges: Record<string, [bigint, bigint]> = {
        byte: [0n, 255n], short: [-32768n, 32767n], ushort: [0n, 65535n], int: [-2147483648n, 2147483647n],
        uint: [0n, 4294967295n], long: [-(1n << 63n), (1n << 63n) - 1n], ulong: [0n, (1n << 64n) - 1n],
        ullong: [0n, (1n << 64n) - 1n], hexint: [0n, 4294967295n],
      };
      const r = ranges[type];
      if (!r) return { ok: false };
      if (b < r[0] || b > r[1]) return { ok: false };
      void t;
      return { ok: true, value: i64(BigInt.asIntN(64, b)) };
    }
  }
}

export { typeName };
