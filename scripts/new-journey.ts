// npm run new:journey <name>: a new journey that works as it stands, in its own folder
// (src/journeys/<name>: journey.ts, config.ts, templates/), on the three lists that name every
// journey, with its test, its recorded history and its golden timeline, all passing. It ships
// turned off (`enabled: false`) until its email says what the brief says. Exit 0 done, 2 bad name.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { journeyTemplateRoots } from '../src/templates/files';
import { registry } from '../src/workflows/registry';
import {
  configFile,
  goldenFiles,
  journeyFile,
  namesFor,
  templateFiles,
  templateSample,
  testFile,
  type Names,
} from './new-journey/files';

const ROOT = path.resolve(__dirname, '..');
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function main(argv: string[]): number {
  const [name, ...rest] = argv;
  if (!name || rest.length > 0) return usage('name the journey, in kebab-case: npm run new:journey win-back');
  if (!NAME.test(name)) return usage(`"${name}" is not a journey name: lower case, digits and dashes, e.g. win-back`);
  const names = namesFor(name);
  const taken = registry.find((e) => e.name === name || e.config === names.key);
  if (taken || fs.existsSync(path.join(ROOT, 'src/journeys', name))) return usage(`a journey "${name}" exists already`);
  // Template names are one namespace for every journey: its email is named after it.
  const templateRoots = [path.join(ROOT, 'src/templates'), ...journeyTemplateRoots(path.join(ROOT, 'src/journeys'))];
  const clash = templateRoots.find((root) => fs.existsSync(path.join(root, name)));
  if (clash)
    return usage(`a template "${name}" exists already (${path.relative(ROOT, clash)}): name the journey otherwise`);

  const written: string[] = [];
  const write = (file: string, content: string): void => {
    fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
    fs.writeFileSync(path.join(ROOT, file), content);
    written.push(file);
  };
  const folder = `src/journeys/${name}`;
  write(`${folder}/journey.ts`, journeyFile(names));
  write(`${folder}/config.ts`, configFile(names));
  for (const [file, content] of Object.entries(templateFiles(names)))
    write(`${folder}/templates/${name}/${file}`, content);
  write(`test/journeys/${name}.test.ts`, testFile(names));
  for (const [file, content] of Object.entries(goldenFiles(names)))
    write(`test/simulate/golden/${name}/${file}`, content);
  written.push(...addToLists(names));

  const run = (what: string, command: string, args: string[], env: Record<string, string> = {}): void => {
    console.log(`${what}...`);
    try {
      execFileSync(command, args, { cwd: ROOT, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, ...env } });
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      console.error(`${stdout}${stderr}`.trim());
      throw new Error(`${what} failed (above); the files written so far: ${written.join(', ')}`);
    }
  };
  run('Formatting', 'npx', ['prettier', '--write', ...written.filter((f) => /\.(ts|json)$/.test(f))]);
  run('Adding its settings to the configuration reference in README.md', 'npx', ['tsx', 'scripts/docs-config.ts']);
  run(
    `Running its test (test/journeys/${name}.test.ts), which records its history`,
    'npx',
    ['jest', `test/journeys/${name}.test.ts`],
    {
      RECORD_HISTORIES: '1',
    },
  );
  run(
    'Simulating its scripted customer for the golden timeline',
    'npx',
    ['jest', 'test/simulate/golden.test.ts', '-t', `^golden timelines of the shipped journeys ${name}:`],
    {
      UPDATE_GOLDEN: '1',
    },
  );
  const golden = `test/simulate/golden/${name}`;
  const rows = [
    [`${folder}/journey.ts`, 'the workflow: make it read like the brief'],
    [`${folder}/config.ts`, `its settings and their defaults (journeys.${names.key})`],
    [`${folder}/templates/${name}/`, 'its email, in English and German'],
    [`test/journeys/${name}.test.ts`, 'its test'],
    [`${golden}/`, 'its scripted customer and simulated year (timeline.txt)'],
  ];
  const width = Math.max(...rows.map(([file]) => file.length)) + 2;
  console.log(`\nThe ${name} journey passes its test and its golden timeline:`);
  for (const [file, what] of rows) console.log(`  ${file.padEnd(width)}${what}`);
  console.log(`It is off until you turn it on: "journeys": { "${names.key}": { "enabled": true } } in your JOURNEYS_CONFIG file (npm start's config/dev.json has it on).
See its year:
  npm run simulate -- ${name} --customer ${golden}/customer.json --events ${golden}/events.json --config ${golden}/config.json`);
  return 0;
}

/** Its line in the registry, the worker's workflow exports, the configuration's sections and the templates' samples. */
function addToLists(names: Names): string[] {
  const { name, key } = names;
  const edit = (file: string, change: (text: string) => string): string => {
    const at = path.join(ROOT, file);
    fs.writeFileSync(at, change(fs.readFileSync(at, 'utf8')));
    return file;
  };
  const afterImports = (text: string, line: string): string => {
    const lines = text.split('\n');
    const last = lines.map((l) => l.startsWith('import ') || l.startsWith('export {')).lastIndexOf(true);
    lines.splice(last + 1, 0, line);
    return lines.join('\n');
  };
  const beforeClosing = (text: string, closing: string, line: string): string => {
    const at = text.lastIndexOf(closing);
    if (at < 0) throw new Error(`cannot find "${closing.trim()}" to add ${name} before`);
    return `${text.slice(0, at)}${line}\n${text.slice(at)}`;
  };
  return [
    edit('src/workflows/registry.ts', (t) =>
      beforeClosing(
        afterImports(t, `import { ${key}Journey } from '../journeys/${name}/journey';`),
        '];',
        `  ${key}Journey,`,
      ),
    ),
    edit('src/workflows/index.ts', (t) => afterImports(t, `export { ${key} } from '../journeys/${name}/journey';`)),
    edit('src/config/journeys.ts', (t) =>
      beforeClosing(
        afterImports(t, `import { ${key}Config } from '../journeys/${name}/config';`),
        '};',
        `  ${key}: ${key}Config,`,
      ),
    ),
    // npm start's configuration: on, and its wait in seconds, so a developer sees it send at once.
    edit('config/dev.json', (t) => {
      const dev = JSON.parse(t) as { journeys: Record<string, unknown> };
      dev.journeys[key] = { enabled: true, sendAfter: '30 seconds' };
      return `${JSON.stringify(dev, null, 2)}\n`;
    }),
    // Its sample data, so the template tests render it in both languages as they do every email.
    edit('test/fixtures/template-data.ts', (t) => {
      const samples = t.indexOf('export const templateSamples');
      const end = t.indexOf('\n};', samples);
      return `${t.slice(0, end)}\n${templateSample(names)}${t.slice(end)}`;
    }),
  ];
}

function usage(message: string): number {
  console.error(`new:journey: ${message}`);
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(`new:journey: ${(err as Error).message}`);
  process.exitCode = 1;
}
