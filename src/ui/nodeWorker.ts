// A Node worker thread behind the WorkerLike interface (the desktop kernel worker). No vscode here,
// so the unit tests start real workers through it.

import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from '../protocol/kernel';
import type { WorkerLike } from './kernelClient';

/** Starts `file` (a bundled worker such as dist/kernelWorker.js or dist/debugWorker.js) as a worker thread. */
export function nodeWorker<To = ToWorker, From = FromWorker>(file: string): WorkerLike<To, From> {
  const w = new Worker(file);
  // An idle worker must not keep its process alive (the tests' mocha, a closing extension host).
  w.unref();
  let failed: ((err: Error) => void) | undefined;
  let terminated = false;
  w.on('error', (err) => failed?.(err));
  w.on('exit', (code) => {
    if (!terminated) failed?.(new Error(`exited with code ${code}`));
  });
  return {
    post: (msg) => w.postMessage(msg),
    onMessage: (cb) => w.on('message', (m: From) => cb(m)),
    onFailure: (cb) => (failed = cb),
    terminate: () => {
      terminated = true;
      void w.terminate();
    },
  };
}
