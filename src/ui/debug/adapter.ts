// The `kmodlab` debug adapter (Debug Adapter Protocol, @vscode/debugadapter). It runs inline in the
// extension host (and in-process in the tests) and keeps no machine state of its own: the module
// runs in a debug worker, which stops and blocks at each stop while this adapter forwards the
// editor's requests to it through the shared buffer (see src/protocol/debug.ts).
//
// One thread (the insmod/rmmod task). Positions are 1-based on both sides (linesStartAt1). Kernel
// helpers of the virtual headers are served as sources by reference (`linux/list.h`). No vscode
// import: the extension wires the adapter in src/ui/debug/register.ts.

import { DebugSession, InitializedEvent, OutputEvent, Source, StoppedEvent, TerminatedEvent, Thread } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DataBreakpoint, KernelConfigName, Resume, SourceBreakpoint } from '../../core/index';
import type { DebugRequest, DebugStart, FromDebugWorker, PausedRequest, ReplyBodies, WireLocation, WireStop } from '../../protocol/debug';
import { CTL_LEN, CTL_PAUSE, CTL_SEQ, DEBUG_DATA_OFFSET, DEBUG_SHARED_BYTES } from '../../protocol/debug';
import type { ModuleSource } from '../../protocol/kernel';
import type { WorkerLike } from '../kernelClient';

/** The launch configuration's attributes (package.json `debuggers[].configurationAttributes`). */
export interface KmodlabLaunchArgs extends DebugProtocol.LaunchRequestArguments {
  /** The module's C file. */
  program: string;
  stopOnEntry?: boolean;
  /** Run rmmod after init (default true), so cleanup_module can be debugged too. */
  unload?: boolean;
  /** insmod's parameter words, `count=3 name="x"`. */
  params?: string;
  /** Step into list_add_tail and the other C helpers of the kernel headers. */
  stepIntoKernelHelpers?: boolean;
  kernelConfig?: KernelConfigName;
  seed?: number;
  ramMiB?: number;
  softLockupSeconds?: number;
}

/** A started debug worker (a Node worker thread running dist/debugWorker.js). */
export type DebugWorkerPort = WorkerLike<DebugStart, FromDebugWorker>;

export interface AdapterHost {
  startWorker(): DebugWorkerPort;
  /** The module's text (unsaved edits included) and its local includes; undefined if unreadable. */
  readModule(program: string): Promise<ModuleSource | undefined>;
  /** Called after each stop is reported (the memory map follows the debugger through it). */
  onStopped?(): void;
}

const THREAD_ID = 1;
const REPORTS_FILTER = 'kernel-reports';

export class KmodlabDebugSession extends DebugSession {
  private worker: DebugWorkerPort | undefined;
  private shared: SharedArrayBuffer | undefined;
  private stopped: WireStop | undefined;
  private program = '';
  private nextId = 1;
  private readonly pending = new Map<number, (body: unknown) => void>();
  /** Requests go one at a time: the shared buffer holds one. */
  private queue: Promise<unknown> = Promise.resolve();
  private breakpoints = new Map<string, SourceBreakpoint[]>();
  private dataBreakpoints: DataBreakpoint[] = [];
  private breakOnReports = true;
  /**
   * Breakpoints or filters changed while the module ran: the worker is paused to take them and
   * resumed at once, with no stop shown in the editor (unless the student pressed Pause too).
   */
  private settingsChanged = false;
  private userPaused = false;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => (this.configured = resolve));
  private bpId = 1;

  constructor(private readonly host: AdapterHost) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsStepBack: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDataBreakpoints: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      supportsRestartRequest: false,
      exceptionBreakpointFilters: [
        { filter: REPORTS_FILTER, label: 'Kernel reports', description: 'Stop at an Oops, KASAN report, sleeping-in-atomic BUG, soft lockup or leak', default: true },
      ],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured();
  }

  protected async launchRequest(response: DebugProtocol.LaunchResponse, args: KmodlabLaunchArgs): Promise<void> {
    this.program = args.program;
    const source = await this.host.readModule(args.program);
    if (source === undefined) return this.sendErrorResponse(response, 1, `Cannot read the module source ${args.program}`);
    await this.configurationDone;
    this.shared = new SharedArrayBuffer(DEBUG_SHARED_BYTES);
    const worker = this.host.startWorker();
    this.worker = worker;
    worker.onMessage((m) => this.fromWorker(m));
    worker.onFailure((err) => {
      if (this.worker !== worker) return;
      this.sendEvent(new OutputEvent(`Kernel Module Lab: the debug worker failed: ${err.message}\n`, 'stderr'));
      this.end();
    });
    worker.post({
      type: 'start',
      locals: source.locals,
      launch: {
        fileName: source.fileName, text: source.text, params: args.params, unload: args.unload ?? true, stepIntoHeaders: args.stepIntoKernelHelpers ?? false,
        config: args.kernelConfig, seed: args.seed, ramBytes: args.ramMiB ? args.ramMiB << 20 : undefined,
        softLockupSeconds: args.softLockupSeconds,
      },
      stopOnEntry: args.stopOnEntry ?? false,
      breakOnReports: this.breakOnReports,
      breakpoints: [...this.breakpoints.values()].flat(),
      shared: this.shared,
    });
    this.sendResponse(response);
  }

  private fromWorker(m: FromDebugWorker): void {
    switch (m.type) {
      case 'stopped': {
        this.stopped = m.stop;
        if (this.settingsChanged) {
          this.settingsChanged = false;
          const pushed = this.pushSettings();
          if (m.stop.reason === 'pause' && !this.userPaused) {
            void pushed.then(() => this.resume('continue'));
            return;
          }
        }
        this.userPaused = false;
        const e = new StoppedEvent(m.stop.reason, THREAD_ID, m.stop.exception?.message ?? m.stop.description) as DebugProtocol.StoppedEvent;
        e.body.hitBreakpointIds = [...m.stop.breakpointIds];
        if (m.stop.exception) e.body.text = m.stop.exception.report.join('\n');
        e.body.allThreadsStopped = true;
        this.sendEvent(e);
        this.host.onStopped?.();
        return;
      }
      case 'reply':
        this.pending.get(m.inReplyTo)?.(m.body);
        this.pending.delete(m.inReplyTo);
        return;
      case 'output':
        this.sendEvent(new OutputEvent(m.text, m.category));
        return;
      case 'ended':
        for (const line of m.summary) this.sendEvent(new OutputEvent(`${line}\n`, 'console'));
        this.end();
        return;
      case 'internal-error':
        this.sendEvent(new OutputEvent(`Kernel Module Lab internal error: ${m.message}\n`, 'stderr'));
        this.end();
        return;
    }
  }

  private end(): void {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    this.stopped = undefined;
    for (const resolve of this.pending.values()) resolve(undefined);
    this.pending.clear();
    w.terminate();
    this.sendEvent(new TerminatedEvent());
  }

  /** Write a request into the shared buffer and wake the stopped worker. */
  private write(req: DebugRequest): void {
    const shared = this.shared!;
    const bytes = new TextEncoder().encode(JSON.stringify(req));
    new Uint8Array(shared, DEBUG_DATA_OFFSET).set(bytes);
    const ctl = new Int32Array(shared, 0, 4);
    Atomics.store(ctl, CTL_LEN, bytes.length);
    Atomics.add(ctl, CTL_SEQ, 1);
    Atomics.notify(ctl, CTL_SEQ);
  }

  /** A paused-state request; undefined when the machine is not stopped. */
  private ask<K extends PausedRequest['type']>(req: Extract<PausedRequest, { type: K }>): Promise<ReplyBodies[K] | undefined> {
    const run = async (): Promise<ReplyBodies[K] | undefined> => {
      if (!this.stopped || !this.worker) return undefined;
      const id = this.nextId++;
      const reply = new Promise<unknown>((resolve) => this.pending.set(id, resolve));
      this.write({ ...req, id } as DebugRequest);
      return (await reply) as ReplyBodies[K] | undefined;
    };
    const p = this.queue.then(run, run);
    this.queue = p;
    return p;
  }

  private resume(how: Resume): void {
    const go = (): void => {
      if (!this.stopped || !this.worker) return;
      this.stopped = undefined;
      this.write({ type: 'resume', id: this.nextId++, how });
    };
    this.queue = this.queue.then(go, go);
  }

  // ---- breakpoints ---------------------------------------------------------------------------------

  /** While the module runs, pause it so that it takes changed breakpoints before going on. */
  private settingsChangedWhileRunning(): void {
    if (!this.worker || this.stopped || !this.shared) return;
    this.settingsChanged = true;
    Atomics.store(new Int32Array(this.shared, 0, 4), CTL_PAUSE, 1);
  }

  /** Send every breakpoint and filter to the stopped worker. */
  private async pushSettings(): Promise<void> {
    await this.ask({ type: 'setBreakpoints', breakpoints: [...this.breakpoints.values()].flat() });
    await this.ask({ type: 'setDataBreakpoints', breakpoints: this.dataBreakpoints });
    await this.ask({ type: 'setBreakOnReports', on: this.breakOnReports });
  }

  protected async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const file = args.source.sourceReference ? (args.source.name ?? '') : undefined;
    const key = file ?? args.source.path ?? '';
    const bps: SourceBreakpoint[] = (args.breakpoints ?? []).map((b) => ({
      id: this.bpId++, line: b.line, file, condition: b.condition || undefined, hitCondition: b.hitCondition || undefined, logMessage: b.logMessage,
    }));
    this.breakpoints.set(key, bps);
    this.settingsChangedWhileRunning();
    const all = [...this.breakpoints.values()].flat();
    const lines = (await this.ask({ type: 'setBreakpoints', breakpoints: all })) ?? bps.map((b) => b.line);
    const offset = all.indexOf(bps[0]);
    response.body = {
      breakpoints: bps.map((b, i) => {
        const line = lines[offset + i];
        return { id: b.id, verified: line !== undefined, line: line ?? b.line, message: line === undefined ? 'No statement on or after this line' : undefined };
      }),
    };
    this.sendResponse(response);
  }

  protected async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    this.breakOnReports = args.filters.includes(REPORTS_FILTER);
    this.settingsChangedWhileRunning();
    await this.ask({ type: 'setBreakOnReports', on: this.breakOnReports });
    this.sendResponse(response);
  }

  protected async dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): Promise<void> {
    const info = await this.ask({ type: 'dataBreakpointInfo', ref: args.variablesReference, name: args.name, frameId: args.frameId });
    response.body = info
      ? { dataId: `${info.addr}:${info.size}`, description: info.description, accessTypes: ['write'], canPersist: false }
      : { dataId: null, description: 'Only values in memory can be watched (a register local has no address)' };
    this.sendResponse(response);
  }

  protected async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    const bps: DataBreakpoint[] = args.breakpoints.map((b, i) => {
      const [addr, size] = b.dataId.split(':').map(Number);
      return { id: 10_000 + i, addr, size };
    });
    this.dataBreakpoints = bps;
    this.settingsChangedWhileRunning();
    await this.ask({ type: 'setDataBreakpoints', breakpoints: bps });
    response.body = { breakpoints: bps.map((b) => ({ id: b.id, verified: true })) };
    this.sendResponse(response);
  }

  // ---- execution -----------------------------------------------------------------------------------

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'insmod/rmmod')] };
    this.sendResponse(response);
  }

  protected continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.resume('continue');
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
  }

  protected nextRequest(response: DebugProtocol.NextResponse): void {
    this.resume('next');
    this.sendResponse(response);
  }

  protected stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.resume('stepIn');
    this.sendResponse(response);
  }

  protected stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.resume('stepOut');
    this.sendResponse(response);
  }

  protected stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.resume('stepBack');
    this.sendResponse(response);
  }

  protected reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.resume('reverseContinue');
    this.sendResponse(response);
  }

  protected pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (this.shared && !this.stopped) {
      this.userPaused = true;
      Atomics.store(new Int32Array(this.shared, 0, 4), CTL_PAUSE, 1);
    }
    this.sendResponse(response);
  }

  protected terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.end();
  }

  protected disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.end();
    this.sendResponse(response);
  }

  // ---- the paused machine --------------------------------------------------------------------------

  protected async stackTraceRequest(response: DebugProtocol.StackTraceResponse): Promise<void> {
    const frames = (await this.ask({ type: 'stackTrace' })) ?? [];
    response.body = {
      stackFrames: frames.map((f) => {
        const sf: DebugProtocol.StackFrame = { id: f.id, name: f.frameAddr ? `${f.name} [frame ${f.frameAddr}]` : f.name, line: f.location?.line ?? 0, column: f.location?.column ?? 0, source: this.source(f.location) };
        if (f.fromHeader) sf.presentationHint = 'subtle';
        return sf;
      }),
      totalFrames: frames.length,
    };
    this.sendResponse(response);
  }

  private source(loc: WireLocation | undefined): DebugProtocol.Source | undefined {
    if (!loc) return undefined;
    if (!loc.virtual) return new Source(loc.file, this.program);
    const s: DebugProtocol.Source = new Source(loc.file, undefined, sourceRef(loc.file), 'kernel header', 'kmodlab');
    s.presentationHint = 'deemphasize';
    return s;
  }

  protected async sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): Promise<void> {
    const text = await this.ask({ type: 'source', file: args.source?.name ?? '' });
    response.body = { content: text ?? '// This kernel header is only available while the machine is stopped in it.\n', mimeType: 'text/x-c' };
    this.sendResponse(response);
  }

  protected async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    const scopes = (await this.ask({ type: 'scopes', frameId: args.frameId })) ?? [];
    response.body = { scopes: scopes.map((s) => ({ name: s.name, variablesReference: s.ref, expensive: false, presentationHint: s.name === 'Locals' ? 'locals' : undefined })) };
    this.sendResponse(response);
  }

  protected async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const vars = (await this.ask({ type: 'variables', ref: args.variablesReference })) ?? [];
    response.body = { variables: vars.map((v) => ({ name: v.name, value: v.value, type: v.type, variablesReference: v.ref, evaluateName: v.evaluateName, memoryReference: v.memoryReference })) };
    this.sendResponse(response);
  }

  protected async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    const r = await this.ask({ type: 'setVariable', ref: args.variablesReference, name: args.name, value: args.value });
    if (!r || 'error' in r) return this.sendErrorResponse(response, 2, r?.error ?? 'The machine is running');
    response.body = { value: r.value, type: r.type, variablesReference: r.ref, memoryReference: r.memoryReference };
    this.sendResponse(response);
  }

  protected async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    const r = await this.ask({ type: 'evaluate', expr: args.expression, frameId: args.frameId ?? 0 });
    if (!r || 'error' in r) return this.sendErrorResponse(response, 3, r?.error ?? 'The machine is running: pause it to evaluate');
    response.body = { result: r.value, type: r.type, variablesReference: r.ref, memoryReference: r.memoryReference };
    this.sendResponse(response);
  }

  protected async readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): Promise<void> {
    const r = await this.ask({ type: 'readMemory', memoryReference: args.memoryReference, offset: args.offset ?? 0, count: args.count });
    if (!r) return this.sendErrorResponse(response, 4, 'The machine is running: pause it to read memory');
    response.body = { address: r.address, data: r.base64, unreadableBytes: r.unreadable };
    this.sendResponse(response);
  }

  protected async writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): Promise<void> {
    const r = await this.ask({ type: 'writeMemory', memoryReference: args.memoryReference, offset: args.offset ?? 0, base64: args.data });
    if (!r || 'error' in r) return this.sendErrorResponse(response, 5, r?.error ?? 'The machine is running');
    response.body = { bytesWritten: r.written };
    this.sendResponse(response);
  }

  protected exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const e = this.stopped?.exception;
    response.body = {
      exceptionId: e?.rule ?? 'none',
      description: e?.message,
      breakMode: 'always',
      details: e ? { message: e.message, stackTrace: e.report.join('\n') } : undefined,
    };
    this.sendResponse(response);
  }

  /** The memory map's state at the current stop (for the panel that follows the debugger). */
  debugStep(): Promise<ReplyBodies['debugStep'] | undefined> {
    return this.ask({ type: 'debugStep' });
  }
}

/** A stable source reference for a virtual header's name. */
function sourceRef(name: string): number {
  let h = 7;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 1_000_000;
  return h + 1;
}
