// The kernel's multi-line reports, worded and laid out as Debian's Linux 6.1 prints them: the
// dump_stack() banner and Call Trace, the page-fault Oops and its executive summary, general
// protection faults, BUG(), WARN(), "sleeping function called from invalid context", "scheduling
// while atomic", the soft-lockup watchdog, kmemleak, the VMAP_STACK guard-page overflow, list_debug
// corruption, and the module loader's and kmod's messages. Each builder returns KLines (text plus
// printk level; a text with `\n` is one record whose lines share a timestamp) and never prints.
//
// Sources: the oracle's real dmesg files (shared/oracle/fidelity, kernel 6.1.0-56-amd64) and Debian's
// 6.1.176 source (arch/x86/kernel/dumpstack.c, process_64.c, traps.c, arch/x86/mm/fault.c,
// kernel/panic.c, kernel/sched/core.c, kernel/watchdog.c, kernel/module/main.c, mm/kmemleak.c,
// lib/dump_stack.c, lib/hexdump.c, lib/list_debug.c, init/main.c). Kernel-internal frame offsets
// come from the oracle where it showed them and are marked as approximations otherwise.
//
// Decisions (why, in full, at each definition):
// - Module frames are printed the way scripts/decode_stacktrace.sh prints a resolved frame,
//   ` init_module (test_mem.c:21) test_mem`, because the student must see their file and line; the
//   raw form ` init_module+0x15/0x60 [test_mem]` stays available (`decode: false`).
// - We have no machine code, so a kernel-mode `Code:` line says what the kernel says when it cannot
//   read the bytes: `Code: Unable to access opcode bytes at 0x….` (omitted when the RIP address is
//   unknown). The user-mode `Code:` line of insmod's syscall is the real bytes of Debian's glibc.
// - Registers are deterministic: what the caller passes, else zero, with the CPU state (CR0, CR4,
//   FS/GS bases, PKRU) and insmod's user-mode registers taken from one oracle run.
//
// Invariants: pure functions of their inputs; never throw on any input (unknown values print as
// zero or `?`); no module-level mutable state.

import { syscallUserRegs } from './fs/files';
import { lastUnloaded } from './insmod';
import { userFaultDetails } from './fs/uaccess';
import type { Span } from '../source/source';
import { spanLine } from '../source/source';
import type { I64 } from '../vm/value';
import type { Frame } from './trace';
import { INSMOD_TAIL, RMMOD_TAIL } from './trace';
import type { KernelSymbol, PointerHashKey, Symbolizer } from './vsprintf';
import { formatHashedPointer, formatSymbol, pointerHashKey } from './vsprintf';
import { formatTimestamp } from './printk';
import { HZ, INITIAL_JIFFIES } from './clock';
import { insmodErrorLine } from './errno';
import type { Kernel, KernelReports, LeakInfo } from './kernel';
import type { CompiledFunction } from '../vm/machine';

// ---- lines -----------------------------------------------------------------------------------------

/** One printk record of a report: its level (0..7) and text (no trailing newline). */
export interface KLine {
  readonly level: number;
  readonly text: string;
}

export const LEVEL = { EMERG: 0, ALERT: 1, CRIT: 2, ERR: 3, WARNING: 4, NOTICE: 5, INFO: 6, DEBUG: 7, DEFAULT: 4 } as const;

const line = (level: number, text: string): KLine => ({ level, text });

/** The report as plain lines (multi-line records split), e.g. for golden files and findings. */
export function reportText(lines: readonly KLine[]): string[] {
  const out: string[] = [];
  for (const l of lines) out.push(...l.text.split('\n'));
  return out;
}

/** Render a report the way dmesg shows it, every line stamped with one timestamp. */
export function reportDmesg(lines: readonly KLine[], tsNanos: number): string[] {
  const ts = formatTimestamp(tsNanos);
  return reportText(lines).map((t) => `${ts} ${t}`);
}

// ---- numbers ---------------------------------------------------------------------------------------

function u64(v: I64 | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  return Number.isFinite(v) ? BigInt.asUintN(64, BigInt(Math.trunc(v))) : 0n;
}

/** `%016lx`. */
export function hex16(v: I64 | undefined): string {
  return u64(v).toString(16).padStart(16, '0');
}

function hexN(v: I64 | number | undefined, width: number): string {
  return u64(v).toString(16).padStart(width, '0');
}

// ---- taint -----------------------------------------------------------------------------------------

/** kernel/panic.c taint_flags[] in bit order: letter when set, character when clear, module flag. */
export const TAINT_FLAGS: readonly { readonly bit: number; readonly set: string; readonly clear: string; readonly module: boolean; readonly name: string }[] = [
  { bit: 0, set: 'P', clear: 'G', module: true, name: 'PROPRIETARY_MODULE' },
  { bit: 1, set: 'F', clear: ' ', module: true, name: 'FORCED_MODULE' },
  { bit: 2, set: 'S', clear: ' ', module: false, name: 'CPU_OUT_OF_SPEC' },
  { bit: 3, set: 'R', clear: ' ', module: false, name: 'FORCED_RMMOD' },
  { bit: 4, set: 'M', clear: ' ', module: false, name: 'MACHINE_CHECK' },
  { bit: 5, set: 'B', clear: ' ', module: false, name: 'BAD_PAGE' },
  { bit: 6, set: 'U', clear: ' ', module: false, name: 'USER' },
  { bit: 7, set: 'D', clear: ' ', module: false, name: 'DIE' },
  { bit: 8, set: 'A', clear: ' ', module: false, name: 'OVERRIDDEN_ACPI_TABLE' },
  { bit: 9, set: 'W', clear: ' ', module: false, name: 'WARN' },
  { bit: 10, set: 'C', clear: ' ', module: true, name: 'CRAP' },
  { bit: 11, set: 'I', clear: ' ', module: false, name: 'FIRMWARE_WORKAROUND' },
  { bit: 12, set: 'O', clear: ' ', module: true, name: 'OOT_MODULE' },
  { bit: 13, set: 'E', clear: ' ', module: true, name: 'UNSIGNED_MODULE' },
  { bit: 14, set: 'L', clear: ' ', module: false, name: 'SOFTLOCKUP' },
  { bit: 15, set: 'K', clear: ' ', module: true, name: 'LIVEPATCH' },
  { bit: 16, set: 'X', clear: ' ', module: true, name: 'AUX' },
  { bit: 17, set: 'T', clear: ' ', module: true, name: 'RANDSTRUCT' },
  { bit: 18, set: 'N', clear: ' ', module: true, name: 'TEST' },
];

/** Taints as a mask or as letters (`new Set(['O', 'E'])`, `'OE'`). */
export type Taints = number | string | Iterable<string>;

/** The taint bitmask (/proc/sys/kernel/tainted): O+E is 12288. Unknown letters are ignored. */
export function taintMask(t: Taints): number {
  if (typeof t === 'number') return Number.isFinite(t) ? t >>> 0 : 0;
  let m = 0;
  for (const c of typeof t === 'string' ? t.split('') : t) {
    const f = TAINT_FLAGS.find((x) => x.set === c);
    if (f) m |= 1 << f.bit;
  }
  return m >>> 0;
}

/** print_tainted(): `Tainted: G           OE     ` (19 columns) or `Not tainted`. */
export function printTainted(t: Taints): string {
  const m = taintMask(t);
  if (!m) return 'Not tainted';
  return `Tainted: ${TAINT_FLAGS.map((f) => (m & (1 << f.bit) ? f.set : f.clear)).join('')}`;
}

/** module_flags_taint(): the module-relevant letters in bit order (`OE`, `POE`). */
export function moduleTaintLetters(t: Taints): string {
  const m = taintMask(t);
  return TAINT_FLAGS.filter((f) => f.module && m & (1 << f.bit)).map((f) => f.set).join('');
}

/** A loaded module as print_modules() lists it. */
export interface ModuleEntry {
  readonly name: string;
  /** Its taint letters or mask (`OE`). */
  readonly taints: Taints;
  readonly state: 'live' | 'coming' | 'going';
}

/** module_flags(mod, show_state=true): `(OE+)` while loading, `(OE-)` while unloading, `(OE)`. */
export function moduleFlags(m: ModuleEntry): string {
  const letters = moduleTaintLetters(m.taints);
  const mark = m.state === 'coming' ? '+' : m.state === 'going' ? '-' : '';
  return letters || mark ? `(${letters}${mark})` : '';
}

/**
 * print_modules(): `Modules linked in: test_mem(OE+)`, most recently loaded first, then
 * ` [last unloaded: name(OE)]` when a module was unloaded earlier. Accepts a ready list string.
 */
export function modulesLinkedIn(modules: readonly ModuleEntry[] | string, lastUnloaded?: { name: string; taints: Taints }): string {
  let s = 'Modules linked in:';
  if (typeof modules === 'string') s += modules ? ` ${modules}` : '';
  else for (const m of modules) s += ` ${m.name}${moduleFlags(m)}`;
  if (lastUnloaded) {
    const letters = moduleTaintLetters(lastUnloaded.taints);
    s += ` [last unloaded: ${lastUnloaded.name}${letters ? `(${letters})` : ''}]`;
  }
  return s;
}

// ---- the machine -----------------------------------------------------------------------------------

/** The strings a backtrace banner is made of. */
export interface MachineInfo {
  /** utsname()->release. */
  readonly release: string;
  /** utsname()->version; the banner prints up to its first space (`#1`). */
  readonly version: string;
  /** LINUX_PACKAGE_ID: ` Debian 6.1.192-2` (with its leading space). */
  readonly packageId: string;
  /** DMI string after `Hardware name: `. */
  readonly hardware: string;
  readonly cpu: number;
  /** What __die_header() appends: ` PREEMPT SMP NOPTI`. */
  readonly dieFlags: string;
  /** KASLR offset for the panic's `Kernel Offset:` line. */
  readonly kaslrOffset: I64;
}

/** The oracle's machine: Debian 12's 6.1.0-56-amd64 under QEMU (shared/oracle/KERNEL-FACTS.md). */
export const DEBIAN_QEMU: MachineInfo = {
  release: '6.1.0-56-amd64',
  version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)',
  packageId: ' Debian 6.1.192-2',
  hardware: 'QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
  cpu: 0,
  dieFlags: ' PREEMPT SMP NOPTI',
  kaslrOffset: 0x24c00000,
};

/** A task as reports name it. */
export interface TaskInfo {
  readonly pid: number;
  readonly comm: string;
}

/** Everything a report needs to know about the kernel at the moment it is printed. */
export interface ReportContext {
  readonly machine?: MachineInfo;
  readonly task: TaskInfo;
  /** Taints at the time of the report (before the report adds its own). */
  readonly taints: Taints;
  /** print_modules() list: entries, or a ready string like `test_mem(OE+)`. */
  readonly modules: readonly ModuleEntry[] | string;
  readonly lastUnloaded?: { name: string; taints: Taints };
  /** Key for %p values inside reports (vmalloc warnings, kmemleak backtraces, guard page). */
  readonly hashKey?: PointerHashKey;
  /** Print module frames decoded (decode_stacktrace.sh style); default true. */
  readonly decode?: boolean;
  /**
   * The user-mode registers at the syscall entry, printed before ` </TASK>` when the trace reaches
   * entry_SYSCALL_64_after_hwframe. Default: insmod's finit_module() registers from an oracle run;
   * `null` omits the block.
   */
  readonly userRegs?: UserRegs | null;
  /** CPU state for full register dumps; default from the oracle run. */
  readonly cpuState?: Partial<CpuState>;
}

// ---- frames ----------------------------------------------------------------------------------------

/**
 * A frame's symbol. Module frames with a source span print as scripts/decode_stacktrace.sh prints
 * them once addr2line resolved the address: `init_module (test_mem.c:21) test_mem` (the script
 * replaces `name+off/size` with `name (file:line)` and the trailing `[module]` with ` module`). We
 * keep the kernel's own leading space and `? ` marker so traces stay aligned; the student's file is
 * shown as the editor names it (the real script would show the absolute path the module was built
 * from). Kernel frames have no source here and print undecoded, as the script leaves frames it
 * cannot resolve. A frame whose `fn` is a hex address (`0xffffffffc028c000`) is printed as-is: that
 * is how %pB shows an address kallsyms cannot name.
 */
export function frameSymbol(f: Frame, decode = true): string {
  if (/^0x[0-9a-f]+$/i.test(f.fn)) return f.fn.toLowerCase();
  if (decode && f.module && f.span) return `${f.fn} (${f.span.file.name}:${spanLine(f.span)}) ${f.module}`;
  return `${f.fn}+0x${Math.max(0, f.offset | 0).toString(16)}/0x${Math.max(0, f.size | 0).toString(16)}${f.module ? ` [${f.module}]` : ''}`;
}

/** printk_stack_address(): ` %s%pBb` with `? ` for frames the unwinder did not vouch for. */
export function frameLine(f: Frame, decode = true): string {
  return ` ${f.unreliable ? '? ' : ''}${frameSymbol(f, decode)}`;
}

/** A raw-address frame (`? 0xffffffffc028c000`), as stack scanning finds stale function pointers. */
export function addressFrame(addr: I64, unreliable = true): Frame {
  return { fn: `0x${u64(addr).toString(16)}`, offset: 0, size: 0, unreliable };
}

/** Shorthand for a kernel frame: `k('kfree', 0x4b, 0x110)`. */
export function kframe(fn: string, offset: number, size: number, unreliable = false): Frame {
  return { fn, offset, size, unreliable };
}

/**
 * Kernel frames the reports put around module code. Offsets marked `oracle` were printed by the
 * oracle's 6.1.0-56 kernel; the others are estimates (Debian ships no System.map) and only the
 * function names are certain.
 */
export const KFRAMES = {
  dump_stack_lvl: kframe('dump_stack_lvl', 0x44, 0x5c), // oracle
  do_init_module_cold: kframe('do_init_module.cold', 0x21, 0x26), // oracle
  schedule_bug_cold: kframe('__schedule_bug.cold', 0x42, 0x4e), // oracle
  schedule_: kframe('__schedule', 0x804, 0xa00), // oracle
  schedule: kframe('schedule', 0x5a, 0xd0), // oracle
  schedule_timeout: kframe('schedule_timeout', 0x94, 0x150), // oracle
  msleep: kframe('msleep', 0x29, 0x40), // oracle
  do_one_initcall_warn: kframe('do_one_initcall', 0x1d7, 0x220), // oracle (init/main.c:1284)
  kmalloc_trace: kframe('kmalloc_trace', 0x26, 0x90), // oracle
  kfree: kframe('kfree', 0x4b, 0x110), // oracle (page fault on a vmalloc address)
  kmem_cache_free_bug: kframe('__kmem_cache_free', 0x284, 0x2a0), // oracle (mm/slub.c:419)
  vunmap_bad_address: kframe('__vunmap', 0x31a, 0x340), // oracle (mm/vmalloc.c:2752)
  vunmap_nonexistent: kframe('__vunmap', 0x7e, 0x340), // oracle (mm/vmalloc.c:2758)
  might_resched_cold: kframe('__might_resched.cold', 0xcc, 0xe0), // estimate
  kmem_cache_alloc_node: kframe('__kmem_cache_alloc_node', 0x2c9, 0x310), // estimate
  kmalloc: kframe('__kmalloc', 0x3e, 0xb0), // estimate
  vmalloc_node_range: kframe('__vmalloc_node_range', 0x9c, 0x7e0), // estimate
  vmalloc: kframe('vmalloc', 0x43, 0x50), // estimate
  mutex_lock: kframe('mutex_lock', 0x12, 0x30), // estimate
  list_del_cold: kframe('__list_del_entry_valid.cold', 0x37, 0x4a), // estimate
  list_add_cold: kframe('__list_add_valid.cold', 0x26, 0x3a), // estimate
} as const;

// ---- registers -------------------------------------------------------------------------------------

/** General-purpose registers as __show_regs() prints them. Missing ones print as zero. */
export interface Regs {
  readonly rax?: I64; readonly rbx?: I64; readonly rcx?: I64; readonly rdx?: I64;
  readonly rsi?: I64; readonly rdi?: I64; readonly rbp?: I64; readonly rsp?: I64;
  readonly r8?: I64; readonly r9?: I64; readonly r10?: I64; readonly r11?: I64;
  readonly r12?: I64; readonly r13?: I64; readonly r14?: I64; readonly r15?: I64;
  readonly eflags?: number;
}

/** Control registers and segment bases of the CPU (the `FS:`/`CS:`/`CR2:`/`PKRU:` lines). */
export interface CpuState {
  readonly fsBase: I64;
  readonly gsBase: I64;
  readonly knlGsBase: I64;
  readonly cr0: I64;
  /** The last page-fault address; page-fault reports replace it with the faulting address. */
  readonly cr2: I64;
  readonly cr3: I64;
  readonly cr4: I64;
  readonly pkru: number;
}

/** One oracle run's CPU state (bug_kfree_vmalloc.dmesg), with a user-space CR2. */
export const ORACLE_CPU_STATE: CpuState = {
  fsBase: 0x7f435e3c2040,
  gsBase: 0xff3925335ea00000n,
  knlGsBase: 0,
  cr0: 0x80050033,
  cr2: 0x55d599527000,
  cr3: 0x1ff6e000,
  cr4: 0x751ef0,
  pkru: 0x55555554,
};

/** The user-mode register block printed at the bottom of a task's trace (the syscall's entry regs). */
export interface UserRegs extends Regs {
  readonly rip: I64;
  /** The 64 code bytes around RIP (42 before, the one at RIP, 21 after), or undefined to omit. */
  readonly code?: readonly number[];
  readonly origRax: I64;
}

/**
 * glibc's syscall() stub as the oracle printed it for insmod's finit_module(): the bytes at
 * RIP-42 .. RIP+21 (the `<48>` is the instruction after `syscall`).
 */
export const GLIBC_SYSCALL_CODE: readonly number[] = [
  0x08, 0x89, 0xe8, 0x5b, 0x5d, 0xc3, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x48, 0x89, 0xf8, 0x48,
  0x89, 0xf7, 0x48, 0x89, 0xd6, 0x48, 0x89, 0xca, 0x4d, 0x89, 0xc2, 0x4d, 0x89, 0xc8, 0x4c, 0x8b, 0x4c, 0x24, 0x08, 0x0f, 0x05,
  0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff, 0x73, 0x01, 0xc3, 0x48, 0x8b, 0x0d, 0xa7, 0x15, 0x0d, 0x00, 0xf7, 0xd8, 0x64, 0x89, 0x01,
  0x48,
];

/** insmod's registers at finit_module() entry, from the oracle's bug_kfree_vmalloc run. */
export const INSMOD_USER_REGS: UserRegs = {
  rip: 0x7f435e4c4829,
  code: GLIBC_SYSCALL_CODE,
  rsp: 0x7ffd74bda4e8,
  eflags: 0x246,
  origRax: 0x139, // __NR_finit_module
  rax: -38, // -ENOSYS: the entry code's placeholder return value
  rbx: 0x55d5d88724c0, rcx: 0x7f435e4c4829, rdx: 0,
  rsi: 0x55d5995274a0, rdi: 3, rbp: 0x55d5995274a0,
  r8: 0, r9: 0x7f435e59e2a0, r10: 3, r11: 0x246, r12: 0, r13: 0, r14: 0x55d5d8872490, r15: 0,
};

/**
 * rmmod's registers at delete_module() entry. kmod calls delete_module through glibc's syscall(),
 * so RIP and the code bytes are those of insmod's run; the argument registers are modelled
 * (name pointer, O_NONBLOCK) rather than observed.
 */
export const RMMOD_USER_REGS: UserRegs = {
  ...INSMOD_USER_REGS,
  origRax: 0xb0, // __NR_delete_module
  rdi: 0x55d5d8872528,
  rsi: 0x800,
  rdx: 0,
  r10: 0,
};

/** show_ip()'s `Code:` line for kernel text we have no bytes of. */
function codeUnavailable(ripAddr: I64 | undefined): KLine[] {
  if (ripAddr === undefined) return [];
  return [line(4, `Code: Unable to access opcode bytes at 0x${BigInt.asUintN(64, u64(ripAddr) - 42n).toString(16)}.`)];
}

function codeBytes(code: readonly number[]): string {
  const h = (b: number): string => (b & 0xff).toString(16).padStart(2, '0');
  const pro = code.slice(0, 42).map(h).join(' ');
  const at = code[42] !== undefined ? `<${h(code[42])}>` : '';
  const epi = code.slice(43, 64).map(h).join(' ');
  return `Code: ${[pro, at, epi].filter((s) => s).join(' ')}`;
}

function gpLines(r: Regs): KLine[] {
  const v = (x: I64 | undefined): string => hex16(x);
  return [
    line(4, `RAX: ${v(r.rax)} RBX: ${v(r.rbx)} RCX: ${v(r.rcx)}`),
    line(4, `RDX: ${v(r.rdx)} RSI: ${v(r.rsi)} RDI: ${v(r.rdi)}`),
    line(4, `RBP: ${v(r.rbp)} R08: ${v(r.r8)} R09: ${v(r.r9)}`),
    line(4, `R10: ${v(r.r10)} R11: ${v(r.r11)} R12: ${v(r.r12)}`),
    line(4, `R13: ${v(r.r13)} R14: ${v(r.r14)} R15: ${v(r.r15)}`),
  ];
}

/** The kernel-mode register dump (show_iret_regs + __show_regs with SHOW_REGS_ALL). */
export interface KernelRegsInput {
  /** Where the CPU was: printed after `RIP: 0010:`. */
  readonly rip: Frame;
  /** RIP as an address, for the `Code:` line (omitted when unknown). */
  readonly ripAddr?: I64;
  readonly regs?: Regs;
  /** CR2 override (page faults). */
  readonly cr2?: I64;
}

export function kernelRegsLines(ctx: ReportContext, input: KernelRegsInput): KLine[] {
  const r = input.regs ?? {};
  const cpu: CpuState = { ...ORACLE_CPU_STATE, ...(ctx.cpuState ?? {}) };
  const cr2 = input.cr2 ?? cpu.cr2;
  return [
    line(4, `RIP: 0010:${frameSymbol(input.rip, ctx.decode ?? true)}`),
    ...codeUnavailable(input.ripAddr),
    // Kernel-mode regs have orig_ax == -1, so no ORIG_RAX after EFLAGS.
    line(4, `RSP: 0018:${hex16(r.rsp)} EFLAGS: ${hexN(r.eflags ?? 0x246, 8)}`),
    ...gpLines(r),
    line(4, `FS:  ${hex16(cpu.fsBase)}(0000) GS:${hex16(cpu.gsBase)}(0000) knlGS:${hex16(cpu.knlGsBase)}`),
    line(4, `CS:  0010 DS: 0000 ES: 0000 CR0: ${hex16(cpu.cr0)}`),
    line(4, `CR2: ${hex16(cr2)} CR3: ${hex16(cpu.cr3)} CR4: ${hex16(cpu.cr4)}`),
    line(4, `PKRU: ${hexN(cpu.pkru, 8)}`),
  ];
}

/** The user-mode block (SHOW_REGS_SHORT with the iret frame) printed inside ` <TASK>`. */
export function userRegsLines(u: UserRegs): KLine[] {
  return [
    line(4, `RIP: 0033:0x${u64(u.rip).toString(16)}`),
    ...(u.code ? [line(4, codeBytes(u.code))] : []),
    line(4, `RSP: 002b:${hex16(u.rsp)} EFLAGS: ${hexN(u.eflags ?? 0x246, 8)} ORIG_RAX: ${hex16(u.origRax)}`),
    ...gpLines(u),
  ];
}

// ---- dump_stack ------------------------------------------------------------------------------------

/** dump_stack_print_info(): `CPU: 0 PID: 93 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2`. */
export function cpuLine(ctx: ReportContext): string {
  const m = ctx.machine ?? DEBIAN_QEMU;
  const ver = m.version.split(' ')[0] ?? '';
  return `CPU: ${m.cpu} PID: ${ctx.task.pid} Comm: ${ctx.task.comm.slice(0, 20)} ${printTainted(ctx.taints)} ${m.release} ${ver} ${m.packageId}`;
}

export function bannerLines(ctx: ReportContext): KLine[] {
  const m = ctx.machine ?? DEBIAN_QEMU;
  return [line(4, cpuLine(ctx)), line(4, `Hardware name: ${m.hardware}`)];
}

/**
 * show_trace_log_lvl(): `Call Trace:`, ` <TASK>`, the frames, the user registers if the trace
 * reaches the syscall entry, ` </TASK>`.
 */
export function callTraceLines(ctx: ReportContext, frames: readonly Frame[]): KLine[] {
  const decode = ctx.decode ?? true;
  const out: KLine[] = [line(4, 'Call Trace:'), line(4, ' <TASK>')];
  for (const f of frames) out.push(line(4, frameLine(f, decode)));
  const last = frames[frames.length - 1];
  const user = ctx.userRegs === undefined ? INSMOD_USER_REGS : ctx.userRegs;
  if (user && last && last.fn === 'entry_SYSCALL_64_after_hwframe') out.push(...userRegsLines(user));
  out.push(line(4, ' </TASK>'));
  return out;
}

/**
 * dump_stack(): the banner and the Call Trace. `frames` are the caller's frames, innermost first;
 * dump_stack_lvl's own frame is added in front (dump_stack() is a tail call to it).
 */
export function dumpStack(ctx: ReportContext, frames: readonly Frame[], options: { withDumpStackLvl?: boolean } = {}): KLine[] {
  const all = options.withDumpStackLvl === false ? frames : [KFRAMES.dump_stack_lvl, ...frames];
  return [...bannerLines(ctx), ...callTraceLines(ctx, all)];
}

/** show_regs() for a kernel-mode context: banner, registers, Call Trace (which starts at RIP's caller). */
export function showRegs(ctx: ReportContext, regs: KernelRegsInput, callers: readonly Frame[]): KLine[] {
  return [...bannerLines(ctx), ...kernelRegsLines(ctx, regs), ...callTraceLines(ctx, callers)];
}

/** print_oops_end_marker(). */
export const END_TRACE = '---[ end trace 0000000000000000 ]---';
export const CUT_HERE = '------------[ cut here ]------------';

/**
 * The frames of a module's call chain for a report: the module frames (innermost first), the
 * stale `? 0x…` pointer to the init function that every oracle trace shows below it during insmod,
 * then the syscall path of insmod or rmmod.
 */
export function taskFrames(moduleFrames: readonly Frame[], phase: 'init' | 'exit', initAddr?: I64): Frame[] {
  const out = [...moduleFrames];
  if (phase === 'init' && initAddr !== undefined) out.push(addressFrame(initAddr));
  out.push(...(phase === 'init' ? INSMOD_TAIL : RMMOD_TAIL));
  return out;
}

// ---- Oops ------------------------------------------------------------------------------------------

export interface DieInput extends KernelRegsInput {
  /** Frames of the Call Trace: RIP's callers, innermost first, down to the syscall entry. */
  readonly callers: readonly Frame[];
  /** die_counter after this report (`[#1]`). */
  readonly dieCount?: number;
}

/** __die_header(): `Oops: 0000 [#1] PREEMPT SMP NOPTI`. */
export function dieHeader(ctx: ReportContext, str: string, err: number, dieCount = 1): KLine {
  const m = ctx.machine ?? DEBIAN_QEMU;
  return line(4, `${str}: ${hexN(err & 0xffff, 4)} [#${dieCount}]${m.dieFlags}`);
}

/** __die_body() + oops_end(): registers, trace, modules, extra lines, end marker, executive summary. */
function dieBodyAndEnd(ctx: ReportContext, input: DieInput, beforeEnd: KLine[] = []): KLine[] {
  const regs = kernelRegsLines(ctx, input);
  return [
    ...bannerLines(ctx),
    ...regs,
    ...callTraceLines(ctx, input.callers),
    line(4, modulesLinkedIn(ctx.modules, ctx.lastUnloaded)),
    ...beforeEnd,
    line(4, END_TRACE),
    // oops_end() repeats the first oops's registers "in case the oops scrolled away".
    ...regs,
  ];
}

export interface PageFaultInput extends DieInput {
  readonly address: I64;
  readonly write?: boolean;
  readonly exec?: boolean;
  /** A protection fault on a present page (error code bit 0). Default false: not-present page. */
  readonly protection?: boolean;
  /**
   * dump_pagetable()'s line. Default: `PGD 0 ` for kernel addresses (no top-level entry, as the
   * oracle showed for an unmapped kernel address); for user addresses insmod's PGD entry is
   * present and the walk stops at an empty P4D (a modelled value).
   */
  readonly pageTable?: string;
  /** make_task_dead()'s `note: insmod[93] exited with irqs disabled` (default true). */
  readonly exitNote?: boolean;
}

/** The page-fault error code bits (X86_PF_*). */
export function pageFaultErrorCode(i: { write?: boolean; exec?: boolean; protection?: boolean; user?: boolean }): number {
  return (i.protection ? 1 : 0) | (i.write ? 2 : 0) | (i.user ? 4 : 0) | (i.exec ? 0x10 : 0);
}

/**
 * page_fault_oops() (arch/x86/mm/fault.c) and its oops_end(): the #PF lines, the page-table walk,
 * `Oops: 0000 [#1] PREEMPT SMP NOPTI`, the register dump, the trace, `Modules linked in:`,
 * `CR2: …`, the end marker, the executive summary and the exit note.
 */
export function pageFaultOops(ctx: ReportContext, input: PageFaultInput): KLine[] {
  const addr = u64(input.address);
  const err = pageFaultErrorCode(input);
  const head = addr < 4096n
    ? `BUG: kernel NULL pointer dereference, address: ${hex16(input.address)}`
    : `BUG: unable to handle page fault for address: ${hex16(input.address)}`;
  const access = input.exec ? 'instruction fetch' : input.write ? 'write access' : 'read access';
  const kind = input.protection ? 'permissions violation' : 'not-present page';
  const pt = input.pageTable ?? (addr >= 1n << 63n ? 'PGD 0 ' : `PGD ${hexN(0x8000000004c6e067n, 1)} P4D 0 `);
  const out: KLine[] = [
    line(1, head),
    line(1, `#PF: supervisor ${access} in kernel mode`),
    line(1, `#PF: error_code(0x${hexN(err, 4)}) - ${kind}`),
    line(6, pt),
    dieHeader(ctx, 'Oops', err, input.dieCount),
    ...dieBodyAndEnd(ctx, { ...input, cr2: input.address }, [line(4, `CR2: ${hex16(input.address)}`)]),
  ];
  if (input.exitNote ?? true) out.push(exitNote(ctx.task, 'irqs'));
  return out;
}

/** make_task_dead()'s notes. */
export function exitNote(task: TaskInfo, what: 'irqs' | { preemptCount: number }): KLine {
  if (what === 'irqs') return line(6, `note: ${task.comm}[${task.pid}] exited with irqs disabled`);
  return line(6, `note: ${task.comm}[${task.pid}] exited with preempt_count ${what.preemptCount}`);
}

/** Is this address non-canonical (bits 63..47 not all equal; 4-level paging)? */
export function isNonCanonical(addr: I64): boolean {
  const top = u64(addr) >> 47n;
  return top !== 0n && top !== (1n << 17n) - 1n;
}

/**
 * exc_general_protection(): `general protection fault, probably for non-canonical address
 * 0xdead000000000108: 0000 [#1] PREEMPT SMP NOPTI`, then the body and the end marker. There is no
 * CR2 line and no exit note (the handler re-enables interrupts).
 */
export function generalProtection(ctx: ReportContext, input: DieInput & { readonly address?: I64 }): KLine[] {
  let desc = 'general protection fault';
  if (input.address !== undefined) {
    desc += `, ${isNonCanonical(input.address) ? 'probably for non-canonical address' : 'maybe for address'} 0x${u64(input.address).toString(16)}`;
  }
  return [dieHeader(ctx, desc, 0, input.dieCount), ...dieBodyAndEnd(ctx, input)];
}

/** do_error_trap() for a divide by zero: `divide error: 0000 [#1] PREEMPT SMP NOPTI`. */
export function divideError(ctx: ReportContext, input: DieInput): KLine[] {
  return [dieHeader(ctx, 'divide error', 0, input.dieCount), ...dieBodyAndEnd(ctx, input)];
}

/**
 * BUG(): `------------[ cut here ]------------`, `kernel BUG at mm/slub.c:419!`, `invalid opcode:
 * 0000 [#1] PREEMPT SMP NOPTI` and the body (lib/bug.c report_bug, then die("invalid opcode")).
 */
export function bugReport(ctx: ReportContext, file: string, lineNo: number, input: DieInput): KLine[] {
  return [
    line(4, CUT_HERE),
    line(2, `kernel BUG at ${file}:${lineNo}!`),
    dieHeader(ctx, 'invalid opcode', 0, input.dieCount),
    ...dieBodyAndEnd(ctx, input),
  ];
}

// ---- list debugging --------------------------------------------------------------------------------

export type ListCorruption =
  | { readonly kind: 'add-prev-null' }
  | { readonly kind: 'add-next-null' }
  | { readonly kind: 'add-next-prev'; readonly prev: I64; readonly nextPrev: I64; readonly next: I64 }
  | { readonly kind: 'add-prev-next'; readonly next: I64; readonly prevNext: I64; readonly prev: I64 }
  | { readonly kind: 'add-double'; readonly entry: I64; readonly prev: I64; readonly next: I64 }
  | { readonly kind: 'del-next-null'; readonly entry: I64 }
  | { readonly kind: 'del-prev-null'; readonly entry: I64 }
  | { readonly kind: 'del-poison1'; readonly entry: I64 }
  | { readonly kind: 'del-poison2'; readonly entry: I64 }
  | { readonly kind: 'del-prev-next'; readonly entry: I64; readonly prevNext: I64; readonly prev: I64 }
  | { readonly kind: 'del-next-prev'; readonly entry: I64; readonly nextPrev: I64; readonly next: I64 };

export const LIST_POISON1 = 0xdead000000000100n;
export const LIST_POISON2 = 0xdead000000000122n;

/**
 * lib/list_debug.c (6.1): the pr_err message and the line BUG() reports. With
 * CONFIG_BUG_ON_DATA_CORRUPTION the BUG's __LINE__ is the last line of the CHECK_DATA_CORRUPTION()
 * invocation (the oracle-era syzbot report of 6.1 shows `LIST_POISON1` at list_debug.c:55).
 */
export function listCorruptionMessage(c: ListCorruption): { message: string; line: number; fn: string } {
  const px = (v: I64): string => hex16(v);
  switch (c.kind) {
    case 'add-prev-null': return { message: 'list_add corruption. prev is NULL.', line: 24, fn: '__list_add_valid' };
    case 'add-next-null': return { message: 'list_add corruption. next is NULL.', line: 26, fn: '__list_add_valid' };
    case 'add-next-prev': return { message: `list_add corruption. next->prev should be prev (${px(c.prev)}), but was ${px(c.nextPrev)}. (next=${px(c.next)}).`, line: 29, fn: '__list_add_valid' };
    case 'add-prev-next': return { message: `list_add corruption. prev->next should be next (${px(c.next)}), but was ${px(c.prevNext)}. (prev=${px(c.prev)}).`, line: 32, fn: '__list_add_valid' };
    case 'add-double': return { message: `list_add double add: new=${px(c.entry)}, prev=${px(c.prev)}, next=${px(c.next)}.`, line: 35, fn: '__list_add_valid' };
    case 'del-next-null': return { message: `list_del corruption, ${px(c.entry)}->next is NULL`, line: 50, fn: '__list_del_entry_valid' };
    case 'del-prev-null': return { message: `list_del corruption, ${px(c.entry)}->prev is NULL`, line: 52, fn: '__list_del_entry_valid' };
    case 'del-poison1': return { message: `list_del corruption, ${px(c.entry)}->next is LIST_POISON1 (${hex16(LIST_POISON1)})`, line: 55, fn: '__list_del_entry_valid' };
    case 'del-poison2': return { message: `list_del corruption, ${px(c.entry)}->prev is LIST_POISON2 (${hex16(LIST_POISON2)})`, line: 58, fn: '__list_del_entry_valid' };
    case 'del-prev-next': return { message: `list_del corruption. prev->next should be ${px(c.entry)}, but was ${px(c.prevNext)}. (prev=${px(c.prev)})`, line: 61, fn: '__list_del_entry_valid' };
    case 'del-next-prev': return { message: `list_del corruption. next->prev should be ${px(c.entry)}, but was ${px(c.nextPrev)}. (next=${px(c.next)})`, line: 64, fn: '__list_del_entry_valid' };
  }
}

/** The whole list-corruption report: the pr_err line, then BUG at lib/list_debug.c. */
export function listCorruption(ctx: ReportContext, c: ListCorruption, input: Omit<DieInput, 'rip'> & { rip?: Frame }): KLine[] {
  const m = listCorruptionMessage(c);
  const rip = input.rip ?? (m.fn === '__list_add_valid' ? KFRAMES.list_add_cold : KFRAMES.list_del_cold);
  return [line(3, m.message), ...bugReport(ctx, 'lib/list_debug.c', m.line, { ...input, rip })];
}

// ---- WARN ------------------------------------------------------------------------------------------

export interface WarningInput extends KernelRegsInput {
  readonly file: string;
  readonly line: number;
  /** The formatted WARN() message (a KERN_* prefix sets its level; trailing newline optional). */
  readonly message?: string;
  /** RIP's callers, innermost first. */
  readonly callers: readonly Frame[];
}

/**
 * WARN()/WARN_ON() on x86 (__warn_printk + report_bug + __warn with regs): the cut-here line, the
 * message, `WARNING: CPU: 0 PID: 93 at mm/vmalloc.c:2752 __vunmap+0x31a/0x340`, the modules, the
 * register dump with its trace, and the end marker. The caller adds the W taint afterwards (the
 * banner shows the taints from before the warning, as in the oracle).
 */
export function warning(ctx: ReportContext, input: WarningInput): KLine[] {
  const out: KLine[] = [line(4, CUT_HERE)];
  if (input.message !== undefined) {
    let msg = input.message;
    let level = 4;
    if (msg[0] === '\x01' && msg[1] >= '0' && msg[1] <= '7') {
      level = msg.charCodeAt(1) - 48;
      msg = msg.slice(2);
    }
    if (msg.endsWith('\n')) msg = msg.slice(0, -1);
    out.push(line(level, msg));
  }
  const m = ctx.machine ?? DEBIAN_QEMU;
  out.push(line(4, `WARNING: CPU: ${m.cpu} PID: ${ctx.task.pid} at ${input.file}:${input.line} ${frameSymbol(input.rip, ctx.decode ?? true)}`));
  out.push(line(4, modulesLinkedIn(ctx.modules, ctx.lastUnloaded)));
  out.push(...showRegs(ctx, input, input.callers));
  out.push(line(4, END_TRACE));
  return out;
}

/** mm/vmalloc.c's two vfree() warnings (hashed pointer in the message, oracle line numbers). */
export function vfreeWarning(ctx: ReportContext, kind: 'bad-address' | 'nonexistent', addr: I64, input: Omit<WarningInput, 'file' | 'line' | 'message' | 'rip'> & { rip?: Frame }): KLine[] {
  const p = formatHashedPointer(addr, ctx.hashKey ?? pointerHashKey(0));
  if (kind === 'bad-address') {
    return warning(ctx, { ...input, file: 'mm/vmalloc.c', line: 2752, rip: input.rip ?? KFRAMES.vunmap_bad_address, message: `Trying to vfree() bad address (${p})` });
  }
  return warning(ctx, { ...input, file: 'mm/vmalloc.c', line: 2758, rip: input.rip ?? KFRAMES.vunmap_nonexistent, message: `\x013Trying to vfree() nonexistent vm area (${p})` });
}

/**
 * do_one_initcall()'s WARN when an init function returns with a different preempt count or with
 * interrupts off: `initcall init_module+0x0/0x46 [mod] returned with preemption imbalance `.
 * `initFn` is printed with %pS (offset 0); `what` is the kernel's msgbuf ("preemption imbalance ",
 * "disabled interrupts ", or both), trailing space included.
 */
export function initcallImbalance(ctx: ReportContext, initFn: KernelSymbol, what: string, input: { regs?: Regs; ripAddr?: I64; callers?: readonly Frame[] } = {}): KLine[] {
  const fnText = formatSymbol(0, () => ({ ...initFn, offset: 0 }));
  return warning(ctx, {
    file: 'init/main.c',
    line: 1284,
    rip: KFRAMES.do_one_initcall_warn,
    ripAddr: input.ripAddr,
    regs: input.regs,
    message: `initcall ${fnText} returned with ${what}`,
    callers: input.callers ?? INSMOD_TAIL.slice(1),
  });
}

// ---- sleeping in atomic context --------------------------------------------------------------------

/**
 * The might_sleep() sites of the kernel functions a module calls, as __might_resched() names them
 * (`BUG: sleeping function called from invalid context at <file>:<line>`). Verified in Debian's
 * 6.1.176 source; the oracle's 6.1.192 may differ by a few lines in .c files. Functions not listed
 * here do not call might_sleep() themselves: msleep(), usleep_range() and schedule() reach
 * schedule() directly and report "scheduling while atomic" instead; wait_event*() and
 * cond_resched() expand in the caller, so the site is the student's own file and line.
 */
export const MIGHT_SLEEP_SITES: Readonly<Record<string, { readonly file: string; readonly line: number; readonly why: string }>> = {
  kmalloc: { file: 'include/linux/sched/mm.h', line: 274, why: 'might_alloc() in slab_pre_alloc_hook(), when the gfp flags allow blocking' },
  kzalloc: { file: 'include/linux/sched/mm.h', line: 274, why: 'kmalloc(__GFP_ZERO) → might_alloc()' },
  kcalloc: { file: 'include/linux/sched/mm.h', line: 274, why: 'kmalloc_array() → might_alloc()' },
  kmalloc_array: { file: 'include/linux/sched/mm.h', line: 274, why: 'might_alloc()' },
  krealloc: { file: 'include/linux/sched/mm.h', line: 274, why: 'might_alloc()' },
  kmem_cache_alloc: { file: 'include/linux/sched/mm.h', line: 274, why: 'might_alloc()' },
  kstrdup: { file: 'include/linux/sched/mm.h', line: 274, why: 'kmalloc_track_caller() → might_alloc()' },
  kasprintf: { file: 'include/linux/sched/mm.h', line: 274, why: 'kmalloc_track_caller() → might_alloc()' },
  __get_free_pages: { file: 'include/linux/sched/mm.h', line: 274, why: 'prepare_alloc_pages() → might_alloc()' },
  alloc_pages: { file: 'include/linux/sched/mm.h', line: 274, why: 'prepare_alloc_pages() → might_alloc()' },
  vmalloc: { file: 'include/linux/sched/mm.h', line: 274, why: '__get_vm_area_node() allocates its vm_struct with kzalloc_node() first' },
  vzalloc: { file: 'include/linux/sched/mm.h', line: 274, why: 'as vmalloc()' },
  kvmalloc: { file: 'include/linux/sched/mm.h', line: 274, why: 'kmalloc_node() → might_alloc()' },
  vfree: { file: 'mm/vmalloc.c', line: 2801, why: 'might_sleep_if(!in_interrupt())' },
  vunmap: { file: 'mm/vmalloc.c', line: 2822, why: 'might_sleep()' },
  mutex_lock: { file: 'kernel/locking/mutex.c', line: 283, why: 'might_sleep()' },
  mutex_lock_interruptible: { file: 'kernel/locking/mutex.c', line: 979, why: 'might_sleep()' },
  mutex_lock_killable: { file: 'kernel/locking/mutex.c', line: 1003, why: 'might_sleep()' },
  down: { file: 'kernel/locking/semaphore.c', line: 59, why: 'might_sleep()' },
  down_interruptible: { file: 'kernel/locking/semaphore.c', line: 83, why: 'might_sleep()' },
  down_killable: { file: 'kernel/locking/semaphore.c', line: 110, why: 'might_sleep()' },
  down_read: { file: 'kernel/locking/rwsem.c', line: 1519, why: 'might_sleep()' },
  down_read_interruptible: { file: 'kernel/locking/rwsem.c', line: 1528, why: 'might_sleep()' },
  down_read_killable: { file: 'kernel/locking/rwsem.c', line: 1542, why: 'might_sleep()' },
  down_write: { file: 'kernel/locking/rwsem.c', line: 1572, why: 'might_sleep()' },
  down_write_killable: { file: 'kernel/locking/rwsem.c', line: 1583, why: 'might_sleep()' },
  wait_for_completion: { file: 'kernel/sched/completion.c', line: 101, why: '__wait_for_common() → might_sleep()' },
  wait_for_completion_timeout: { file: 'kernel/sched/completion.c', line: 101, why: '__wait_for_common()' },
  wait_for_completion_interruptible: { file: 'kernel/sched/completion.c', line: 101, why: '__wait_for_common()' },
  copy_from_user: { file: 'lib/usercopy.c', line: 14, why: '_copy_from_user() → might_fault()' },
  copy_to_user: { file: 'lib/usercopy.c', line: 36, why: '_copy_to_user() → might_fault()' },
};

export interface AtomicState {
  /** preempt_count() as the kernel prints it (%x). */
  readonly preemptCount: number;
  readonly irqsDisabled: boolean;
  /** rcu_preempt_depth(). */
  readonly rcuDepth: number;
  /** Where preemption was disabled (print_ip_sym), if known. */
  readonly disabledAt?: { readonly frame: Frame; readonly addr?: I64 };
}

export interface SleepInAtomicInput extends AtomicState {
  readonly file: string;
  readonly line: number;
  /** Frames between __might_resched and the module (e.g. kmalloc_trace), innermost first. */
  readonly kernelFrames?: readonly Frame[];
  /** The module frames and the syscall tail, innermost first. */
  readonly callers: readonly Frame[];
  /**
   * CONFIG_DEBUG_PREEMPT's `Preemption disabled at:` lines (default true: the emulator behaves like
   * a debug kernel; Debian's config has it off).
   */
  readonly debugPreempt?: boolean;
}

/** print_ip_sym(): `[<ffffffffc0a1b02a>] init_module+0x1a/0x60 [mod]`. */
function ipSym(ctx: ReportContext, frame: Frame, addr: I64 | undefined): string {
  return `[<${hex16(addr ?? 0)}>] ${frameSymbol(frame, ctx.decode ?? true)}`;
}

/**
 * __might_resched() with CONFIG_DEBUG_ATOMIC_SLEEP: the BUG line and the context lines at KERN_ERR,
 * `Preemption disabled at:` (DEBUG_PREEMPT), then dump_stack(). The caller adds the W taint.
 */
export function sleepingInAtomic(ctx: ReportContext, input: SleepInAtomicInput): KLine[] {
  const inAtomic = input.preemptCount !== 0 ? 1 : 0;
  const out: KLine[] = [
    line(3, `BUG: sleeping function called from invalid context at ${input.file}:${input.line}`),
    line(3, `in_atomic(): ${inAtomic}, irqs_disabled(): ${input.irqsDisabled ? 1 : 0}, non_block: 0, pid: ${ctx.task.pid}, name: ${ctx.task.comm}`),
    line(3, `preempt_count: ${(input.preemptCount >>> 0).toString(16)}, expected: 0`),
    line(3, `RCU nest depth: ${input.rcuDepth | 0}, expected: 0`),
  ];
  if ((input.debugPreempt ?? true) && input.preemptCount !== 0 && input.disabledAt) {
    // pr_err("Preemption disabled at:") has no newline; the next printk carries a level, so the
    // kernel stores them as two records.
    out.push(line(3, 'Preemption disabled at:'), line(3, ipSym(ctx, input.disabledAt.frame, input.disabledAt.addr)));
  }
  out.push(...dumpStack(ctx, [KFRAMES.might_resched_cold, ...(input.kernelFrames ?? []), ...input.callers]));
  return out;
}

/** Kernel frames between __schedule() and a module's sleeping call, innermost first. */
export const SCHEDULE_PATHS: Readonly<Record<string, readonly Frame[]>> = {
  // Oracle (bug_sleep_spinlock): the timer callback pointer below schedule_timeout is stack junk.
  msleep: [KFRAMES.schedule, KFRAMES.schedule_timeout, kframe('__bpf_trace_tick_stop', 0x10, 0x10, true), KFRAMES.msleep],
  msleep_interruptible: [KFRAMES.schedule, KFRAMES.schedule_timeout, kframe('msleep_interruptible', 0x35, 0x60)],
  ssleep: [KFRAMES.schedule, KFRAMES.schedule_timeout, KFRAMES.msleep],
  schedule: [KFRAMES.schedule],
  schedule_timeout: [KFRAMES.schedule, KFRAMES.schedule_timeout],
  usleep_range: [KFRAMES.schedule, kframe('schedule_hrtimeout_range_clock', 0xa0, 0x120), kframe('usleep_range_state', 0x67, 0xa0)],
  mutex_lock: [KFRAMES.schedule, kframe('schedule_preempt_disabled', 0x11, 0x20), kframe('__mutex_lock.constprop.0', 0x1a4, 0x460), KFRAMES.mutex_lock],
};

export interface ScheduleBugInput extends AtomicState {
  /** Kernel frames from schedule() to the sleeping API (SCHEDULE_PATHS), innermost first. */
  readonly path: readonly Frame[];
  /** Module frames and the syscall tail, innermost first. */
  readonly callers: readonly Frame[];
  readonly debugPreempt?: boolean;
}

/**
 * __schedule_bug(): `BUG: scheduling while atomic: insmod/93/0x00000002`. The printed count
 * includes the preempt_disable() that schedule() itself does, so one spinlock shows 2.
 */
export function schedulingWhileAtomic(ctx: ReportContext, input: ScheduleBugInput): KLine[] {
  const count = ((input.preemptCount + 1) >>> 0).toString(16).padStart(8, '0');
  const out: KLine[] = [
    line(3, `BUG: scheduling while atomic: ${ctx.task.comm}/${ctx.task.pid}/0x${count}`),
    line(4, modulesLinkedIn(ctx.modules, ctx.lastUnloaded)),
  ];
  if ((input.debugPreempt ?? true) && input.disabledAt) {
    out.push(line(3, 'Preemption disabled at:'), line(3, ipSym(ctx, input.disabledAt.frame, input.disabledAt.addr)));
  }
  out.push(...dumpStack(ctx, [KFRAMES.schedule_bug_cold, KFRAMES.schedule_, ...input.path, ...input.callers]));
  return out;
}

// ---- soft lockup -----------------------------------------------------------------------------------

/**
 * kernel/watchdog.c: `watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [insmod:93]` at KERN_EMERG,
 * the modules, then show_regs() of the interrupted code: its RIP is the looping function and the
 * trace starts at its caller, inside ` <TASK>` (the unwinder starts from the interrupted registers,
 * so the IRQ stack is not shown). No ORIG_RAX: 6.1's interrupt entry stores -1. The caller adds
 * the L taint.
 */
export function softLockup(ctx: ReportContext, seconds: number, input: KernelRegsInput & { readonly callers: readonly Frame[] }): KLine[] {
  const m = ctx.machine ?? DEBIAN_QEMU;
  return [
    line(0, `watchdog: BUG: soft lockup - CPU#${m.cpu} stuck for ${Math.max(0, Math.trunc(seconds))}s! [${ctx.task.comm}:${ctx.task.pid}]`),
    line(4, modulesLinkedIn(ctx.modules, ctx.lastUnloaded)),
    ...showRegs(ctx, input, input.callers),
  ];
}

// ---- stack overflow and panic ----------------------------------------------------------------------

/**
 * A VMAP_STACK overflow: the access to the guard page double-faults, exc_double_fault() calls
 * handle_stack_overflow(): `BUG: TASK stack guard page was hit at <%p> (stack is <%p>..<%p>)`, then
 * die("stack guard page") — `stack guard page: 0000 [#1] PREEMPT SMP NOPTI` — and, because the
 * double-fault handler runs as an NMI-like context, oops_end() panics: `Kernel panic - not syncing:
 * Fatal exception in interrupt`. The machine stops there.
 */
export function stackOverflow(ctx: ReportContext, input: DieInput & { readonly guardAddr: I64; readonly stackBegin: I64; readonly stackEnd: I64 }): KLine[] {
  const key = ctx.hashKey ?? pointerHashKey(0);
  const p = (v: I64): string => formatHashedPointer(v, key);
  return [
    line(0, `BUG: TASK stack guard page was hit at ${p(input.guardAddr)} (stack is ${p(input.stackBegin)}..${p(input.stackEnd)})`),
    dieHeader(ctx, 'stack guard page', 0, input.dieCount),
    ...dieBodyAndEnd(ctx, { ...input, cr2: input.guardAddr }),
    ...kernelPanic(ctx, 'Fatal exception in interrupt'),
  ];
}

/** panic(): the message, the KASLR offset (a panic notifier), the end marker. */
export function kernelPanic(ctx: ReportContext, reason: string): KLine[] {
  const m = ctx.machine ?? DEBIAN_QEMU;
  return [
    line(0, `Kernel panic - not syncing: ${reason}`),
    line(0, `Kernel Offset: 0x${u64(m.kaslrOffset).toString(16)} from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)`),
    line(0, `---[ end Kernel panic - not syncing: ${reason} ]---`),
  ];
}

// ---- kmemleak --------------------------------------------------------------------------------------

export interface LeakReport {
  readonly addr: I64;
  readonly size: number;
  readonly comm: string;
  readonly pid: number;
  /** jiffies when the object was allocated. */
  readonly jiffies: number;
  /** Age at the scan, ms. */
  readonly ageMs: number;
  /** The object's bytes (at least min(size, 32) of them). */
  readonly bytes: Uint8Array;
  /** The allocation backtrace, innermost first (kmalloc_trace, init_module, ...), with addresses. */
  readonly backtrace: readonly { readonly frame: Frame; readonly addr: I64 }[];
}

/**
 * hex_dump_to_buffer() with rowsize 16, groupsize 1, ascii: `6b 6b … a5  kkkkkkkkkkkkkkk.` (the
 * ASCII column starts at 49; non-printable and non-ASCII bytes show as `.`).
 */
export function hexDumpRow(bytes: Uint8Array | readonly number[], rowsize = 16): string {
  const n = Math.min(bytes.length, rowsize);
  const hex: string[] = [];
  let ascii = '';
  for (let i = 0; i < n; i++) {
    const b = bytes[i] & 0xff;
    hex.push(b.toString(16).padStart(2, '0'));
    ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
  }
  const h = hex.join(' ');
  return `${h.padEnd(rowsize * 3 + 1, ' ')}${ascii}`;
}

/**
 * mm/kmemleak.c print_unreferenced() for one object, as /sys/kernel/debug/kmemleak shows it:
 * `unreferenced object 0x… (size 64):`, `  comm "insmod", pid 93, jiffies 4294… (age 8.276s)`,
 * `  hex dump (first 32 bytes):`, `    6b 6b …`, `  backtrace:`, `    [<%p>] init_module+…`. The
 * backtrace addresses are %p, so they print hashed.
 */
export function kmemleakObject(ctx: ReportContext, leak: LeakReport): string[] {
  const key = ctx.hashKey ?? pointerHashKey(0);
  const len = Math.min(Math.max(0, leak.size | 0), 32);
  const out: string[] = [
    `unreferenced object 0x${hexN(leak.addr, 8)} (size ${leak.size}):`,
    `  comm "${leak.comm}", pid ${leak.pid}, jiffies ${leak.jiffies} (age ${Math.floor(leak.ageMs / 1000)}.${String(Math.floor(leak.ageMs) % 1000).padStart(3, '0')}s)`,
    `  hex dump (first ${len} bytes):`,
  ];
  for (let off = 0; off < len; off += 16) out.push(`    ${hexDumpRow(leak.bytes.slice(off, Math.min(off + 16, len)))}`);
  out.push('  backtrace:');
  for (const b of leak.backtrace) out.push(`    [<${formatHashedPointer(b.addr, key)}>] ${frameSymbol(b.frame, ctx.decode ?? true)}`);
  return out;
}

/**
 * A kmemleak scan that found new leaks. dmesg gets `kmemleak: N new suspected memory leaks (see
 * /sys/kernel/debug/kmemleak)` (pr_info); with kmemleak.verbose=1 each object is also printed with
 * pr_warn and the `kmemleak: ` prefix before it. `debugfs` is the text of /sys/kernel/debug/kmemleak.
 */
export function kmemleakScan(ctx: ReportContext, leaks: readonly LeakReport[], options: { verbose?: boolean } = {}): { dmesg: KLine[]; debugfs: string[] } {
  const debugfs: string[] = [];
  const dmesg: KLine[] = [];
  for (const leak of leaks) {
    const obj = kmemleakObject(ctx, leak);
    debugfs.push(...obj);
    if (options.verbose) for (const l of obj) dmesg.push(line(4, `kmemleak: ${l}`));
  }
  if (leaks.length) dmesg.push(line(6, `kmemleak: ${leaks.length} new suspected memory leaks (see /sys/kernel/debug/kmemleak)`));
  return { dmesg, debugfs };
}

/** jiffies at a time since boot (for LeakReport.jiffies). */
export function jiffiesAt(ns: number): number {
  return INITIAL_JIFFIES + Math.floor(Math.max(0, ns) / (1e9 / HZ));
}

// ---- module loader and user space ------------------------------------------------------------------

/** kernel/module/main.c and kernel/params.c messages, with their printk levels. */
export const MODULE_MESSAGES = {
  outOfTree: (mod: string): KLine => line(4, `${mod}: loading out-of-tree module taints kernel.`),
  /** pr_notice_once: only the first unsigned module of a boot prints it. */
  unsigned: (mod: string): KLine => line(5, `${mod}: module verification failed: signature and/or required key missing - tainting kernel`),
  /** set_license(): printed only while the kernel is not yet P-tainted. */
  license: (mod: string, license: string | undefined): KLine => line(4, `${mod}: module license '${license ?? 'unspecified'}' taints kernel.`),
  /** add_taint() with LOCKDEP_NOW_UNRELIABLE, the first time only. */
  lockDebuggingOff: (): KLine => line(4, 'Disabling lock debugging due to kernel taint'),
  unknownSymbol: (mod: string, sym: string, err = -2): KLine => line(4, `${mod}: Unknown symbol ${sym} (err ${err})`),
  unknownParameter: (mod: string, param: string): KLine => line(4, `${mod}: unknown parameter '${param}' ignored`),
  /** parse_args(): note the backtick quoting. */
  invalidParameter: (mod: string, value: string, param: string): KLine => line(3, `${mod}: \`${value}' invalid for parameter \`${param}'`),
  tooLargeParameter: (mod: string, value: string, param: string): KLine => line(3, `${mod}: \`${value}' too large for parameter \`${param}'`),
  stringParamTooLong: (param: string): KLine => line(3, `${param}: string parameter too long`),
  alreadyLoaded: (mod: string): KLine => line(3, `${mod}: module is already loaded`),
  gplOnlyFromProprietary: (mod: string, sym: string, owner: string): KLine => line(3, `${mod}: module using GPL-only symbols uses symbols ${sym} from proprietary module ${owner}.`),
} as const;

/**
 * do_init_module() for an init that returned a positive value: one record of two lines, then
 * dump_stack() from do_init_module.cold.
 */
export function suspiciousInit(ctx: ReportContext, mod: string, ret: number): KLine[] {
  return [
    line(4, `do_init_module: '${mod}'->init suspiciously returned ${ret}, it should follow 0/-E convention\ndo_init_module: loading module anyway...`),
    ...dumpStack(ctx, [KFRAMES.do_init_module_cold, ...INSMOD_TAIL.slice(2)]),
  ];
}

/** The taint lines load_module() prints for a module, given what was already tainted. */
export function moduleLoadTaintLines(mod: string, license: string | undefined, before: Taints, gplCompatible: boolean): { lines: KLine[]; add: string } {
  const m = taintMask(before);
  const has = (c: string): boolean => (m & taintMask(c)) !== 0;
  const lines: KLine[] = [];
  let add = '';
  if (!gplCompatible) {
    if (!has('P')) lines.push(MODULE_MESSAGES.license(mod, license), MODULE_MESSAGES.lockDebuggingOff());
    add += 'P';
  }
  if (!has('O')) lines.push(MODULE_MESSAGES.outOfTree(mod));
  add += 'O';
  if (!has('E')) lines.push(MODULE_MESSAGES.unsigned(mod));
  add += 'E';
  return { lines, add };
}

/** The insmod line kmod prints for a failed load (errno positive or negative). */
export function insmodFailure(koFile: string, errno: number): string {
  return insmodErrorLine(koFile, errno);
}

// ---- small helpers for callers ---------------------------------------------------------------------

/** A module frame for a span (offset and size as the emulator's code layout gives them). */
export function moduleFrame(fn: string, module: string, offset: number, size: number, span?: Span, unreliable = false): Frame {
  return { fn, module, offset, size, span, unreliable };
}

/**
 * A symbolizer over the emulator's function table (`Machine.byAddr` values): an address inside a
 * function resolves to it with the offset, for %pS and friends.
 */
export function symbolizerFor(functions: Iterable<{ readonly name: string; readonly addr: I64; readonly size: number; readonly module?: string }>): Symbolizer {
  const table = [...functions]
    .map((f) => ({ name: f.name, start: u64(f.addr), size: Math.max(1, f.size | 0), module: f.module }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return (addr: I64): KernelSymbol | null => {
    const a = u64(addr);
    let lo = 0;
    let hi = table.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (table[mid].start <= a) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return null;
    const f = table[best];
    const off = a - f.start;
    if (off >= BigInt(f.size)) return null;
    return { name: f.name, offset: Number(off), size: f.size, module: f.module };
  };
}

// ---- the Kernel's report table ---------------------------------------------------------------------

export interface KernelReportsOptions {
  readonly machine?: MachineInfo;
  /** decode_stacktrace.sh-style module frames (default true). */
  readonly decode?: boolean;
  /** kmemleak.verbose=1: print each leaked object to dmesg too (default true, for teaching). */
  readonly kmemleakVerbose?: boolean;
  /** CONFIG_DEBUG_PREEMPT's `Preemption disabled at:` (default true). */
  readonly debugPreempt?: boolean;
}

/**
 * The kernel frames between a faulting kernel function and the module code that called it, for
 * faults inside kernel helpers: printk's %s reading a user pointer faults in string(), under
 * vsnprintf and printk (as the oracle showed for the guide's chardev2).
 */
const KERNEL_CALLERS: Readonly<Record<string, readonly Frame[]>> = {
  string: [kframe('vsnprintf', 0x32c, 0x550), kframe('vprintk_store', 0x1c1, 0x520), kframe('vprintk_emit', 0xec, 0x290), kframe('_printk', 0x68, 0x83)],
};

/**
 * dump_pagetable() for an address in the module area that is not mapped (freed module memory): the
 * upper tables exist, the PTE is empty, as the oracle printed it for proc_forget (values of one boot).
 */
function moduleAreaFault(addr: I64): { pageTable: string } | undefined {
  const a = u64(addr);
  return a >= 0xffffffffc0000000n && a < 0xffffffffff000000n ? { pageTable: 'PGD f614067 P4D f615067 PUD f617067 PMD 132e067 PTE 0 ' } : undefined;
}

/**
 * dump_pagetable() for a user address faulted on by a kernel thread (a kthread or a kworker: its
 * trace ends in ret_from_fork). It has no mm of its own and runs on the page tables of the last
 * user task (lazy TLB), whose upper tables exist down to an empty PMD, as the oracle printed it for
 * kthread_oops (values of one boot).
 */
function kernelThreadFault(k: Kernel, addr: I64): { pageTable: string } | undefined {
  const tail = k.current?.tail;
  const kthread = tail !== undefined && tail[tail.length - 1]?.fn === 'ret_from_fork';
  return kthread && u64(addr) < 1n << 47n ? { pageTable: 'PGD 1f68e067 P4D 1f68f067 PUD 1f690067 PMD 0 ' } : undefined;
}

/**
 * The `KernelReports` table the Kernel prints through, built from the pure builders above. It
 * reads the Kernel's task, taints, module list, context and the running module's call trace.
 * Lines come back as plain strings (multi-line records split); use the builders directly for levels.
 */
export function createKernelReports(options: KernelReportsOptions = {}): KernelReports {
  const ctxOf = (k: Kernel): ReportContext => ({
    machine: options.machine,
    task: k.task,
    taints: k.taints,
    modules: k.modulesLinkedIn(),
    lastUnloaded: lastUnloaded(k),
    hashKey: pointerHashKey(k.options.seed),
    decode: options.decode,
    userRegs: syscallUserRegs(k) ?? (k.current?.phase === 'exit' ? RMMOD_USER_REGS : INSMOD_USER_REGS),
  });
  const phaseOf = (k: Kernel): 'init' | 'exit' => (k.current?.phase === 'exit' ? 'exit' : 'init');
  const initAddr = (k: Kernel): I64 | undefined => {
    const m = k.current?.module;
    return typeof m === 'object' && k.current?.phase === 'init' ? m.init?.addr : undefined;
  };
  /** The module frames (innermost first) followed by the syscall path. */
  const frames = (k: Kernel): Frame[] => {
    // A callback the kernel runs (timer, work item) sits on its own kernel path, not a syscall's.
    const tail = k.current?.tail;
    return tail ? [...k.trace(), ...tail] : taskFrames(k.trace(), phaseOf(k), initAddr(k));
  };
  /** RIP in the innermost module frame, the rest as its callers. */
  const split = (k: Kernel): { rip: Frame; callers: Frame[] } => {
    const all = frames(k);
    const rip = all[0] ?? kframe('0x0', 0, 0);
    return { rip, callers: all.slice(1) };
  };
  const txt = (lines: KLine[]): string[] => reportText(lines);
  const regsFor = (k: Kernel): Regs => ({ rsp: k.machine.sp, eflags: 0x246 });
  const atomic = (k: Kernel): AtomicState => {
    const at = k.ctx.disabledAt;
    const f = at?.frames[0];
    return {
      preemptCount: k.ctx.raw,
      irqsDisabled: k.ctx.irqsDisabled,
      rcuDepth: k.ctx.rcuDepth,
      disabledAt: f ? { frame: f } : undefined,
    };
  };
  return {
    softLockup(k: Kernel, seconds: number): string[] {
      const { rip, callers } = split(k);
      return txt(softLockup(ctxOf(k), seconds, { rip, callers, regs: regsFor(k) }));
    },
    stackOverflow(k: Kernel, fn: CompiledFunction): string[] {
      const { rip, callers } = split(k);
      const bottom = k.machine.stackLimit;
      return txt(stackOverflow(ctxOf(k), {
        rip: k.trace().length ? rip : kframe(fn.name, 0, fn.size),
        callers,
        regs: { ...regsFor(k), rsp: bottom - 8 },
        guardAddr: bottom - 8,
        stackBegin: bottom,
        stackEnd: k.machine.stackTop,
      }));
    },
    divideError(k: Kernel): string[] {
      const { rip, callers } = split(k);
      return txt(divideError(ctxOf(k), { rip, callers, regs: regsFor(k) }));
    },
    pageFault(k: Kernel, addr: I64, write: boolean, exec: boolean, ip?: Frame): string[] {
      const { rip, callers } = ip ? { rip: ip, callers: [...(KERNEL_CALLERS[ip.fn] ?? []), ...frames(k)] } : split(k);
      // The Kernel prints make_task_dead()'s note itself after the task dies (see exitNote()).
      return txt(pageFaultOops(ctxOf(k), { rip, callers, regs: regsFor(k), address: addr, write, exec, exitNote: false, ...(userFaultDetails(k, addr) ?? moduleAreaFault(addr) ?? kernelThreadFault(k, addr)) }));
    },
    sleepingInAtomic(k: Kernel, where: string): string[] {
      const m = /^(.*):(\d+)$/.exec(where);
      const a = atomic(k);
      return txt(sleepingInAtomic(ctxOf(k), { ...a, file: m ? m[1] : where, line: m ? Number(m[2]) : 0, callers: frames(k), debugPreempt: options.debugPreempt }));
    },
    schedulingWhileAtomic(k: Kernel, api: string): string[] {
      return txt(schedulingWhileAtomic(ctxOf(k), { ...atomic(k), path: SCHEDULE_PATHS[api] ?? [KFRAMES.schedule], callers: frames(k), debugPreempt: options.debugPreempt }));
    },
    initcallImbalance(k: Kernel, fn: CompiledFunction, what: string): string[] {
      return txt(initcallImbalance(ctxOf(k), { name: fn.name, offset: 0, size: fn.size, module: fn.module }, what));
    },
    suspiciousInit(k: Kernel, name: string, ret: number): string[] {
      return txt(suspiciousInit(ctxOf(k), name, ret));
    },
    kmemleak(k: Kernel, leaks: LeakInfo[]): string[] {
      const reports: LeakReport[] = leaks.map((l) => ({
        addr: l.addr,
        size: l.size,
        comm: 'insmod',
        pid: 93,
        jiffies: l.jiffies,
        ageMs: Math.floor(l.ageNanos / 1e6),
        bytes: l.bytes,
        backtrace: [KFRAMES.kmalloc_trace, ...l.frames].map((frame, i) => ({ frame, addr: 0xffffffffc0000000n + BigInt(i) })),
      }));
      return txt(kmemleakScan(ctxOf(k), reports, { verbose: options.kmemleakVerbose ?? true }).dmesg);
    },
    dumpStack(k: Kernel, above: readonly Frame[] = []): string[] {
      return txt(dumpStack(ctxOf(k), above.length ? [...above, ...frames(k)] : frames(k)));
    },
    bug(k: Kernel, file: string, lineNo: number): string[] {
      const all = frames(k);
      const kernelRip = file === 'lib/list_debug.c' ? (lineNo <= 35 ? KFRAMES.list_add_cold : KFRAMES.list_del_cold) : file === 'mm/slub.c' ? KFRAMES.kmem_cache_free_bug : undefined;
      const rip = kernelRip ?? all[0] ?? kframe('0x0', 0, 0);
      const callers = kernelRip ? all : all.slice(1);
      return txt(bugReport(ctxOf(k), file, lineNo, { rip, callers, regs: regsFor(k) }));
    },
    mmWarning(k: Kernel, w: { message?: string; file: string; line: number; ip: Frame }): string[] {
      return txt(warning(ctxOf(k), { file: w.file, line: w.line, message: w.message, rip: w.ip, callers: frames(k), regs: regsFor(k) }));
    },
    mmBug(k: Kernel, file: string, lineNo: number, ip: Frame): string[] {
      return txt(bugReport(ctxOf(k), file, lineNo, { rip: ip, callers: frames(k), regs: regsFor(k) }));
    },
    warnAt(k: Kernel, file: string, lineNo: number, msg: string | undefined): string[] {
      const { rip, callers } = split(k);
      return txt(warning(ctxOf(k), { file, line: lineNo, message: msg, rip, callers, regs: regsFor(k) }));
    },
  };
}
