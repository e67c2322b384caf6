// OK: ownership in nested struct, freed in order; helper frees param; krealloc via tmp
#include <linux/module.h>
#include <linux/slab.h>
struct node { struct node *next; int *payload; };
static struct node *head;
static void node_free(struct node *n)
{
	kfree(n->payload);
	kfree(n);
}
static int push(int v)
{
	struct node *n = kmalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	n->payload = kmalloc(sizeof(int), GFP_KERNEL);
	if (!n->payload) {
		kfree(n);
		return -ENOMEM;
	}
	*n->payload = v;
	n->next = head;
	head = n;
	return 0;
}
static void drain(void)
{
	while (head) {
		struct node *n = head;
		head = n->next;
		node_free(n);
	}
}
static int __init k_init(void)
{
	int ret = push(1);
	if (!ret)
		ret = push(2);
	if (ret)
		drain();
	return ret;
}
static void __exit k_exit(void) { drain(); }
module_init(k_init);
module_exit(k_exit);
MODULE_LICENSE("GPL");
