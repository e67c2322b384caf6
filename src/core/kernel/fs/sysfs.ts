// sysfs for modules (lib/kobject.c, fs/sysfs/, fs/kernfs/ of Linux 6.1): kobjects as directories
// under /sys (kernel_kobj is /sys/kernel), attribute files made by sysfs_create_file() and
// sysfs_create_group(), and reading and writing them through a kobj_attribute's show and store.
//
// A read calls show() once, into a zeroed page, when the reader starts at position 0 (kernfs goes
// through seq_file, whose single record is made again only from the start); later reads return
// the rest of that page. A write hands store() at most one page, NUL-terminated, as
// kernfs_fop_write_iter() does. Opening for reading a file without show, or for writing one without
// store or write permission bits, fails with -EACCES as kernfs_fop_open() does.
//
// Invariants: a kobject's directory exists while its reference count is above zero; every file
// below it belongs to exactly one attribute.

import type { I64 } from '../../vm/value';
import type { CallSite } from '../../vm/machine';
import type { Kernel } from '../kernel';
import type { Frame } from '../trace';
import type { DirNode, OpenFile, OpenRequest, Whence } from '../vfs';
import { vfsOf } from '../vfs';
import { ERR, GFP_KERNEL_ZERO, PATHS, add, kernelAlloc, num, syscall, within } from './files';
import { syscallRegs } from './userregs';
import { USER_HEAP_BASE } from './uaccess';

/** Offsets in struct kobject, struct attribute / kobj_attribute and struct attribute_group. */
export const KOBJ = { name: 0, parent: 24, kref: 56, bytes: 64 } as const;
export const ATTR = { name: 0, mode: 8, show: 16, store: 24 } as const;
export const GROUP = { name: 0, attrs: 24 } as const;

const PAGE_SIZE = 4096;
/** The user buffer a show()/store() call's read(2)/write(2) names (sysfs copies through its own page). */
const USER_BUF = USER_HEAP_BASE;
const f = (fn: string, offset: number, size: number): Frame => ({ fn, offset, size });
const SHOW = [f('kobj_attr_show', 0x12, 0x30), f('sysfs_kf_seq_show', 0xa6, 0x130), f('seq_read_iter', 0x11f, 0x4b0)];
const STORE = [f('kobj_attr_store', 0x12, 0x30), f('kernfs_fop_write_iter', 0x11c, 0x1c0)];

interface KobjRec {
  readonly kobj: I64;
  readonly name: string;
  /** The directory's absolute path. */
  readonly path: string;
  refs: number;
  /** Allocated by kobject_create_and_add (freed when the last reference goes). */
  readonly owned: boolean;
}

class SysFs {
  readonly kobjs = new Map<I64, KobjRec>();
  constructor(readonly k: Kernel) {}
}

const STATES = new WeakMap<Kernel, SysFs>();

function sysOf(k: Kernel): SysFs {
  let s = STATES.get(k);
  if (!s) STATES.set(k, (s = new SysFs(k)));
  return s;
}

/** The kernel's own kobjects modules hang theirs from: exported pointer variable → directory. */
export const TOP_KOBJECTS: readonly [string, string][] = [['kernel_kobj', 'kernel'], ['mm_kobj', 'kernel/mm'], ['fs_kobj', 'fs'], ['firmware_kobj', 'firmware']];

/** Boot: a struct kobject for one of the kernel's top directories (in kernel data), registered here. */
export function bootKobject(k: Kernel, dir: string): I64 {
  // In the kernel image's data, not kmalloc: boot must not take allocations (fail-nth counts them).
  const name = dir.split('/').pop() ?? dir;
  const kobj = k.data.object(KOBJ.bytes);
  const nameAddr = k.data.object(name.length + 1);
  if (kobj === 0 || nameAddr === 0) return 0;
  const bytes = new Uint8Array(name.length + 1);
  for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i);
  k.mem.writeBytes(nameAddr, bytes);
  k.mem.st64(add(kobj, KOBJ.name), nameAddr);
  k.mem.st32(add(kobj, KOBJ.kref), 1);
  vfsOf(k).mkdirs(`/sys/${dir}`);
  sysOf(k).kobjs.set(kobj, { kobj, name, path: `/sys/${dir}`, refs: 1, owned: false });
  return kobj;
}

function dirOf(k: Kernel, path: string): DirNode | undefined {
  const node = vfsOf(k).lookup(path);
  return typeof node !== 'number' && node.kind === 'dir' ? node : undefined;
}

/** sysfs_warn_dup(): the duplicate-name message and a stack dump. */
function warnDuplicate(k: Kernel, path: string): void {
  k.log(4, `sysfs: cannot create duplicate filename '${path.replace(/^\/sys/, '')}'`);
  k.dumpStack();
}

/** kobject_create_and_add(): a kobject and its directory below `parent` (NULL: /sys), or NULL. */
export function kobjectCreateAndAdd(k: Kernel, nameAddr: I64, parent: I64, site: CallSite): I64 {
  const s = sysOf(k);
  const name = k.cstring(nameAddr, 256) ?? '';
  const base = parent === 0 ? '/sys' : s.kobjs.get(parent)?.path;
  const dir = base === undefined ? undefined : dirOf(k, base);
  if (!dir || name === '' || name.includes('/')) return 0;
  const path = `${base}/${name}`;
  if (dir.children.has(name)) {
    warnDuplicate(k, path);
    k.log(3, `kobject_add_internal failed for ${name} with -EEXIST, don't try to register things with the same name in the same directory.`);
    return 0;
  }
  const kobj = kernelAlloc(k, KOBJ.bytes, GFP_KERNEL_ZERO, site);
  const nameCopy = kobj === 0 ? 0 : kernelAlloc(k, name.length + 1, 0xcc0, site);
  if (kobj === 0 || nameCopy === 0) return 0;
  const bytes = new Uint8Array(name.length + 1);
  for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i) & 0xff;
  k.mem.writeBytes(nameCopy, bytes);
  k.mem.st64(add(kobj, KOBJ.name), nameCopy);
  k.mem.st64(add(kobj, KOBJ.parent), parent);
  k.mem.st32(add(kobj, KOBJ.kref), 1);
  vfsOf(k).mkdir(dir, name);
  s.kobjs.set(kobj, { kobj, name, path, refs: 1, owned: true });
  return kobj;
}

/** kobject_get(). */
export function kobjectGet(k: Kernel, kobj: I64): I64 {
  const rec = sysOf(k).kobjs.get(kobj);
  if (rec) {
    rec.refs++;
    k.mem.st32(add(kobj, KOBJ.kref), rec.refs);
  }
  return kobj;
}

/** kobject_put(): the last reference removes the directory (with its files) and frees the kobject. */
export function kobjectPut(k: Kernel, kobj: I64, site: CallSite): void {
  const s = sysOf(k);
  const rec = s.kobjs.get(kobj);
  if (!rec) return;
  rec.refs--;
  if (rec.refs > 0) {
    k.mem.st32(add(kobj, KOBJ.kref), rec.refs);
    return;
  }
  s.kobjs.delete(kobj);
  const dir = dirOf(k, rec.path);
  if (dir) vfsOf(k).remove(dir, true);
  if (rec.owned) {
    k.k.mm.kfree(k.mem.ld64(add(kobj, KOBJ.name)), site);
    k.k.mm.kfree(kobj, site);
  }
}

/** sysfs_create_file(): one attribute file in the kobject's directory; 0, -EEXIST or -EINVAL. */
export function sysfsCreateFile(k: Kernel, kobj: I64, attr: I64, subdir?: string): number {
  const rec = sysOf(k).kobjs.get(kobj);
  if (!rec || attr === 0) return ERR.EINVAL;
  const path = subdir ? `${rec.path}/${subdir}` : rec.path;
  const dir = dirOf(k, path);
  const name = k.cstring(k.mem.ld64(add(attr, ATTR.name)), 256);
  if (!dir || !name) return ERR.EINVAL;
  if (dir.children.has(name)) {
    warnDuplicate(k, `${path}/${name}`);
    return ERR.EEXIST;
  }
  const mode = k.mem.ld16(add(attr, ATTR.mode)) & 0o777;
  vfsOf(k).createFile(dir, name, mode, { open: (req) => openAttribute(k, kobj, attr, mode, req), size: () => PAGE_SIZE });
  return 0;
}

/** sysfs_remove_file(). */
export function sysfsRemoveFile(k: Kernel, kobj: I64, attr: I64, subdir?: string): void {
  const rec = sysOf(k).kobjs.get(kobj);
  if (!rec) return;
  const dir = dirOf(k, subdir ? `${rec.path}/${subdir}` : rec.path);
  const name = k.cstring(k.mem.ld64(add(attr, ATTR.name)), 256) ?? '';
  const node = dir?.children.get(name);
  if (node) vfsOf(k).remove(node);
}

/** The NULL-terminated `struct attribute *` array of a group. */
function groupAttrs(k: Kernel, grp: I64): I64[] {
  const out: I64[] = [];
  const arr = k.mem.ld64(add(grp, GROUP.attrs));
  if (arr === 0) return out;
  for (let i = 0; i < 1024; i++) {
    const a = k.mem.ld64(add(arr, i * 8));
    if (a === 0) break;
    out.push(a);
  }
  return out;
}

/** sysfs_create_group(): the group's files (in a subdirectory when it has a name); stops at the first error. */
export function sysfsCreateGroup(k: Kernel, kobj: I64, grp: I64): number {
  const rec = sysOf(k).kobjs.get(kobj);
  if (!rec || grp === 0) return ERR.EINVAL;
  const sub = k.cstring(k.mem.ld64(add(grp, GROUP.name)), 256) ?? undefined;
  if (sub) {
    const dir = dirOf(k, rec.path);
    if (!dir) return ERR.EINVAL;
    const made = vfsOf(k).mkdir(dir, sub);
    if (typeof made === 'number') {
      warnDuplicate(k, `${rec.path}/${sub}`);
      return made;
    }
  }
  const done: I64[] = [];
  for (const attr of groupAttrs(k, grp)) {
    const err = sysfsCreateFile(k, kobj, attr, sub);
    if (err) {
      for (const a of done) sysfsRemoveFile(k, kobj, a, sub);
      return err;
    }
    done.push(attr);
  }
  return 0;
}

/** sysfs_remove_group(). */
export function sysfsRemoveGroup(k: Kernel, kobj: I64, grp: I64): void {
  const rec = sysOf(k).kobjs.get(kobj);
  if (!rec || grp === 0) return;
  const sub = k.cstring(k.mem.ld64(add(grp, GROUP.name)), 256) ?? undefined;
  if (sub) {
    const dir = dirOf(k, `${rec.path}/${sub}`);
    if (dir) vfsOf(k).remove(dir, true);
    return;
  }
  for (const attr of groupAttrs(k, grp)) sysfsRemoveFile(k, kobj, attr);
}

// ---- reading and writing an attribute ---------------------------------------------------------------

function openAttribute(k: Kernel, kobj: I64, attr: I64, mode: number, req: OpenRequest): OpenFile | number {
  const acc = req.flags & 3;
  const wantRead = acc === 0 || acc === 2;
  const wantWrite = acc === 1 || acc === 2;
  const show = k.mem.ld64(add(attr, ATTR.show));
  const store = k.mem.ld64(add(attr, ATTR.store));
  if (wantRead && (!(mode & 0o444) || show === 0)) return -13;
  if (wantWrite && (!(mode & 0o222) || store === 0)) return -13;
  return new AttributeFile(k, req.task, kobj, attr);
}

/** An open sysfs attribute: the page show() filled, and the position in it. */
class AttributeFile implements OpenFile {
  private page: Uint8Array | undefined;
  private pos = 0;

  constructor(
    private readonly k: Kernel,
    private readonly task: { pid: number; comm: string },
    private readonly kobj: I64,
    private readonly attr: I64,
  ) {}

  read(count: number): Uint8Array | number {
    if (this.pos === 0 || !this.page) {
      const r = this.fill();
      if (typeof r === 'number') return r;
      this.page = r;
    }
    const out = this.page.slice(this.pos, this.pos + Math.max(0, count));
    this.pos += out.length;
    return out;
  }

  /** sysfs_kf_seq_show(): show() into a zeroed page; its count, clamped as the kernel does. */
  private fill(): Uint8Array | number {
    const k = this.k;
    let text: Uint8Array | undefined;
    const ret = num(syscall(k, this.task, PATHS.read, (site) => within(k, SHOW, () => {
      const buf = kernelAlloc(k, PAGE_SIZE, GFP_KERNEL_ZERO, site);
      if (buf === 0) return ERR.ENOMEM;
      const show = k.mem.ld64(add(this.attr, ATTR.show));
      let count = num(k.machine.callAddr(show, [this.kobj, this.attr, buf], site));
      if (count >= PAGE_SIZE) {
        k.log(4, `fill_read_buffer: ${k.k.format('%pS', [show])} returned bad count`);
        count = PAGE_SIZE - 1;
      }
      if (count >= 0) text = k.mem.readBytes(buf, count).slice();
      k.k.mm.kfree(buf, site);
      return count;
    }), syscallRegs('read', 3, USER_BUF, 65536)));
    return ret < 0 || !text ? ret : text;
  }

  write(data: Uint8Array): number {
    const k = this.k;
    const len = Math.min(data.length, PAGE_SIZE);
    if (len === 0) return 0;
    return num(syscall(k, this.task, PATHS.write, (site) => within(k, STORE, () => {
      const buf = kernelAlloc(k, len + 1, 0xcc0, site);
      if (buf === 0) return ERR.ENOMEM;
      const bytes = new Uint8Array(len + 1);
      bytes.set(data.subarray(0, len));
      k.mem.writeBytes(buf, bytes);
      const store = k.mem.ld64(add(this.attr, ATTR.store));
      const ret = num(k.machine.callAddr(store, [this.kobj, this.attr, buf, len], site));
      k.k.mm.kfree(buf, site);
      return ret;
    }), syscallRegs('write', 1, USER_BUF, len)));
  }

  llseek(offset: number, whence: Whence): number {
    const next = (whence === 0 ? 0 : whence === 1 ? this.pos : (this.page?.length ?? 0)) + offset;
    if (next < 0) return ERR.EINVAL;
    return (this.pos = next);
  }

  ioctl(): number {
    return ERR.ENOTTY;
  }

  release(): number {
    return 0;
  }
}

/** sysfs_emit_at(): format into the page at `at`; what was written (never past the page). */
export function sysfsEmit(k: Kernel, buf: I64, at: number, text: string): number {
  if (at < 0 || at >= PAGE_SIZE) return 0;
  const room = PAGE_SIZE - at - 1;
  const n = Math.min(room, text.length);
  const bytes = new Uint8Array(n + 1);
  for (let i = 0; i < n; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  k.mem.writeBytes(add(buf, at), bytes);
  return n;
}
