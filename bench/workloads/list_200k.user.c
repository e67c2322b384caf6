/* GENERATED from list_200k.c by make_user_twin.sh - same logic, user-space build */
// SPDX-License-Identifier: GPL-2.0
/*
 * list_200k - build a list_head list of exactly 200,000 kmalloc'd struct Person
 * nodes (the seed's struct), walk it once computing a checksum, free it.
 * With -DSMALL: 20,000 nodes.
 */
#include "kshim.h"

#ifdef SMALL
#define NPERSONS 20000
#else
#define NPERSONS 200000
#endif

struct Person {
	char name[30];
	unsigned int weight;
	unsigned char gender;
	struct list_head list;
};

static LIST_HEAD(people);
static unsigned int checksum;

static int __init list_200k_init(void)
{
	unsigned int i;
	struct Person *p, *n;

	for (i = 0; i < NPERSONS; i++) {
		p = kmalloc(sizeof(*p), GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		strcpy(p->name, "roman");
		p->name[5] = (char)('0' + i % 10);
		p->name[6] = '\0';
		p->weight = 130 + i % 97;
		p->gender = (unsigned char)(i & 1);
		list_add_tail(&p->list, &people);
	}
	list_for_each_entry(p, &people, list)
		checksum = checksum * 31u + p->weight + p->gender + (unsigned char)p->name[5];
	list_for_each_entry_safe(p, n, &people, list) {
		list_del(&p->list);
		kfree(p);
	}
	printk(KERN_INFO "list_200k: checksum=%u\n", checksum);
	return 0;
}

static void __exit list_200k_exit(void)
{
}

module_init(list_200k_init);
module_exit(list_200k_exit);
MODULE_LICENSE("GPL");

int main(void)
{
	int rc = list_200k_init();
	if (rc)
		return 1;
	list_200k_exit();
	return 0;
}
