// The web extension host's entry point (dist/web/extension.js, for vscode.dev and other browsers):
// the kernel runs in Web Workers started from dist/web/kernelWorker.js. Everything else is shared
// with the desktop build (main.ts).

import * as vscode from 'vscode';
import type { FromWorker, ToWorker } from '../../protocol/kernel';
import type { WorkerLike } from '../kernelClient';
import { activateWith } from '../main';
import type { KmodlabApi } from '../main';

/** The Web Worker API, declared here because this project type-checks without the DOM lib. */
declare class Worker {
  constructor(url: string);
  postMessage(msg: ToWorker): void;
  onmessage: ((ev: { data: FromWorker }) => void) | null;
  onerror: ((ev: { message?: string }) => void) | null;
  terminate(): void;
}

export function activate(context: vscode.ExtensionContext): KmodlabApi {
  return activateWith(context, {
    workerFactory: (ctx) => () => webWorker(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'web', 'kernelWorker.js').toString(true)),
  });
}

export function deactivate(): void {}

function webWorker(url: string): WorkerLike {
  const w = new Worker(url);
  return {
    post: (msg) => w.postMessage(msg),
    onMessage: (cb) => (w.onmessage = (ev) => cb(ev.data)),
    onFailure: (cb) => (w.onerror = (ev) => cb(new Error(ev.message ?? 'the web worker failed'))),
    terminate: () => w.terminate(),
  };
}
