// The "Kernel Log" output channel: dmesg as the emulated kernel prints it, highlighted by the
// kmodlab-dmesg grammar (syntaxes/), with `test_mem.c:21` references linked back to the source.
// A plain OutputChannel on purpose: a LogOutputChannel would add its own timestamps and levels to
// lines that already carry the kernel's. The log starts over when Load Module boots a fresh machine.

import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { findSourceRefs } from './sourceRefs';
import { baseName } from './convert';

export const KERNEL_LOG_NAME = 'Kernel Log';
export const KERNEL_LOG_LANGUAGE = 'kmodlab-dmesg';

export class KernelLog extends Disposable {
  private readonly channel = this.register(vscode.window.createOutputChannel(KERNEL_LOG_NAME, KERNEL_LOG_LANGUAGE));
  /** Source files by the names the kernel prints (`test_mem.c`), set when a module is sent to run. */
  private readonly files = new Map<string, vscode.Uri>();

  constructor() {
    super();
    this.register(
      vscode.languages.registerDocumentLinkProvider({ scheme: 'output', language: KERNEL_LOG_LANGUAGE }, { provideDocumentLinks: (doc) => this.links(doc) }),
    );
  }

  /** The files the kernel's references may name: the module and the local headers sent with it. */
  setSourceFiles(files: ReadonlyMap<string, vscode.Uri>): void {
    this.files.clear();
    for (const [name, uri] of files) this.files.set(name, uri);
  }

  /** What the channel shows since the last boot (output channels cannot be read back). */
  private shown: string[] = [];

  /** A fresh boot: the log starts over. */
  reset(lines: readonly string[]): void {
    this.channel.clear();
    this.shown = [];
    this.append(lines);
  }

  append(lines: readonly string[]): void {
    if (!lines.length) return;
    for (const l of lines) this.shown.push(l);
    this.channel.append(lines.map((l) => `${l}\n`).join(''));
  }

  /** The log's lines since the last boot, as shown. */
  text(): string {
    return this.shown.map((l) => `${l}\n`).join('');
  }

  show(preserveFocus = true): void {
    this.channel.show(preserveFocus);
  }

  private links(doc: vscode.TextDocument): vscode.DocumentLink[] {
    const out: vscode.DocumentLink[] = [];
    for (let i = 0; i < doc.lineCount; i++) {
      for (const ref of findSourceRefs(doc.lineAt(i).text)) {
        const uri = this.files.get(ref.file) ?? this.files.get(baseName(ref.file));
        if (!uri) continue;
        // VS Code's opener reads `#L<line>,<column>` (1-based) and selects that position.
        const target = uri.with({ fragment: `L${ref.line}${ref.column ? `,${ref.column}` : ''}` });
        const link = new vscode.DocumentLink(new vscode.Range(i, ref.start, i, ref.end), target);
        link.tooltip = `Open ${ref.file} at line ${ref.line}`;
        out.push(link);
      }
    }
    return out;
  }
}
