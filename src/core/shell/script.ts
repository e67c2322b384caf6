// Shell scripts as `kmodlab run` and the fixture tests run them: each line is echoed as a root
// prompt would show it (`# insmod hello.ko`), followed by what it printed. Blank lines and comment
// lines are skipped; `exit` ends the script. `dmesg -w` prints what is there and returns (there is
// nobody to press Ctrl-C).

import type { KernelOptions } from '../kernel/kernel';
import { bootKernel } from '../kernel/boot';
import { Shell } from './shell';
import type { ShellModule } from './shell';

export interface ScriptResult {
  /** The echoed lines and their output. */
  readonly transcript: string;
  /** The status of the last command, as `sh script` exits. */
  readonly status: number;
}

/** Boot a fresh machine with the given modules as .ko files in /root, and a shell on it. */
export function bootShell(modules: readonly ShellModule[], options: KernelOptions = {}): Shell {
  return new Shell(bootKernel(options), modules);
}

export function runScript(shell: Shell, script: string): ScriptResult {
  let transcript = '';
  let status = 0;
  for (const line of script.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    transcript += `# ${trimmed}\n`;
    const r = shell.run(trimmed);
    transcript += r.output;
    status = r.status;
    if (r.exit) break;
  }
  return { transcript, status };
}
