/** An input the engine cannot compute from, with a stable code for callers. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code:
      | 'invalid-line'
      | 'missing-fx-rate'
      | 'parent-cycle'
      | 'invalid-date'
      | 'unknown-account'
      | 'invalid-filter'
      | 'invalid-scenario',
    message: string,
  ) {
    super(message);
  }
}
