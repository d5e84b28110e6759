// `rename`: a new name in the record, checked against the others under the store's lock.
import type { Engine } from '../index.js';
import { mustFindContainer } from './lookup.js';
import { TsmanError } from '../../errors.js';
import { NAME_RE } from './names.js';

export async function renameContainer(engine: Engine, name: string, newName: string): Promise<void> {
  if (!NAME_RE.test(newName)) throw new TsmanError('EUSAGE', `container name "${newName}" must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument`);
  await engine.store.update((state) => {
    const c = mustFindContainer(state, name);
    const other = (state.containers ?? []).find((x) => x.name === newName && x.id !== c.id);
    if (other) throw new TsmanError('EEXISTS', `the container name "${newName}" is already in use by ${other.id}. You have to remove that container to be able to reuse that name: that name is already in use`);
    c.name = newName;
    return { save: true, value: undefined };
  });
}
