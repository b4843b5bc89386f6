/**
 * Sub-types of an expansion or contraction, from the lines of the unit on the two sample days,
 * compared product by product:
 * - `fx`: the change from converting the same local ARR at a new plan rate;
 * - `cross-sell` / `product-removed`: a product the unit did not have, or no longer has;
 * - `ramp-step`: a scheduled step of the same contract (a new line of the same contract and
 *   product that does not renew another line);
 * - `volume` / `price`: quantities known on both days and different, or equal;
 * - `unspecified`: the remainder (quantities unknown, or credits floored at zero).
 * The components of one movement sum to it exactly. A component may have the opposite sign when
 * the unit gained on one product and lost on another.
 */
import { bridgeSteps, UnitArrCursor, unitArr } from './analysis.js';
import type { Analysis } from './analysis.js';
import type { Day } from './dates.js';
import type { ContractLine } from './model.js';
import type { Prepared } from './prepare.js';

export type Subtype =
  'fx' | 'cross-sell' | 'product-removed' | 'ramp-step' | 'volume' | 'price' | 'unspecified';

export interface Component {
  readonly subtype: Subtype;
  /** Signed change in reporting minor units. */
  readonly amount: number;
  readonly product: string;
}

interface ProductState {
  product: string;
  before: number;
  after: number;
  afterAtOldRate: number;
  quantityBefore: number | undefined;
  quantityAfter: number | undefined;
  rampStep: boolean;
  contractsBefore: string[];
}

/** Finds the state of a product, adding an empty one when the unit has none yet. */
function stateOf(states: ProductState[], product: string): ProductState {
  // Units have few products, so a list searched in order beats a map here.
  for (const state of states) if (state.product === product) return state;
  const state: ProductState = {
    product,
    before: 0,
    after: 0,
    afterAtOldRate: 0,
    quantityBefore: 0,
    quantityAfter: 0,
    rampStep: false,
    contractsBefore: [],
  };
  states.push(state);
  return state;
}

/** Converts a line's ARR to the reporting currency at the rate in force on a day. */
export function convertLine(analysis: Analysis, index: number, day: Day): number {
  const { prepared, fx } = analysis;
  const amount = prepared.lineArr[index] as number;
  if (prepared.lineForeign[index] === 0) return amount;
  const line = prepared.lines[index] as ContractLine;
  return fx.convertOn(amount, line.currency, day, line.id);
}

function activeOn(prepared: Prepared, index: number, day: Day): boolean {
  return (
    prepared.lineCounted[index] === 1 &&
    (prepared.lineStart[index] as number) <= day &&
    day < (prepared.lineEnd[index] as number)
  );
}

/** Splits a unit's change between samples `a` and `b` into sub-type components. */
export function movementComponents(
  analysis: Analysis,
  unit: number,
  a: number,
  b: number,
): Component[] {
  const before = analysis.samples[a] as Day;
  const after = analysis.samples[b] as Day;
  const { prepared } = analysis;
  const { lines, unitLines } = prepared;
  const first = prepared.unitLineOffsets[unit] as number;
  const last = prepared.unitLineOffsets[unit + 1] as number;
  const states: ProductState[] = [];

  for (let position = first; position < last; position++) {
    const index = unitLines[position] as number;
    if (!activeOn(prepared, index, before)) continue;
    const line = lines[index] as ContractLine;
    const state = stateOf(states, line.product ?? NO_PRODUCT);
    state.before += convertLine(analysis, index, before);
    state.quantityBefore = addQuantity(state.quantityBefore, line);
    if (line.contractId !== undefined) state.contractsBefore.push(line.contractId);
  }
  for (let position = first; position < last; position++) {
    const index = unitLines[position] as number;
    if (!activeOn(prepared, index, after)) continue;
    const line = lines[index] as ContractLine;
    const state = stateOf(states, line.product ?? NO_PRODUCT);
    state.after += convertLine(analysis, index, after);
    state.afterAtOldRate += convertLine(analysis, index, before);
    state.quantityAfter = addQuantity(state.quantityAfter, line);
    if (
      !activeOn(prepared, index, before) &&
      line.renews === undefined &&
      line.contractId !== undefined &&
      state.contractsBefore.includes(line.contractId)
    ) {
      state.rampStep = true;
    }
  }

  const components: Component[] = [];
  let explained = 0;
  for (const state of states) {
    const fxChange = state.after - state.afterAtOldRate;
    if (fxChange !== 0)
      components.push({ subtype: 'fx', amount: fxChange, product: state.product });
    const change = state.afterAtOldRate - state.before;
    explained += fxChange + change;
    if (change !== 0)
      components.push({ subtype: subtypeOf(state), amount: change, product: state.product });
  }
  const net = unitArr(analysis, unit, b) - unitArr(analysis, unit, a);
  if (net !== explained) {
    components.push({
      subtype: 'unspecified',
      amount: net - explained,
      product: '(credits floored at zero)',
    });
  }
  return components;
}

const NO_PRODUCT = '(no product)';

function addQuantity(total: number | undefined, line: ContractLine): number | undefined {
  if (total === undefined || line.quantity === undefined) return undefined;
  return total + line.quantity;
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

const totalsCache = new WeakMap<Analysis, Map<string, SubtypeTotals>>();

export interface SubtypeTotals {
  expansion: Partial<Record<Subtype, number>>;
  contraction: Partial<Record<Subtype, number>>;
}

/** Sums the sub-type components of all expansions and of all contractions between two samples. */
export function subtypeTotals(analysis: Analysis, from: number, to: number): SubtypeTotals {
  const key = `${from}:${to}`;
  let cache = totalsCache.get(analysis);
  if (cache === undefined) {
    cache = new Map();
    totalsCache.set(analysis, cache);
  }
  const cached = cache.get(key);
  if (cached) return cached;
  const result = computeSubtypeTotals(analysis, from, to);
  cache.set(key, result);
  return result;
}

function computeSubtypeTotals(
  analysis: Analysis,
  from: number,
  to: number,
): { expansion: Partial<Record<Subtype, number>>; contraction: Partial<Record<Subtype, number>> } {
  // Sums by position in SUBTYPE_ORDER: expansions first, then contractions. A sub-type is listed
  // once any component of it was seen, even when its sum is zero.
  const sums = new Float64Array(SUBTYPE_ORDER.length * 2);
  const seen = new Uint8Array(SUBTYPE_ORDER.length * 2);
  const steps = bridgeSteps(analysis, from, to);
  const cursor = new UnitArrCursor(analysis);
  for (let unit = 0; unit < analysis.units; unit++) {
    if (!cursor.start(unit)) continue;
    visitChangeComponents(analysis, cursor, unit, steps, (component, expanded) => {
      const slot = SUBTYPE_ORDER.indexOf(component.subtype) + (expanded ? 0 : SUBTYPE_ORDER.length);
      sums[slot] = (sums[slot] as number) + (expanded ? component.amount : -component.amount);
      seen[slot] = 1;
    });
  }
  const totals = (offset: number): Partial<Record<Subtype, number>> => {
    const result: Partial<Record<Subtype, number>> = {};
    SUBTYPE_ORDER.forEach((subtype, index) => {
      if (seen[offset + index] === 1) result[subtype] = sums[offset + index];
    });
    return result;
  };
  return { expansion: totals(0), contraction: totals(SUBTYPE_ORDER.length) };
}

/**
 * Calls `visit` with the components of each expansion or contraction of a unit between
 * consecutive `steps` (samples), and whether it was an expansion. `cursor` must have been started
 * on the unit and not yet read past the first step.
 */
export function visitChangeComponents(
  analysis: Analysis,
  cursor: UnitArrCursor,
  unit: number,
  steps: readonly number[],
  visit: (component: Component, expanded: boolean) => void,
): void {
  let end = cursor.at(steps[0] as number);
  for (let s = 1; s < steps.length; s++) {
    const a = steps[s - 1] as number;
    const b = steps[s] as number;
    const start = end;
    end = cursor.at(b);
    if (start === end || start === 0 || end === 0) continue;
    for (const component of movementComponents(analysis, unit, a, b)) visit(component, end > start);
  }
}

/** Order of the sub-types in totals, fixed so that output does not depend on row order. */
const SUBTYPE_ORDER: readonly Subtype[] = [
  'price',
  'volume',
  'cross-sell',
  'ramp-step',
  'fx',
  'product-removed',
  'unspecified',
];
