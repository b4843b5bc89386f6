/**
 * Creates the empty embedded database that new workspaces copy (see `createTemplate`). The build
 * runs this script once after compiling; it prints nothing unless it fails.
 */
import { createTemplate } from './embedded.js';

await createTemplate();
