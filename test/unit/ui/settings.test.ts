// settings.ts: the kmodlab.* settings as the worker receives them.

import { strict as assert } from 'node:assert';
import { analysisTrigger, runSettings } from '../../../src/ui/settings';

const getter = (values: Record<string, unknown>) => <T>(key: string) => values[key] as T | undefined;

describe('ui/settings', () => {
  it('maps the defaults to an empty-ish run (the core picks its own defaults)', () => {
    assert.deepEqual(runSettings(getter({ 'memory.ramMiB': 128, seed: 0, 'faultInjection.failNth': 0, 'faultInjection.failRate': 0, softLockupSeconds: 22, kernelConfig: 'full' })), {
      ramBytes: 128 << 20,
      seed: 0,
      failNth: undefined,
      failRate: undefined,
      softLockupSeconds: 22,
      stackBytes: undefined,
      eventLogCap: undefined,
      limits: { maxExpansionDepth: undefined, maxOutputTokens: undefined, maxNesting: undefined },
      config: 'full',
    });
  });

  it('turns fault injection on, clamps out-of-range values and ignores unknown configs', () => {
    const s = runSettings(getter({ 'faultInjection.failNth': 2, 'faultInjection.failRate': 7, 'memory.ramMiB': 1, kernelConfig: 'nope' }));
    assert.equal(s.failNth, 2);
    assert.equal(s.failRate, 1);
    assert.equal(s.ramBytes, 16 << 20);
    assert.equal(s.config, undefined);
  });

  it('reads the limits, the kernel stack and the event log cap, clamped', () => {
    const s = runSettings(getter({ 'limits.parserNesting': 100_000, 'limits.macroExpansionDepth': 300, 'limits.preprocessedTokens': 1, kernelStackKiB: 8, 'limits.eventLog': 10 }));
    assert.deepEqual(s.limits, { maxExpansionDepth: 300, maxOutputTokens: 10_000, maxNesting: 2_000 });
    assert.equal(s.stackBytes, 8192);
    assert.equal(s.eventLogCap, 1_000);
  });

  it('reads the analysis trigger', () => {
    assert.equal(analysisTrigger(getter({ 'analysis.trigger': 'onSave' })), 'onSave');
    assert.equal(analysisTrigger(getter({})), 'onType');
  });
});
