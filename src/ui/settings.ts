// The `kmodlab.*` settings as the worker wants them. Pure (the caller passes a getter over the
// workspace configuration), so the unit tests can check the mapping. Adding a setting: declare it
// in package.json (`contributes.configuration`), read it here, and document it in README.md.

import type { FrontEndLimits, RunSettings } from '../protocol/kernel';

/** Reads one setting below `kmodlab.` (vscode.WorkspaceConfiguration.get has this shape). */
export type ConfigGetter = <T>(key: string) => T | undefined;

const CONFIGS = ['full', 'default', 'slub_debug', 'kasan', 'kmemleak'] as const;

/** When static analysis runs. */
export type AnalysisTrigger = 'onType' | 'onSave';

/** Debounce of analysis while typing, in milliseconds. */
export const ANALYSIS_DELAY_MS = 300;

/** A numeric setting clamped to [min, max]; undefined when unset or not a number. */
function numberSetting(get: ConfigGetter, key: string, min: number, max: number): number | undefined {
  const v = get<number>(key);
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : undefined;
}

/** The front end's limits (`kmodlab.limits.*`), for analysis and for Load alike. */
export function frontEndLimits(get: ConfigGetter): FrontEndLimits {
  return {
    maxExpansionDepth: numberSetting(get, 'limits.macroExpansionDepth', 16, 10_000),
    maxOutputTokens: numberSetting(get, 'limits.preprocessedTokens', 10_000, 50_000_000),
    maxNesting: numberSetting(get, 'limits.parserNesting', 32, 2_000),
  };
}

/** The run settings: RAM, seed, fault injection, soft-lockup budget, stack, limits and debug configuration. */
export function runSettings(get: ConfigGetter): RunSettings {
  const num = (key: string, min: number, max: number) => numberSetting(get, key, min, max);
  const ramMiB = num('memory.ramMiB', 16, 4096);
  const stackKiB = num('kernelStackKiB', 4, 1024);
  const eventLogCap = num('limits.eventLog', 1_000, 10_000_000);
  const config = get<string>('kernelConfig');
  return {
    ramBytes: ramMiB === undefined ? undefined : Math.round(ramMiB) * 1024 * 1024,
    seed: num('seed', 0, 2 ** 31 - 1),
    failNth: num('faultInjection.failNth', 0, 1e9) || undefined,
    failRate: num('faultInjection.failRate', 0, 1) || undefined,
    softLockupSeconds: num('softLockupSeconds', 1, 3600),
    stackBytes: stackKiB === undefined ? undefined : Math.round(stackKiB) * 1024,
    eventLogCap: eventLogCap === undefined ? undefined : Math.round(eventLogCap),
    limits: frontEndLimits(get),
    config: (CONFIGS as readonly string[]).includes(config ?? '') ? (config as RunSettings['config']) : undefined,
  };
}

export function analysisTrigger(get: ConfigGetter): AnalysisTrigger {
  return get<string>('analysis.trigger') === 'onSave' ? 'onSave' : 'onType';
}
