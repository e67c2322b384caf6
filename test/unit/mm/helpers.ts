// Shared helpers of the mm tests: a booted MM with report capture and call sites like the
// interpreter supplies (the module's frame, then the insmod tail).

import { MM, fmtFrame } from '../../../src/core/kernel/mm/index';
import type { MMOptions, MMReport, Site } from '../../../src/core/kernel/mm/index';
import type { Frame } from '../../../src/core/kernel/trace';
import { INSMOD_TAIL } from '../../../src/core/kernel/trace';

export interface Booted {
  readonly mm: MM;
  readonly reports: MMReport[];
}

/** An MM whose reports are collected and whose dump_stack prints the frames it is given. */
export function boot(opts: MMOptions = {}): Booted {
  const mm = new MM({ ramBytes: 64 << 20, ...opts });
  const reports: MMReport[] = [];
  mm.hooks = {
    report: (r) => reports.push(r),
    dumpStack: (frames) => ['CPU: 0 PID: 93 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2', 'Call Trace:', ' <TASK>', ...frames.map((f) => ` ${fmtFrame(f)}`), ' </TASK>'],
    stack: () => at(0x40),
  };
  return { mm, reports };
}

/** The frames of a call from init_module+off of module `mod`. */
export function at(off: number, mod = 'test_mem'): Frame[] {
  return [{ fn: 'init_module', offset: off, size: 0x5e, module: mod }, ...INSMOD_TAIL];
}

export function site(off: number, mod = 'test_mem'): Site {
  return { frames: at(off, mod) };
}

/** Replace 16-digit addresses so report text can be compared with the oracle's. */
export function noAddr(line: string): string {
  return line.replace(/\b(0x)?[0-9a-f]{16}\b/g, '$1ADDR').replace(/@offset=\d+/, '@offset=N');
}
