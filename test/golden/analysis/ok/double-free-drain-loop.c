// OK: irqsave section around list manipulation only; allocation outside
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/delay.h>
struct ev { struct list_head l; int code; };
static LIST_HEAD(evs);
static DEFINE_SPINLOCK(evl);
static int post(int code)
{
	unsigned long flags;
	struct ev *e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->code = code;
	spin_lock_irqsave(&evl, flags);
	list_add_tail(&e->l, &evs);
	spin_unlock_irqrestore(&evl, flags);
	return 0;
}
static void drain(void)
{
	unsigned long flags;
	struct ev *e;
	for (;;) {
		spin_lock_irqsave(&evl, flags);
		e = list_first_entry_or_null(&evs, struct ev, l);
		if (e)
			list_del(&e->l);
		spin_unlock_irqrestore(&evl, flags);
		if (!e)
			break;
		msleep(1);
		kfree(e);
	}
}
static int __init p_init(void) { return post(1); }
static void __exit p_exit(void) { drain(); }
module_init(p_init);
module_exit(p_exit);
MODULE_LICENSE("GPL");
