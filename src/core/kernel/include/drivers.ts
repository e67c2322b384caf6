// The virtual kernel include tree, part 4: the driver-facing headers teaching modules reach for —
// interrupts and tasklets, per-CPU data, character, misc and /proc files, user copies, time
// (jiffies, ktime, timers), deferred work (workqueues, kthreads, completions, wait queues), kfifo,
// random numbers, utsname and enough of the network device API for ops tables. Structs keep their
// real member names and, where modules embed them (timer_list, work_struct, delayed_work,
// tasklet_struct, completion, wait_queue_head, kfifo), their Linux 6.1 x86_64 layout without lock
// debugging. Exported functions and variables are declared from the API table (exports/), after
// each header's `/* exports */` line or its #include lines.

export const DRIVER_HEADERS: Record<string, string> = {
  // ---- interrupts -------------------------------------------------------------------------------
  'linux/irqreturn.h': `
#ifndef _LINUX_IRQRETURN_H
#define _LINUX_IRQRETURN_H
enum irqreturn { IRQ_NONE = (0 << 0), IRQ_HANDLED = (1 << 0), IRQ_WAKE_THREAD = (1 << 1) };
typedef enum irqreturn irqreturn_t;
#define IRQ_RETVAL(x) ((x) ? IRQ_HANDLED : IRQ_NONE)
#endif
`,
  'linux/interrupt.h': `
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/irqreturn.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/hardirq.h>
typedef irqreturn_t (*irq_handler_t)(int, void *);
#define IRQF_TRIGGER_NONE 0x00000000
#define IRQF_TRIGGER_RISING 0x00000001
#define IRQF_TRIGGER_FALLING 0x00000002
#define IRQF_TRIGGER_HIGH 0x00000004
#define IRQF_TRIGGER_LOW 0x00000008
#define IRQF_SHARED 0x00000080
#define IRQF_PROBE_SHARED 0x00000100
#define __IRQF_TIMER 0x00000200
#define IRQF_PERCPU 0x00000400
#define IRQF_NOBALANCING 0x00000800
#define IRQF_IRQPOLL 0x00001000
#define IRQF_ONESHOT 0x00002000
#define IRQF_NO_SUSPEND 0x00004000
#define IRQF_FORCE_RESUME 0x00008000
#define IRQF_NO_THREAD 0x00010000
#define IRQF_EARLY_RESUME 0x00020000
#define IRQF_COND_SUSPEND 0x00040000
#define IRQF_NO_AUTOEN 0x00080000
#define IRQF_NO_DEBUG 0x00100000
#define IRQF_TIMER (__IRQF_TIMER | IRQF_NO_SUSPEND | IRQF_NO_THREAD)
struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;
	atomic_t count;
	bool use_callback;
	union {
		void (*func)(unsigned long data);
		void (*callback)(struct tasklet_struct *t);
	};
	unsigned long data;
};
enum { TASKLET_STATE_SCHED, TASKLET_STATE_RUN };
#define DECLARE_TASKLET(name, _callback) struct tasklet_struct name = { .count = ATOMIC_INIT(0), .use_callback = true, .callback = _callback }
#define DECLARE_TASKLET_DISABLED(name, _callback) struct tasklet_struct name = { .count = ATOMIC_INIT(1), .use_callback = true, .callback = _callback }
#define DECLARE_TASKLET_OLD(name, _func) struct tasklet_struct name = { .count = ATOMIC_INIT(0), .func = _func }
#define DECLARE_TASKLET_DISABLED_OLD(name, _func) struct tasklet_struct name = { .count = ATOMIC_INIT(1), .func = _func }
#define from_tasklet(var, callback_tasklet, tasklet_fieldname) container_of(callback_tasklet, typeof(*var), tasklet_fieldname)
#define tasklet_hi_schedule(t) tasklet_schedule(t)
static inline void tasklet_disable_nosync(struct tasklet_struct *t) { atomic_inc(&t->count); }
static inline void tasklet_disable(struct tasklet_struct *t) { tasklet_disable_nosync(t); }
static inline void tasklet_enable(struct tasklet_struct *t) { atomic_dec(&t->count); }
/* exports */
#endif
`,
  'linux/hardirq.h': `
#ifndef LINUX_HARDIRQ_H
#define LINUX_HARDIRQ_H
#include <linux/preempt.h>
#endif
`,
  // ---- per-CPU data (one CPU: CPU 0) ------------------------------------------------------------
  'linux/threads.h': `
#ifndef _LINUX_THREADS_H
#define _LINUX_THREADS_H
#define NR_CPUS 8192
#define PID_MAX_DEFAULT 0x8000
#endif
`,
  'linux/smp.h': `
#ifndef __LINUX_SMP_H
#define __LINUX_SMP_H
#include <linux/types.h>
#include <linux/preempt.h>
#include <linux/threads.h>
#define smp_processor_id() 0
#define raw_smp_processor_id() 0
#define get_cpu() ({ preempt_disable(); smp_processor_id(); })
#define put_cpu() preempt_enable()
#endif
`,
  'linux/cpumask.h': `
#ifndef __LINUX_CPUMASK_H
#define __LINUX_CPUMASK_H
#include <linux/threads.h>
#define nr_cpu_ids 1U
#define num_online_cpus() 1U
#define num_possible_cpus() 1U
#define num_present_cpus() 1U
#define cpu_online(cpu) ((cpu) == 0)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define for_each_online_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define for_each_present_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#endif
`,
  'linux/percpu.h': `
#ifndef __LINUX_PERCPU_H
#define __LINUX_PERCPU_H
#include <linux/types.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#define DEFINE_PER_CPU(type, name) __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) __typeof__(type) name ____cacheline_aligned
#define per_cpu(var, cpu) (*((void)(cpu), &(var)))
#define per_cpu_ptr(ptr, cpu) ((void)(cpu), (ptr))
#define this_cpu_ptr(ptr) (ptr)
#define raw_cpu_ptr(ptr) (ptr)
#define get_cpu_var(var) (*({ preempt_disable(); &(var); }))
#define put_cpu_var(var) do { (void)&(var); preempt_enable(); } while (0)
#define get_cpu_ptr(var) ({ preempt_disable(); (var); })
#define put_cpu_ptr(var) do { (void)(var); preempt_enable(); } while (0)
#define __this_cpu_read(pcp) (pcp)
#define __this_cpu_write(pcp, val) do { (pcp) = (val); } while (0)
#define __this_cpu_add(pcp, val) do { (pcp) += (val); } while (0)
#define __this_cpu_sub(pcp, val) do { (pcp) -= (val); } while (0)
#define __this_cpu_inc(pcp) __this_cpu_add(pcp, 1)
#define __this_cpu_dec(pcp) __this_cpu_sub(pcp, 1)
#define __this_cpu_inc_return(pcp) (++(pcp))
#define this_cpu_read(pcp) (pcp)
#define this_cpu_write(pcp, val) do { (pcp) = (val); } while (0)
#define this_cpu_add(pcp, val) do { (pcp) += (val); } while (0)
#define this_cpu_sub(pcp, val) do { (pcp) -= (val); } while (0)
#define this_cpu_inc(pcp) this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp) this_cpu_sub(pcp, 1)
#define this_cpu_inc_return(pcp) (++(pcp))
#define this_cpu_add_return(pcp, val) ((pcp) += (val))
#define this_cpu_xchg(pcp, nval) ({ typeof(pcp) __old = (pcp); (pcp) = (nval); __old; })
#define alloc_percpu(type) ((typeof(type) __percpu *)__alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) ((typeof(type) __percpu *)__alloc_percpu_gfp(sizeof(type), __alignof__(type), gfp))
/* exports */
#endif
`,
  // ---- files and devices ------------------------------------------------------------------------
  'linux/version.h': `
#define LINUX_VERSION_CODE 393664
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_MAJOR 6
#define LINUX_VERSION_PATCHLEVEL 1
#define LINUX_VERSION_SUBLEVEL 192
`,
  'linux/ioctl.h': `
#ifndef _LINUX_IOCTL_H
#define _LINUX_IOCTL_H
#define _IOC_NRBITS 8
#define _IOC_TYPEBITS 8
#define _IOC_SIZEBITS 14
#define _IOC_DIRBITS 2
#define _IOC_NRMASK ((1 << _IOC_NRBITS) - 1)
#define _IOC_TYPEMASK ((1 << _IOC_TYPEBITS) - 1)
#define _IOC_SIZEMASK ((1 << _IOC_SIZEBITS) - 1)
#define _IOC_DIRMASK ((1 << _IOC_DIRBITS) - 1)
#define _IOC_NRSHIFT 0
#define _IOC_TYPESHIFT (_IOC_NRSHIFT + _IOC_NRBITS)
#define _IOC_SIZESHIFT (_IOC_TYPESHIFT + _IOC_TYPEBITS)
#define _IOC_DIRSHIFT (_IOC_SIZESHIFT + _IOC_SIZEBITS)
#define _IOC_NONE 0U
#define _IOC_WRITE 1U
#define _IOC_READ 2U
#define _IOC(dir, type, nr, size) (((dir) << _IOC_DIRSHIFT) | ((type) << _IOC_TYPESHIFT) | ((nr) << _IOC_NRSHIFT) | ((size) << _IOC_SIZESHIFT))
#define _IO(type, nr) _IOC(_IOC_NONE, (type), (nr), 0)
#define _IOR(type, nr, size) _IOC(_IOC_READ, (type), (nr), (sizeof(size)))
#define _IOW(type, nr, size) _IOC(_IOC_WRITE, (type), (nr), (sizeof(size)))
#define _IOWR(type, nr, size) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), (sizeof(size)))
#define _IOC_DIR(nr) (((nr) >> _IOC_DIRSHIFT) & _IOC_DIRMASK)
#define _IOC_TYPE(nr) (((nr) >> _IOC_TYPESHIFT) & _IOC_TYPEMASK)
#define _IOC_NR(nr) (((nr) >> _IOC_NRSHIFT) & _IOC_NRMASK)
#define _IOC_SIZE(nr) (((nr) >> _IOC_SIZESHIFT) & _IOC_SIZEMASK)
#endif
`,
  'linux/kdev_t.h': `
#ifndef _LINUX_KDEV_T_H
#define _LINUX_KDEV_T_H
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int) ((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int) ((dev) & MINORMASK))
#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))
#define print_dev_t(buffer, dev) sprintf((buffer), "%u:%u\\n", MAJOR(dev), MINOR(dev))
#define format_dev_t(buffer, dev) ({ sprintf(buffer, "%u:%u", MAJOR(dev), MINOR(dev)); buffer; })
#endif
`,
  'linux/poll.h': `
#ifndef _LINUX_POLL_H
#define _LINUX_POLL_H
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/fs.h>
typedef unsigned int __poll_t;
#define EPOLLIN 0x00000001
#define EPOLLPRI 0x00000002
#define EPOLLOUT 0x00000004
#define EPOLLERR 0x00000008
#define EPOLLHUP 0x00000010
#define EPOLLRDNORM 0x00000040
#define EPOLLRDBAND 0x00000080
#define EPOLLWRNORM 0x00000100
#define EPOLLWRBAND 0x00000200
#define POLLIN EPOLLIN
#define POLLPRI EPOLLPRI
#define POLLOUT EPOLLOUT
#define POLLERR EPOLLERR
#define POLLHUP EPOLLHUP
#define POLLRDNORM EPOLLRDNORM
#define POLLWRNORM EPOLLWRNORM
typedef struct poll_table_struct { void *_qproc; __poll_t _key; } poll_table;
static inline void poll_wait(struct file *filp, wait_queue_head_t *wait_address, poll_table *p) { }
#endif
`,
  'linux/fs.h': `
#ifndef _LINUX_FS_H
#define _LINUX_FS_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/wait.h>
#include <linux/kdev_t.h>
#include <linux/uaccess.h>
#include <linux/stat.h>
struct module;
struct file;
struct kiocb;
struct iov_iter;
struct io_comp_batch;
struct dir_context;
struct file_lock;
struct page;
struct pipe_inode_info;
struct seq_file;
struct io_uring_cmd;
struct poll_table_struct;
struct vm_area_struct;
struct cdev;
struct super_block;
typedef void *fl_owner_t;
struct vfsmount;
/* The name of a directory entry (linux/dcache.h): what file->f_path.dentry->d_name.name reads. */
struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};
#define DNAME_INLINE_LEN 32
struct dentry {
	unsigned int d_flags;
	unsigned int d_seq;
	void *d_hash[2];
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	unsigned char d_iname[DNAME_INLINE_LEN];
};
struct path { struct vfsmount *mnt; struct dentry *dentry; };
struct inode {
	umode_t i_mode;
	unsigned short i_opflags;
	uid_t i_uid;
	gid_t i_gid;
	unsigned int i_flags;
	const void *i_op;
	struct super_block *i_sb;
	unsigned long i_ino;
	dev_t i_rdev;
	loff_t i_size;
	const struct file_operations *i_fop;
	struct cdev *i_cdev;
	void *i_private;
};
struct file {
	struct list_head f_llist;
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	spinlock_t f_lock;
	atomic_long_t f_count;
	unsigned int f_flags;
	fmode_t f_mode;
	struct mutex f_pos_lock;
	loff_t f_pos;
	u64 f_version;
	void *private_data;
};
struct file_operations {
	struct module *owner;
	loff_t (*llseek) (struct file *, loff_t, int);
	ssize_t (*read) (struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write) (struct file *, const char __user *, size_t, loff_t *);
	ssize_t (*read_iter) (struct kiocb *, struct iov_iter *);
	ssize_t (*write_iter) (struct kiocb *, struct iov_iter *);
	int (*iopoll)(struct kiocb *kiocb, struct io_comp_batch *, unsigned int flags);
	int (*iterate) (struct file *, struct dir_context *);
	int (*iterate_shared) (struct file *, struct dir_context *);
	unsigned int (*poll) (struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl) (struct file *, unsigned int, unsigned long);
	long (*compat_ioctl) (struct file *, unsigned int, unsigned long);
	int (*mmap) (struct file *, struct vm_area_struct *);
	unsigned long mmap_supported_flags;
	int (*open) (struct inode *, struct file *);
	int (*flush) (struct file *, fl_owner_t id);
	int (*release) (struct inode *, struct file *);
	int (*fsync) (struct file *, loff_t, loff_t, int datasync);
	int (*fasync) (int, struct file *, int);
	int (*lock) (struct file *, int, struct file_lock *);
	ssize_t (*sendpage) (struct file *, struct page *, int, size_t, loff_t *, int);
	unsigned long (*get_unmapped_area)(struct file *, unsigned long, unsigned long, unsigned long, unsigned long);
	int (*check_flags)(int);
	int (*flock) (struct file *, int, struct file_lock *);
	ssize_t (*splice_write)(struct pipe_inode_info *, struct file *, loff_t *, size_t, unsigned int);
	ssize_t (*splice_read)(struct file *, loff_t *, struct pipe_inode_info *, size_t, unsigned int);
	int (*setlease)(struct file *, long, struct file_lock **, void **);
	long (*fallocate)(struct file *file, int mode, loff_t offset, loff_t len);
	void (*show_fdinfo)(struct seq_file *m, struct file *f);
	ssize_t (*copy_file_range)(struct file *, loff_t, struct file *, loff_t, size_t, unsigned int);
	loff_t (*remap_file_range)(struct file *file_in, loff_t pos_in, struct file *file_out, loff_t pos_out, loff_t len, unsigned int remap_flags);
	int (*fadvise)(struct file *, loff_t, loff_t, int);
	int (*uring_cmd)(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
	int (*uring_cmd_iopoll)(struct io_uring_cmd *, struct io_comp_batch *, unsigned int poll_flags);
};
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define CHRDEV_MAJOR_MAX 512
static inline unsigned iminor(const struct inode *inode) { return MINOR(inode->i_rdev); }
static inline unsigned imajor(const struct inode *inode) { return MAJOR(inode->i_rdev); }
static inline struct inode *file_inode(const struct file *f) { return f->f_inode; }
#define register_chrdev(major, name, fops) __register_chrdev(major, 0, 256, name, fops)
#define unregister_chrdev(major, name) __unregister_chrdev(major, 0, 256, name)
/* exports */
#endif
`,
  'linux/sysfs.h': `
#ifndef _SYSFS_H_
#define _SYSFS_H_
#include <linux/types.h>
#include <linux/stringify.h>
struct kobject;
struct attribute {
	const char *name;
	umode_t mode;
};
struct bin_attribute;
struct attribute_group {
	const char *name;
	umode_t (*is_visible)(struct kobject *, struct attribute *, int);
	umode_t (*is_bin_visible)(struct kobject *, struct bin_attribute *, int);
	struct attribute **attrs;
	struct bin_attribute **bin_attrs;
};
#define __ATTR(_name, _mode, _show, _store) { .attr = { .name = __stringify(_name), .mode = (_mode) }, .show = _show, .store = _store }
#define __ATTR_RO(_name) { .attr = { .name = __stringify(_name), .mode = 0444 }, .show = _name##_show }
#define __ATTR_RO_MODE(_name, _mode) { .attr = { .name = __stringify(_name), .mode = (_mode) }, .show = _name##_show }
#define __ATTR_WO(_name) { .attr = { .name = __stringify(_name), .mode = 0200 }, .store = _name##_store }
#define __ATTR_RW(_name) __ATTR(_name, 0644, _name##_show, _name##_store)
#define __ATTR_RW_MODE(_name, _mode) __ATTR(_name, _mode, _name##_show, _name##_store)
#define __ATTR_NULL { .attr = { .name = NULL } }
#define ATTRIBUTE_GROUPS(_name) static const struct attribute_group _name##_group = { .attrs = _name##_attrs, }; static const struct attribute_group *_name##_groups[] = { &_name##_group, NULL }
/* exports */
#endif
`,
  'linux/kobject.h': `
#ifndef _KOBJECT_H_
#define _KOBJECT_H_
#include <linux/types.h>
#include <linux/list.h>
#include <linux/sysfs.h>
#include <linux/atomic.h>
#include <linux/refcount_types.h>
struct kobject {
	const char *name;
	struct list_head entry;
	struct kobject *parent;
	void *kset;
	const void *ktype;
	void *sd;
	struct kref kref;
	unsigned int state_flags;
};
struct kobj_attribute {
	struct attribute attr;
	ssize_t (*show)(struct kobject *kobj, struct kobj_attribute *attr, char *buf);
	ssize_t (*store)(struct kobject *kobj, struct kobj_attribute *attr, const char *buf, size_t count);
};
static inline const char *kobject_name(const struct kobject *kobj) { return kobj->name; }
/* exports */
#endif
`,
  'linux/cdev.h': `
#ifndef _LINUX_CDEV_H
#define _LINUX_CDEV_H
#include <linux/kobject.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
#include <linux/fs.h>
struct cdev {
	struct kobject kobj;
	struct module *owner;
	const struct file_operations *ops;
	struct list_head list;
	dev_t dev;
	unsigned int count;
};
/* exports */
#endif
`,
  'linux/device.h': `
#ifndef _DEVICE_H_
#define _DEVICE_H_
#include <linux/types.h>
#include <linux/kobject.h>
#include <linux/kdev_t.h>
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/slab.h>
struct module;
struct lock_class_key { int unused; };
struct device;
struct class { const char *name; struct module *owner; const void *class_groups; const void *dev_groups; char *(*devnode)(struct device *dev, umode_t *mode); };
struct device { struct kobject kobj; struct device *parent; void *p; const char *init_name; const void *type; void *driver_data; dev_t devt; struct class *class; };
#define class_create(owner, name) ({ static struct lock_class_key __key; __class_create(owner, name, &__key); })
static inline void *dev_get_drvdata(const struct device *dev) { return dev->driver_data; }
static inline void dev_set_drvdata(struct device *dev, void *data) { dev->driver_data = data; }
#define dev_name(dev) ((dev)->init_name)
#define dev_info(dev, fmt, ...) _printk(KERN_INFO "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) _printk(KERN_ERR "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) _printk(KERN_WARNING "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) _printk(KERN_NOTICE "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...) do { } while (0)
/* exports */
#endif
`,
  'linux/miscdevice.h': `
#ifndef _LINUX_MISCDEVICE_H
#define _LINUX_MISCDEVICE_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/fs.h>
#include <linux/device.h>
#define MISC_DYNAMIC_MINOR 255
struct attribute_group;
struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct list_head list;
	struct device *parent;
	struct device *this_device;
	const struct attribute_group **groups;
	const char *nodename;
	umode_t mode;
};
/* exports */
#endif
`,
  'linux/uidgid.h': `
#ifndef _LINUX_UIDGID_H
#define _LINUX_UIDGID_H
#include <linux/types.h>
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;
#define KUIDT_INIT(value) (kuid_t){ value }
#define KGIDT_INIT(value) (kgid_t){ value }
#define GLOBAL_ROOT_UID KUIDT_INIT(0)
#define GLOBAL_ROOT_GID KGIDT_INIT(0)
static inline uid_t __kuid_val(kuid_t uid) { return uid.val; }
static inline gid_t __kgid_val(kgid_t gid) { return gid.val; }
#endif
`,
  'linux/proc_fs.h': `
#ifndef _LINUX_PROC_FS_H
#define _LINUX_PROC_FS_H
#include <linux/types.h>
#include <linux/fs.h>
#include <linux/uidgid.h>
struct proc_dir_entry;
struct proc_ops {
	unsigned int proc_flags;
	int (*proc_open)(struct inode *, struct file *);
	ssize_t (*proc_read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*proc_read_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*proc_write)(struct file *, const char __user *, size_t, loff_t *);
	loff_t (*proc_lseek)(struct file *, loff_t, int);
	int (*proc_release)(struct inode *, struct file *);
	unsigned int (*proc_poll)(struct file *, struct poll_table_struct *);
	long (*proc_ioctl)(struct file *, unsigned int, unsigned long);
	long (*proc_compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*proc_mmap)(struct file *, struct vm_area_struct *);
	unsigned long (*proc_get_unmapped_area)(struct file *, unsigned long, unsigned long, unsigned long, unsigned long);
};
#define PROC_ENTRY_PERMANENT 1U
/* The data pointer given to proc_create_data() (PDE_DATA() before 5.17). */
static inline void *pde_data(const struct inode *inode) { return inode->i_private; }
struct seq_file;
struct seq_operations;
/* exports */
#define proc_create_single(name, mode, parent, show) proc_create_single_data(name, mode, parent, show, NULL)
#define proc_create_seq(name, mode, parent, ops) proc_create_seq_private(name, mode, parent, ops, 0, NULL)
#define proc_create_seq_data(name, mode, parent, ops, data) proc_create_seq_private(name, mode, parent, ops, 0, data)
#endif
`,
  'linux/seq_file.h': `
#ifndef _LINUX_SEQ_FILE_H
#define _LINUX_SEQ_FILE_H
#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/fs.h>
struct seq_operations;
struct seq_file {
	char *buf;
	size_t size;
	size_t from;
	size_t count;
	size_t pad_until;
	loff_t index;
	loff_t read_pos;
	struct mutex lock;
	const struct seq_operations *op;
	int poll_event;
	const struct file *file;
	void *private;
};
struct seq_operations {
	void * (*start) (struct seq_file *m, loff_t *pos);
	void (*stop) (struct seq_file *m, void *v);
	void * (*next) (struct seq_file *m, void *v, loff_t *pos);
	int (*show) (struct seq_file *m, void *v);
};
#define SEQ_SKIP 1
#define SEQ_START_TOKEN ((void *)1)
static inline bool seq_has_overflowed(struct seq_file *m) { return m->count == m->size; }
/* exports */
#endif
`,
  // ---- hardware the emulated machine does not have (exports/hardware.ts) -------------------------
  'linux/gpio/consumer.h': `
#ifndef __LINUX_GPIO_CONSUMER_H
#define __LINUX_GPIO_CONSUMER_H
#include <linux/types.h>
#include <linux/err.h>
struct device;
struct gpio_desc;
#define GPIOD_FLAGS_BIT_DIR_SET (1 << 0)
#define GPIOD_FLAGS_BIT_DIR_OUT (1 << 1)
#define GPIOD_FLAGS_BIT_DIR_VAL (1 << 2)
enum gpiod_flags {
	GPIOD_ASIS = 0,
	GPIOD_IN = GPIOD_FLAGS_BIT_DIR_SET,
	GPIOD_OUT_LOW = GPIOD_FLAGS_BIT_DIR_SET | GPIOD_FLAGS_BIT_DIR_OUT,
	GPIOD_OUT_HIGH = GPIOD_FLAGS_BIT_DIR_SET | GPIOD_FLAGS_BIT_DIR_OUT | GPIOD_FLAGS_BIT_DIR_VAL,
};
/* exports */
#endif
`,
  'linux/gpio.h': `
#ifndef __LINUX_GPIO_H
#define __LINUX_GPIO_H
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/gpio/consumer.h>
#define GPIOF_DIR_OUT (0 << 0)
#define GPIOF_DIR_IN (1 << 0)
#define GPIOF_INIT_LOW (0 << 1)
#define GPIOF_INIT_HIGH (1 << 1)
#define GPIOF_IN (GPIOF_DIR_IN)
#define GPIOF_OUT_INIT_LOW (GPIOF_DIR_OUT | GPIOF_INIT_LOW)
#define GPIOF_OUT_INIT_HIGH (GPIOF_DIR_OUT | GPIOF_INIT_HIGH)
#define GPIOF_ACTIVE_LOW (1 << 2)
#define GPIOF_OPEN_DRAIN (1 << 3)
#define GPIOF_OPEN_SOURCE (1 << 4)
#define GPIOF_EXPORT (1 << 5)
#define GPIOF_EXPORT_CHANGEABLE (1 << 6)
#define ARCH_NR_GPIOS 512
struct gpio {
	unsigned gpio;
	unsigned long flags;
	const char *label;
};
static inline bool gpio_is_valid(int number) { return number >= 0 && number < ARCH_NR_GPIOS; }
/* exports */
#endif
`,
  // ---- user memory --------------------------------------------------------------------------------
  'linux/irq.h': `#pragma once
#include <linux/interrupt.h>
`,
  'asm/errno.h': `#pragma once
#include <linux/errno.h>
`,
  'linux/uaccess.h': `
#ifndef __LINUX_UACCESS_H
#define __LINUX_UACCESS_H
#include <linux/types.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <asm/page.h>
#define TASK_SIZE_MAX ((1UL << 47) - PAGE_SIZE)
static inline bool __access_ok(const void __user *ptr, unsigned long size)
{
	unsigned long limit = TASK_SIZE_MAX;
	unsigned long addr = (unsigned long)ptr;

	return size <= limit && addr <= limit - size;
}
#define access_ok(addr, size) __access_ok((const void __user *)(addr), (size))
#define get_user(x, ptr) ({ unsigned long long __gu_val = 0; int __gu_err = __kmodlab_get_user(&__gu_val, (ptr), sizeof(*(ptr))); (x) = (__typeof__(*(ptr)))__gu_val; __gu_err; })
#define put_user(x, ptr) ({ __typeof__(*(ptr)) __pu_val = (x); __kmodlab_put_user(&__pu_val, (ptr), sizeof(*(ptr))); })
#define __get_user(x, ptr) get_user(x, ptr)
#define __put_user(x, ptr) put_user(x, ptr)
#define __copy_from_user(to, from, n) copy_from_user(to, from, n)
#define __copy_to_user(to, from, n) copy_to_user(to, from, n)
/* exports */
#endif
`,
  'asm/uaccess.h': `#pragma once
#include <linux/uaccess.h>
`,
  // ---- time -------------------------------------------------------------------------------------
  'asm/pgtable_64_types.h': `
#ifndef _ASM_X86_PGTABLE_64_DEFS_H
#define _ASM_X86_PGTABLE_64_DEFS_H
#define VMALLOC_START 0xffffc90000000000UL
#define VMALLOC_END 0xffffe8ffffffffffUL
#define VMEMMAP_START 0xffffea0000000000UL
#define vmemmap ((struct page *)VMEMMAP_START)
#define MODULES_VADDR 0xffffffffc0000000UL
#define MODULES_END 0xffffffffff000000UL
#define MODULES_LEN (MODULES_END - MODULES_VADDR)
#define __START_KERNEL_map 0xffffffff80000000UL
#endif
`,
  'linux/jiffies.h': `
#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H
#include <linux/types.h>
#include <linux/limits.h>
#define HZ 250
#define USER_HZ 100
#define MSEC_PER_SEC 1000L
#define USEC_PER_MSEC 1000L
#define USEC_PER_SEC 1000000L
#define NSEC_PER_USEC 1000L
#define NSEC_PER_MSEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define INITIAL_JIFFIES ((unsigned long)(unsigned int) (-300*HZ))
#define MAX_JIFFY_OFFSET ((LONG_MAX >> 1)-1)
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
#define time_in_range(a, b, c) (time_after_eq(a, b) && time_before_eq(a, c))
#define time_after64(a, b) ((s64)((b) - (a)) < 0)
#define time_before64(a, b) time_after64(b, a)
#define time_is_before_jiffies(a) time_after(jiffies, a)
#define time_is_after_jiffies(a) time_before(jiffies, a)
#define time_is_before_eq_jiffies(a) time_after_eq(jiffies, a)
#define time_is_after_eq_jiffies(a) time_before_eq(jiffies, a)
/* exports */
static inline unsigned int jiffies_to_msecs(const unsigned long j) { return (MSEC_PER_SEC / HZ) * j; }
static inline unsigned int jiffies_to_usecs(const unsigned long j) { return (USEC_PER_SEC / HZ) * j; }
static inline u64 jiffies_to_nsecs(const unsigned long j) { return (u64)j * (NSEC_PER_SEC / HZ); }
static inline unsigned long msecs_to_jiffies(const unsigned int m)
{
	if ((int)m < 0)
		return MAX_JIFFY_OFFSET;
	return (m + (MSEC_PER_SEC / HZ) - 1) / (MSEC_PER_SEC / HZ);
}
static inline unsigned long usecs_to_jiffies(const unsigned int u)
{
	if ((int)u < 0)
		return MAX_JIFFY_OFFSET;
	return (u + (USEC_PER_SEC / HZ) - 1) / (USEC_PER_SEC / HZ);
}
static inline unsigned long nsecs_to_jiffies(u64 n) { return n / (NSEC_PER_SEC / HZ); }
#define secs_to_jiffies(s) ((unsigned long)(s) * HZ)
#endif
`,
  'linux/ktime.h': `
#ifndef _LINUX_KTIME_H
#define _LINUX_KTIME_H
#include <linux/types.h>
#include <linux/jiffies.h>
#define KTIME_MAX ((s64)~((u64)1 << 63))
#define KTIME_SEC_MAX (KTIME_MAX / NSEC_PER_SEC)
struct timespec64 { time64_t tv_sec; long tv_nsec; };
static inline ktime_t ktime_set(const s64 secs, const unsigned long nsecs) { return secs * NSEC_PER_SEC + (s64)nsecs; }
#define ktime_sub(lhs, rhs) ((lhs) - (rhs))
#define ktime_add(lhs, rhs) ((lhs) + (rhs))
#define ktime_add_ns(kt, nsval) ((kt) + (nsval))
#define ktime_sub_ns(kt, nsval) ((kt) - (nsval))
#define ktime_add_us(kt, usec) ((kt) + (usec) * NSEC_PER_USEC)
#define ktime_add_ms(kt, msec) ((kt) + (msec) * NSEC_PER_MSEC)
#define ktime_compare(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)
#define ktime_after(a, b) ((a) > (b))
#define ktime_before(a, b) ((a) < (b))
static inline s64 ktime_to_ns(const ktime_t kt) { return kt; }
static inline s64 ktime_to_us(const ktime_t kt) { return kt / NSEC_PER_USEC; }
static inline s64 ktime_to_ms(const ktime_t kt) { return kt / NSEC_PER_MSEC; }
static inline s64 ktime_us_delta(const ktime_t later, const ktime_t earlier) { return ktime_to_us(later - earlier); }
static inline s64 ktime_ms_delta(const ktime_t later, const ktime_t earlier) { return ktime_to_ms(later - earlier); }
static inline ktime_t ns_to_ktime(u64 ns) { return ns; }
static inline ktime_t us_to_ktime(u64 us) { return us * NSEC_PER_USEC; }
static inline ktime_t ms_to_ktime(u64 ms) { return ms * NSEC_PER_MSEC; }
/* Macros rather than functions returning a struct (which Kernel Module Lab cannot run). */
#define ns_to_timespec64(nsec) ((struct timespec64){ .tv_sec = (s64)(nsec) / NSEC_PER_SEC, .tv_nsec = (s64)(nsec) % NSEC_PER_SEC })
#define ktime_to_timespec64(kt) ns_to_timespec64(kt)
#include <linux/timekeeping.h>
#endif
`,
  'linux/timekeeping.h': `
#ifndef _LINUX_TIMEKEEPING_H
#define _LINUX_TIMEKEEPING_H
#include <linux/ktime.h>
/* exports */
#define ktime_get_boottime() ktime_get_boottime_ns()
#define ktime_get_real() ((ktime_t)ktime_get_real_ns())
#define ktime_get_raw() ktime_get()
#define ktime_get_raw_ns() ktime_get_ns()
#define ktime_get_mono_fast_ns() ktime_get_ns()
#define ktime_get_boot_fast_ns() ktime_get_boottime_ns()
#define local_clock() ktime_get_ns()
#endif
`,
  'linux/timer.h': `
#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/jiffies.h>
#include <linux/container_of.h>
struct timer_list {
	struct hlist_node entry;
	unsigned long expires;
	void (*function)(struct timer_list *);
	u32 flags;
};
#define TIMER_CPUMASK 0x0003FFFF
#define TIMER_MIGRATING 0x00040000
#define TIMER_DEFERRABLE 0x00080000
#define TIMER_PINNED 0x00100000
#define TIMER_IRQSAFE 0x00200000
#define TIMER_ENTRY_STATIC ((void *) 0x300 + 0xdead000000000000UL)
#define __TIMER_INITIALIZER(_function, _flags) { .entry = { .next = TIMER_ENTRY_STATIC }, .function = (_function), .flags = (_flags) }
#define DEFINE_TIMER(_name, _function) struct timer_list _name = __TIMER_INITIALIZER(_function, 0)
#define from_timer(var, callback_timer, timer_fieldname) container_of(callback_timer, typeof(*var), timer_fieldname)
static inline int timer_pending(const struct timer_list *timer) { return timer->entry.pprev != NULL; }
/* exports */
#define timer_setup(timer, callback, flags) init_timer_key((timer), (callback), (flags), NULL, NULL)
#define timer_setup_on_stack(timer, callback, flags) timer_setup(timer, callback, flags)
#define destroy_timer_on_stack(timer) do { } while (0)
#define del_singleshot_timer_sync(t) del_timer_sync(t)
#define try_to_del_timer_sync(t) del_timer(t)
#endif
`,
  'linux/hrtimer.h': `
#ifndef _LINUX_HRTIMER_H
#define _LINUX_HRTIMER_H
#include <linux/types.h>
#include <linux/ktime.h>
#include <linux/timer.h>
typedef int clockid_t;
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11
enum hrtimer_mode {
	HRTIMER_MODE_ABS = 0x00,
	HRTIMER_MODE_REL = 0x01,
	HRTIMER_MODE_PINNED = 0x02,
	HRTIMER_MODE_SOFT = 0x04,
	HRTIMER_MODE_HARD = 0x08,
	HRTIMER_MODE_ABS_PINNED = HRTIMER_MODE_ABS | HRTIMER_MODE_PINNED,
	HRTIMER_MODE_REL_PINNED = HRTIMER_MODE_REL | HRTIMER_MODE_PINNED,
	HRTIMER_MODE_ABS_SOFT = HRTIMER_MODE_ABS | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_REL_SOFT = HRTIMER_MODE_REL | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_ABS_HARD = HRTIMER_MODE_ABS | HRTIMER_MODE_HARD,
	HRTIMER_MODE_REL_HARD = HRTIMER_MODE_REL | HRTIMER_MODE_HARD,
};
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
struct rb_node { unsigned long __rb_parent_color; struct rb_node *rb_right; struct rb_node *rb_left; } __attribute__((aligned(sizeof(long))));
struct timerqueue_node { struct rb_node node; ktime_t expires; };
struct hrtimer_clock_base;
struct hrtimer {
	struct timerqueue_node node;
	ktime_t _softexpires;
	enum hrtimer_restart (*function)(struct hrtimer *);
	struct hrtimer_clock_base *base;
	u8 state;
	u8 is_rel;
	u8 is_soft;
	u8 is_hard;
};
/* exports */
#define hrtimer_start(timer, tim, mode) hrtimer_start_range_ns((timer), (tim), 0, (mode))
#define hrtimer_restart(timer) hrtimer_start_range_ns((timer), (timer)->_softexpires, 0, HRTIMER_MODE_ABS)
#define hrtimer_forward_now(timer, interval) hrtimer_forward((timer), ktime_get(), (interval))
#define hrtimer_cb_get_time(timer) ktime_get()
#define hrtimer_get_expires(timer) ((timer)->node.expires)
#define hrtimer_set_expires(timer, time) do { (timer)->node.expires = (time); (timer)->_softexpires = (time); } while (0)
#define hrtimer_is_queued(timer) (((timer)->state & 1) != 0)
#define hrtimer_callback_running(timer) 0
#endif
`,
  // ---- deferred work ----------------------------------------------------------------------------
  'linux/workqueue.h': `
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/timer.h>
#include <linux/atomic.h>
#include <linux/container_of.h>
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct { atomic_long_t data; struct list_head entry; work_func_t func; };
struct workqueue_struct;
struct delayed_work { struct work_struct work; struct timer_list timer; struct workqueue_struct *wq; int cpu; };
struct rcu_work { struct work_struct work; struct callback_head rcu; struct workqueue_struct *wq; };
#define WORK_STRUCT_PENDING_BIT 0
#define WORK_CPU_UNBOUND 8192
enum {
	WQ_UNBOUND = 1 << 1,
	WQ_FREEZABLE = 1 << 2,
	WQ_MEM_RECLAIM = 1 << 3,
	WQ_HIGHPRI = 1 << 4,
	WQ_CPU_INTENSIVE = 1 << 5,
	WQ_SYSFS = 1 << 6,
	WQ_POWER_EFFICIENT = 1 << 7,
	__WQ_ORDERED = 1 << 17,
	WQ_MAX_ACTIVE = 512,
	WQ_DFL_ACTIVE = WQ_MAX_ACTIVE / 2,
};
#define __WORK_INITIALIZER(n, f) { .data = ATOMIC_INIT(0), .entry = { &(n).entry, &(n).entry }, .func = (f) }
#define __DELAYED_WORK_INITIALIZER(n, f, tflags) { .work = __WORK_INITIALIZER((n).work, (f)), .timer = { .function = 0, .flags = (tflags) | TIMER_IRQSAFE } }
#define DECLARE_WORK(n, f) struct work_struct n = __WORK_INITIALIZER(n, f)
#define DECLARE_DELAYED_WORK(n, f) struct delayed_work n = __DELAYED_WORK_INITIALIZER(n, f, 0)
#define DECLARE_DEFERRABLE_WORK(n, f) struct delayed_work n = __DELAYED_WORK_INITIALIZER(n, f, TIMER_DEFERRABLE)
#define INIT_WORK(_work, _func) do { atomic_long_set(&(_work)->data, 0); INIT_LIST_HEAD(&(_work)->entry); (_work)->func = (_func); } while (0)
#define INIT_WORK_ONSTACK(_work, _func) INIT_WORK(_work, _func)
#define PREPARE_WORK(_work, _func) do { (_work)->func = (_func); } while (0)
#define __INIT_DELAYED_WORK(_work, _func, _tflags) do { INIT_WORK(&(_work)->work, (_func)); (_work)->timer.entry.next = NULL; (_work)->timer.entry.pprev = NULL; (_work)->timer.expires = 0; (_work)->timer.function = NULL; (_work)->timer.flags = (_tflags) | TIMER_IRQSAFE; (_work)->wq = NULL; (_work)->cpu = 0; } while (0)
#define INIT_DELAYED_WORK(_work, _func) __INIT_DELAYED_WORK(_work, _func, 0)
#define INIT_DEFERRABLE_WORK(_work, _func) __INIT_DELAYED_WORK(_work, _func, TIMER_DEFERRABLE)
#define work_pending(work) ((atomic_long_read(&(work)->data) & 1) != 0)
#define delayed_work_pending(w) work_pending(&(w)->work)
static inline struct delayed_work *to_delayed_work(struct work_struct *work) { return container_of(work, struct delayed_work, work); }
#define create_workqueue(name) alloc_workqueue("%s", __WQ_LEGACY | WQ_MEM_RECLAIM, 1, (name))
#define create_freezable_workqueue(name) alloc_workqueue("%s", __WQ_LEGACY | WQ_FREEZABLE | WQ_UNBOUND | WQ_MEM_RECLAIM, 1, (name))
#define create_singlethread_workqueue(name) alloc_ordered_workqueue("%s", __WQ_LEGACY | WQ_MEM_RECLAIM, name)
#define alloc_ordered_workqueue(fmt, flags, args...) alloc_workqueue(fmt, WQ_UNBOUND | __WQ_ORDERED | (flags), 1, ##args)
#define __WQ_LEGACY (1 << 18)
#define flush_scheduled_work() flush_workqueue(system_wq)
/* exports */
#endif
`,
  'linux/completion.h': `
#ifndef __LINUX_COMPLETION_H
#define __LINUX_COMPLETION_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock_types.h>
struct swait_queue_head { raw_spinlock_t lock; struct list_head task_list; };
struct completion { unsigned int done; struct swait_queue_head wait; };
#define COMPLETION_INITIALIZER(work) { 0, { { 0 }, { &(work).wait.task_list, &(work).wait.task_list } } }
#define COMPLETION_INITIALIZER_ONSTACK(work) (*({ init_completion(&work); &work; }))
#define DECLARE_COMPLETION(work) struct completion work = COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION_ONSTACK(work) DECLARE_COMPLETION(work)
static inline void init_completion(struct completion *x)
{
	x->done = 0;
	x->wait.lock.raw_lock = 0;
	INIT_LIST_HEAD(&x->wait.task_list);
}
static inline void reinit_completion(struct completion *x) { x->done = 0; }
/* exports */
#endif
`,
  'linux/wait.h': `
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <linux/kernel.h>
struct wait_queue_head { spinlock_t lock; struct list_head head; };
typedef struct wait_queue_head wait_queue_head_t;
#define __WAIT_QUEUE_HEAD_INITIALIZER(name) { .lock = __SPIN_LOCK_UNLOCKED(name.lock), .head = { &(name).head, &(name).head } }
#define DECLARE_WAIT_QUEUE_HEAD(name) struct wait_queue_head name = __WAIT_QUEUE_HEAD_INITIALIZER(name)
#define init_waitqueue_head(wq_head) do { spin_lock_init(&(wq_head)->lock); INIT_LIST_HEAD(&(wq_head)->head); } while (0)
static inline int waitqueue_active(struct wait_queue_head *wq_head) { return !list_empty(&wq_head->head); }
#define wake_up(x) __wake_up(x, TASK_NORMAL, 1, NULL)
#define wake_up_nr(x, nr) __wake_up(x, TASK_NORMAL, nr, NULL)
#define wake_up_all(x) __wake_up(x, TASK_NORMAL, 0, NULL)
#define wake_up_interruptible(x) __wake_up(x, TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_nr(x, nr) __wake_up(x, TASK_INTERRUPTIBLE, nr, NULL)
#define wake_up_interruptible_all(x) __wake_up(x, TASK_INTERRUPTIBLE, 0, NULL)
#define wake_up_interruptible_sync(x) wake_up_interruptible(x)
/*
 * The wait_event family re-checks its condition each time something may have changed it: the
 * emulated CPU then runs what is due (timers, work, kthreads) in __kmodlab_wait_event(), which
 * returns the timeout left, 0 when it ran out, or -ERESTARTSYS for a signal.
 */
#define ___kmodlab_wait_event(wq_head, condition, state, timeout) ({ \\
	long __kwe_ret = (timeout); \\
	might_sleep(); \\
	while (!(condition)) { \\
		__kwe_ret = __kmodlab_wait_event(&(wq_head), (state), __kwe_ret); \\
		if (__kwe_ret <= 0) { \\
			if (__kwe_ret == 0 && (condition)) \\
				__kwe_ret = 1; \\
			break; \\
		} \\
	} \\
	__kwe_ret; })
#define wait_event(wq_head, condition) do { ___kmodlab_wait_event(wq_head, condition, TASK_UNINTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT); } while (0)
#define wait_event_timeout(wq_head, condition, timeout) ___kmodlab_wait_event(wq_head, condition, TASK_UNINTERRUPTIBLE, timeout)
#define wait_event_interruptible(wq_head, condition) ({ long __wei = ___kmodlab_wait_event(wq_head, condition, TASK_INTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT); __wei < 0 ? (int)__wei : 0; })
#define wait_event_interruptible_timeout(wq_head, condition, timeout) ___kmodlab_wait_event(wq_head, condition, TASK_INTERRUPTIBLE, timeout)
#define wait_event_killable(wq_head, condition) ({ long __wek = ___kmodlab_wait_event(wq_head, condition, TASK_KILLABLE, MAX_SCHEDULE_TIMEOUT); __wek < 0 ? (int)__wek : 0; })
#define wait_event_idle(wq_head, condition) wait_event(wq_head, condition)
#define wait_event_freezable(wq_head, condition) wait_event_interruptible(wq_head, condition)
/* exports */
#endif
`,
  'linux/kthread.h': `
#ifndef _LINUX_KTHREAD_H
#define _LINUX_KTHREAD_H
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/completion.h>
#define NUMA_NO_NODE (-1)
#define kthread_create(threadfn, data, namefmt, arg...) kthread_create_on_node(threadfn, data, NUMA_NO_NODE, namefmt, ##arg)
#define kthread_run(threadfn, data, namefmt, ...) ({ \\
	struct task_struct *__k = kthread_create(threadfn, data, namefmt, ## __VA_ARGS__); \\
	if (!IS_ERR(__k)) \\
		wake_up_process(__k); \\
	__k; })
/* exports */
#endif
`,
  // ---- data structures and misc ---------------------------------------------------------------
  'linux/kfifo.h': `
#ifndef _LINUX_KFIFO_H
#define _LINUX_KFIFO_H
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/uaccess.h>
struct __kfifo { unsigned int in; unsigned int out; unsigned int mask; unsigned int esize; void *data; };
#define __STRUCT_KFIFO_COMMON(datatype, ptrtype) union { struct __kfifo kfifo; datatype *type; const datatype *const_type; ptrtype *ptr; ptrtype const *ptr_const; }
#define __STRUCT_KFIFO(type, size, ptrtype) { __STRUCT_KFIFO_COMMON(type, ptrtype); type buf[((size < 2) || (size & (size - 1))) ? -1 : size]; }
#define __STRUCT_KFIFO_PTR(type, ptrtype) { __STRUCT_KFIFO_COMMON(type, ptrtype); type buf[0]; }
#define STRUCT_KFIFO(type, size) struct __STRUCT_KFIFO(type, size, type)
#define STRUCT_KFIFO_PTR(type) struct __STRUCT_KFIFO_PTR(type, type)
struct kfifo __STRUCT_KFIFO_PTR(unsigned char, void);
#define DECLARE_KFIFO_PTR(fifo, type) STRUCT_KFIFO_PTR(type) fifo
#define DECLARE_KFIFO(fifo, type, size) STRUCT_KFIFO(type, size) fifo
#define INIT_KFIFO(fifo) do { (fifo).kfifo.in = 0; (fifo).kfifo.out = 0; (fifo).kfifo.mask = ARRAY_SIZE((fifo).buf) - 1; (fifo).kfifo.esize = sizeof(*(fifo).buf); (fifo).kfifo.data = (fifo).buf; } while (0)
#define DEFINE_KFIFO(fifo, type, size) DECLARE_KFIFO(fifo, type, size) = { { { .in = 0, .out = 0, .mask = (size) - 1, .esize = sizeof(type), .data = (fifo).buf } } }
#define kfifo_initialized(fifo) ((fifo)->kfifo.mask != 0)
#define kfifo_esize(fifo) ((fifo)->kfifo.esize)
#define kfifo_size(fifo) ((fifo)->kfifo.mask + 1)
#define kfifo_len(fifo) ((fifo)->kfifo.in - (fifo)->kfifo.out)
#define kfifo_is_empty(fifo) ((fifo)->kfifo.in == (fifo)->kfifo.out)
#define kfifo_is_full(fifo) (kfifo_len(fifo) > (fifo)->kfifo.mask)
#define kfifo_avail(fifo) (kfifo_size(fifo) - kfifo_len(fifo))
#define kfifo_reset(fifo) do { (fifo)->kfifo.in = (fifo)->kfifo.out = 0; } while (0)
#define kfifo_reset_out(fifo) do { (fifo)->kfifo.out = (fifo)->kfifo.in; } while (0)
#define kfifo_skip(fifo) do { (fifo)->kfifo.out++; } while (0)
#define kfifo_alloc(fifo, size, gfp_mask) __kfifo_alloc(&(fifo)->kfifo, (size), sizeof(*(fifo)->type), (gfp_mask))
#define kfifo_free(fifo) __kfifo_free(&(fifo)->kfifo)
#define kfifo_init(fifo, buffer, size) __kfifo_init(&(fifo)->kfifo, (buffer), (size), sizeof(*(fifo)->type))
#define kfifo_in(fifo, buf, n) __kfifo_in(&(fifo)->kfifo, (buf), (n))
#define kfifo_out(fifo, buf, n) __kfifo_out(&(fifo)->kfifo, (buf), (n))
#define kfifo_out_peek(fifo, buf, n) __kfifo_out_peek(&(fifo)->kfifo, (buf), (n))
#define kfifo_put(fifo, val) ({ typeof(*(fifo)->type) __kfifo_val = (val); __kfifo_in(&(fifo)->kfifo, &__kfifo_val, 1); })
#define kfifo_get(fifo, val) __kfifo_out(&(fifo)->kfifo, (val), 1)
#define kfifo_peek(fifo, val) __kfifo_out_peek(&(fifo)->kfifo, (val), 1)
#define kfifo_in_spinlocked(fifo, buf, n, lock) ({ unsigned long __kf_flags; unsigned int __kf_ret; spin_lock_irqsave(lock, __kf_flags); __kf_ret = kfifo_in(fifo, buf, n); spin_unlock_irqrestore(lock, __kf_flags); __kf_ret; })
#define kfifo_out_spinlocked(fifo, buf, n, lock) ({ unsigned long __kf_flags; unsigned int __kf_ret; spin_lock_irqsave(lock, __kf_flags); __kf_ret = kfifo_out(fifo, buf, n); spin_unlock_irqrestore(lock, __kf_flags); __kf_ret; })
#define kfifo_to_user(fifo, to, len, copied) __kfifo_to_user(&(fifo)->kfifo, (to), (len), (copied))
#define kfifo_from_user(fifo, from, len, copied) __kfifo_from_user(&(fifo)->kfifo, (from), (len), (copied))
/* exports */
#endif
`,
  'linux/random.h': `
#ifndef _LINUX_RANDOM_H
#define _LINUX_RANDOM_H
#include <linux/types.h>
/* exports */
static inline u16 get_random_u16(void) { return get_random_u32(); }
static inline u8 get_random_u8(void) { return get_random_u32(); }
static inline unsigned long get_random_long(void) { return get_random_u64(); }
static inline u32 prandom_u32_max(u32 ep_ro) { return (u32)(((u64)get_random_u32() * ep_ro) >> 32); }
#endif
`,
  'linux/utsname.h': `
#ifndef _LINUX_UTSNAME_H
#define _LINUX_UTSNAME_H
#include <linux/types.h>
#define __NEW_UTS_LEN 64
struct new_utsname { char sysname[__NEW_UTS_LEN + 1]; char nodename[__NEW_UTS_LEN + 1]; char release[__NEW_UTS_LEN + 1]; char version[__NEW_UTS_LEN + 1]; char machine[__NEW_UTS_LEN + 1]; char domainname[__NEW_UTS_LEN + 1]; };
struct uts_namespace { struct new_utsname name; void *user_ns; void *ucounts; unsigned int ns_inum; };
/* exports */
static inline struct new_utsname *init_utsname(void) { return &init_uts_ns.name; }
#endif
`,
  // ---- networking -------------------------------------------------------------------------------
  'linux/if_ether.h': `
#ifndef _LINUX_IF_ETHER_H
#define _LINUX_IF_ETHER_H
#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60
#define ETH_DATA_LEN 1500
#define ETH_FRAME_LEN 1514
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_IPV6 0x86DD
struct ethhdr { unsigned char h_dest[ETH_ALEN]; unsigned char h_source[ETH_ALEN]; unsigned short h_proto; } __attribute__((packed));
#endif
`,
  'linux/skbuff.h': `
#ifndef _LINUX_SKBUFF_H
#define _LINUX_SKBUFF_H
#include <linux/types.h>
#include <linux/slab.h>
struct net_device;
struct sk_buff {
	struct sk_buff *next;
	struct sk_buff *prev;
	struct net_device *dev;
	unsigned int len;
	unsigned int data_len;
	unsigned short protocol;
	unsigned char *head;
	unsigned char *data;
	unsigned int tail;
	unsigned int end;
};
/* exports */
#define dev_kfree_skb(skb) consume_skb(skb)
#define dev_kfree_skb_any(skb) consume_skb(skb)
#define dev_kfree_skb_irq(skb) consume_skb(skb)
#endif
`,
  'linux/netdevice.h': `
#ifndef _LINUX_NETDEVICE_H
#define _LINUX_NETDEVICE_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/skbuff.h>
#include <linux/if_ether.h>
#include <linux/device.h>
#define IFNAMSIZ 16
#define MAX_ADDR_LEN 32
#define NETDEV_ALIGN 32
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_NOARP 0x80
#define IFF_PROMISC 0x100
#define IFF_ALLMULTI 0x200
#define IFF_MULTICAST 0x1000
enum netdev_tx { NETDEV_TX_OK = 0x00, NETDEV_TX_BUSY = 0x10 };
typedef enum netdev_tx netdev_tx_t;
struct net_device;
struct netdev_hw_addr { struct list_head list; unsigned char addr[MAX_ADDR_LEN]; unsigned char type; bool global_use; int sync_cnt; int refcount; int synced; };
struct netdev_hw_addr_list { struct list_head list; int count; };
struct net_device_stats { unsigned long rx_packets; unsigned long tx_packets; unsigned long rx_bytes; unsigned long tx_bytes; unsigned long rx_errors; unsigned long tx_errors; unsigned long rx_dropped; unsigned long tx_dropped; };
struct net_device_ops {
	int (*ndo_init)(struct net_device *dev);
	void (*ndo_uninit)(struct net_device *dev);
	int (*ndo_open)(struct net_device *dev);
	int (*ndo_stop)(struct net_device *dev);
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
	unsigned short (*ndo_select_queue)(struct net_device *dev, struct sk_buff *skb, struct net_device *sb_dev);
	void (*ndo_change_rx_flags)(struct net_device *dev, int flags);
	void (*ndo_set_rx_mode)(struct net_device *dev);
	int (*ndo_set_mac_address)(struct net_device *dev, void *addr);
	int (*ndo_validate_addr)(struct net_device *dev);
	int (*ndo_do_ioctl)(struct net_device *dev, void *ifr, int cmd);
	int (*ndo_change_mtu)(struct net_device *dev, int new_mtu);
	void (*ndo_tx_timeout)(struct net_device *dev, unsigned int txqueue);
	void (*ndo_get_stats64)(struct net_device *dev, void *storage);
};
struct net_device {
	char name[IFNAMSIZ];
	unsigned long state;
	struct list_head dev_list;
	unsigned int flags;
	unsigned int priv_flags;
	const struct net_device_ops *netdev_ops;
	const void *ethtool_ops;
	const void *header_ops;
	unsigned int mtu;
	unsigned int min_mtu;
	unsigned int max_mtu;
	unsigned short type;
	unsigned short hard_header_len;
	unsigned char addr_len;
	unsigned char perm_addr[MAX_ADDR_LEN];
	struct netdev_hw_addr_list uc;
	struct netdev_hw_addr_list mc;
	struct net_device_stats stats;
	unsigned int tx_queue_len;
	unsigned char broadcast[MAX_ADDR_LEN];
	const unsigned char *dev_addr;
	unsigned char __dev_addr[MAX_ADDR_LEN];
	struct device dev;
	unsigned char reg_state;
	void (*priv_destructor)(struct net_device *dev);
};
#define netdev_for_each_mc_addr(ha, dev) list_for_each_entry(ha, &(dev)->mc.list, list)
#define netdev_for_each_uc_addr(ha, dev) list_for_each_entry(ha, &(dev)->uc.list, list)
#define netdev_mc_count(dev) ((dev)->mc.count)
#define netdev_mc_empty(dev) (netdev_mc_count(dev) == 0)
#define SET_NETDEV_DEV(net, pdev) ((net)->dev.parent = (pdev))
static inline void *netdev_priv(const struct net_device *dev)
{
	return (char *)dev + ALIGN(sizeof(struct net_device), NETDEV_ALIGN);
}
static inline void dev_addr_set(struct net_device *dev, const u8 *addr) { memcpy((u8 *)dev->dev_addr, addr, dev->addr_len); }
static inline void netif_start_queue(struct net_device *dev) { }
static inline void netif_stop_queue(struct net_device *dev) { }
static inline void netif_wake_queue(struct net_device *dev) { }
static inline bool netif_queue_stopped(const struct net_device *dev) { return false; }
static inline void netif_carrier_on(struct net_device *dev) { }
static inline void netif_carrier_off(struct net_device *dev) { }
static inline bool netif_running(const struct net_device *dev) { return (dev->flags & IFF_UP) != 0; }
#define netdev_info(dev, fmt, ...) _printk(KERN_INFO "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define netdev_err(dev, fmt, ...) _printk(KERN_ERR "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define netdev_warn(dev, fmt, ...) _printk(KERN_WARNING "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define netdev_dbg(dev, fmt, ...) do { } while (0)
/* exports */
#endif
`,
  'linux/etherdevice.h': `
#ifndef _LINUX_ETHERDEVICE_H
#define _LINUX_ETHERDEVICE_H
#include <linux/netdevice.h>
#include <linux/random.h>
#define alloc_etherdev(sizeof_priv) alloc_etherdev_mqs(sizeof_priv, 1, 1)
#define alloc_etherdev_mq(sizeof_priv, count) alloc_etherdev_mqs(sizeof_priv, count, count)
static inline void ether_addr_copy(u8 *dst, const u8 *src) { memcpy(dst, src, ETH_ALEN); }
static inline bool is_zero_ether_addr(const u8 *addr) { return (addr[0] | addr[1] | addr[2] | addr[3] | addr[4] | addr[5]) == 0; }
static inline bool is_multicast_ether_addr(const u8 *addr) { return addr[0] & 0x01; }
static inline bool is_broadcast_ether_addr(const u8 *addr) { return (addr[0] & addr[1] & addr[2] & addr[3] & addr[4] & addr[5]) == 0xff; }
static inline bool is_valid_ether_addr(const u8 *addr) { return !is_multicast_ether_addr(addr) && !is_zero_ether_addr(addr); }
static inline bool ether_addr_equal(const u8 *a, const u8 *b) { return memcmp(a, b, ETH_ALEN) == 0; }
static inline void eth_zero_addr(u8 *addr) { memset(addr, 0x00, ETH_ALEN); }
static inline void eth_broadcast_addr(u8 *addr) { memset(addr, 0xff, ETH_ALEN); }
static inline void eth_random_addr(u8 *addr)
{
	get_random_bytes(addr, ETH_ALEN);
	addr[0] &= 0xfe;
	addr[0] |= 0x02;
}
static inline void eth_hw_addr_set(struct net_device *dev, const u8 *addr) { dev_addr_set(dev, addr); }
static inline void eth_hw_addr_random(struct net_device *dev)
{
	u8 addr[ETH_ALEN];

	eth_random_addr(addr);
	eth_hw_addr_set(dev, addr);
}
/* exports */
#endif
`,
};
