// Wires the `kmodlab` debugger into VS Code (desktop only: the debug worker blocks on
// Atomics.wait, which a Node worker thread may do): the inline debug adapter, the launch
// configuration defaults (F5 on a module with no launch.json debugs the active file with the
// kmodlab.* settings), the Debug Module command behind the CodeLens and the editor title, and the
// C member chains (`p->list.next`) that debug hovers evaluate.
//
// The memory map follows the debugger through `DebugFollower`: after each stop (and at once when it
// subscribes during a stop) it gets the memory map's snapshot at that step and the addresses the
// current line touches; `onDidEnd` tells it the session is over. With no subscriber the worker is
// never asked for a snapshot.

import * as vscode from 'vscode';
import type { DebugStep } from '../../core/index';
import { runSettings } from '../settings';
import { readModuleSource } from '../source';
import type { DebugWorkerPort, KmodlabLaunchArgs } from './adapter';
import { KmodlabDebugSession } from './adapter';

export const DEBUG_TYPE = 'kmodlab';

/** What the memory map panel subscribes to, to follow the debugger step by step. */
export interface DebugFollower {
  /**
   * Fires after each stop of a kmodlab debug session, with the state at that step; a listener that
   * subscribes while a session is stopped gets that stop at once.
   */
  readonly onDidStop: vscode.Event<DebugStep>;
  /** Fires when a kmodlab debug session ends. */
  readonly onDidEnd: vscode.Event<void>;
}

export function registerDebugger(context: vscode.ExtensionContext, startWorker: () => DebugWorkerPort): DebugFollower {
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const stopped = own(new vscode.EventEmitter<DebugStep>());
  const ended = own(new vscode.EventEmitter<void>());
  let listeners = 0;
  /** The session that reported the last stop (asking it while it runs answers nothing). */
  let lastStopped: KmodlabDebugSession | undefined;
  const onDidStop: vscode.Event<DebugStep> = (listener, thisArgs, disposables) => {
    listeners++;
    const d = stopped.event(listener, thisArgs, disposables);
    let subscribed = true;
    void lastStopped?.debugStep().then((step) => subscribed && step && listener.call(thisArgs, step));
    return new vscode.Disposable(() => {
      subscribed = false;
      listeners--;
      d.dispose();
    });
  };

  own(vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { resolveDebugConfiguration: (_folder, config) => resolveConfiguration(config) }));
  own(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => {
        const session: KmodlabDebugSession = new KmodlabDebugSession({
          startWorker,
          readModule: async (program) => {
            try {
              return (await readModuleSource(await vscode.workspace.openTextDocument(vscode.Uri.file(program)))).source;
            } catch {
              return undefined;
            }
          },
          // Only ask the worker for the memory map's state when a panel listens.
          onStopped: () => {
            lastStopped = session;
            if (listeners > 0) void session.debugStep().then((step) => step && stopped.fire(step));
          },
        });
        return new vscode.DebugAdapterInlineImplementation(session);
      },
    }),
  );
  own(
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type !== DEBUG_TYPE) return;
      lastStopped = undefined;
      ended.fire();
    }),
  );
  own(vscode.commands.registerCommand('kmodlab.debugModule', (uri?: vscode.Uri) => debugModule(uri)));
  own(vscode.languages.registerEvaluatableExpressionProvider('c', { provideEvaluatableExpression: hoverExpression }));
  void vscode.commands.executeCommand('setContext', 'kmodlab.canDebug', true);
  return { onDidStop, onDidEnd: ended.event };
}

/** A member chain such as `aNewPerson->list.next` or `people[2].name`. */
const MEMBER_CHAIN = /[A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*|\[\s*\w+\s*\])*/g;

/**
 * What a debug hover evaluates: the member chain up to the hovered name, so hovering `name` in
 * `aNewPerson->name` shows the field, and hovering `aNewPerson` the pointer.
 */
function hoverExpression(doc: vscode.TextDocument, pos: vscode.Position): vscode.EvaluatableExpression | undefined {
  const word = doc.getWordRangeAtPosition(pos, /[A-Za-z_]\w*/);
  if (!word) return undefined;
  const line = doc.lineAt(pos.line).text;
  for (const m of line.matchAll(MEMBER_CHAIN)) {
    const start = m.index ?? 0;
    if (start <= word.start.character && word.end.character <= start + m[0].length) {
      const range = new vscode.Range(pos.line, start, pos.line, word.end.character);
      return new vscode.EvaluatableExpression(range, doc.getText(range));
    }
  }
  return new vscode.EvaluatableExpression(word);
}

/** Fill in a launch configuration: the active C file, and the kmodlab.* settings it does not set. */
function resolveConfiguration(config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!config.type && !config.request && !config.name) {
    if (!doc || doc.languageId !== 'c') return undefined;
    config = { type: DEBUG_TYPE, request: 'launch', name: 'Debug Module', program: doc.uri.fsPath };
  }
  const args = config as vscode.DebugConfiguration & Partial<KmodlabLaunchArgs>;
  args.program ||= doc?.uri.fsPath;
  if (!args.program) {
    void vscode.window.showErrorMessage('Kernel Module Lab: open a module (.c file) to debug it.');
    return undefined;
  }
  const settings = runSettings((key) => vscode.workspace.getConfiguration('kmodlab').get(key));
  args.kernelConfig ??= settings.config;
  args.seed ??= settings.seed;
  args.ramMiB ??= settings.ramBytes === undefined ? undefined : settings.ramBytes >> 20;
  args.softLockupSeconds ??= settings.softLockupSeconds;
  return args;
}

/** Debug Module: debug the module in the given (or active) editor; with no breakpoint in it, stop at entry. */
async function debugModule(uri: vscode.Uri | undefined): Promise<boolean> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) return false;
  const hasBreakpoint = vscode.debug.breakpoints.some((b) => b.enabled && b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === target.toString());
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), {
    type: DEBUG_TYPE, request: 'launch', name: 'Debug Module', program: target.fsPath, stopOnEntry: !hasBreakpoint,
  });
}
