import { excludePattern } from './settings/schema.js';
import type { ProfileInput } from './settings/schema.js';
import { prefixProblem } from './destination/snapshot-name.js';

/**
 * `snaptray import-config`: reads the old router script's config file (Python syntax) without
 * running any of it, and maps it to a Snaptray profile. Only literal values, `+` and names
 * assigned earlier are understood; everything else is reported, never evaluated.
 */

export type PyValue = string | number | PyValue[];

export interface ImportOptions {
  /** The router that held BACKUP_DIR (the file never names it: the router read it itself). */
  host?: { user?: string; host: string };
}

export interface ImportReport {
  profile: ProfileInput;
  /** What was mapped, in words, e.g. "PREFIX → prefix 'univac'". */
  imported: string[];
  notImported: { name: string; why: string }[];
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Tokens and logical lines

type Token =
  | { kind: 'name'; text: string; line: number }
  | { kind: 'string'; value: string; line: number }
  | { kind: 'number'; value: number; line: number }
  | { kind: 'op'; text: string; line: number }
  | { kind: 'bad'; why: string; line: number };

interface Statement {
  line: number;
  /** Began with white space: Python would read it as part of a block (or refuse it). */
  indented: boolean;
  tokens: Token[];
}

const NAME = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const NAME_CHAR = /[\p{ID_Continue}]/uy;
const ASSIGNMENT_START = /[\p{ID_Start}_][\p{ID_Continue}]*[ \t]*(?:=(?!=)|\+=)/uy;
const STRING_PREFIX = /^(?:[rubft]|br|rb|fr|rf|tr|rt)$/i;
const NUMBER =
  /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*\.?(?:\d(?:_?\d)*)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?/y;
// prettier-ignore
const LONG_OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=',
  '|=', '^=', '@=', ':=', '->', '**', '//', '<<', '>>',
];
const SHORT_OPERATORS = '+-*/%@&|^~<>=()[]{},:;.!';
const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Splits the file into logical lines of tokens, as Python does (brackets join lines). */
function splitStatements(text: string): Statement[] {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const statements: Statement[] = [];
  let tokens: Token[] = [];
  let startLine = 1;
  let indented = false;
  let depth = 0;
  let opened = { bracket: '', line: 0 };
  let line = 1;
  let i = 0;
  let lineStart = true;

  const add = (token: Token): void => {
    if (tokens.length === 0) startLine = token.line;
    tokens.push(token);
  };
  const end = (): void => {
    if (tokens.length > 0) statements.push({ line: startLine, indented, tokens });
    tokens = [];
  };
  const unclosed = (): Token => ({
    kind: 'bad',
    why: `'${opened.bracket}' is never closed`,
    line: opened.line,
  });

  while (i < src.length) {
    if (lineStart) {
      lineStart = false;
      let j = i;
      while (src[j] === ' ' || src[j] === '\t' || src[j] === '\f') j++;
      // `NAME =` at the start of a line cannot be inside brackets: one was left open above.
      if (depth > 0 && j === i && matchesAt(ASSIGNMENT_START, src, i)) {
        add(unclosed());
        depth = 0;
        end();
      }
      if (tokens.length === 0) indented = j > i;
      i = j;
      continue;
    }
    const c = src.charAt(i);
    if (c === '\n') {
      line++;
      i++;
      lineStart = true;
      if (depth === 0) end();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      const newline = src.indexOf('\n', i);
      i = newline === -1 ? src.length : newline;
      continue;
    }
    if (c === '\\' && src.charAt(i + 1) === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === ';' && depth === 0) {
      i++;
      end();
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(src);
    if (name) {
      const word = name[0];
      const after = src.charAt(i + word.length);
      if ((after === '"' || after === "'") && STRING_PREFIX.test(word)) {
        const scanned = scanString(src, i + word.length, word.toLowerCase());
        add(stringToken(scanned, word.toLowerCase(), line));
        line += scanned.newlines;
        i = scanned.end;
      } else {
        add({ kind: 'name', text: word, line });
        i += word.length;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      const scanned = scanString(src, i, '');
      add(stringToken(scanned, '', line));
      line += scanned.newlines;
      i = scanned.end;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(src.charAt(i + 1)))) {
      NUMBER.lastIndex = i;
      const text = NUMBER.exec(src)?.[0] ?? c;
      i += text.length;
      if (matchesAt(NAME_CHAR, src, i)) {
        NAME.lastIndex = i;
        const tail = NAME.exec(src)?.[0] ?? '';
        i += tail.length;
        add({ kind: 'bad', why: `${text}${tail} is not a number that can be read`, line });
      } else {
        add(numberToken(text, line));
      }
      continue;
    }
    const op =
      LONG_OPERATORS.find((o) => src.startsWith(o, i)) ?? (SHORT_OPERATORS.includes(c) ? c : '');
    if (op !== '') {
      if (op === '(' || op === '[' || op === '{') {
        if (depth === 0) opened = { bracket: op, line };
        depth++;
      } else if ((op === ')' || op === ']' || op === '}') && depth > 0) {
        depth--;
      }
      add({ kind: 'op', text: op, line });
      i += op.length;
      continue;
    }
    const char = String.fromCodePoint(src.codePointAt(i) ?? 0);
    add({ kind: 'bad', why: `unexpected character ${quote(char)}`, line });
    i += char.length;
  }
  if (depth > 0) add(unclosed());
  end();
  return statements;
}

function matchesAt(re: RegExp, src: string, at: number): boolean {
  re.lastIndex = at;
  return re.test(src);
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

interface ScannedString {
  value: string;
  why: string | null;
  /** Index just past the closing quote (or where scanning stopped). */
  end: number;
  newlines: number;
}

/** Reads one string literal starting at its opening quote; `prefix` is lower case. */
function scanString(src: string, start: number, prefix: string): ScannedString {
  const quoteChar = src.charAt(start);
  const closer = src.startsWith(quoteChar.repeat(3), start) ? quoteChar.repeat(3) : quoteChar;
  const triple = closer.length === 3;
  const raw = prefix.includes('r');
  let i = start + closer.length;
  let value = '';
  let why: string | null = null;
  let newlines = 0;
  for (;;) {
    if (i >= src.length) return { value, why: 'a string is never closed', end: i, newlines };
    if (src.startsWith(closer, i)) return { value, why, end: i + closer.length, newlines };
    const c = src.charAt(i);
    if (c === '\n') {
      if (!triple) return { value, why: 'a string is not closed on its line', end: i, newlines };
      newlines++;
      value += c;
      i++;
      continue;
    }
    if (c !== '\\' || i + 1 >= src.length) {
      value += c;
      i++;
      continue;
    }
    const next = src.charAt(i + 1);
    if (next === '\n') newlines++;
    if (raw) {
      // A raw string keeps its backslashes; one still stops the next quote from closing it.
      value += c + next;
      i += 2;
      continue;
    }
    const escape = readEscape(src, i);
    if ('why' in escape) why ??= escape.why;
    else value += escape.text;
    i += escape.length;
  }
}

function readEscape(
  src: string,
  at: number,
): { text: string; length: number } | { why: string; length: number } {
  const next = src.charAt(at + 1);
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { text: simple, length: 2 };
  const octal = /[0-7]{1,3}/y;
  octal.lastIndex = at + 1;
  const digits = octal.exec(src)?.[0];
  if (digits !== undefined) {
    return { text: String.fromCodePoint(parseInt(digits, 8)), length: 1 + digits.length };
  }
  const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const hex = src.slice(at + 2, at + 2 + hexLength);
    const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : -1;
    if (code < 0 || code > 0x10ffff) {
      return { why: `a \\${next} escape is not valid`, length: 2 };
    }
    return { text: String.fromCodePoint(code), length: 2 + hexLength };
  }
  if (next === 'N') return { why: 'a \\N{…} escape is not read', length: 2 };
  // Python keeps an unknown escape as it is, backslash included.
  return { text: '\\' + next, length: 2 };
}

function stringToken(scanned: ScannedString, prefix: string, line: number): Token {
  if (scanned.why !== null) return { kind: 'bad', why: scanned.why, line };
  if (prefix.includes('f')) return { kind: 'bad', why: 'f-strings are not read', line };
  if (prefix.includes('t')) return { kind: 'bad', why: 'template strings are not read', line };
  if (prefix.includes('b')) return { kind: 'bad', why: 'bytes literals are not read', line };
  return { kind: 'string', value: scanned.value, line };
}

function numberToken(text: string, line: number): Token {
  const digits = text.replace(/_/g, '');
  const base = { x: 16, o: 8, b: 2 }[digits.charAt(1).toLowerCase()];
  const isFloat = base === undefined && /[.eE]/.test(digits);
  if (base === undefined && !isFloat && /^0+[1-9]/.test(digits)) {
    return { kind: 'bad', why: `${text}: Python 3 refuses leading zeros`, line };
  }
  const value = base === undefined ? Number(digits) : parseInt(digits.slice(2), base);
  if (!Number.isFinite(value) || (!isFloat && !Number.isSafeInteger(value))) {
    return { kind: 'bad', why: `${text} is too large`, line };
  }
  return { kind: 'number', value, line };
}

// ---------------------------------------------------------------------------------------------
// Statements and values

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except ' +
    'finally for from global if import in is lambda nonlocal not or pass raise return try while ' +
    'with yield'
  ).split(' '),
);
const BLOCK_KEYWORDS = new Set(
  'async class def elif else except finally for if try while with'.split(' '),
);
/** Nesting limit for lists and unary signs: keeps recursion and later readers shallow. */
const MAX_DEPTH = 32;
/** Characters plus list items one value may hold. */
const MAX_WEIGHT = 1_000_000;
/** Characters plus list items the whole file may build with `+` and lists. */
const FILE_BUDGET = 5_000_000;
const NOTHING_RUNS = 'nothing in the file is run';
/** After a name: a call, attribute access or indexing, none of which is ever run. */
const ACCESS_OPERATORS = ['(', '.', '['];

interface Env {
  values: Map<string, PyValue>;
  /** Names whose latest assignment was skipped, with its line. */
  skipped: Map<string, number>;
  /** Every name assigned anywhere in the file. */
  assignedAnywhere: Set<string>;
  /** Guards against a file that doubles a value line after line. */
  budget: number;
  /** Size and nesting of every list built here. */
  sizes: WeakMap<PyValue[], { weight: number; depth: number }>;
}

type Outcome = { ok: true; value: PyValue } | { ok: false; why: string; line: number };

interface Cursor {
  tokens: Token[];
  pos: number;
  depth: number;
  env: Env;
}

type StatementResult =
  | { kind: 'assigned'; name: string; value: PyValue }
  | { kind: 'skipped'; name: string | null; problem: string; opensBlock: boolean };

/** Reads assignments `NAME = value` safely: nothing is executed, unknown syntax is reported. */
export function parsePythonConfig(text: string): {
  values: Map<string, PyValue>;
  problems: string[];
} {
  const statements = splitStatements(text);
  const env: Env = {
    values: new Map(),
    skipped: new Map(),
    assignedAnywhere: new Set(statements.flatMap((s) => assignmentTarget(s.tokens) ?? [])),
    budget: FILE_BUDGET,
    sizes: new WeakMap(),
  };
  const problems: string[] = [];
  let inBlock = false;
  for (const statement of statements) {
    // The block's header was reported already; its body belongs to it.
    if (inBlock && statement.indented) continue;
    const result = readStatement(statement, env);
    if (result.kind === 'assigned') {
      env.values.set(result.name, result.value);
      env.skipped.delete(result.name);
      inBlock = false;
      continue;
    }
    problems.push(result.problem);
    inBlock = result.opensBlock;
    if (result.name !== null) {
      // Its real value is unknown now, so an earlier one must not stand in for it.
      env.values.delete(result.name);
      env.skipped.set(result.name, statement.line);
    }
  }
  return { values: env.values, problems };
}

function assignmentTarget(tokens: Token[]): string | null {
  const [first, second] = tokens;
  if (first?.kind !== 'name' || KEYWORDS.has(first.text)) return null;
  if (second?.kind !== 'op' || (second.text !== '=' && second.text !== '+=')) return null;
  return first.text;
}

function readStatement(statement: Statement, env: Env): StatementResult {
  const { tokens } = statement;
  const target = assignmentTarget(tokens);
  const skip = (why: string, line: number, opensBlock = false): StatementResult => ({
    kind: 'skipped',
    name: target,
    problem:
      target === null ? `line ${line}: skipped: ${why}` : `line ${line}: ${target} skipped: ${why}`,
    opensBlock,
  });
  const bad = tokens.find((t) => t.kind === 'bad');
  if (bad?.kind === 'bad') return skip(bad.why, bad.line);
  if (statement.indented) return skip('unexpected indentation', statement.line);
  if (target === null) {
    return skip(describeNonAssignment(tokens), statement.line, isBlockHeader(tokens));
  }
  const cursor: Cursor = { tokens, pos: 2, depth: 0, env };
  const result = parseSum(cursor);
  if (!result.ok) return skip(result.why, result.line);
  const rest = tokens[cursor.pos];
  if (rest !== undefined) return skip(describeUnexpected(rest), rest.line);
  const augmented = tokens[1]?.kind === 'op' && tokens[1].text === '+=';
  if (!augmented) return { kind: 'assigned', name: target, value: result.value };
  const before = lookUp(target, env, statement.line);
  if (!before.ok) return skip(before.why, before.line);
  const joined = join(before.value, result.value, statement.line, env);
  if (!joined.ok) return skip(joined.why, joined.line);
  return { kind: 'assigned', name: target, value: joined.value };
}

function isBlockHeader(tokens: Token[]): boolean {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  return (
    (first?.kind === 'name' && BLOCK_KEYWORDS.has(first.text)) ||
    (last?.kind === 'op' && last.text === ':')
  );
}

function describeNonAssignment(tokens: Token[]): string {
  const [first, second] = tokens;
  if (first?.kind === 'name' && (first.text === 'import' || first.text === 'from')) {
    return 'import statements are not read';
  }
  if (first?.kind === 'name' && BLOCK_KEYWORDS.has(first.text)) {
    return `'${first.text}' blocks are not read, nor the lines indented under them`;
  }
  if (first?.kind === 'name' && KEYWORDS.has(first.text)) {
    return `'${first.text}' statements are not read`;
  }
  if (first?.kind === 'name' && second?.kind === 'op') {
    if (ACCESS_OPERATORS.includes(second.text)) return describeAccess(tokens, 0);
    if (second.text === ',') return 'only one name can be assigned per line';
    if (second.text === ':') return 'type annotations are not read';
    if (second.text.endsWith('=')) return `'${second.text}' is not read (only = and +=)`;
  }
  return 'not an assignment of the form NAME = value';
}

/** Names what a `name(…)`, `name.attr` or `name[…]` would have done. */
function describeAccess(tokens: Token[], at: number): string {
  let chain = '';
  let pos = at;
  for (;;) {
    const name = tokens[pos];
    if (name?.kind !== 'name') break;
    chain += name.text;
    pos++;
    const dot = tokens[pos];
    const following = tokens[pos + 1];
    if (dot?.kind !== 'op' || dot.text !== '.' || following?.kind !== 'name') break;
    chain += '.';
    pos++;
  }
  const next = tokens[pos];
  if (next?.kind === 'op' && next.text === '(')
    return `${chain}(…) is a function call; ${NOTHING_RUNS}`;
  if (next?.kind === 'op' && next.text === '[') return `${chain}[…] is indexing, which is not read`;
  return `${chain} is attribute access; ${NOTHING_RUNS}`;
}

function describeUnexpected(token: Token): string {
  switch (token.kind) {
    case 'bad':
      return token.why;
    case 'name':
      if (token.text === 'for') return 'comprehensions are not read';
      if (token.text === 'if') return 'conditional expressions are not read';
      return `unexpected name ${token.text}`;
    case 'string':
      return 'unexpected string';
    case 'number':
      return 'unexpected number';
    case 'op':
      if (token.text === '=') return 'chained assignments are not read';
      if (token.text === ',') return 'tuples are not read';
      if (['-', '*', '/', '//', '%', '**', '@', '|', '&', '^', '<<', '>>'].includes(token.text)) {
        return `'${token.text}' is not read (only + joining strings or lists is)`;
      }
      return `unexpected '${token.text}'`;
  }
}

function fail(why: string, line: number): Outcome {
  return { ok: false, why, line };
}

function parseSum(c: Cursor): Outcome {
  let left = parseUnary(c);
  for (;;) {
    if (!left.ok) return left;
    const op = c.tokens[c.pos];
    if (op?.kind !== 'op' || op.text !== '+') return left;
    c.pos++;
    const right = parseUnary(c);
    if (!right.ok) return right;
    left = join(left.value, right.value, op.line, c.env);
  }
}

function parseUnary(c: Cursor): Outcome {
  const sign = c.tokens[c.pos];
  if (sign?.kind !== 'op' || (sign.text !== '-' && sign.text !== '+')) return parsePrimary(c);
  c.pos++;
  if (++c.depth > MAX_DEPTH) return fail(`nested more than ${MAX_DEPTH} levels deep`, sign.line);
  const inner = parseUnary(c);
  c.depth--;
  if (!inner.ok) return inner;
  if (typeof inner.value !== 'number') {
    return fail(`'${sign.text}' works only on numbers here`, sign.line);
  }
  // `0 - x` rather than `-x`: a -0 would surprise every comparison downstream.
  return { ok: true, value: sign.text === '-' ? 0 - inner.value : inner.value };
}

function parsePrimary(c: Cursor): Outcome {
  const token = c.tokens[c.pos];
  if (token === undefined) return fail('a value is missing', c.tokens[c.pos - 1]?.line ?? 0);
  let result: Outcome;
  let label: string;
  switch (token.kind) {
    case 'string': {
      let value = '';
      // Adjacent literals join, as in Python: 'a' 'b' is 'ab'.
      for (let t = c.tokens[c.pos]; t?.kind === 'string'; t = c.tokens[c.pos]) {
        value += t.value;
        c.pos++;
      }
      result = { ok: true, value };
      label = 'a string';
      break;
    }
    case 'number':
      c.pos++;
      result = { ok: true, value: token.value };
      label = 'a number';
      break;
    case 'name': {
      const next = c.tokens[c.pos + 1];
      if (next?.kind === 'op' && ACCESS_OPERATORS.includes(next.text)) {
        return fail(describeAccess(c.tokens, c.pos), token.line);
      }
      c.pos++;
      result = lookUp(token.text, c.env, token.line);
      label = token.text;
      break;
    }
    case 'op':
      if (token.text === '[') {
        result = parseList(c, token.line);
        label = 'a list';
      } else if (token.text === '(') {
        result = parseGroup(c, token.line);
        label = 'a value in brackets';
      } else if (token.text === '{') {
        return fail('dicts and sets are not read', token.line);
      } else {
        return fail(describeUnexpected(token), token.line);
      }
      break;
    case 'bad':
      return fail(token.why, token.line);
  }
  if (!result.ok) return result;
  const next = c.tokens[c.pos];
  if (next?.kind === 'op' && next.text === '(') {
    return fail(`calling ${label} is not read; ${NOTHING_RUNS}`, next.line);
  }
  if (next?.kind === 'op' && next.text === '.') {
    const attribute = c.tokens[c.pos + 1];
    const name = attribute?.kind === 'name' ? attribute.text : '…';
    return fail(`.${name} on ${label} is attribute access; ${NOTHING_RUNS}`, next.line);
  }
  if (next?.kind === 'op' && next.text === '[') {
    return fail(`indexing ${label} is not read`, next.line);
  }
  return result;
}

function lookUp(name: string, env: Env, line: number): Outcome {
  if (name === 'True' || name === 'False' || name === 'None') {
    return fail(`${name} is not read (only strings, numbers and lists are)`, line);
  }
  if (KEYWORDS.has(name)) return fail(`'${name}' is not read`, line);
  const value = env.values.get(name);
  if (value !== undefined) return { ok: true, value };
  const skippedOn = env.skipped.get(name);
  if (skippedOn !== undefined) return fail(`uses ${name}, skipped on line ${skippedOn}`, line);
  if (env.assignedAnywhere.has(name)) return fail(`uses ${name} before it is assigned`, line);
  return fail(`uses ${name}, which the file never assigns`, line);
}

function parseList(c: Cursor, line: number): Outcome {
  c.pos++;
  if (++c.depth > MAX_DEPTH) return fail(`lists nested more than ${MAX_DEPTH} deep`, line);
  const items: PyValue[] = [];
  for (;;) {
    const close = c.tokens[c.pos];
    if (close?.kind === 'op' && close.text === ']') break;
    const item = parseSum(c);
    if (!item.ok) return item;
    items.push(item.value);
    const separator = c.tokens[c.pos];
    if (separator?.kind === 'op' && separator.text === ',') {
      c.pos++;
      continue;
    }
    if (separator?.kind === 'op' && separator.text === ']') break;
    if (separator === undefined) return fail("'[' is never closed", line);
    return fail(describeUnexpected(separator), separator.line);
  }
  c.pos++;
  c.depth--;
  return makeList(items, line, c.env);
}

function parseGroup(c: Cursor, line: number): Outcome {
  c.pos++;
  const empty = c.tokens[c.pos];
  if (empty?.kind === 'op' && empty.text === ')') return fail('tuples are not read', line);
  if (++c.depth > MAX_DEPTH) return fail(`nested more than ${MAX_DEPTH} levels deep`, line);
  const inner = parseSum(c);
  c.depth--;
  if (!inner.ok) return inner;
  const close = c.tokens[c.pos];
  if (close?.kind === 'op' && close.text === ')') {
    c.pos++;
    return inner;
  }
  if (close === undefined) return fail("'(' is never closed", line);
  return fail(describeUnexpected(close), close.line);
}

function weightOf(value: PyValue, env: Env): number {
  if (typeof value === 'string') return value.length + 1;
  if (typeof value === 'number') return 1;
  return env.sizes.get(value)?.weight ?? value.length + 1;
}

function depthOf(value: PyValue, env: Env): number {
  return Array.isArray(value) ? (env.sizes.get(value)?.depth ?? 1) : 0;
}

function spend(weight: number, line: number, env: Env): Outcome | null {
  if (weight > MAX_WEIGHT)
    return fail('the value is too large (over a million characters or list items)', line);
  env.budget -= weight;
  if (env.budget < 0) return fail('the file builds more data than a config file needs', line);
  return null;
}

function makeList(items: PyValue[], line: number, env: Env): Outcome {
  let weight = 1;
  let depth = 1;
  for (const item of items) {
    weight += weightOf(item, env);
    depth = Math.max(depth, depthOf(item, env) + 1);
  }
  if (depth > MAX_DEPTH) return fail(`lists nested more than ${MAX_DEPTH} deep`, line);
  const refused = spend(weight, line, env);
  if (refused) return refused;
  env.sizes.set(items, { weight, depth });
  return { ok: true, value: items };
}

function join(left: PyValue, right: PyValue, line: number, env: Env): Outcome {
  if (typeof left === 'string' && typeof right === 'string') {
    const refused = spend(left.length + right.length + 1, line, env);
    return refused ?? { ok: true, value: left + right };
  }
  if (Array.isArray(left) && Array.isArray(right)) return makeList(left.concat(right), line, env);
  return fail(`+ cannot join ${kindOf(left)} and ${kindOf(right)}`, line);
}

function kindOf(value: PyValue): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  return 'a list';
}

// ---------------------------------------------------------------------------------------------
// Mapping the old script's settings

/** The old script's hook commands, and the notification each one sent with notify-send. */
const COMMANDS = {
  PREBACKUP_CMD: { notification: 'started', hook: 'hooks.pre' },
  AFTERBACKUP_CMD: { notification: 'finished', hook: 'hooks.after' },
  FAILBACKUP_CMD: { notification: 'failed', hook: 'hooks.fail' },
} as const;
type CommandName = keyof typeof COMMANDS;

const NOTIFY_SEND = /(?:^|[^\w-])notify-send(?![\w-])/;
/** notify-send with its options and message, removed before looking for other commands. */
const NOTIFY_SEND_CALL =
  /notify-send(?:[ \t]+(?:"(?:[^"\\]|\\.)*"|-[\w-]+(?:=[^\s;&|]*)?|[\w.:,-]+))*/g;
const SHELL_SEPARATOR = /[;&|`\n]|\$\(/;
/** Same bounds as retentionSchema.maxAgeDays. */
const MAX_AGE_DAYS = 36500;

interface Mapping {
  report: ImportReport;
  opts: ImportOptions;
}

/**
 * Maps the old script's values to a profile. The file was written for the router pulling from
 * this machine, so its SOURCE is this machine and BACKUP_DIR is a folder on the router.
 */
export function mapOldConfig(values: Map<string, PyValue>, opts: ImportOptions): ImportReport {
  const m: Mapping = {
    report: { profile: { destination: '' }, imported: [], notImported: [], warnings: [] },
    opts,
  };
  for (const [name, value] of values) {
    switch (name) {
      case 'PREFIX':
        mapPrefix(value, m);
        break;
      case 'BACKUP_DIR':
        mapBackupDir(value, m);
        break;
      case 'SOURCE':
        mapSource(value, m);
        break;
      case 'EXCLUDES':
        mapExcludes(value, m);
        break;
      case 'OLD_AGE':
        mapOldAge(value, m);
        break;
      case 'PREBACKUP_CMD':
      case 'AFTERBACKUP_CMD':
      case 'FAILBACKUP_CMD':
        mapCommand(name, value, m);
        break;
      case 'SSH':
        notImported(
          m,
          name,
          "the router's own key and known_hosts; Snaptray uses this machine's ssh key: see README",
        );
        break;
      default:
        notImported(m, name, 'not a setting of the old script');
    }
  }
  return m.report;
}

/** Parses and maps in one go; problems reading the file become warnings. */
export function importConfigText(text: string, opts: ImportOptions): ImportReport {
  const { values, problems } = parsePythonConfig(text);
  const report = mapOldConfig(values, opts);
  return { ...report, warnings: [...problems, ...report.warnings] };
}

function notImported(m: Mapping, name: string, why: string): void {
  m.report.notImported.push({ name, why });
}

function mapPrefix(value: PyValue, m: Mapping): void {
  if (typeof value !== 'string') {
    notImported(m, 'PREFIX', `must be a string, but is ${describe(value)}`);
    return;
  }
  const problem = prefixProblem(value);
  if (problem !== null) {
    notImported(m, 'PREFIX', `${quote(value)} ${problem}`);
    return;
  }
  m.report.profile.prefix = value;
  m.report.imported.push(`PREFIX → prefix ${quote(value)}`);
}

function mapBackupDir(value: PyValue, m: Mapping): void {
  if (typeof value !== 'string') {
    notImported(m, 'BACKUP_DIR', `must be a string, but is ${describe(value)}`);
    return;
  }
  const problem = absolutePathProblem(value);
  if (problem !== null) {
    notImported(m, 'BACKUP_DIR', problem);
    return;
  }
  const folder = withoutTrailingSlash(value);
  const host = m.opts.host;
  if (host === undefined) {
    notImported(
      m,
      'BACKUP_DIR',
      `${quote(folder)} is a folder on the router, which the file does not name`,
    );
    m.report.warnings.push(
      `No destination set: BACKUP_DIR ${quote(folder)} is on the router; pass --host with the router's address to import it`,
    );
    return;
  }
  const address = routerAddress(host);
  if (!address.ok) {
    notImported(m, 'BACKUP_DIR', address.why);
    m.report.warnings.push(`No destination set: ${address.why}`);
    return;
  }
  const destination = `${address.text}:${folder}`;
  m.report.profile.destination = destination;
  m.report.imported.push(`BACKUP_DIR → destination ${quote(destination)}`);
}

function routerAddress(host: {
  user?: string;
  host: string;
}): { ok: true; text: string } | { ok: false; why: string } {
  const name = host.host;
  const ipv6 = /^\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]?$/.test(name);
  if (!ipv6 && !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name)) {
    return { ok: false, why: `--host ${quote(name)} is not a host name or address` };
  }
  const user = host.user;
  if (user !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9._-]*\$?$/.test(user)) {
    return { ok: false, why: `--host user ${quote(user)} is not a user name` };
  }
  // rsync reads `host:path`, so an IPv6 address needs its brackets.
  const shownHost = ipv6 && !name.startsWith('[') ? `[${name}]` : name;
  return { ok: true, text: user === undefined ? shownHost : `${user}@${shownHost}` };
}

function mapSource(value: PyValue, m: Mapping): void {
  if (typeof value !== 'string') {
    notImported(m, 'SOURCE', `must be a string, but is ${describe(value)}`);
    return;
  }
  if (value.startsWith('rsync://')) {
    notImported(m, 'SOURCE', `${quote(value)} is an rsync daemon module, not a folder`);
    return;
  }
  const remote = /^((?:[^@/:\s]+@)?(?:\[[^\]/]*\]|[^:/[]+)):(.*)$/s.exec(value);
  if (remote === null) {
    notImported(
      m,
      'SOURCE',
      `${quote(value)} is a folder on the router itself, not on this machine`,
    );
    return;
  }
  const [, hostPart = '', path = ''] = remote;
  if (path.startsWith(':')) {
    notImported(m, 'SOURCE', `${quote(value)} is an rsync daemon module, not a folder`);
    return;
  }
  const problem = absolutePathProblem(path);
  if (problem !== null) {
    notImported(m, 'SOURCE', `its path ${problem}`);
    return;
  }
  const source = withoutTrailingSlash(path);
  m.report.profile.sources = [source];
  m.report.imported.push(
    `SOURCE → sources [${quote(source)}] (its host part, ${hostPart}, was this machine as the router reached it)`,
  );
  if (source === '/') {
    m.report.warnings.push(
      "Backing up / needs root: run snaptray from root's cron (or the tray as root)",
    );
  }
}

function mapExcludes(value: PyValue, m: Mapping): void {
  if (!Array.isArray(value)) {
    notImported(m, 'EXCLUDES', `must be a list of rsync patterns, but is ${describe(value)}`);
    return;
  }
  const kept: string[] = [];
  value.forEach((item, index) => {
    const name = `EXCLUDES[${index}]`;
    if (typeof item !== 'string') {
      notImported(m, name, `must be a string, but is ${describe(item)}`);
      return;
    }
    const checked = excludePattern.safeParse(item);
    if (checked.success) kept.push(item);
    else
      notImported(m, name, `${quote(item)} ${checked.error.issues[0]?.message ?? 'is not usable'}`);
  });
  m.report.profile.excludes = kept;
  m.report.imported.push(
    `EXCLUDES → excludes (${plural(kept.length, 'rsync pattern')}, kept as written)`,
  );
}

function mapOldAge(value: PyValue, m: Mapping): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_AGE_DAYS) {
    notImported(
      m,
      'OLD_AGE',
      `must be a whole number of days from 1 to ${MAX_AGE_DAYS}, but is ${describe(value)}`,
    );
    return;
  }
  m.report.profile.retention = { ...m.report.profile.retention, maxAgeDays: value };
  m.report.imported.push(`OLD_AGE → retention.maxAgeDays ${value}`);
}

function mapCommand(name: CommandName, value: PyValue, m: Mapping): void {
  const { notification, hook } = COMMANDS[name];
  if (typeof value !== 'string') {
    notImported(m, name, `must be a string, but is ${describe(value)}`);
    return;
  }
  if (value.trim() === '') {
    if (notification === 'failed') {
      notImported(m, name, 'was empty; Snaptray notifies failures by default');
      return;
    }
    // The old script stayed silent here; keep it so rather than add a notification.
    setNotification(m, notification, false);
    m.report.imported.push(`${name} → notifications.${notification} off (it was empty)`);
    return;
  }
  if (!NOTIFY_SEND.test(value)) {
    notImported(
      m,
      name,
      `${quote(value)} ran on the router; for a command on this machine use Snaptray's ${hook}`,
    );
    return;
  }
  setNotification(m, notification, true);
  m.report.imported.push(`${name} → notifications.${notification} on (it ran notify-send)`);
  if (SHELL_SEPARATOR.test(value.replace(NOTIFY_SEND_CALL, ''))) {
    m.report.warnings.push(
      `${name} may run more than notify-send; only its notification was imported, the rest ran on the router (Snaptray's ${hook} runs commands here): ${quote(value)}`,
    );
  }
}

function setNotification(m: Mapping, kind: 'started' | 'finished' | 'failed', on: boolean): void {
  m.report.profile.notifications = { ...m.report.profile.notifications, [kind]: on };
}

function absolutePathProblem(value: string): string | null {
  if (!value.startsWith('/')) return `${quote(value)} is not an absolute path`;
  if (value.includes('\n') || value.includes('\0')) return `${quote(value)} holds a line break`;
  return null;
}

function withoutTrailingSlash(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function describe(value: PyValue): string {
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a list of ${plural(value.length, 'item')}`;
}

/** A Python-like quoted form that is safe to print: control and bidi characters are escaped. */
function quote(text: string): string {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  const mark = shown.includes("'") && !shown.includes('"') ? '"' : "'";
  let out = '';
  for (const char of shown) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === mark) out += '\\' + char;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${hex(code, 2)}`;
    else if ((code >= 0x2028 && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
      out += `\\u${hex(code, 4)}`;
    } else out += char;
  }
  return mark + out + mark;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
