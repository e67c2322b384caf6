// The kernel worker's state and request handling, independent of how messages arrive (a Node
// worker thread, a Web Worker, or a direct call in the unit tests). It keeps the emulated machine
// booted by the last Load so that Unload runs rmmod on it and Reload runs rmmod + insmod on it, as
// on a real machine. Requests are handled one at a time, synchronously: a module in an endless loop
// runs until the core's soft-lockup watchdog stops it, and the extension keeps the editor free by
// talking to this worker only through messages.
//
// Invariant: `handle` never throws; a thrown error is a bug in Kernel Module Lab and comes back as
// an `internal-error` reply, never as a diagnostic in the student's code.

import { CODES, KERNEL_EXPORTS, Shell, bootKernel, formatTimestamp, frontEnd, insmod, kernelHeaders, rmmod } from '../../core/index';
import type { Booted, Diagnostic, FrontEndResult, RuntimeFinding } from '../../core/index';
import { MemmapRecorder, memmapDelta, memmapSnapshot } from '../../core/memmap/index';
import type {
  AnalyzeReply,
  ApiTableReply,
  FromWorker,
  KernelReply,
  LoadRequest,
  MemmapReply,
  MemmapRequest,
  ModuleSource,
  ModuleState,
  ReloadRequest,
  FrontEndLimits,
  RunSettings,
  ShellReply,
  ShellRequest,
  SnapshotReply,
  ToWorker,
  WireDiagnostic,
  WireFinding,
} from '../../protocol/kernel';
import { staticDiagnostics } from '../analysis';
import { allocationSizes, entryRanges, toWireRange } from './facts';

/** Taint letters that mean the kernel hit a bug (not just O/E for an unsigned out-of-tree module). */
const BUG_TAINTS = ['B', 'D', 'W', 'L'];

export class KernelSession {
  /**
   * The machine kept from the last Load, with how much of its log (the next printk sequence number:
   * the shell's `dmesg -c` may clear lines, so not a line count) and findings was sent already, and
   * the memory map's recorder, attached from boot so the map can step back through the run.
   */
  private machine: { booted: Booted; module: string; logSeq: number; findingsSent: number; recorder: MemmapRecorder } | undefined;
  /**
   * Once the memory map has been asked for, the recorder of later Loads traces every heap write
   * (exact contents at every step, at a cost per store); before, it watches recent objects only.
   */
  private traceWrites = false;

  handle(msg: ToWorker): FromWorker {
    try {
      switch (msg.type) {
        case 'load':
          return this.load(msg);
        case 'unload':
          return this.unload(msg.id);
        case 'reload':
          return this.reload(msg);
        case 'snapshot':
          return this.snapshot(msg.id);
        case 'memmap':
          return this.memmap(msg);
        case 'analyze':
          return analyzeSource(msg.id, msg.source, msg.analyze, msg.limits);
        case 'api-table':
          return apiTable(msg.id);
        case 'shell':
          return this.shell(msg);
      }
    } catch (e) {
      return { type: 'internal-error', inReplyTo: (msg as { id: number }).id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }

  /** Boot a fresh machine and insmod (Load Module). */
  private load(req: LoadRequest | ReloadRequest, op: 'load' | 'reload' = 'load'): KernelReply {
    this.machine = undefined;
    const fe = readModule(req.source, req.settings.limits);
    const buildErrors = fe.diagnostics.filter((d) => d.severity === 'error');
    if (buildErrors.length) return this.failedBuild(req.id, op, fe, buildErrors);
    const booted = bootKernel(kernelOptions(req.settings));
    this.machine = { booted, module: fe.moduleName, logSeq: 0, findingsSent: 0, recorder: new MemmapRecorder(booted, this.traceWrites) };
    const unsupportedBefore = booted.kernel.unsupported.length;
    const ins = insmod(booted.kernel, fe, req.params ?? '');
    const tools = [{ tool: 'insmod' as const, status: ins.status, stderr: ins.stderr }];
    const unsupported = booted.kernel.unsupported.slice(unsupportedBefore).map(toWireDiagnostic);
    return this.reply(req.id, op, true, tools, unsupported, ins.status !== 0 || unsupported.length > 0);
  }

  /** rmmod on the kept machine (Unload Module). */
  private unload(id: number): KernelReply {
    const m = this.machine;
    if (!m) return { type: 'kernel', inReplyTo: id, op: 'unload', booted: false, log: [], tools: [], buildErrors: [], findings: [], state: 'not-loaded', module: '' };
    const rm = rmmod(m.booted.kernel, m.module);
    return this.reply(id, 'unload', false, [{ tool: 'rmmod', status: rm.status, stderr: rm.stderr }], [], rm.status !== 0);
  }

  /** rmmod then insmod of the current source on the same machine; a fresh Load when there is none. */
  private reload(req: ReloadRequest): KernelReply {
    const m = this.machine;
    if (!m || m.booted.kernel.panicked) return this.load(req, 'reload');
    const fe = readModule(req.source, req.settings.limits);
    const buildErrors = fe.diagnostics.filter((d) => d.severity === 'error');
    // A module that does not build never reaches the machine: the loaded one stays as it is.
    if (buildErrors.length) return this.failedBuild(req.id, 'reload', fe, buildErrors, this.stateOf(false));
    const k = m.booted.kernel;
    const tools: KernelReply['tools'][number][] = [];
    if (k.modules.has(m.module)) {
      const rm = rmmod(k, m.module);
      tools.push({ tool: 'rmmod', status: rm.status, stderr: rm.stderr });
      if (rm.status !== 0) return this.reply(req.id, 'reload', false, tools, [], true);
    }
    m.module = fe.moduleName;
    const unsupportedBefore = k.unsupported.length;
    const ins = insmod(k, fe, req.params ?? '');
    tools.push({ tool: 'insmod', status: ins.status, stderr: ins.stderr });
    const unsupported = k.unsupported.slice(unsupportedBefore).map(toWireDiagnostic);
    return this.reply(req.id, 'reload', false, tools, unsupported, ins.status !== 0 || unsupported.length > 0);
  }

  /** The kernel shell of the kept machine; a new one when Load booted a new machine. */
  private terminal: Shell | undefined;

  /** A line of the kernel shell, on the machine Load kept (a fresh one when there is none). */
  private shell(req: ShellRequest): ShellReply {
    if (!this.machine) {
      const booted = bootKernel(kernelOptions(req.settings));
      this.machine = { booted, module: '', logSeq: 0, findingsSent: 0, recorder: new MemmapRecorder(booted, this.traceWrites) };
    }
    const modules = req.modules.map((m) => ({ fileName: m.fileName, text: m.text, readLocal: (name: string) => m.locals[name] }));
    let notice = '';
    if (this.terminal?.machine !== this.machine.booted) {
      if (this.terminal) notice = 'kmodlab: Load Module booted a new machine; this shell now runs on it\n';
      this.terminal = new Shell(this.machine.booted, modules);
    } else this.terminal.setModules(modules);
    const sh = this.terminal;
    sh.terminalColumns = req.columns;
    const r = req.followMs !== undefined ? { output: sh.followTick(req.followMs * 1e6), status: sh.status, follow: true, exit: false } : sh.run(req.line);
    const m = this.machine;
    const log = logSince(m);
    return { type: 'shell', inReplyTo: req.id, output: notice + r.output, log, status: r.status, prompt: sh.prompt(), follow: r.follow, exit: r.exit };
  }

  private snapshot(id: number): SnapshotReply {
    return { type: 'snapshot', inReplyTo: id, snapshot: this.machine?.booted.snapshot() };
  }

  private memmap(req: MemmapRequest): MemmapReply {
    this.traceWrites = true;
    const m = this.machine;
    if (!m) return { type: 'memmap', inReplyTo: req.id };
    if (req.from !== undefined) return { type: 'memmap', inReplyTo: req.id, delta: memmapDelta(m.recorder, req.from, req.at ?? Infinity) };
    return { type: 'memmap', inReplyTo: req.id, snapshot: memmapSnapshot(m.recorder, m.module, req.at) };
  }

  private failedBuild(id: number, op: KernelReply['op'], fe: FrontEndResult, errors: Diagnostic[], state: ModuleState = 'failed'): KernelReply {
    return { type: 'kernel', inReplyTo: id, op, booted: false, log: [], tools: [], buildErrors: errors.map(toWireDiagnostic), findings: [], state, module: fe.moduleName };
  }

  /** The log lines and findings that are new since the last reply, and the module's state. */
  private reply(id: number, op: KernelReply['op'], booted: boolean, tools: KernelReply['tools'], buildErrors: WireDiagnostic[], toolFailed: boolean): KernelReply {
    const m = this.machine!;
    const log = logSince(m);
    const findings = m.booted.kernel.findings;
    const reply: KernelReply = {
      type: 'kernel',
      inReplyTo: id,
      op,
      booted,
      log,
      tools,
      buildErrors,
      findings: findings.slice(m.findingsSent).map(toWireFinding),
      state: this.stateOf(toolFailed),
      module: m.module,
    };
    m.findingsSent = findings.length;
    return reply;
  }

  private stateOf(toolFailed: boolean): ModuleState {
    if (toolFailed) return 'failed';
    const m = this.machine;
    if (!m) return 'not-loaded';
    const k = m.booted.kernel;
    if (k.modules.get(m.module)?.state !== 'live') return 'not-loaded';
    return k.panicked || BUG_TAINTS.some((t) => k.taints.has(t)) ? 'tainted' : 'live';
  }
}

/** Front end, then the analyzer when asked; plus the parse facts for CodeLens and hovers. */
export function analyzeSource(id: number, source: ModuleSource, analyze: boolean, limits?: FrontEndLimits): AnalyzeReply {
  const fe = readModule(source, limits);
  const diagnostics = analyze ? staticDiagnostics(fe) : fe.diagnostics;
  return {
    type: 'analyze',
    inReplyTo: id,
    diagnostics: diagnostics.map(toWireDiagnostic),
    ...entryRanges(fe),
    allocations: allocationSizes(fe),
    analyzed: analyze,
  };
}

function apiTable(id: number): ApiTableReply {
  return {
    type: 'api-table',
    inReplyTo: id,
    apis: KERNEL_EXPORTS.map((e) => ({
      name: e.name,
      header: e.header,
      proto: e.proto,
      doc: e.doc,
      sleeps: e.sleeps,
      gfpArg: e.gfpArg,
      nullable: e.nullable,
      allocates: e.allocates,
      docUrl: e.docUrl,
    })),
  };
}

/**
 * The log lines recorded since the machine's `logSeq`, as dmesg prints them, including lines the
 * shell's `dmesg -c` has cleared since (the Kernel Log shows everything once); advances `logSeq`.
 */
function logSince(m: { booted: Booted; logSeq: number }): string[] {
  const printk = m.booted.printk;
  const lines = printk.all().filter((r) => r.seq >= m.logSeq).flatMap((r) => r.text.split('\n').map((l) => `${formatTimestamp(r.tsNanos)} ${l}`));
  m.logSeq = printk.seq;
  return lines;
}

function readModule(source: ModuleSource, limits: FrontEndLimits | undefined): FrontEndResult {
  return frontEnd({ fileName: source.fileName, text: source.text, readLocal: (name) => source.locals[name], limits }, kernelHeaders());
}

function kernelOptions(s: RunSettings) {
  return {
    config: s.config,
    ramBytes: s.ramBytes,
    seed: s.seed,
    failNth: s.failNth && s.failNth > 0 ? s.failNth : undefined,
    failProbability: s.failRate && s.failRate > 0 ? s.failRate : undefined,
    softLockupSeconds: s.softLockupSeconds,
    stackBytes: s.stackBytes,
    eventLogCap: s.eventLogCap,
  };
}

export function toWireDiagnostic(d: Diagnostic): WireDiagnostic {
  return {
    code: d.code,
    rule: d.rule,
    severity: d.severity,
    range: toWireRange(d.span),
    message: d.message,
    related: d.related.map((r) => ({ range: toWireRange(r.span), message: r.message })),
    fixes: d.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ range: toWireRange(e.span), newText: e.newText })) })),
    docUrl: CODES.get(d.code)?.doc,
  };
}

/** Runtime rules whose static twin is in the catalog: the finding links to that entry's documentation. */
const RUNTIME_RULE_CODES: Readonly<Record<string, string>> = {
  'atomic-sleep': 'KM3001',
  'free-mismatch': 'KM3003',
  'invalid-free': 'KM3003',
  leak: 'KM3004',
  'double-free': 'KM3005',
  'kasan-double-free': 'KM3005',
  'kasan-use-after-free': 'KM3006',
  'stack-overflow': 'KM3007',
};

/** Documentation for runtime rules without a catalog twin. */
const RUNTIME_RULE_DOCS: Readonly<Record<string, string>> = {
  oops: 'https://www.kernel.org/doc/html/v6.1/admin-guide/bug-hunting.html',
  bug: 'https://www.kernel.org/doc/html/v6.1/admin-guide/bug-hunting.html',
  warning: 'https://www.kernel.org/doc/html/v6.1/admin-guide/bug-hunting.html',
  'soft-lockup': 'https://www.kernel.org/doc/html/v6.1/admin-guide/lockup-watchdogs.html',
  'list-corruption': 'https://www.kernel.org/doc/html/v6.1/core-api/kernel-api.html#list-management-functions',
  'fault-injection': 'https://www.kernel.org/doc/html/v6.1/fault-injection/fault-injection.html',
};

function runtimeDocUrl(rule: string): string | undefined {
  const code = RUNTIME_RULE_CODES[rule];
  if (code) return CODES.get(code)?.doc;
  if (rule.startsWith('kasan-')) return 'https://www.kernel.org/doc/html/v6.1/dev-tools/kasan.html';
  return RUNTIME_RULE_DOCS[rule];
}

function toWireFinding(f: RuntimeFinding): WireFinding {
  return {
    rule: f.rule,
    message: f.message,
    range: f.span ? toWireRange(f.span) : undefined,
    related: f.related.map((r) => ({ range: toWireRange(r.span), message: r.message })),
    report: f.report,
    docUrl: runtimeDocUrl(f.rule),
  };
}
