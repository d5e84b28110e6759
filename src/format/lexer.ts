// Lexer for Go's text/template language, a port of text/template/parse/lex.go: same token
// kinds, same trim-marker and comment rules, and the same error messages, because users paste
// podman/docker --format strings and expect the same diagnostics.

export type ItemType =
  | 'error' | 'eof' | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'assign' | 'declare'
  | 'pipe' | 'string' | 'rawString' | 'char' | 'charConstant' | 'number' | 'bool' | 'dot'
  | 'field' | 'variable' | 'identifier' | 'nil' | 'leftParen' | 'rightParen'
  // keywords
  | 'block' | 'break' | 'continue' | 'define' | 'else' | 'end' | 'if' | 'range' | 'template' | 'with';

export interface Item {
  typ: ItemType;
  pos: number;
  val: string;
  line: number;
}

const KEYWORDS: Record<string, ItemType> = {
  block: 'block', break: 'break', continue: 'continue', define: 'define', else: 'else',
  end: 'end', if: 'if', range: 'range', nil: 'nil', template: 'template', with: 'with',
};

export function isKeyword(t: ItemType): boolean {
  return ['block', 'break', 'continue', 'dot', 'define', 'else', 'end', 'if', 'nil', 'range', 'template', 'with'].includes(t);
}

/** Go's item.String(), used in "unexpected X in Y" messages. */
export function itemString(i: Item): string {
  if (i.typ === 'eof') return 'EOF';
  if (i.typ === 'error') return i.val;
  if (isKeyword(i.typ)) return `<${i.val}>`;
  if (i.val.length > 10) return `${goQuoteShort(i.val.slice(0, 10))}...`;
  return goQuoteShort(i.val);
}

function goQuoteShort(s: string): string {
  return JSON.stringify(s);
}

const LEFT = '{{';
const RIGHT = '}}';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
export const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && c !== '' && /^[\p{L}\p{Nd}_]$/u.test(c);

/** Go's %#U: U+0023 '#' */
export function runeDesc(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

export function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;

  const emit = (typ: ItemType): void => {
    items.push({ typ, pos: start, val: input.slice(start, pos), line: startLine });
    startLine = line;
    start = pos;
  };
  const ignore = (): void => {
    line += count(input.slice(start, pos));
    startLine = line;
    start = pos;
  };
  const advance = (n: number): void => {
    line += count(input.slice(pos, pos + n));
    pos += n;
  };
  const peek = (): string | undefined => (pos < input.length ? cpAt(input, pos) : undefined);
  const next = (): string | undefined => {
    const c = peek();
    if (c !== undefined) advance(c.length);
    return c;
  };
  const backup = (c: string | undefined): void => {
    if (c === undefined) return;
    pos -= c.length;
    if (c === '\n') line--;
  };
  const accept = (valid: string): boolean => {
    const c = peek();
    if (c !== undefined && valid.includes(c)) { next(); return true; }
    return false;
  };
  const acceptRun = (valid: string): void => { while (accept(valid)); };
  const fail = (msg: string): Item[] => {
    items.push({ typ: 'error', pos: start, val: msg, line: startLine });
    return items;
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith(RIGHT, pos + 2)) return { delim: true, trim: true };
    return { delim: input.startsWith(RIGHT, pos), trim: false };
  };
  const atTerminator = (): boolean => {
    const c = peek();
    if (c === undefined || isSpace(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return input.startsWith(RIGHT, pos);
  };
  const skipLeadingSpace = (): void => {
    while (isSpace(input[pos])) advance(1);
  };

  for (;;) {
    // lexText
    const x = input.indexOf(LEFT, pos);
    if (x < 0) {
      pos = input.length;
      line += count(input.slice(start, pos));
      if (pos > start) emit('text');
      items.push({ typ: 'eof', pos, val: '', line });
      return items;
    }
    let textEnd = x;
    const trimLeft = input[x + 2] === '-' && isSpace(input[x + 3]);
    if (trimLeft) while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
    pos = textEnd;
    line += count(input.slice(start, pos));
    if (pos > start) emit('text');
    pos = x;
    ignore();
    // lexLeftDelim
    advance(2);
    const afterMarker = trimLeft ? 2 : 0;
    if (input.startsWith('/*', pos + afterMarker)) {
      advance(afterMarker);
      ignore();
      advance(2);
      const end = input.indexOf('*/', pos);
      if (end < 0) return fail('unclosed comment');
      advance(end + 2 - pos);
      const { delim, trim } = atRightDelim();
      if (!delim) return fail('comment ends before closing delimiter');
      if (trim) advance(2);
      advance(2);
      if (trim) skipLeadingSpace();
      ignore();
      continue;
    }
    emit('leftDelim');
    advance(afterMarker);
    ignore();
    parenDepth = 0;
    // lexInsideAction
    for (;;) {
      const { delim, trim } = atRightDelim();
      if (delim) {
        if (parenDepth !== 0) return fail('unclosed left paren');
        if (trim) { advance(2); ignore(); }
        advance(2);
        emit('rightDelim');
        if (trim) { skipLeadingSpace(); ignore(); }
        break;
      }
      const r = next();
      if (r === undefined) return fail('unclosed action');
      if (isSpace(r)) {
        // a run of spaces; the last one may belong to a trim-marked " -}}"
        while (isSpace(peek()) && !(input[pos + 1] === '-' && input.startsWith(RIGHT, pos + 2))) next();
        emit('space');
      } else if (r === '=') emit('assign');
      else if (r === ':') {
        if (next() !== '=') return fail('expected :=');
        emit('declare');
      } else if (r === '|') emit('pipe');
      else if (r === '"') {
        for (;;) {
          let c = next();
          if (c === '\\') { c = next(); if (c !== undefined && c !== '\n') continue; }
          if (c === undefined || c === '\n') return fail('unterminated quoted string');
          if (c === '"') break;
        }
        emit('string');
      } else if (r === '`') {
        const end = input.indexOf('`', pos);
        if (end < 0) return fail('unterminated raw quoted string');
        advance(end + 1 - pos);
        emit('rawString');
      } else if (r === '\'') {
        for (;;) {
          let c = next();
          if (c === '\\') { c = next(); if (c !== undefined && c !== '\n') continue; }
          if (c === undefined || c === '\n') return fail('unterminated character constant');
          if (c === '\'') break;
        }
        emit('charConstant');
      } else if (r === '$' || (r === '.' && !/[0-9]/.test(input[pos] ?? ''))) {
        // lexFieldOrVariable
        const typ: ItemType = r === '$' ? 'variable' : 'field';
        if (atTerminator()) { emit(typ === 'variable' ? 'variable' : 'dot'); continue; }
        let c: string | undefined;
        for (;;) { c = next(); if (!isAlphaNumeric(c)) { backup(c); break; } }
        if (!atTerminator()) return fail(`bad character ${runeDesc(c ?? '')}`);
        emit(typ);
      } else if (r === '.' || r === '+' || r === '-' || (r >= '0' && r <= '9')) {
        backup(r);
        if (!scanNumber()) return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
        emit('number');
      } else if (isAlphaNumeric(r)) {
        let c: string | undefined;
        for (;;) { c = next(); if (!isAlphaNumeric(c)) { backup(c); break; } }
        if (!atTerminator()) return fail(`bad character ${runeDesc(c ?? '')}`);
        const word = input.slice(start, pos);
        const kw = KEYWORDS[word];
        if (kw) emit(kw);
        else if (word === 'true' || word === 'false') emit('bool');
        else emit('identifier');
      } else if (r === '(') {
        parenDepth++;
        emit('leftParen');
      } else if (r === ')') {
        parenDepth--;
        if (parenDepth < 0) return fail('unexpected right paren');
        emit('rightParen');
      } else if (r.length === 1 && r.charCodeAt(0) < 0x7f && r.charCodeAt(0) >= 0x20) {
        emit('char');
      } else {
        return fail(`unrecognized character in action: ${runeDesc(r)}`);
      }
    }
  }

  function scanNumber(): boolean {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) { accept('+-'); acceptRun('0123456789_'); }
    if (digits.length === 23 && accept('pP')) { accept('+-'); acceptRun('0123456789_'); }
    accept('i');
    if (isAlphaNumeric(peek())) { next(); return false; }
    return true;
  }
}

function cpAt(s: string, i: number): string {
  const cp = s.codePointAt(i) ?? 0;
  return String.fromCodePoint(cp);
}

function count(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
