// Correct code the rules must leave alone: checked allocations, matching frees, GFP_ATOMIC under a
// lock, a lock released before sleeping, list cleanup with the _safe iterator.
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/delay.h>

struct entry {
	struct list_head node;
	char *blob;
};

static LIST_HEAD(entries);
static DEFINE_SPINLOCK(entries_lock);

static int entry_add(size_t size)
{
	struct entry *e = kzalloc(sizeof(*e), GFP_KERNEL);

	if (!e)
		return -ENOMEM;
	e->blob = vmalloc(size);
	if (!e->blob) {
		kfree(e);
		return -ENOMEM;
	}
	spin_lock(&entries_lock);
	list_add_tail(&e->node, &entries);
	spin_unlock(&entries_lock);
	msleep(1);
	return 0;
}

static void entries_clear(void)
{
	struct entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &entries, node) {
		list_del(&e->node);
		vfree(e->blob);
		kfree(e);
	}
}

static int __init ok_init(void)
{
	int ret = entry_add(4096);

	if (!ret)
		ret = entry_add(8192);
	if (ret)
		entries_clear();
	return ret;
}

static void __exit ok_exit(void)
{
	entries_clear();
}

module_init(ok_init);
module_exit(ok_exit);
MODULE_LICENSE("GPL");
