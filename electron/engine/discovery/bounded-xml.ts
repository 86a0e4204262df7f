/**
 * A small, bounded XML reader for hypervisor configs (VirtualBox .vbox and VirtualBox.xml,
 * libvirt domain XML). Configs are untrusted input: no DTD (a DOCTYPE is refused, so no
 * entity can expand), only the five predefined entities and character references, caps on
 * input length, depth, element count and attributes. Names are reported without their
 * namespace prefix and namespaces are ignored, so `vbox:Machine` and `Machine` read alike.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

export interface XmlElement {
  /** Local name (prefix removed). */
  name: string;
  /** Attributes by local name; namespace declarations are dropped. */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** Character data directly inside this element, concatenated and trimmed. */
  text: string;
}

export const XML_LIMITS = { maxChars: 16 * 1024 * 1024, maxDepth: 256, maxElements: 200_000, maxAttributes: 512 };

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

class XmlReader {
  private position = 0;
  private elements = 0;

  private readonly source: string;
  private readonly file: string;

  constructor(source: string, file: string) {
    this.source = source;
    this.file = file;
  }

  fail(problem: string): LabvaultError {
    const line = this.source.slice(0, this.position).split('\n').length;
    return new LabvaultError(ErrorCodes.INVALID_INPUT, `${this.file} is not XML this app can read: ${problem} (line ${line}).`,
      { field: 'config', details: { file: this.file, line } });
  }

  private startsWith(text: string): boolean {
    return this.source.startsWith(text, this.position);
  }

  private skipPast(marker: string, what: string): void {
    const end = this.source.indexOf(marker, this.position);
    if (end === -1) throw this.fail(`unterminated ${what}`);
    this.position = end + marker.length;
  }

  private skipSpace(): void {
    for (;;) {
      const code = this.source.charCodeAt(this.position);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return;
      this.position += 1;
    }
  }

  private readName(): string {
    NAME.lastIndex = this.position;
    const match = NAME.exec(this.source);
    if (!match) throw this.fail('expected a name');
    this.position += match[0].length;
    return match[0];
  }

  decode(raw: string): string {
    return raw.replace(/&([^;&\s]{1,10});/g, (_whole, entity: string) => {
      if (entity.startsWith('#')) {
        const code = entity[1] === 'x' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
        if (!Number.isInteger(code) || code < 1 || code > 0x10ffff) throw this.fail(`bad character reference &${entity};`);
        return String.fromCodePoint(code);
      }
      const value = PREDEFINED[entity];
      if (value === undefined) throw this.fail(`entity &${entity}; is not allowed (only the five predefined ones)`);
      return value;
    });
  }

  /** Skips the prolog (declaration, comments, processing instructions); refuses a DOCTYPE. */
  private skipMisc(): void {
    for (let guard = 0; guard < 1_000_000; guard += 1) {
      this.skipSpace();
      if (this.startsWith('<?')) this.skipPast('?>', 'processing instruction');
      else if (this.startsWith('<!--')) this.skipPast('-->', 'comment');
      else if (this.startsWith('<!')) throw this.fail('a DOCTYPE or DTD is not allowed in a VM configuration');
      else return;
    }
  }

  private readAttributes(element: XmlElement): boolean {
    for (;;) {
      this.skipSpace();
      if (this.startsWith('/>')) { this.position += 2; return true; }
      if (this.startsWith('>')) { this.position += 1; return false; }
      const name = this.readName();
      this.skipSpace();
      if (!this.startsWith('=')) throw this.fail(`attribute ${name} has no value`);
      this.position += 1;
      this.skipSpace();
      const quote = this.source[this.position];
      if (quote !== '"' && quote !== "'") throw this.fail(`attribute ${name} value is not quoted`);
      const end = this.source.indexOf(quote, this.position + 1);
      if (end === -1) throw this.fail(`attribute ${name} value is not terminated`);
      const value = this.source.slice(this.position + 1, end);
      if (value.includes('<')) throw this.fail(`attribute ${name} value holds "<"`);
      this.position = end + 1;
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      if (element.attributes.size >= XML_LIMITS.maxAttributes) throw this.fail('too many attributes');
      element.attributes.set(localName(name), this.decode(value));
    }
  }

  /** Reads one element whose `<` is at the current position; iterative, depth-bounded. */
  readDocument(): XmlElement {
    this.skipMisc();
    if (!this.startsWith('<')) throw this.fail('no root element');
    const stack: { element: XmlElement; rawName: string; text: string[] }[] = [];
    let root: XmlElement | null = null;
    while (this.position < this.source.length) {
      if (this.startsWith('<!--')) { this.skipPast('-->', 'comment'); continue; }
      if (this.startsWith('<![CDATA[')) {
        const end = this.source.indexOf(']]>', this.position);
        if (end === -1) throw this.fail('unterminated CDATA section');
        stack.at(-1)?.text.push(this.source.slice(this.position + 9, end));
        this.position = end + 3;
        continue;
      }
      if (this.startsWith('<?')) { this.skipPast('?>', 'processing instruction'); continue; }
      if (this.startsWith('<!')) throw this.fail('a DOCTYPE or DTD is not allowed in a VM configuration');
      if (this.startsWith('</')) {
        this.position += 2;
        const name = this.readName();
        this.skipSpace();
        if (!this.startsWith('>')) throw this.fail(`bad closing tag ${name}`);
        this.position += 1;
        const open = stack.pop();
        if (!open || open.rawName !== name) throw this.fail(`closing tag ${name} does not match ${open?.rawName ?? 'anything'}`);
        open.element.text = open.text.join('').trim();
        if (stack.length === 0) { root = open.element; break; }
        continue;
      }
      if (this.startsWith('<')) {
        if (root !== null || (stack.length === 0 && this.elements > 0)) throw this.fail('more than one root element');
        this.position += 1;
        const rawName = this.readName();
        this.elements += 1;
        if (this.elements > XML_LIMITS.maxElements) throw this.fail(`more than ${XML_LIMITS.maxElements} elements`);
        if (stack.length >= XML_LIMITS.maxDepth) throw this.fail(`nested deeper than ${XML_LIMITS.maxDepth} elements`);
        const element: XmlElement = { name: localName(rawName), attributes: new Map(), children: [], text: '' };
        stack.at(-1)?.element.children.push(element);
        const selfClosed = this.readAttributes(element);
        if (selfClosed) {
          if (stack.length === 0) { root = element; break; }
        } else {
          stack.push({ element, rawName, text: [] });
        }
        continue;
      }
      const next = this.source.indexOf('<', this.position);
      const end = next === -1 ? this.source.length : next;
      const top = stack.at(-1);
      if (!top) throw this.fail('text outside the root element');
      top.text.push(this.decode(this.source.slice(this.position, end)));
      this.position = end;
    }
    if (root === null) throw this.fail('the document ends inside an element');
    this.skipMisc();
    if (this.position < this.source.length) throw this.fail('content after the root element');
    return root;
  }
}

/** Parses `source` (read from `file`, named in errors). INVALID_INPUT on anything malformed or over a limit. */
export function parseBoundedXml(source: string, file: string): XmlElement {
  if (source.length > XML_LIMITS.maxChars) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${file} is larger than ${XML_LIMITS.maxChars} characters: not a VM configuration.`,
      { field: 'config', details: { file } });
  }
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  return new XmlReader(text, file).readDocument();
}

export function xmlAttr(element: XmlElement | undefined, name: string): string | undefined {
  return element?.attributes.get(name);
}

export function xmlChild(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((child) => child.name === name);
}

export function xmlChildren(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((child) => child.name === name) : [];
}

/**
 * Every element named `name` below `element`, depth first, not descending into elements whose
 * name is in `stopAt` (e.g. the Snapshot subtree when reading a machine's current state).
 */
export function xmlDescendants(
  element: XmlElement | undefined, name: string, stopAt: readonly string[] = [],
): XmlElement[] {
  const found: XmlElement[] = [];
  const pending = element ? [...element.children].reverse() : [];
  while (pending.length > 0) {
    const next = pending.pop() as XmlElement;
    if (stopAt.includes(next.name)) continue;
    if (next.name === name) found.push(next);
    for (let i = next.children.length - 1; i >= 0; i -= 1) pending.push(next.children[i] as XmlElement);
  }
  return found;
}
