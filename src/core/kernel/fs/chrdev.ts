// Character devices (fs/char_dev.c, drivers/base/core.c, drivers/char/misc.c of Linux 6.1): device
// number regions, cdevs, classes and devices (the /dev nodes devtmpfs makes), misc devices, module
// reference counts, and what opening a device node does (chrdev_open, misc_open).
//
// The registry starts with the regions and misc devices the oracle's Debian guest has after boot,
// so a dynamic major is the first free one from 254 down (246 there) and a dynamic misc minor the
// first free one from 127 down (124), and /proc/devices and /proc/misc read as on that machine.
//
// Opening a node finds the cdev that maps its number, takes a reference on the cdev's owner and on
// the file_operations' owner (cdev_get and fops_get: a module with `.owner = THIS_MODULE` shows
// "Used by 2" in lsmod while a file is open, and rmmod refuses), runs the module's open, and gives
// the VFS a ModuleFile; release drops both references.
//
// Invariants: regions of one major never overlap; a cdev is in `cdevs` exactly between cdev_add and
// cdev_del; every /dev node made by device_create is removed by device_destroy or class_destroy.

import type { I64 } from '../../vm/value';
import type { CallSite } from '../../vm/machine';
import type { Kernel } from '../kernel';
import type { LoadedModule } from '../module';
import type { CharDevices, DirNode, OpenFile, OpenRequest } from '../vfs';
import { generatedFile, vfsOf } from '../vfs';
import type { FileKind, NodeObjects } from './files';
import { openRegs } from './userregs';
import { ERR, FILE, GFP_KERNEL_ZERO, INODE, ModuleFile, PATHS, add, allocFile, kernelAlloc, makeNodeObjects, num, syscall, within } from './files';

/** Offsets in struct file_operations, struct cdev, struct miscdevice, struct device, struct class. */
export const FOPS = { owner: 0, llseek: 8, read: 16, write: 24, ioctl: 80, open: 112, release: 128 } as const;
export const CDEV = { owner: 64, ops: 72, list: 80, dev: 96, count: 100, bytes: 104 } as const;
export const MISC = { minor: 0, name: 8, fops: 16, list: 24, thisDevice: 48, mode: 72 } as const;
export const DEVICE = { initName: 80, driverData: 96, devt: 104, cls: 112, bytes: 120 } as const;
export const CLASS = { name: 0, owner: 8, bytes: 40 } as const;

const MINORBITS = 20;
const MINORMASK = (1 << MINORBITS) - 1;
const CHRDEV_MAJOR_MAX = 512;
const MISC_MAJOR = 10;
const MISC_DYNAMIC_MINOR = 255;
const DYNAMIC_MINORS = 128;

export const mkdev = (major: number, minor: number): number => ((major << MINORBITS) | minor) >>> 0;
export const major = (dev: number): number => dev >>> MINORBITS;
export const minor = (dev: number): number => dev & MINORMASK;

interface Region {
  readonly major: number;
  readonly baseminor: number;
  readonly minorct: number;
  readonly name: string;
  /** The cdev __register_chrdev() made for it (freed by __unregister_chrdev). */
  cdev?: I64;
}

interface CdevRec {
  readonly cdev: I64;
  readonly dev: number;
  readonly count: number;
  /** Allocated by the kernel (cdev_alloc, __register_chrdev): freed when deleted. */
  readonly owned: boolean;
}

interface DeviceRec {
  readonly device: I64;
  readonly cls: I64;
  readonly devt: number;
  readonly name: string;
}

interface MiscRec {
  readonly misc: I64;
  readonly minor: number;
  readonly name: string;
}

/** The regions of the oracle guest after boot, in /proc/devices order. */
const BOOT_REGIONS: readonly [number, number, number, string][] = [
  [1, 0, 256, 'mem'], [4, 0, 1, '/dev/vc/0'], [4, 1, 63, 'tty'], [4, 64, 32, 'ttyS'], [5, 0, 1, '/dev/tty'],
  [5, 1, 1, '/dev/console'], [5, 2, 1, '/dev/ptmx'], [7, 0, 256, 'vcs'], [10, 0, 256, 'misc'], [13, 0, 1024, 'input'],
  [29, 0, 32, 'fb'], [128, 0, 1048576, 'ptm'], [136, 0, 1048576, 'pts'], [153, 0, 256, 'spi'], [247, 0, 256, 'cxl'],
  [248, 0, 32768, 'bsg'], [249, 0, 256, 'ptp'], [250, 0, 256, 'pps'], [251, 0, 256, 'rtc'], [252, 0, 256, 'dax'],
  [253, 0, 256, 'tpm'], [254, 0, 256, 'gpiochip'],
];

/** The guest's block majors (/proc/devices' second part). */
const BLOCK_DEVICES = ['259 blkext'];

/** The guest's misc devices after boot, newest first as /proc/misc lists them. */
const BOOT_MISC: readonly [number, string][] = [
  [125, 'cpu_dma_latency'], [1, 'psaux'], [228, 'hpet'], [126, 'userfaultfd'], [231, 'snapshot'], [183, 'hw_random'], [127, 'vga_arbiter'],
];

/** The boot misc devices that took dynamic minors (vga_arbiter, userfaultfd, cpu_dma_latency). */
const BOOT_DYNAMIC_MISC = [127, 126, 125];

class CharDevs implements CharDevices {
  readonly regions: Region[] = BOOT_REGIONS.map(([maj, base, ct, name]) => ({ major: maj, baseminor: base, minorct: ct, name }));
  readonly cdevs: CdevRec[] = [];
  readonly devices: DeviceRec[] = [];
  /** Module misc devices, newest first. */
  readonly miscs: MiscRec[] = [];
  /** Bitmap of dynamic misc minors in use (bit i = minor 127 - i), as misc.c keeps it. */
  readonly miscMinors = new Set<number>(BOOT_DYNAMIC_MISC.map((m) => DYNAMIC_MINORS - m - 1));
  /** The inode and dentry of each device number's node (made at first open, as the dcache keeps them). */
  readonly nodes = new Map<number, NodeObjects>();

  constructor(readonly k: Kernel) {}

  open(maj: number, min: number, req: OpenRequest): OpenFile | number {
    const dev = mkdev(maj, min);
    const misc = maj === MISC_MAJOR ? this.miscs.find((m) => m.minor === min) : undefined;
    const cdev = misc ? undefined : this.cdevs.find((c) => dev >= c.dev && dev < c.dev + c.count);
    if (!cdev && !misc) return ERR.ENXIO;
    const k = this.k;
    const name = misc?.name ?? this.devices.find((d) => d.devt === dev)?.name ?? `${maj}:${min}`;
    const held: LoadedModule[] = [];
    const drop = (): void => {
      for (const m of held.splice(0)) modulePut(m);
    };
    const file = syscall(k, req.task, PATHS.open, (site) => within(k, [{ fn: misc ? 'misc_open' : 'chrdev_open', offset: misc ? 0x73 : 0xc1, size: misc ? 0x150 : 0x250 }], () => {
      // cdev_get(): the cdev's owner (misc devices live in the kernel's own cdev for major 10).
      if (cdev && !this.hold(k.mem.ld64(add(cdev.cdev, CDEV.owner)), held)) return ERR.ENXIO;
      const fops = misc ? k.mem.ld64(add(misc.misc, MISC.fops)) : k.mem.ld64(add(cdev!.cdev, CDEV.ops));
      // fops_get(): the file_operations' owner.
      if (fops === 0 || !this.hold(k.mem.ld64(add(fops, FOPS.owner)), held)) {
        drop();
        return ERR.ENXIO;
      }
      let node = this.nodes.get(dev);
      if (!node) {
        node = makeNodeObjects(k, name, 0o020600, dev, site);
        if (!node) return ERR.ENOMEM;
        this.nodes.set(dev, node);
      }
      if (cdev) k.mem.st64(add(node.inode, INODE.cdev), cdev.cdev);
      const filp = allocFile(k, node, fops, req.flags, site);
      if (filp === 0) return ERR.ENOMEM;
      // misc_open() puts the miscdevice in private_data for the driver's open to use.
      if (misc) k.mem.st64(add(filp, FILE.privateData), misc.misc);
      const open = k.mem.ld64(add(fops, FOPS.open));
      const ret = open === 0 ? 0 : num(k.machine.callAddr(open, [node.inode, filp], site));
      if (ret !== 0) {
        k.k.mm.kfree(filp, site);
        drop();
        return ret;
      }
      return filp;
    }), openRegs(req.flags));
    const r = num(file);
    if (r < 0 && r >= -4095) {
      drop();
      return r;
    }
    const kind: FileKind = {
      table: (filp) => k.mem.ld64(add(filp, FILE.op)),
      offsets: { read: FOPS.read, write: FOPS.write, llseek: FOPS.llseek, ioctl: FOPS.ioctl, release: FOPS.release },
      via: { read: [], write: [], llseek: [], ioctl: [], release: [] },
      noReadWrite: ERR.EINVAL,
      defaultSeek: false,
      released: drop,
    };
    return new ModuleFile(k, req.task, file, kind);
  }

  /** try_module_get() of an owner pointer, remembered in `held`; false when the module is going away. */
  private hold(owner: I64, held: LoadedModule[]): boolean {
    if (owner === 0) return true;
    const m = moduleAt(this.k, owner);
    if (!m) return true;
    if (!tryModuleGet(m)) return false;
    held.push(m);
    return true;
  }
}

const STATES = new WeakMap<Kernel, CharDevs>();

/** The machine's chrdev registry, installed in its VFS on first use. */
export function chrdevsOf(k: Kernel): CharDevs {
  let s = STATES.get(k);
  if (!s) {
    STATES.set(k, (s = new CharDevs(k)));
    vfsOf(k).chrdevs = s;
  }
  return s;
}

// ---- module references ----------------------------------------------------------------------------

/** The loaded module whose `struct module` (THIS_MODULE) is at `addr`. */
export function moduleAt(k: Kernel, addr: I64): LoadedModule | undefined {
  for (const m of k.modules.values()) {
    const v = m.unit.globals.find((g) => g.name === '__this_module');
    if (v && m.globalAddrs.get(v) === addr) return m;
  }
  return undefined;
}

/** try_module_get(): a reference, unless the module is being unloaded. */
export function tryModuleGet(m: LoadedModule): boolean {
  if (m.state === 'going' || m.state === 'gone') return false;
  m.refcount++;
  return true;
}

export function modulePut(m: LoadedModule): void {
  if (m.refcount > 0) m.refcount--;
}

// ---- regions ----------------------------------------------------------------------------------------

/** __register_chrdev_region(): the region's major, or a negative errno (with the kernel's pr_err). */
export function registerRegion(k: Kernel, maj: number, baseminor: number, minorct: number, name: string): number {
  const s = chrdevsOf(k);
  if (maj >= CHRDEV_MAJOR_MAX) {
    k.log(3, `CHRDEV "${name}" major requested (${maj}) is greater than the maximum (${CHRDEV_MAJOR_MAX - 1})`);
    return ERR.EINVAL;
  }
  if (minorct > MINORMASK + 1 - baseminor) {
    k.log(3, `CHRDEV "${name}" minor range requested (${baseminor}-${baseminor + minorct - 1}) is out of range of maximum range (0-${MINORMASK}) for a single major`);
    return ERR.EINVAL;
  }
  if (maj === 0) {
    maj = findDynamicMajor(s);
    if (maj < 0) {
      k.log(3, `CHRDEV "${name}" dynamic allocation region is full`);
      return ERR.EBUSY;
    }
  }
  const clash = s.regions.some((r) => r.major === maj && r.baseminor < baseminor + minorct && baseminor < r.baseminor + r.minorct);
  if (clash) return ERR.EBUSY;
  s.regions.push({ major: maj, baseminor, minorct, name });
  return maj;
}

/** find_dynamic_major(): 254 down to 234, then 511 down to 384. */
function findDynamicMajor(s: CharDevs): number {
  const used = (m: number): boolean => s.regions.some((r) => r.major === m);
  for (let i = 254; i >= 234; i--) if (!used(i)) return i;
  for (let i = 511; i >= 384; i--) if (!used(i)) return i;
  return ERR.EBUSY;
}

/** __unregister_chrdev_region(): the region that starts exactly there; what it held (a cdev) comes back. */
export function unregisterRegion(k: Kernel, maj: number, baseminor: number, minorct: number): Region | undefined {
  const s = chrdevsOf(k);
  const at = s.regions.findIndex((r) => r.major === maj && r.baseminor === baseminor && r.minorct === minorct);
  if (at < 0) return undefined;
  return s.regions.splice(at, 1)[0];
}

/** Attach the cdev __register_chrdev() made to its region. */
export function setRegionCdev(k: Kernel, maj: number, baseminor: number, cdev: I64): void {
  const r = chrdevsOf(k).regions.find((x) => x.major === maj && x.baseminor === baseminor);
  if (r) r.cdev = cdev;
}

/** /proc/devices. */
export function procDevices(k: Kernel): string {
  const s = chrdevsOf(k);
  const chr = [...s.regions].sort((a, b) => a.major - b.major);
  const lines = ['Character devices:', ...chr.map((r) => `${String(r.major).padStart(3)} ${r.name}`), '', 'Block devices:', ...BLOCK_DEVICES];
  return lines.join('\n') + '\n';
}

// ---- cdevs ------------------------------------------------------------------------------------------

/** cdev_init(): zero the cdev, set its operations. */
export function cdevInit(k: Kernel, cdev: I64, fops: I64): void {
  k.mem.fill(cdev, 0, CDEV.bytes);
  const list = add(cdev, CDEV.list);
  k.mem.st64(list, list);
  k.mem.st64(add(list, 8), list);
  k.mem.st64(add(cdev, CDEV.ops), fops);
}

/** cdev_alloc(): a zeroed cdev the kernel frees at cdev_del. */
export function cdevAlloc(k: Kernel, site: CallSite): I64 {
  const cdev = kernelAlloc(k, CDEV.bytes, GFP_KERNEL_ZERO, site);
  if (cdev !== 0) {
    cdevInit(k, cdev, 0);
    ownedCdevs(k).add(cdev);
  }
  return cdev;
}

const OWNED = new WeakMap<Kernel, Set<I64>>();
function ownedCdevs(k: Kernel): Set<I64> {
  let s = OWNED.get(k);
  if (!s) OWNED.set(k, (s = new Set()));
  return s;
}

/** cdev_add(): the device numbers [dev, dev+count) now open this cdev. */
export function cdevAdd(k: Kernel, cdev: I64, dev: number, count: number): number {
  k.mem.st32(add(cdev, CDEV.dev), dev);
  k.mem.st32(add(cdev, CDEV.count), count);
  chrdevsOf(k).cdevs.push({ cdev, dev, count, owned: ownedCdevs(k).has(cdev) });
  return 0;
}

/** cdev_del(): unmap the cdev (and free it if the kernel allocated it). */
export function cdevDel(k: Kernel, cdev: I64, site: CallSite): void {
  const s = chrdevsOf(k);
  const at = s.cdevs.findIndex((c) => c.cdev === cdev);
  if (at >= 0) s.cdevs.splice(at, 1);
  if (ownedCdevs(k).delete(cdev)) k.k.mm.kfree(cdev, site);
}

// ---- classes and devices ------------------------------------------------------------------------------

/** __class_create(): a struct class and /sys/class/NAME. */
export function classCreate(k: Kernel, owner: I64, nameAddr: I64, site: CallSite): I64 {
  const name = k.cstring(nameAddr, 256) ?? '';
  const vfs = vfsOf(k);
  const sysClass = vfs.mkdirs('/sys/class');
  if (typeof sysClass === 'number' || sysClass.children.has(name)) return ERR.EEXIST;
  const cls = kernelAlloc(k, CLASS.bytes, GFP_KERNEL_ZERO, site);
  if (cls === 0) return ERR.ENOMEM;
  k.mem.st64(add(cls, CLASS.name), nameAddr);
  k.mem.st64(add(cls, CLASS.owner), owner);
  vfs.mkdir(sysClass, name);
  return cls;
}

/** class_destroy(): the class's directory (and any device left in it) goes. */
export function classDestroy(k: Kernel, cls: I64, site: CallSite): void {
  if (cls === 0 || (num(cls) < 0 && num(cls) >= -4095)) return;
  const s = chrdevsOf(k);
  for (const d of s.devices.filter((x) => x.cls === cls)) deviceDestroy(k, cls, d.devt, site);
  const dir = classDir(k, cls);
  if (dir) vfsOf(k).remove(dir, true);
  k.k.mm.kfree(cls, site);
}

function classDir(k: Kernel, cls: I64): DirNode | undefined {
  const name = k.cstring(k.mem.ld64(add(cls, CLASS.name)), 256) ?? '';
  const node = vfsOf(k).lookup(`/sys/class/${name}`);
  return typeof node !== 'number' && node.kind === 'dir' ? node : undefined;
}

/**
 * device_create(): a struct device, /sys/class/CLASS/NAME/dev and, when it has a device number,
 * the node /dev/NAME (devtmpfs: mode 0600 unless the class gives one). An ERR_PTR when the name is taken.
 */
export function deviceCreate(k: Kernel, cls: I64, devt: number, data: I64, name: string, mode: number, site: CallSite): I64 {
  const s = chrdevsOf(k);
  const vfs = vfsOf(k);
  const dev = vfs.mkdirs('/dev');
  if (typeof dev === 'number' || dev.children.has(name)) return ERR.EEXIST;
  const device = kernelAlloc(k, DEVICE.bytes, GFP_KERNEL_ZERO, site);
  const nameCopy = kernelAlloc(k, name.length + 1, 0xcc0, site);
  if (device === 0 || nameCopy === 0) return ERR.ENOMEM;
  const bytes = new Uint8Array(name.length + 1);
  for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i) & 0xff;
  k.mem.writeBytes(nameCopy, bytes);
  k.mem.st64(add(device, DEVICE.initName), nameCopy);
  k.mem.st64(add(device, DEVICE.driverData), data);
  k.mem.st32(add(device, DEVICE.devt), devt);
  k.mem.st64(add(device, DEVICE.cls), cls);
  const dir = cls === 0 ? undefined : classDir(k, cls);
  if (dir) {
    const d = vfs.mkdir(dir, name);
    if (typeof d !== 'number' && devt !== 0) vfs.createFile(d, 'dev', 0o444, generatedFile(() => `${major(devt)}:${minor(devt)}\n`));
  }
  if (devt !== 0) vfs.mknod(dev, name, mode || 0o600, major(devt), minor(devt));
  s.devices.push({ device, cls, devt, name });
  return device;
}

/** device_destroy(): the device of that class and number, its /dev node and sysfs directory. */
export function deviceDestroy(k: Kernel, cls: I64, devt: number, site: CallSite): void {
  const s = chrdevsOf(k);
  const at = s.devices.findIndex((d) => d.cls === cls && d.devt === devt);
  if (at < 0) return;
  const d = s.devices.splice(at, 1)[0];
  removeDeviceNodes(k, d);
  k.k.mm.kfree(k.mem.ld64(add(d.device, DEVICE.initName)), site);
  k.k.mm.kfree(d.device, site);
}

function removeDeviceNodes(k: Kernel, d: DeviceRec): void {
  const vfs = vfsOf(k);
  const node = vfs.lookup(`/dev/${d.name}`, { noFollow: true });
  if (typeof node !== 'number' && node.kind === 'chr') vfs.remove(node);
  const dir = d.cls === 0 ? undefined : classDir(k, d.cls);
  const sub = dir?.children.get(d.name);
  if (sub) vfs.remove(sub, true);
}

// ---- misc devices -------------------------------------------------------------------------------------

/** misc_register(): a minor (the first free dynamic one from 127 down), /dev/NAME; 0 or -EBUSY. */
export function miscRegister(k: Kernel, misc: I64, site: CallSite): number {
  const s = chrdevsOf(k);
  let min = k.mem.ld32(misc) | 0;
  const name = k.cstring(k.mem.ld64(add(misc, MISC.name)), 256) ?? '';
  const list = add(misc, MISC.list);
  k.mem.st64(list, list);
  k.mem.st64(add(list, 8), list);
  let bit = -1;
  if (min === MISC_DYNAMIC_MINOR) {
    for (let i = 0; i < DYNAMIC_MINORS; i++) {
      if (!s.miscMinors.has(i)) {
        bit = i;
        break;
      }
    }
    if (bit < 0) return ERR.EBUSY;
    min = DYNAMIC_MINORS - bit - 1;
    k.mem.st32(misc, min);
  } else if (s.miscs.some((m) => m.minor === min) || BOOT_MISC.some(([m]) => m === min)) {
    return ERR.EBUSY;
  }
  const mode = k.mem.ld16(add(misc, MISC.mode));
  const device = deviceCreate(k, 0, mkdev(MISC_MAJOR, min), misc, name, mode, site);
  if (num(device) < 0 && num(device) >= -4095) {
    if (bit >= 0) k.mem.st32(misc, MISC_DYNAMIC_MINOR);
    return num(device);
  }
  if (bit >= 0) s.miscMinors.add(bit);
  k.mem.st64(add(misc, MISC.thisDevice), device);
  s.miscs.unshift({ misc, minor: min, name });
  return 0;
}

/** misc_deregister(): the device goes, a dynamic minor is freed. */
export function miscDeregister(k: Kernel, misc: I64, site: CallSite): void {
  const s = chrdevsOf(k);
  const at = s.miscs.findIndex((m) => m.misc === misc);
  if (at < 0) return;
  const rec = s.miscs.splice(at, 1)[0];
  deviceDestroy(k, 0, mkdev(MISC_MAJOR, rec.minor), site);
  const bit = DYNAMIC_MINORS - rec.minor - 1;
  if (bit >= 0 && bit < DYNAMIC_MINORS) s.miscMinors.delete(bit);
}

/** /proc/misc: newest first. */
export function procMisc(k: Kernel): string {
  const s = chrdevsOf(k);
  const all: [number, string][] = [...s.miscs.map((m): [number, string] => [m.minor, m.name]), ...BOOT_MISC];
  return all.map(([m, n]) => `${String(m).padStart(3)} ${n}\n`).join('');
}
