import fs from 'node:fs';
import path from 'node:path';
import { journeyTemplateRoots } from '../../src/templates/files';

const SRC = path.join(__dirname, '../../src');

/** Every template's folder, by name: the shared ones in src/templates, then each journey's own. */
export function templateFolders(): Map<string, string> {
  const folders = new Map<string, string>();
  for (const root of [path.join(SRC, 'templates'), ...journeyTemplateRoots(path.join(SRC, 'journeys'))]) {
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('_')) folders.set(entry.name, path.join(root, entry.name));
    }
  }
  return folders;
}
