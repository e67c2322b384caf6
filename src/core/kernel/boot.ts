// Boot: assemble a Kernel from its subsystems (mm, printk, clock, reports) for one run, and wire
// the memory manager's hooks (call traces, time, report sink) to it. Each run boots afresh.

import { HeaderTree } from './include/index';
import { KERNEL_EXPORTS } from './exports/index';
import { Kernel, KERNEL_CONFIGS } from './kernel';
import type { KernelOptions, KernelParts, LeakInfo } from './kernel';
import { Clock } from './clock';
import { Printk } from './printk';
import { format, formatHashedPointer, pointerHashKey } from './vsprintf';
import type { FormatEnv } from './vsprintf';
import { createKernelReports, printTainted, reportText, dumpStack as dumpStackLines } from './report';
import { MM, asPageFault } from './mm/index';
import type { Site } from './mm/types';
import type { KernelMM } from './exports/mm';
import type { CallSite } from '../vm/machine';
import type { I64 } from '../vm/value';
import type { Frame } from './trace';
import { INSMOD_TAIL, RMMOD_TAIL } from './trace';
import { KERNEL_DATA_BYTES, KERNEL_DATA_IMAGE_OFFSET, KERNEL_DATA_START } from './kdata';
import { PAGE_SIZE, USER_END } from './mm/layout';
import { PageFault } from './mm/memory';

let headerTree: HeaderTree | undefined;

/** The virtual include tree (immutable, so it is built once and shared). */
export function kernelHeaders(): HeaderTree {
  headerTree ??= new HeaderTree(KERNEL_EXPORTS);
  return headerTree;
}

export interface Booted {
  readonly kernel: Kernel;
  readonly mm: MM;
  readonly printk: Printk;
  readonly clock: Clock;
  /** The log as `dmesg` prints it, or in the /var/log/messages style. */
  log(style: 'dmesg' | 'messages'): string[];
  /** Plain-JSON state of memory for the memory map and `--json`. */
  snapshot(): unknown;
}

export function bootKernel(options: KernelOptions = {}): Booted {
  const config = KERNEL_CONFIGS[options.config ?? 'full'];
  const clock = new Clock();
  const printk = new Printk({ clock });
  const mm = new MM({
    ramBytes: options.ramBytes,
    seed: options.seed,
    kasan: config.kasan,
    slubDebug: config.slubDebug,
    initOnAlloc: true,
    failNth: options.failNth,
    failProbability: options.failProbability,
  });
  const hashKey = pointerHashKey(options.seed ?? 0);
  // eslint-disable-next-line prefer-const
  let kernel: Kernel;
  const formatEnv: FormatEnv = {
    memory: {
      // With SMAP, %s of a user pointer faults in string() (only the first page is caught as "(efault)").
      readCString: (addr, max) => {
        if (typeof addr === 'number' && addr >= PAGE_SIZE && addr < USER_END) throw new PageFault(addr, false, 'not-present', { fn: 'string', offset: 0x48, size: 0xe0 });
        return mm.mem.readCString(addr, max);
      },
      readBytes: (addr, n) => mm.mem.peekBytes(addr, n),
    },
    symbolize: (addr) => {
      const fn = kernel.machine.lookup(addr);
      if (!fn) return null;
      return { name: fn.name, offset: 0, size: fn.size, module: fn.kind === 'module' ? fn.module : undefined };
    },
    hashKey,
  };
  /** The Site of a call: the student's span and the call trace to it, innermost first. */
  const siteOf = (s: CallSite): Site => ({ span: s.span, frames: fullTrace() });
  /** The running code's trace with the syscall path below it (what SLUB and KASAN tracks record). */
  // A callback the kernel runs (timer, work item) sits on its own kernel path.
  const fullTrace = (): readonly Frame[] => kernel.trace(kernel.current?.tail ?? (kernel.current?.phase === 'exit' ? RMMOD_TAIL : INSMOD_TAIL));
  const mmApi: KernelMM = {
    kmalloc: (size, gfp, s) => mm.kmalloc(size, gfp, siteOf(s)),
    kfree: (p, s) => void mm.kfree(p, siteOf(s)),
    ksize: (p) => mm.ksize(p),
    krealloc: (p, size, gfp, s) => mm.krealloc(p, size, gfp, siteOf(s)),
    kvmalloc: (size, gfp, s) => mm.kvmalloc(size, gfp, siteOf(s)),
    cacheCreate: (name, size, align, flags, ctor, s) => mm.kmemCacheCreate(name, size, align, flags, ctor === 0 ? undefined : ctor, siteOf(s)),
    cacheAlloc: (c, gfp, s) => mm.kmemCacheAlloc(c, gfp, siteOf(s)),
    cacheFree: (c, p, s) => void mm.kmemCacheFree(c, p, siteOf(s)),
    cacheDestroy: (c, s) => void mm.kmemCacheDestroy(c, siteOf(s)),
    vmalloc: (size, gfp, s) => mm.vmalloc(size, gfp, siteOf(s)),
    vfree: (p, s) => void mm.vfree(p, siteOf(s)),
    isVmalloc: (p) => mm.isVmallocAddr(p),
    getFreePages: (gfp, order, s) => mm.getFreePages(gfp, order, siteOf(s)),
    freePages: (a, order, s) => void mm.freePages(a, order, siteOf(s)),
    allocPages: (gfp, order, s) => mm.allocPages(gfp, order, siteOf(s)),
    freePageStruct: (p, order, s) => void mm.freePagesStruct(p, order, siteOf(s)),
    pageAddress: (p) => mm.pageAddress(p),
    virtToPage: (a) => mm.virtToPage(a),
    vmallocToPage: (a) => mm.vmallocToPage(a),
  };
  const parts: KernelParts = {
    memory: mm.mem,
    clock,
    printk,
    reports: createKernelReports({}),
    mm: mmApi,
    format: (fmt, args) => format(fmt, args, formatEnv).text,
    moduleAlloc: (size) => mm.moduleAlloc(size),
    moduleFree: (base) => mm.moduleFree(base),
    stackAlloc: (bytes) => {
      const st = mm.stackAlloc(bytes);
      return { bottom: Number(st.bottom), top: Number(st.top), base: st.base };
    },
    stackFree: (st) => mm.stackFree(st as never),
    kstrdup: (text) => mm.kstrdup(text),
    dataArea: mapKernelData(mm),
    leaksOf: (module) => leaksOf(mm, clock, module),
    asPageFault: (e) => asPageFault(e),
    setTask: (task, owner) => {
      mm.task = task;
      mm.owner = owner;
    },
  };
  kernel = new Kernel(parts, KERNEL_EXPORTS, options);
  kernel.events.now = () => clock.nanos();
  mm.hooks = {
    stack: () => fullTrace(),
    now: () => clock.nanos(),
    jiffies: () => clock.jiffies,
    dumpStack: (frames: readonly Frame[]) =>
      reportText(dumpStackLines({ task: kernel.task, taints: kernel.taints, modules: kernel.modulesLinkedIn(), hashKey }, frames, { withDumpStackLvl: false })),
    hashPointer: (a: I64) => formatHashedPointer(a, hashKey),
    tainted: () => printTainted(kernel.taints),
    report: (r) => kernel.mmReport(r),
  };
  mm.ctorRunner = (ctor, obj) => void kernel.machine.callAddr(ctor, [obj], { span: kernel.currentSpan()!, frame: kernel.machine.top! });
  mm.acct.onEvent = (e) => {
    if (kernel.events.active) kernel.events.emit(e);
  };
  printk.subscribe((e) => {
    if (e.kind === 'record') kernel.events.emit({ kind: 'printk', level: e.record.level, text: e.record.text, span: e.record.span });
  });
  return {
    kernel,
    mm,
    printk,
    clock,
    log: (style) => (style === 'messages' ? printk.messages() : printk.dmesg()),
    snapshot: () => mm.snapshot(),
  };
}

/**
 * Map the kernel data region (kdata.ts) onto its frames of the kernel image, as the image is mapped
 * at __START_KERNEL_map + physical address: the exported variables then have real kernel addresses.
 */
function mapKernelData(mm: MM): { base: number; bytes: number } {
  const base = Number(BigInt.asIntN(64, KERNEL_DATA_START));
  const firstPfn = mm.bootLayout.imageStartPfn + KERNEL_DATA_IMAGE_OFFSET / PAGE_SIZE;
  for (let i = 0; i < KERNEL_DATA_BYTES / PAGE_SIZE; i++) mm.mem.map(Math.floor(base / PAGE_SIZE) + i, firstPfn + i);
  return { base, bytes: KERNEL_DATA_BYTES };
}

function leaksOf(mm: MM, clock: Clock, module: string): LeakInfo[] {
  return mm.liveAllocations(module).map((a) => ({
    addr: a.addr,
    size: a.size,
    span: a.span,
    frames: [...a.frames],
    ageNanos: clock.nanos() - a.allocNs,
    jiffies: Math.floor(4294892296 + a.allocNs / 4e6),
    bytes: mm.mem.peekBytes(a.addr, Math.min(32, a.size)) ?? new Uint8Array(0),
  }));
}
