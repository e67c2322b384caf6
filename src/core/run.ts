// One run of a module, as `kmodlab load` and the extension's Load Module do it: front end, boot a
// fresh emulated kernel, insmod (with parameters), optionally rmmod, and collect the log, the
// findings and the memory snapshot. Deterministic: the same input gives the same output.

import type { Diagnostic } from './diag/diagnostic';
import { frontEnd } from './frontend';
import type { FrontEndInput, FrontEndResult } from './frontend';
import { bootKernel, kernelHeaders } from './kernel/boot';
import type { Booted } from './kernel/boot';
import type { KernelOptions } from './kernel/kernel';
import { insmod, rmmod } from './kernel/insmod';
import type { ToolResult } from './kernel/insmod';

export interface RunOptions extends FrontEndInput, KernelOptions {
  /** insmod's parameter words: `ret=-22 name="two words"`. */
  readonly params?: string;
  /** Run rmmod after a successful insmod. */
  readonly unload?: boolean;
  /** Keep the event log (allocations, frees, writes, printk, context changes) in the result. */
  readonly recordEvents?: boolean;
}

export interface RunResult {
  readonly frontEnd: FrontEndResult;
  /** Errors that stopped the build (the module never reached the kernel). */
  readonly buildErrors: Diagnostic[];
  readonly booted: Booted | undefined;
  readonly insmod: ToolResult | undefined;
  readonly rmmod: ToolResult | undefined;
}

export function runModule(opts: RunOptions): RunResult {
  const fe = frontEnd(opts, kernelHeaders());
  const buildErrors = fe.diagnostics.filter((d) => d.severity === 'error');
  if (buildErrors.length) return { frontEnd: fe, buildErrors, booted: undefined, insmod: undefined, rmmod: undefined };
  const booted = bootKernel(opts);
  if (opts.recordEvents) {
    booted.kernel.events.record(true);
    booted.kernel.events.traceWrites = true;
  }
  const ins = insmod(booted.kernel, fe, opts.params ?? '');
  if (booted.kernel.unsupported.length) {
    return { frontEnd: fe, buildErrors: booted.kernel.unsupported, booted, insmod: ins, rmmod: undefined };
  }
  let rm: ToolResult | undefined;
  if (opts.unload && ins.status === 0) rm = rmmod(booted.kernel, fe.moduleName);
  return { frontEnd: fe, buildErrors: [], booted, insmod: ins, rmmod: rm };
}
