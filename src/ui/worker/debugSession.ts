// The debug worker's side of a debug session, independent of the kind of worker (a Node worker
// thread on the desktop; any thread that may block on Atomics.wait). It runs the core's
// ModuleDebugger; at each stop it posts `stopped`, then blocks on the shared buffer and serves the
// adapter's requests until one resumes the run (the protocol is described in src/protocol/debug.ts).
//
// Invariant: `start` never throws. An error here is a bug in Kernel Module Lab and is posted as
// `internal-error`; the student's mistakes come back as stops, output and the run's summary.

import { ModuleDebugger, parseAddress } from '../../core/index';
import type { PausedState, Resume, Span, Stop } from '../../core/index';
import type { DebugRequest, DebugStart, FromDebugWorker, PausedRequest, ReplyBodies, WireLocation } from '../../protocol/debug';
import { CTL_LEN, CTL_PAUSE, CTL_SEQ, DEBUG_DATA_OFFSET } from '../../protocol/debug';

export function runDebugSession(msg: DebugStart, post: (m: FromDebugWorker) => void): void {
  try {
    const ctl = new Int32Array(msg.shared, 0, 4);
    const data = new Uint8Array(msg.shared, DEBUG_DATA_OFFSET);
    const dbg = new ModuleDebugger({ ...msg.launch, readLocal: (name) => msg.locals[name] });
    dbg.stopOnEntry = msg.stopOnEntry;
    dbg.breakOnReports = msg.breakOnReports;
    dbg.setBreakpoints(msg.breakpoints);
    let seen = Atomics.load(ctl, CTL_SEQ);
    const sources = new Map<string, string>();
    const location = (span: Span | undefined): WireLocation | undefined => {
      if (!span) return undefined;
      const pos = span.file.position(span.start);
      const virtual = span.file.name !== dbg.fileName;
      if (virtual) sources.set(span.file.name, span.file.text);
      return { file: span.file.name, line: pos.line, column: pos.column, virtual };
    };
    const nextRequest = (): DebugRequest => {
      Atomics.wait(ctl, CTL_SEQ, seen);
      seen = Atomics.load(ctl, CTL_SEQ);
      const bytes = data.slice(0, Atomics.load(ctl, CTL_LEN));
      return JSON.parse(new TextDecoder().decode(bytes)) as DebugRequest;
    };
    const outcome = dbg.run({
      output: (text, category) => post({ type: 'output', text, category }),
      pauseRequested: () => Atomics.load(ctl, CTL_PAUSE) !== 0,
      stopped(stop: Stop, state: PausedState): Resume {
        Atomics.store(ctl, CTL_PAUSE, 0);
        const { reason, tick, breakpointIds, description, exception } = stop;
        post({ type: 'stopped', stop: { reason, tick, breakpointIds, description, exception, location: location(stop.span) } });
        for (;;) {
          const req = nextRequest();
          if (req.type === 'resume') return req.how;
          post({ type: 'reply', inReplyTo: req.id, body: answer(dbg, state, req, location, sources) });
        }
      },
    });
    const summary: string[] = [];
    for (const d of outcome.buildErrors) summary.push(`${d.span.file.name}:${d.span.file.position(d.span.start).line}: ${d.severity}: ${d.message}`);
    if (outcome.insmod) summary.push(`insmod exited with status ${outcome.insmod.status}`, ...outcome.insmod.stderr);
    if (outcome.rmmod) summary.push(`rmmod exited with status ${outcome.rmmod.status}`, ...outcome.rmmod.stderr);
    post({ type: 'ended', summary, terminated: outcome.terminated });
  } catch (e) {
    post({ type: 'internal-error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}

function answer(
  dbg: ModuleDebugger,
  state: PausedState,
  req: PausedRequest,
  location: (s: Span | undefined) => WireLocation | undefined,
  sources: Map<string, string>,
): ReplyBodies[PausedRequest['type']] {
  switch (req.type) {
    case 'stackTrace':
      return state.stackTrace().map((f) => ({
        id: f.id, name: f.name, fromHeader: f.fromHeader, location: location(f.span),
        frameAddr: f.frameAddr === undefined ? undefined : `0x${BigInt.asUintN(64, BigInt(f.frameAddr)).toString(16)}`,
      }));
    case 'scopes': return state.scopes(req.frameId);
    case 'variables': return state.variables(req.ref);
    case 'evaluate': return state.evaluate(req.expr, req.frameId);
    case 'setVariable': return state.setVariable(req.ref, req.name, req.value);
    case 'readMemory': {
      const addr = parseAddress(req.memoryReference, req.offset);
      if (addr === undefined) return { address: req.memoryReference, base64: '', unreadable: req.count };
      const r = state.readMemory(addr, req.count);
      return { address: r.address, base64: toBase64(r.data), unreadable: r.unreadable };
    }
    case 'writeMemory': {
      const addr = parseAddress(req.memoryReference, req.offset);
      if (addr === undefined) return { error: `not an address: ${req.memoryReference}` };
      return state.writeMemory(addr, fromBase64(req.base64));
    }
    case 'dataBreakpointInfo': return state.dataBreakpointInfo(req.ref, req.name, req.frameId);
    case 'setBreakpoints': return dbg.setBreakpoints(req.breakpoints);
    case 'setDataBreakpoints':
      dbg.setDataBreakpoints(req.breakpoints);
      return null;
    case 'setBreakOnReports':
      dbg.breakOnReports = req.on;
      return null;
    case 'source': return sources.get(req.file);
    case 'debugStep': return state.step();
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 without Node's Buffer or the DOM's btoa (the worker side stays portable). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? B64[n & 63] : '=');
  }
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const n = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1] ?? 'A') << 12) | (Math.max(0, B64.indexOf(clean[i + 2] ?? 'A')) << 6) | Math.max(0, B64.indexOf(clean[i + 3] ?? 'A'));
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
