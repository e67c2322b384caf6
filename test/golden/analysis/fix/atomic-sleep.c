// The atomic-sleep fix: GFP_KERNEL under a spinlock becomes GFP_ATOMIC.
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(lock);
static void *slot;

static int fill(void)
{
	void *p;

	spin_lock(&lock);
	p = kmalloc(64, GFP_KERNEL);
	if (!p) {
		spin_unlock(&lock);
		return -ENOMEM;
	}
	kfree(slot);
	slot = p;
	spin_unlock(&lock);
	return 0;
}

static int __init fx_init(void)
{
	return fill();
}

static void __exit fx_exit(void)
{
	kfree(slot);
}

module_init(fx_init);
module_exit(fx_exit);
MODULE_LICENSE("GPL");
