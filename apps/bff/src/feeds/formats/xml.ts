// A deliberately small XML reader for manifests (.nuspec). It understands elements,
// attributes, text, CDATA, comments, processing instructions and the five predefined
// entities plus character references — and refuses DTDs outright, so there are no
// external or custom entities to expand. It is iterative (no recursion) and bounded.
import { FormatError } from "./errors.ts";

export interface XmlElement {
  /** Local name: any "prefix:" is dropped, so namespaced and plain manifests read alike. */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), children's text excluded. */
  text: string;
}

const MAX_ELEMENTS = 100_000;
const MAX_DEPTH = 128;
const NAME = /[^\s/>=<"']+/y;
const ATTR = /\s*([^\s/>=<"']+)\s*=\s*("[^"<]*"|'[^'<]*')/y;

export function parseXml(src: string, what: string): XmlElement {
  const bad = (why: string) => new FormatError(`${what} is not well-formed XML: ${why}.`);
  const stack: { qname: string; el: XmlElement }[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    const textEnd = lt < 0 ? src.length : lt;
    if (textEnd > i) {
      const text = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.el.text += decodeEntities(text, what);
      else if (text.trim()) throw bad("text outside the root element");
      i = textEnd;
      continue;
    }
    if (src.startsWith("<?", i)) {
      i = skipPast(src, i, "?>", bad);
    } else if (src.startsWith("<!--", i)) {
      i = skipPast(src, i + 4, "-->", bad);
    } else if (src.startsWith("<![CDATA[", i)) {
      const end = src.indexOf("]]>", i + 9);
      const top = stack[stack.length - 1];
      if (end < 0 || !top) throw bad("misplaced or unterminated CDATA section");
      top.el.text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith("<!", i)) {
      // <!DOCTYPE …> and friends: a DTD could declare entities; manifests never need one.
      throw new FormatError(`${what} contains a DTD (<!DOCTYPE …>), which is not allowed.`);
    } else if (src.startsWith("</", i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(src);
      const close = src.indexOf(">", i);
      const top = stack.pop();
      if (!m || close < 0 || src.slice(NAME.lastIndex, close).trim()) throw bad("malformed closing tag");
      if (!top || top.qname !== m[0]) throw bad(`unexpected </${m[0]}>`);
      i = close + 1;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(src);
      if (!m) throw bad("malformed tag");
      if (root && stack.length === 0) throw bad("more than one root element");
      if (++count > MAX_ELEMENTS || stack.length >= MAX_DEPTH) throw bad("too many or too deeply nested elements");
      const el: XmlElement = { name: localName(m[0]), attrs: {}, children: [], text: "" };
      let p = NAME.lastIndex;
      for (;;) {
        ATTR.lastIndex = p;
        const a = ATTR.exec(src);
        if (!a) break;
        el.attrs[localName(a[1]!)] = decodeEntities(a[2]!.slice(1, -1), what);
        p = ATTR.lastIndex;
      }
      while (p < src.length && /\s/.test(src[p]!)) p++;
      const selfClosing = src.startsWith("/>", p);
      if (!selfClosing && src[p] !== ">") throw bad(`malformed <${m[0]}> tag`);
      const parent = stack[stack.length - 1];
      if (parent) parent.el.children.push(el);
      else root = el;
      if (!selfClosing) stack.push({ qname: m[0], el });
      i = p + (selfClosing ? 2 : 1);
    }
  }
  if (stack.length) throw bad(`<${stack[stack.length - 1]!.qname}> is never closed`);
  if (!root) throw bad("there is no root element");
  return root;
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

function localName(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function skipPast(src: string, from: number, end: string, bad: (why: string) => FormatError): number {
  const at = src.indexOf(end, from);
  if (at < 0) throw bad(`missing "${end}"`);
  return at + end.length;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(s: string, what: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(";")) throw new FormatError(`${what} has a stray "&"; write it as &amp;.`);
    const named = NAMED[ref];
    if (named !== undefined) return named;
    const num = /^#x([0-9a-fA-F]{1,6})$/.exec(ref) ?? /^#([0-9]{1,7})$/.exec(ref);
    if (num) {
      const cp = parseInt(num[1]!, ref[1] === "x" ? 16 : 10);
      const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0x10ffff && cp !== 0xfffe && cp !== 0xffff);
      if (ok) return String.fromCodePoint(cp);
    }
    throw new FormatError(`${what} uses the unknown or invalid XML entity ${whole}.`);
  });
}
