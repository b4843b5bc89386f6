/**
 * State the HTTP server keeps between requests: the workspace's dataset, read again only after an
 * import, and the analyses of recent (as-of date, definitions version) pairs.
 */
import { analyse, type Analysis } from '../core/analysis.js';
import type { Day } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import type { Dataset } from '../core/model.js';
import type { Workspace } from '../store/workspace.js';

/** Number of analyses kept, because each contains typed arrays sized by accounts × changes. */
const ANALYSES_KEPT = 8;

export class ServerState {
  private dataset: Promise<Dataset> | undefined;
  private datasetImport: number | null | undefined;
  private readonly analyses = new Map<string, Analysis>();
  /** Serialises workspace writes, so two uploads never interleave their transactions. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(readonly workspace: Workspace) {}

  /** Returns the stored dataset, read again when an import has happened since the last read. */
  async currentDataset(): Promise<Dataset> {
    const lastImport = await this.workspace.lastImportId();
    if (this.dataset === undefined || lastImport !== this.datasetImport) {
      this.analyses.clear();
      this.datasetImport = lastImport;
      this.dataset = this.workspace.loadDataset();
      this.dataset.catch(() => {
        this.dataset = undefined;
      });
    }
    return this.dataset;
  }

  /**
   * The analysis for the as-of date under a stored definitions version, over the trailing window
   * or from `windowStart` when given.
   */
  async analysis(
    asOf: Day,
    version: number,
    definitions: Definitions,
    windowStart?: Day,
  ): Promise<{ analysis: Analysis; dataset: Dataset }> {
    const dataset = await this.currentDataset();
    const key = `${asOf}:${version}:${windowStart ?? ''}`;
    let analysis = this.analyses.get(key);
    if (analysis === undefined) {
      analysis = analyse(
        dataset,
        definitions,
        asOf,
        windowStart === undefined ? {} : { windowStart },
      );
      this.analyses.set(key, analysis);
      if (this.analyses.size > ANALYSES_KEPT) {
        const oldest = this.analyses.keys().next().value;
        if (oldest !== undefined) this.analyses.delete(oldest);
      }
    } else {
      // Refresh its place, so the cache drops the least recently used analysis.
      this.analyses.delete(key);
      this.analyses.set(key, analysis);
    }
    return { analysis, dataset };
  }

  /** Runs workspace writes one after another. */
  serialise<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }
}
