// The virtual kernel include tree, part 4: the driver-facing headers teaching modules reach for
// (interrupts, per-CPU data, character and misc devices, user copies, workqueues, kfifo, and enough
// of the network device API for ops tables). Types keep their real member names; the emulated
// machine does not raise interrupts or run deferred work yet, so these mostly register and record.

export const DEV_HEADERS: Record<string, string> = {
  'linux/interrupt.h': `
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H
#include <linux/types.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/spinlock.h>
enum irqreturn { IRQ_NONE = (0 << 0), IRQ_HANDLED = (1 << 0), IRQ_WAKE_THREAD = (1 << 1) };
typedef enum irqreturn irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int, void *);
#define IRQF_SHARED 0x00000080
#define IRQF_ONESHOT 0x00002000
#define IRQF_TRIGGER_RISING 0x00000001
#define IRQF_TRIGGER_FALLING 0x00000002
/* exports */
#endif
`,
  'linux/percpu.h': `
#ifndef __LINUX_PERCPU_H
#define __LINUX_PERCPU_H
#include <linux/types.h>
#include <linux/preempt.h>
#define DEFINE_PER_CPU(type, name) __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name
#define per_cpu(var, cpu) (*((void)(cpu), &(var)))
#define per_cpu_ptr(ptr, cpu) ((void)(cpu), (ptr))
#define this_cpu_ptr(ptr) (ptr)
#define raw_cpu_ptr(ptr) (ptr)
#define __this_cpu_read(pcp) (pcp)
#define __this_cpu_write(pcp, val) do { (pcp) = (val); } while (0)
#define __this_cpu_inc(pcp) do { (pcp)++; } while (0)
#define __this_cpu_dec(pcp) do { (pcp)--; } while (0)
#define __this_cpu_add(pcp, val) do { (pcp) += (val); } while (0)
#define this_cpu_read(pcp) (pcp)
#define this_cpu_write(pcp, val) do { (pcp) = (val); } while (0)
#define this_cpu_inc(pcp) do { (pcp)++; } while (0)
#define this_cpu_dec(pcp) do { (pcp)--; } while (0)
#define this_cpu_add(pcp, val) do { (pcp) += (val); } while (0)
#define smp_processor_id() 0
#define raw_smp_processor_id() 0
#define get_cpu() ({ preempt_disable(); 0; })
#define put_cpu() preempt_enable()
#define num_online_cpus() 1
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define for_each_online_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#endif
`,
  'linux/fs.h': `
#ifndef _LINUX_FS_H
#define _LINUX_FS_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>
struct module;
struct inode { umode_t i_mode; dev_t i_rdev; loff_t i_size; void *i_private; };
struct file { unsigned int f_flags; fmode_t f_mode; loff_t f_pos; void *private_data; struct inode *f_inode; };
struct poll_table_struct;
struct vm_area_struct;
struct file_operations {
	struct module *owner;
	loff_t (*llseek) (struct file *, loff_t, int);
	ssize_t (*read) (struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write) (struct file *, const char __user *, size_t, loff_t *);
	unsigned int (*poll) (struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl) (struct file *, unsigned int, unsigned long);
	long (*compat_ioctl) (struct file *, unsigned int, unsigned long);
	int (*mmap) (struct file *, struct vm_area_struct *);
	int (*open) (struct inode *, struct file *);
	int (*flush) (struct file *, void *);
	int (*release) (struct inode *, struct file *);
};
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int) ((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int) ((dev) & MINORMASK))
#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_NONBLOCK 00004000
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define register_chrdev(major, name, fops) __register_chrdev(major, 0, 256, name, fops)
#define unregister_chrdev(major, name) __unregister_chrdev(major, 0, 256, name)
#endif
`,
  'linux/miscdevice.h': `
#ifndef _LINUX_MISCDEVICE_H
#define _LINUX_MISCDEVICE_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/fs.h>
#define MISC_DYNAMIC_MINOR 255
struct device;
struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct list_head list;
	struct device *parent;
	struct device *this_device;
	const void *groups;
	const char *nodename;
	umode_t mode;
};
#endif
`,
  'linux/workqueue.h': `
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H
#include <linux/types.h>
#include <linux/list.h>
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct { atomic_long_t data; struct list_head entry; work_func_t func; };
struct delayed_work { struct work_struct work; unsigned long timer_expires; int cpu; };
struct workqueue_struct;
#define WQ_UNBOUND (1 << 1)
#define WQ_FREEZABLE (1 << 2)
#define WQ_MEM_RECLAIM (1 << 3)
#define WQ_HIGHPRI (1 << 4)
#define WQ_CPU_INTENSIVE (1 << 5)
#define INIT_WORK(_work, _func) do { (_work)->data.counter = 0; INIT_LIST_HEAD(&(_work)->entry); (_work)->func = (_func); } while (0)
#define INIT_DELAYED_WORK(_work, _func) INIT_WORK(&(_work)->work, (_func))
#define DECLARE_WORK(n, f) struct work_struct n = { .entry = { &(n).entry, &(n).entry }, .func = (f) }
#define create_workqueue(name) alloc_workqueue("%s", WQ_MEM_RECLAIM, 1, (name))
#define create_singlethread_workqueue(name) alloc_workqueue("%s", WQ_UNBOUND | WQ_MEM_RECLAIM, 1, (name))
#endif
`,
  'linux/kfifo.h': `
#ifndef _LINUX_KFIFO_H
#define _LINUX_KFIFO_H
#include <linux/types.h>
#include <linux/gfp.h>
struct __kfifo { unsigned int in; unsigned int out; unsigned int mask; unsigned int esize; void *data; };
#define __STRUCT_KFIFO_PTR(type) struct { struct __kfifo kfifo; type *ptr; }
#define DECLARE_KFIFO_PTR(fifo, type) __STRUCT_KFIFO_PTR(type) fifo
#define kfifo_alloc(fifo, size, gfp_mask) __kfifo_alloc(&(fifo)->kfifo, (size), sizeof(*(fifo)->ptr), (gfp_mask))
#define kfifo_free(fifo) __kfifo_free(&(fifo)->kfifo)
#define kfifo_len(fifo) ((fifo)->kfifo.in - (fifo)->kfifo.out)
#define kfifo_is_empty(fifo) ((fifo)->kfifo.in == (fifo)->kfifo.out)
#define kfifo_reset(fifo) do { (fifo)->kfifo.in = (fifo)->kfifo.out = 0; } while (0)
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
#define ETH_ALEN 6
#define IFNAMSIZ 16
#define NETDEV_ALIGN 32
enum netdev_tx { NETDEV_TX_OK = 0x00, NETDEV_TX_BUSY = 0x10 };
typedef enum netdev_tx netdev_tx_t;
struct net_device;
struct netdev_hw_addr { struct list_head list; unsigned char addr[32]; unsigned char type; };
struct netdev_hw_addr_list { struct list_head list; int count; };
struct net_device_ops {
	int (*ndo_init)(struct net_device *dev);
	void (*ndo_uninit)(struct net_device *dev);
	int (*ndo_open)(struct net_device *dev);
	int (*ndo_stop)(struct net_device *dev);
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
	void (*ndo_set_rx_mode)(struct net_device *dev);
	int (*ndo_set_mac_address)(struct net_device *dev, void *addr);
	int (*ndo_change_mtu)(struct net_device *dev, int new_mtu);
};
struct net_device {
	char name[IFNAMSIZ];
	unsigned int flags;
	unsigned int mtu;
	const struct net_device_ops *netdev_ops;
	struct netdev_hw_addr_list mc;
	unsigned char addr_len;
	unsigned char dev_addr[32];
};
#define netdev_for_each_mc_addr(ha, dev) list_for_each_entry(ha, &(dev)->mc.list, list)
#define netdev_mc_count(dev) ((dev)->mc.count)
static inline void *netdev_priv(const struct net_device *dev)
{
	return (char *)dev + ALIGN(sizeof(struct net_device), NETDEV_ALIGN);
}
static inline struct net_device *alloc_etherdev(int sizeof_priv)
{
	struct net_device *dev = kzalloc(ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + sizeof_priv, GFP_KERNEL);

	if (dev) {
		INIT_LIST_HEAD(&dev->mc.list);
		strcpy(dev->name, "eth%d");
		dev->mtu = 1500;
		dev->addr_len = ETH_ALEN;
	}
	return dev;
}
static inline void free_netdev(struct net_device *dev)
{
	kfree(dev);
}
#endif
`,
  'linux/etherdevice.h': `
#ifndef _LINUX_ETHERDEVICE_H
#define _LINUX_ETHERDEVICE_H
#include <linux/netdevice.h>
static inline void ether_addr_copy(u8 *dst, const u8 *src)
{
	memcpy(dst, src, ETH_ALEN);
}
static inline void eth_hw_addr_random(struct net_device *dev)
{
	static const u8 addr[ETH_ALEN] = { 0x02, 0x4b, 0x4d, 0x4c, 0x41, 0x42 };

	memcpy(dev->dev_addr, addr, ETH_ALEN);
}
static inline bool is_valid_ether_addr(const u8 *addr)
{
	return !(addr[0] & 1) && (addr[0] | addr[1] | addr[2] | addr[3] | addr[4] | addr[5]);
}
#endif
`,
  'linux/skbuff.h': `
#ifndef _LINUX_SKBUFF_H
#define _LINUX_SKBUFF_H
#include <linux/types.h>
#include <linux/slab.h>
struct net_device;
struct sk_buff { struct sk_buff *next; struct sk_buff *prev; struct net_device *dev; unsigned int len; unsigned char *data; };
static inline void dev_kfree_skb(struct sk_buff *skb)
{
	kfree(skb);
}
#define dev_kfree_skb_any(skb) dev_kfree_skb(skb)
#define kfree_skb(skb) dev_kfree_skb(skb)
#define consume_skb(skb) dev_kfree_skb(skb)
#endif
`,
};
