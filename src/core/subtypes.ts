/**
 * Sub-types of an expansion or contraction, from the lines of the unit on the two sample days,
 * compared product by product:
 * - `fx`: the change from converting the same local ARR at a new plan rate;
 * - `cross-sell` / `product-removed`: a product the unit did not have, or no longer has;
 * - `ramp-step`: a scheduled step of the same contract (a new line of the same contract and
 *   product that does not renew another line);
 * - `volume` / `price`: quantities known on both days and different, or equal;
 * - `unspecified`: the remainder (quantities unknown, or credits floored at zero).
 * The components of one movement sum to it exactly; a component may have the opposite sign when
 * the unit gained on one product and lost on another.
 */
import type { Analysis } from './analysis.js';
import type { Day } from './dates.js';
import type { PreparedLine } from './prepare.js';

export type Subtype =
  'fx' | 'cross-sell' | 'product-removed' | 'ramp-step' | 'volume' | 'price' | 'unspecified';

export interface Component {
  readonly subtype: Subtype;
  /** Signed change in reporting minor units. */
  readonly amount: number;
  readonly product: string;
}

interface ProductState {
  before: number;
  after: number;
  afterAtOldRate: number;
  quantityBefore: number | undefined;
  quantityAfter: number | undefined;
  rampStep: boolean;
  contractsBefore: Set<string>;
}

function activeOn(line: PreparedLine, day: Day): boolean {
  return line.counted && line.start <= day && day < line.end;
}

function addQuantity(total: number | undefined, line: PreparedLine): number | undefined {
  if (total === undefined || line.line.quantity === undefined) return undefined;
  return total + line.line.quantity;
}

/** Splits a unit's change between samples k − 1 and k into sub-type components. */
export function movementComponents(analysis: Analysis, unit: number, k: number): Component[] {
  const before = analysis.samples[k - 1] as Day;
  const after = analysis.samples[k] as Day;
  const states = new Map<string, ProductState>();
  const stateOf = (product: string): ProductState => {
    let state = states.get(product);
    if (state === undefined) {
      state = {
        before: 0,
        after: 0,
        afterAtOldRate: 0,
        quantityBefore: 0,
        quantityAfter: 0,
        rampStep: false,
        contractsBefore: new Set(),
      };
      states.set(product, state);
    }
    return state;
  };
  const { fx, prepared } = analysis;
  const lines = (prepared.units[unit] as { lineIndices: number[] }).lineIndices.map(
    (index) => prepared.lines[index] as PreparedLine,
  );

  for (const line of lines) {
    if (!activeOn(line, before)) continue;
    const state = stateOf(line.line.product ?? '(no product)');
    const rate = fx.rateOn(line.line.currency, before, line.line.id);
    state.before +=
      rate === undefined ? line.arrLocal : fx.convert(line.arrLocal, line.line.currency, rate);
    state.quantityBefore = addQuantity(state.quantityBefore, line);
    if (line.line.contractId !== undefined) state.contractsBefore.add(line.line.contractId);
  }
  for (const line of lines) {
    if (!activeOn(line, after)) continue;
    const state = stateOf(line.line.product ?? '(no product)');
    const newRate = fx.rateOn(line.line.currency, after, line.line.id);
    const oldRate = fx.rateOn(line.line.currency, before, line.line.id);
    state.after +=
      newRate === undefined
        ? line.arrLocal
        : fx.convert(line.arrLocal, line.line.currency, newRate);
    state.afterAtOldRate +=
      oldRate === undefined
        ? line.arrLocal
        : fx.convert(line.arrLocal, line.line.currency, oldRate);
    state.quantityAfter = addQuantity(state.quantityAfter, line);
    if (
      !activeOn(line, before) &&
      line.line.renews === undefined &&
      line.line.contractId !== undefined &&
      state.contractsBefore.has(line.line.contractId)
    ) {
      state.rampStep = true;
    }
  }

  const components: Component[] = [];
  let explained = 0;
  for (const [product, state] of states) {
    const fxChange = state.after - state.afterAtOldRate;
    if (fxChange !== 0) components.push({ subtype: 'fx', amount: fxChange, product });
    const change = state.afterAtOldRate - state.before;
    explained += fxChange + change;
    if (change === 0) continue;
    components.push({ subtype: subtypeOf(state), amount: change, product });
  }
  const width = analysis.samples.length;
  const net =
    (analysis.arr[unit * width + k] as number) - (analysis.arr[unit * width + k - 1] as number);
  if (net !== explained)
    components.push({
      subtype: 'unspecified',
      amount: net - explained,
      product: '(credits floored at zero)',
    });
  return components;
}

function subtypeOf(state: ProductState): Subtype {
  if (state.before === 0) return 'cross-sell';
  if (state.afterAtOldRate === 0) return 'product-removed';
  if (state.rampStep) return 'ramp-step';
  if (
    state.quantityBefore !== undefined &&
    state.quantityAfter !== undefined &&
    state.quantityBefore > 0
  ) {
    return state.quantityBefore === state.quantityAfter ? 'price' : 'volume';
  }
  return 'unspecified';
}

/** Sums the sub-type components of all expansions and of all contractions between two samples. */
export function subtypeTotals(
  analysis: Analysis,
  from: number,
  to: number,
): { expansion: Partial<Record<Subtype, number>>; contraction: Partial<Record<Subtype, number>> } {
  const expansion: Partial<Record<Subtype, number>> = {};
  const contraction: Partial<Record<Subtype, number>> = {};
  const width = analysis.samples.length;
  for (let unit = 0; unit < analysis.prepared.units.length; unit++) {
    const row = unit * width;
    for (let k = from + 1; k <= to; k++) {
      const start = analysis.arr[row + k - 1] as number;
      const end = analysis.arr[row + k] as number;
      if (start === end || start === 0 || end === 0) continue;
      const target = end > start ? expansion : contraction;
      const sign = end > start ? 1 : -1;
      for (const component of movementComponents(analysis, unit, k)) {
        target[component.subtype] = (target[component.subtype] ?? 0) + sign * component.amount;
      }
    }
  }
  return { expansion, contraction };
}
