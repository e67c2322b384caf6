// A frame of a kernel call trace. Module frames carry the student's source span so reports can
// name the file and line; kernel-internal frames (kmalloc_trace, do_one_initcall, ...) carry the
// offsets the real kernel prints, so a trace reads like one from Linux 6.1.

import type { Span } from '../source/source';

export interface Frame {
  /** Function name: `init_module`, `kfree`, `do_one_initcall`. */
  readonly fn: string;
  /** Offset of the return address into the function, and the function's size (`+0x2a/0x3e`). */
  readonly offset: number;
  readonly size: number;
  /** `test_mem` for a module frame; undefined for the kernel proper. */
  readonly module?: string;
  /** Source position of the call or faulting statement, for module frames. */
  readonly span?: Span;
  /** Printed with a leading `? ` (an unreliable frame found by stack scanning). */
  readonly unreliable?: boolean;
}

/** The frames every module init call sits on, innermost first, as Linux 6.1 prints them after the module's own frames. */
export const INSMOD_TAIL: readonly Frame[] = [
  { fn: 'do_one_initcall', offset: 0x59, size: 0x220 },
  { fn: 'do_init_module', offset: 0x4a, size: 0x1f0 },
  { fn: '__do_sys_finit_module', offset: 0xac, size: 0x120 },
  { fn: 'do_syscall_64', offset: 0x5d, size: 0xb0 },
  { fn: 'entry_SYSCALL_64_after_hwframe', offset: 0x6e, size: 0xd8 },
];

/** The frames under a module's exit function during rmmod. */
export const RMMOD_TAIL: readonly Frame[] = [
  { fn: '__do_sys_delete_module', offset: 0x1a3, size: 0x2d0 },
  { fn: 'do_syscall_64', offset: 0x5d, size: 0xb0 },
  { fn: 'entry_SYSCALL_64_after_hwframe', offset: 0x6e, size: 0xd8 },
];
