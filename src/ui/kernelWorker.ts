// The kernel worker for the desktop extension host: a Node worker thread (bundled as
// dist/kernelWorker.js) that owns one KernelSession and answers each request message in order.
// The extension terminates and restarts it at will (a cancelled Load, a hung run), so it keeps no
// state worth saving beyond the session itself.

import { parentPort } from 'node:worker_threads';
import type { ToWorker } from '../protocol/kernel';
import { KernelSession } from './worker/session';

const session = new KernelSession();
const port = parentPort;
if (!port) throw new Error('kernelWorker.js must run as a worker thread');
port.on('message', (msg: ToWorker) => port.postMessage(session.handle(msg)));
