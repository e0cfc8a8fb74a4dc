// A writer for the subset of Ruby's Marshal format (version 4.8) that a gemspec needs.
// `gem install` loads each gem's specification from quick/Marshal.4.8/*.gemspec.rz,
// which is a Marshal dump, so there is no way around producing one. Objects are never
// shared (no "@" links): Ruby's loader accepts repeated definitions, and it keeps this
// writer a plain tree walk. Repeated symbols are written as links, as Ruby does.

export type RubyValue =
  | null
  | boolean
  | number
  | string
  | { kind: "symbol"; name: string }
  | RubyValue[]
  | { kind: "hash"; entries: [RubyValue, RubyValue][] }
  /** A plain object: class name and instance variables (names with their "@"). */
  | { kind: "object"; className: string; ivars: [string, RubyValue][] }
  /** An object with marshal_dump/marshal_load, e.g. Gem::Version. */
  | { kind: "userMarshal"; className: string; data: RubyValue }
  /** An object with _dump/_load, e.g. Gem::Specification: its own bytes. */
  | { kind: "userDef"; className: string; bytes: Uint8Array };

export const sym = (name: string): RubyValue => ({ kind: "symbol", name });

class Writer {
  private chunks: number[] = [];
  private symbols = new Map<string, number>();

  byte(b: number) {
    this.chunks.push(b & 0xff);
  }

  bytes(b: Uint8Array) {
    for (const x of b) this.chunks.push(x);
  }

  /** Marshal's packed integer (w_long). */
  long(n: number) {
    if (!Number.isInteger(n) || n < -0x40000000 || n >= 0x40000000) throw new RangeError(`Marshal integer out of range: ${n}`);
    if (n === 0) return this.byte(0);
    if (n > 0 && n < 123) return this.byte(n + 5);
    if (n < 0 && n > -124) return this.byte(n - 5);
    const out: number[] = [];
    let v = n;
    for (let i = 0; i < 4; i++) {
      out.push(v & 0xff);
      v >>= 8;
      if ((n >= 0 && v === 0) || (n < 0 && v === -1)) break;
    }
    this.byte(n >= 0 ? out.length : -out.length);
    for (const b of out) this.byte(b);
  }

  rawString(b: Uint8Array) {
    this.long(b.length);
    this.bytes(b);
  }

  symbol(name: string) {
    const seen = this.symbols.get(name);
    if (seen !== undefined) {
      this.byte(0x3b); // ';' a link to the seen-th symbol
      return this.long(seen);
    }
    this.symbols.set(name, this.symbols.size);
    this.byte(0x3a); // ':'
    this.rawString(new TextEncoder().encode(name));
  }

  value(v: RubyValue): void {
    if (v === null) return this.byte(0x30); // '0'
    if (v === true) return this.byte(0x54); // 'T'
    if (v === false) return this.byte(0x46); // 'F'
    if (typeof v === "number") {
      this.byte(0x69); // 'i'
      return this.long(v);
    }
    if (typeof v === "string") {
      // A UTF-8 string: the bytes, then the instance variable E = true (its encoding).
      this.byte(0x49); // 'I'
      this.byte(0x22); // '"'
      this.rawString(new TextEncoder().encode(v));
      this.long(1);
      this.symbol("E");
      return this.byte(0x54);
    }
    if (Array.isArray(v)) {
      this.byte(0x5b); // '['
      this.long(v.length);
      for (const item of v) this.value(item);
      return;
    }
    switch (v.kind) {
      case "symbol":
        return this.symbol(v.name);
      case "hash":
        this.byte(0x7b); // '{'
        this.long(v.entries.length);
        for (const [k, val] of v.entries) {
          this.value(k);
          this.value(val);
        }
        return;
      case "object":
        this.byte(0x6f); // 'o'
        this.symbol(v.className);
        this.long(v.ivars.length);
        for (const [name, val] of v.ivars) {
          this.symbol(name);
          this.value(val);
        }
        return;
      case "userMarshal":
        this.byte(0x55); // 'U'
        this.symbol(v.className);
        return this.value(v.data);
      case "userDef":
        this.byte(0x75); // 'u'
        this.symbol(v.className);
        return this.rawString(v.bytes);
    }
  }

  done(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/** Marshal.dump(value). */
export function marshalDump(value: RubyValue): Uint8Array {
  const w = new Writer();
  w.byte(4);
  w.byte(8);
  w.value(value);
  return w.done();
}
