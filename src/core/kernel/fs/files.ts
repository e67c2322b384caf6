// Open files backed by module code: the kernel objects a module's file operations receive (struct
// file, struct inode, struct dentry, in kernel memory with the layouts of the virtual <linux/fs.h>),
// and the system calls the shell makes on them. A call runs as the user task that made it (`cat`,
// `sh` with their pids in reports), on the kernel path Linux 6.1 takes (vfs_read → proc_reg_read →
// the module's proc_read), with the user's buffer in that task's user address space (uaccess.ts).
//
// `ModuleFile` is the VFS's OpenFile for every module-backed file: procfs entries and character
// devices give it their handlers (function pointers into the module, or the kernel's own natives
// such as seq_read); sysfs attributes use `syscall` directly.
//
// An Oops in a handler kills the calling task, as on Linux: the call returns -EINTR and
// `takeKill(k, pid)` tells the shell that the task died and how (`Killed`, `Segmentation fault`).
//
// Invariants: struct field offsets here equal those the front end computes for the virtual headers
// (test/unit/kernel/fs-layout.test.ts checks them); nothing throws on module behaviour.

import type { I64 } from '../../vm/value';
import type { CallSite, NativeImpl } from '../../vm/machine';
import type { Kernel } from '../kernel';
import type { Frame } from '../trace';
import type { OpenFile, Opener, Whence } from '../vfs';
import { encodeLatin1 } from '../vfs';
import { userSpaceOf } from './uaccess';
import type { UserRegs } from '../report';
import type { SyscallName } from './userregs';
import { syscallRegs } from './userregs';

/** Offsets in struct file, struct inode and struct dentry of the virtual <linux/fs.h>. */
export const FILE = { dentry: 24, inode: 32, op: 40, count: 56, flags: 64, mode: 68, pos: 104, privateData: 120, size: 128 } as const;
export const INODE = { mode: 0, rdev: 40, size: 48, fop: 56, cdev: 64, private: 72, bytes: 80 } as const;
export const DENTRY = { parent: 24, len: 36, name: 40, inode: 48, iname: 56, bytes: 88 } as const;

/** fmode_t bits. */
export const FMODE_READ = 1;
export const FMODE_WRITE = 2;
const FMODE_LSEEK = 0x4;
const FMODE_PREAD = 0x8;

/** Negated errnos returned to user space. */
export const ERR = { EPERM: -1, ENOENT: -2, EIO: -5, ENXIO: -6, EBADF: -9, ENOMEM: -12, EFAULT: -14, EBUSY: -16, EEXIST: -17, ENODEV: -19, EINVAL: -22, ENOTTY: -25, ESPIPE: -29, EINTR: -4 } as const;

const f = (fn: string, offset: number, size: number): Frame => ({ fn, offset, size });
const SYSCALL = [f('do_syscall_64', 0x5d, 0xb0), f('entry_SYSCALL_64_after_hwframe', 0x6e, 0xd8)];

/** Kernel paths below a file handler in call traces (6.1 names; offsets as the oracle printed them where seen). */
export const PATHS = {
  open: [f('do_dentry_open', 0x1e5, 0x410), f('path_openat', 0xb7d, 0x1260), f('do_filp_open', 0xaf, 0x160), f('do_sys_openat2', 0xaf, 0x170), f('__x64_sys_openat', 0x6a, 0xa0), ...SYSCALL],
  read: [f('vfs_read', 0xa5, 0x310), f('ksys_read', 0x6b, 0xf0), ...SYSCALL],
  write: [f('vfs_write', 0xc7, 0x3f0), f('ksys_write', 0x6b, 0xf0), ...SYSCALL],
  llseek: [f('ksys_lseek', 0x80, 0xd0), ...SYSCALL],
  ioctl: [f('__x64_sys_ioctl', 0x8d, 0xd0), ...SYSCALL],
  release: [f('__fput', 0x96, 0x270), f('task_work_run', 0x59, 0x90), f('exit_to_user_mode_prepare', 0x1ed, 0x240), f('syscall_exit_to_user_mode', 0x17, 0x40), ...SYSCALL],
} as const;

// ---- natives the kernel calls through pointers it makes itself -------------------------------------

const INTERNAL_TEXT = 0xffffffff81e00000n;
const INTERNALS = new WeakMap<Kernel, Map<string, number>>();

/**
 * The address of a kernel function that modules do not link against but reach through pointers
 * the kernel stores (single_open()'s seq_operations), registered on first use.
 */
export function internalNative(k: Kernel, name: string, impl: NativeImpl): number {
  let table = INTERNALS.get(k);
  if (!table) INTERNALS.set(k, (table = new Map()));
  const known = table.get(name);
  if (known !== undefined) return known;
  const addr = Number(BigInt.asIntN(64, INTERNAL_TEXT + BigInt(table.size * 0x100)));
  k.machine.register({ kind: 'native', name, addr, size: 0x80, impl });
  table.set(name, addr);
  return addr;
}

// ---- system calls ----------------------------------------------------------------------------------

const KILLS = new WeakMap<Kernel, Map<number, 'SIGKILL' | 'SIGSEGV'>>();

/**
 * The signal that killed task `pid` in its last system call (an Oops in a handler), once: the
 * shell reports it (`Killed`, `Segmentation fault`) and stops the command.
 */
export function takeKill(k: Kernel, pid: number): 'SIGKILL' | 'SIGSEGV' | undefined {
  const kills = KILLS.get(k);
  const sig = kills?.get(pid);
  kills?.delete(pid);
  return sig;
}

/**
 * Run `body` as a system call of `task` whose kernel path below the handler is `path`. The body
 * runs in process context on the task's own kernel stack, with the current task set, so module
 * callbacks it makes get the task's identity in reports. Returns the body's value, or -EINTR when
 * an Oops killed the task.
 */
export function syscall(k: Kernel, task: Opener, path: readonly Frame[], body: (site: CallSite) => I64, regs?: UserRegs): I64 {
  if (k.panicked) return ERR.EINTR;
  let regStack = REGS.get(k);
  if (!regStack) REGS.set(k, (regStack = []));
  const userRegs = regStack;
  let bodies = BODIES.get(k);
  if (!bodies) BODIES.set(k, (bodies = []));
  const pending = bodies;
  // The entry point runs the innermost pending body (the kernel path of this system call).
  const entry = internalNative(k, 'kmodlab_syscall', (_m, _a, site) => {
    const run = pending[pending.length - 1];
    return run ? run(site) : ERR.EINTR;
  });
  pending.push(body);
  userRegs.push(regs);
  let r: ReturnType<Kernel['runCallback']>;
  try {
    r = k.runCallback(entry, [], { context: 'process', task, tail: path, what: task.comm });
  } finally {
    pending.pop();
    userRegs.pop();
  }
  if (r.killed) {
    let kills = KILLS.get(k);
    if (!kills) KILLS.set(k, (kills = new Map()));
    kills.set(task.pid, r.killed.signal);
    return ERR.EINTR;
  }
  return r.ret ?? 0;
}

/** The bodies of the system calls in progress on each machine, innermost last. */
const BODIES = new WeakMap<Kernel, ((site: CallSite) => I64)[]>();
/** Their user registers (undefined: not recorded), innermost last. */
const REGS = new WeakMap<Kernel, (UserRegs | undefined)[]>();

/** The user registers of the system call running on `k`, for the report's `RIP: 0033:` block. */
export function syscallUserRegs(k: Kernel): UserRegs | undefined {
  const stack = REGS.get(k);
  return stack?.[stack.length - 1];
}

/**
 * Run `body` with `frames` pushed below any module code it calls, in call traces (proc_reg_read
 * between the module's handler and vfs_read). A fault in the body itself is reported at the first
 * of these frames, as RIP. When the body kills the task the frames stay for its report (the
 * system call restores the task's state).
 */
export function within<T>(k: Kernel, frames: readonly Frame[], body: () => T): T {
  const cur = k.current;
  if (cur && frames.length) k.current = { ...cur, tail: [...frames, ...(cur.tail ?? [])] };
  const r = body();
  k.current = cur;
  return r;
}

// ---- kernel objects --------------------------------------------------------------------------------

/** The inode and dentry of a module-backed node, made once (as the dcache keeps them). */
export interface NodeObjects {
  readonly inode: I64;
  readonly dentry: I64;
}

/** Allocate a node's inode and dentry in kernel memory: name, mode, device number. */
export function makeNodeObjects(k: Kernel, name: string, mode: number, rdev: number, site: CallSite): NodeObjects | undefined {
  const inode = kernelAlloc(k, INODE.bytes, GFP_KERNEL_ZERO, site);
  const dentry = kernelAlloc(k, DENTRY.bytes, GFP_KERNEL_ZERO, site);
  if (inode === 0 || dentry === 0) return undefined;
  k.mem.st16(add(inode, INODE.mode), mode & 0xffff);
  k.mem.st32(add(inode, INODE.rdev), rdev);
  const bytes = encodeLatin1(name.slice(0, 31));
  const nameBuf = new Uint8Array(bytes.length + 1);
  nameBuf.set(bytes);
  k.mem.writeBytes(add(dentry, DENTRY.iname), nameBuf);
  k.mem.st64(add(dentry, DENTRY.name), add(dentry, DENTRY.iname));
  k.mem.st32(add(dentry, DENTRY.len), bytes.length);
  k.mem.st64(add(dentry, DENTRY.inode), inode);
  k.mem.st64(add(dentry, DENTRY.parent), dentry);
  return { inode, dentry };
}

/** alloc_empty_file(): a zeroed struct file for an opener, pointing at the node's objects. */
export function allocFile(k: Kernel, node: NodeObjects, fop: I64, flags: number, site: CallSite): I64 {
  const file = kernelAlloc(k, FILE.size, GFP_KERNEL_ZERO, site);
  if (file === 0) return 0;
  const acc = flags & 3;
  const mode = (acc === 0 || acc === 2 ? FMODE_READ : 0) | (acc === 1 || acc === 2 ? FMODE_WRITE : 0) | FMODE_LSEEK | FMODE_PREAD;
  k.mem.st64(add(file, FILE.dentry), node.dentry);
  k.mem.st64(add(file, FILE.inode), node.inode);
  k.mem.st64(add(file, FILE.op), fop);
  k.mem.st64(add(file, FILE.count), 1);
  k.mem.st32(add(file, FILE.flags), flags);
  k.mem.st32(add(file, FILE.mode), mode);
  return file;
}

/**
 * kmalloc() for the kernel's own objects (struct file, proc_dir_entry, seq_file, kobject, ...)
 * made while a module's code is running: they belong to the kernel, not the module, so kmemleak
 * does not report them at rmmod (the kernel still references them, as on Linux).
 */
export function kernelAlloc(k: Kernel, size: number, gfp: number, site: CallSite, vmalloc = false): I64 {
  const cur = k.current?.module;
  const owner = cur !== undefined && typeof cur === 'object' ? cur.name : undefined;
  k.k.setTask(k.task, undefined);
  try {
    return vmalloc ? k.k.mm.kvmalloc(size, gfp, site) : k.k.mm.kmalloc(size, gfp, site);
  } finally {
    k.k.setTask(k.task, owner);
  }
}

/** GFP_KERNEL | __GFP_ZERO. */
export const GFP_KERNEL_ZERO = 0xcc0 | 0x100;

export function add(a: I64, n: number): I64 {
  return typeof a === 'number' ? a + n : BigInt.asIntN(64, a + BigInt(n));
}

export function num(v: I64 | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : Number(BigInt.asIntN(64, v));
}

// ---- the open file ---------------------------------------------------------------------------------

/** The descriptors the shell's commands use: `cat FILE` reads fd 3, `echo … > FILE` writes fd 1. */
const FD_READ = 3;
const FD_WRITE = 1;

export type FileOp = 'read' | 'write' | 'llseek' | 'ioctl' | 'release';

/**
 * A kind of module-backed file: where its handlers are (a table of function pointers the kernel
 * reads at each call, as proc_reg_read reads pde->proc_ops and vfs_read reads file->f_op), the
 * kernel frames above them, and what it answers without a handler.
 */
export interface FileKind {
  /** The handler table's address (file->f_op, pde->proc_ops). */
  table(file: I64): I64;
  /** Offset of each handler in the table. */
  readonly offsets: Readonly<Record<FileOp, number>>;
  /** Frames between a handler and the syscall path (`proc_reg_read` for procfs, none for chrdevs). */
  readonly via: Readonly<Record<FileOp, readonly Frame[]>>;
  /** read/write with no handler: vfs_read's -EINVAL, or procfs's -EIO. */
  readonly noReadWrite: number;
  /** llseek with no handler: default_llseek (true), or -ESPIPE. */
  readonly defaultSeek: boolean;
  /** Before each call: 0 to go on, or an errno (procfs: the entry was removed, -EIO). */
  gone?(): number;
  /** After the release handler, in the closing system call (module_put of the owner, the entry's open count). */
  released?(site: CallSite): void;
}

/**
 * The OpenFile of a module-backed file: each operation is a system call of the opener that calls
 * the handler with the struct file, a buffer in the opener's user space and &file->f_pos.
 */
export class ModuleFile implements OpenFile {
  private closed = false;
  /** The reader's buffer, kept across reads as cat keeps its mmap()ed one: [address, size]. */
  private readBuf: [number, number] | undefined;

  constructor(
    private readonly k: Kernel,
    private readonly task: Opener,
    /** The struct file in kernel memory. */
    readonly file: I64,
    private readonly kind: FileKind,
  ) {}

  /**
   * Call handler `op` with `args`, inside the system call `user` made with registers (fd, buffer,
   * count), or answer `missing` when there is none.
   */
  private call(op: FileOp, args: I64[], missing: () => I64, user: [SyscallName, number, number, number]): number {
    return num(syscall(this.k, this.task, PATHS[op], (site) => within(this.k, this.kind.via[op], () => {
      const gone = op === 'release' ? 0 : (this.kind.gone?.() ?? 0);
      if (gone) return gone;
      const fn = this.k.mem.ld64(add(this.kind.table(this.file), this.kind.offsets[op]));
      return fn === 0 ? missing() : (this.k.machine.callAddr(fn, args, site) ?? 0);
    }), syscallRegs(...user)));
  }

  private can(mode: number): boolean {
    return !this.closed && (this.k.mem.ld32(add(this.file, FILE.mode)) & mode) !== 0;
  }

  read(count: number): Uint8Array | number {
    if (!this.can(FMODE_READ)) return ERR.EBADF;
    if (count <= 0) return new Uint8Array(0);
    const space = userSpaceOf(this.k, this.task.pid);
    if (!this.readBuf || this.readBuf[1] < count) {
      if (this.readBuf) space.free(this.readBuf[0]);
      this.readBuf = [space.alloc(count, true), count];
    }
    const buf = this.readBuf[0];
    const ret = this.call('read', [this.file, buf, count, add(this.file, FILE.pos)], () => this.kind.noReadWrite, ['read', FD_READ, buf, count]);
    return ret >= 0 ? space.read(buf, Math.min(ret, count)).slice() : ret;
  }

  write(data: Uint8Array): number {
    if (!this.can(FMODE_WRITE)) return ERR.EBADF;
    if (data.length === 0) return 0;
    const space = userSpaceOf(this.k, this.task.pid);
    const buf = space.alloc(data.length);
    space.write(buf, data);
    const ret = this.call('write', [this.file, buf, data.length, add(this.file, FILE.pos)], () => this.kind.noReadWrite, ['write', FD_WRITE, buf, data.length]);
    space.free(buf);
    return ret;
  }

  llseek(offset: number, whence: Whence): number {
    if (this.closed) return ERR.EBADF;
    return this.call('llseek', [this.file, offset, whence], () => {
      if (!this.kind.defaultSeek) return ERR.ESPIPE;
      // default_llseek(): SEEK_END counts from i_size, which these files leave at 0.
      const pos = add(this.file, FILE.pos);
      const inode = this.k.mem.ld64(add(this.file, FILE.inode));
      const base = whence === 0 ? 0 : whence === 1 ? num(this.k.mem.ld64(pos)) : num(this.k.mem.ld64(add(inode, INODE.size)));
      const next = base + offset;
      if (next < 0) return ERR.EINVAL;
      this.k.mem.st64(pos, next);
      return next;
    }, ['lseek', FD_READ, offset, whence]);
  }

  ioctl(cmd: number, arg: bigint): number {
    if (this.closed) return ERR.EBADF;
    const a = BigInt.asIntN(64, arg);
    const v = Number.isSafeInteger(Number(a)) ? Number(a) : a;
    return this.call('ioctl', [this.file, cmd >>> 0, v], () => ERR.ENOTTY, ['ioctl', FD_READ, cmd >>> 0, typeof v === 'number' ? v : 0]);
  }

  release(): number {
    if (this.closed) return ERR.EBADF;
    this.closed = true;
    if (this.readBuf) userSpaceOf(this.k, this.task.pid).free(this.readBuf[0]);
    const inode = this.k.mem.ld64(add(this.file, FILE.inode));
    const ret = this.call('release', [inode, this.file], () => 0, ['close', FD_READ, 0, 0]);
    // fput(): after the handler, the references go and the struct file returns to the kernel.
    syscall(this.k, this.task, PATHS.release, (site) => {
      this.kind.released?.(site);
      this.k.k.mm.kfree(this.file, site);
      return 0;
    });
    return ret;
  }
}
