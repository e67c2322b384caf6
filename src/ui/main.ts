// activate() for both hosts (desktop: extension.ts, web: web/extension.ts), which differ only in how
// they start a worker. It wires things together and nothing more: the kernel log, the two
// diagnostic collections, the analysis and kernel workers, the providers, the status bar, and the
// command table, registered in one loop under the `kmodlab.` prefix. Everything it creates is
// disposed with the extension.

import * as vscode from 'vscode';
import { Diagnostics } from './diagnostics';
import { KernelClient } from './kernelClient';
import type { WorkerFactory } from './kernelClient';
import { KernelLog } from './kernelLog';
import { ModuleCodeLens } from './codeLens';
import { KernelHovers } from './hovers';
import { KernelQuickFixes } from './quickFix';
import { MemoryMapPanel } from './memoryMap';
import { ModuleRunner } from './moduleRunner';
import { ModuleStatus } from './statusBar';
import { StaticAnalysis } from './staticAnalysis';
import { readModuleSource } from './source';
import { looksLikeModule } from './moduleDetect';
import type { DebugFollower } from './debug/register';
import { openKernelShell } from './kernelShell';

/** What differs between the desktop and the web extension host. */
export interface Platform {
  /** Starts a kernel worker (a worker thread, or a Web Worker) running dist/…/kernelWorker.js. */
  readonly workerFactory: (context: vscode.ExtensionContext) => WorkerFactory;
  /** Registers the `kmodlab` debugger, where the host can run it (the desktop). */
  readonly registerDebugger?: (context: vscode.ExtensionContext) => DebugFollower;
}

/**
 * What activate() returns: read-only views for the test-electron suite (test/vscode), since an
 * output channel's text and a status bar item's state cannot be read through the VS Code API.
 */
export interface KmodlabApi {
  /** The Kernel Log's text since the last boot. */
  kernelLog(): string;
  /** The module state the status bar shows (`not-loaded`, `live`, `tainted`, `failed`, ...). */
  moduleState(): string;
}

/** Everything the commands reach. */
interface Lab {
  readonly context: vscode.ExtensionContext;
  readonly runner: ModuleRunner;
  readonly log: KernelLog;
  readonly memoryMap: MemoryMapPanel;
  /** The kernel worker, which the Kernel Shell terminal shares with Load and Unload. */
  readonly kernel: KernelClient;
}

/** Command handlers by id without the `kmodlab.` prefix; package.json contributes the same ids. */
const COMMANDS: Record<string, (lab: Lab, ...args: unknown[]) => unknown> = {
  loadModule: (lab, uri) => lab.runner.load(uri as vscode.Uri | undefined),
  unloadModule: (lab) => lab.runner.unload(),
  reloadModule: (lab, uri) => lab.runner.reload(uri as vscode.Uri | undefined),
  showMemoryMap: (lab) => lab.memoryMap.show(),
  showKernelLog: (lab) => lab.log.show(false),
  openExample: (lab) => openExample(lab.context.extensionUri),
  openKernelShell: (lab) => lab.context.subscriptions.push(openKernelShell(lab.kernel, readModuleSource, lab.log)),
  restartKernel: (lab) => lab.runner.restartKernel(),
};

export function activateWith(context: vscode.ExtensionContext, platform: Platform): KmodlabApi {
  try {
    const own = <T extends vscode.Disposable>(d: T): T => {
      context.subscriptions.push(d);
      return d;
    };
    const makeWorker = platform.workerFactory(context);
    // Two workers: the kernel's may be busy running a module while the student types.
    const kernel = own(new KernelClient(makeWorker));
    const analysisWorker = own(new KernelClient(makeWorker));
    const log = own(new KernelLog());
    const diagnostics = own(new Diagnostics());
    const analysis = own(new StaticAnalysis(analysisWorker, diagnostics, readModuleSource));
    const status = own(new ModuleStatus());
    const runner = own(new ModuleRunner(kernel, log, diagnostics, status, analysis, readModuleSource));
    const memoryMap = own(new MemoryMapPanel(context.extensionUri, kernel, runner.onDidRun));
    const debug = platform.registerDebugger?.(context);
    // The memory map follows the debugger's stops while it is open, and Load again after a session.
    if (debug) memoryMap.followDebugger(debug);
    const codeLens = own(new ModuleCodeLens(analysis, debug !== undefined));
    const hovers = own(new KernelHovers(analysisWorker, analysis, diagnostics));
    const c = { language: 'c' };
    own(vscode.languages.registerCodeLensProvider(c, codeLens));
    own(vscode.languages.registerHoverProvider(c, hovers));
    own(vscode.languages.registerCodeActionsProvider(c, new KernelQuickFixes(diagnostics), { providedCodeActionKinds: KernelQuickFixes.kinds }));

    const lab: Lab = { context, runner, log, memoryMap, kernel };
    for (const [name, handler] of Object.entries(COMMANDS)) {
      own(vscode.commands.registerCommand(`kmodlab.${name}`, (...args: unknown[]) => handler(lab, ...args)));
    }

    // The context key behind the editor-title Load button.
    const updateIsModule = () => {
      const doc = vscode.window.activeTextEditor?.document;
      void vscode.commands.executeCommand('setContext', 'kmodlab.isModule', !!doc && doc.languageId === 'c' && looksLikeModule(doc.getText()));
    };
    own(vscode.window.onDidChangeActiveTextEditor(updateIsModule));
    own(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) updateIsModule();
      }),
    );
    updateIsModule();
    return { kernelLog: () => log.text(), moduleState: () => status.state };
  } catch (e) {
    void vscode.window.showErrorMessage(`Kernel Module Lab failed to start: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

/**
 * Opens the walkthrough's example. With a folder open it is copied there (once) so the student
 * can edit and break it; without one it opens as an untitled `test_mem.c`.
 */
async function openExample(extensionUri: vscode.Uri): Promise<void> {
  const shipped = vscode.Uri.joinPath(extensionUri, 'examples', 'test_mem.c');
  const folder = vscode.workspace.workspaceFolders?.[0];
  let doc: vscode.TextDocument;
  if (folder) {
    const target = vscode.Uri.joinPath(folder.uri, 'test_mem.c');
    try {
      await vscode.workspace.fs.stat(target);
    } catch {
      await vscode.workspace.fs.copy(shipped, target);
    }
    doc = await vscode.workspace.openTextDocument(target);
  } else {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(shipped));
    doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'untitled', path: 'test_mem.c' }));
    if (!doc.getText()) {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(0, 0), text);
      await vscode.workspace.applyEdit(edit);
    }
  }
  await vscode.window.showTextDocument(doc);
}
