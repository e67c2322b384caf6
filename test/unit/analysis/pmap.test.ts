// The persistent map under the analyzer's states: Map semantics, O(1) clones that do not see each
// other's writes, order-independent hashes, and merges that keep shared structure.

import { strict as assert } from 'node:assert';
import { PMap, fnv32 } from '../../../src/core/analysis/pmap';

const vh = (v: number): number => v * 2654435761;

function mapOf(entries: [string, number][]): PMap<number> {
  return PMap.from(vh, entries);
}

describe('PMap', () => {
  it('behaves like a Map for get, has, set, delete, size and iteration', () => {
    const m = new PMap<number>(vh);
    const ref = new Map<string, number>();
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const k = `k${seed % 500}`;
      if (seed % 3 === 0) {
        assert.equal(m.delete(k), ref.delete(k));
      } else {
        m.set(k, i);
        ref.set(k, i);
      }
      assert.equal(m.size, ref.size);
    }
    for (const [k, v] of ref) assert.equal(m.get(k), v);
    assert.deepEqual([...m.keys()].sort(), [...ref.keys()].sort());
    assert.equal(m.has('absent'), false);
  });

  it('clones are independent and cost nothing until written', () => {
    const a = mapOf([['x', 1], ['y', 2]]);
    const b = a.clone();
    b.set('x', 10);
    b.delete('y');
    assert.deepEqual([...a].sort(), [['x', 1], ['y', 2]]);
    assert.deepEqual([...b], [['x', 10]]);
  });

  it('hashes do not depend on insertion order', () => {
    const a = mapOf([['p', 1], ['q', 2], ['r', 3]]);
    const b = mapOf([['r', 3], ['p', 1], ['q', 2]]);
    assert.equal(a.hash, b.hash);
    assert.ok(a.sameAs(b));
    b.set('q', 4);
    assert.notEqual(a.hash, b.hash);
  });

  it('merges entry by entry and keeps what both sides share', () => {
    const base = mapOf(Array.from({ length: 200 }, (_, i) => [`k${i}`, i] as [string, number]));
    const a = base.clone();
    const b = base.clone();
    a.set('only-a', 1);
    b.set('k5', 500);
    let calls = 0;
    const m = a.merge(b, (_k, x, y) => {
      calls++;
      return x !== undefined && y !== undefined ? Math.max(x, y) : x ?? y;
    });
    assert.equal(m.get('only-a'), 1);
    assert.equal(m.get('k5'), 500);
    assert.equal(m.get('k7'), 7);
    assert.equal(m.size, 201);
    assert.ok(calls < 60, `the merge visited ${calls} entries of 201`);
  });

  it('survives full 32-bit hash collisions', () => {
    // Two keys with the same FNV-1a hash (found by brute force once).
    const pair: [string, string] = ['c693596', 'c1170850'];
    assert.equal(fnv32(pair[0]), fnv32(pair[1]));
    const m = mapOf([[pair[0], 1], [pair[1], 2], ['other', 3]]);
    assert.equal(m.get(pair[0]), 1);
    assert.equal(m.get(pair[1]), 2);
    m.delete(pair[0]);
    assert.equal(m.get(pair[0]), undefined);
    assert.equal(m.get(pair[1]), 2);
    assert.equal(m.size, 2);
  });
});
