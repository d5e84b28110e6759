import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupFilters, matchLabels, matchPattern, parseGoDuration, parseUntil, pathMatch } from '../../src/util/filters.js';

test('Go durations, as time.ParseDuration reads them (milliseconds)', () => {
  assert.equal(parseGoDuration('24h'), 86_400_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('300ms'), 300);
  assert.equal(parseGoDuration('2us'), 0.002);
  assert.equal(parseGoDuration('-10m'), -600_000);
  assert.equal(parseGoDuration('0'), 0);
  for (const bad of ['', '24', '1d', 'h', '1h ', '2024-01-01']) assert.equal(parseGoDuration(bad), undefined, bad);
});

test('until: a duration back from now, unix seconds or a date (containers/common timetype), else an error', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  assert.equal(parseUntil('24h', now), now - 86_400_000);
  assert.equal(parseUntil('1704067200', now), Date.parse('2024-01-01T00:00:00Z'));
  assert.equal(parseUntil('1704067200.5', now), 1704067200500);
  assert.equal(parseUntil('2024-01-01T00:00:00Z', now), Date.parse('2024-01-01T00:00:00Z'));
  assert.equal(parseUntil('2024-01-01T02:00:00+02:00', now), Date.parse('2024-01-01T00:00:00Z'));
  assert.throws(() => parseUntil('bogus', now), /failed to parse value as time or duration: "bogus"/);
  assert.throws(() => parseUntil('1d', now), /failed to parse value as time or duration/);
});

test('filters grouped by key in order; a filter without = is refused', () => {
  assert.deepEqual([...groupFilters(['label=a', 'until=24h', 'label=b=c'])], [['label', ['a', 'b=c']], ['until', ['24h']]]);
  assert.throws(() => groupFilters(['dangling']), /filter input must be in the form of filter=value: dangling is invalid/);
});

test('label filters as podman 4.3.1 matches them (volume ls and network ls, label org.x/key=1)', () => {
  const labels = { 'org.x/key': '1' };
  // observed with podman: a pattern with * matches anywhere, across /; without one, only the exact key
  for (const [f, want] of [['org*', true], ['org.x/*', true], ['key', false], ['x/k*', true], ['*key', true], ['org.x/key', true], ['o?g*', true],
    ['o?g', false], ['org.x/key=1', true], ['org.x/key=2', false], ['org*=1', true], ['nope*', false]] as const) {
    assert.equal(matchLabels([f], labels), want, f);
  }
  assert.equal(matchLabels(['org*', 'other'], labels), false, 'every value must match');
  assert.equal(matchLabels([], labels), true);
  assert.equal(matchLabels(['a'], undefined), false);
});

test('patterns: filepath.Match (no / crossing) and matchPattern (*pattern*, / ordinary)', () => {
  assert.equal(pathMatch('a*', 'abc'), true);
  assert.equal(pathMatch('a*', 'a/b'), false);
  assert.equal(pathMatch('a?c', 'abc'), true);
  assert.equal(pathMatch('[ab]x', 'bx'), true);
  assert.equal(pathMatch('[^ab]x', 'bx'), false);
  assert.equal(pathMatch('a.c', 'abc'), false);
  assert.equal(matchPattern('b/c*', 'a/b/cd'), true);
  assert.equal(matchPattern('abc', 'abc'), false);
});
