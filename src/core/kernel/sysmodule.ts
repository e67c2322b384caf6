// /sys/module/<name>: what the module loader publishes in sysfs for each loaded module
// (kernel/module/sysfs.c, kernel/params.c), as the oracle's guest shows it
// (test/oracle/shell/lsmod_modinfo.out): coresize, initsize, initstate, refcnt, taint, holders/,
// version and srcversion for a module with MODULE_VERSION, and parameters/ with one file per
// module_param() whose permission is not 0, readable (and writable, if its mode says so) as
// `cat /sys/module/hello/parameters/myint`.
//
// The directories follow the module list: `syncSysModule` adds the ones of new modules and
// removes the ones of modules that are gone; the shell calls it before each command. Invariant:
// only directories made here are ever removed (a module's own sysfs files live elsewhere).

import type { I64 } from '../vm/value';
import { add64 } from '../vm/value';
import type { Kernel } from './kernel';
import type { LoadedModule, ParamDecl } from './module';
import { parseParamValue, readModInfo } from './module';
import { moduleSize } from './procfiles';
import type { DirNode, FileOps, OpenFile, Vfs } from './vfs';
import { E, O_ACCMODE, O_RDONLY, SnapshotFile, decodeLatin1 } from './vfs';

/** sysfs attributes are a page: `ls -l` shows 4096 whatever they hold. */
const ATTR_SIZE = 4096;

const PUBLISHED = new WeakMap<Vfs, Map<string, { mod: LoadedModule; dir: DirNode }>>();

/** Bring /sys/module in line with the kernel's module list. */
export function syncSysModule(vfs: Vfs, k: Kernel): void {
  const root = vfs.mkdirs('/sys/module');
  if (typeof root === 'number') return;
  let published = PUBLISHED.get(vfs);
  if (!published) PUBLISHED.set(vfs, (published = new Map()));
  for (const [name, p] of published) {
    if (k.modules.get(name) === p.mod) continue;
    vfs.remove(p.dir, true);
    published.delete(name);
  }
  for (const [name, mod] of k.modules) {
    if (published.has(name) || root.children.has(name)) continue;
    const dir = vfs.mkdir(root, name);
    if (typeof dir === 'number') continue;
    publish(vfs, k, mod, dir);
    published.set(name, { mod, dir });
  }
}

function publish(vfs: Vfs, k: Kernel, mod: LoadedModule, dir: DirNode): void {
  const info = readModInfo(mod.unit);
  const attrs: [string, () => string][] = [
    ['coresize', () => String(moduleSize(mod))],
    // The init text is freed once init has returned.
    ['initsize', () => '0'],
    ['initstate', () => (mod.state === 'coming' ? 'coming' : mod.state === 'going' ? 'going' : 'live')],
    ['refcnt', () => String(mod.refcount)],
    ['taint', () => mod.taints],
  ];
  if (info.version !== undefined) {
    const source = mod.unit.funcs.find((f) => !f.fromHeader)?.span.file.text ?? '';
    attrs.push(['srcversion', () => srcversion(source)], ['version', () => info.version ?? '']);
  }
  for (const [name, show] of attrs) vfs.createFile(dir, name, 0o444, readOnly(() => `${show()}\n`));
  vfs.mkdir(dir, 'holders');
  const params = mod.params.map((p) => ({ p, perm: permOf(p.perm) })).filter((x) => x.perm > 0 && x.p.v);
  if (params.length === 0) return;
  const pdir = vfs.mkdir(dir, 'parameters');
  if (typeof pdir === 'number') return;
  for (const { p, perm } of params) vfs.createFile(pdir, p.name, perm, paramFile(k, mod, p, perm));
}

function readOnly(show: () => string): FileOps {
  return {
    // kernfs refuses to open an attribute for writing when it has no store method.
    open: (req) => ((req.flags & O_ACCMODE) === O_RDONLY ? new SnapshotFile(show(), -E.EACCES) : -E.EACCES),
    size: () => ATTR_SIZE,
  };
}

/** A parameter's file: param_get_*() on read, param_set_*() on write (integer and bool types). */
function paramFile(k: Kernel, mod: LoadedModule, p: ParamDecl, perm: number): FileOps {
  return {
    open: (req): OpenFile | number => {
      const writing = (req.flags & O_ACCMODE) !== O_RDONLY;
      if (writing && (perm & 0o222) === 0) return -E.EACCES;
      const file = new SnapshotFile(`${paramValue(k, mod, p)}\n`);
      return { ...bind(file), write: (data) => setParam(k, mod, p, decodeLatin1(data)) || data.length };
    },
    size: () => ATTR_SIZE,
  };
}

/** An OpenFile's methods bound to it, so they can be spread into another. */
function bind(f: OpenFile): OpenFile {
  return { read: (n) => f.read(n), write: (d) => f.write(d), llseek: (o, w) => f.llseek(o, w), ioctl: (c, a) => f.ioctl(c, a), release: () => f.release() };
}

/** The mode bits of a module_param() permission as written (`0644`, `S_IRUSR | S_IWUSR`). */
export function permOf(text: string): number {
  let mode = 0;
  for (const part of text.split('|').map((s) => s.trim())) {
    if (/^0[0-7]*$/.test(part)) mode |= parseInt(part, 8);
    else if (/^\d+$/.test(part)) mode |= Number(part);
    else if (part in PERM_NAMES) mode |= PERM_NAMES[part];
    else return 0;
  }
  return mode & 0o777;
}

const PERM_NAMES: Record<string, number> = {
  S_IRWXU: 0o700, S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100,
  S_IRWXG: 0o070, S_IRGRP: 0o040, S_IWGRP: 0o020, S_IXGRP: 0o010,
  S_IRWXO: 0o007, S_IROTH: 0o004, S_IWOTH: 0o002, S_IXOTH: 0o001,
  S_IRWXUGO: 0o777, S_IRUGO: 0o444, S_IWUGO: 0o222, S_IXUGO: 0o111, S_IALLUGO: 0o777,
};

/** param_get_*(): the value as the kernel prints it (arrays comma-separated, bools Y/N). */
function paramValue(k: Kernel, mod: LoadedModule, p: ParamDecl): string {
  const addr = p.v ? mod.globalAddrs.get(p.v) : undefined;
  if (addr === undefined || !p.v) return '';
  const mem = k.k.memory;
  if (p.type === 'charp') {
    const s = mem.ld64(addr);
    return s === 0 || s === 0n ? '(null)' : (mem.readCString(s, 4096) ?? '');
  }
  if (p.type === 'string') return mem.readCString(addr, 4096) ?? '';
  if (p.type.startsWith('array:')) {
    const type = p.type.slice('array:'.length);
    const t = p.v.type.kind === 'array' ? p.v.type : undefined;
    const size = t && t.of.kind === 'int' ? t.of.size : 4;
    const countVar = mod.unit.globals.find((g) => g.name === (p.countVar ?? '').replace(/^&\s*/, ''));
    const countAddr = countVar ? mod.globalAddrs.get(countVar) : undefined;
    const n = countAddr !== undefined ? mem.ld32(countAddr) : (t?.len ?? 0);
    return Array.from({ length: Math.max(0, Math.min(n, t?.len ?? 0)) }, (_, i) => scalar(k, add64(addr, i * size), type, size)).join(',');
  }
  return scalar(k, addr, p.type, p.v.type.kind === 'int' ? p.v.type.size : 4);
}

function scalar(k: Kernel, addr: I64, type: string, size: number): string {
  const mem = k.k.memory;
  const signed = !type.startsWith('u') && type !== 'byte' && type !== 'hexint';
  const v = size === 8 ? BigInt(mem.ld64(addr)) : BigInt(size === 4 ? (signed ? mem.ld32s(addr) : mem.ld32(addr)) : size === 2 ? (signed ? mem.ld16s(addr) : mem.ld16(addr)) : mem.ld8(addr));
  switch (type) {
    case 'bool':
      return v !== 0n ? 'Y' : 'N';
    case 'invbool':
      return v !== 0n ? 'N' : 'Y';
    case 'hexint':
      return `0x${BigInt.asUintN(32, v).toString(16)}`;
    case 'ulong':
      return BigInt.asUintN(64, v).toString();
    default:
      return v.toString();
  }
}

/** param_set_*() for the integer and bool types: 0, or -EINVAL for text the type refuses. */
function setParam(k: Kernel, mod: LoadedModule, p: ParamDecl, text: string): number {
  const addr = p.v ? mod.globalAddrs.get(p.v) : undefined;
  if (addr === undefined || !p.v || p.type === 'charp' || p.type === 'string' || p.type.startsWith('array:')) return -E.EINVAL;
  const r = parseParamValue(p.type, text.replace(/\n$/, ''), p.v.type);
  if (!r.ok) return -E.EINVAL;
  const size = p.v.type.kind === 'int' ? p.v.type.size : 4;
  const mem = k.k.memory;
  if (size === 8) mem.st64(addr, r.value);
  else if (size === 4) mem.st32(addr, Number(BigInt.asIntN(32, BigInt(r.value))));
  else if (size === 2) mem.st16(addr, Number(BigInt.asIntN(16, BigInt(r.value))));
  else mem.st8(addr, Number(BigInt.asIntN(8, BigInt(r.value))));
  return 0;
}

/**
 * A stand-in for modpost's srcversion (an MD4 digest of the module's sources, 23 hex digits):
 * the same shape, and the same value for the same source.
 */
export function srcversion(text: string): string {
  let out = '';
  for (let seed = 0; out.length < 23; seed++) {
    let h = 0x811c9dc5 ^ seed;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).toUpperCase().padStart(8, '0');
  }
  return out.slice(0, 23);
}
