// The Kernel Shell terminal (Kernel Module Lab: Open Kernel Shell): a pseudoterminal whose lines
// run in the kernel worker's shell, on the same machine Load and Unload use, so `lsmod` after Load
// shows the module. Line editing is LineEditor's; this class only moves text between the terminal
// and the worker.
//
// Ordering: one line is in the worker at a time. Keys typed meanwhile wait and are fed to the
// editor when the reply is shown, as a terminal's typeahead. `dmesg -w` keeps following: every
// FOLLOW_MS the terminal asks the worker to let that much virtual time pass and prints what was
// logged, until Ctrl-C. The modules on offer are the C modules open in the editor, sent with each
// line (unsaved edits included), so `insmod x.ko` always builds what the student sees. What the
// kernel logs meanwhile is appended to the Kernel Log output too, as after Load and Unload.

import * as vscode from 'vscode';
import type { ModuleSource, ShellReply } from '../protocol/kernel';
import { Disposable } from './dispose';
import { Cancelled } from './kernelClient';
import type { KernelClient } from './kernelClient';
import type { KernelLog } from './kernelLog';
import { LineEditor } from './lineEditor';
import { looksLikeModule } from './moduleDetect';
import { runSettings } from './settings';
import type { SourceReader } from './source';

/** How much time one `dmesg -w` step lets pass (virtual and real time go at the same pace). */
const FOLLOW_MS = 250;

const BANNER = 'Kernel Module Lab: a root shell on the emulated Linux 6.1 machine. Type help for the commands.\r\n';

export class KernelShellTerminal extends Disposable implements vscode.Pseudoterminal {
  private readonly writer = this.register(new vscode.EventEmitter<string>());
  private readonly closer = this.register(new vscode.EventEmitter<number | void>());
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private readonly editor = new LineEditor();
  private busy = false;
  private readonly typeahead: string[] = [];
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  private columns: number | undefined;

  constructor(
    private readonly client: KernelClient,
    private readonly read: SourceReader,
    private readonly log: KernelLog,
  ) {
    super();
  }

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    this.columns = dimensions?.columns;
    this.write(BANNER);
    void this.send('');
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.columns = dimensions.columns;
  }

  close(): void {
    this.stopFollowing();
    this.dispose();
  }

  handleInput(data: string): void {
    if (this.followTimer !== undefined && data.includes('\x03')) {
      // Ctrl-C ends `dmesg -w`.
      this.stopFollowing();
      this.write('^C\r\n');
      void this.send('');
      return;
    }
    if (this.busy || this.followTimer !== undefined) {
      this.typeahead.push(data);
      return;
    }
    for (const ev of this.editor.feed(data)) {
      switch (ev.kind) {
        case 'write':
          this.write(ev.text);
          break;
        case 'submit':
          // What follows the Enter in the same input waits for this line's reply.
          void this.send(ev.line);
          return;
        case 'interrupt':
          void this.send('');
          return;
        case 'eof':
          this.write('exit\r\n');
          void this.send('exit');
          return;
        case 'clear':
          break;
      }
    }
  }

  /** Run a line in the worker and show what it printed; an empty line just fetches the prompt. */
  private async send(line: string, followMs?: number): Promise<void> {
    this.busy = true;
    let reply: ShellReply | undefined;
    try {
      reply = await this.client.request({ type: 'shell', line, modules: await this.modules(), settings: runSettings(kmodlabConfig), followMs, columns: this.columns });
    } catch (e) {
      if (!(e instanceof Cancelled)) this.write(`kmodlab: ${e instanceof Error ? e.message : String(e)}\r\n`);
    }
    this.busy = false;
    if (this.isDisposed) return;
    if (reply) {
      this.write(reply.output);
      this.log.append(reply.log);
    }
    if (reply?.exit) {
      this.closer.fire(reply.status);
      return;
    }
    if (reply?.follow) {
      this.followTimer = setTimeout(() => {
        this.followTimer = undefined;
        void this.send('', FOLLOW_MS);
      }, FOLLOW_MS);
      return;
    }
    const prompt = reply?.prompt ?? '# ';
    this.editor.setPrompt(prompt);
    this.write(prompt);
    const pending = this.typeahead.splice(0).join('');
    if (pending) this.handleInput(pending);
  }

  /** The C modules open in the editor, one per file name. */
  private async modules(): Promise<ModuleSource[]> {
    const docs = vscode.workspace.textDocuments.filter((d) => d.languageId === 'c' && looksLikeModule(d.getText()));
    const sources = await Promise.all(docs.map(async (d) => (await this.read(d)).source));
    const byName = new Map<string, ModuleSource>();
    for (const s of sources) if (!byName.has(s.fileName)) byName.set(s.fileName, s);
    return [...byName.values()];
  }

  private stopFollowing(): void {
    if (this.followTimer !== undefined) clearTimeout(this.followTimer);
    this.followTimer = undefined;
  }

  /** Terminals want `\r\n`; the shell prints `\n`. */
  private write(text: string): void {
    if (text) this.writer.fire(text.replace(/\r?\n/g, '\r\n'));
  }
}

function kmodlabConfig<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration('kmodlab').get<T>(key);
}

/** Open a Kernel Shell terminal. */
export function openKernelShell(client: KernelClient, read: SourceReader, log: KernelLog): vscode.Terminal {
  const pty = new KernelShellTerminal(client, read, log);
  const terminal = vscode.window.createTerminal({ name: 'Kernel Shell', pty, iconPath: new vscode.ThemeIcon('terminal-linux') });
  terminal.show();
  return terminal;
}
