// The emulated machine's file tree: what the kernel shell's `ls`, `cat`, `echo … >`, `head` and
// `mknod` see. It is the VFS as far as user space reaches it, not a file-system implementation:
//
//   dir      children by name; `/`, `/proc`, `/dev`, `/sys`, `/tmp`, … exist from boot
//   file     a regular file whose bytes come from its `FileOps`: the kernel's own /proc files
//            (generated when opened, like single_open), module-backed files (a proc entry's
//            proc_ops, a sysfs attribute's show/store), or plain bytes the shell wrote (/tmp)
//   chr      a character device node (major, minor); opening it asks `vfs.chrdevs`, the registry
//            that register_chrdev()/cdev_add()/misc_register() fill, as chrdev_open() does on Linux
//   symlink  a target path, followed by lookups (at most 40 links deep, then ELOOP)
//
// Opening a node gives an `OpenFile`, the kernel's struct file as the shell uses it: read, write,
// llseek, ioctl and release. Whoever makes a node decides what opening it does, so a proc entry
// made by proc_create() captures the module's proc_ops and the kernel that runs them.
//
// Invariants: the core never throws on user input, so every operation returns a negative errno
// (-ENOENT, -ENOTDIR, -EEXIST, …) instead of throwing. Names are non-empty and contain no `/`.
// Every node but the root has exactly one parent (no hard links). The shell runs as root, so the
// tree does no permission checks; a node's `open` refuses what the kernel would refuse (sysfs
// -EACCES on a write to a read-only attribute, procfs -EIO on a write with no handler).
// One tree per Kernel (`vfsOf`), built on first use, so each booted machine has its own.

import type { Kernel } from './kernel';

// ---- modes and errnos ------------------------------------------------------------------------------

/** File type bits of st_mode (include/uapi/linux/stat.h). */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFCHR = 0o020000;
export const S_IFLNK = 0o120000;

/** The errnos the tree returns (negated), by name, so call sites read as the kernel's do. */
export const E = {
  EINTR: 4, ENOENT: 2, EIO: 5, ENXIO: 6, EBADF: 9, EACCES: 13, EEXIST: 17, ENODEV: 19, ENOTDIR: 20, EISDIR: 21,
  EINVAL: 22, ENOSPC: 28, ESPIPE: 29, ENOTTY: 25, ELOOP: 40, ENOTEMPTY: 39, EPERM: 1,
} as const;

/** open(2) flags the tree and OpenFile implementations look at (x86_64 values). */
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;

/** llseek's whence: SEEK_SET, SEEK_CUR, SEEK_END. */
export type Whence = 0 | 1 | 2;

/** `ls -l`'s mode column: `drwxr-xr-x`, `crw-------`, `lrwxrwxrwx`, `-r--r--r--`. */
export function modeString(mode: number): string {
  const type = mode & S_IFMT;
  const t = type === S_IFDIR ? 'd' : type === S_IFCHR ? 'c' : type === S_IFLNK ? 'l' : '-';
  let s = t;
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (mode >> shift) & 7;
    s += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return s;
}

// ---- open files --------------------------------------------------------------------------------------

/** The task that opens a file: module callbacks run as it (`cat` with its pid in reports). */
export interface Opener {
  readonly pid: number;
  readonly comm: string;
}

export interface OpenRequest {
  /** open(2) flags (O_RDONLY, O_WRONLY | O_TRUNC, …). */
  readonly flags: number;
  readonly task: Opener;
}

/**
 * An open file: the kernel's struct file with its f_pos. Each method returns a negative errno on
 * failure, as the syscall would, and never throws.
 */
export interface OpenFile {
  /** read(2): up to `count` bytes from the file position, which advances; empty at end of file. */
  read(count: number): Uint8Array | number;
  /** write(2): the number of bytes accepted (the position advances by it). */
  write(data: Uint8Array): number;
  /** llseek(2): the new position. */
  llseek(offset: number, whence: Whence): number;
  /** ioctl(2): the handler's return value (`-ENOTTY` when the file has none). */
  ioctl(cmd: number, arg: bigint): number;
  /** close(2) of the last reference: the file's release handler. */
  release(): number;
}

/** What a file node does when opened, and what `ls -l` shows for its size. */
export interface FileOps {
  open(req: OpenRequest): OpenFile | number;
  /** st_size: 0 for procfs, 4096 for sysfs attributes, the byte count for plain files. */
  size(): number;
  /** st_blocks in KiB, for `ls -l`'s total (0 when absent: procfs and sysfs use no disk blocks). */
  blocks?(): number;
}

/** The chrdev registry as the tree sees it: what opening (major, minor) gives, or -ENXIO. */
export interface CharDevices {
  open(major: number, minor: number, req: OpenRequest): OpenFile | number;
}

/**
 * A read-only snapshot file, as procfs files made with single_open() behave: the text is
 * generated once at open, reads walk it, and writes fail with `writeErrno` (procfs's -EIO).
 */
export class SnapshotFile implements OpenFile {
  private pos = 0;
  private readonly bytes: Uint8Array;

  constructor(text: string, private readonly writeErrno = -E.EIO) {
    this.bytes = encodeLatin1(text);
  }

  read(count: number): Uint8Array | number {
    const out = this.bytes.subarray(this.pos, this.pos + Math.max(0, count));
    this.pos += out.length;
    return out;
  }

  write(_data: Uint8Array): number {
    return this.writeErrno;
  }

  llseek(offset: number, whence: Whence): number {
    const base = whence === 0 ? 0 : whence === 1 ? this.pos : this.bytes.length;
    const next = base + offset;
    if (next < 0) return -E.EINVAL;
    this.pos = next;
    return next;
  }

  ioctl(_cmd: number, _arg: bigint): number {
    return -E.ENOTTY;
  }

  release(): number {
    return 0;
  }
}

/** A generated file (the kernel's own /proc files): `generate` runs at each open. */
export function generatedFile(generate: () => string): FileOps {
  return { open: () => new SnapshotFile(generate()), size: () => 0 };
}

/** A plain file of bytes in memory (what `echo hi > /tmp/x` creates): readable and writable. */
export class RamFile implements FileOps {
  data = new Uint8Array(0);

  open(req: OpenRequest): OpenFile {
    if (req.flags & O_TRUNC) this.data = new Uint8Array(0);
    let pos = req.flags & O_APPEND ? this.data.length : 0;
    return {
      read: (count) => {
        const out = this.data.slice(pos, pos + Math.max(0, count));
        pos += out.length;
        return out;
      },
      write: (bytes) => {
        const end = pos + bytes.length;
        if (end > this.data.length) {
          const grown = new Uint8Array(end);
          grown.set(this.data);
          this.data = grown;
        }
        this.data.set(bytes, pos);
        pos = end;
        return bytes.length;
      },
      llseek: (offset, whence) => {
        const next = (whence === 0 ? 0 : whence === 1 ? pos : this.data.length) + offset;
        if (next < 0) return -E.EINVAL;
        return (pos = next);
      },
      ioctl: () => -E.ENOTTY,
      release: () => 0,
    };
  }

  size(): number {
    return this.data.length;
  }

  /** Whole 4 KiB pages of tmpfs. */
  blocks(): number {
    return Math.ceil(this.data.length / 4096) * 4;
  }
}

// ---- nodes -------------------------------------------------------------------------------------------

interface NodeBase {
  readonly name: string;
  /** st_mode: type and permission bits. */
  mode: number;
  parent: DirNode | undefined;
  /** Virtual nanoseconds since boot when the node was made (ls -l's time column). */
  readonly createdNs: number;
}

export interface DirNode extends NodeBase {
  readonly kind: 'dir';
  readonly children: Map<string, VNode>;
}

export interface FileNode extends NodeBase {
  readonly kind: 'file';
  readonly ops: FileOps;
}

export interface ChrNode extends NodeBase {
  readonly kind: 'chr';
  readonly major: number;
  readonly minor: number;
}

export interface SymlinkNode extends NodeBase {
  readonly kind: 'symlink';
  readonly target: string;
}

export type VNode = DirNode | FileNode | ChrNode | SymlinkNode;

/** Nothing is registered: opening any device node fails as chrdev_open() does with no driver. */
const NO_CHRDEVS: CharDevices = { open: () => -E.ENXIO };

const MAX_SYMLINKS = 40;

// ---- the tree ----------------------------------------------------------------------------------------

export class Vfs {
  readonly root: DirNode;
  /** The character-device registry that modules fill (register_chrdev, cdev_add, misc_register). */
  chrdevs: CharDevices = NO_CHRDEVS;
  /** The kernel's own character devices (major 1: /dev/null, /dev/zero, ...), by `major:minor`. */
  readonly builtinDevices = new Map<string, (req: OpenRequest) => OpenFile>();

  /** `now` gives virtual nanoseconds since boot, stamped on new nodes. */
  constructor(private readonly now: () => number = () => 0) {
    this.root = { kind: 'dir', name: '', mode: S_IFDIR | 0o755, parent: undefined, createdNs: 0, children: new Map() };
    this.root.parent = this.root;
  }

  /**
   * The node at `path` (absolute, or relative to `cwd`), following symlinks, including a final
   * one unless `noFollow`. -ENOENT, -ENOTDIR or -ELOOP when it does not resolve.
   */
  lookup(path: string, opts: { cwd?: string; noFollow?: boolean } = {}): VNode | number {
    return this.walk(path, opts.cwd ?? '/', opts.noFollow ?? false, 0);
  }

  /** The directory that would hold `path` and the last name in it (for creating and removing). */
  parentOf(path: string, cwd = '/'): { dir: DirNode; name: string } | number {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined || name === '.' || name === '..') return -E.EEXIST;
    const prefix = (path.startsWith('/') ? '/' : '') + parts.join('/');
    const dir = prefix === '' ? this.walk(cwd, '/', false, 0) : this.walk(prefix, cwd, false, 0);
    if (typeof dir === 'number') return dir;
    if (dir.kind !== 'dir') return -E.ENOTDIR;
    return { dir, name };
  }

  /** Directory entries sorted by name (byte order, as `ls` in the C locale sorts them). */
  list(dir: DirNode): VNode[] {
    return [...dir.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The absolute path of a node. */
  pathOf(node: VNode): string {
    const names: string[] = [];
    for (let n: VNode = node; n !== this.root; n = n.parent ?? this.root) names.push(n.name);
    return '/' + names.reverse().join('/');
  }

  // ---- making and removing nodes (each returns the node or a negative errno) ----

  mkdir(parent: DirNode, name: string, perm = 0o755): DirNode | number {
    return this.attach(parent, { kind: 'dir', name, mode: S_IFDIR | perm, parent, createdNs: this.now(), children: new Map() });
  }

  /** mkdir -p: every missing directory of an absolute path, or the one that is there. */
  mkdirs(path: string, perm = 0o755): DirNode | number {
    let dir = this.root;
    for (const name of splitPath(path)) {
      const next = dir.children.get(name) ?? this.mkdir(dir, name, perm);
      if (typeof next === 'number') return next;
      if (next.kind !== 'dir') return -E.ENOTDIR;
      dir = next;
    }
    return dir;
  }

  createFile(parent: DirNode, name: string, perm: number, ops: FileOps): FileNode | number {
    return this.attach(parent, { kind: 'file', name, mode: S_IFREG | perm, parent, createdNs: this.now(), ops });
  }

  mknod(parent: DirNode, name: string, perm: number, major: number, minor: number): ChrNode | number {
    return this.attach(parent, { kind: 'chr', name, mode: S_IFCHR | perm, parent, createdNs: this.now(), major, minor });
  }

  symlink(parent: DirNode, name: string, target: string): SymlinkNode | number {
    return this.attach(parent, { kind: 'symlink', name, mode: S_IFLNK | 0o777, parent, createdNs: this.now(), target });
  }

  /** Unlink a node; a directory must be empty unless `recursive` (remove_proc_subtree()). */
  remove(node: VNode, recursive = false): number {
    const parent = node.parent;
    if (node === this.root || !parent || parent.children.get(node.name) !== node) return -E.ENOENT;
    if (node.kind === 'dir' && node.children.size > 0 && !recursive) return -E.ENOTEMPTY;
    parent.children.delete(node.name);
    node.parent = undefined;
    return 0;
  }

  // ---- opening ----

  /**
   * open(2) on a path: regular files through their FileOps, device nodes through the chrdev
   * registry. With O_CREAT a missing file in an existing directory becomes a RamFile (a shell
   * redirection into /tmp); procfs and sysfs refuse new files as the kernel does (-ENOENT here,
   * which busybox reports as "nonexistent directory" for `>`).
   */
  open(path: string, req: OpenRequest, cwd = '/'): OpenFile | number {
    let node = this.lookup(path, { cwd });
    if (node === -E.ENOENT && req.flags & O_CREAT) {
      const where = this.parentOf(path, cwd);
      if (typeof where === 'number') return where;
      if (!isWritableTree(this.pathOf(where.dir))) return -E.ENOENT;
      node = this.createFile(where.dir, where.name, 0o644, new RamFile());
    }
    if (typeof node === 'number') return node;
    switch (node.kind) {
      case 'dir':
        // Reading a directory with read(2) fails the same way (`cat: read error: Is a directory`).
        return -E.EISDIR;
      case 'file':
        return node.ops.open(req);
      case 'chr': {
        const builtin = this.builtinDevices.get(`${node.major}:${node.minor}`);
        return builtin ? builtin(req) : this.chrdevs.open(node.major, node.minor, req);
      }
      case 'symlink':
        return -E.ELOOP;
    }
  }

  // ---- internals ----

  private attach<N extends VNode>(parent: DirNode, node: N): N | number {
    if (!node.name || node.name.includes('/')) return -E.EINVAL;
    if (parent.children.has(node.name)) return -E.EEXIST;
    parent.children.set(node.name, node);
    return node;
  }

  private walk(path: string, cwd: string, noFollow: boolean, depth: number): VNode | number {
    let node: VNode = this.root;
    if (!path.startsWith('/')) {
      const base = cwd === '/' ? this.root : this.walk(cwd, '/', false, depth);
      if (typeof base === 'number') return base;
      node = base;
    }
    const parts = splitPath(path);
    for (let i = 0; i < parts.length; i++) {
      if (node.kind !== 'dir') return -E.ENOTDIR;
      const name = parts[i];
      if (name === '.') continue;
      if (name === '..') {
        node = node.parent ?? this.root;
        continue;
      }
      const child = node.children.get(name);
      if (!child) return -E.ENOENT;
      const last = i === parts.length - 1;
      if (child.kind === 'symlink' && !(last && noFollow)) {
        if (depth >= MAX_SYMLINKS) return -E.ELOOP;
        const target = this.walk(child.target, this.pathOf(node), false, depth + 1);
        if (typeof target === 'number') return target;
        node = target;
        continue;
      }
      node = child;
    }
    // A trailing slash names a directory (`ls /proc/meminfo/` is ENOTDIR).
    if (path.endsWith('/') && parts.length > 0 && node.kind !== 'dir') return -E.ENOTDIR;
    return node;
  }
}

/** Where a shell redirection may create a plain file (not procfs, sysfs or devtmpfs). */
function isWritableTree(dir: string): boolean {
  return !/^\/(proc|sys|dev)(\/|$)/.test(dir);
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

/** Bytes of a string whose characters are all below 256 (kernel text is bytes). */
export function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** The string of bytes, one character per byte. */
export function decodeLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

// ---- one tree per kernel -----------------------------------------------------------------------------

const TREES = new WeakMap<Kernel, Vfs>();

/** The directories a booted Debian guest has at the top (busybox initramfs with proc, sys, devtmpfs). */
const SKELETON = ['bin', 'dev', 'etc', 'lib', 'proc', 'root', 'sbin', 'sys/kernel', 'sys/module', 'sys/class', 'tmp'];

/**
 * The file tree of `k`'s machine, made on first use with the top-level directories. The kernel's
 * own /proc files are added by whoever boots the machine (procfiles.ts), module-backed files by
 * proc_create(), device_create() and sysfs.
 */
export function vfsOf(k: Kernel): Vfs {
  let vfs = TREES.get(k);
  if (!vfs) {
    vfs = new Vfs(() => k.k.clock.nanos());
    for (const dir of SKELETON) vfs.mkdirs('/' + dir);
    const proc = vfs.lookup('/proc');
    if (typeof proc !== 'number' && proc.kind === 'dir') proc.mode = S_IFDIR | 0o555;
    TREES.set(k, vfs);
  }
  return vfs;
}
