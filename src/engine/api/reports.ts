// Targets and per-target reports, shared by every noun's API (defined with the engine that
// resolves and fills them: src/engine/targets.ts).
export type { Targets, Report } from '../targets.js';
