// The kernel API table: every exported function the emulated kernel offers, in one list.

import type { KernelExport } from './types';
import { LIB_EXPORTS } from './lib';
import { MM_EXPORTS } from './mm';
import { PRINTK_EXPORTS } from './printk';
import { SYNC_EXPORTS } from './sync';
import { DEV_EXPORTS } from './dev';
import { RANDOM_EXPORTS } from './random';
import { NET_EXPORTS } from './net';
import { DEFERRED_EXPORTS } from './deferred';
import { TIME_EXPORTS } from './time';
import { FS_EXPORTS } from './fs';
import { HARDWARE_EXPORTS } from './hardware';

export const KERNEL_EXPORTS: readonly KernelExport[] = [...PRINTK_EXPORTS, ...MM_EXPORTS, ...LIB_EXPORTS, ...SYNC_EXPORTS, ...DEV_EXPORTS, ...RANDOM_EXPORTS, ...NET_EXPORTS, ...FS_EXPORTS, ...DEFERRED_EXPORTS, ...TIME_EXPORTS, ...HARDWARE_EXPORTS];

export type { KernelExport } from './types';
