// The engine's API: one interface per noun, with its Options and Report types. This is what
// callers (the CLI now, a REST API later) program against; src/engine/local/'s LocalEngine is the
// implementation in this process, checked here at compile time (the engine does not import this
// floor).
import type { LocalEngine } from '../local/index.js';
import type { ContainerEngine } from './containers.js';
import type { ImageEngine } from './images.js';
import type { NetworkEngine } from './networks.js';
import type { SystemEngine } from './system.js';
import type { VolumeEngine } from './volumes.js';

export type { ContainerEngine, ImageEngine, NetworkEngine, SystemEngine, VolumeEngine };
export type { GlobalOptions } from './options.js';
export type { Targets, Report } from './reports.js';

/** Everything an engine serves. */
export type EngineApi = ContainerEngine & ImageEngine & NetworkEngine & SystemEngine & VolumeEngine;

// a compile error here names the verb the Engine lacks or types differently
const implemented: (e: LocalEngine) => EngineApi = (e) => e;
void implemented;
