// `--filter key=value` lists as podman reads them: grouped by key, in order.
import { TsmanError } from '../errors.js';

/** `--filter` values grouped by key, in order; "filter=value" is required. */
export function groupFilters(list: string[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const f of list) {
    const i = f.indexOf('=');
    if (i < 0) throw new TsmanError('EUSAGE', `filter input must be in the form of filter=value: ${f} is invalid`);
    const key = f.slice(0, i);
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push(f.slice(i + 1));
  }
  return byKey;
}
