// The kernel's own /proc files, generated from the emulated machine each time they are opened, in
// Linux 6.1's formats (checked against the oracle's Debian guest, test/oracle/shell/hello5.out):
// meminfo (fs/proc/meminfo.c), slabinfo (mm/slab_common.c), vmallocinfo (mm/vmalloc.c), buddyinfo
// (mm/vmstat.c), modules (kernel/module/procfs.c), version, cmdline and uptime, devices and misc
// (fs/char_dev.c, drivers/char/misc.c: from the chrdev registry, fs/chrdev.ts); and the memory
// devices /dev/null, /dev/zero and /dev/full (drivers/char/mem.c), so `2>/dev/null` works.
//
// Values the emulator models come from it (free and managed pages, slab caches, vmalloc areas,
// kernel stacks, loaded modules); what it does not model (page cache, swap, huge pages, page
// tables) is 0, so the formats are real and the numbers are this machine's. Addresses in
// vmallocinfo are hashed, as %pK prints them with the default kptr_restrict=0.

import type { MM } from './mm/index';
import { PAGE_SIZE } from './mm/layout';
import type { Kernel } from './kernel';
import type { LoadedModule } from './module';
import { DEBIAN_QEMU } from './report';
import type { OpenFile, Vfs } from './vfs';
import { E, generatedFile } from './vfs';
import { procDevices, procMisc } from './fs/chrdev';

/** What the generators read: the kernel (modules, taints, clock) and its memory manager. */
export interface ProcSources {
  readonly kernel: Kernel;
  readonly mm: MM;
}

/** The kernel command line the emulated machine booted with (as the oracle's guest). */
const CMDLINE = 'console=ttyS0,115200 loglevel=1 panic=-1 rdinit=/init';

/** VmallocTotal of a 5-level-capable x86_64 kernel running with 4-level paging (the oracle's value). */
const VMALLOC_TOTAL_KB = 13743895347199;

/** /proc/<name>: mode and generator, in the order `ls /proc` would not care about (it sorts). */
const PROC_FILES: readonly { name: string; perm: number; text: (s: ProcSources) => string }[] = [
  { name: 'buddyinfo', perm: 0o444, text: (s) => lines(s.mm.buddyinfo()) },
  { name: 'cmdline', perm: 0o444, text: () => `${CMDLINE}\n` },
  { name: 'devices', perm: 0o444, text: (s) => procDevices(s.kernel) },
  { name: 'meminfo', perm: 0o444, text: (s) => lines(meminfo(s)) },
  { name: 'misc', perm: 0o444, text: (s) => procMisc(s.kernel) },
  { name: 'modules', perm: 0o444, text: (s) => lines(procModules(s.kernel)) },
  { name: 'slabinfo', perm: 0o400, text: (s) => lines(s.mm.slabinfo()) },
  { name: 'uptime', perm: 0o444, text: (s) => uptime(s.kernel.k.clock.nanos()) },
  { name: 'version', perm: 0o444, text: () => `${LINUX_VERSION}\n` },
  { name: 'vmallocinfo', perm: 0o400, text: (s) => lines(vmallocinfo(s)) },
];

/** /proc/version as Debian's 6.1.0-56-amd64 prints it. */
export const LINUX_VERSION = `Linux version ${DEBIAN_QEMU.release} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) ${DEBIAN_QEMU.version}`;

/**
 * Add the kernel's /proc files and memory devices to the tree (once; a second call finds them there
 * and does nothing).
 */
export function mountProcFiles(vfs: Vfs, sources: ProcSources): void {
  const proc = vfs.mkdirs('/proc', 0o555);
  if (typeof proc === 'number') return;
  for (const f of PROC_FILES) {
    if (!proc.children.has(f.name)) vfs.createFile(proc, f.name, f.perm, generatedFile(() => f.text(sources)));
  }
  const dev = vfs.mkdirs('/dev');
  if (typeof dev === 'number') return;
  for (const d of MEM_DEVICES) {
    vfs.builtinDevices.set(`1:${d.minor}`, () => memDevice(d.read, d.writeErrno));
    if (!dev.children.has(d.name)) vfs.mknod(dev, d.name, 0o666, 1, d.minor);
  }
}

// ---- memory devices ----------------------------------------------------------------------------------

/** drivers/char/mem.c's devlist entries the shell needs: reads give EOF or zeros; writes vanish or fail. */
const MEM_DEVICES: readonly { name: string; minor: number; read: 'eof' | 'zeros'; writeErrno: number }[] = [
  { name: 'null', minor: 3, read: 'eof', writeErrno: 0 },
  { name: 'zero', minor: 5, read: 'zeros', writeErrno: 0 },
  { name: 'full', minor: 7, read: 'zeros', writeErrno: -E.ENOSPC },
];

function memDevice(read: 'eof' | 'zeros', writeErrno: number): OpenFile {
  return {
    read: (count) => (read === 'eof' ? new Uint8Array(0) : new Uint8Array(Math.max(0, Math.min(count, 1 << 16)))),
    write: (data) => writeErrno || data.length,
    llseek: () => 0,
    ioctl: () => -E.ENOTTY,
    release: () => 0,
  };
}

function lines(ls: readonly string[]): string {
  return ls.map((l) => `${l}\n`).join('');
}

/** The 16 hex digits of a hashed pointer (%p), without `0x`. */
function hashed(mm: MM, addr: number): string {
  return mm.hooks.hashPointer?.(addr) ?? '(____ptrval____)';
}

// ---- vmallocinfo -------------------------------------------------------------------------------------

/**
 * s_show(): the areas with hashed addresses. A caller in a module's `__init` function prints as a
 * raw address once init has run: the kernel freed the init text and its symbols with it, so %pS
 * finds no name (the oracle's guest shows `0xffffffffc05b70b9` for hello5's vmalloc in init).
 */
function vmallocinfo(s: ProcSources): string[] {
  const freed = new Map<string, bigint>();
  for (const m of s.kernel.modules.values()) {
    if (m.state !== 'live') continue;
    for (const f of m.functions.values()) if (f.def.attrs.section === '.init.text') freed.set(`${f.name} [${m.name}]`, BigInt(f.addr));
  }
  return s.mm.vm.vmallocinfo((a) => hashed(s.mm, a)).map((line) =>
    line.replace(/ (\w+)\+0x([0-9a-f]+)\/0x[0-9a-f]+ \[(\w+)\] /, (all, fn: string, off: string, mod: string) => {
      const base = freed.get(`${fn} [${mod}]`);
      return base === undefined ? all : ` 0x${BigInt.asUintN(64, base + BigInt(`0x${off}`)).toString(16)} `;
    }),
  );
}

// ---- meminfo -----------------------------------------------------------------------------------------

/** meminfo_proc_show(): every line of 6.1's /proc/meminfo, in its order and widths. */
function meminfo(s: ProcSources): string[] {
  const c = s.mm.memCounts();
  const kb = (label: string, v: number): string => `${`${label}:`.padEnd(16)}${String(v).padStart(8)} kB`;
  const n = (label: string, v: number): string => `${`${label}:`.padEnd(16)}${String(v).padStart(8)}`;
  const zero = (...labels: string[]): string[] => labels.map((l) => kb(l, 0));
  return [
    kb('MemTotal', c.totalKb),
    kb('MemFree', c.freeKb),
    kb('MemAvailable', c.availableKb),
    ...zero('Buffers', 'Cached', 'SwapCached', 'Active', 'Inactive', 'Active(anon)', 'Inactive(anon)', 'Active(file)', 'Inactive(file)',
      'Unevictable', 'Mlocked', 'SwapTotal', 'SwapFree', 'Zswap', 'Zswapped', 'Dirty', 'Writeback', 'AnonPages', 'Mapped', 'Shmem'),
    kb('KReclaimable', c.sreclaimableKb),
    kb('Slab', c.slabKb),
    kb('SReclaimable', c.sreclaimableKb),
    kb('SUnreclaim', c.slabKb - c.sreclaimableKb),
    kb('KernelStack', c.kernelStackKb),
    ...zero('PageTables', 'SecPageTables', 'NFS_Unstable', 'Bounce', 'WritebackTmp'),
    kb('CommitLimit', Math.floor(c.totalKb / 2)),
    kb('Committed_AS', 0),
    kb('VmallocTotal', VMALLOC_TOTAL_KB),
    kb('VmallocUsed', c.vmallocUsedKb),
    kb('VmallocChunk', 0),
    kb('Percpu', 0),
    `HardwareCorrupted: ${String(0).padStart(5)} kB`,
    ...zero('AnonHugePages', 'ShmemHugePages', 'ShmemPmdMapped', 'FileHugePages', 'FilePmdMapped'),
    n('HugePages_Total', 0),
    n('HugePages_Free', 0),
    n('HugePages_Rsvd', 0),
    n('HugePages_Surp', 0),
    kb('Hugepagesize', 2048),
    kb('Hugetlb', 0),
    kb('DirectMap4k', 0),
    kb('DirectMap2M', c.totalKb - (c.totalKb % 2048)),
    kb('DirectMap1G', 0),
  ];
}

// ---- modules -----------------------------------------------------------------------------------------

/** Loaded modules newest first, as the kernel's module list keeps them (list_add at the head). */
export function modulesNewestFirst(k: Kernel): LoadedModule[] {
  return [...k.modules.values()].reverse();
}

/** The size /proc/modules and lsmod show: the module's layout, whole pages. */
export function moduleSize(mod: LoadedModule): number {
  return Math.ceil(mod.size / PAGE_SIZE) * PAGE_SIZE;
}

/** m_show(): `hello5 16384 0 - Live 0xffffffffc05b2000 (OE)`. */
function procModules(k: Kernel): string[] {
  return modulesNewestFirst(k).map((m) => {
    const state = m.state === 'coming' ? 'Loading' : m.state === 'going' ? 'Unloading' : 'Live';
    const base = BigInt.asUintN(64, BigInt(m.base)).toString(16).padStart(16, '0');
    const taints = m.taints ? ` (${m.taints})` : '';
    return `${m.name} ${moduleSize(m)} ${m.refcount} - ${state} 0x${base}${taints}`;
  });
}

// ---- uptime ------------------------------------------------------------------------------------------

/** uptime_proc_show(): seconds since boot and idle seconds, two decimals each (one idle CPU). */
function uptime(ns: number): string {
  const cs = Math.floor(ns / 1e7);
  const fmt = (c: number): string => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  return `${fmt(cs)} ${fmt(Math.floor(cs * 0.9))}\n`;
}
