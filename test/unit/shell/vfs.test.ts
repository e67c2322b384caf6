// The machine's file tree (src/core/kernel/vfs.ts): path lookup with `.`, `..` and symlinks, the
// errnos of a failed lookup or create, `ls -l` modes, and open() of files, directories and device
// nodes (an unregistered major gives ENXIO, as chrdev_open() does).

import { strict as assert } from 'node:assert';
import { E, O_CREAT, O_RDONLY, O_WRONLY, Vfs, decodeLatin1, encodeLatin1, generatedFile, modeString } from '../../../src/core/kernel/vfs';
import type { OpenFile } from '../../../src/core/kernel/vfs';

const TASK = { pid: 100, comm: 'cat' };

function tree(): Vfs {
  const vfs = new Vfs();
  vfs.mkdirs('/proc/driver');
  vfs.mkdirs('/dev');
  vfs.mkdirs('/tmp');
  const p = vfs.lookup('/proc');
  if (typeof p === 'number' || p.kind !== 'dir') throw new Error('no /proc');
  vfs.createFile(p, 'version', 0o444, generatedFile(() => 'Linux version 6.1.0\n'));
  vfs.symlink(p, 'self', 'driver');
  vfs.symlink(p, 'loop', 'loop');
  return vfs;
}

function nameOrErrno(r: ReturnType<Vfs['lookup']>): string | number {
  return typeof r === 'number' ? r : r.name;
}

describe('vfs: path lookup', () => {
  const cases: [string, string | number][] = [
    ['/', ''],
    ['/proc', 'proc'],
    ['/proc/', 'proc'],
    ['//proc//version', 'version'],
    ['/proc/./driver/..', 'proc'],
    ['/..', ''],
    ['/proc/self', 'driver'],
    ['/proc/nope', -E.ENOENT],
    ['/proc/version/x', -E.ENOTDIR],
    ['/proc/version/', -E.ENOTDIR],
    ['/proc/loop', -E.ELOOP],
  ];
  for (const [path, want] of cases) it(`${path} → ${want}`, () => assert.equal(nameOrErrno(tree().lookup(path)), want));

  it('resolves relative paths against cwd', () => assert.equal(nameOrErrno(tree().lookup('version', { cwd: '/proc' })), 'version'));
  it('keeps a final symlink with noFollow', () => assert.equal(nameOrErrno(tree().lookup('/proc/self', { noFollow: true })), 'self'));
  it('names a node by its path', () => {
    const vfs = tree();
    const n = vfs.lookup('/proc/driver');
    assert.equal(typeof n !== 'number' && vfs.pathOf(n), '/proc/driver');
  });
});

describe('vfs: making and removing nodes', () => {
  it('refuses a second node of the same name with EEXIST', () => {
    const vfs = tree();
    const dev = vfs.lookup('/dev');
    assert.ok(typeof dev !== 'number' && dev.kind === 'dir');
    assert.equal(typeof vfs.mknod(dev, 'chardev', 0o600, 240, 0), 'object');
    assert.equal(vfs.mknod(dev, 'chardev', 0o600, 240, 0), -E.EEXIST);
  });
  it('refuses names with a slash', () => {
    const vfs = tree();
    assert.equal(vfs.mkdir(vfs.root, 'a/b'), -E.EINVAL);
  });
  it('removes a non-empty directory only recursively', () => {
    const vfs = tree();
    const driver = vfs.lookup('/proc');
    assert.ok(typeof driver !== 'number');
    assert.equal(vfs.remove(driver), -E.ENOTEMPTY);
    assert.equal(vfs.remove(driver, true), 0);
    assert.equal(vfs.lookup('/proc/version'), -E.ENOENT);
  });
  it('lists a directory sorted as ls does in the C locale', () => {
    const vfs = tree();
    const proc = vfs.lookup('/proc');
    assert.ok(typeof proc !== 'number' && proc.kind === 'dir');
    vfs.mkdir(proc, 'Zed');
    assert.deepEqual(vfs.list(proc).map((n) => n.name), ['Zed', 'driver', 'loop', 'self', 'version']);
  });
});

describe('vfs: ls -l modes', () => {
  const cases: [number, string][] = [
    [0o040755, 'drwxr-xr-x'],
    [0o040555, 'dr-xr-xr-x'],
    [0o100444, '-r--r--r--'],
    [0o100200, '--w-------'],
    [0o020600, 'crw-------'],
    [0o120777, 'lrwxrwxrwx'],
  ];
  for (const [mode, want] of cases) it(`${mode.toString(8)} → ${want}`, () => assert.equal(modeString(mode), want));
});

describe('vfs: open', () => {
  const readAll = (f: OpenFile): string => {
    let s = '';
    for (;;) {
      const chunk = f.read(7);
      if (typeof chunk === 'number') return `errno ${chunk}`;
      if (chunk.length === 0) return s;
      s += decodeLatin1(chunk);
    }
  };

  it('reads a generated file in chunks and refuses writes with EIO', () => {
    const f = tree().open('/proc/version', { flags: O_RDONLY, task: TASK });
    assert.ok(typeof f !== 'number');
    assert.equal(readAll(f), 'Linux version 6.1.0\n');
    assert.equal(f.llseek(6, 0), 6);
    assert.equal(readAll(f), 'version 6.1.0\n');
    assert.equal(f.write(encodeLatin1('x')), -E.EIO);
  });
  it('fails on a directory with EISDIR', () => assert.equal(tree().open('/proc', { flags: O_RDONLY, task: TASK }), -E.EISDIR));
  it('fails on a device node without a driver with ENXIO', () => {
    const vfs = tree();
    const dev = vfs.lookup('/dev');
    assert.ok(typeof dev !== 'number' && dev.kind === 'dir');
    vfs.mknod(dev, 'foo', 0o644, 240, 0);
    assert.equal(vfs.open('/dev/foo', { flags: O_RDONLY, task: TASK }), -E.ENXIO);
  });
  it('creates a plain file in /tmp but not in /proc', () => {
    const vfs = tree();
    const w = vfs.open('/tmp/x', { flags: O_WRONLY | O_CREAT, task: TASK });
    assert.ok(typeof w !== 'number');
    assert.equal(w.write(encodeLatin1('hi\n')), 3);
    const r = vfs.open('/tmp/x', { flags: O_RDONLY, task: TASK });
    assert.ok(typeof r !== 'number');
    assert.equal(readAll(r), 'hi\n');
    assert.equal(vfs.open('/proc/nope', { flags: O_WRONLY | O_CREAT, task: TASK }), -E.ENOENT);
  });
});
