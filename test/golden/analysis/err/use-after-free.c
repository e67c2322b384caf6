// list_for_each_entry() over entries it frees, and a field read after kfree().
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/list.h>

struct item {
	struct list_head node;
	int id;
};

static LIST_HEAD(items);

static int item_id_then_free(struct item *it)
{
	kfree(it);
	return it->id;
}

static void items_clear(void)
{
	struct item *it;

	list_for_each_entry(it, &items, node) {
		list_del(&it->node);
		kfree(it);
	}
}

static int __init uf_init(void)
{
	struct item *it = kzalloc(sizeof(*it), GFP_KERNEL);

	if (!it)
		return -ENOMEM;
	pr_info("id %d\n", item_id_then_free(it));
	return 0;
}

static void __exit uf_exit(void)
{
	items_clear();
}

module_init(uf_init);
module_exit(uf_exit);
MODULE_LICENSE("GPL");
