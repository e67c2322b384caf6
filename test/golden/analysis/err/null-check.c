// kzalloc() result used through a struct field and an alias before any check.
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

struct dev_state {
	char *name;
	int *counters;
};

static struct dev_state st;

static int st_init(void)
{
	int *c;

	st.name = kstrdup("demo", GFP_KERNEL);
	st.name[0] = 'D';
	c = kcalloc(8, sizeof(*c), GFP_KERNEL);
	st.counters = c;
	memset(st.counters, 0, 8 * sizeof(*c));
	return 0;
}

static void st_exit(void)
{
	kfree(st.counters);
	kfree(st.name);
}

module_init(st_init);
module_exit(st_exit);
MODULE_LICENSE("GPL");
