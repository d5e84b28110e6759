// `port`: a container's published ports, one of them, or every container's (--all).
import type { Engine } from '../index.js';
import type { PortOptions, PortReport } from './options.js';
import { TsmanError } from '../../errors.js';
import { mustFindContainer } from './lookup.js';
import { latestContainer } from './targets.js';
import { portLines } from '../../network/ports.js';

export async function port(engine: Engine, o: PortOptions): Promise<PortReport[]> {
  const state = engine.store.read();
  if (o.all) {
    if (o.port !== undefined) throw new TsmanError('EUSAGE', 'the -a/--all option takes no port argument');
    // the one argument filters the mappings
    return (state.containers ?? []).map((c) => ({ id: c.id, lines: portLines(c.config.ports ?? [], o.name) }));
  }
  let target = o.name;
  let want = o.port;
  if (o.latest) {
    const last = latestContainer(state.containers ?? []);
    if (!last) throw new TsmanError('EGENERIC', 'no containers to list');
    // with --latest the one argument is the port
    if (want === undefined && o.name !== undefined) want = o.name;
    target = last.id;
  }
  if (!target) throw new TsmanError('EUSAGE', 'you must supply a running container name or ID');
  const c = mustFindContainer(state, target);
  if (want !== undefined) {
    const [num, proto] = want.split('/');
    if (!/^\d+$/.test(num ?? '') || (proto !== undefined && !['tcp', 'udp', 'sctp'].includes(proto))) {
      throw new TsmanError('EUSAGE', `invalid port "${want}"`);
    }
    const lines = portLines(c.config.ports ?? [], `${num}/${proto ?? 'tcp'}`);
    if (lines.length === 0) throw new TsmanError('EGENERIC', `failed to find published port "${want}"`);
    return [{ id: c.id, lines }];
  }
  return [{ id: c.id, lines: portLines(c.config.ports ?? []) }];
}
