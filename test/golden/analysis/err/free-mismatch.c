// A vmalloc()'d table freed with kfree() in another function, and kvzalloc() memory freed with vfree().
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

static u32 *table;
static u8 *ring;

static int alloc_all(void)
{
	table = vmalloc(1 << 20);
	if (!table)
		return -ENOMEM;
	ring = kvzalloc(4096, GFP_KERNEL);
	if (!ring) {
		vfree(table);
		return -ENOMEM;
	}
	return 0;
}

static void free_all(void)
{
	kfree(table);
	vfree(ring);
}

static int __init fm_init(void)
{
	return alloc_all();
}

static void __exit fm_exit(void)
{
	free_all();
}

module_init(fm_init);
module_exit(fm_exit);
MODULE_LICENSE("GPL");
