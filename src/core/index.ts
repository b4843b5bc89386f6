/** The pure domain core: no I/O, no clock. */
export * from './analysis.js';
export * from './bridge.js';
export * from './dates.js';
export * from './definitions.js';
export * from './errors.js';
export * from './explain.js';
export * from './fx.js';
export * from './groups.js';
export * from './model.js';
export * from './money.js';
export * from './normalise.js';
export * from './prepare.js';
export * from './report.js';
export * from './retention.js';
export * from './subtypes.js';
export * from './as-of.js';
