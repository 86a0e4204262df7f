/**
 * LVM2's text metadata ("vg0 { id = "..." seqno = 4 ... }") parsed into nested sections.
 * The text is bounded before parsing (size, nesting depth, item count); anything that is
 * not the grammar below is damage naming the line.
 *   section := NAME '{' item* '}'      item := NAME '=' value | section
 *   value   := STRING | NUMBER | '[' (value (',' value)*)? ']'
 */
import { guestDamage } from '../guest-errors.ts';

export type LvmValue = string | number | LvmValue[];
export interface LvmSection {
  values: Map<string, LvmValue>;
  sections: Map<string, LvmSection>;
}

export const MAX_METADATA_TEXT = 4 * 1024 * 1024;
const MAX_DEPTH = 16;
const MAX_ITEMS = 200_000;
const WHAT = 'The LVM2 metadata text';

interface Token {
  kind: 'name' | 'string' | 'number' | 'punct';
  text: string;
  line: number;
}

const NAME = /[A-Za-z0-9_.+\-]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line += 1;
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i += 1;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if ('{}[]=,'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i += 1;
    } else if (c === '"') {
      let value = '';
      i += 1;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i += 1;
        if (text[i] === '\n') line += 1;
        value += text[i];
        i += 1;
      }
      if (i >= text.length) throw guestDamage(WHAT, `a string on line ${line} never ends`);
      i += 1;
      tokens.push({ kind: 'string', text: value, line });
    } else if (NAME.test(c)) {
      const start = i;
      while (i < text.length && NAME.test(text[i] as string)) i += 1;
      const word = text.slice(start, i);
      tokens.push({ kind: /^-?[0-9]+$/.test(word) ? 'number' : 'name', text: word, line });
    } else if (c === '\u0000') {
      break;
    } else {
      throw guestDamage(WHAT, `line ${line} has the unexpected character ${JSON.stringify(c)}`);
    }
    if (tokens.length > MAX_ITEMS * 4) throw guestDamage(WHAT, 'it has more items than a volume group holds');
  }
  return tokens;
}

export function parseLvmText(text: string): LvmSection {
  if (text.length > MAX_METADATA_TEXT) throw guestDamage(WHAT, `it is ${text.length} bytes long`);
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const next = (expect?: string): Token => {
    const token = tokens[at];
    if (!token) throw guestDamage(WHAT, 'it ends in the middle of a section');
    if (expect !== undefined && token.text !== expect) throw guestDamage(WHAT, `line ${token.line} has "${token.text}" where "${expect}" belongs`);
    at += 1;
    return token;
  };
  const value = (depth: number): LvmValue => {
    const token = next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.text !== '[' || depth > MAX_DEPTH) throw guestDamage(WHAT, `line ${token.line} has "${token.text}" where a value belongs`);
    const list: LvmValue[] = [];
    if (peek()?.text === ']') {
      next();
      return list;
    }
    for (;;) {
      list.push(value(depth + 1));
      const separator = next();
      if (separator.text === ']') return list;
      if (separator.text !== ',') throw guestDamage(WHAT, `line ${separator.line} has "${separator.text}" inside a list`);
    }
  };
  const section = (depth: number, closing: boolean): LvmSection => {
    if (depth > MAX_DEPTH) throw guestDamage(WHAT, `sections nest deeper than ${MAX_DEPTH}`);
    const out: LvmSection = { values: new Map(), sections: new Map() };
    for (;;) {
      const token = peek();
      if (!token) {
        if (closing) throw guestDamage(WHAT, 'a section never closes');
        return out;
      }
      if (token.text === '}') {
        if (!closing) throw guestDamage(WHAT, `line ${token.line} closes a section that was never opened`);
        next();
        return out;
      }
      const name = next();
      if (name.kind !== 'name' && name.kind !== 'number') throw guestDamage(WHAT, `line ${name.line} has "${name.text}" where a name belongs`);
      const op = next();
      if (op.text === '=') out.values.set(name.text, value(depth));
      else if (op.text === '{') out.sections.set(name.text, section(depth + 1, true));
      else throw guestDamage(WHAT, `line ${op.line} has "${op.text}" after the name ${name.text}`);
    }
  };
  return section(0, false);
}

export function numberOf(section: LvmSection, key: string, what: string): number {
  const value = section.values.get(key);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw guestDamage(`${WHAT} of ${what}`, `"${key}" is ${JSON.stringify(value)}, not a count`);
  }
  return value;
}

export function stringOf(section: LvmSection, key: string): string | undefined {
  const value = section.values.get(key);
  return typeof value === 'string' ? value : undefined;
}
