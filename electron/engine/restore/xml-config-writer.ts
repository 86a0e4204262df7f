/**
 * Writes a configuration tree read with discovery's bounded XML reader back as text: the
 * element tree with its attributes (in their order) and text, indented, escaped. Comments,
 * processing instructions and namespace prefixes are not kept (the reader drops them); a
 * root namespace is given back by the caller (VirtualBox settings need theirs).
 */
import type { XmlElement } from '../discovery/bounded-xml.ts';

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function writeElement(element: XmlElement, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const attributes = [...element.attributes].map(([name, value]) => ` ${name}="${escapeXml(value)}"`).join('');
  if (element.children.length === 0) {
    lines.push(element.text === '' ? `${pad}<${element.name}${attributes}/>` : `${pad}<${element.name}${attributes}>${escapeText(element.text)}</${element.name}>`);
    return;
  }
  lines.push(`${pad}<${element.name}${attributes}>${element.text === '' ? '' : escapeText(element.text)}`);
  for (const child of element.children) writeElement(child, depth + 1, lines);
  lines.push(`${pad}</${element.name}>`);
}

/** The document's text; `declaration` adds `<?xml version="1.0"?>` first. */
export function writeXmlDocument(root: XmlElement, options: { declaration?: boolean } = {}): string {
  const lines: string[] = options.declaration ? ['<?xml version="1.0"?>'] : [];
  writeElement(root, 0, lines);
  return `${lines.join('\n')}\n`;
}

/** A new element (for generated configurations). */
export function xmlElement(name: string, attributes: Record<string, string | undefined> = {}, children: XmlElement[] = [], text = ''): XmlElement {
  const map = new Map<string, string>();
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) map.set(key, value);
  return { name, attributes: map, children, text };
}
