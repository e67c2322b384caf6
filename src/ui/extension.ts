// The desktop extension host's entry point (dist/extension.js): the kernel runs in Node worker
// threads started from dist/kernelWorker.js, and the debugger's in dist/debugWorker.js. Everything else is shared with the web build (main.ts).

import * as path from 'node:path';
import type * as vscode from 'vscode';
import { activateWith } from './main';
import type { KmodlabApi } from './main';
import { nodeWorker } from './nodeWorker';
import type { DebugStart, FromDebugWorker } from '../protocol/debug';
import { registerDebugger } from './debug/register';

export function activate(context: vscode.ExtensionContext): KmodlabApi {
  return activateWith(context, {
    workerFactory: (ctx) => () => nodeWorker(path.join(ctx.extensionPath, 'dist', 'kernelWorker.js')),
    registerDebugger: (ctx) => registerDebugger(ctx, () => nodeWorker<DebugStart, FromDebugWorker>(path.join(ctx.extensionPath, 'dist', 'debugWorker.js'))),
  });
}

/** Nothing to release beyond `context.subscriptions`, which VS Code disposes itself. */
export function deactivate(): void {}
