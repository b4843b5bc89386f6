import { describe, expect, test } from 'vitest';
import {
  applyDefinitionChanges,
  changedFields,
  DEFAULT_DEFINITIONS,
} from '../../src/core/index.js';

describe('definitions changes', () => {
  test('known field is applied and listed', () => {
    const changed = applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDays: 30 });
    expect(changed.graceDays).toBe(30);
    expect(changedFields(changed)).toEqual({ graceDays: 30 });
  });

  test('unknown field is rejected', () => {
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDay: 30 })).toThrow(
      /unknown definitions field "graceDay"/,
    );
  });

  test('prototype key is an unknown field', () => {
    const changes = JSON.parse('{"__proto__": {"graceDays": 1}}') as Record<string, unknown>;
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, changes)).toThrow(
      /unknown definitions field "__proto__"/,
    );
  });

  test('wrong type names the value', () => {
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDays: Infinity })).toThrow(
      /got Infinity/,
    );
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, { includeUsage: 'yes' })).toThrow(
      /must be a boolean, got "yes"/,
    );
  });

  test('out-of-range values are rejected', () => {
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDays: -1 })).toThrow(
      /graceDays -1/,
    );
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, { windowMonths: 0 })).toThrow(
      /windowMonths 0/,
    );
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, { ownerRole: ' ' })).toThrow(
      /ownerRole/,
    );
    expect(() =>
      applyDefinitionChanges(DEFAULT_DEFINITIONS, { oneTimeProductPatterns: ['('] }),
    ).toThrow(/not a valid regular expression/);
    expect(() => applyDefinitionChanges(DEFAULT_DEFINITIONS, { reportingCurrency: 'usd' })).toThrow(
      /3-letter/,
    );
  });
});

describe('product patterns', () => {
  test.each([['(a+)+$'], ['(\\w*)*x'], ['x'.repeat(201)]])(
    'rejects the slow pattern %s',
    (pattern) => {
      expect(() =>
        applyDefinitionChanges(DEFAULT_DEFINITIONS, { oneTimeProductPatterns: [pattern] }),
      ).toThrow(/exponential time/);
    },
  );

  test('accepts alternatives of plain words', () => {
    const changed = applyDefinitionChanges(DEFAULT_DEFINITIONS, {
      oneTimeProductPatterns: ['setup|onboarding', '(implementation|training) fee'],
    });
    expect(changed.oneTimeProductPatterns).toHaveLength(2);
  });
});
