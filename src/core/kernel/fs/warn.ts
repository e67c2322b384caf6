// WARN() from inside a kernel function that modules call (proc_register's "already registered"):
// the report names that function as RIP, with the module's frames as its callers, taints the
// kernel W and becomes a runtime finding at the student's line, as the memory subsystem's WARNINGs do.

import type { Kernel } from '../kernel';

export interface KernelWarning {
  /** Source file and line of the WARN() in Linux 6.1 (`fs/proc/generic.c`, 400). */
  readonly file: string;
  readonly line: number;
  /** The kernel function that warns (RIP), with its offset and size as the oracle printed them. */
  readonly fn: string;
  readonly offset?: number;
  readonly size?: number;
  readonly message: string;
}

export function kernelWarning(k: Kernel, w: KernelWarning): void {
  const span = k.currentSpan();
  const lines = k.k.reports.mmWarning(k, { message: w.message, file: w.file, line: w.line, ip: { fn: w.fn, offset: w.offset ?? 0, size: w.size ?? 0x100 } });
  for (const l of lines) k.log(4, l, span);
  k.addTaint('W');
  k.finding('warning', w.message, span, [], lines);
}
