// Static analysis as the student types: each change to a C module (after a 300 ms pause, or on
// save, per `kmodlab.analysis.trigger`) is sent to the analysis worker, and its reply becomes the
// document's static diagnostics and its parse facts (init/exit positions for the CodeLens,
// constant allocation sizes for hovers). The worker is a second one, separate from the kernel's,
// so a module running in the kernel never delays the squiggles. Only the newest version of each
// document is analysed: a request still waiting in the queue is replaced by a newer one.
//
// With `kmodlab.debug.analysisLatency` on, each published result writes `analysis latency: N ms` to
// the "Kernel Module Lab Debug" output channel: the time from the last edit (the one after which the
// student paused) to its diagnostics in the editor, the 300 ms pause included; the e2e abuse test
// measures it.

import * as vscode from 'vscode';
import type { AnalyzeReply } from '../protocol/kernel';
import { Disposable } from './dispose';
import { Cancelled, KernelClient } from './kernelClient';
import type { Diagnostics } from './diagnostics';
import { ModuleFiles } from './diagnostics';
import { looksLikeModule } from './moduleDetect';
import { ANALYSIS_DELAY_MS, analysisTrigger, frontEndLimits } from './settings';
import type { SourceReader } from './source';

/** Schemes of documents the student edits (not output channels, diffs or SCM inputs). */
const EDITABLE_SCHEMES = new Set(['file', 'untitled', 'vscode-vfs', 'vscode-remote', 'vscode-test-web', 'memfs']);

/** True for a C document the extension looks after. */
export function isModuleDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'c' && EDITABLE_SCHEMES.has(doc.uri.scheme) && looksLikeModule(doc.getText());
}

interface Facts {
  readonly version: number;
  readonly reply: AnalyzeReply;
}

export class StaticAnalysis extends Disposable {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly facts = new Map<string, Facts>();
  /** Requests in progress per document, so `factsFor` can wait for the first reply. */
  private readonly pending = new Map<string, Promise<Facts | undefined>>();
  /** When each document's newest edit without published diagnostics happened (Date.now()). */
  private readonly editedAt = new Map<string, number>();
  private debugChannel: vscode.OutputChannel | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<{ readonly uri: vscode.Uri; readonly facts: AnalyzeReply }>());
  /** Fires when a document's parse facts changed (the CodeLens provider listens). */
  readonly onDidChangeFacts = this.changed.event;

  constructor(
    private readonly client: KernelClient,
    private readonly diagnostics: Diagnostics,
    private readonly read: SourceReader,
  ) {
    super();
    this.register({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
    this.register(vscode.workspace.onDidOpenTextDocument((doc) => this.schedule(doc, true, 0)));
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!e.contentChanges.length) return;
        const key = e.document.uri.toString();
        this.editedAt.set(key, Date.now());
        // With analysis on save, typing still refreshes the parse facts (CodeLens, hovers).
        this.schedule(e.document, analysisTrigger(config()) === 'onType', ANALYSIS_DELAY_MS);
      }),
    );
    this.register(vscode.workspace.onDidSaveTextDocument((doc) => this.schedule(doc, true, 0)));
    this.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const key = doc.uri.toString();
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
        this.facts.delete(key);
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, true, 0);
  }

  /** The newest parse facts of `doc`, waiting for the first analysis when there is none yet. */
  async factsFor(doc: vscode.TextDocument): Promise<AnalyzeReply | undefined> {
    const key = doc.uri.toString();
    const have = this.facts.get(key);
    if (have) return have.reply;
    if (!this.pending.has(key)) this.schedule(doc, true, 0);
    return (await this.pending.get(key))?.reply;
  }

  /** The facts of `doc` only if they belong to its current version (for hovers at exact positions). */
  currentFacts(doc: vscode.TextDocument): AnalyzeReply | undefined {
    const f = this.facts.get(doc.uri.toString());
    return f && f.version === doc.version ? f.reply : undefined;
  }

  /** The debug line for the edits just published (see the header). */
  private reportLatency(key: string): void {
    const since = this.editedAt.get(key);
    this.editedAt.delete(key);
    if (since === undefined || !vscode.workspace.getConfiguration('kmodlab').get<boolean>('debug.analysisLatency')) return;
    this.debugChannel ??= this.register(vscode.window.createOutputChannel('Kernel Module Lab Debug'));
    this.debugChannel.appendLine(`analysis latency: ${Date.now() - since} ms`);
  }

  private schedule(doc: vscode.TextDocument, analyze: boolean, delay: number): void {
    if (!isModuleDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    if (delay === 0) {
      this.timers.delete(key);
      void this.run(doc, analyze);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.run(doc, analyze);
      }, delay),
    );
  }

  private run(doc: vscode.TextDocument, analyze: boolean): Promise<Facts | undefined> {
    const key = doc.uri.toString();
    const version = doc.version;
    const p = (async (): Promise<Facts | undefined> => {
      const files = await this.read(doc);
      // A newer version of this document makes a request still waiting in the queue useless.
      this.client.cancelQueued((m) => m.type === 'analyze' && m.document === key);
      let reply: AnalyzeReply;
      try {
        reply = await this.client.request({ type: 'analyze', document: key, source: files.source, analyze, limits: frontEndLimits(config()) }, 30_000);
      } catch (e) {
        if (!(e instanceof Cancelled)) console.error(`kmodlab: analysis failed: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
      if (this.isDisposed || doc.isClosed) return undefined;
      const facts = { version, reply };
      this.facts.set(key, facts);
      // Diagnostics computed for an older version would sit on the wrong lines; a newer run follows.
      if (reply.analyzed && doc.version === version) {
        this.diagnostics.setStatic(doc, new ModuleFiles(doc.uri, files.source.fileName), version, reply.diagnostics);
        this.reportLatency(key);
      }
      this.changed.fire({ uri: doc.uri, facts: reply });
      return facts;
    })();
    this.pending.set(key, p);
    void p.finally(() => {
      if (this.pending.get(key) === p) this.pending.delete(key);
    });
    return p;
  }
}

function config(): <T>(key: string) => T | undefined {
  const c = vscode.workspace.getConfiguration('kmodlab');
  return (key) => c.get(key);
}
