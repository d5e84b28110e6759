// The options an engine is opened with (defined in config/, which the engine stands on).
export type { GlobalOptions } from '../../config/globals.js';
