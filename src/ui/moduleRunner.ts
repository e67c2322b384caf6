// Load, Unload and Reload Module: sends the module to the kernel worker and shows what came back
// (the kernel log, insmod's and rmmod's errors, runtime findings as diagnostics, the status bar).
//
// Ordering: a Load boots a fresh machine, so it supersedes everything before it: it cancels the
// queued requests and, if the worker is busy, restarts it. Pressing Load ten times quickly
// therefore runs one Load, the last. Unload and Reload work on the kept machine and wait their
// turn behind the request in flight.

import * as vscode from 'vscode';
import type { KernelReply } from '../protocol/kernel';
import { Disposable } from './dispose';
import type { Diagnostics } from './diagnostics';
import { ModuleFiles } from './diagnostics';
import { Cancelled } from './kernelClient';
import type { KernelClient } from './kernelClient';
import type { KernelLog } from './kernelLog';
import type { ModuleStatus } from './statusBar';
import type { SourceReader } from './source';
import type { StaticAnalysis } from './staticAnalysis';
import { toRange } from './convert';
import { runSettings } from './settings';

/** The longest a kernel request may take before the worker is restarted (endless loops end sooner, in the soft-lockup report). */
const KERNEL_TIMEOUT_MS = 120_000;

export class ModuleRunner extends Disposable {
  /** The module document the kept machine runs, with the file names sent for it. */
  private loaded: { files: ModuleFiles; version: number; doc: vscode.TextDocument } | undefined;
  /** Bumped by every Load: an older Load still reading its source gives up. */
  private generation = 0;
  private readonly didRun = this.register(new vscode.EventEmitter<void>());
  /** Fires after each Load, Unload and Reload reply is shown (the kept machine changed). */
  readonly onDidRun = this.didRun.event;

  constructor(
    private readonly client: KernelClient,
    private readonly log: KernelLog,
    private readonly diagnostics: Diagnostics,
    private readonly status: ModuleStatus,
    private readonly analysis: StaticAnalysis,
    private readonly read: SourceReader,
  ) {
    super();
  }

  async load(uri?: vscode.Uri): Promise<void> {
    const gen = ++this.generation;
    const doc = await moduleDocument(uri);
    if (!doc) return;
    const read = await this.read(doc);
    if (gen !== this.generation) return; // A newer Load started while the source was read.
    // A Load boots afresh, so nothing queued or running before it matters any more.
    if (this.client.busyWith) this.client.restart('a newer Load Module started');
    else this.client.cancelQueued(() => true, 'a newer Load Module started');
    const files = new ModuleFiles(doc.uri, read.source.fileName);
    this.log.setSourceFiles(read.files);
    this.status.set('loading', moduleName(read.source.fileName));
    await this.run(() => this.client.request({ type: 'load', source: read.source, settings: settings() }, KERNEL_TIMEOUT_MS), files, doc, doc.version);
  }

  async unload(): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) {
      void vscode.window.showInformationMessage('Kernel Module Lab: no module is loaded.');
      return;
    }
    this.status.set('unloading', moduleName(loaded.files.fileName));
    await this.run(() => this.client.request({ type: 'unload' }, KERNEL_TIMEOUT_MS), loaded.files, loaded.doc, loaded.version);
  }

  async reload(uri?: vscode.Uri): Promise<void> {
    const doc = await moduleDocument(uri ?? this.loaded?.doc.uri);
    if (!doc) return;
    const read = await this.read(doc);
    const files = new ModuleFiles(doc.uri, read.source.fileName);
    this.log.setSourceFiles(read.files);
    this.status.set('loading', moduleName(read.source.fileName));
    await this.run(() => this.client.request({ type: 'reload', source: read.source, settings: settings() }, KERNEL_TIMEOUT_MS), files, doc, doc.version);
  }

  /**
   * Stops the kernel worker whatever it is doing (a request in flight is cancelled, the machine is
   * lost) and leaves a clean state: the next request starts a fresh worker and boots a fresh machine.
   */
  restartKernel(): void {
    this.generation++;
    this.client.restart('the kernel was restarted');
    this.loaded = undefined;
    this.status.set('not-loaded', undefined);
    this.log.append(['Kernel Module Lab: the kernel was restarted; the next Load boots a fresh machine.']);
  }

  private async run(send: () => Promise<KernelReply>, files: ModuleFiles, doc: vscode.TextDocument, version: number): Promise<void> {
    let reply: KernelReply;
    try {
      reply = await send();
    } catch (e) {
      if (e instanceof Cancelled) return; // A newer request took over; it updates the UI.
      this.loaded = undefined;
      this.status.set('failed', moduleName(files.fileName), errorText(e));
      void vscode.window.showErrorMessage(`Kernel Module Lab: ${errorText(e)}`);
      return;
    }
    this.show(reply, files, doc, version);
    this.didRun.fire();
  }

  private show(reply: KernelReply, files: ModuleFiles, doc: vscode.TextDocument, version: number): void {
    const name = reply.module || moduleName(files.fileName);
    if (reply.booted) this.log.reset(reply.log);
    else this.log.append(reply.log);
    if (reply.tools.length === 0 && reply.buildErrors.length > 0) {
      // The module never reached the kernel; the front end's errors are already in the Problems panel.
      this.status.set(reply.state, name, 'The module does not build.');
      void vscode.window.showErrorMessage(`Kernel Module Lab: ${files.fileName} does not build: ${reply.buildErrors[0].message}`);
      return;
    }
    if (reply.op !== 'unload') this.loaded = { files, version, doc };
    const fallback = this.fallbackRange(doc, reply.op);
    this.diagnostics.setRuntime(files, version, reply.findings, reply.op === 'unload', fallback, reply.buildErrors);
    this.status.set(reply.state, name, reply.findings.length ? `${reply.findings.length} finding(s): ${reply.findings[0].message}` : undefined);
    if (reply.op === 'unload' && reply.state === 'not-loaded') this.loaded = undefined;
    this.log.show(true);
    const failed = reply.tools.filter((t) => t.status !== 0);
    if (failed.length) {
      // insmod and rmmod name themselves (`insmod: ERROR: ...`); the shell's `Killed` does not.
      const text = failed
        .flatMap((t) => (t.stderr.length ? t.stderr : [`exit status ${t.status}`]).map((l) => (l.startsWith(`${t.tool}:`) ? l : `${t.tool} ${name}: ${l}`)))
        .join(' ');
      void vscode.window.showErrorMessage(text, 'Show Kernel Log').then((pick) => pick && this.log.show(false));
    }
  }

  /** Where a finding without a position is shown: the init (load) or exit (unload) function's name. */
  private fallbackRange(doc: vscode.TextDocument, op: KernelReply['op']): vscode.Range {
    const facts = this.analysis.currentFacts(doc);
    const at = op === 'unload' ? facts?.exit : facts?.init;
    return at ? toRange(at, vscode.Range, true) : new vscode.Range(0, 0, 0, 1);
  }
}

/** The module document to run: the one named, else the active C editor's. */
async function moduleDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.languageId === 'c') return doc;
  void vscode.window.showInformationMessage('Kernel Module Lab: open a kernel module (.c) first.');
  return undefined;
}

function settings() {
  const c = vscode.workspace.getConfiguration('kmodlab');
  return runSettings((key) => c.get(key));
}

/** `test_mem` for `test_mem.c`, as kbuild names the module. */
function moduleName(fileName: string): string {
  return fileName.replace(/\.c$/, '').replace(/-/g, '_');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
