/** The steps of a scenario run in plain words, with the arithmetic behind each figure. */
import { fiscalYearOf } from './bridge.js';
import { formatDay, parseDay } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { formatDecimal, formatMinor, formatPercent } from './money.js';
import { SCENARIO_TERM_MONTHS } from './scenario-choices.js';
import type { AppliedChoice, ScenarioWindow } from './scenarios.js';

function amountText(value: number, currency: string): string {
  return `${formatMinor(value, currency)} ${currency}`;
}

function pointsText(points: number): string {
  return `${formatDecimal({ coefficient: BigInt(points), scale: 2 })}%`;
}

function signed(value: number, currency: string): string {
  return `${value > 0 ? '+' : ''}${amountText(value, currency)}`;
}

function dayOf(text: string): Day {
  return parseDay(text) as Day;
}

export function baselineStep(
  open: number,
  choices: readonly AppliedChoice[],
  asOf: Day,
  lastYear: number,
  definitions: Definitions,
): string {
  const described = choices.filter((choice) => choice.synthetic !== null).length;
  const extra =
    described === 0 ? '' : ` ${described} of them are described by hand and are not in the data.`;
  return `Baseline: the ${open} renewals open on ${formatDay(asOf)} (upcoming, or lapsed inside the ${definitions.graceDays}-day grace window) renew flat on their renewal dates, ${SCENARIO_TERM_MONTHS} months at a time, through FY${lastYear}.${extra} The scenario changes only the renewals below.`;
}

/** Describes a renewal that is not in the data and how the lab adds it to both runs. */
function syntheticStep(choice: AppliedChoice, currency: string): string | null {
  const synthetic = choice.synthetic;
  if (synthetic === null) return null;
  return `${choice.account} (${synthetic.name}; CSM ${synthetic.csm}, ${synthetic.segment}, ${synthetic.region}) is not in the data. The baseline and the scenario both hold it at ${amountText(synthetic.arr, currency)} of ARR from ${synthetic.from} to the day before ${choice.renewalDate}, so it is in the cohort of each window and both renew it. Only its outcome below differs.`;
}

/** Describes the first term's ARR: the change in basis points, then the add-on. */
function renewedText(choice: AppliedChoice, currency: string): string {
  const amount = (value: number): string => amountText(value, currency);
  const renewed = choice.scenarioArr - choice.addOn;
  const percent = pointsText(choice.basisPoints);
  const change =
    choice.outcome === 'flat'
      ? `renews flat at ${amount(renewed)}`
      : `renews with a ${percent} ${choice.outcome}: ${amount(choice.arrUpForRenewal)} × (1 ${choice.outcome === 'uplift' ? '+' : '−'} ${percent}) = ${amount(renewed)}, each line rounded to the minor unit`;
  if (choice.addOn === 0) return change;
  return `${change}, with an add-on of ${amount(choice.addOn)} co-termed with it: ${amount(renewed)} + ${amount(choice.addOn)} = ${amount(choice.scenarioArr)}`;
}

/** Describes the ramp steps: the ARR after each and the fiscal year whose bridge shows it. */
function rampText(choice: AppliedChoice, definitions: Definitions): string {
  if (choice.steps.length === 0) return '';
  const currency = definitions.reportingCurrency;
  let before = choice.scenarioArr;
  const parts = choice.steps.map((step) => {
    const arithmetic =
      step.basisPoints === null
        ? `${formatMinor(before, currency)} + ${formatMinor(step.amount ?? 0, currency)}`
        : `${formatMinor(before, currency)} × (1 + ${pointsText(step.basisPoints)})`;
    const year = fiscalYearOf(step.start.slice(0, 7), definitions.fiscalYearStartMonth);
    const text = `at month ${step.month} (${step.start}, FY${year}) ${arithmetic} = ${amountText(step.arr, currency)}, expansion of ${amountText(step.arr - before, currency)}`;
    before = step.arr;
    return text;
  });
  return ` It steps up ${parts.join('; ')}. Each step counts as expansion in the month it starts, so a step inside the windows below moves that year's ending ARR and NRR.`;
}

/** Describes what starting `days` after the renewal date (negative: before) does. */
function timingText(choice: AppliedChoice, definitions: Definitions): string {
  const days = choice.daysFromRenewalDate ?? 0;
  const currency = definitions.reportingCurrency;
  const effective = choice.effectiveDate ?? choice.renewalDate;
  if (days === 0) return '';
  if (days < 0) {
    const change = choice.scenarioArr - choice.arrUpForRenewal;
    const start = ` It starts ${-days} days early, so its change of ${signed(change, currency)} arrives on ${effective} instead of on the renewal date.`;
    const from = fiscalYearOf(choice.renewalDate.slice(0, 7), definitions.fiscalYearStartMonth);
    const to = fiscalYearOf(effective.slice(0, 7), definitions.fiscalYearStartMonth);
    if (change === 0 || from === to) return start;
    const kind = change > 0 ? 'expansion' : 'contraction';
    return `${start} That pulls ${amountText(Math.abs(change), currency)} of ${kind} into FY${to} out of FY${from}, so FY${from} starts with it already in its cohort's starting ARR.`;
  }
  const lastLate = formatDay(dayOf(choice.renewalDate) + definitions.graceDays);
  if (days <= definitions.graceDays) {
    return ` It starts ${days} days late, inside the ${definitions.graceDays}-day grace window (a start by ${lastLate} counts as late, not lost), so there is no churn: the old ARR of ${amountText(choice.arrUpForRenewal, currency)} counts until ${effective}.`;
  }
  return ` It starts ${days} days late, past the ${definitions.graceDays}-day grace window (a start by ${lastLate} would have counted as late), so the bridge shows churn of ${amountText(choice.arrUpForRenewal, currency)} in the month of ${choice.renewalDate} and then a reactivation of ${amountText(choice.scenarioArr, currency)} on ${effective}.`;
}

/** Describes one choice: the renewal described by hand, if it is one, then its outcome. */
export function choiceSteps(choice: AppliedChoice, definitions: Definitions): string[] {
  const currency = definitions.reportingCurrency;
  const described = syntheticStep(choice, currency);
  const head = `${choice.account} (${choice.csm}): ${amountText(choice.arrUpForRenewal, currency)} up for renewal on ${choice.renewalDate}`;
  const step =
    choice.outcome === 'churn'
      ? `${head} is not renewed. Its service ends the day before; once the ${definitions.graceDays}-day grace window passes, the bridge shows churn of ${amountText(choice.arrUpForRenewal, currency)} in the month of ${choice.renewalDate}.`
      : `${head} ${renewedText(choice, currency)}, from ${choice.effectiveDate ?? choice.renewalDate} for ${choice.termMonths} months.${rampText(choice, definitions)}${timingText(choice, definitions)}`;
  return described === null ? [step] : [described, step];
}

export function windowSteps(window: ScenarioWindow, currency: string): string[] {
  const amount = (value: number): string => amountText(value, currency);
  const ratioText = (numerator: number, denominator: number): string =>
    denominator === 0
      ? 'n/a'
      : `${formatMinor(numerator, currency)} ÷ ${formatMinor(denominator, currency)} = ${formatPercent(numerator / denominator)}`;
  const { baseline: before, scenario: after } = window.company;
  const label = `FY${window.year} (${window.window.start} to ${window.window.end})`;
  const steps = [
    `${label}: company ARR at the end goes from ${amount(before.arr)} to ${amount(after.arr)} (${amount(after.arr - before.arr)}).`,
  ];
  const startChange = after.cohort.startArr - before.cohort.startArr;
  const endChange = after.cohort.endArr - before.cohort.endArr;
  const cappedChange = after.cohort.cappedArr - before.cohort.cappedArr;
  if (startChange === 0 && endChange === 0 && cappedChange === 0) {
    steps.push(
      `${label}: the changed accounts have the same ARR in both on ${window.window.start} and ${window.window.end}, or are not in the cohort, so NRR and GRR do not move.`,
    );
    return steps;
  }
  const start =
    startChange === 0
      ? 'The starting ARR is the same'
      : `The starting ARR changes by ${amount(startChange)}, because the choices act before the window`;
  steps.push(
    `${label}: cohort NRR goes from ${ratioText(before.cohort.endArr, before.cohort.startArr)} to ${ratioText(after.cohort.endArr, after.cohort.startArr)}. ${start}, and the ending ARR changes by ${amount(endChange)}.`,
    `${label}: GRR caps each account at its starting ARR, so it goes from ${ratioText(before.cohort.cappedArr, before.cohort.startArr)} to ${ratioText(after.cohort.cappedArr, after.cohort.startArr)}. An uplift cannot raise it; a downgrade or churn lowers it.`,
  );
  return steps;
}
