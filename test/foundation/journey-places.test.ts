import fs from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../src/config/schema';
import { journeySections } from '../../src/config/journeys';
import { journeyTemplateRoots } from '../../src/templates/files';
import * as workflows from '../../src/workflows';
import { registry } from '../../src/workflows/registry';

const ROOT = path.resolve(__dirname, '../..');
const JOURNEYS = path.join(ROOT, 'src/journeys');

// A journey is one folder (src/journeys/<name>: journey.ts, config.ts, templates/) and a line in each of three
// lists: the registry, the worker's workflow exports and the configuration's sections. This is
// where the lists are held to each other and to the folders.
describe('every journey is in one folder and each list', () => {
  // Beside the folders: the shop's segments, which the journeys' audiences name.
  const folders = fs
    .readdirSync(JOURNEYS)
    .filter((name) => name !== 'segments.ts')
    .sort();

  it('has a folder with its workflow and its configuration for each registry entry, and no other', () => {
    expect(registry.map((e) => e.name).sort()).toEqual(folders);
    for (const folder of folders)
      expect(fs.readdirSync(path.join(JOURNEYS, folder))).toEqual(expect.arrayContaining(['journey.ts', 'config.ts']));
  });

  it('configures each registry entry under the key it names, and nothing else', () => {
    expect(Object.keys(journeySections).sort()).toEqual(registry.map((e) => e.config).sort());
  });

  it('exports each registry entry`s workflow to the worker under its function`s name, and no other journey', () => {
    const exported = Object.keys(workflows).sort();
    expect(exported).toEqual(['customer', 'product', ...registry.map((e) => e.workflow.name)].sort());
    for (const entry of registry)
      expect((workflows as Record<string, unknown>)[entry.workflow.name]).toBe(entry.workflow);
  });

  it('names no template twice: template names are one namespace for every journey', () => {
    const names = [path.join(ROOT, 'src/templates'), ...journeyTemplateRoots(JOURNEYS)].flatMap((root) =>
      fs.readdirSync(root).filter((name) => fs.statSync(path.join(root, name)).isDirectory()),
    );
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('keeps each template a journey`s defaults name in its own folder', () => {
    const defaults = configSchema.parse({}).journeys as Record<string, unknown>;
    for (const entry of registry) {
      for (const name of templateNames(defaults[entry.config])) {
        const folder = path.join(JOURNEYS, entry.name, 'templates', name);
        expect({ journey: entry.name, template: name, exists: fs.existsSync(folder) }).toEqual({
          journey: entry.name,
          template: name,
          exists: true,
        });
      }
    }
  });
});

/** The template names in a journey's configuration: its `templates` and any list of steps with a `template`. */
function templateNames(section: unknown): string[] {
  const names: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string' && (key === 'template' || key === 'templates')) names.push(value);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, key === 'templates' ? 'templates' : k);
    }
  };
  walk(section, '');
  return names;
}
