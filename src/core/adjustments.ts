/**
 * Adjustments to the end of a line's service, recorded so that explanations can show why a line
 * counts longer or shorter than its contract.
 */
import type { Day } from './dates.js';
import type { ContractLine } from './model.js';

/** A reason for a line's effective end to differ from its contracted end. */
export type EndAdjustment =
  | { readonly kind: 'renewed'; readonly by: string; readonly at: Day }
  | { readonly kind: 'overlap-trimmed'; readonly by: string; readonly at: Day }
  | { readonly kind: 'renewal-gap-bridged'; readonly by: string; readonly until: Day }
  | { readonly kind: 'account-gap-bridged'; readonly until: Day }
  | { readonly kind: 'lapsed'; readonly until: Day };

export type AdjustmentKind = EndAdjustment['kind'];
const ADJUSTMENT_KINDS: readonly AdjustmentKind[] = [
  'renewed',
  'overlap-trimmed',
  'renewal-gap-bridged',
  'account-gap-bridged',
  'lapsed',
];

/** End adjustments as parallel typed arrays: a million-line dataset can have 500,000 renewals. */
export class AdjustmentLog {
  private lines = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  /** The other line involved (the renewal or the overlapping line), or −1. */
  private others = new Int32Array(1024);
  /** The day the adjustment takes effect or lasts until. */
  private days = new Int32Array(1024);
  private size = 0;

  push(line: number, kind: AdjustmentKind, other: number, day: Day): void {
    if (this.size === this.lines.length) this.grow();
    this.lines[this.size] = line;
    this.kinds[this.size] = ADJUSTMENT_KINDS.indexOf(kind);
    this.others[this.size] = other;
    this.days[this.size] = day;
    this.size++;
  }

  /** Lists the adjustments of one line, in the order applied. */
  forLine(index: number, lines: readonly ContractLine[]): EndAdjustment[] {
    const result: EndAdjustment[] = [];
    for (let position = 0; position < this.size; position++) {
      if (this.lines[position] !== index) continue;
      const kind = ADJUSTMENT_KINDS[this.kinds[position] as number] as AdjustmentKind;
      const day = this.days[position] as number;
      const by = lines[this.others[position] as number]?.id ?? '';
      if (kind === 'renewed' || kind === 'overlap-trimmed') result.push({ kind, by, at: day });
      else if (kind === 'renewal-gap-bridged') result.push({ kind, by, until: day });
      else result.push({ kind, until: day });
    }
    return result;
  }

  private grow(): void {
    const capacity = this.lines.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(array: T, make: (size: number) => T): T => {
      const bigger = make(capacity);
      bigger.set(array);
      return bigger;
    };
    this.lines = grow(this.lines, (size) => new Int32Array(size));
    this.kinds = grow(this.kinds, (size) => new Uint8Array(size));
    this.others = grow(this.others, (size) => new Int32Array(size));
    this.days = grow(this.days, (size) => new Int32Array(size));
  }
}
