// Kernel-internal frames the memory reports show, and `%pS` formatting. Offsets marked (oracle)
// were read from Debian 6.1.0-56-amd64 output in shared/oracle/fidelity; the others are plausible
// values for that build (the symbol names are those of 6.1, the offsets could not be observed).

import type { Frame } from '../trace';

function f(fn: string, offset: number, size: number): Frame {
  return { fn, offset, size };
}

export const KFRAMES = {
  dump_stack_lvl: f('dump_stack_lvl', 0x44, 0x5c), // (oracle)
  // SLUB debugging
  object_err: f('object_err', 0x8a, 0xb6), // (oracle)
  slab_err: f('slab_err', 0xae, 0xe7), // (oracle)
  free_to_partial_list_cold: f('free_to_partial_list.cold', 0x82, 0x106), // (oracle)
  free_to_partial_list: f('free_to_partial_list', 0x19b, 0x4f0), // (oracle)
  check_bytes_and_report_cold: f('check_bytes_and_report.cold', 0x6d, 0x97), // (oracle)
  check_object: f('check_object', 0x1a1, 0x280), // (oracle)
  alloc_debug_processing: f('alloc_debug_processing', 0x18c, 0x2a0),
  ___slab_alloc: f('___slab_alloc', 0x6be, 0x7f0),
  __kmem_cache_shutdown: f('__kmem_cache_shutdown', 0x176, 0x2d0),
  kmem_cache_destroy: f('kmem_cache_destroy', 0x11c, 0x150),
  // allocation entry points (what stack depots record first)
  kmalloc_trace: f('kmalloc_trace', 0x26, 0x90), // (oracle)
  __kmalloc: f('__kmalloc', 0x4b, 0x150),
  kmalloc_large: f('kmalloc_large', 0x21, 0xc0),
  kmem_cache_alloc: f('kmem_cache_alloc', 0x16e, 0x2c0),
  __vmalloc_node_range: f('__vmalloc_node_range', 0x4ad, 0x750),
  vmalloc: f('vmalloc', 0x4b, 0x60),
  // frees
  kfree: f('kfree', 0x4b, 0x110), // (oracle: the RIP of kfree() on a vmalloc pointer)
  __kmem_cache_free: f('__kmem_cache_free', 0x1a0, 0x2f0),
  kmem_cache_free: f('kmem_cache_free', 0x1b9, 0x3a0),
  free_large_kmalloc: f('free_large_kmalloc', 0x5a, 0xa0),
  __vunmap_bad: f('__vunmap', 0x31a, 0x340), // (oracle)
  __vunmap_none: f('__vunmap', 0x7e, 0x340), // (oracle)
  // KASAN (CONFIG_KASAN_GENERIC, outline)
  print_address_description: f('print_address_description.constprop.0', 0x2c, 0x3c0),
  print_report: f('print_report', 0x118, 0x216),
  kasan_report: f('kasan_report', 0xb9, 0xf0),
  kasan_report_invalid_free: f('kasan_report_invalid_free', 0x8a, 0xd0),
  ____kasan_slab_free: f('____kasan_slab_free', 0x15e, 0x1b0),
  slab_free_freelist_hook: f('slab_free_freelist_hook', 0x10b, 0x1e0),
  kasan_save_stack: f('kasan_save_stack', 0x22, 0x50),
  kasan_set_track: f('kasan_set_track', 0x25, 0x30),
  kasan_set_free_info: f('kasan_set_free_info', 0x24, 0x40),
  __kasan_kmalloc: f('__kasan_kmalloc', 0x7e, 0x90),
  __kasan_slab_alloc: f('__kasan_slab_alloc', 0x66, 0x90),
  // fault injection
  should_fail: f('should_fail.cold', 0x5, 0xa),
  should_failslab: f('should_failslab', 0x9, 0x20),
  __alloc_pages: f('__alloc_pages', 0x2d4, 0x340),
  warn_alloc: f('warn_alloc', 0x114, 0x190),
} as const;

/** `%pS`: `init_module+0x1c/0x5e [test_mem]`. */
export function fmtFrame(fr: Frame): string {
  return `${fr.fn}+0x${fr.offset.toString(16)}/0x${fr.size.toString(16)}${fr.module ? ` [${fr.module}]` : ''}`;
}

/** A stack depot trace as stack_trace_print() prints it: one ` fn+off/size` line per frame. */
export function traceLines(frames: readonly Frame[]): string[] {
  return frames.map((fr) => ` ${fmtFrame(fr)}`);
}
