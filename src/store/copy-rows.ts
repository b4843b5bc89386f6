/**
 * COPY CSV rows written straight into a byte buffer as UTF-8. Building a million contract lines
 * as strings first made tens of millions of short-lived strings, and the database driver copied
 * every chunk again to encode it. Here each byte is written once.
 */
import { StoreError } from './driver.js';

const COMMA = 0x2c;
const QUOTE = 0x22;
const NEWLINE = 0x0a;

export class CopyRows {
  private bytes = Buffer.allocUnsafe(1 << 20);
  private length = 0;
  /** Rows written since the last `take`. */
  rows = 0;

  /** Writes a field separator. */
  comma(): void {
    this.reserve(1);
    this.bytes[this.length++] = COMMA;
  }

  /** Ends the row. */
  endRow(): void {
    this.reserve(1);
    this.bytes[this.length++] = NEWLINE;
    this.rows += 1;
  }

  /**
   * Writes text that needs no quoting as it is: numbers, dates, codes the importers checked, and
   * fields already quoted.
   */
  plain(value: string): void {
    this.reserve(value.length * 3);
    const bytes = this.bytes;
    let at = this.length;
    for (let index = 0; index < value.length; index++) {
      const code = value.charCodeAt(index);
      if (code >= 0x80) {
        this.length = at;
        this.encode(value.slice(index));
        return;
      }
      bytes[at++] = code;
    }
    this.length = at;
  }

  /**
   * Writes a string as a quoted field with its quotes doubled, so that an empty string stays
   * distinct from null (an empty unquoted field) and commas and line breaks survive.
   *
   * @throws StoreError for a NUL character, which PostgreSQL text cannot store; `what` names
   *   the field in the message.
   */
  quoted(value: string, what: string): void {
    // Each UTF-16 code unit takes at most 3 bytes, or 2 for a doubled quote, plus both quotes.
    this.reserve(value.length * 3 + 2);
    const bytes = this.bytes;
    let at = this.length;
    bytes[at++] = QUOTE;
    for (let index = 0; index < value.length; index++) {
      const code = value.charCodeAt(index);
      if (code === QUOTE) {
        bytes[at++] = QUOTE;
        bytes[at++] = QUOTE;
      } else if (code === 0) {
        throw new StoreError(
          `${what} ${JSON.stringify(value)} contains a NUL character, which cannot be stored`,
        );
      } else if (code < 0x80) {
        bytes[at++] = code;
      } else {
        const rest = value.slice(index);
        if (rest.includes('\u0000')) {
          throw new StoreError(
            `${what} ${JSON.stringify(value)} contains a NUL character, which cannot be stored`,
          );
        }
        this.length = at;
        this.encode(rest.replaceAll('"', '""'));
        at = this.length;
        break;
      }
    }
    bytes[at++] = QUOTE;
    this.length = at;
  }

  /** Returns the rows written so far as bytes of their own, and starts again. */
  take(): Buffer {
    const taken = Buffer.from(this.bytes.subarray(0, this.length));
    this.length = 0;
    this.rows = 0;
    return taken;
  }

  /** Writes text with characters outside ASCII; a lone surrogate becomes U+FFFD. */
  private encode(value: string): void {
    this.length += this.bytes.write(value, this.length, 'utf8');
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    const larger = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(larger, 0, 0, this.length);
    this.bytes = larger;
  }
}
