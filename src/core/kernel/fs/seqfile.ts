// seq_file (fs/seq_file.c of Linux 6.1): the iterator interface behind most /proc files. The
// struct seq_file lives in kernel memory with the layout of the virtual <linux/seq_file.h>, so a
// module's start/next/stop/show callbacks see the real fields (m->index through `pos`, m->private).
//
// seq_read() is seq_read_iter() step for step: each read(2) restarts the iterator at m->index,
// fills the page-sized buffer record by record (doubling it when one record does not fit), stops
// when the reader's count is reached or the next record would overflow, and keeps what the reader
// did not take for the next call; a read at a position other than the last one replays the records
// from the start (traverse()). So the start/stop calls a module logs, and where a reader's chunks
// end, are those of Linux.
//
// Invariants: 0 <= from, count <= size while a read is not running; buf is NULL until the first read.

import type { I64 } from '../../vm/value';
import type { CallSite } from '../../vm/machine';
import type { Kernel } from '../kernel';
import type { Frame } from '../trace';
import { ERR, FILE, GFP_KERNEL_ZERO, add, internalNative, kernelAlloc, num, within } from './files';
import { copyToUser } from './uaccess';

/** struct seq_file and struct seq_operations offsets. */
export const SEQ = { buf: 0, size: 8, from: 16, count: 24, padUntil: 32, index: 40, readPos: 48, lock: 56, op: 88, pollEvent: 96, file: 104, private: 112, bytes: 120 } as const;
export const SEQ_OPS = { start: 0, stop: 8, next: 16, show: 24, bytes: 32 } as const;

const PAGE_SIZE = 4096;
const f = (fn: string, offset: number, size: number): Frame => ({ fn, offset, size });
const SEQ_READ = [f('seq_read_iter', 0x11f, 0x4b0), f('seq_read', 0xb5, 0xf0)];

const isErr = (p: I64): boolean => {
  const v = num(p);
  return v < 0 && v >= -4095;
};

/** The fields of one seq_file, read and written in kernel memory. */
class Seq {
  constructor(readonly k: Kernel, readonly m: I64, readonly site: CallSite) {}

  get(field: keyof typeof SEQ): number {
    return num(this.k.mem.ld64(add(this.m, SEQ[field])));
  }

  set(field: keyof typeof SEQ, v: I64): void {
    this.k.mem.st64(add(this.m, SEQ[field]), v);
  }

  private op(which: keyof typeof SEQ_OPS): I64 {
    return this.k.mem.ld64(add(this.k.mem.ld64(add(this.m, SEQ.op)), SEQ_OPS[which]));
  }

  private call(which: 'start' | 'stop' | 'next' | 'show', args: I64[]): I64 {
    return this.k.machine.callAddr(this.op(which), args, this.site) ?? 0;
  }

  start(): I64 {
    return this.call('start', [this.m, add(this.m, SEQ.index)]);
  }

  next(p: I64): I64 {
    return this.call('next', [this.m, p, add(this.m, SEQ.index)]);
  }

  stop(p: I64): void {
    this.call('stop', [this.m, p]);
  }

  show(p: I64): number {
    return num(this.call('show', [this.m, p])) | 0;
  }

  /** seq_has_overflowed(). */
  overflowed(): boolean {
    return this.get('count') === this.get('size');
  }

  /** seq_buf_alloc() of `size` bytes (kvmalloc); false when it fails. */
  alloc(size: number): boolean {
    this.set('size', size);
    const buf = kernelAlloc(this.k, size, 0xcc0 | 0x400000, this.site, true);
    this.set('buf', buf);
    return buf !== 0;
  }

  freeBuf(): void {
    const buf = this.k.mem.ld64(add(this.m, SEQ.buf));
    if (buf !== 0) kvfree(this.k, buf, this.site);
  }

  nextIndexBug(): void {
    const next = this.op('next');
    this.k.log(6, `buggy .next function ${this.k.k.format('%ps', [next])} did not update position index`);
  }
}

function kvfree(k: Kernel, p: I64, site: CallSite): void {
  if (k.k.mm.isVmalloc(p)) k.k.mm.vfree(p, site);
  else k.k.mm.kfree(p, site);
}

/** traverse(): replay records up to `offset`. 0, -EAGAIN (buffer doubled, try again) or an error. */
function traverse(s: Seq, offset: number): number {
  let pos = 0;
  let error = 0;
  s.set('index', 0);
  s.set('count', 0);
  s.set('from', 0);
  if (!offset) return 0;
  if (s.get('buf') === 0 && !s.alloc(PAGE_SIZE)) return ERR.ENOMEM;
  let p = s.start();
  while (p !== 0) {
    error = num(p);
    if (isErr(p)) break;
    error = s.show(p);
    if (error < 0) break;
    if (error) {
      error = 0;
      s.set('count', 0);
    }
    if (s.overflowed()) {
      s.stop(p);
      s.freeBuf();
      s.set('count', 0);
      return s.alloc(s.get('size') * 2) ? -11 : ERR.ENOMEM;
    }
    p = s.next(p);
    const count = s.get('count');
    if (pos + count > offset) {
      s.set('from', offset - pos);
      s.set('count', count - (offset - pos));
      break;
    }
    pos += count;
    s.set('count', 0);
    if (pos === offset) break;
  }
  s.stop(p);
  return error;
}

/** seq_read() → seq_read_iter(): up to `size` bytes to user `ubuf` from *ppos. */
export function seqRead(k: Kernel, file: I64, ubuf: I64, size: number, ppos: I64, site: CallSite): number {
  return within(k, SEQ_READ, () => {
    const s = new Seq(k, k.mem.ld64(add(file, FILE.privateData)), site);
    if (size <= 0) return 0;
    let kpos = num(k.mem.ld64(ppos));
    let copied = 0;
    let err = 0;
    const toUser = (from: number, n: number): number => n - copyToUser(k, add(ubuf, copied), add(s.get('buf'), from), n);
    done: {
      if (kpos === 0) {
        s.set('index', 0);
        s.set('count', 0);
      }
      if (kpos !== s.get('readPos')) {
        let e: number;
        while ((e = traverse(s, kpos)) === -11);
        if (e) {
          s.set('readPos', 0);
          s.set('index', 0);
          s.set('count', 0);
          err = e;
          break done;
        }
        s.set('readPos', kpos);
      }
      if (s.get('buf') === 0 && !s.alloc(PAGE_SIZE)) {
        err = ERR.ENOMEM;
        break done;
      }
      // Something left in the buffer from the last read: copy it out first.
      if (s.get('count')) {
        const n = toUser(s.get('from'), Math.min(s.get('count'), size));
        s.set('count', s.get('count') - n);
        s.set('from', s.get('from') + n);
        copied += n;
        if (s.get('count')) break done;
      }
      // Get a non-empty record or run out of records.
      s.set('from', 0);
      let p = s.start();
      let fill = false;
      for (;;) {
        err = num(p);
        if (p === 0 || isErr(p)) break;
        err = s.show(p);
        if (err < 0) break;
        if (err) s.set('count', 0);
        if (!s.get('count')) {
          p = s.next(p);
          continue;
        }
        if (!s.overflowed()) {
          fill = true;
          break;
        }
        // Need a bigger buffer.
        s.stop(p);
        s.freeBuf();
        s.set('count', 0);
        if (!s.alloc(s.get('size') * 2)) {
          err = ERR.ENOMEM;
          break done;
        }
        p = s.start();
      }
      if (!fill) {
        s.stop(p);
        s.set('count', 0);
        break done;
      }
      // One record is in the buffer; add more while they fit and the reader wants them, advancing
      // the iterator once for every record shown.
      for (;;) {
        const offs = s.get('count');
        const pos = s.get('index');
        p = s.next(p);
        if (pos === s.get('index')) {
          s.nextIndexBug();
          s.set('index', pos + 1);
        }
        if (p === 0 || isErr(p)) break;
        if (s.get('count') >= size - copied) break;
        const e = s.show(p);
        if (e > 0) {
          s.set('count', offs);
        } else if (e || s.overflowed()) {
          s.set('count', offs);
          break;
        }
      }
      s.stop(p);
      const n = toUser(0, Math.min(s.get('count'), size - copied));
      copied += n;
      s.set('count', s.get('count') - n);
      s.set('from', n);
    }
    if (!copied) return s.get('count') ? ERR.EFAULT : err;
    kpos += copied;
    k.mem.st64(ppos, kpos);
    s.set('readPos', s.get('readPos') + copied);
    return copied;
  });
}

/** seq_lseek(): SEEK_SET and SEEK_CUR only, replaying the records to the new position. */
export function seqLseek(k: Kernel, file: I64, offset: number, whence: number, site: CallSite): number {
  const s = new Seq(k, k.mem.ld64(add(file, FILE.privateData)), site);
  const fpos = add(file, FILE.pos);
  if (whence === 1) offset += num(k.mem.ld64(fpos));
  else if (whence !== 0) return ERR.EINVAL;
  if (offset < 0) return ERR.EINVAL;
  if (offset === s.get('readPos')) {
    k.mem.st64(fpos, offset);
    return offset;
  }
  let r: number;
  while ((r = traverse(s, offset)) === -11);
  if (r) {
    k.mem.st64(fpos, 0);
    s.set('readPos', 0);
    s.set('index', 0);
    s.set('count', 0);
    return r;
  }
  s.set('readPos', offset);
  k.mem.st64(fpos, offset);
  return offset;
}

/** seq_open(): a zeroed seq_file for `file` with iterator `op`; 0 or -ENOMEM. */
export function seqOpen(k: Kernel, file: I64, op: I64, site: CallSite): number {
  const m = kernelAlloc(k, SEQ.bytes, GFP_KERNEL_ZERO, site);
  if (m === 0) return ERR.ENOMEM;
  k.mem.st64(add(m, SEQ.op), op);
  k.mem.st64(add(m, SEQ.file), file);
  k.mem.st64(add(file, FILE.privateData), m);
  return 0;
}

/** seq_release(): free the buffer and the seq_file. */
export function seqRelease(k: Kernel, file: I64, site: CallSite): number {
  const m = k.mem.ld64(add(file, FILE.privateData));
  if (m === 0) return 0;
  new Seq(k, m, site).freeBuf();
  k.k.mm.kfree(m, site);
  return 0;
}

/** __seq_open_private(): seq_open() with a zeroed private state of `size` bytes as m->private; the state, or 0. */
export function seqOpenPrivate(k: Kernel, file: I64, op: I64, size: number, site: CallSite): I64 {
  const state = kernelAlloc(k, Math.max(1, size), GFP_KERNEL_ZERO, site);
  if (state === 0) return 0;
  if (seqOpen(k, file, op, site) !== 0) {
    k.k.mm.kfree(state, site);
    return 0;
  }
  k.mem.st64(add(k.mem.ld64(add(file, FILE.privateData)), SEQ.private), state);
  return state;
}

/** seq_release_private(): free m->private, then seq_release(). */
export function seqReleasePrivate(k: Kernel, file: I64, site: CallSite): number {
  const m = k.mem.ld64(add(file, FILE.privateData));
  if (m !== 0) k.k.mm.kfree(k.mem.ld64(add(m, SEQ.private)), site);
  return seqRelease(k, file, site);
}

/** single_open(): a seq_file of one record made by `show`, with `data` as m->private. */
export function singleOpen(k: Kernel, file: I64, show: I64, data: I64, site: CallSite): number {
  const op = kernelAlloc(k, SEQ_OPS.bytes, 0xcc0 | 0x400000, site);
  if (op === 0) return ERR.ENOMEM;
  // single_start/next/stop are static in fs/seq_file.c: the kernel's own functions behind the pointers.
  k.mem.st64(add(op, SEQ_OPS.start), internalNative(k, 'single_start', (_m, a) => (num(k.mem.ld64(a[1])) ? 0 : 1)));
  k.mem.st64(add(op, SEQ_OPS.next), internalNative(k, 'single_next', (_m, a) => {
    k.mem.st64(a[2], num(k.mem.ld64(a[2])) + 1);
    return 0;
  }));
  k.mem.st64(add(op, SEQ_OPS.stop), internalNative(k, 'single_stop', () => undefined));
  k.mem.st64(add(op, SEQ_OPS.show), show);
  const res = seqOpen(k, file, op, site);
  if (res === 0) k.mem.st64(add(k.mem.ld64(add(file, FILE.privateData)), SEQ.private), data);
  else k.k.mm.kfree(op, site);
  return res;
}

/** single_release(): seq_release() and the operations single_open() allocated. */
export function singleRelease(k: Kernel, file: I64, site: CallSite): number {
  const m = k.mem.ld64(add(file, FILE.privateData));
  const op = m === 0 ? 0 : k.mem.ld64(add(m, SEQ.op));
  seqRelease(k, file, site);
  if (op !== 0) k.k.mm.kfree(op, site);
  return 0;
}

/**
 * Append bytes as seq_printf(), seq_puts() and seq_write() do: all of them if they fit with room to
 * spare, else mark the buffer overflowed (count = size) so seq_read retries with a bigger one.
 */
export function seqAppend(k: Kernel, m: I64, bytes: Uint8Array, site: CallSite): number {
  const s = new Seq(k, m, site);
  const count = s.get('count');
  const size = s.get('size');
  if (count + bytes.length < size) {
    k.mem.writeBytes(add(s.get('buf'), count), bytes);
    s.set('count', count + bytes.length);
    return 0;
  }
  s.set('count', size);
  return -1;
}

/** seq_putc(): one byte if there is room. */
export function seqPutc(k: Kernel, m: I64, c: number, site: CallSite): void {
  const s = new Seq(k, m, site);
  const count = s.get('count');
  if (count >= s.get('size')) return;
  k.mem.st8(add(s.get('buf'), count), c & 0xff);
  s.set('count', count + 1);
}
