// User address spaces and the kernel's user-copy primitives (copy_to_user, copy_from_user,
// get_user, put_user, strncpy_from_user, clear_user), with the checks Linux 6.1 makes on x86_64.
//
// Each user task (the shell's `cat`, `echo`, insmod itself) has a `UserSpace`: pages at user
// addresses (below 0x0000800000000000), kept apart from kernel memory. Kernel code reaches them only
// through the primitives here, as with SMAP the CPU refuses any other kernel access to user pages:
// a module that dereferences a `__user` pointer itself faults in the kernel's Memory (user addresses
// are never mapped there) and gets the page-fault Oops; `userFaultDetails` tells the report whether
// the page was present (a protection fault) and what the page-table walk shows.
//
// API for the shell side (a task's buffers):
//   userSpaceOf(k, pid)             the task's address space, made on first use
//   space.alloc(n) / space.free(a)  a zeroed user buffer of n bytes (address) / unmap it
//   space.read(a, n) / space.write(a, bytes)   its bytes (stop at the first unmapped page)
//
// Invariants: a primitive never throws for a bad user pointer; it returns what the kernel returns
// (bytes not copied, -EFAULT). Only the kernel side of a copy may fault (a bad kernel pointer), as
// on Linux. access_ok() is the 6.1 check: `size <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - size`.

import type { I64 } from '../../vm/value';
import type { Kernel } from '../kernel';
import { PAGE_SIZE } from '../mm/layout';

/** TASK_SIZE_MAX on x86_64 with 4-level paging: the last user page is never mapped (guard). */
export const TASK_SIZE_MAX = 2 ** 47 - PAGE_SIZE;

/** Where a task's user buffers start: a heap address of a static busybox (brk area), page aligned. */
export const USER_HEAP_BASE = 0x4c8000;

const EFAULT = 14;

/** access_ok(): the range lies in user space (no wrap-around). */
export function accessOk(addr: I64, size: number): boolean {
  if (typeof addr !== 'number' || addr < 0) return false;
  return size <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - size;
}

/** Where mmap() places a command's large buffers (cat's 64 KiB read buffer in the oracle's run). */
export const USER_MMAP_BASE = 0x7fd95fc10000;

/**
 * One task's user address space: pages by page number, and bump allocators for buffers. A page of
 * a fresh mapping is reserved but not present until something touches it (a user copy faults it in,
 * as the kernel's fault handler does), which is what a direct kernel access then reports.
 */
export class UserSpace {
  /** Page number → bytes, or null while the page is mapped but not yet present. */
  private readonly pages = new Map<number, Uint8Array | null>();
  private readonly sizes = new Map<number, number>();
  private next = USER_HEAP_BASE;
  private nextMmap = USER_MMAP_BASE;

  constructor(readonly pid: number) {}

  /**
   * A zeroed buffer of `n` bytes (whole pages of its own); its address. `fresh` buffers come from
   * mmap() and are not present until touched; others are heap memory the program has written.
   */
  alloc(n: number, fresh = false): number {
    const bytes = Math.max(1, Math.ceil(n / PAGE_SIZE)) * PAGE_SIZE;
    const addr = fresh ? this.nextMmap : this.next;
    for (let p = addr; p < addr + bytes; p += PAGE_SIZE) this.pages.set(p / PAGE_SIZE, fresh ? null : new Uint8Array(PAGE_SIZE));
    this.sizes.set(addr, bytes);
    if (fresh) this.nextMmap = addr + bytes;
    else this.next = addr + bytes;
    return addr;
  }

  /** Unmap a buffer from `alloc`. Its addresses are not reused, so a stale pointer faults. */
  free(addr: number): void {
    const bytes = this.sizes.get(addr) ?? 0;
    for (let p = addr; p < addr + bytes; p += PAGE_SIZE) this.pages.delete(p / PAGE_SIZE);
    this.sizes.delete(addr);
  }

  /** Is the page holding `addr` mapped (present or not)? */
  mapped(addr: number): boolean {
    return this.pages.has(Math.floor(addr / PAGE_SIZE));
  }

  /** Is the page holding `addr` present (touched since it was mapped)? */
  present(addr: number): boolean {
    return !!this.pages.get(Math.floor(addr / PAGE_SIZE));
  }

  /** The bytes of a mapped page, faulting it in; undefined when unmapped. */
  private page(addr: number): Uint8Array | undefined {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const p = this.pages.get(vpn);
    if (p === undefined) return undefined;
    if (p) return p;
    const fresh = new Uint8Array(PAGE_SIZE);
    this.pages.set(vpn, fresh);
    return fresh;
  }

  /** Up to `n` bytes from `addr`, stopping at the first unmapped page. */
  read(addr: number, n: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, n));
    let done = 0;
    while (done < n) {
      const a = addr + done;
      const page = this.page(a);
      if (!page) break;
      const off = a % PAGE_SIZE;
      const take = Math.min(n - done, PAGE_SIZE - off);
      out.set(page.subarray(off, off + take), done);
      done += take;
    }
    return out.subarray(0, done);
  }

  /** Write `data` at `addr`, stopping at the first unmapped page; the number of bytes written. */
  write(addr: number, data: Uint8Array): number {
    let done = 0;
    while (done < data.length) {
      const a = addr + done;
      const page = this.page(a);
      if (!page) break;
      const off = a % PAGE_SIZE;
      const take = Math.min(data.length - done, PAGE_SIZE - off);
      page.set(data.subarray(done, done + take), off);
      done += take;
    }
    return done;
  }
}

const SPACES = new WeakMap<Kernel, Map<number, UserSpace>>();

/** The user address space of task `pid` on `k`'s machine (made empty on first use). */
export function userSpaceOf(k: Kernel, pid: number = k.task.pid): UserSpace {
  let all = SPACES.get(k);
  if (!all) SPACES.set(k, (all = new Map()));
  let space = all.get(pid);
  if (!space) all.set(pid, (space = new UserSpace(pid)));
  return space;
}

// ---- the primitives (current task) ---------------------------------------------------------------

/** copy_to_user(): the number of bytes that could NOT be copied (0 on success). */
export function copyToUser(k: Kernel, to: I64, from: I64, n: number): number {
  if (n <= 0) return 0;
  if (!accessOk(to, n)) return n;
  const bytes = k.mem.readBytes(from, n);
  return n - userSpaceOf(k).write(to as number, bytes);
}

/**
 * copy_from_user(): the number of bytes that could NOT be copied. As _copy_from_user() does, the
 * part of the kernel buffer that was not copied is zeroed.
 */
export function copyFromUser(k: Kernel, to: I64, from: I64, n: number): number {
  if (n <= 0) return 0;
  const got = accessOk(from, n) ? userSpaceOf(k).read(from as number, n) : new Uint8Array(0);
  const out = new Uint8Array(n);
  out.set(got);
  k.mem.writeBytes(to, out);
  return n - got.length;
}

/** get_user() of `size` bytes: the value, or -EFAULT (the destination then gets 0). */
export function getUser(k: Kernel, from: I64, size: number): { err: number; value: bigint } {
  if (!accessOk(from, size)) return { err: -EFAULT, value: 0n };
  const got = userSpaceOf(k).read(from as number, size);
  if (got.length < size) return { err: -EFAULT, value: 0n };
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(got[i]);
  return { err: 0, value: v };
}

/** put_user() of the `size` bytes at kernel address `from`: 0 or -EFAULT. */
export function putUser(k: Kernel, to: I64, from: I64, size: number): number {
  return copyToUser(k, to, from, size) === 0 ? 0 : -EFAULT;
}

/**
 * strncpy_from_user(): copy a NUL-terminated string of at most `count` bytes. The length without
 * the NUL; `count` when no NUL came within it (then `dst` is not terminated); -EFAULT on a fault.
 */
export function strncpyFromUser(k: Kernel, dst: I64, src: I64, count: number): number {
  if (count <= 0) return 0;
  if (typeof src !== 'number' || src < 0 || src >= TASK_SIZE_MAX) return -EFAULT;
  // The kernel copies up to the end of user space at most (do_strncpy_from_user's max).
  const max = Math.min(count, TASK_SIZE_MAX - src);
  const got = userSpaceOf(k).read(src, max);
  const nul = got.indexOf(0);
  if (nul >= 0) {
    k.mem.writeBytes(dst, got.subarray(0, nul + 1));
    return nul;
  }
  k.mem.writeBytes(dst, got);
  return got.length === count ? count : -EFAULT;
}

/** clear_user(): zero `n` user bytes; the number that could NOT be cleared. */
export function clearUser(k: Kernel, to: I64, n: number): number {
  if (n <= 0) return 0;
  if (!accessOk(to, n)) return n;
  return n - userSpaceOf(k).write(to as number, new Uint8Array(n));
}

// ---- faults --------------------------------------------------------------------------------------

/**
 * dump_pagetable()'s walks to the shell's user pages, as the oracle printed them (user_deref: a
 * present heap page; user_deref_read: cat's fresh mmap buffer, whose upper tables are not there
 * yet). The values are physical addresses of one boot: a model.
 */
const PRESENT_USER_PAGE_WALK = 'PGD 27cd067 P4D 1f6dd067 PUD 1f6de067 PMD 1f6e0067 PTE 800000000a7a2867 ';
const FRESH_MMAP_WALK = 'PGD 1f669067 P4D 1057067 PUD 0 ';

/**
 * What the page-fault report says about a kernel access to user address `addr` by the current
 * task: with SMAP every such access faults; a present page makes it a protection fault (error code
 * bit 0). Undefined for kernel addresses and unmapped user addresses.
 */
export function userFaultDetails(k: Kernel, addr: I64): { protection: boolean; pageTable: string } | undefined {
  if (typeof addr !== 'number' || addr < PAGE_SIZE || addr >= 2 ** 47) return undefined;
  const space = userSpaceOf(k);
  if (!space.mapped(addr)) return undefined;
  return space.present(addr) ? { protection: true, pageTable: PRESENT_USER_PAGE_WALK } : { protection: false, pageTable: FRESH_MMAP_WALK };
}
