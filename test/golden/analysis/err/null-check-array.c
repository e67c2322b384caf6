// null-check: kmalloc'd array indexed in a loop; kmemdup unchecked; devm-like helper; ok checks
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
struct cfg { int n; int *vals; char *name; };
static struct cfg *g_cfg;
static int cfg_load(const int *src, int n)
{
	int i;
	struct cfg *c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->vals = kmalloc_array(n, sizeof(int), GFP_KERNEL);
	for (i = 0; i < n; i++)
		c->vals[i] = src[i];
	c->name = kmemdup("cfg", 4, GFP_KERNEL);
	if (!c->name) {
		kfree(c->vals);
		kfree(c);
		return -ENOMEM;
	}
	c->n = n;
	g_cfg = c;
	return 0;
}
static const int init_vals[4] = { 1, 2, 3, 4 };
static int __init n_init(void) { return cfg_load(init_vals, 4); }
static void __exit n_exit(void)
{
	kfree(g_cfg->name);
	kfree(g_cfg->vals);
	kfree(g_cfg);
}
module_init(n_init);
module_exit(n_exit);
MODULE_LICENSE("GPL");
