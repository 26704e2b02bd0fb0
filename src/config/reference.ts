import { z } from 'zod';
import { configSchema } from './schema';

// The configuration reference in README.md, generated from the schema so the two cannot drift
// (test/config/reference.test.ts compares them; `npm run docs:config` rewrites the README's copy).

interface JsonSchema {
  type?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
}

/** Keys every journey has (schema.ts `common`), documented once instead of under each journey. */
const COMMON = ['enabled', 'holdoutShare', 'variants', 'finish'];

function rows(schema: JsonSchema, path: string[], out: [string, string][]): void {
  // An object with a default of its own (a whole offer, the cap) is one setting; a section whose
  // default is `{}` takes its keys' defaults.
  const ownDefault = schema.default !== undefined && JSON.stringify(schema.default) !== '{}';
  if (schema.type === 'object' && schema.properties && !ownDefault) {
    for (const [key, child] of Object.entries(schema.properties)) {
      if (path[0] === 'journeys' && path.length === 2 && COMMON.includes(key)) continue;
      rows(child, [...path, key], out);
    }
    return;
  }
  out.push([path.join('.'), schema.default === undefined ? '(none)' : `\`${JSON.stringify(schema.default)}\``]);
}

/** A Markdown table of every configuration key with its default. */
export function configReference(): string {
  const out: [string, string][] = [];
  rows(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, [], out);
  const journeys = Object.keys((configSchema.shape.journeys.unwrap() as z.ZodObject).shape);
  const common: [string, string][] = [
    ['journeys.<name>.enabled', '`true`'],
    ['journeys.<name>.holdoutShare', '`0`'],
    ['journeys.<name>.variants', '`[]`'],
    ['journeys.<name>.finish', '(none)'],
  ];
  const lines = [...common, ...out].map(([key, value]) => `| \`${key}\` | ${value.replace(/\|/g, '\\|')} |`);
  return [
    `\`<name>\` is one of ${journeys.map((j) => `\`${j}\``).join(', ')}.`,
    '',
    '| key | default |',
    '| --- | --- |',
    ...lines,
  ].join('\n');
}
