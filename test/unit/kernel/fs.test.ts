// The module side of user-space interfaces (src/core/kernel/fs/): struct layouts the kernel reads
// agree with the virtual headers, user memory and access_ok, seq_file's chunked reads, the module
// usage count that open character devices hold, procfs and sysfs errors, and misc minors.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootKernel, frontEnd, insmod, kernelHeaders, rmmod } from '../../../src/core/index';
import type { Booted } from '../../../src/core/index';
import { O_RDONLY, O_WRONLY, decodeLatin1, encodeLatin1, vfsOf } from '../../../src/core/kernel/vfs';
import type { OpenFile } from '../../../src/core/kernel/vfs';
import { DENTRY, FILE, INODE, takeKill } from '../../../src/core/kernel/fs/files';
import { PROC_OPS } from '../../../src/core/kernel/fs/procfs';
import { SEQ, SEQ_OPS } from '../../../src/core/kernel/fs/seqfile';
import { CDEV, CLASS, DEVICE, FOPS, MISC } from '../../../src/core/kernel/fs/chrdev';
import { ATTR, GROUP, KOBJ } from '../../../src/core/kernel/fs/sysfs';
import { TASK_SIZE_MAX, UserSpace, accessOk, userSpaceOf } from '../../../src/core/kernel/fs/uaccess';

const CAT = { pid: 200, comm: 'cat' };

/** Boot a stock kernel and insmod `source` as NAME.c; the machine and insmod's result. */
function load(name: string, source: string): { m: Booted; status: number } {
  const fe = frontEnd({ fileName: `${name}.c`, text: source }, kernelHeaders());
  const errors = fe.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.message), [], 'builds');
  const m = bootKernel({ config: 'default' });
  return { m, status: insmod(m.kernel, fe).status };
}

const messages = (m: Booted): string[] => m.log('dmesg').map((l) => l.replace(/^\[[ \d.]+\] /, ''));

function open(m: Booted, path: string, flags = O_RDONLY): OpenFile {
  const f = vfsOf(m.kernel).open(path, { flags, task: CAT });
  assert.notEqual(typeof f, 'number', `open ${path}: ${String(f)}`);
  return f as OpenFile;
}

/** Read to the end in reads of `chunk` bytes. */
function readAll(f: OpenFile, chunk: number): string {
  let s = '';
  for (;;) {
    const r = f.read(chunk);
    assert.notEqual(typeof r, 'number', `read: ${String(r)}`);
    if ((r as Uint8Array).length === 0) return s;
    s += decodeLatin1(r as Uint8Array);
  }
}

const PREAMBLE = '#include <linux/module.h>\n#include <linux/fs.h>\n#include <linux/proc_fs.h>\n#include <linux/seq_file.h>\n#include <linux/cdev.h>\n#include <linux/device.h>\n#include <linux/miscdevice.h>\n#include <linux/kobject.h>\n#include <linux/sysfs.h>\n#include <linux/uaccess.h>\nMODULE_LICENSE("GPL");\n';

describe('fs: struct layouts the kernel reads match the virtual headers', () => {
  const fields: [string, string, number][] = [
    ['file', 'f_path.dentry', FILE.dentry], ['file', 'f_inode', FILE.inode], ['file', 'f_op', FILE.op], ['file', 'f_count', FILE.count],
    ['file', 'f_flags', FILE.flags], ['file', 'f_mode', FILE.mode], ['file', 'f_pos', FILE.pos], ['file', 'private_data', FILE.privateData],
    ['inode', 'i_mode', INODE.mode], ['inode', 'i_rdev', INODE.rdev], ['inode', 'i_size', INODE.size], ['inode', 'i_fop', INODE.fop],
    ['inode', 'i_cdev', INODE.cdev], ['inode', 'i_private', INODE.private],
    ['dentry', 'd_parent', DENTRY.parent], ['dentry', 'd_name.len', DENTRY.len], ['dentry', 'd_name.name', DENTRY.name], ['dentry', 'd_inode', DENTRY.inode], ['dentry', 'd_iname', DENTRY.iname],
    ['proc_ops', 'proc_open', PROC_OPS.open], ['proc_ops', 'proc_read', PROC_OPS.read], ['proc_ops', 'proc_write', PROC_OPS.write],
    ['proc_ops', 'proc_lseek', PROC_OPS.llseek], ['proc_ops', 'proc_release', PROC_OPS.release], ['proc_ops', 'proc_ioctl', PROC_OPS.ioctl],
    ['seq_file', 'buf', SEQ.buf], ['seq_file', 'size', SEQ.size], ['seq_file', 'from', SEQ.from], ['seq_file', 'count', SEQ.count],
    ['seq_file', 'index', SEQ.index], ['seq_file', 'read_pos', SEQ.readPos], ['seq_file', 'op', SEQ.op], ['seq_file', 'file', SEQ.file], ['seq_file', 'private', SEQ.private],
    ['seq_operations', 'start', SEQ_OPS.start], ['seq_operations', 'stop', SEQ_OPS.stop], ['seq_operations', 'next', SEQ_OPS.next], ['seq_operations', 'show', SEQ_OPS.show],
    ['file_operations', 'owner', FOPS.owner], ['file_operations', 'llseek', FOPS.llseek], ['file_operations', 'read', FOPS.read], ['file_operations', 'write', FOPS.write],
    ['file_operations', 'unlocked_ioctl', FOPS.ioctl], ['file_operations', 'open', FOPS.open], ['file_operations', 'release', FOPS.release],
    ['cdev', 'owner', CDEV.owner], ['cdev', 'ops', CDEV.ops], ['cdev', 'list', CDEV.list], ['cdev', 'dev', CDEV.dev], ['cdev', 'count', CDEV.count],
    ['miscdevice', 'minor', MISC.minor], ['miscdevice', 'name', MISC.name], ['miscdevice', 'fops', MISC.fops], ['miscdevice', 'list', MISC.list],
    ['miscdevice', 'this_device', MISC.thisDevice], ['miscdevice', 'mode', MISC.mode],
    ['device', 'init_name', DEVICE.initName], ['device', 'driver_data', DEVICE.driverData], ['device', 'devt', DEVICE.devt], ['device', 'class', DEVICE.cls],
    ['class', 'name', CLASS.name], ['class', 'owner', CLASS.owner],
    ['kobject', 'name', KOBJ.name], ['kobject', 'parent', KOBJ.parent], ['kobject', 'kref', KOBJ.kref],
    ['kobj_attribute', 'attr.name', ATTR.name], ['kobj_attribute', 'attr.mode', ATTR.mode], ['kobj_attribute', 'show', ATTR.show], ['kobj_attribute', 'store', ATTR.store],
    ['attribute_group', 'name', GROUP.name], ['attribute_group', 'attrs', GROUP.attrs],
  ];
  const sizes: [string, number][] = [['file', FILE.size], ['inode', INODE.bytes], ['dentry', DENTRY.bytes], ['seq_file', SEQ.bytes], ['seq_operations', SEQ_OPS.bytes],
    ['cdev', CDEV.bytes], ['device', DEVICE.bytes], ['class', CLASS.bytes], ['kobject', KOBJ.bytes]];
  const body = [
    ...fields.map(([t, f]) => `pr_info("${t}.${f} %zu\\n", offsetof(struct ${t}, ${f}));`),
    ...sizes.map(([t]) => `pr_info("sizeof ${t} %zu\\n", sizeof(struct ${t}));`),
  ].join('\n');
  const { m } = load('layout', `${PREAMBLE}static int __init layout_init(void) {\n${body}\nreturn 0; }\nmodule_init(layout_init);\n`);
  const got = new Map(messages(m).map((l) => l.split(' ')).filter((p) => p.length >= 2).map((p) => [p.slice(0, -1).join(' '), Number(p[p.length - 1])]));
  for (const [t, f, off] of fields) it(`offsetof(struct ${t}, ${f}) == ${off}`, () => assert.equal(got.get(`${t}.${f}`), off));
  for (const [t, size] of sizes) it(`sizeof(struct ${t}) == ${size}`, () => assert.equal(got.get(`sizeof ${t}`), size));
});

describe('fs: user memory', () => {
  const cases: [string, number, number, boolean][] = [
    ['NULL, 16 bytes (access_ok only checks the range)', 0, 16, true],
    ['the last user byte', TASK_SIZE_MAX - 1, 1, true],
    ['across TASK_SIZE_MAX', TASK_SIZE_MAX - 8, 16, false],
    ['a kernel address', -0x777800000000, 8, false],
    ['a non-canonical address', 2 ** 47, 1, false],
  ];
  for (const [what, addr, size, ok] of cases) it(`access_ok(${what}) is ${ok}`, () => assert.equal(accessOk(addr, size), ok));

  it('reads and writes stop at the first unmapped page', () => {
    const u = new UserSpace(1);
    const a = u.alloc(5000);
    assert.equal(u.write(a + 8190, encodeLatin1('abcd')), 2, 'two bytes fit before the end of the second page');
    assert.equal(decodeLatin1(u.read(a + 8190, 4)), 'ab');
    u.free(a);
    assert.equal(u.read(a, 1).length, 0, 'freed buffers are unmapped, and their addresses are not reused');
    assert.notEqual(u.alloc(1), a);
  });
});

const SEQ_MODULE = `${PREAMBLE}
static void *s_start(struct seq_file *s, loff_t *pos) { return *pos < 50 ? pos : NULL; }
static void *s_next(struct seq_file *s, void *v, loff_t *pos) { ++*pos; return *pos < 50 ? pos : NULL; }
static void s_stop(struct seq_file *s, void *v) { }
static int s_show(struct seq_file *s, void *v) { seq_printf(s, "line %2lld of fifty\\n", *(loff_t *)v); return 0; }
static const struct seq_operations ops = { .start = s_start, .next = s_next, .stop = s_stop, .show = s_show };
static int s_open(struct inode *i, struct file *f) { return seq_open(f, &ops); }
static const struct proc_ops pops = { .proc_open = s_open, .proc_read = seq_read, .proc_lseek = seq_lseek, .proc_release = seq_release };
static int __init s_init(void) { return proc_create("fifty", 0, NULL, &pops) ? 0 : -ENOMEM; }
static void __exit s_exit(void) { remove_proc_entry("fifty", NULL); }
module_init(s_init);
module_exit(s_exit);
`;

describe('fs: seq_file reads', () => {
  const whole = Array.from({ length: 50 }, (_, i) => `line ${String(i).padStart(2)} of fifty\n`).join('');
  for (const chunk of [1, 7, 18, 100, 4096, 65536]) {
    it(`reads of ${chunk} bytes give the same text as one read`, () => {
      const { m } = load('fifty', SEQ_MODULE);
      const f = open(m, '/proc/fifty');
      assert.equal(readAll(f, chunk), whole);
      assert.equal(f.release(), 0);
    });
  }

  it('seq_lseek replays the records up to the new position', () => {
    const { m } = load('fifty', SEQ_MODULE);
    const f = open(m, '/proc/fifty');
    assert.equal(f.llseek(45, 0), 45);
    assert.equal(decodeLatin1(f.read(9) as Uint8Array), 'fifty\nlin', 'line 2 from its 12th byte');
    assert.equal(f.llseek(0, 2), -22, 'SEEK_END is not supported');
  });

  it('a file that is open and read leaves nothing allocated after close and rmmod', () => {
    const { m } = load('fifty', SEQ_MODULE);
    const f = open(m, '/proc/fifty');
    readAll(f, 100);
    f.release();
    assert.equal(rmmod(m.kernel, 'fifty').status, 0);
    assert.deepEqual(m.kernel.findings.map((x) => x.rule), []);
  });
});

const BUSY = `${PREAMBLE}
static int major;
static const struct file_operations fops = { .owner = THIS_MODULE };
static int __init b_init(void) { major = register_chrdev(0, "busy", &fops); return major < 0 ? major : 0; }
static void __exit b_exit(void) { unregister_chrdev(major, "busy"); }
module_init(b_init);
module_exit(b_exit);
`;

describe('fs: character devices and the module usage count', () => {
  it('an open file holds two references (cdev_get, fops_get): rmmod says the module is in use', () => {
    const { m } = load('busy', BUSY);
    const vfs = vfsOf(m.kernel);
    const dev = vfs.mkdirs('/dev');
    assert.notEqual(typeof dev, 'number');
    if (typeof dev !== 'number') vfs.mknod(dev, 'busy', 0o600, 246, 0);
    const f = open(m, '/dev/busy');
    assert.equal(m.kernel.modules.get('busy')?.refcount, 2);
    assert.deepEqual(rmmod(m.kernel, 'busy'), { status: 1, stderr: ['rmmod: ERROR: Module busy is in use'] });
    assert.equal(f.read(10) instanceof Uint8Array ? 'read' : f.read(10), -22, 'no read handler: -EINVAL');
    f.release();
    assert.equal(m.kernel.modules.get('busy')?.refcount, 0);
    assert.equal(rmmod(m.kernel, 'busy').status, 0);
    assert.equal(vfs.open('/dev/busy', { flags: O_RDONLY, task: CAT }), -6, 'no driver for 246:0 any more: -ENXIO');
  });

  it('dynamic majors count down from the first free one (246 on the oracle guest)', () => {
    const src = `${PREAMBLE}static dev_t a, b;
static int __init r_init(void) { alloc_chrdev_region(&a, 0, 1, "first"); alloc_chrdev_region(&b, 3, 2, "second");
pr_info("%d:%d %d:%d %d\\n", MAJOR(a), MINOR(a), MAJOR(b), MINOR(b), register_chrdev_region(MKDEV(1, 0), 1, "mem-again")); return 0; }
module_init(r_init);\n`;
    const { m } = load('regions', src);
    assert.deepEqual(messages(m).slice(-1), ['246:0 245:3 -16']);
  });

  it('misc devices take dynamic minors from 124 down and appear in /dev', () => {
    const src = `${PREAMBLE}static const struct file_operations fops;
static struct miscdevice one = { .minor = MISC_DYNAMIC_MINOR, .name = "one", .fops = &fops };
static struct miscdevice two = { .minor = MISC_DYNAMIC_MINOR, .name = "two", .fops = &fops };
static struct miscdevice taken = { .minor = 1, .name = "psaux2", .fops = &fops };
static int __init m_init(void) { pr_info("%d %d %d %d %d\\n", misc_register(&one), misc_register(&two), one.minor, two.minor, misc_register(&taken)); return 0; }
module_init(m_init);\n`;
    const { m } = load('miscs', src);
    assert.deepEqual(messages(m).slice(-1), ['0 0 124 123 -16']);
    const node = vfsOf(m.kernel).lookup('/dev/two');
    assert.ok(typeof node !== 'number' && node.kind === 'chr' && node.major === 10 && node.minor === 123);
  });
});

describe('fs: procfs and sysfs answers', () => {
  const PROC = `${PREAMBLE}
static ssize_t r(struct file *f, char __user *b, size_t n, loff_t *p) { return simple_read_from_buffer(b, n, p, "ro\\n", 3); }
static const struct proc_ops ro = { .proc_read = r };
static ssize_t answer_show(struct kobject *k, struct kobj_attribute *a, char *buf) { return sysfs_emit(buf, "%s\\n", a->attr.name); }
static struct kobj_attribute shown = __ATTR_RO(answer);
static struct kobject *kobj;
static int __init p_init(void) {
  pr_info("first %d\\n", proc_create("ro", 0, NULL, &ro) != NULL);
  pr_info("second %d\\n", proc_create("ro", 0, NULL, &ro) != NULL);
  kobj = kobject_create_and_add("answers", kernel_kobj);
  return sysfs_create_file(kobj, &shown.attr);
}
module_init(p_init);
`;
  const { m } = load('answers', PROC);
  it('a second proc_create of a name fails with proc_register()\'s WARNING', () => {
    const log = messages(m);
    assert.ok(log.includes('first 1') && log.includes('second 0'));
    assert.ok(log.includes("proc_dir_entry '/proc/ro' already registered"));
    assert.ok(log.some((l) => /^WARNING: CPU: 0 PID: \d+ at fs\/proc\/generic.c:400 proc_register\+0x19f\/0x240$/.test(l)));
  });
  it('writing a proc file without proc_write gives -EIO', () => {
    assert.equal(open(m, '/proc/ro', O_WRONLY).write(encodeLatin1('x')), -5);
  });
  it('a mode of 0 becomes 0444', () => {
    const node = vfsOf(m.kernel).lookup('/proc/ro');
    assert.ok(typeof node !== 'number' && (node.mode & 0o777) === 0o444);
  });
  it('a read-only attribute reads its show() and refuses writers with -EACCES', () => {
    assert.equal(readAll(open(m, "/sys/kernel/answers/answer"), 65536), "answer\n");
    assert.equal(vfsOf(m.kernel).open('/sys/kernel/answers/answer', { flags: O_WRONLY, task: CAT }), -13);
  });
  it('no task was killed', () => assert.equal(takeKill(m.kernel, CAT.pid), undefined));
});

describe('__func__ in module code', () => {
  it('names the function, and is emitted only for functions that use it', () => {
    const src = `${PREAMBLE}static void quiet(void) { }
static int __init named_init(void) { quiet(); pr_info("%s [%s]\\n", __func__, __FUNCTION__); return 0; }
module_init(named_init);\n`;
    const { m } = load('named', src);
    assert.deepEqual(messages(m).slice(-1), ['named_init [named_init]']);
    const fe = frontEnd({ fileName: 'named.c', text: src }, kernelHeaders());
    assert.deepEqual(fe.unit.globals.filter((g) => g.name.startsWith('__func')).length, 1);
  });
});

describe('hardware the machine does not have', () => {
  it('gpio_request() fails with -EPROBE_DEFER and says GPIO is not emulated, once', () => {
    const src = `${PREAMBLE}#include <linux/gpio.h>
static int __init g_init(void) { pr_info("%d %d %d\\n", gpio_request(4, "a"), gpio_request(4, "b"), gpio_request(600, "c")); return 0; }
module_init(g_init);\n`;
    const { m } = load('gpio', src);
    const log = messages(m);
    assert.equal(log.filter((l) => l.startsWith('kmodlab: not emulated: gpio_request()')).length, 1);
    assert.deepEqual(log.slice(-1), ['-517 -517 -22']);
    assert.deepEqual(m.kernel.findings.map((f) => f.rule), ['not-emulated']);
  });
});

describe('fs: ioctl with user buffers', () => {
  it('_IOW/_IOR/_IOWR commands pass user pointers and values (test/fixtures/chardev_ioctl.c)', () => {
    const src = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'chardev_ioctl.c'), 'latin1');
    const { m } = load('chardev_ioctl', src);
    const f = open(m, '/dev/kmodlab_ioctl');
    const user = userSpaceOf(m.kernel, CAT.pid);
    const buf = user.alloc(64);
    user.write(buf, encodeLatin1('from user space\0'));
    const SET_MSG = 0x40086b00;
    const GET_MSG = 0x80086b01;
    const GET_NTH_BYTE = 0xc0046b02;
    assert.equal(f.ioctl(SET_MSG, BigInt(buf)), 0);
    const out = user.alloc(64);
    assert.equal(f.ioctl(GET_MSG, BigInt(out)), 0);
    assert.equal(decodeLatin1(user.read(out, 16)), 'from user space\0');
    assert.equal(f.ioctl(GET_NTH_BYTE, 5n), 'from user space'.charCodeAt(5));
    assert.equal(f.ioctl(SET_MSG, 0x10n), -14, 'a bad pointer: strncpy_from_user gives -EFAULT');
    assert.equal(f.ioctl(0x1234, 0n), -25, 'unknown command: -ENOTTY');
    assert.equal(f.llseek(0, 0), -29, 'no_llseek: -ESPIPE');
    assert.ok(messages(m).includes('ioctl: message set to "from user space"'));
  });
});

describe('fs: seq_file entries the kernel serves', () => {
  it('proc_create_single() and proc_create_seq_private() read like single_open() and seq_open_private()', () => {
    const src = `${PREAMBLE}
static int one_show(struct seq_file *m, void *v) { seq_printf(m, "data %s\\n", (char *)m->private); return 0; }
static void *c_start(struct seq_file *m, loff_t *pos) { int *state = m->private; *state += 10; return *pos < 3 ? pos : NULL; }
static void *c_next(struct seq_file *m, void *v, loff_t *pos) { ++*pos; return *pos < 3 ? pos : NULL; }
static void c_stop(struct seq_file *m, void *v) { }
static int c_show(struct seq_file *m, void *v) { seq_printf(m, "%lld:%d\\n", *(loff_t *)v, *(int *)m->private); return 0; }
static const struct seq_operations c_ops = { .start = c_start, .next = c_next, .stop = c_stop, .show = c_show };
static int __init s_init(void) {
  if (!proc_create_single_data("one", 0, NULL, one_show, "given")) return -ENOMEM;
  return proc_create_seq_private("count", 0, NULL, &c_ops, sizeof(int), NULL) ? 0 : -ENOMEM;
}
static void __exit s_exit(void) { remove_proc_entry("one", NULL); remove_proc_entry("count", NULL); }
module_init(s_init);
module_exit(s_exit);
`;
    const { m, status } = load('served', src);
    assert.equal(status, 0);
    assert.equal(readAll(open(m, '/proc/one'), 65536), 'data given\n');
    const f = open(m, '/proc/count');
    assert.equal(readAll(f, 65536), '0:10\n1:10\n2:10\n', 'the private state is zeroed at open and kept across the read');
    f.release();
    assert.equal(rmmod(m.kernel, 'served').status, 0);
    assert.deepEqual(m.kernel.findings.map((x) => x.rule), []);
  });
});
