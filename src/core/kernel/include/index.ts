// The virtual include tree the preprocessor resolves `<linux/*.h>` against. Each header is the
// hand-written text of base.ts/mm.ts/sync.ts/... with the prototypes of the kernel API table's
// entries for that header appended inside its include guard, so a function is declared once.

import { SourceFile } from '../../source/source';
import type { KernelExport } from '../exports/types';
import { BASE_HEADERS } from './base';
import { MM_HEADERS } from './mm';
import { MORE_HEADERS } from './more';
import { DRIVER_HEADERS } from './drivers';

const STATIC: Record<string, string> = { ...BASE_HEADERS, ...MM_HEADERS, ...MORE_HEADERS, ...DRIVER_HEADERS };

export class HeaderTree {
  private readonly files = new Map<string, SourceFile>();
  private readonly protos = new Map<string, string[]>();

  constructor(exports: Iterable<KernelExport>) {
    for (const e of exports) {
      const list = this.protos.get(e.header) ?? [];
      list.push(`extern ${e.proto};`);
      this.protos.set(e.header, list);
    }
  }

  /** The header's SourceFile, or undefined when Kernel Module Lab does not ship it. */
  get(name: string): SourceFile | undefined {
    const cached = this.files.get(name);
    if (cached) return cached;
    const text = this.text(name);
    if (text === undefined) return undefined;
    const f = new SourceFile(name, text, true);
    this.files.set(name, f);
    return f;
  }

  text(name: string): string | undefined {
    const base = STATIC[name];
    const protos = this.protos.get(name);
    if (base === undefined) {
      if (!protos) return undefined;
      return `#pragma once\n#include <linux/types.h>\n${protos.join('\n')}\n`;
    }
    if (!protos) return base;
    // Declare after the header's own #includes (the types are known there) and before its inline
    // functions and macros use them.
    // A header may say where with a `/* exports */` line (after the types its prototypes use).
    const lines = base.split('\n');
    let at = lines.indexOf('/* exports */');
    if (at < 0) {
      for (let i = 0; i < lines.length; i++) {
        if (/^#include\b/.test(lines[i])) at = i;
        else if (at < 0 && /^#define \w+_H\w*$|^#pragma once/.test(lines[i])) at = i;
      }
    }
    lines.splice(at + 1, 0, ...protos);
    return lines.join('\n');
  }

  names(): string[] {
    return [...new Set([...Object.keys(STATIC), ...this.protos.keys()])].sort();
  }
}
