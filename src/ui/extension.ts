// PLACEHOLDER: the extension's entry point until the real UI lands. It registers the commands that
// package.json contributes, each showing "coming soon". The real `activate()` stays as thin as
// this one: it wires a table of commands (registered in one loop under the `kmodlab.` prefix) and
// pushes every registration onto `context.subscriptions` so deactivation disposes it.

import * as vscode from 'vscode';

/** Command handlers by id without the `kmodlab.` prefix; package.json lists the same ids. */
const COMMANDS: Record<string, () => unknown> = {
  loadModule: () => vscode.window.showInformationMessage('Kernel Module Lab: coming soon'),
};

/** Called by VS Code on the first activation event (a C file opened, or a command run). */
export function activate(context: vscode.ExtensionContext): void {
  for (const [name, handler] of Object.entries(COMMANDS)) {
    context.subscriptions.push(vscode.commands.registerCommand(`kmodlab.${name}`, handler));
  }
}

/** Nothing to release beyond `context.subscriptions`, which VS Code disposes itself. */
export function deactivate(): void {}
