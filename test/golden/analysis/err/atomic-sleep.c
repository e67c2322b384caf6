// A GFP_KERNEL allocation and a sleeping helper under a spinlock, and a timer callback that sleeps.
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/delay.h>

static DEFINE_SPINLOCK(stats_lock);
static unsigned long *stats;

static void settle(void)
{
	msleep(5);
}

static int stats_grow(void)
{
	unsigned long *n;

	spin_lock(&stats_lock);
	n = kmalloc(64 * sizeof(*n), GFP_KERNEL);
	if (!n) {
		spin_unlock(&stats_lock);
		return -ENOMEM;
	}
	settle();
	kfree(stats);
	stats = n;
	spin_unlock(&stats_lock);
	return 0;
}

static int __init st_init(void)
{
	return stats_grow();
}

static void __exit st_exit(void)
{
	kfree(stats);
}

module_init(st_init);
module_exit(st_exit);
MODULE_LICENSE("GPL");
