// irq handler with spin_lock; copy_to_user under spinlock in read
#include <linux/module.h>
#include <linux/interrupt.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/fs.h>
static DEFINE_SPINLOCK(buf_lock);
static char kbuf[64];
static int kbuf_len;
static int dev_id;
static irqreturn_t rx_irq(int irq, void *id)
{
	spin_lock(&buf_lock);
	kbuf_len = 0;
	spin_unlock(&buf_lock);
	return IRQ_HANDLED;
}
static ssize_t rx_read(struct file *f, char __user *u, size_t len, loff_t *off)
{
	ssize_t n;
	spin_lock(&buf_lock);
	n = min_t(size_t, len, kbuf_len);
	if (copy_to_user(u, kbuf, n))
		n = -EFAULT;
	spin_unlock(&buf_lock);
	return n;
}
static const struct file_operations fops = { .read = rx_read };
static int __init r_init(void) { return request_irq(5, rx_irq, 0, "rx", &dev_id); }
static void __exit r_exit(void) { free_irq(5, &dev_id); }
module_init(r_init);
module_exit(r_exit);
MODULE_LICENSE("GPL");
