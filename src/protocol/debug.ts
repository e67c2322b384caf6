// The messages between the debug adapter (in the extension host) and the debug worker that runs the
// module. The worker runs the kernel synchronously; at a stop it posts `stopped` and blocks
// (Atomics.wait) until the adapter writes a request into the shared buffer: paused-state requests
// are answered with `reply` messages (a worker's postMessage is delivered while it blocks), and a
// `resume` request releases it. Between stops the worker only posts (`output`, `stopped`, `ended`).
//
// Shared buffer layout (`DEBUG_SHARED_BYTES`): Int32 words [0] request sequence number (bumped and
// notified by the adapter), [1] request length in bytes, [2] pause flag (set by the adapter while
// the module runs; the worker stops at the next statement), then the request as UTF-8 JSON from
// byte DEBUG_DATA_OFFSET. One request is in flight at a time. No vscode, no DOM.

import type { DataBreakpoint, DebugLaunch, DebugStep, Resume, SourceBreakpoint, StackFrameInfo, StopReason, VariableInfo } from '../core/index';

export const DEBUG_DATA_OFFSET = 16;
export const DEBUG_SHARED_BYTES = DEBUG_DATA_OFFSET + (8 << 20);
export const CTL_SEQ = 0;
export const CTL_LEN = 1;
export const CTL_PAUSE = 2;

export interface WireLocation {
  /** The core's file name (`test_mem.c`, or a virtual header such as `linux/list.h`). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly virtual: boolean;
}

export interface WireStop {
  readonly reason: StopReason;
  readonly tick: number;
  readonly location: WireLocation | undefined;
  readonly breakpointIds: readonly number[];
  readonly description?: string;
  readonly exception?: { readonly rule: string; readonly message: string; readonly report: readonly string[] };
}

export type WireStackFrame = Omit<StackFrameInfo, 'span' | 'frameAddr'> & { readonly location: WireLocation | undefined; readonly frameAddr: string | undefined };

/** Sent with postMessage to start a session (the worker is idle until then). */
export interface DebugStart {
  readonly type: 'start';
  readonly launch: Omit<DebugLaunch, 'readLocal'>;
  /** The files the module's `#include "..."` lines name, by name (the worker reads no files). */
  readonly locals: Readonly<Record<string, string>>;
  readonly stopOnEntry: boolean;
  readonly breakOnReports: boolean;
  readonly breakpoints: SourceBreakpoint[];
  readonly shared: SharedArrayBuffer;
}

/** Requests written into the shared buffer while the worker is stopped. */
export type PausedRequest =
  | { readonly type: 'stackTrace' }
  | { readonly type: 'scopes'; readonly frameId: number }
  | { readonly type: 'variables'; readonly ref: number }
  | { readonly type: 'evaluate'; readonly expr: string; readonly frameId: number }
  | { readonly type: 'setVariable'; readonly ref: number; readonly name: string; readonly value: string }
  | { readonly type: 'readMemory'; readonly memoryReference: string; readonly offset: number; readonly count: number }
  | { readonly type: 'writeMemory'; readonly memoryReference: string; readonly offset: number; readonly base64: string }
  | { readonly type: 'dataBreakpointInfo'; readonly ref: number | undefined; readonly name: string; readonly frameId: number | undefined }
  | { readonly type: 'setBreakpoints'; readonly breakpoints: SourceBreakpoint[] }
  | { readonly type: 'setDataBreakpoints'; readonly breakpoints: DataBreakpoint[] }
  | { readonly type: 'setBreakOnReports'; readonly on: boolean }
  | { readonly type: 'source'; readonly file: string }
  | { readonly type: 'debugStep' };

export type DebugRequest = (PausedRequest & { readonly id: number }) | { readonly type: 'resume'; readonly id: number; readonly how: Resume };

/** Reply bodies by request type. */
export interface ReplyBodies {
  stackTrace: WireStackFrame[];
  scopes: { name: string; ref: number }[];
  variables: VariableInfo[];
  evaluate: VariableInfo | { error: string };
  setVariable: VariableInfo | { error: string };
  readMemory: { address: string; base64: string; unreadable: number };
  writeMemory: { written: number } | { error: string };
  dataBreakpointInfo: { addr: number; size: number; description: string } | undefined;
  setBreakpoints: (number | undefined)[];
  setDataBreakpoints: null;
  setBreakOnReports: null;
  source: string | undefined;
  debugStep: DebugStep;
}

export type FromDebugWorker =
  | { readonly type: 'stopped'; readonly stop: WireStop }
  | { readonly type: 'reply'; readonly inReplyTo: number; readonly body: unknown }
  | { readonly type: 'output'; readonly text: string; readonly category: 'stdout' | 'console' | 'stderr' }
  | { readonly type: 'ended'; readonly summary: string[]; readonly terminated: boolean }
  | { readonly type: 'internal-error'; readonly message: string };
