// The free-mismatch fix: kfree() of vmalloc() memory becomes vfree().
#include <linux/module.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>

static u32 *table;

static int __init fx_init(void)
{
	table = vmalloc(4096);
	return table ? 0 : -ENOMEM;
}

static void __exit fx_exit(void)
{
	kfree(table);
}

module_init(fx_init);
module_exit(fx_exit);
MODULE_LICENSE("GPL");
