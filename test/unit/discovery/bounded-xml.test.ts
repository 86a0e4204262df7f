/** The bounded XML reader: namespaces ignored, entities limited, DTDs refused, limits enforced. */
import { describe, expect, it } from 'vitest';
import { XML_LIMITS, parseBoundedXml, xmlAttr, xmlChild, xmlDescendants } from '../../../electron/engine/discovery/bounded-xml.ts';

describe('parseBoundedXml', () => {
  it('reads elements, attributes and text with namespace prefixes removed', () => {
    const root = parseBoundedXml(`<?xml version="1.0"?>
<!-- comment -->
<vbox:VirtualBox xmlns:vbox="http://www.virtualbox.org/" version="1.19-linux">
  <vbox:Machine name="a &amp; b" uuid='{X}'><Description>x &lt; y &#65;&#x42;<![CDATA[<raw>]]></Description></vbox:Machine>
</vbox:VirtualBox>`, 'a.vbox');
    expect(root.name).toBe('VirtualBox');
    expect([...root.attributes.keys()]).toEqual(['version']);
    const machine = xmlChild(root, 'Machine');
    expect(xmlAttr(machine, 'name')).toBe('a & b');
    expect(xmlAttr(machine, 'uuid')).toBe('{X}');
    expect(xmlChild(machine, 'Description')?.text).toBe('x < y AB<raw>');
  });

  it('finds descendants without entering stopped subtrees', () => {
    const root = parseBoundedXml('<a><b id="1"/><s><b id="2"/></s><c><b id="3"/></c></a>', 'x.xml');
    expect(xmlDescendants(root, 'b', ['s']).map((b) => xmlAttr(b, 'id'))).toEqual(['1', '3']);
  });

  it('refuses a DOCTYPE (no entity can expand) and unknown entities', () => {
    const billion = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><lolz>&lol;</lolz>';
    expect(() => parseBoundedXml(billion, 'evil.xml')).toThrow(/DOCTYPE or DTD is not allowed/);
    expect(() => parseBoundedXml('<a>&ext;</a>', 'evil.xml')).toThrow(/entity &ext; is not allowed/);
  });

  it('names the file and line of malformed XML', () => {
    expect(() => parseBoundedXml('<a>\n<b></a>', 'bad.xml')).toThrow(/bad\.xml .*closing tag a does not match b \(line 2\)/);
    expect(() => parseBoundedXml('<a>', 'cut.xml')).toThrow(/ends inside an element/);
    expect(() => parseBoundedXml('<a/><b/>', 'two.xml')).toThrow(/content after the root element/);
    try {
      parseBoundedXml('<a', 'cut.xml');
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('INVALID_INPUT');
    }
  });

  it('stops at the depth and element limits instead of growing', () => {
    const deep = `${'<d>'.repeat(XML_LIMITS.maxDepth + 1)}${'</d>'.repeat(XML_LIMITS.maxDepth + 1)}`;
    expect(() => parseBoundedXml(deep, 'deep.xml')).toThrow(/nested deeper than 256/);
    const many = `<r>${'<e/>'.repeat(XML_LIMITS.maxElements)}</r>`;
    expect(() => parseBoundedXml(many, 'many.xml')).toThrow(/more than 200000 elements/);
    expect(() => parseBoundedXml(`<r>${' '.repeat(XML_LIMITS.maxChars)}</r>`, 'big.xml')).toThrow(/larger than/);
  });
});
