/**
 * Creates the empty embedded database that new workspaces copy (see `createTemplate`). The build
 * runs this script once after compiling.
 */
import { createTemplate } from './embedded.js';

const folder = await createTemplate();
process.stdout.write(`Created the empty workspace database in ${folder}\n`);
