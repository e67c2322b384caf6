// The user-space interfaces of the API table: user copies, procfs and seq_file, character devices
// (regions, cdevs, classes and devices, misc devices), module references, kobjects and sysfs. The
// implementations live in kernel/fs/; each entry here is the prototype, the analyzer's facts and
// the call into them.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import type { CallSite } from '../../vm/machine';
import type { I64 } from '../../vm/value';
import { MIGHT_SLEEP_SITES } from '../report';
import { clearUser, copyFromUser, copyToUser, getUser, putUser, strncpyFromUser } from '../fs/uaccess';
import { procCreate, procRemove, removeProcEntry } from '../fs/procfs';
import { seqAppend, seqLseek, seqOpen, seqOpenPrivate, seqPutc, seqRead, seqRelease, seqReleasePrivate, singleOpen, singleRelease } from '../fs/seqfile';
import {
  cdevAdd, cdevAlloc, cdevDel, cdevInit, classCreate, classDestroy, deviceCreate, deviceDestroy, major, minor, mkdev,
  miscDeregister, miscRegister, moduleAt, modulePut, registerRegion, setRegionCdev, tryModuleGet, unregisterRegion, CDEV, FOPS,
} from '../fs/chrdev';
import { TOP_KOBJECTS, bootKobject, kobjectCreateAndAdd, kobjectGet, kobjectPut, sysfsCreateFile, sysfsCreateGroup, sysfsEmit, sysfsRemoveFile, sysfsRemoveGroup } from '../fs/sysfs';
import { ERR, FILE, add, num } from '../fs/files';

const u = (v: I64): number => (typeof v === 'number' ? (v < 0 ? v + 2 ** 64 : v) : Number(BigInt.asUintN(64, v)));

/** might_fault(): user copies may sleep (page faults on user memory). */
function mightFault(k: Kernel, site: CallSite, api: string): void {
  const s = MIGHT_SLEEP_SITES[api] ?? MIGHT_SLEEP_SITES.copy_from_user;
  k.mightSleep(site, `${s.file}:${s.line}`, api);
}

/** might_sleep() of a registration that takes a mutex (misc_mtx, proc_subdir_lock's writers, kernfs). */
function mightSleepMutex(k: Kernel, site: CallSite, api: string): void {
  const s = MIGHT_SLEEP_SITES.mutex_lock;
  k.mightSleep(site, `${s.file}:${s.line}`, api);
}

/** The latin-1 bytes of a string. */
function bytesOf(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

const UACCESS: KernelExport[] = [
  {
    name: 'copy_to_user', header: 'linux/uaccess.h', proto: 'unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)',
    doc: 'Copy n bytes to user space; returns the number of bytes NOT copied (0 on success). May sleep (the user page may have to be faulted in).', sleeps: 'always', derefs: [1],
    impl: (k, a, site) => {
      mightFault(k, site, 'copy_to_user');
      return copyToUser(k, a[0], a[1], u(a[2]));
    },
  },
  {
    name: 'copy_from_user', header: 'linux/uaccess.h', proto: 'unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)',
    doc: 'Copy n bytes from user space; returns the number of bytes NOT copied, and zeroes that many at the end of the destination. May sleep.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightFault(k, site, 'copy_from_user');
      return copyFromUser(k, a[0], a[1], u(a[2]));
    },
  },
  {
    name: '__kmodlab_get_user', header: 'linux/uaccess.h', proto: 'int __kmodlab_get_user(unsigned long long *dst, const void __user *src, unsigned long size)',
    doc: 'get_user(): read one value from user space; 0 or -EFAULT (the variable then gets 0). May sleep.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightFault(k, site, 'copy_from_user');
      const r = getUser(k, a[1], u(a[2]));
      k.mem.st64(a[0], BigInt.asIntN(64, r.value));
      return r.err;
    },
  },
  {
    name: '__kmodlab_put_user', header: 'linux/uaccess.h', proto: 'int __kmodlab_put_user(const void *src, void __user *dst, unsigned long size)',
    doc: 'put_user(): write one value to user space; 0 or -EFAULT. May sleep.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightFault(k, site, 'copy_to_user');
      return putUser(k, a[1], a[0], u(a[2]));
    },
  },
  {
    name: 'strncpy_from_user', header: 'linux/uaccess.h', proto: 'long strncpy_from_user(char *dst, const char __user *src, long count)',
    doc: 'Copy a NUL-terminated string from user space: its length, count if it did not fit (then not terminated), or -EFAULT. May sleep.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightFault(k, site, 'copy_from_user');
      return strncpyFromUser(k, a[0], a[1], num(a[2]));
    },
  },
  {
    name: 'clear_user', header: 'linux/uaccess.h', proto: 'unsigned long clear_user(void __user *to, unsigned long n)',
    doc: 'Zero n bytes of user memory; returns the number NOT cleared. May sleep.', sleeps: 'always',
    impl: (k, a, site) => {
      mightFault(k, site, 'copy_to_user');
      return clearUser(k, a[0], u(a[1]));
    },
  },
  {
    name: 'simple_read_from_buffer', header: 'linux/fs.h', proto: 'ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from, size_t available)',
    doc: 'Copy from a kernel buffer to user space at *ppos, advancing it; returns bytes read, 0 at the end or -EFAULT.', sleeps: 'always', derefs: [2, 3],
    impl: (k, a, site) => {
      const pos = num(k.mem.ld64(a[2]));
      const available = u(a[4]);
      if (pos < 0) return ERR.EINVAL;
      if (pos >= available || u(a[1]) === 0) return 0;
      mightFault(k, site, 'copy_to_user');
      const count = Math.min(u(a[1]), available - pos);
      const left = copyToUser(k, a[0], add(a[3], pos), count);
      if (left === count) return ERR.EFAULT;
      k.mem.st64(a[2], pos + count - left);
      return count - left;
    },
  },
  {
    name: 'simple_write_to_buffer', header: 'linux/fs.h', proto: 'ssize_t simple_write_to_buffer(void *to, size_t available, loff_t *ppos, const void __user *from, size_t count)',
    doc: 'Copy from user space into a kernel buffer at *ppos, advancing it; returns bytes written, 0 when full, or -EFAULT.', sleeps: 'always', derefs: [0, 2],
    impl: (k, a, site) => {
      const pos = num(k.mem.ld64(a[2]));
      const available = u(a[1]);
      if (pos < 0) return ERR.EINVAL;
      if (pos >= available || u(a[4]) === 0) return 0;
      mightFault(k, site, 'copy_from_user');
      const count = Math.min(u(a[4]), available - pos);
      const left = copyFromUser(k, add(a[0], pos), a[3], count);
      if (left === count) return ERR.EFAULT;
      k.mem.st64(a[2], pos + count - left);
      return count - left;
    },
  },
];

const LLSEEK: KernelExport[] = ['default_llseek', 'no_llseek', 'noop_llseek', 'generic_file_llseek'].map((name): KernelExport => ({
  name, header: 'linux/fs.h', proto: `loff_t ${name}(struct file *file, loff_t offset, int whence)`,
  doc: name === 'no_llseek' ? 'file_operations.llseek for files that cannot seek: -ESPIPE.' : name === 'noop_llseek' ? 'file_operations.llseek that leaves the position alone and returns it.' : 'A stock file_operations.llseek: move f_pos (SEEK_SET, SEEK_CUR).', derefs: [0],
  impl: (k, a) => {
    if (name === 'no_llseek') return ERR.ESPIPE;
    const pos = add(a[0], FILE.pos);
    const cur = num(k.mem.ld64(pos));
    if (name === 'noop_llseek') return cur;
    const whence = num(a[2]);
    if (whence !== 0 && whence !== 1) return ERR.EINVAL;
    const next = (whence === 1 ? cur : 0) + num(a[1]);
    if (next < 0) return ERR.EINVAL;
    k.mem.st64(pos, next);
    return next;
  },
}));

const PROC: KernelExport[] = [
  {
    name: 'proc_create', header: 'linux/proc_fs.h', proto: 'struct proc_dir_entry *proc_create(const char *name, umode_t mode, struct proc_dir_entry *parent, const struct proc_ops *proc_ops)',
    doc: 'Create /proc/NAME (in parent, NULL for /proc) served by proc_ops; NULL on failure (the name is taken: WARNING "already registered"). Remove it with remove_proc_entry() or proc_remove() before the module goes.', nullable: true, sleeps: 'always', derefs: [0],
    impl: (k, a, site) => procCreate(k, site, { name: a[0], mode: num(a[1]), parent: a[2], ops: a[3], data: 0, dir: false }),
  },
  {
    name: 'proc_create_data', header: 'linux/proc_fs.h', proto: 'struct proc_dir_entry *proc_create_data(const char *name, umode_t mode, struct proc_dir_entry *parent, const struct proc_ops *proc_ops, void *data)',
    doc: 'proc_create() with a private pointer the handlers get back with pde_data(file_inode(file)).', nullable: true, sleeps: 'always', derefs: [0],
    impl: (k, a, site) => procCreate(k, site, { name: a[0], mode: num(a[1]), parent: a[2], ops: a[3], data: a[4], dir: false }),
  },
  {
    name: 'proc_create_single_data', header: 'linux/proc_fs.h', proto: 'struct proc_dir_entry *proc_create_single_data(const char *name, umode_t mode, struct proc_dir_entry *parent, int (*show)(struct seq_file *, void *), void *data)',
    doc: 'proc_create_single(): a /proc file whose whole text is made by show (single_open), served by the kernel; NULL on failure.', nullable: true, sleeps: 'always', derefs: [0],
    impl: (k, a, site) => procCreate(k, site, { name: a[0], mode: num(a[1]), parent: a[2], ops: 0, data: a[4], dir: false, seq: { show: a[3] } }),
  },
  {
    name: 'proc_create_seq_private', header: 'linux/proc_fs.h', proto: 'struct proc_dir_entry *proc_create_seq_private(const char *name, umode_t mode, struct proc_dir_entry *parent, const struct seq_operations *ops, unsigned int state_size, void *data)',
    doc: 'proc_create_seq(): a /proc file served by a seq_file iterator (with state_size bytes of private state); NULL on failure.', nullable: true, sleeps: 'always', derefs: [0, 3],
    impl: (k, a, site) => procCreate(k, site, { name: a[0], mode: num(a[1]), parent: a[2], ops: 0, data: a[5], dir: false, seq: { ops: a[3], stateSize: u(a[4]) } }),
  },
  {
    name: 'proc_mkdir', header: 'linux/proc_fs.h', proto: 'struct proc_dir_entry *proc_mkdir(const char *name, struct proc_dir_entry *parent)',
    doc: 'Create a directory /proc/NAME (mode 0555); NULL on failure.', nullable: true, sleeps: 'always', derefs: [0],
    impl: (k, a, site) => procCreate(k, site, { name: a[0], mode: 0, parent: a[1], ops: 0, data: 0, dir: true }),
  },
  {
    name: 'proc_mkdir_mode', header: 'linux/proc_fs.h', proto: 'struct proc_dir_entry *proc_mkdir_mode(const char *name, umode_t mode, struct proc_dir_entry *parent)',
    doc: 'proc_mkdir() with a mode.', nullable: true, sleeps: 'always', derefs: [0],
    impl: (k, a, site) => procCreate(k, site, { name: a[0], mode: num(a[1]), parent: a[2], ops: 0, data: 0, dir: true }),
  },
  {
    name: 'remove_proc_entry', header: 'linux/proc_fs.h', proto: 'void remove_proc_entry(const char *name, struct proc_dir_entry *parent)',
    doc: 'Remove /proc entry NAME from parent (NULL for /proc); waits for running handlers. A name that does not exist gives a WARNING.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      removeProcEntry(k, site, a[0], a[1]);
      return undefined;
    },
  },
  {
    name: 'proc_remove', header: 'linux/proc_fs.h', proto: 'void proc_remove(struct proc_dir_entry *de)',
    doc: 'Remove a /proc entry and everything below it (NULL does nothing).', sleeps: 'always',
    impl: (k, a, site) => {
      procRemove(k, site, a[0]);
      return undefined;
    },
  },
  {
    name: 'proc_set_size', header: 'linux/proc_fs.h', proto: 'void proc_set_size(struct proc_dir_entry *de, loff_t size)', doc: 'Set the size `ls -l` shows for the entry.', derefs: [0],
    impl: () => undefined,
  },
  {
    name: 'proc_set_user', header: 'linux/proc_fs.h', proto: 'void proc_set_user(struct proc_dir_entry *de, kuid_t uid, kgid_t gid)', doc: 'Set the owner `ls -l` shows for the entry (the shell runs as root).', derefs: [0],
    impl: () => undefined,
  },
];

const SEQ: KernelExport[] = [
  {
    name: 'seq_open', header: 'linux/seq_file.h', proto: 'int seq_open(struct file *file, const struct seq_operations *op)',
    doc: 'Attach a seq_file iterating with op (start/next/stop/show) to file->private_data; 0 or -ENOMEM.', sleeps: 'always', derefs: [0, 1],
    impl: (k, a, site) => seqOpen(k, a[0], a[1], site),
  },
  {
    name: 'seq_read', header: 'linux/seq_file.h', proto: 'ssize_t seq_read(struct file *file, char __user *buf, size_t size, loff_t *ppos)',
    doc: 'proc_read/read for seq_file files: fills a page-sized buffer record by record and copies it out in chunks.', sleeps: 'always', derefs: [0, 3],
    impl: (k, a, site) => seqRead(k, a[0], a[1], u(a[2]), a[3], site),
  },
  {
    name: 'seq_lseek', header: 'linux/seq_file.h', proto: 'loff_t seq_lseek(struct file *file, loff_t offset, int whence)',
    doc: 'llseek for seq_file files (SEEK_SET and SEEK_CUR).', derefs: [0],
    impl: (k, a, site) => seqLseek(k, a[0], num(a[1]), num(a[2]), site),
  },
  {
    name: 'seq_release', header: 'linux/seq_file.h', proto: 'int seq_release(struct inode *inode, struct file *file)',
    doc: 'release for files opened with seq_open().', derefs: [1],
    impl: (k, a, site) => seqRelease(k, a[1], site),
  },
  {
    name: 'seq_open_private', header: 'linux/seq_file.h', proto: 'int seq_open_private(struct file *file, const struct seq_operations *op, int psize)',
    doc: 'seq_open() with psize zeroed bytes of iterator state as m->private; pair with seq_release_private.', sleeps: 'always', derefs: [0, 1],
    impl: (k, a, site) => (seqOpenPrivate(k, a[0], a[1], num(a[2]), site) === 0 ? ERR.ENOMEM : 0),
  },
  {
    name: '__seq_open_private', header: 'linux/seq_file.h', proto: 'void *__seq_open_private(struct file *file, const struct seq_operations *op, int psize)',
    doc: 'seq_open_private() that returns the zeroed state (NULL on failure).', nullable: true, sleeps: 'always', derefs: [0, 1],
    impl: (k, a, site) => seqOpenPrivate(k, a[0], a[1], num(a[2]), site),
  },
  {
    name: 'seq_release_private', header: 'linux/seq_file.h', proto: 'int seq_release_private(struct inode *inode, struct file *file)',
    doc: 'release for seq_open_private(): frees the state, then the seq_file.', derefs: [1],
    impl: (k, a, site) => seqReleasePrivate(k, a[1], site),
  },
  {
    name: 'single_open', header: 'linux/seq_file.h', proto: 'int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data)',
    doc: 'A seq_file with one record made by show; data becomes m->private. Pair with single_release.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => singleOpen(k, a[0], a[1], a[2], site),
  },
  {
    name: 'single_release', header: 'linux/seq_file.h', proto: 'int single_release(struct inode *inode, struct file *file)',
    doc: 'release for files opened with single_open().', derefs: [1],
    impl: (k, a, site) => singleRelease(k, a[1], site),
  },
  {
    name: 'seq_printf', header: 'linux/seq_file.h', proto: 'void seq_printf(struct seq_file *m, const char *fmt, ...)',
    doc: 'Append formatted text to the record; if it does not fit, seq_read retries with a bigger buffer.', derefs: [0, 1],
    impl: (k, a, site) => {
      seqAppend(k, a[0], bytesOf(k.k.format(k.cstring(a[1]) ?? '', a.slice(2))), site);
      return undefined;
    },
  },
  {
    name: 'seq_puts', header: 'linux/seq_file.h', proto: 'void seq_puts(struct seq_file *m, const char *s)', doc: 'Append a string to the record.', derefs: [0, 1],
    impl: (k, a, site) => {
      seqAppend(k, a[0], bytesOf(k.cstring(a[1]) ?? ''), site);
      return undefined;
    },
  },
  {
    name: 'seq_putc', header: 'linux/seq_file.h', proto: 'void seq_putc(struct seq_file *m, char c)', doc: 'Append one character to the record.', derefs: [0],
    impl: (k, a, site) => {
      seqPutc(k, a[0], num(a[1]), site);
      return undefined;
    },
  },
  {
    name: 'seq_write', header: 'linux/seq_file.h', proto: 'int seq_write(struct seq_file *seq, const void *data, size_t len)', doc: 'Append len bytes; 0, or -1 when they do not fit.', derefs: [0, 1],
    impl: (k, a, site) => seqAppend(k, a[0], k.mem.readBytes(a[1], u(a[2])), site),
  },
  {
    name: 'seq_list_start', header: 'linux/seq_file.h', proto: 'struct list_head *seq_list_start(struct list_head *head, loff_t pos)',
    doc: 'start() helper for a list: the pos-th entry, or NULL.', derefs: [0],
    impl: (k, a) => listNth(k, a[0], num(a[1])),
  },
  {
    name: 'seq_list_start_head', header: 'linux/seq_file.h', proto: 'struct list_head *seq_list_start_head(struct list_head *head, loff_t pos)',
    doc: 'start() helper for a list with a header record: the head at pos 0, then the entries.', derefs: [0],
    impl: (k, a) => (num(a[1]) === 0 ? a[0] : listNth(k, a[0], num(a[1]) - 1)),
  },
  {
    name: 'seq_list_next', header: 'linux/seq_file.h', proto: 'struct list_head *seq_list_next(void *v, struct list_head *head, loff_t *ppos)',
    doc: 'next() helper for a list: advances *ppos; NULL after the last entry.', derefs: [0, 2],
    impl: (k, a) => {
      k.mem.st64(a[2], num(k.mem.ld64(a[2])) + 1);
      const next = k.mem.ld64(a[0]);
      return next === a[1] ? 0 : next;
    },
  },
];

/** The pos-th entry of a list (NULL past the end), as seq_list_start() walks it. */
function listNth(k: Kernel, head: I64, pos: number): I64 {
  let p = k.mem.ld64(head);
  for (let i = 0; p !== head; i++) {
    if (i === pos) return p;
    p = k.mem.ld64(p);
  }
  return 0;
}

const CHRDEV: KernelExport[] = [
  {
    name: 'register_chrdev_region', header: 'linux/fs.h', proto: 'int register_chrdev_region(dev_t from, unsigned count, const char *name)',
    doc: 'Claim device numbers [from, from+count); 0 or -EBUSY when they are taken.', derefs: [2],
    impl: (k, a) => {
      const r = registerRegion(k, major(u(a[0])), minor(u(a[0])), u(a[1]), k.cstring(a[2]) ?? '');
      return r < 0 ? r : 0;
    },
  },
  {
    name: 'alloc_chrdev_region', header: 'linux/fs.h', proto: 'int alloc_chrdev_region(dev_t *dev, unsigned baseminor, unsigned count, const char *name)',
    doc: 'Claim count device numbers under a free major (254 down); the first goes to *dev. 0 or a negative errno.', derefs: [0, 3],
    impl: (k, a) => {
      const r = registerRegion(k, 0, u(a[1]), u(a[2]), k.cstring(a[3]) ?? '');
      if (r < 0) return r;
      k.mem.st32(a[0], mkdev(r, u(a[1])));
      return 0;
    },
  },
  {
    name: 'unregister_chrdev_region', header: 'linux/fs.h', proto: 'void unregister_chrdev_region(dev_t from, unsigned count)', doc: 'Release device numbers claimed with register_chrdev_region()/alloc_chrdev_region().',
    impl: (k, a) => {
      unregisterRegion(k, major(u(a[0])), minor(u(a[0])), u(a[1]));
      return undefined;
    },
  },
  {
    name: '__register_chrdev', header: 'linux/fs.h', proto: 'int __register_chrdev(unsigned int major, unsigned int baseminor, unsigned int count, const char *name, const struct file_operations *fops)',
    doc: 'register_chrdev(): claim a major (0 asks for a free one, which is returned) with 256 minors served by fops. Make the /dev node with device_create() or mknod.', derefs: [3],
    impl: (k, a, site) => {
      const want = u(a[0]);
      const maj = registerRegion(k, want, u(a[1]), u(a[2]), k.cstring(a[3]) ?? '');
      if (maj < 0) return maj;
      const cdev = cdevAlloc(k, site);
      if (cdev === 0) {
        unregisterRegion(k, maj, u(a[1]), u(a[2]));
        return ERR.ENOMEM;
      }
      k.mem.st64(add(cdev, CDEV.owner), a[4] === 0 ? 0 : k.mem.ld64(add(a[4], FOPS.owner)));
      k.mem.st64(add(cdev, CDEV.ops), a[4]);
      cdevAdd(k, cdev, mkdev(maj, u(a[1])), u(a[2]));
      setRegionCdev(k, maj, u(a[1]), cdev);
      return want === 0 ? maj : 0;
    },
  },
  {
    name: '__unregister_chrdev', header: 'linux/fs.h', proto: 'void __unregister_chrdev(unsigned int major, unsigned int baseminor, unsigned int count, const char *name)', doc: 'unregister_chrdev(): release a major and its cdev.',
    impl: (k, a, site) => {
      const r = unregisterRegion(k, u(a[0]), u(a[1]), u(a[2]));
      if (r?.cdev) cdevDel(k, r.cdev, site);
      return undefined;
    },
  },
  {
    name: 'cdev_init', header: 'linux/cdev.h', proto: 'void cdev_init(struct cdev *cdev, const struct file_operations *fops)', doc: 'Initialise an embedded cdev with its file_operations (set cdev.owner too).', derefs: [0],
    impl: (k, a) => {
      cdevInit(k, a[0], a[1]);
      return undefined;
    },
  },
  {
    name: 'cdev_alloc', header: 'linux/cdev.h', proto: 'struct cdev *cdev_alloc(void)', doc: 'Allocate a cdev (freed by cdev_del); set ->ops and ->owner, then cdev_add().', nullable: true,
    impl: (k, _a, site) => cdevAlloc(k, site),
  },
  {
    name: 'cdev_add', header: 'linux/cdev.h', proto: 'int cdev_add(struct cdev *p, dev_t dev, unsigned count)', doc: 'Make the cdev live for count device numbers from dev: opening them runs its file_operations.', derefs: [0],
    impl: (k, a) => cdevAdd(k, a[0], u(a[1]), u(a[2])),
  },
  {
    name: 'cdev_del', header: 'linux/cdev.h', proto: 'void cdev_del(struct cdev *p)', doc: 'Remove a cdev; files already open keep working until closed.', derefs: [0],
    impl: (k, a, site) => {
      cdevDel(k, a[0], site);
      return undefined;
    },
  },
  {
    name: '__class_create', header: 'linux/device.h', proto: 'struct class *__class_create(struct module *owner, const char *name, struct lock_class_key *key)',
    doc: 'class_create(): a device class, /sys/class/NAME. Returns an ERR_PTR on failure (check with IS_ERR).', errPtr: true, sleeps: 'always', derefs: [1],
    impl: (k, a, site) => classCreate(k, a[0], a[1], site),
  },
  {
    name: 'class_destroy', header: 'linux/device.h', proto: 'void class_destroy(struct class *cls)', doc: 'Remove a class made by class_create().', sleeps: 'always',
    impl: (k, a, site) => {
      classDestroy(k, a[0], site);
      return undefined;
    },
  },
  {
    name: 'device_create', header: 'linux/device.h', proto: 'struct device *device_create(struct class *cls, struct device *parent, dev_t devt, void *drvdata, const char *fmt, ...)',
    doc: 'A device in the class; devtmpfs makes /dev/NAME for devt. Returns an ERR_PTR on failure.', errPtr: true, sleeps: 'always', derefs: [4],
    impl: (k, a, site) => {
      mightSleepMutex(k, site, 'device_create');
      return deviceCreate(k, a[0], u(a[2]), a[3], k.k.format(k.cstring(a[4]) ?? '', a.slice(5)), 0, site);
    },
  },
  {
    name: 'device_destroy', header: 'linux/device.h', proto: 'void device_destroy(struct class *cls, dev_t devt)', doc: 'Remove the device (and /dev node) device_create() made.', sleeps: 'always',
    impl: (k, a, site) => {
      deviceDestroy(k, a[0], u(a[1]), site);
      return undefined;
    },
  },
  {
    name: 'misc_register', header: 'linux/miscdevice.h', proto: 'int misc_register(struct miscdevice *misc)',
    doc: 'Register a misc character device: major 10, a dynamic minor for MISC_DYNAMIC_MINOR (written back), /dev/NAME. 0 or -EBUSY.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      mightSleepMutex(k, site, 'misc_register');
      return miscRegister(k, a[0], site);
    },
  },
  {
    name: 'misc_deregister', header: 'linux/miscdevice.h', proto: 'void misc_deregister(struct miscdevice *misc)', doc: 'Unregister a misc device.', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      miscDeregister(k, a[0], site);
      return undefined;
    },
  },
  {
    name: 'nonseekable_open', header: 'linux/fs.h', proto: 'int nonseekable_open(struct inode *inode, struct file *filp)', doc: 'Mark a file as not seekable (llseek and pread fail with -ESPIPE); returns 0.', derefs: [1],
    impl: (k, a) => {
      const mode = add(a[1], FILE.mode);
      k.mem.st32(mode, k.mem.ld32(mode) & ~(0x4 | 0x8 | 0x10));
      return 0;
    },
  },
  {
    name: 'stream_open', header: 'linux/fs.h', proto: 'int stream_open(struct inode *inode, struct file *filp)', doc: 'Open as a stream: no position, no seeking; returns 0.', derefs: [1],
    impl: (k, a) => {
      const mode = add(a[1], FILE.mode);
      k.mem.st32(mode, (k.mem.ld32(mode) & ~(0x4 | 0x8 | 0x10)) | 0x200000);
      return 0;
    },
  },
];

const MODULE_REFS: KernelExport[] = [
  {
    name: 'try_module_get', header: 'linux/module.h', proto: 'bool try_module_get(struct module *module)',
    doc: 'Take a reference on a module so it cannot be unloaded (lsmod shows it in "Used by"); false while it is being unloaded. Drop it with module_put().',
    impl: (k, a) => {
      if (a[0] === 0) return 1;
      const m = moduleAt(k, a[0]);
      return !m || tryModuleGet(m) ? 1 : 0;
    },
  },
  {
    name: '__module_get', header: 'linux/module.h', proto: 'void __module_get(struct module *module)', doc: 'Take a reference on a module that is known to be live.',
    impl: (k, a) => {
      const m = a[0] === 0 ? undefined : moduleAt(k, a[0]);
      if (m) m.refcount++;
      return undefined;
    },
  },
  {
    name: 'module_put', header: 'linux/module.h', proto: 'void module_put(struct module *module)', doc: 'Drop a reference taken with try_module_get().',
    impl: (k, a) => {
      const m = a[0] === 0 ? undefined : moduleAt(k, a[0]);
      if (m) modulePut(m);
      return undefined;
    },
  },
  {
    name: 'module_refcount', header: 'linux/module.h', proto: 'int module_refcount(struct module *mod)', doc: 'The module\'s reference count (what lsmod shows as "Used by").', derefs: [0],
    impl: (k, a) => moduleAt(k, a[0])?.refcount ?? 0,
  },
];

const SYSFS: KernelExport[] = [
  ...TOP_KOBJECTS.map(([name, dir]): KernelExport => ({
    name, header: 'linux/kobject.h', proto: `struct kobject *${name}`, doc: `The kobject of /sys/${dir}: the parent for kobject_create_and_add().`,
    data: { size: 8, init: (k, addr) => k.mem.st64(addr, bootKobject(k, dir)) },
  })),
  {
    name: 'kobject_create_and_add', header: 'linux/kobject.h', proto: 'struct kobject *kobject_create_and_add(const char *name, struct kobject *parent)',
    doc: 'A kobject and its sysfs directory under parent (kernel_kobj: /sys/kernel/NAME); NULL on failure. Release with kobject_put().', nullable: true, sleeps: 'always', derefs: [0],
    impl: (k, a, site) => kobjectCreateAndAdd(k, a[0], a[1], site),
  },
  {
    name: 'kobject_get', header: 'linux/kobject.h', proto: 'struct kobject *kobject_get(struct kobject *kobj)', doc: 'Take a reference on a kobject.',
    impl: (k, a) => kobjectGet(k, a[0]),
  },
  {
    name: 'kobject_put', header: 'linux/kobject.h', proto: 'void kobject_put(struct kobject *kobj)', doc: 'Drop a reference; the last one removes the sysfs directory and frees the kobject.',
    impl: (k, a, site) => {
      kobjectPut(k, a[0], site);
      return undefined;
    },
  },
  {
    name: 'sysfs_create_file', header: 'linux/sysfs.h', proto: 'int sysfs_create_file(struct kobject *kobj, const struct attribute *attr)', doc: 'An attribute file in the kobject\'s directory; 0 or a negative errno.', sleeps: 'always', derefs: [0, 1],
    impl: (k, a) => sysfsCreateFile(k, a[0], a[1]),
  },
  {
    name: 'sysfs_remove_file', header: 'linux/sysfs.h', proto: 'void sysfs_remove_file(struct kobject *kobj, const struct attribute *attr)', doc: 'Remove an attribute file.', sleeps: 'always', derefs: [0, 1],
    impl: (k, a) => {
      sysfsRemoveFile(k, a[0], a[1]);
      return undefined;
    },
  },
  {
    name: 'sysfs_create_group', header: 'linux/sysfs.h', proto: 'int sysfs_create_group(struct kobject *kobj, const struct attribute_group *grp)', doc: 'The files of an attribute group (in a subdirectory if the group is named); 0 or a negative errno.', sleeps: 'always', derefs: [0, 1],
    impl: (k, a) => sysfsCreateGroup(k, a[0], a[1]),
  },
  {
    name: 'sysfs_remove_group', header: 'linux/sysfs.h', proto: 'void sysfs_remove_group(struct kobject *kobj, const struct attribute_group *grp)', doc: 'Remove an attribute group\'s files.', sleeps: 'always', derefs: [0, 1],
    impl: (k, a) => {
      sysfsRemoveGroup(k, a[0], a[1]);
      return undefined;
    },
  },
  {
    name: 'sysfs_emit', header: 'linux/sysfs.h', proto: 'int sysfs_emit(char *buf, const char *fmt, ...)', doc: 'Format a show() result into its page buffer; the length written.', derefs: [0, 1],
    impl: (k, a) => sysfsEmit(k, a[0], 0, k.k.format(k.cstring(a[1]) ?? '', a.slice(2))),
  },
  {
    name: 'sysfs_emit_at', header: 'linux/sysfs.h', proto: 'int sysfs_emit_at(char *buf, int at, const char *fmt, ...)', doc: 'sysfs_emit() at an offset in the page; the length written.', derefs: [0, 2],
    impl: (k, a) => sysfsEmit(k, a[0], num(a[1]), k.k.format(k.cstring(a[2]) ?? '', a.slice(3))),
  },
];

/** vsscanf() (lib/vsprintf.c): the conversions modules use to parse what user space wrote. */
const SCANF: KernelExport = {
  name: 'sscanf', header: 'linux/kernel.h', proto: 'int sscanf(const char *buf, const char *fmt, ...)',
  doc: 'Parse buf by fmt (%d %u %x %ld %s %c ...); the number of values assigned.', derefs: [0, 1],
  impl: (k, a) => scan(k, k.cstring(a[0]) ?? '', k.cstring(a[1]) ?? '', a.slice(2)),
};

/** The subset of vsscanf() that modules use: integers, strings, characters, %n, widths and `*`. */
function scan(k: Kernel, input: string, fmt: string, out: I64[]): number {
  let i = 0;
  let n = 0;
  let arg = 0;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  for (let fi = 0; fi < fmt.length; fi++) {
    const c = fmt[fi];
    if (isSpace(c)) {
      while (isSpace(input[i])) i++;
      continue;
    }
    if (c !== '%' || fmt[fi + 1] === '%') {
      if (c === '%') fi++;
      if (input[i] !== fmt[fi]) break;
      i++;
      continue;
    }
    fi++;
    const skip = fmt[fi] === '*';
    if (skip) fi++;
    let width = 0;
    while (/\d/.test(fmt[fi] ?? '')) width = width * 10 + Number(fmt[fi++]);
    let size = 4;
    if (fmt.startsWith('hh', fi)) { size = 1; fi += 2; } else if (fmt[fi] === 'h') { size = 2; fi++; } else if (fmt.startsWith('ll', fi)) { size = 8; fi += 2; } else if (fmt[fi] === 'l' || fmt[fi] === 'z' || fmt[fi] === 'L') { size = 8; fi++; }
    const conv = fmt[fi];
    if (conv === 'n') {
      if (!skip && arg < out.length) k.mem.st32(out[arg++], i);
      continue;
    }
    if (i >= input.length) break;
    if (conv === 'c') {
      const w = width || 1;
      if (i + w > input.length) break;
      if (!skip && arg < out.length) k.mem.writeBytes(out[arg++], bytesOf(input.slice(i, i + w)));
      i += w;
      if (!skip) n++;
      continue;
    }
    while (isSpace(input[i])) i++;
    if (conv === 's') {
      let j = i;
      while (j < input.length && !isSpace(input[j]) && (!width || j - i < width)) j++;
      if (j === i) break;
      if (!skip && arg < out.length) k.mem.writeBytes(out[arg++], bytesOf(input.slice(i, j) + '\0'));
      i = j;
      if (!skip) n++;
      continue;
    }
    const base = conv === 'x' || conv === 'X' ? 16 : conv === 'o' ? 8 : conv === 'i' ? 0 : 10;
    if (!'diuxXo'.includes(conv ?? '')) break;
    const limit = width ? i + width : input.length;
    const m = /^[-+]?(0[xX][0-9a-fA-F]+|[0-9a-fA-F]+)/.exec(input.slice(i, limit));
    let text = m?.[0] ?? '';
    if (base === 10) text = /^[-+]?\d+/.exec(text)?.[0] ?? '';
    if (base === 8) text = /^[-+]?[0-7]+/.exec(text)?.[0] ?? '';
    if (text === '' || text === '-' || text === '+') break;
    const neg = text.startsWith('-');
    const digits = text.replace(/^[-+]/, '');
    const radix = base === 0 ? (/^0[xX]/.test(digits) ? 16 : digits.startsWith('0') && digits.length > 1 ? 8 : 10) : base;
    let v = BigInt(radix === 16 ? `0x${digits.replace(/^0[xX]/, '')}` : radix === 8 ? `0o${digits}` : digits);
    if (neg) v = -v;
    i += text.length;
    if (!skip && arg < out.length) {
      const to = out[arg++];
      if (size === 8) k.mem.st64(to, BigInt.asIntN(64, v));
      else if (size === 4) k.mem.st32(to, Number(BigInt.asIntN(32, v)));
      else if (size === 2) k.mem.st16(to, Number(BigInt.asIntN(16, v)));
      else k.mem.st8(to, Number(BigInt.asIntN(8, v)));
      n++;
    }
  }
  return n;
}

export const FS_EXPORTS: KernelExport[] = [...UACCESS, ...LLSEEK, ...PROC, ...SEQ, ...CHRDEV, ...MODULE_REFS, ...SYSFS, SCANF];

