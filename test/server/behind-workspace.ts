/**
 * A workspace's contract lines in which CSM Ben is behind a 95% NRR target in June 2025, and a
 * helper that imports CSV text into a workspace as `nrr import` does.
 */
import { createHash } from 'node:crypto';
import { importFiles } from '../../src/service/import.js';
import type { Workspace } from '../../src/store/workspace.js';

export const BEHIND_LINES = `line_id,account_id,product,kind,amount,billing_period,currency,start_date,end_date,renews,owner,segment,region
A1,A,Core,recurring,100000,year,USD,2024-04-01,2025-03-31,,Ana,Growth,EMEA
A2,A,Core,recurring,110000,year,USD,2025-04-01,2026-03-31,A1,Ana,Growth,EMEA
B1,B,Core,recurring,50000,year,USD,2024-07-01,2025-06-30,,Ana,Growth,EMEA
C1,C,Core,recurring,200000,year,USD,2023-10-01,2025-09-30,,Ben,Enterprise,EMEA
C2,C,Core,recurring,150000,year,USD,2025-10-01,2026-09-30,C1,Ben,Enterprise,EMEA
D1,D,Core,recurring,40000,year,USD,2024-12-01,2025-11-30,,Ben,Growth,AMER
E1,E,Core,recurring,60000,year,USD,2024-02-01,2025-01-31,,Ben,Growth,AMER
G1,G,Core,recurring,20000,year,USD,2024-06-01,2025-05-31,,Ana,Growth,AMER
`;

/** Imports canonical CSV text into the workspace under the source name `name`. */
export async function importCsvText(
  workspace: Workspace,
  name: string,
  text: string,
): Promise<void> {
  await importFiles(
    workspace,
    [
      {
        path: name,
        source: name,
        checksum: createHash('sha256').update(text).digest('hex'),
        data: Buffer.from(text),
      },
    ],
    { preset: 'canonical' },
  );
}
