// The kernel worker for vscode.dev and other web extension hosts: a Web Worker (bundled as
// dist/web/kernelWorker.js) with the same KernelSession as the desktop worker thread.

import type { FromWorker, ToWorker } from '../../protocol/kernel';
import { KernelSession } from '../worker/session';

/** The dedicated worker scope, typed here because this project type-checks without the DOM lib. */
declare const self: {
  onmessage: ((ev: { data: ToWorker }) => void) | null;
  postMessage(msg: FromWorker): void;
};

const session = new KernelSession();
self.onmessage = (ev) => self.postMessage(session.handle(ev.data));
