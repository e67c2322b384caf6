// The `▶ Load Module`, `Debug Module` and `⏏ Unload Module` CodeLenses, above the init and exit functions that
// insmod and rmmod would call (module_init()/module_exit(), or init_module()/cleanup_module()).
// Their positions come from the worker's parse of the document (StaticAnalysis facts), never
// from a regular expression, so `static int __init my_init(void)` split over lines still works.
// The lenses carry no arguments (the commands act on the active editor, where the lens was
// clicked): a lens with arguments goes through a cache of the extension host that is dropped when
// lenses refresh, and a click in between failed with "Actual command not found".

import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { toRange } from './convert';
import type { StaticAnalysis } from './staticAnalysis';
import { isModuleDocument } from './staticAnalysis';

export class ModuleCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  /** The init/exit positions last seen per document: lenses are re-requested only when they move. */
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly analysis: StaticAnalysis,
    /** Offer `Debug Module` beside Load (the desktop host, where the debugger runs). */
    private readonly canDebug = false,
  ) {
    super();
    this.register(
      analysis.onDidChangeFacts(({ uri, facts }) => {
        const key = JSON.stringify([facts.init, facts.exit]);
        if (this.shown.get(uri.toString()) === key) return;
        this.shown.set(uri.toString(), key);
        this.changed.fire();
      }),
    );
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!isModuleDocument(doc)) return [];
    const facts = await this.analysis.factsFor(doc);
    if (!facts) return [];
    const lenses: vscode.CodeLens[] = [];
    if (facts.init) {
      lenses.push(new vscode.CodeLens(toRange(facts.init, vscode.Range), { title: '▶ Load Module', command: 'kmodlab.loadModule', tooltip: 'insmod this module into the emulated kernel' }));
      if (this.canDebug) {
        lenses.push(new vscode.CodeLens(toRange(facts.init, vscode.Range), { title: '$(debug-alt) Debug Module', command: 'kmodlab.debugModule', tooltip: 'insmod and rmmod this module step by step in the debugger' }));
      }
    }
    if (facts.exit) {
      lenses.push(new vscode.CodeLens(toRange(facts.exit, vscode.Range), { title: '⏏ Unload Module', command: 'kmodlab.unloadModule', tooltip: 'rmmod this module from the emulated kernel' }));
    }
    return lenses;
  }
}
