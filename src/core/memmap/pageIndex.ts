// Objects by the 4 KiB virtual pages they cover, to find the object holding an address in a few
// steps: the recorder keeps one of the live objects (for heap writes), the snapshot builder makes
// one per picture of the objects visible at its step (for pointers). Only an object's first
// MAX_INDEXED bytes are indexed: a pointer further into a huge buffer is not resolved.

import { PAGE_SIZE } from '../kernel/mm/layout';

/** Bytes of an object that addresses are resolved into (its first 64 pages). */
const MAX_INDEXED = 64 * PAGE_SIZE;

export interface Placed {
  readonly addr: number;
  readonly size: number;
}

export class PageIndex<T extends Placed> {
  private readonly pages = new Map<number, T[]>();

  add(o: T): void {
    this.forPages(o, (p) => {
      const list = this.pages.get(p);
      if (list) list.push(o);
      else this.pages.set(p, [o]);
    });
  }

  remove(o: T): void {
    this.forPages(o, (p) => {
      const list = this.pages.get(p);
      const i = list ? list.indexOf(o) : -1;
      if (i >= 0) list!.splice(i, 1);
      if (list && list.length === 0) this.pages.delete(p);
    });
  }

  /** The objects that may hold `addr` (all of those indexed on its page). */
  near(addr: number): readonly T[] {
    return this.pages.get(pageOf(addr)) ?? [];
  }

  /** The object holding `addr`; of several, the first that `better` does not beat. */
  find(addr: number, better: (a: T, b: T) => boolean = () => false): T | undefined {
    let best: T | undefined;
    for (const o of this.near(addr)) if (contains(o, addr) && (!best || better(o, best))) best = o;
    return best;
  }

  private forPages(o: T, fn: (page: number) => void): void {
    const end = o.addr + Math.min(Math.max(1, o.size), MAX_INDEXED) - 1;
    for (let p = pageOf(o.addr); p <= pageOf(end); p++) fn(p);
  }
}

export function contains(o: Placed, addr: number): boolean {
  return addr >= o.addr && addr < o.addr + Math.max(1, o.size);
}

function pageOf(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}
