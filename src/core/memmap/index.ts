// The memory map's core: a recorder that follows a run and the builders of the pictures the panel
// draws (see recorder.ts and snapshot.ts for their invariants).

export { MemmapRecorder } from './recorder';
export type { TrackedObject, ContentVersion, StepEvent } from './recorder';
export { memmapSnapshot, memmapDelta, memberPath } from './snapshot';
export { allocationTypes } from './allocTypes';
export { decodeObject } from './decode';
