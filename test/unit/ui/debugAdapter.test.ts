// The `kmodlab` debug adapter over the Debug Adapter Protocol (@vscode/debugadapter-testsupport's
// DebugClient), with the adapter in this process on a socket and the module in a real debug worker
// thread (src/ui/debugWorker.ts, bundled as the extension's build bundles it). Waits are on DAP
// events, never on sleeps.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { KmodlabDebugSession } from '../../../src/ui/debug/adapter';
import type { KmodlabLaunchArgs } from '../../../src/ui/debug/adapter';
import { nodeWorker } from '../../../src/ui/nodeWorker';
import type { DebugStart, FromDebugWorker } from '../../../src/protocol/debug';

const ROOT = path.join(__dirname, '..', '..', '..');
const TEST_MEM_PATH = path.join(ROOT, 'examples', 'test_mem.c');
const TEST_MEM = fs.readFileSync(TEST_MEM_PATH, 'utf8');
const lineOf = (text: string, needle: string, nth = 1): number => {
  let at = -1;
  for (let i = 0; i < nth; i++) at = text.indexOf(needle, at + 1);
  return text.slice(0, at).split('\n').length;
};

describe('ui/debug adapter (DAP)', function () {
  this.timeout(120000);
  let dir: string;
  let workerFile: string;
  let server: net.Server;
  let dc: DebugClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmodlab-debug-'));
    workerFile = path.join(dir, 'debugWorker.js');
    await esbuild.build({ entryPoints: [path.join(ROOT, 'src', 'ui', 'debugWorker.ts')], outfile: workerFile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
    server = net.createServer((socket) => {
      const session = new KmodlabDebugSession({ startWorker: () => nodeWorker<DebugStart, FromDebugWorker>(workerFile), readModule: async (p) => (fs.existsSync(p) ? { fileName: path.basename(p), text: fs.readFileSync(p, 'utf8'), locals: {} } : undefined) });
      session.setRunAsServer(true);
      session.start(socket, socket);
    }).listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
  });

  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    dc = new DebugClient('node', '', 'kmodlab');
    await dc.start((server.address() as net.AddressInfo).port);
  });

  afterEach(async () => {
    await dc.stop();
  });

  /** Launch `program` with breakpoints on `lines` and wait for the first stop. */
  async function launchTo(program: string, lines: number[], extra: Partial<KmodlabLaunchArgs> = {}): Promise<DebugProtocol.StoppedEvent> {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.setBreakpointsRequest({ source: { path: program }, breakpoints: lines.map((line) => ({ line })) })).then(() => dc.configurationDoneRequest()),
      dc.launch({ program, ...extra } as DebugProtocol.LaunchRequestArguments),
    ]);
    return stopped;
  }

  /** Resume with `step` and wait for the next stop. */
  async function step(how: 'next' | 'stepBack' | 'continue' | 'stepIn' | 'stepOut'): Promise<DebugProtocol.StoppedEvent> {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    if (how === 'next') await dc.nextRequest({ threadId: 1 });
    else if (how === 'stepBack') await dc.stepBackRequest({ threadId: 1 });
    else if (how === 'stepIn') await dc.stepInRequest({ threadId: 1 });
    else if (how === 'stepOut') await dc.stepOutRequest({ threadId: 1 });
    else await dc.continueRequest({ threadId: 1 });
    return stopped;
  }

  async function topFrame(): Promise<DebugProtocol.StackFrame> {
    const st = await dc.stackTraceRequest({ threadId: 1 });
    return st.body.stackFrames[0];
  }

  async function variable(ref: number, name: string): Promise<DebugProtocol.Variable> {
    const vars = (await dc.variablesRequest({ variablesReference: ref })).body.variables;
    const v = vars.find((x) => x.name === name);
    assert.ok(v, `no ${name} among ${vars.map((x) => x.name).join(', ')}`);
    return v;
  }

  /** The entries of `personList.list`, read through Globals → personList → list. */
  async function personListEntries(): Promise<DebugProtocol.Variable[]> {
    const frame = await topFrame();
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    const globals = scopes.find((s) => s.name === 'Globals')!;
    const personList = await variable(globals.variablesReference, 'personList');
    const list = await variable(personList.variablesReference, 'list');
    const children = (await dc.variablesRequest({ variablesReference: list.variablesReference })).body.variables;
    return children.filter((c) => /^\[\d+\]$/.test(c.name));
  }

  it('breaks in init_module, steps past the second list_add_tail and shows personList.list as two entries; step back shows one', async () => {
    const kernelLog: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') kernelLog.push(e.body.output);
    });
    const first = lineOf(TEST_MEM, 'printk(KERN_INFO "initialize');
    const stop = await launchTo(TEST_MEM_PATH, [first]);
    assert.equal(stop.body.reason, 'breakpoint');
    const frame = await topFrame();
    assert.equal(frame.line, first);
    assert.match(frame.name, /^init_module \[frame 0xffffc9000/);

    const afterSecondAdd = lineOf(TEST_MEM, 'list_add_tail', 2) + 1;
    for (let i = 0; i < 40 && (await topFrame()).line !== afterSecondAdd; i++) await step('next');
    assert.equal((await topFrame()).line, afterSecondAdd);
    const two = await personListEntries();
    assert.deepEqual(two.map((e) => e.type), ['struct Person', 'struct Person']);
    assert.match(two[0].value, /name="roman1", weight=130/);
    assert.match(two[1].value, /name="roman2", weight=260/);

    // The kernel log reaches the debug console as printk prints it, once: the replay of step back repeats none.
    const allocating = (l: string) => l.startsWith('allocate memory using kmalloc');
    assert.equal(kernelLog.filter(allocating).length, 2);
    await step('stepBack');
    assert.equal((await topFrame()).line, afterSecondAdd - 1);
    assert.equal(kernelLog.filter(allocating).length, 2);
    assert.equal(kernelLog.filter((l) => l.startsWith('initialize kernel module: test_mem')).length, 1);
    const one = await personListEntries();
    assert.equal(one.length, 1);
    assert.match(one[0].value, /name="roman1"/);

    // The first Person's 56 bytes: "roman1" and its NUL at offset 0, weight 130 at offset 32.
    const mem = await dc.customRequest('readMemory', { memoryReference: one[0].memoryReference, count: 56 });
    const bytes = Buffer.from(mem.body.data, 'base64');
    assert.equal(bytes.length, 56);
    assert.equal(bytes.subarray(0, 7).toString('latin1'), 'roman1\0');
    assert.equal(bytes.readUInt32LE(32), 130);
    assert.equal(bytes[36], 1, 'gender');
  });

  it('evaluates C expressions in the frame, for hovers and the debug console', async () => {
    const line = lineOf(TEST_MEM, 'aNewPerson->weight = 130;');
    await launchTo(TEST_MEM_PATH, [line]);
    const frame = await topFrame();
    const name = await dc.evaluateRequest({ expression: 'aNewPerson->name', frameId: frame.id, context: 'hover' });
    assert.equal(name.body.result, '"roman1"');
    const sum = await dc.evaluateRequest({ expression: 'sizeof_is_not_here + 1', frameId: frame.id, context: 'repl' }).catch((e: Error) => e);
    assert.ok(sum instanceof Error && /not in scope/.test(sum.message));
    await step('next');
    const w = await dc.evaluateRequest({ expression: 'aNewPerson->weight * 2', frameId: (await topFrame()).id, context: 'watch' });
    assert.equal(w.body.result, '260');
  });

  it('stops at the kfree of the vmalloc node with the kernel report as the exception', async () => {
    const broken = TEST_MEM.replace(/vfree\(aPerson\);/, 'kfree(aPerson);');
    const file = path.join(dir, 'test_mem.c');
    fs.writeFileSync(file, broken);
    const stop = await launchTo(file, []);
    assert.equal(stop.body.reason, 'exception');
    const frame = await topFrame();
    assert.equal(frame.line, lineOf(broken, 'kfree(aPerson);', 3));
    assert.match(frame.name, /^cleanup_module/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.ok(info.body.details?.stackTrace?.includes('cleanup_module'), info.body.details?.stackTrace);
    assert.match(info.body.description ?? '', /BUG|Oops|WARNING|KASAN/);
  });

  it('honours conditions, hit counts and logpoints', async () => {
    const loopy = TEST_MEM.replace('printk(KERN_INFO "\\n");', 'int i, sum = 0;\nfor (i = 0; i < 10; i++)\nsum += i;\nprintk(KERN_INFO "\\n");');
    const file = path.join(dir, 'loop.c');
    fs.writeFileSync(file, loopy);
    const sumLine = lineOf(loopy, 'sum += i;');
    const consoleLines: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'console') consoleLines.push(e.body.output);
    });
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.setBreakpointsRequest({
        source: { path: file },
        breakpoints: [{ line: lineOf(loopy, 'INIT_LIST_HEAD(&personList.list)'), logMessage: 'head at {&personList.list}' }, { line: sumLine, condition: 'i >= 3', hitCondition: '2' }],
      })).then(() => dc.configurationDoneRequest()),
      dc.launch({ program: file } as DebugProtocol.LaunchRequestArguments),
    ]);
    assert.equal((await stopped).body.reason, 'breakpoint');
    const i = await dc.evaluateRequest({ expression: 'i', frameId: (await topFrame()).id });
    assert.equal(i.body.result, '4', 'the second hit with i >= 3');
    assert.deepEqual(consoleLines.filter((l) => l.startsWith('head at')).length, 1);
    assert.match(consoleLines.find((l) => l.startsWith('head at'))!, /^head at 0xffffffffc[0-9a-f]{7}\n$/);
  });

  it('stops after a statement writes a watched field (data breakpoint)', async () => {
    const line = lineOf(TEST_MEM, 'aNewPerson->weight = 130*2;');
    await launchTo(TEST_MEM_PATH, [line]);
    const frame = await topFrame();
    const info = await dc.customRequest('dataBreakpointInfo', { name: 'aNewPerson->weight', frameId: frame.id });
    assert.ok(info.body.dataId, info.body.description);
    await dc.setBreakpointsRequest({ source: { path: TEST_MEM_PATH }, breakpoints: [] });
    await dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }] });
    const stop = await step('continue');
    assert.equal(stop.body.reason, 'data breakpoint');
    assert.equal((await topFrame()).line, line + 1);
    const w = await dc.evaluateRequest({ expression: 'aNewPerson->weight', frameId: (await topFrame()).id });
    assert.equal(w.body.result, '260');
  });

  it('pauses a module in an endless loop, and takes a breakpoint set while it runs', async () => {
    const looping = TEST_MEM.replace('return 0;', 'int n = 0;\nwhile (1)\nn++;\nreturn 0;');
    const file = path.join(dir, 'looping.c');
    fs.writeFileSync(file, looping);
    await launchTo(file, [lineOf(looping, 'printk(KERN_INFO "traversing')], { softLockupSeconds: 3600 });
    // A breakpoint set while the loop runs: the endless loop reaches it.
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: lineOf(looping, 'n++;') }] });
    const stop = await stopped;
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal((await topFrame()).line, lineOf(looping, 'n++;'));
    // Pause stops wherever the loop is.
    await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [] });
    const paused = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    await dc.pauseRequest({ threadId: 1 });
    assert.equal((await paused).body.reason, 'pause');
    assert.ok([lineOf(looping, 'while (1)'), lineOf(looping, 'n++;')].includes((await topFrame()).line));
  });
});
