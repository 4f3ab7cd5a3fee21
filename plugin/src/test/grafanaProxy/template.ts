/**
 * The subset of Go's text/template that plugin route urls, headers and bodies use, evaluated the way
 * pkg/api/pluginproxy/utils.go interpolateString does: `template.New("content").Funcs({orEmpty}).Parse(text)` then
 * Execute with templateData{URL, JsonData map[string]any, SecureJsonData map[string]string}.
 * Supported: text, `{{ .Field.key }}`, `{{if}}/{{else}}/{{else if}}/{{end}}`, `| orEmpty`, string literals, `{{-`/`-}}`.
 * Anything else is a parse error, as it would be for a template Grafana cannot run.
 */

export interface TemplateData {
  URL?: string;
  JsonData?: Record<string, unknown> | null;
  SecureJsonData?: Record<string, string> | null;
}

export class TemplateError extends Error {}

/** Go's "invalid reflect.Value": a missing map key. Printed as "<no value>", false in `if`. */
const NO_VALUE = Symbol('no value');
type Value = unknown;

type Cmd = { kind: 'field'; chain: string[] } | { kind: 'string'; value: string } | { kind: 'orEmpty'; arg?: Cmd };
type Pipe = Cmd[];
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if'; pipe: Pipe; then: Node[]; else: Node[] };

interface Action {
  text: string;
}

function lex(text: string): Array<string | Action> {
  const out: Array<string | Action> = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open === -1) {
      out.push(text.slice(i));
      break;
    }
    let before = text.slice(i, open);
    let start = open + 2;
    if (text.startsWith('- ', start) || text.startsWith('-\t', start) || text.startsWith('-\n', start)) {
      before = before.replace(/\s+$/, ''); // text/template: "{{- " trims preceding white space
      start += 1;
    }
    const close = text.indexOf('}}', start);
    if (close === -1) {
      throw new TemplateError('unclosed action');
    }
    let inner = text.slice(start, close);
    let next = close + 2;
    const trimAfter = /\s-$/.test(inner);
    if (trimAfter) {
      inner = inner.slice(0, -1);
    }
    out.push(before, { text: inner.trim() });
    if (trimAfter) {
      while (next < text.length && /\s/.test(text[next])) {
        next++;
      }
    }
    i = next;
  }
  return out.filter((p) => p !== '');
}

function parsePipe(src: string): Pipe {
  const tokens = src.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\|(?!\|)|[^\s|]+/g) ?? [];
  const cmds: Pipe = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length === 0) {
      throw new TemplateError(`missing command in ${JSON.stringify(src)}`);
    }
    cmds.push(parseCmd(current));
    current = [];
  };
  for (const t of tokens) {
    if (t === '|') {
      flush();
    } else {
      current.push(t);
    }
  }
  flush();
  return cmds;
}

function parseOperand(t: string): Cmd {
  if (/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(t)) {
    return { kind: 'field', chain: t.slice(1).split('.') };
  }
  if (t === '.') {
    return { kind: 'field', chain: [] };
  }
  if (t.startsWith('"')) {
    return { kind: 'string', value: JSON.parse(t) as string };
  }
  if (t.startsWith('`')) {
    return { kind: 'string', value: t.slice(1, -1) };
  }
  throw new TemplateError(`function or operand ${JSON.stringify(t)} not defined`);
}

function parseCmd(words: string[]): Cmd {
  if (words[0] === 'orEmpty') {
    if (words.length > 2) {
      throw new TemplateError('wrong number of args for orEmpty');
    }
    return { kind: 'orEmpty', arg: words[1] === undefined ? undefined : parseOperand(words[1]) };
  }
  if (words.length > 1) {
    throw new TemplateError(`can't give argument to non-function ${words[0]}`);
  }
  return parseOperand(words[0]);
}

function parse(text: string): Node[] {
  const parts = lex(text);
  let pos = 0;
  const list = (stopAt: Set<string>): { nodes: Node[]; stop?: string } => {
    const nodes: Node[] = [];
    while (pos < parts.length) {
      const p = parts[pos++];
      if (typeof p === 'string') {
        nodes.push({ kind: 'text', text: p });
        continue;
      }
      const word = p.text.split(/\s+/)[0];
      if (word === 'end' || word === 'else') {
        if (!stopAt.has(word)) {
          throw new TemplateError(`unexpected {{${word}}}`);
        }
        return { nodes, stop: p.text };
      }
      if (word === 'if') {
        nodes.push(parseIf(p.text.slice(2).trim()));
        continue;
      }
      if (p.text.startsWith('/*')) {
        continue; // a comment
      }
      if (
        ['range', 'with', 'define', 'template', 'block'].includes(word) ||
        p.text.includes('$') ||
        p.text.includes('(')
      ) {
        throw new TemplateError(`{{${p.text}}} is beyond the modelled subset of text/template`);
      }
      nodes.push({ kind: 'action', pipe: parsePipe(p.text) });
    }
    if (stopAt.size > 0) {
      throw new TemplateError('unexpected EOF');
    }
    return { nodes };
  };
  const parseIf = (cond: string): Node => {
    if (cond === '') {
      throw new TemplateError('missing value for if');
    }
    const pipe = parsePipe(cond);
    const body = list(new Set(['else', 'end']));
    let elseNodes: Node[] = [];
    if (body.stop?.startsWith('else')) {
      const rest = body.stop.slice(4).trim();
      if (rest.startsWith('if ')) {
        elseNodes = [parseIf(rest.slice(3).trim())]; // {{else if x}} … {{end}}, one shared end
        return { kind: 'if', pipe, then: body.nodes, else: elseNodes };
      }
      const tail = list(new Set(['end']));
      if (tail.stop !== 'end') {
        throw new TemplateError('expected end');
      }
      elseNodes = tail.nodes;
    }
    return { kind: 'if', pipe, then: body.nodes, else: elseNodes };
  };
  return list(new Set()).nodes;
}

function field(data: TemplateData, chain: string[]): Value {
  let v: Value = data;
  for (let i = 0; i < chain.length; i++) {
    const name = chain[i];
    if (v === NO_VALUE) {
      throw new TemplateError(`nil pointer evaluating .${chain.slice(0, i + 1).join('.')}`);
    }
    if (i === 0) {
      if (!['URL', 'JsonData', 'SecureJsonData'].includes(name)) {
        throw new TemplateError(`can't evaluate field ${name} in type pluginproxy.templateData`);
      }
      const top = (data as Record<string, unknown>)[name];
      v = name === 'URL' ? (top ?? '') : (top ?? {}); // a nil map indexes like an empty one
      continue;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      v = Object.prototype.hasOwnProperty.call(v, name) ? (v as Record<string, unknown>)[name] : NO_VALUE;
    } else {
      throw new TemplateError(`can't evaluate field ${name} in type ${goTypeOf(v)}`);
    }
  }
  return v;
}

const goTypeOf = (v: Value) =>
  typeof v === 'string'
    ? 'string'
    : typeof v === 'number'
      ? 'float64'
      : typeof v === 'boolean'
        ? 'bool'
        : 'interface {}';

function run(cmd: Cmd, data: TemplateData, piped: Value | undefined, hasPiped: boolean): Value {
  switch (cmd.kind) {
    case 'field':
    case 'string':
      if (hasPiped) {
        throw new TemplateError("can't give argument to non-function");
      }
      return cmd.kind === 'string' ? cmd.value : field(data, cmd.chain);
    case 'orEmpty': {
      const args = [...(cmd.arg ? [run(cmd.arg, data, undefined, false)] : []), ...(hasPiped ? [piped] : [])];
      if (args.length !== 1) {
        throw new TemplateError('wrong number of args for orEmpty: want 1');
      }
      // utils.go orEmpty: nil (a missing key arrives as a nil interface) becomes "".
      return args[0] === null || args[0] === undefined || args[0] === NO_VALUE ? '' : args[0];
    }
  }
}

function evalPipe(pipe: Pipe, data: TemplateData): Value {
  let v: Value = undefined;
  pipe.forEach((cmd, i) => (v = run(cmd, data, v, i > 0)));
  return v;
}

/** text/template isTrue: zero values and missing keys are false. */
function isTrue(v: Value): boolean {
  if (v === NO_VALUE || v === null || v === undefined) {
    return false;
  }
  if (typeof v === 'string') {
    return v !== '';
  }
  if (typeof v === 'number') {
    return v !== 0;
  }
  if (typeof v === 'boolean') {
    return v;
  }
  if (Array.isArray(v)) {
    return v.length > 0;
  }
  return Object.keys(v as object).length > 0;
}

/** fmt %v of a float64 = strconv.FormatFloat(f, 'g', -1, 64): shortest digits, %e when exp < -4 || exp >= 6. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) {
    return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  }
  if (n === 0) {
    return Object.is(n, -0) ? '-0' : '0';
  }
  const [mant, expStr] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** fmt's %v for the values JSON decoding produces. */
function print(v: Value): string {
  if (v === NO_VALUE) {
    return '<no value>';
  }
  if (v === null || v === undefined) {
    return '<nil>';
  }
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number') {
    return goFloat(v);
  }
  if (typeof v === 'boolean') {
    return String(v);
  }
  if (Array.isArray(v)) {
    return `[${v.map(print).join(' ')}]`;
  }
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o)
    .sort()
    .map((k) => `${k}:${print(o[k])}`)
    .join(' ')}]`;
}

function exec(nodes: Node[], data: TemplateData): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') {
      out += n.text;
    } else if (n.kind === 'action') {
      out += print(evalPipe(n.pipe, data));
    } else {
      out += exec(isTrue(evalPipe(n.pipe, data)) ? n.then : n.else, data);
    }
  }
  return out;
}

/** utils.go interpolateString: parse errors → "could not parse template …", run errors → "failed to execute template …". */
export function interpolateString(text: string, data: TemplateData): string {
  let nodes: Node[];
  try {
    nodes = parse(text);
  } catch (e) {
    throw new TemplateError(`could not parse template ${text}: ${(e as Error).message}`);
  }
  try {
    return exec(nodes, data);
  } catch (e) {
    throw new TemplateError(`failed to execute template ${text}: ${(e as Error).message}`);
  }
}
