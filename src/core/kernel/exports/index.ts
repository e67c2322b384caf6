// The kernel API table: every exported function the emulated kernel offers, in one list.

import type { KernelExport } from './types';
import { LIB_EXPORTS } from './lib';
import { MM_EXPORTS } from './mm';
import { PRINTK_EXPORTS } from './printk';
import { SYNC_EXPORTS } from './sync';
import { DEV_EXPORTS } from './dev';

export const KERNEL_EXPORTS: readonly KernelExport[] = [...PRINTK_EXPORTS, ...MM_EXPORTS, ...LIB_EXPORTS, ...SYNC_EXPORTS, ...DEV_EXPORTS];

export type { KernelExport } from './types';
