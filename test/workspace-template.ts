/**
 * Creates one migrated, empty embedded workspace before the tests, so that each test copies its
 * folder (a fraction of a second) instead of creating a database (several seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { Workspace } from '../src/store/workspace.js';

let folder: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  folder = mkdtempSync(path.join(tmpdir(), 'nrr-template-'));
  const workspace = await Workspace.open({ kind: 'embedded', folder });
  await workspace.close();
  project.provide('workspaceTemplate', folder);
}

export function teardown(): void {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    workspaceTemplate: string;
  }
}
