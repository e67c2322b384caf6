// The kernel shell's own behaviour, one line at a time on a fresh machine (src/core/shell): what
// each line prints, with files made directly in the machine's tree so the cases need no module.

import { strict as assert } from 'node:assert';
import { bootShell } from '../../../src/core/index';
import type { Shell } from '../../../src/core/index';
import type { FileOps, OpenFile } from '../../../src/core/kernel/vfs';
import { E, SnapshotFile, encodeLatin1 } from '../../../src/core/kernel/vfs';

/** A file whose read handler never reports end of file (it ignores the offset). */
const ENDLESS: FileOps = {
  open: (): OpenFile => ({ read: (n) => encodeLatin1('y\n'.repeat(Math.min(n, 4096) / 2)), write: () => -E.EIO, llseek: () => 0, ioctl: () => -E.ENOTTY, release: () => 0 }),
  size: () => 0,
};

/** A file that remembers what was written, one write(2) per entry. */
function recorder(writes: string[]): FileOps {
  return {
    open: (): OpenFile => ({ read: () => new Uint8Array(0), write: (d) => (writes.push(String.fromCharCode(...d)), d.length), llseek: () => 0, ioctl: () => -E.ENOTTY, release: () => 0 }),
    size: () => 0,
  };
}

function shell(): { sh: Shell; writes: string[] } {
  const sh = bootShell([]);
  const writes: string[] = [];
  const proc = sh.vfs.lookup('/proc');
  assert.ok(typeof proc !== 'number' && proc.kind === 'dir');
  sh.vfs.createFile(proc, 'endless', 0o444, ENDLESS);
  sh.vfs.createFile(proc, 'sink', 0o222, recorder(writes));
  return { sh, writes };
}

/** Run lines in order on one machine; the output of the last. */
function run(...lines: string[]): string {
  const { sh } = shell();
  let out = '';
  for (const l of lines) out = sh.run(l).output;
  return out;
}

describe('kernel shell', function () {
  this.timeout(20000);
  const cases: [string[], string][] = [
    [['echo a   b "c  d"'], 'a b c  d\n'],
    [['echo -n x; echo y'], 'xy\n'],
    // As bash's echo: octal needs the leading 0 (a backslash and 101 stay as they are).
    [['echo -e "a\\tb\\x41\\0101 \\101"'], 'a\tbAA \\101\n'],
    [['false; echo $?'], '1\n'],
    [['nope; echo $?'], 'bash: nope: command not found\n127\n'],
    [['echo one > /tmp/f', 'echo two >> /tmp/f', 'cat /tmp/f'], 'one\ntwo\n'],
    [['echo x > /tmp/f', 'cat < /tmp/f'], 'x\n'],
    [['cat /nope 2> /tmp/err', 'cat /tmp/err'], 'cat: /nope: No such file or directory\n'],
    [['cat /nope 2>/dev/null; echo $?'], '1\n'],
    [['echo a > /tmp/a', 'echo b > /tmp/b', 'head -n 1 /tmp/a /tmp/b'], '==> /tmp/a <==\na\n\n==> /tmp/b <==\nb\n'],
    [['head -n x /proc/version'], "head: invalid number of lines: 'x'\n"],
    [['cat /proc/version | grep -c Linux'], '1\n'],
    [['printf'], 'bash: printf: command not found\n'],
    [['make'], 'bash: make: command not found\nkmodlab: no build step here: insmod NAME.ko builds NAME.c as the editor has it (ls shows the .ko files)\n'],
    [['cd /proc; pwd; cd nope'], '/proc\nbash: cd: nope: No such file or directory\n'],
    [['cd /proc/version'], 'bash: cd: /proc/version: Not a directory\n'],
    [['cd /tmp', 'echo hi > rel', 'cat /tmp/rel'], 'hi\n'],
    [['ls -l /dev/null /dev/zero'], 'crw-rw-rw- 1 root root 1, 3 Jul 30 00:16 /dev/null\ncrw-rw-rw- 1 root root 1, 5 Jul 30 00:16 /dev/zero\n'],
    [['mknod /dev/big c 240 1000', 'ls -l /dev/big /dev/null'], 'crw-r--r-- 1 root root 240, 1000 Jul 30 00:16 /dev/big\ncrw-rw-rw- 1 root root   1,    3 Jul 30 00:16 /dev/null\n'],
    [['mknod /dev/x q 1 2'], "mknod: invalid device type 'q'\nTry 'mknod --help' for more information.\n"],
    [['ls -z'], "ls: invalid option -- 'z'\nTry 'ls --help' for more information.\n"],
    [['sleep'], "sleep: missing operand\nTry 'sleep --help' for more information.\n"],
    [['sleep 1x'], "sleep: invalid time interval '1x'\nTry 'sleep --help' for more information.\n"],
    [['cat /proc/uptime', 'sleep 1.5', 'cat /proc/uptime'], '3.80 3.42\n'],
    [['uname -r'], '6.1.0-56-amd64\n'],
    [['sudo -E uname -r'], '6.1.0-56-amd64\n'],
    [['echo hi | sudo tee /tmp/t /tmp/u > /dev/null', 'cat /tmp/t /tmp/u'], 'hi\nhi\n'],
    [['echo hi | tee /proc/nope'], 'tee: /proc/nope: No such file or directory\nhi\n'],
    [['echo /proc/*info /proc/?odules'], '/proc/buddyinfo /proc/meminfo /proc/slabinfo /proc/vmallocinfo /proc/modules\n'],
    [["echo /nope/* '/proc/*'"], '/nope/* /proc/*\n'],
    [['cd /proc; echo *mem* ../proc/ve*'], 'meminfo ../proc/version\n'],
    [['echo "unterminated'], 'bash: unexpected EOF while looking for matching `"\'\n'],
  ];
  for (const [lines, want] of cases) it(lines.join(' ⏎ '), () => assert.equal(run(...lines), want));

  it('stops cat after 1 MiB of a read handler that never returns 0, and says why', () => {
    const out = run('cat /proc/endless');
    const lines = out.split('\n');
    assert.equal(lines.filter((l) => l === 'y').length, (1 << 20) / 2);
    assert.match(out, /kmodlab: cat: stopped after 1048576 bytes of \/proc\/endless: its read handler never returned 0/);
  });

  it('head reads only what it needs from an endless file', () => assert.equal(run('head -n 2 /proc/endless'), 'y\ny\n'));

  it('echo writes its whole line in one write(2), as bash does', () => {
    const { sh, writes } = shell();
    sh.run('echo hello world > /proc/sink');
    assert.deepEqual(writes, ['hello world\n']);
  });

  it('runs each command as a task of its own and builtins as bash', () => {
    const { sh } = shell();
    const seen: string[] = [];
    const proc = sh.vfs.lookup('/proc');
    assert.ok(typeof proc !== 'number' && proc.kind === 'dir');
    sh.vfs.createFile(proc, 'who', 0o666, { open: (req) => (seen.push(`${req.task.comm}/${req.task.pid}`), new SnapshotFile('')), size: () => 0 });
    sh.run('cat /proc/who; cat /proc/who; echo x > /proc/who');
    assert.deepEqual(seen, ['cat/121', 'cat/122', 'bash/120']);
  });

  it('prompts with the working directory as bash shows it', () => {
    const { sh } = shell();
    assert.equal(sh.prompt(), 'root@kmodlab:~# ');
    sh.run('cd /proc');
    assert.equal(sh.prompt(), 'root@kmodlab:/proc# ');
  });
});

describe('kernel shell: ls on a terminal', () => {
  // The expected layouts are what GNU ls -C --width=N prints for these names on Debian 12.
  const names = ['buddyinfo', 'cmdline', 'devices', 'meminfo', 'misc', 'modules', 'slabinfo', 'uptime', 'version', 'vmallocinfo'];
  const cases: [number, string][] = [
    [80, 'buddyinfo  devices  misc     slabinfo  version\ncmdline    meminfo  modules  uptime    vmallocinfo\n'],
    [40, 'buddyinfo  misc      version\ncmdline    modules   vmallocinfo\ndevices    slabinfo\nmeminfo    uptime\n'],
    [12, names.join('\n') + '\n'],
  ];
  for (const [width, want] of cases) {
    it(`${width} columns`, () => {
      const sh = bootShell([]);
      sh.terminalColumns = width;
      assert.equal(sh.run('ls /proc').output, want);
    });
  }
  it('one name per line into a pipe or a file', () => {
    const sh = bootShell([]);
    sh.terminalColumns = 80;
    assert.equal(sh.run('ls /proc | head -n 2').output, 'buddyinfo\ncmdline\n');
    sh.run('ls /proc > /tmp/l');
    assert.equal(sh.run('head -n 1 /tmp/l').output, 'buddyinfo\n');
  });
});

describe('kernel shell: rmmod of a module in use', () => {
  it('refuses as kmod does, from the reference count lsmod shows', () => {
    const pin = `#include <linux/module.h>
MODULE_LICENSE("GPL");
static int __init pin_init(void) { return try_module_get(THIS_MODULE) ? 0 : -EBUSY; }
static void __exit pin_exit(void) { }
module_init(pin_init);
module_exit(pin_exit);
`;
    const sh = bootShell([{ fileName: 'pin.c', text: pin }]);
    assert.equal(sh.run('insmod pin.ko').output, '');
    assert.match(sh.run('lsmod').output, /^pin +\d+ +1$/m);
    assert.deepEqual(sh.run('rmmod pin'), { output: 'rmmod: ERROR: Module pin is in use\n', status: 1, follow: false, exit: false });
  });
});
