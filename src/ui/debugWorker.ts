// The debug worker for the desktop extension host: a Node worker thread (bundled as
// dist/debugWorker.js) that runs one debug session and exits. The adapter starts one per session
// and terminates it when the session ends.

import { parentPort } from 'node:worker_threads';
import type { DebugStart } from '../protocol/debug';
import { runDebugSession } from './worker/debugSession';

const port = parentPort;
if (!port) throw new Error('debugWorker.js must run as a worker thread');
port.once('message', (msg: DebugStart) => {
  runDebugSession(msg, (m) => port.postMessage(m));
  port.close();
});
