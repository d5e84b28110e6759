import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TsmanError } from '../../src/errors.js';
import {
  compileTemplate, defaultHeader, enforceRange, formatInspectJson, formatOne, formatRows, goMap, goStruct,
  hasTable, isJSONFormat, normalizeFormat, parseFormat, tabwrite, toGoJSON, HeaderRow,
} from '../../src/format/template.js';

const run = (src: string, data: unknown = {}): string => compileTemplate(src).execute(data);
const cases = (list: [string, unknown, string][]): void => {
  for (const [src, data, want] of list) assert.equal(run(src, data), want, src);
};
const fails = (src: string, data: unknown, msg: string | RegExp): void => {
  assert.throws(() => run(src, data), (e: unknown) => {
    assert.ok(e instanceof TsmanError, `not a TsmanError: ${String(e)}`);
    assert.equal(e.code, 'EFORMAT');
    if (typeof msg === 'string') assert.equal(e.message, msg);
    else assert.match(e.message, msg);
    return true;
  }, src);
};

describe('template: fields and values', () => {
  const data = {
    ID: 'abc', State: { Pid: 42, Running: true, Health: null }, Config: { Cmd: ['sh', '-c', 'x'], Labels: { 'io.x': 'y', a: 'b' } },
    Store: { GraphRoot: '/var/lib' }, Empty: [], Size: 1.5, Big: 1234567, Nested: [[1, 2], [3]],
  };
  it('resolves fields, nested fields, map keys, dot and $', () => {
    cases([
      ['{{.ID}}', data, 'abc'],
      ['{{.State.Pid}} {{.Store.GraphRoot}}', data, '42 /var/lib'],
      ['{{.Config.Labels.a}}', data, 'b'],
      ['{{.}}', 'plain', 'plain'],
      ['{{$}}', 7, '7'],
      ['{{range .Config.Cmd}}{{$.ID}}:{{.}} {{end}}', data, 'abc:sh abc:-c abc:x '],
      ['{{.Id}} {{.state.pid}}', data, 'abc 42'],
    ]);
  });
  it('prints values like Go', () => {
    cases([
      ['{{.Config.Cmd}}', data, '[sh -c x]'],
      ['{{.Config.Labels}}', data, 'map[a:b io.x:y]'],
      ['{{.State.Running}} {{.Empty}} {{.Nested}}', data, 'true [] [[1 2] [3]]'],
      ['{{.Size}} {{.Big}} {{0.00001}} {{-0.5}}', data, '1.5 1234567 1e-05 -0.5'],
      ['{{.State}}', data, '{42 true <nil>}'],
      ['{{printf "%+v" .State}}', data, '{Pid:42 Running:true Health:<nil>}'],
      ['{{.State.Health}}|{{.Config.Labels.missing}}|{{.Nope.Deeper}}', { ...data, Nope: undefined }, '<no value>|<no value>|<no value>'],
      ['{{.L}}', { L: ['a', null, 1] }, '[a <nil> 1]'],
      ['{{.M}}', { M: new Map<string, unknown>([['b', 1], ['a', [true]]]) }, 'map[a:[true] b:1]'],
      ['{{.}}', 1.5e300, '1.5e+300'],
      ['{{true}} {{false}} {{print nil}}', {}, 'true false <nil>'],
    ]);
  });
  it('calls methods, with and without arguments', () => {
    class Ctr { constructor(private n: string) {} Name(): string { return this.n; } Greet(a: string, b: string): string { return `${a} ${this.n}${b}`; } }
    cases([
      ['{{.Name}}', new Ctr('web'), 'web'],
      ['{{.Greet "hi" "!"}}', new Ctr('web'), 'hi web!'],
      ['{{"!" | .Greet "yo"}}', new Ctr('db'), 'yo db!'],
      ['{{.F}}', { F: () => 'called' }, 'called'],
    ]);
  });
  it('structs and maps: missing fields', () => {
    fails('{{.Foo}}', { ID: 'x' }, 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type struct');
    fails('{{.A.Foo}}', { A: 'str' }, /can't evaluate field Foo in type string$/);
    fails('{{.Foo}}', goStruct({ ID: 'x' }, 'entities.ImageSummary'), /in type entities\.ImageSummary$/);
    assert.equal(run('{{.foo}}', goMap({ ID: 'x' })), '<no value>');
    assert.equal(run('{{.missing}}', {}), '<no value>');
    fails('{{.ID "x"}}', { ID: 'x' }, /ID has arguments but cannot be invoked as function$/);
  });
});

describe('template: control structures', () => {
  it('if / else if / else chains', () => {
    const t = compileTemplate('{{if eq .N 1}}one{{else if eq .N 2}}two{{else if gt .N 9}}big{{else}}other{{end}}');
    assert.deepEqual([1, 2, 10, 5].map((N) => t.execute({ N })), ['one', 'two', 'big', 'other']);
    cases([
      ['{{if .A}}a{{end}}{{if not .B}}!b{{end}}', { A: [1], B: '' }, 'a!b'],
      ['{{if and .A .B}}y{{else}}n{{end}}{{if or .C .A}}y{{end}}', { A: 1, B: 0, C: null }, 'ny'],
      ['{{if .M}}m{{else}}empty{{end}}', { M: {} }, 'empty'],
    ]);
  });
  it('range: index/element, maps, else, ints, break/continue', () => {
    cases([
      ['{{range $i, $e := .L}}{{$i}}={{$e}};{{end}}', { L: ['a', 'b'] }, '0=a;1=b;'],
      ['{{range $e := .L}}{{$e}}{{end}}', { L: ['a', 'b'] }, 'ab'],
      ['{{range $k, $v := .M}}{{$k}}:{{$v}} {{end}}', { M: { z: 1, a: 2, m: 3 } }, 'a:2 m:3 z:1 '],
      ['{{range .L}}x{{else}}none{{end}}', { L: [] }, 'none'],
      ['{{range .Missing}}x{{else}}none{{end}}', goMap({}), 'none'],
      ['{{range 3}}{{.}}{{end}}', {}, '012'],
      ['{{range .L}}{{if eq . 3}}{{break}}{{end}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}', { L: [0, 1, 2, 3, 4] }, '02'],
    ]);
  });
  it('nested range with $ and outer variables', () => {
    const data = { Name: 'pod', Ctrs: [{ N: 'a', Ports: [80, 443] }, { N: 'b', Ports: [] }] };
    assert.equal(
      run('{{range $i, $c := .Ctrs}}{{range .Ports}}{{$.Name}}/{{$c.N}}#{{$i}}:{{.}} {{else}}{{$c.N}}-none {{end}}{{end}}', data),
      'pod/a#0:80 pod/a#0:443 b-none ',
    );
  });
  it('with, with-else, variables and assignment scoping', () => {
    cases([
      ['{{with .A}}{{.B}}{{end}}', { A: { B: 'in' } }, 'in'],
      ['{{with .A}}x{{else}}none{{end}}', { A: '' }, 'none'],
      ['{{with $x := .A}}{{$x}}{{end}}', { A: 5 }, '5'],
      ['{{with .A}}a{{else with .B}}b{{.}}{{else}}none{{end}}', goMap({ B: 2 }), 'b2'],
      ['{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', {}, '21'],
      ['{{$x := 1}}{{range .L}}{{$x = .}}{{end}}{{$x}}', { L: [1, 2, 3] }, '3'],
      ['{{$n := len .L}}{{$n}}', { L: [1, 2] }, '2'],
    ]);
  });
  it('define, template and block', () => {
    cases([
      ['{{define "T"}}<{{.}}>{{end}}{{template "T" .A}}{{template "T" "z"}}', { A: 1 }, '<1><z>'],
      ['{{block "B" .}}[{{.}}]{{end}}', 'v', '[v]'],
    ]);
    fails('{{template "nope"}}', {}, /no such template "nope"/);
  });
});

describe('template: syntax details', () => {
  it('trim markers and comments', () => {
    cases([
      ['a  {{- .A -}}  b', { A: 1 }, 'a1b'],
      ['a  {{- /* note */ -}}  b', {}, 'ab'],
      ['x{{/* c */}}y', {}, 'xy'],
      ['{{-3}} {{- 4}}', {}, '-34'],
      ['{{range .L -}}\n  {{.}}\n{{- end}}', { L: [1, 2] }, '12'],
    ]);
  });
  it('literals, pipelines, parentheses and chains', () => {
    cases([
      ['{{"a\\tb"}}|{{`raw\\n`}}|{{\'x\'}}|{{0x1F}}|{{1_000}}|{{0o17}}|{{1.5e3}}', {}, 'a\tb|raw\\n|120|31|1000|15|1500'],
      ['{{.A | printf "%s!" | printf "<%s>"}}', { A: 'hi' }, '<hi!>'],
      ['{{printf "%s-%s" (index .L 1) (upper "x")}}', { L: ['a', 'b'] }, 'b-X'],
      ['{{(index .L 0).Name}}', { L: [{ Name: 'n' }] }, 'n'],
      ['{{$c := index .L 0}}{{$c.Name}}', { L: [{ Name: 'n' }] }, 'n'],
      ['{{.A\n| upper}}', { A: 'multi' }, 'MULTI'],
    ]);
  });
});

describe('template: functions', () => {
  it('Go builtins', () => {
    cases([
      ['{{len .S}} {{len .L}} {{len .M}}', { S: 'héllo', L: [1, 2], M: { a: 1 } }, '6 2 1'],
      ['{{index .L 1}} {{index .M "k"}} {{index .N 1 0}} {{index "abc" 1}}', { L: ['a', 'b'], M: { k: 'v' }, N: [[1], [2]] }, 'b v 2 98'],
      ['[{{index .Labels "missing"}}]', { Labels: { a: 'b' } }, '[]'],
      ['{{slice .S 1 3}} {{slice .L 1}} {{slice .L}}', { S: 'hello', L: [1, 2, 3] }, 'el [2 3] [1 2 3]'],
      ['{{print "a" "b" 1 2 "c"}}|{{println "a" 1}}', {}, 'ab1 2c|a 1\n'],
      ['{{eq .A "x" "y"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', { A: 'y' }, 'true true true true true false'],
      ['{{html "<a href=\'x\'>&</a>"}}', {}, '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;'],
      ['{{js "it\'s <b>\\n"}}', {}, 'it\\\'s \\u003Cb\\u003E\\u000A'],
      ['{{urlquery "a b&c/d"}}', {}, 'a+b%26c%2Fd'],
      ['{{and 1 0 "x"}} {{or 0 "" "z"}} {{and 1 2}} {{not 0}}', {}, '0 z 2 true'],
    ]);
    assert.equal(run('{{call (index .Fs 0) 2 3}}', { Fs: [(a: number, b: number) => a * b] }), '6');
    // and/or short-circuit: the failing index is never evaluated
    assert.equal(run('{{if and .A (index .L 5)}}y{{else}}n{{end}}', { A: 0, L: [] }), 'n');
  });
  it('podman functions (containers/common pkg/report)', () => {
    cases([
      ['{{json .}}', { B: ['x'], A: '<&>', M: goMap({ z: 1, a: null }) }, '{"B":["x"],"A":"<&>","M":{"a":null,"z":1}}'],
      ['{{json .L}} {{json .S}} {{json .N}}', { L: ['a', 'b'], S: 'q"\n', N: 1.5 }, '["a","b"] "q\\"\\n" 1.5'],
      ['{{lower "AbC"}} {{upper "AbC"}} {{title "hello wide-world"}}', {}, 'abc ABC Hello Wide-World'],
      ['{{join .L ", "}}|{{split "a:b:c" ":"}}|{{len (split "a:b" ":")}}', { L: ['x', 'y'] }, 'x, y|[a b c]|2'],
      ['{{truncate "abcdef" 3}}|{{truncate "ab" 3}}|{{pad "x" 2 1}}|{{pad "" 2 1}}|', {}, 'abc|ab|  x ||'],
    ]);
    // join takes the list first, as strings.Join does, so it cannot be piped into
    fails('{{.Names | join ","}}', { Names: ['a'] }, /can't handle "," for arg of type \[\]string$/);
    fails('{{lower .N}}', { N: 5 }, /executing "" at <.N>: wrong type for value; expected string; got int$/);
    fails('{{truncate "x" "y"}}', {}, /expected integer; found "y"$/);
  });
  it('printf verbs, flags and widths', () => {
    cases([
      ['{{printf "%s|%5s|%-5s|%.2s|%q" "a" "b" "c" "xyz" "q\\"x"}}', {}, 'a|    b|c    |xy|"q\\"x"'],
      ['{{printf "%d|%5d|%-5d|%05d|%+d|%x|%X|%#x|%o|%b|%c|%U" 7 42 42 -42 3 255 255 255 8 5 65 65}}', {}, '7|   42|42   |-0042|+3|ff|FF|0xff|10|101|A|U+0041'],
      ['{{printf "%v|%t|%%|%T|%T|%T" .L true 1 "s" .L}}', { L: ['a'] }, '[a]|true|%|int|string|[]string'],
      ['{{printf "%.2f|%8.3f|%e|%g|%g|%.3g" 3.14159 2.5 1234.5678 0.000012 100000000.5 1234.0}}', {}, '3.14|   2.500|1.234568e+03|1.2e-05|1.000000005e+08|1.23e+03'],
      ['{{printf "%x|%X|%q" "hi" "hi" .L}}', { L: ['a', 'b'] }, '6869|6869|["a" "b"]'],
      ['{{printf "%d %s" "x" 5}}', {}, '%!d(string=x) %!s(int=5)'],
      ['{{printf "%s %s" "x"}}|{{printf "%s" "x" 1}}|{{printf "%d" 1.5}}|{{printf "%s" nil}}', {}, 'x %!s(MISSING)|x%!(EXTRA int=1)|%!d(float64=1.5)|%!s(<nil>)'],
      ['{{printf "%-10s|%10s|" .A .A}}', { A: 'héllo' }, 'héllo     |     héllo|'],
      ['{{printf "%*d|%[2]s %[1]s" 4 7}}', {}, '   7|%!s(int=7) %!s(int=4)'],
    ]);
  });
});

describe('template: errors', () => {
  it('parse errors read like Go', () => {
    fails('{{foo}}', {}, 'template: :1: function "foo" not defined');
    fails('{{.A', {}, 'template: :1: unclosed action');
    fails('{{if .A}}x', {}, 'template: :1: unexpected EOF');
    fails('x{{end}}', {}, 'template: :1: unexpected {{end}}');
    fails('{{$x}}', {}, 'template: :1: undefined variable "$x"');
    fails('{{}}', {}, 'template: :1: missing value for command');
    fails('{{.A | "x"}}', {}, 'template: :1: non executable command in pipeline stage 2');
    fails('{{.A#}}', {}, "template: :1: bad character U+0023 '#'");
    fails('a\n{{/* x }}', {}, 'template: :2: unclosed comment');
    fails('{{"abc}}', {}, 'template: :1: unterminated quoted string');
    fails('{{range $i, $e, $f := .L}}{{end}}', {}, 'template: :1: too many declarations in range');
    fails('{{break}}', {}, 'template: :1: {{break}} outside {{range}}');
    fails('{{else}}', {}, 'template: :1: unexpected {{else}}');
    fails('{{(1}}', {}, 'template: :1: unclosed left paren');
    fails('{{if}}x{{end}}', {}, 'template: :1: missing value for if');
  });
  it('execution errors name the line, column and node', () => {
    fails('x\n  {{index .L 5}}', { L: [1] }, 'template: :2:4: executing "" at <index .L 5>: error calling index: index out of range: 5');
    fails('{{len 3}}', {}, /error calling len: len of type int$/);
    fails('{{index .M 1 2}}', { M: 'ab' }, /error calling index: can't index item of type int$/);
    fails('{{eq .A 1}}', { A: 'x' }, /error calling eq: incompatible types for comparison$/);
    fails('{{lt .A .B}}', { A: true, B: false }, /invalid type for comparison$/);
    fails('{{printf}}', {}, /at <printf>: wrong number of args for printf: want at least 1 got 0$/);
    fails('{{upper "a" "b"}}', {}, /wrong number of args for upper: want 1 got 2$/);
    fails('{{range .S}}{{end}}', { S: 'str' }, /range can't iterate over str$/);
    fails('{{nil}}', {}, /nil is not a command$/);
    fails('{{define "T"}}{{template "T" .}}{{end}}{{template "T"}}', {}, /exceeded maximum template depth \(1000\)$/);
    fails('{{.F}}', { F: () => { throw new Error('boom'); } }, /at <.F>: error calling F: boom$/);
    fails('{{.ABCDEFGHIJKLMNOPQRSTUVWXYZ}}', { A: 1 }, /at <.ABCDEFGHIJKLMNOPQRS...>/);
  });
});

describe('report: formatRows / formatOne (podman conventions)', () => {
  const rows = [
    { ID: 'c061a0839e', Value: 'one' },
    { ID: 'f10fc2e11057', Value: 'two' },
    { ID: '1eb6fab5aa8f4b5cbfd3e66aa35e9b2a', Value: 'three' },
  ];
  it('recognizes json, table and normalizes escapes', () => {
    assert.ok(isJSONFormat('json') && isJSONFormat(' {{ json }} ') && isJSONFormat('{{json .}}'));
    assert.ok(!isJSONFormat('{{json .ID}}') && !isJSONFormat('jsonx'));
    assert.ok(hasTable('table {{.ID}}') && !hasTable('{{.ID}} table'));
    assert.equal(normalizeFormat('{{.ID}}\\t{{.ID}}'), '{{.ID}}\t{{.ID}}\n');
    assert.equal(normalizeFormat('table {{.ID}} {{.ID}}'), '{{.ID}}\t{{.ID}}\n');
    assert.equal(normalizeFormat('a\\nb\n'), 'a\nb\n');
    assert.equal(enforceRange('{{range .}}x{{end}}'), '{{range .}}x{{end}}');
    assert.equal(enforceRange('x'), '{{range .}}x{{end -}}');
  });
  it('default headers split camel case like report.Headers', () => {
    const want: Record<string, string> = { CreatedAt: 'CREATED AT', ID: 'ID', ReadOnly: 'READ ONLY', PDFLoader: 'PDF LOADER', GL11Version: 'GL 11 VERSION', Fieldb: 'FIELDB' };
    for (const [k, v] of Object.entries(want)) assert.equal(defaultHeader(k), v);
  });
  it('table: header line and tabwriter alignment (minwidth 12, padding 2)', () => {
    assert.equal(formatRows('table {{.ID}}\t{{.Value}}', rows, { headers: { ID: 'Identity' } }),
      'IDENTITY                          VALUE\n'
      + 'c061a0839e                        one\n'
      + 'f10fc2e11057                      two\n'
      + '1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n');
    assert.equal(formatRows('table {{.ID}}', rows.slice(0, 1)), 'ID\nc061a0839e\n');
    assert.equal(formatRows('table {{ .ID}}\\n', rows.slice(0, 1)), 'ID\nc061a0839e\n');
    assert.equal(formatRows('table {{.ID}} {{.Value}}', rows.slice(0, 1), { noHeading: true }), 'c061a0839e  one\n');
    assert.equal(formatRows('table {{.ID}}', []), 'ID\n');
  });
  it('table: an images-like listing', () => {
    const images = [
      { Repository: 'docker.io/library/alpine', Tag: 'latest', ID: 'a1b2c3d4e5f6', Created: '2 weeks ago', Size: '7.8 MB' },
      { Repository: 'localhost/x', Tag: 'v1', ID: '0123456789ab', Created: '3 days ago', Size: '1 kB' },
    ];
    assert.equal(formatRows('table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}', images, { headers: { ID: 'image id' } }),
      'REPOSITORY                TAG         IMAGE ID      CREATED      SIZE\n'
      + 'docker.io/library/alpine  latest      a1b2c3d4e5f6  2 weeks ago  7.8 MB\n'
      + 'localhost/x               v1          0123456789ab  3 days ago   1 kB\n');
  });
  it('table: the header line goes through the same functions, as in podman', () => {
    const data = [{ Names: ['web', 'db'], Ports: ['80/tcp'], Status: 'Up' }];
    assert.equal(formatRows('table {{join .Names ","}}\t{{.Status | lower}}\t{{json .Ports}}', data),
      'NAMES       status      "PORTS"\nweb,db      up          ["80/tcp"]\n');
  });
  it('non-table formats: one rendering per row, newline appended once', () => {
    assert.equal(formatRows('{{.ID}}', rows), 'c061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n');
    assert.equal(formatRows('{{.ID}}\n', rows.slice(0, 1)), 'c061a0839e\n');
    assert.equal(formatRows('ID\t{{.ID}}', rows.slice(0, 1)), 'ID\tc061a0839e\n');
    assert.equal(formatRows('{{.ID}}\\t{{.Value}}', rows.slice(0, 1)), 'c061a0839e\tone\n');
    assert.equal(formatRows('{{range .}}{{.ID}}{{end -}}', rows), 'c061a0839ef10fc2e110571eb6fab5aa8f4b5cbfd3e66aa35e9b2a');
    assert.equal(formatRows('{{range .}}{{.ID}}\tID\n{{end}}', rows),
      'c061a0839e\tID\nf10fc2e11057\tID\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n\n');
    // "\n" inside a quoted string cannot be normalized; the format is parsed as typed
    assert.equal(formatRows('{{range .}}{{printf "\\n"}}{{end -}}', rows), '\n\n\n');
  });
  it('podman-origin templates go through the tabwriter too', () => {
    const { template, table } = parseFormat('Value\tIdent\n{{range .}}{{.ID}}\tID{{end}}', 'podman');
    assert.ok(table);
    const text = template.execute([{ ID: 'Identity', Value: 'Value' }]) + template.execute(rows);
    assert.equal(tabwrite(text),
      'Value       Ident\nIdentity    ID\nValue       Ident\nc061a0839e  IDf10fc2e11057  ID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  ID\n');
  });
  it('tabwriter: column blocks end where a line has no cell in the column', () => {
    assert.equal(tabwrite('a46001bfea3a4172b46c173101208244\tRandom\tuuid'), 'a46001bfea3a4172b46c173101208244  Random      uuid');
    assert.equal(tabwrite('a\tb\tc\nlonger-cell-here\td\n'), `a${' '.repeat(17)}b${' '.repeat(11)}c\nlonger-cell-here  d\n`);
    assert.equal(tabwrite('x\ty\nno tabs\nlong-long-long\tz\n'), 'x           y\nno tabs\nlong-long-long  z\n');
    assert.equal(tabwrite('Hello\tWorld', { minwidth: 4, padding: 1, padchar: ':' }), 'Hello:World');
  });
  it('json: rows as an indented array, Go escaping', () => {
    assert.equal(formatRows('json', [{ ID: 'a<b', N: 1, L: [] }]), '[\n    {\n        "ID": "a\\u003cb",\n        "N": 1,\n        "L": []\n    }\n]\n');
    assert.equal(formatRows('json', []), '[]\n');
    assert.equal(toGoJSON(new Map([['b', 1], ['a', 2]])), '{"a":2,"b":1}');
    assert.equal(formatInspectJson([{ A: '<&>' }]), '[\n     {\n          "A": "<&>"\n     }\n]\n');
    assert.equal(toGoJSON({ s: '\u2028\x01', d: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120)) }), '{"s":"\\u2028\\u0001","d":"2024-01-02T03:04:05.12Z"}');
  });
  it('formatOne: one object, json or template', () => {
    const info = { Store: { GraphRoot: '/g', RunRoot: '/r' }, Host: { Arch: 'amd64' } };
    assert.equal(formatOne('{{.Store.GraphRoot}}', info), '/g\n');
    assert.equal(formatOne('{{.Store.GraphRoot}}\n', info), '/g\n');
    assert.equal(formatOne('{{.Host.Arch}}\\t{{.Store.RunRoot}}', info), 'amd64\t/r\n');
    assert.equal(formatOne('{{json .Host}}', info), '{"Arch":"amd64"}\n');
    assert.equal(formatOne('json', { A: 1 }), '{\n    "A": 1\n}\n');
    assert.equal(formatOne('{{printf "%s\\n" .Host.Arch}}', info), 'amd64\n');
    assert.throws(() => formatOne('{{.Nope}}', info), /can't evaluate field Nope/);
  });
});

describe('formatRows: the direct path for plain field tables gives the engine\'s output', () => {
  const engine = (format: string, rows: unknown[], headers: Record<string, string> = {}, noHeading = false): string => {
    const { template } = parseFormat(format, 'user');
    let text = noHeading ? '' : template.executeHeader([new HeaderRow(headers)]);
    text += template.execute(rows);
    return tabwrite(text);
  };
  const rows = [
    { ID: 'abc123', Image: 'docker.io/library/busybox:latest', Command: 'sleep 1000', Names: 'one', Ports: '' },
    { ID: 'def456', Image: 'x', Command: 'sh -c "echo hi"', Names: 'two_longer_name', Ports: '0.0.0.0:8080->80/tcp' },
  ];
  for (const format of [
    'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Ports}}\t{{.Names}}',
    'table {{.ID}} {{.Names}}',
    'table {{ .ID }}\\t{{.Names}}\\n',
    'table ID={{.ID}} name: {{.Names}}',
  ]) {
    it(format, () => {
      const headers = { ID: 'CONTAINER ID', Names: 'NAMES' };
      assert.equal(formatRows(format, rows, { headers }), engine(format, rows, headers));
      assert.equal(formatRows(format, rows, { headers, noHeading: true }), engine(format, rows, headers, true));
    });
  }
  it('non-string values and other actions still go through the engine', () => {
    assert.equal(formatRows('table {{.N}}', [{ N: 3 }]), engine('table {{.N}}', [{ N: 3 }]));
    assert.equal(formatRows('table {{.ID}} {{upper .Names}}', rows), engine('table {{.ID}} {{upper .Names}}', rows));
    assert.throws(() => formatRows('table {{.Nope}}', rows));
  });
});
