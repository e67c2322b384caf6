// The kernel shell's output formats against the real machine. test/oracle/shell/hello5.out is what
// Debian's 6.1.0-56-amd64 guest printed for hello5.cmd after `insmod hello5.ko` with hello5.param
// (recorded with the oracle's --guest-cmd; each command's output follows a `### name` line). The
// same commands run here in the kernel shell, and each output must have the real one's shape:
// the same labels in the same order, numbers right-aligned to the same columns, the same headers.
// Values that belong to one machine (free memory, addresses, the kernel's own caches) differ.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootShell } from '../../src/core/index';
import type { Shell } from '../../src/core/index';

const DIR = path.join(__dirname, '..', 'oracle', 'shell');

/** The recording's sections: `### name` → its lines. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const m = /^### (.*)$/.exec(line);
    if (m) out.set(m[1], (current = []));
    else current?.push(line);
  }
  return out;
}

/**
 * A line's shape: 16-digit hex values become H, and every number becomes the column where it
 * ends, so right-aligned columns compare equal whatever the values.
 */
function shape(line: string): string {
  return line.replace(/0x[0-9a-f]{16}/g, 'H').replace(/ *-?\d+/g, (m, at: number) => `<${at + m.length}>`);
}

const REAL = sections(fs.readFileSync(path.join(DIR, 'hello5.out'), 'utf8'));

function ours(sh: Shell, line: string): string[] {
  const out = sh.run(line).output.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

describe('kernel shell formats against the real 6.1 guest (test/oracle/shell)', () => {
  let sh: Shell;
  before(() => {
    sh = bootShell([{ fileName: 'hello5.c', text: fs.readFileSync(path.join(DIR, 'hello5.c'), 'latin1') }], { config: 'default' });
    const params = fs.readFileSync(path.join(DIR, 'hello5.param'), 'utf8').trim();
    assert.equal(sh.run(`insmod hello5.ko ${params.replace(/"([^"]*)"/, `'"$1"'`)}`).status, 0);
  });

  it('/proc/meminfo: every label, in order, with the numbers in the same columns', () => {
    const real = REAL.get('meminfo')!;
    const got = ours(sh, 'cat /proc/meminfo');
    assert.deepEqual(got.map((l) => l.split(':')[0]), real.map((l) => l.split(':')[0]));
    // The totals of a 512 MiB guest have more digits than ours; the rest keep the kernel's widths.
    const fits = (l: string) => !/^(MemTotal|MemFree|MemAvailable|CommitLimit|DirectMap2M):/.test(l);
    assert.deepEqual(got.filter(fits).map(shape), real.filter(fits).map(shape));
  });

  it('/proc/slabinfo: the header, and kmalloc caches in the real columns', () => {
    const real = REAL.get('slabinfo')!;
    const got = ours(sh, 'cat /proc/slabinfo');
    assert.deepEqual(got.slice(0, 2), real.slice(0, 2));
    const line = (ls: string[], name: string) => shape(ls.find((l) => l.startsWith(`${name} `)) ?? `missing ${name}`);
    for (const name of ['kmalloc-8k', 'kmalloc-1k', 'kmalloc-192', 'kmalloc-64', 'kmalloc-8', 'dma-kmalloc-64', 'kmem_cache']) {
      // Object counts differ in digits; compare the columns from objsize on.
      assert.equal(line(got, name).replace(/^.*?<\d+> *<\d+>/, ''), line(real, name).replace(/^.*?<\d+> *<\d+>/, ''), name);
    }
  });

  it('/proc/buddyinfo: one line per zone, eleven orders in the real columns', () => {
    const real = REAL.get('buddyinfo')!.filter((l) => l);
    const got = ours(sh, 'cat /proc/buddyinfo');
    assert.deepEqual(got.map(shape), real.map(shape));
  });

  it('/proc/vmallocinfo: hashed ranges, size, caller and pages as the kernel prints vmalloc areas', () => {
    const pattern = /^0x[0-9a-f]{16}-0x[0-9a-f]{16} +\d+ \S+ pages=\d+ vmalloc N0=\d+$/;
    assert.ok(REAL.get('vmallocinfo')!.some((l) => pattern.test(l)));
    const got = ours(sh, 'cat /proc/vmallocinfo');
    const mine = got.filter((l) => / pages=256 /.test(l));
    assert.equal(mine.length, 1, got.join('\n'));
    assert.match(mine[0], pattern);
    // The caller was the module's __init function, freed after init: a raw address, as in the guest.
    assert.match(mine[0], /^0x0{8}[0-9a-f]{8}-0x0{8}[0-9a-f]{8} 1052672 0xffffffffc0[0-9a-f]{6} pages=256 /);
    assert.ok(REAL.get('vmallocinfo')!.some((l) => / 1052672 0xffffffffc0[0-9a-f]{6} pages=256 vmalloc N0=256$/.test(l)));
  });

  it('/proc/modules and lsmod (kmod list) as the guest printed them', () => {
    assert.deepEqual(ours(sh, 'cat /proc/modules').map(shape), REAL.get('proc/modules')!.filter((l) => l).map(shape));
    assert.deepEqual(ours(sh, 'lsmod')[0], REAL.get('kmod list')![0]);
    assert.deepEqual(ours(sh, 'lsmod').slice(1).map(shape), REAL.get('kmod list')!.slice(1).filter((l) => l).map(shape));
  });

  it('modinfo: the same fields and values, the file name aside', () => {
    const real = REAL.get('modinfo')!.filter((l) => l);
    const got = ours(sh, 'modinfo hello5.ko');
    assert.deepEqual(got.slice(1), real.slice(1));
    assert.equal(got[0], 'filename:       /root/hello5.ko');
  });

  it('free: the header and the rows in the real columns', () => {
    const real = REAL.get('free')!;
    const got = ours(sh, 'free');
    // busybox's free (the guest's) prints one space less before the header than procps' does.
    assert.equal(got[0], ` ${real[0]}`);
    assert.deepEqual(got.slice(1).map((l) => l.split(/\s+/).length), real.slice(1, 3).map((l) => l.split(/\s+/).length));
  });

  it("kmod's errors for a second insmod and an rmmod of a module not loaded", () => {
    assert.deepEqual(ours(sh, 'insmod /root/hello5.ko'), REAL.get('insmod twice')!.slice(0, 1).map((l) => l.replace('/oracle/', '/root/')));
    assert.deepEqual(ours(sh, 'rmmod nope'), REAL.get('rmmod nope')!.slice(0, 1));
  });

  it('a device node without a driver: ENXIO, as the guest reported it', () => {
    sh.run('mknod /dev/foo c 240 0');
    assert.match(REAL.get('mknod')!.join('\n'), /No such device or address/);
    assert.deepEqual(ours(sh, 'cat /dev/foo'), ['cat: /dev/foo: No such device or address']);
    // mknod's default mode, 0666 less the umask 022, as the guest's node has it.
    assert.equal(ours(sh, 'ls -l /dev/foo')[0].slice(0, 10), REAL.get('mknod')![0].slice(0, 10));
  });

  it('/proc/version as the guest printed it', () => {
    assert.equal(ours(sh, 'cat /proc/version')[0], REAL.get('uname')![1]);
  });
});

describe("kmod's modinfo and errors against the real guest (test/oracle/shell/lsmod_modinfo)", () => {
  const real = sections(fs.readFileSync(path.join(DIR, 'lsmod_modinfo.out'), 'utf8'));
  const source = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'lsmod_modinfo.c'), 'latin1');
  const sh = bootShell([{ fileName: 'lsmod_modinfo.c', text: source }], { config: 'default' });
  /** The guest's output of a section, without the `rc=N` line the command script added. */
  const guest = (name: string): string[] => real.get(name)!.filter((l) => l && !/^rc=\d+$/.test(l));

  it('modinfo with MODULE_VERSION: srcversion after the tags, parameters with and without a description', () => {
    const got = ours(sh, 'modinfo lsmod_modinfo.ko');
    const mask = (ls: string[]) => ls.slice(1).map((l) => l.replace(/^(srcversion: +)[0-9A-F]{23}$/, '$1X'));
    assert.deepEqual(mask(got), mask(guest('modinfo')));
  });

  const same: [string, string][] = [
    ['modinfo -F license lsmod_modinfo.ko', 'modinfo -F license'],
    ['modinfo -F parm lsmod_modinfo.ko', 'modinfo -F parm'],
    ['modinfo nosuchmodule', 'modinfo nosuch'],
    ['modinfo', 'modinfo none'],
    ['insmod', 'insmod none'],
    ['rmmod', 'rmmod none'],
    ['insmod nope.ko', 'insmod nope.ko'],
  ];
  for (const [line, section] of same) it(line, () => assert.deepEqual(ours(sh, line), guest(section)));
});

describe('/sys/module against the real guest (test/oracle/shell/lsmod_modinfo)', () => {
  const real = sections(fs.readFileSync(path.join(DIR, 'lsmod_modinfo.out'), 'utf8')).get('sys params')!;
  const source = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'lsmod_modinfo.c'), 'latin1');

  it('the parameters with their modes, then the values and the module attributes', () => {
    const sh = bootShell([{ fileName: 'lsmod_modinfo.c', text: source }], { config: 'default' });
    assert.equal(sh.run('insmod lsmod_modinfo.ko debug=1 count=5').status, 0);
    const files = (ls: string[]) => ls.filter((l) => /^[-d][rwx-]{9} /.test(l)).map((l) => `${l.slice(0, 10)} ${l.split(' ').pop()}`);
    const dirIndex = real.findIndex((l) => l.startsWith('/sys/module/lsmod_modinfo/parameters'));
    assert.deepEqual(files(ours(sh, 'ls -l /sys/module/lsmod_modinfo/parameters')), files(real.slice(dirIndex)));
    const values = ours(sh, 'cat /sys/module/lsmod_modinfo/parameters/* /sys/module/lsmod_modinfo/version /sys/module/lsmod_modinfo/srcversion /sys/module/lsmod_modinfo/refcnt /sys/module/lsmod_modinfo/initstate /sys/module/lsmod_modinfo/taint');
    const guest = real.slice(real.findIndex((l) => l === '5'));
    assert.deepEqual(values.map((v) => v.replace(/^[0-9A-F]{23}$/, 'SRCVERSION')), guest.filter((l) => l).map((v) => v.replace(/^[0-9A-F]{23}$/, 'SRCVERSION')));
  });
});

describe('dmesg against the real guest (test/oracle/shell/dmesg_levels)', () => {
  it('dmesg -r: every level as <N>, continuation lines joined, printk without a level at 4', () => {
    const real = sections(fs.readFileSync(path.join(DIR, 'dmesg_levels.out'), 'utf8')).get('dmesg -r')!.filter((l) => l);
    const source = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'dmesg_levels.c'), 'latin1');
    const sh = bootShell([{ fileName: 'dmesg_levels.c', text: source }], { config: 'default' });
    sh.run('insmod dmesg_levels.ko');
    const time = (l: string) => l.replace(/\[ *\d+\.\d{6}\]/, '[T]');
    assert.deepEqual(ours(sh, 'dmesg -r').map(time), real.map(time));
  });
});
