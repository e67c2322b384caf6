// A string-keyed map with a Map-like mutable face over a persistent hash array mapped trie (HAMT).
// `clone()` is O(1) (the trie is shared), a write copies only the path to its leaf, and every node
// keeps the count and an order-independent hash of its entries, so the hash of a whole map (the
// analyzer's state key) is O(1) and a join of two maps that share most of their structure only
// visits the parts that differ. This is what keeps the analysis of a module init that calls a
// hundred helpers linear instead of quadratic.

/** 32-bit FNV-1a. */
export function fnv32(s: string, seed = 2166136261): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ (b + 0x9e3779b9 + (a << 6) + (a >>> 2)), 0x85ebca6b);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) >>> 0;
}

interface Leaf<V> {
  readonly k: string;
  readonly h: number;
  readonly v: V;
  /** Hash of the entry (key and value), computed when first asked for. */
  eh: number | undefined;
}

interface Node<V> {
  readonly bitmap: number;
  readonly kids: readonly (Node<V> | Leaf<V>)[];
  readonly count: number;
  /** Sum of the entries' hashes, computed when first asked for (nodes never change). */
  sum: number | undefined;
}

/** Entries whose 32-bit hashes collide completely. */
interface Bucket<V> {
  readonly bucket: readonly Leaf<V>[];
  readonly count: number;
  sum: number | undefined;
}

type Trie<V> = Node<V> | Leaf<V> | Bucket<V>;

const BITS = 5;
const MASK = 31;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

function isLeaf<V>(t: Trie<V>): t is Leaf<V> {
  return (t as Leaf<V>).k !== undefined;
}

function isBucket<V>(t: Trie<V>): t is Bucket<V> {
  return (t as Bucket<V>).bucket !== undefined;
}

function countOf<V>(t: Trie<V> | undefined): number {
  if (!t) return 0;
  return isLeaf(t) ? 1 : t.count;
}

function sumOf<V>(t: Trie<V> | undefined, vh: ValueHash<V>): number {
  if (!t) return 0;
  if (isLeaf(t)) {
    if (t.eh === undefined) t.eh = mix(t.h, vh(t.v));
    return t.eh;
  }
  if (t.sum === undefined) {
    let sum = 0;
    if (isBucket(t)) for (const l of t.bucket) sum = (sum + sumOf(l, vh)) >>> 0;
    else for (const k of t.kids) sum = (sum + sumOf(k, vh)) >>> 0;
    t.sum = sum;
  }
  return t.sum;
}

function mkNode<V>(bitmap: number, kids: (Node<V> | Leaf<V> | Bucket<V>)[]): Node<V> | Leaf<V> | Bucket<V> | undefined {
  if (kids.length === 0) return undefined;
  if (kids.length === 1 && (isLeaf(kids[0]) || isBucket(kids[0]))) return kids[0];
  let count = 0;
  for (const k of kids) count += countOf(k);
  return { bitmap, kids: kids as (Node<V> | Leaf<V>)[], count, sum: undefined };
}

function mkBucket<V>(leaves: Leaf<V>[]): Trie<V> | undefined {
  if (leaves.length === 0) return undefined;
  if (leaves.length === 1) return leaves[0];
  return { bucket: leaves, count: leaves.length, sum: undefined };
}

function hashAt(t: Trie<V0>, shift: number): number {
  const h = isLeaf(t) ? t.h : isBucket(t) ? t.bucket[0].h : 0;
  return (h >>> shift) & MASK;
}
type V0 = unknown;

/** Two tries holding different hashes, under one node at `shift`. */
function pair<V>(a: Leaf<V> | Bucket<V>, b: Leaf<V> | Bucket<V>, shift: number): Trie<V> {
  const ha = hashAt(a as Trie<V0>, shift);
  const hb = hashAt(b as Trie<V0>, shift);
  if (ha === hb) return mkNode<V>(1 << ha, [pair(a, b, shift + BITS)])!;
  return mkNode<V>((1 << ha) | (1 << hb), ha < hb ? [a, b] : [b, a])!;
}

function get<V>(t: Trie<V> | undefined, h: number, k: string): V | undefined {
  let shift = 0;
  while (t) {
    if (isLeaf(t)) return t.k === k ? t.v : undefined;
    if (isBucket(t)) {
      for (const l of t.bucket) if (l.k === k) return l.v;
      return undefined;
    }
    const bit = 1 << ((h >>> shift) & MASK);
    if ((t.bitmap & bit) === 0) return undefined;
    t = t.kids[popcount(t.bitmap & (bit - 1))];
    shift += BITS;
  }
  return undefined;
}

function set<V>(t: Trie<V> | undefined, leaf: Leaf<V>, shift: number): Trie<V> {
  if (!t) return leaf;
  if (isLeaf(t)) {
    if (t.k === leaf.k) return leaf;
    if (t.h === leaf.h) return mkBucket([t, leaf])!;
    return pair(t, leaf, shift);
  }
  if (isBucket(t)) {
    if (t.bucket[0].h === leaf.h) {
      const rest = t.bucket.filter((l) => l.k !== leaf.k);
      return mkBucket([...rest, leaf])!;
    }
    return pair(t, leaf, shift);
  }
  const idx5 = (leaf.h >>> shift) & MASK;
  const bit = 1 << idx5;
  const i = popcount(t.bitmap & (bit - 1));
  const kids = t.kids.slice();
  if (t.bitmap & bit) {
    kids[i] = set(kids[i], leaf, shift + BITS) as Node<V> | Leaf<V>;
    return mkNode(t.bitmap, kids)!;
  }
  kids.splice(i, 0, leaf);
  return mkNode(t.bitmap | bit, kids)!;
}

function del<V>(t: Trie<V> | undefined, h: number, k: string, shift: number): Trie<V> | undefined {
  if (!t) return undefined;
  if (isLeaf(t)) return t.k === k ? undefined : t;
  if (isBucket(t)) {
    if (!t.bucket.some((l) => l.k === k)) return t;
    return mkBucket(t.bucket.filter((l) => l.k !== k));
  }
  const bit = 1 << ((h >>> shift) & MASK);
  if ((t.bitmap & bit) === 0) return t;
  const i = popcount(t.bitmap & (bit - 1));
  const sub = del(t.kids[i], h, k, shift + BITS);
  if (sub === t.kids[i]) return t;
  const kids = t.kids.slice();
  if (sub) {
    kids[i] = sub as Node<V> | Leaf<V>;
    return mkNode(t.bitmap, kids);
  }
  kids.splice(i, 1);
  return mkNode(t.bitmap & ~bit, kids);
}

function walk<V>(t: Trie<V> | undefined, f: (v: V, k: string) => void): void {
  if (!t) return;
  if (isLeaf(t)) f(t.v, t.k);
  else if (isBucket(t)) for (const l of t.bucket) f(l.v, l.k);
  else for (const k of t.kids) walk(k, f);
}

function collect<V>(t: Trie<V> | undefined, out: Leaf<V>[]): void {
  if (!t) return;
  if (isLeaf(t)) out.push(t);
  else if (isBucket(t)) out.push(...t.bucket);
  else for (const k of t.kids) collect(k, out);
}

/** How a map kind hashes its values (cached by the caller for immutable values). */
export type ValueHash<V> = (v: V) => number;

export class PMap<V> implements Iterable<[string, V]> {
  private root: Trie<V> | undefined;

  constructor(private readonly vh: ValueHash<V>, root?: Trie<V>) {
    this.root = root;
  }

  static from<V>(vh: ValueHash<V>, entries: Iterable<readonly [string, V]>): PMap<V> {
    const m = new PMap<V>(vh);
    for (const [k, v] of entries) m.set(k, v);
    return m;
  }

  clone(): PMap<V> {
    return new PMap(this.vh, this.root);
  }

  get size(): number {
    return countOf(this.root);
  }

  /** Order-independent hash of all entries. */
  get hash(): number {
    return sumOf(this.root, this.vh);
  }

  get(k: string): V | undefined {
    return get(this.root, fnv32(k), k);
  }

  has(k: string): boolean {
    return get(this.root, fnv32(k), k) !== undefined;
  }

  set(k: string, v: V): this {
    const h = fnv32(k);
    this.root = set(this.root, { k, h, v, eh: undefined }, 0);
    return this;
  }

  delete(k: string): boolean {
    const before = this.root;
    this.root = del(this.root, fnv32(k), k, 0);
    return before !== this.root;
  }

  /** Calls `f` for each entry (faster than iterating). */
  forEach(f: (v: V, k: string) => void): void {
    walk(this.root, f);
  }

  entries(): IterableIterator<[string, V]> {
    const out: [string, V][] = [];
    walk(this.root, (v, k) => out.push([k, v]));
    return out[Symbol.iterator]();
  }

  keys(): IterableIterator<string> {
    const out: string[] = [];
    walk(this.root, (_v, k) => out.push(k));
    return out[Symbol.iterator]();
  }

  values(): IterableIterator<V> {
    const out: V[] = [];
    walk(this.root, (v) => out.push(v));
    return out[Symbol.iterator]();
  }

  [Symbol.iterator](): Iterator<[string, V]> {
    return this.entries();
  }

  /** Same contents (by structure, or by equal hashes and sizes: a collision is vanishingly rare). */
  sameAs(o: PMap<V>): boolean {
    return this.root === o.root || (this.size === o.size && this.hash === o.hash);
  }

  /**
   * The join of two maps: `f(k, a, b)` for every key in either (undefined for a missing side),
   * dropping the key when f returns undefined. Subtries the two maps share are kept as they are
   * (f must return the value itself for equal sides), so a join costs what differs, not the size.
   */
  merge(o: PMap<V>, f: (k: string, a: V | undefined, b: V | undefined) => V | undefined): PMap<V> {
    return new PMap(this.vh, this.mergeTrie(this.root, o.root, 0, f));
  }

  private leaf(k: string, h: number, v: V): Leaf<V> {
    return { k, h, v, eh: undefined };
  }

  private mergeTrie(a: Trie<V> | undefined, b: Trie<V> | undefined, shift: number, f: (k: string, a: V | undefined, b: V | undefined) => V | undefined): Trie<V> | undefined {
    if (a === b) return a;
    if (!a || !b || isLeaf(a) || isLeaf(b) || isBucket(a) || isBucket(b)) {
      // Small or irregular shapes: merge entry by entry.
      const la: Leaf<V>[] = [];
      const lb: Leaf<V>[] = [];
      collect(a, la);
      collect(b, lb);
      const mb = new Map(lb.map((l) => [l.k, l]));
      let out: Trie<V> | undefined;
      for (const l of la) {
        const r = mb.get(l.k);
        mb.delete(l.k);
        const v = f(l.k, l.v, r?.v);
        if (v !== undefined) out = set(out, v === l.v ? l : this.leaf(l.k, l.h, v), shift);
      }
      for (const r of mb.values()) {
        const v = f(r.k, undefined, r.v);
        if (v !== undefined) out = set(out, v === r.v ? r : this.leaf(r.k, r.h, v), shift);
      }
      return out;
    }
    const bitmap = a.bitmap | b.bitmap;
    const kids: (Node<V> | Leaf<V>)[] = [];
    let outBitmap = 0;
    for (let i = 0; i < 32; i++) {
      const bit = 1 << i;
      if ((bitmap & bit) === 0) continue;
      const ka = a.bitmap & bit ? a.kids[popcount(a.bitmap & (bit - 1))] : undefined;
      const kb = b.bitmap & bit ? b.kids[popcount(b.bitmap & (bit - 1))] : undefined;
      const m = this.mergeTrie(ka, kb, shift + BITS, f);
      if (m) {
        kids.push(m as Node<V> | Leaf<V>);
        outBitmap |= bit;
      }
    }
    return mkNode(outBitmap, kids);
  }
}
