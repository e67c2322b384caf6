// insmod and rmmod: the user-space tools (kmod's wording for their errors) and the kernel's side
// (load_module/do_init_module and delete_module), in the order Linux 6.1 does things, so that
// taint lines, Unknown symbol errors, parameter errors, the init's messages and the final insmod
// error appear as they do on a real machine.

import type { FrontEndResult } from '../frontend';
import type { Kernel } from './kernel';
import { TaskKilled } from './kernel';
import type { LoadedModule } from './module';
import { GPL_COMPATIBLE, linkModule, parseParamValue, readModInfo } from './module';
import type { I64 } from '../vm/value';
import { InternalError } from '../diag/diagnostic';
import { insmodErrorLine, RMMOD_MESSAGES } from './errno';

export interface ToolResult {
  /** Exit status of insmod/rmmod as the shell sees it (0, 1, 137 for SIGKILL, 139 for SIGSEGV). */
  readonly status: number;
  /** What the tool printed to stderr. */
  readonly stderr: string[];
}

/** Split insmod's parameter words like the kernel's next_arg(): `a=1 s="two words"`. */
export function splitParams(text: string): { name: string; value: string | undefined }[] {
  const out: { name: string; value: string | undefined }[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    let word = '';
    let quoted = false;
    while (i < text.length && (quoted || !/\s/.test(text[i]))) {
      if (text[i] === '"') quoted = !quoted;
      else word += text[i];
      i++;
    }
    const eq = word.indexOf('=');
    out.push(eq < 0 ? { name: word, value: undefined } : { name: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  return out;
}

/** Virtual time the loader itself takes, in ns (the oracle's test_mem run, rounded). */
const TIMING = { syscall: 21_000_000, layout: 1_500_000, beforeInit: 7_000_000, rmmod: 21_000_000 };

export function insmod(k: Kernel, fe: FrontEndResult, paramText = ''): ToolResult {
  const name = fe.moduleName;
  const ko = `${name}.ko`;
  const fail = (errno: number): ToolResult => ({ status: 1, stderr: [insmodErrorLine(ko, errno)] });
  if (k.modules.has(name)) return fail(17);
  const info = readModInfo(fe.unit);
  // finit_module() starts after insmod has read the .ko (timings as on the oracle's machine).
  k.spend(TIMING.syscall);
  k.moduleTaints(name, info.license);
  k.spend(TIMING.layout);

  const link = linkModule(name, fe.unit, {
    machine: k.machine,
    onStatement: k.onStatement,
    onStore: k.events.traceWrites ? (addr, size, span) => k.events.emit({ kind: 'write', addr, size, span }) : undefined,
    moduleAlloc: (size) => k.k.moduleAlloc(size),
    blocks: (sym) => k.exports.get(sym)?.blocks === true,
    kernelSymbol: (sym, gpl) => {
      const e = k.exports.get(sym);
      if (!e || (e.gplOnly && !gpl)) return undefined;
      return k.native(sym);
    },
    kernelData: (sym, gpl) => {
      const e = k.exports.get(sym);
      if (!e?.data || (e.gplOnly && !gpl)) return undefined;
      return k.data.addr(sym);
    },
  });
  if (!link.module) {
    for (const u of link.unknown) k.log(4, `${name}: Unknown symbol ${u.name} (err -2)`, u.span);
    return fail(2);
  }
  const mod = link.module;
  if (link.diagnostics.length) {
    // The front end accepted it but the emulator cannot run a construct: refuse like an invalid module.
    k.unsupported.push(...link.diagnostics);
    k.k.moduleFree(mod.base);
    return fail(8);
  }
  mod.taints = k.moduleTaintLetters(info.license);

  // Module parameters, as parse_args() applies them before the init function runs.
  for (const p of splitParams(paramText)) {
    const decl = mod.params.find((d) => d.name === p.name);
    if (!decl || !decl.v) {
      k.log(4, `${name}: unknown parameter '${p.name}' ignored`);
      continue;
    }
    if (decl.type.startsWith('array:')) {
      const err = setArrayParam(k, mod, decl, p.value ?? '');
      if (err) {
        k.log(3, err);
        k.k.moduleFree(mod.base);
        return fail(22);
      }
      continue;
    }
    if (!setParam(k, mod, decl.type, p.value ?? '', decl.v)) {
      k.log(3, `${name}: \`${p.value ?? ''}' invalid for parameter \`${p.name}'`);
      k.k.moduleFree(mod.base);
      return fail(22);
    }
  }

  k.modules.set(name, mod);
  k.spend(TIMING.beforeInit);
  k.events.emit({ kind: 'module', name, state: 'coming' });
  if (!mod.init) {
    mod.state = 'live';
    k.events.emit({ kind: 'module', name, state: 'live' });
    return { status: 0, stderr: [] };
  }
  const outcome = k.runTask('insmod', mod, 'init', mod.init, []);
  if (k.panicked) return PANICKED;
  if (outcome.killed) {
    // The module stays half-loaded ("coming"), as after an Oops in init on Linux.
    return { status: outcome.killed.signal === 'SIGKILL' ? 137 : 139, stderr: [outcome.killed.signal === 'SIGKILL' ? 'Killed' : 'Segmentation fault'] };
  }
  const ret = Number(BigInt.asIntN(32, BigInt(outcome.ret ?? 0)));
  if (ret < 0) {
    k.modules.delete(name);
    mod.state = 'gone';
    k.events.emit({ kind: 'module', name, state: 'failed' });
    k.k.moduleFree(mod.base);
    return fail(-ret);
  }
  if (ret > 0) k.suspiciousInitReturn(mod, ret);
  mod.state = 'live';
  k.events.emit({ kind: 'module', name, state: 'live' });
  return { status: 0, stderr: [] };
}

function setParam(k: Kernel, mod: LoadedModule, type: string, text: string, v: NonNullable<LoadedModule['params'][number]['v']>): boolean {
  const addr = mod.globalAddrs.get(v);
  if (addr === undefined) return false;
  if (type === 'charp') {
    const p = k.k.kstrdup(text);
    if (p === 0) return false;
    k.mem.st64(addr, p);
    return true;
  }
  if (type === 'string') {
    const max = v.type.kind === 'array' ? (v.type.len ?? 0) : 0;
    if (text.length + 1 > max) return false;
    for (let i = 0; i < text.length; i++) k.mem.st8(typeof addr === 'number' ? addr + i : addr, text.charCodeAt(i) & 0xff);
    k.mem.st8(typeof addr === 'number' ? addr + text.length : addr, 0);
    return true;
  }
  const r = parseParamValue(type, text, v.type);
  if (!r.ok) return false;
  const size = v.type.kind === 'int' ? v.type.size : v.type.kind === 'ptr' ? 8 : 4;
  storeInt(k, addr, r.value, size);
  return true;
}

/** param_array_set(): comma-separated elements, at most the array's length; the count goes to nump. */
function setArrayParam(k: Kernel, mod: LoadedModule, decl: LoadedModule['params'][number], text: string): string | undefined {
  const v = decl.v!;
  const addr = mod.globalAddrs.get(v);
  if (addr === undefined || v.type.kind !== 'array') return `${mod.name}: \`${text}' invalid for parameter \`${decl.name}'`;
  const elemType = decl.type.slice('array:'.length);
  const max = v.type.len ?? 0;
  const items = text.split(',');
  if (items.length > max) return `${mod.name}: can only take ${max} arguments`;
  const et = v.type.of;
  const size = et.kind === 'int' ? et.size : 8;
  for (let i = 0; i < items.length; i++) {
    const r = parseParamValue(elemType, items[i], et);
    if (!r.ok) return `${mod.name}: \`${items[i]}' invalid for parameter \`${decl.name}'`;
    storeInt(k, typeof addr === 'number' ? addr + i * size : addr, r.value, size);
  }
  const countName = (decl.countVar ?? '').replace(/^&\s*/, '');
  const countVar = mod.unit.globals.find((g) => g.name === countName);
  const countAddr = countVar ? mod.globalAddrs.get(countVar) : undefined;
  if (countAddr !== undefined) k.mem.st32(countAddr, items.length);
  return undefined;
}

function storeInt(k: Kernel, addr: I64, v: I64, size: number): void {
  if (size === 8) k.mem.st64(addr, v);
  else if (size === 4) k.mem.st32(addr, Number(BigInt.asIntN(32, BigInt(v))));
  else if (size === 2) k.mem.st16(addr, Number(BigInt.asIntN(16, BigInt(v))));
  else k.mem.st8(addr, Number(BigInt.asIntN(8, BigInt(v))));
}

/** The module rmmod removed last on each machine, for `Modules linked in: ... [last unloaded: x(OE)]`. */
const LAST_UNLOADED = new WeakMap<Kernel, { name: string; taints: string }>();

export function lastUnloaded(k: Kernel): { name: string; taints: string } | undefined {
  return LAST_UNLOADED.get(k);
}

/** What the user sees when the machine panicked under the tool: it never returns. */
const PANICKED: ToolResult = { status: 255, stderr: ['kmodlab: the emulated kernel panicked; the machine has stopped'] };

export function rmmod(k: Kernel, name: string): ToolResult {
  if (k.panicked) return PANICKED;
  const mod = k.modules.get(name);
  if (!mod) return { status: 1, stderr: [RMMOD_MESSAGES.notLoaded(name)] };
  // kmod checks the reference count itself (/sys/module/NAME/refcnt) and does not call delete_module.
  if (mod.state === 'live' && mod.refcount > 0) return { status: 1, stderr: [RMMOD_MESSAGES.inUse(name)] };
  if (mod.state !== 'live' || (mod.init && !mod.exit)) {
    return { status: 1, stderr: [RMMOD_MESSAGES.libkmodCouldNotRemove(name, 16), RMMOD_MESSAGES.couldNotRemove(name, 16)] };
  }
  k.spend(TIMING.rmmod);
  mod.state = 'going';
  k.events.emit({ kind: 'module', name, state: 'going' });
  let status = 0;
  const stderr: string[] = [];
  if (mod.exit) {
    const outcome = k.runTask('rmmod', mod, 'exit', mod.exit, []);
    if (k.panicked) return PANICKED;
    if (outcome.killed) {
      status = outcome.killed.signal === 'SIGKILL' ? 137 : 139;
      stderr.push(outcome.killed.signal === 'SIGKILL' ? 'Killed' : 'Segmentation fault');
      return { status, stderr };
    }
  }
  k.modules.delete(name);
  mod.state = 'gone';
  LAST_UNLOADED.set(k, { name, taints: mod.taints });
  k.k.moduleFree(mod.base);
  k.events.emit({ kind: 'module', name, state: 'gone' });
  k.leakCheck(mod);
  return { status, stderr };
}

export { TaskKilled, InternalError, GPL_COMPATIBLE };
