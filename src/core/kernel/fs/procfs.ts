// procfs for modules (fs/proc/generic.c and fs/proc/inode.c of Linux 6.1): proc_create_data(),
// proc_mkdir(), remove_proc_entry(), proc_remove(), and what opening, reading and writing an entry
// does. Each entry is a struct proc_dir_entry in kernel memory (the pointer modules get back),
// a node in the VFS tree under /proc, and a record here with the module's proc_ops pointer.
//
// As on Linux, the kernel reads pde->proc_ops at every call (proc_reg_open, proc_reg_read, ...), so
// an entry that outlives its module (remove_proc_entry forgotten) faults in freed module memory when
// it is next used, and a second proc_create() of its name fails with the WARNING of proc_register().
//
// Invariants: names are unique per directory; an entry's VFS node exists exactly while the entry is
// registered; a removed entry answers -EIO to its open files (proc_entry_rundown) and -ENOENT to new opens.

import type { I64 } from '../../vm/value';
import type { CallSite } from '../../vm/machine';
import type { Kernel } from '../kernel';
import type { Frame } from '../trace';
import type { DirNode, FileOps, OpenFile, OpenRequest } from '../vfs';
import { vfsOf } from '../vfs';
import type { FileKind, NodeObjects } from './files';
import { ERR, GFP_KERNEL_ZERO, INODE, ModuleFile, PATHS, add, allocFile, internalNative, kernelAlloc, makeNodeObjects, num, syscall, within } from './files';
import { kernelWarning } from './warn';
import { seqOpen, seqOpenPrivate, seqRelease, seqReleasePrivate, singleOpen } from './seqfile';
import { openRegs } from './userregs';

/** Offsets of the handlers in struct proc_ops. */
export const PROC_OPS = { open: 8, read: 16, write: 32, llseek: 40, release: 48, ioctl: 64, bytes: 96 } as const;

/** sizeof(struct proc_dir_entry) on 6.1 x86_64 (its slab cache holds the inline name too). */
const PDE_BYTES = 192;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

const f = (fn: string, offset: number, size: number): Frame => ({ fn, offset, size });
const VIA: FileKind['via'] = {
  read: [f('proc_reg_read', 0x56, 0xa0)],
  write: [f('proc_reg_write', 0x56, 0xa0)],
  llseek: [f('proc_reg_llseek', 0x52, 0x90)],
  ioctl: [f('proc_reg_unlocked_ioctl', 0x56, 0xa0)],
  release: [f('proc_reg_release', 0x4f, 0xa0)],
};
const PROC_REG_OPEN = [f('proc_reg_open', 0x6d, 0x190)];

/** One registered entry: a file with proc_ops, or a directory. */
export interface ProcEntry {
  readonly pde: I64;
  readonly name: string;
  readonly parent: ProcEntry | undefined;
  readonly dir: boolean;
  /** The module's struct proc_ops (0 for directories). */
  readonly ops: I64;
  readonly node: NodeObjects;
  readonly children: Map<string, ProcEntry>;
  removed: boolean;
  /** Open files of the entry: its inode and dentry are freed when it is removed and none is left. */
  opens: number;
  /** proc_create_single_data()'s show, or proc_create_seq_private()'s iterator and state size. */
  readonly seq?: SeqEntry;
}

/** A seq_file entry the kernel serves itself (proc_single_ops, proc_seq_ops). */
export type SeqEntry = { readonly show: I64 } | { readonly ops: I64; readonly stateSize: number };

/** What proc_create_data() and proc_mkdir() are asked for. */
export interface ProcCreate {
  readonly name: I64;
  readonly mode: number;
  readonly parent: I64;
  /** The module's struct proc_ops (0 for directories and kernel-served seq_file entries). */
  readonly ops: I64;
  readonly data: I64;
  readonly dir: boolean;
  readonly seq?: SeqEntry;
}

class ProcFs {
  /** Entries by their proc_dir_entry address. */
  readonly byPde = new Map<I64, ProcEntry>();
  /** Entries directly under /proc, by name. */
  readonly top = new Map<string, ProcEntry>();
  /** Entries by their inode (what the kernel's own open handlers get). */
  readonly byInode = new Map<I64, ProcEntry>();
  /** proc_single_ops and proc_seq_ops, made on first use. */
  readonly kernelOps = new Map<'single' | 'seq', I64>();

  constructor(readonly k: Kernel) {}

  children(parent: ProcEntry | undefined): Map<string, ProcEntry> {
    return parent ? parent.children : this.top;
  }

  /** The VFS directory of a parent (undefined: /proc). */
  vfsDir(parent: ProcEntry | undefined): DirNode | undefined {
    const vfs = vfsOf(this.k);
    const path = parent ? `/proc/${pathOf(parent)}` : '/proc';
    const node = vfs.lookup(path);
    return typeof node !== 'number' && node.kind === 'dir' ? node : undefined;
  }
}

const STATES = new WeakMap<Kernel, ProcFs>();

function procOf(k: Kernel): ProcFs {
  let s = STATES.get(k);
  if (!s) STATES.set(k, (s = new ProcFs(k)));
  return s;
}

/** `driver/foo` for an entry below /proc. */
function pathOf(e: ProcEntry): string {
  return e.parent ? `${pathOf(e.parent)}/${e.name}` : e.name;
}

/** The proc_dir_entry name the kernel prints for a directory: `/proc` for the root. */
function dirName(parent: ProcEntry | undefined): string {
  return parent ? parent.name : '/proc';
}

/**
 * proc_create_data() / proc_mkdir_data(): register an entry and return its proc_dir_entry, or 0
 * (NULL) when the parent is unknown, the name is bad or taken (with proc_register()'s WARNING).
 */
export function procCreate(k: Kernel, site: CallSite, req: ProcCreate): I64 {
  const { name: nameAddr, mode, parent: parentPde, data, dir, seq } = req;
  const fs = procOf(k);
  let parent = parentPde === 0 ? undefined : fs.byPde.get(parentPde);
  if (parentPde !== 0 && (!parent || parent.removed || !parent.dir)) return 0;
  const full = k.cstring(nameAddr, 256) ?? '';
  // xlate_proc_name(): `driver/foo` names an entry in a subdirectory.
  const parts = full.split('/');
  const name = parts.pop() ?? '';
  for (const p of parts) {
    parent = fs.children(parent).get(p);
    if (!parent || !parent.dir) return 0;
  }
  if (name === '' || name === '.' || name === '..' || name.length > 255) return 0;
  const siblings = fs.children(parent);
  if (siblings.has(name)) {
    kernelWarning(k, { file: 'fs/proc/generic.c', line: 400, fn: 'proc_register', offset: 0x19f, size: 0x240, message: `proc_dir_entry '${dirName(parent)}/${name}' already registered` });
    return 0;
  }
  // proc_create_data(): a file without type bits is S_IFREG, without permission bits 0444.
  let m = mode & 0xffff;
  if (dir) m = S_IFDIR | (m & 0o7777 || 0o555);
  else {
    if ((m & S_IFMT) === 0) m |= S_IFREG;
    if ((m & 0o7777) === 0) m |= 0o444;
  }
  const pde = kernelAlloc(k, PDE_BYTES, GFP_KERNEL_ZERO, site);
  const node = pde === 0 ? undefined : makeNodeObjects(k, name, m, 0, site);
  if (pde === 0 || !node) return 0;
  k.mem.st64(add(node.inode, INODE.private), data);
  const ops = seq ? kernelProcOps(k, 'show' in seq ? 'single' : 'seq', site) : req.ops;
  if (ops === 0 && !dir) return 0;
  const entry: ProcEntry = { pde, name, parent, dir, ops: dir ? 0 : ops, node, children: new Map(), removed: false, opens: 0, seq };
  const vfsDir = fs.vfsDir(parent);
  if (vfsDir) {
    const vfs = vfsOf(k);
    if (dir) vfs.mkdir(vfsDir, name, m & 0o7777);
    else vfs.createFile(vfsDir, name, m & 0o7777, procFileOps(k, entry));
  }
  siblings.set(name, entry);
  fs.byPde.set(pde, entry);
  fs.byInode.set(node.inode, entry);
  return pde;
}

/** remove_proc_entry(): unregister one entry by name, with the kernel's WARNINGs for a missing name or a non-empty directory. */
export function removeProcEntry(k: Kernel, site: CallSite, nameAddr: I64, parentPde: I64): void {
  const fs = procOf(k);
  let parent = parentPde === 0 ? undefined : fs.byPde.get(parentPde);
  const full = k.cstring(nameAddr, 256) ?? '';
  const parts = full.split('/');
  const name = parts.pop() ?? '';
  for (const p of parts) parent = parent === undefined && parentPde !== 0 ? undefined : fs.children(parent).get(p);
  const entry = (parentPde !== 0 && !parent) ? undefined : fs.children(parent).get(name);
  if (!entry) {
    kernelWarning(k, { file: 'fs/proc/generic.c', line: 709, fn: 'remove_proc_entry', message: `name '${full}'` });
    return;
  }
  const first = [...entry.children.keys()][0];
  unregister(k, entry, site);
  if (first !== undefined) {
    kernelWarning(k, { file: 'fs/proc/generic.c', line: 714, fn: 'remove_proc_entry', message: `remove_proc_entry: removing non-empty directory '${dirName(entry.parent)}/${entry.name}', leaking at least '${first}'` });
  }
}

/** proc_remove() / remove_proc_subtree(): an entry and everything below it. */
export function procRemove(k: Kernel, site: CallSite, pde: I64): void {
  if (pde === 0) return;
  const entry = procOf(k).byPde.get(pde);
  if (entry) removeTree(k, entry, site);
}

function removeTree(k: Kernel, entry: ProcEntry, site: CallSite): void {
  for (const child of [...entry.children.values()]) removeTree(k, child, site);
  unregister(k, entry, site);
}

/** Take an entry out of its directory and the VFS; its open files get -EIO from now on. */
function unregister(k: Kernel, entry: ProcEntry, site: CallSite): void {
  const fs = procOf(k);
  fs.children(entry.parent).delete(entry.name);
  fs.byPde.delete(entry.pde);
  fs.byInode.delete(entry.node.inode);
  entry.removed = true;
  const dir = fs.vfsDir(entry.parent);
  const node = dir?.children.get(entry.name);
  if (node) vfsOf(k).remove(node, true);
  // pde_put(): the proc_dir_entry goes; the inode and dentry stay while files are open.
  k.k.mm.kfree(entry.pde, site);
  if (entry.opens === 0) freeNodeObjects(k, entry.node, site);
}

function freeNodeObjects(k: Kernel, node: NodeObjects, site: CallSite): void {
  k.k.mm.kfree(node.dentry, site);
  k.k.mm.kfree(node.inode, site);
}

/**
 * proc_single_ops / proc_seq_ops (fs/proc/generic.c): the proc_ops of entries the kernel serves
 * with seq_file itself. Its open handlers find the entry by inode, as PDE(inode) does.
 */
function kernelProcOps(k: Kernel, kind: 'single' | 'seq', site: CallSite): I64 {
  const fs = procOf(k);
  const known = fs.kernelOps.get(kind);
  if (known !== undefined) return known;
  const table = kernelAlloc(k, PROC_OPS.bytes, GFP_KERNEL_ZERO, site);
  if (table === 0) return 0;
  const entryOf = (inode: I64): ProcEntry | undefined => fs.byInode.get(inode);
  const open = kind === 'single'
    ? internalNative(k, 'proc_single_open', (_m, a, s) => {
      const e = entryOf(a[0]);
      return e?.seq && 'show' in e.seq ? singleOpen(k, a[1], e.seq.show, k.mem.ld64(add(a[0], INODE.private)), s) : ERR.ENOENT;
    })
    : internalNative(k, 'proc_seq_open', (_m, a, s) => {
      const e = entryOf(a[0]);
      if (!e?.seq || !('ops' in e.seq)) return ERR.ENOENT;
      if (!e.seq.stateSize) return seqOpen(k, a[1], e.seq.ops, s);
      return seqOpenPrivate(k, a[1], e.seq.ops, e.seq.stateSize, s) === 0 ? ERR.ENOMEM : 0;
    });
  const release = kind === 'single'
    ? k.native('single_release')?.addr ?? 0
    : internalNative(k, 'proc_seq_release', (_m, a, s) => {
      const e = entryOf(a[0]);
      return e?.seq && 'ops' in e.seq && e.seq.stateSize ? seqReleasePrivate(k, a[1], s) : seqRelease(k, a[1], s);
    });
  k.mem.st64(add(table, PROC_OPS.open), open);
  k.mem.st64(add(table, PROC_OPS.read), k.native('seq_read')?.addr ?? 0);
  k.mem.st64(add(table, PROC_OPS.llseek), k.native('seq_lseek')?.addr ?? 0);
  k.mem.st64(add(table, PROC_OPS.release), release);
  fs.kernelOps.set(kind, table);
  return table;
}

/** proc_mkdir()'s children of a removed directory still hang off the record; `pde_data(inode)` is the inode's i_private. */
export function procEntryOf(k: Kernel, pde: I64): ProcEntry | undefined {
  return procOf(k).byPde.get(pde);
}

// ---- opening an entry -------------------------------------------------------------------------------

/** The VFS side of an entry: opening it runs proc_reg_open() as the opener. */
function procFileOps(k: Kernel, entry: ProcEntry): FileOps {
  return { open: (req) => openEntry(k, entry, req), size: () => 0 };
}

function openEntry(k: Kernel, entry: ProcEntry, req: OpenRequest): OpenFile | number {
  if (entry.removed) return ERR.ENOENT;
  const kind: FileKind = {
    table: () => entry.ops,
    offsets: { read: PROC_OPS.read, write: PROC_OPS.write, llseek: PROC_OPS.llseek, ioctl: PROC_OPS.ioctl, release: PROC_OPS.release },
    via: VIA,
    noReadWrite: ERR.EIO,
    defaultSeek: true,
    gone: () => (entry.removed ? ERR.EIO : 0),
    released: (site) => {
      entry.opens--;
      if (entry.removed && entry.opens === 0) freeNodeObjects(k, entry.node, site);
    },
  };
  const file = syscall(k, req.task, PATHS.open, (site) => within(k, PROC_REG_OPEN, () => {
    // proc_reg_open() reads proc_release first (the load that faults when the module is gone).
    k.mem.ld64(add(entry.ops, PROC_OPS.release));
    const open = k.mem.ld64(add(entry.ops, PROC_OPS.open));
    const filp = allocFile(k, entry.node, 0, req.flags, site);
    if (filp === 0) return ERR.ENOMEM;
    if (open !== 0) {
      const ret = num(k.machine.callAddr(open, [entry.node.inode, filp], site));
      if (ret !== 0) {
        k.k.mm.kfree(filp, site);
        return ret;
      }
    }
    return filp;
  }), openRegs(req.flags));
  const r = num(file);
  if (r >= -4095 && r < 0) return r;
  entry.opens++;
  return new ModuleFile(k, req.task, file, kind);
}
