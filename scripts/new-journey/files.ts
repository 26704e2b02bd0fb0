// What `npm run new:journey <name>` writes: a journey that works as it stands (a trigger, a wait,
// one email, a goal that ends it early), its configuration, its email, its test and its scripted
// customer for the golden timeline. The developer then makes it say what the brief says.

export interface Names {
  /** kebab-case: the folder, the registry name, the workflow ids (`journey/<name>/...`). */
  name: string;
  /** camelCase: the workflow function and the configuration key. */
  key: string;
  /** "Win back": for people. */
  title: string;
}

export function namesFor(name: string): Names {
  const key = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const title = name.charAt(0).toUpperCase() + name.slice(1).replaceAll('-', ' ');
  return { name, key, title };
}

export function journeyFile({ name, key, title }: Names): string {
  return `import type { JourneyConfigs } from '../../config/schema';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['${key}'];

/**
 * ${title}.
 * When a customer does \`trigger\`, wait \`sendAfter\`, then send them the \`message\` email.
 * Ends the moment they do \`goal\`. Once per customer.
 * (Say here what the marketing brief says; the code below should read like it.)
 */
export async function ${key}(input: JourneyInput<Config>): Promise<JourneyResult> {
  return runJourney(input, { goal: input.config.goal }, async (j) => {
    await j.wait(j.config.sendAfter, 'waiting to send');
    await j.send('message', j.config.templates.message);
  });
}

export const ${key}Journey = defineJourney({
  name: '${name}',
  config: '${key}',
  workflow: ${key},
  startsOn: (c) => [c.trigger],
  reentry: () => 'once',
  listensTo: (c) => [c.goal],
});
`;
}

export function configFile({ name, key }: Names): string {
  return `import { z } from 'zod';
import { common, duration, template, topic } from '../../config/journey-config';

/** The ${name} journey's configuration (journeys.${key}): the brief's defaults, each overridable. */
export const ${key}Config = z
  .strictObject({
    ...common,
    // Off until its email says what the brief says: turn it on in the configuration.
    enabled: z.boolean().default(false),
    ...topic('news'),
    trigger: z.string().default('Signed Up'),
    goal: z.string().default('Order Completed'),
    sendAfter: duration.default('1 day'),
    templates: z.strictObject({ message: template.default('${name}') }).prefault({}),
  })
  .prefault({});
`;
}

/** The email in English and German: subject and MJML body (in the shared layout, with the greeting). */
export function templateFiles({ title }: Names): Record<string, string> {
  const body = (preview: string, thanks: string, visit: string) => `{% layout "layout" %}
{% block preview %}${title}: ${preview}{% endblock %}
{% block content %}
<mj-section>
  <mj-column>
    <mj-text mj-class="h1">${title}</mj-text>
    {% include "greeting" %}
    <mj-text>${thanks}</mj-text>
    <mj-button href="{{ brand.website }}">${visit}</mj-button>
  </mj-column>
</mj-section>
{% endblock %}
`;
  return {
    'subject.en.liquid': `${title}: a note from {{ brand.name }}\n`,
    'body.en.mjml': body(
      'a note from {{ brand.name }}.',
      'Thank you for being with {{ brand.name }}.',
      'Visit {{ brand.name }}',
    ),
    'subject.de.liquid': `${title}: eine Nachricht von {{ brand.name }}\n`,
    'body.de.mjml': body(
      'eine Nachricht von {{ brand.name }}.',
      'Danke, dass du bei {{ brand.name }} bist.',
      'Zu {{ brand.name }}',
    ),
  };
}

/** Its entry in the templates' sample data (test/fixtures/template-data.ts), which renders it in both languages. */
export const templateSample = ({ name, title }: Names): string => `  '${name}': { data: {}, shows: ['${title}'] },`;

export function testFile({ name, key }: Names): string {
  return `import { eventSignal, journeyWorkflowId } from '../../src/shared/signals';
import { recordHistory } from '../helpers/histories';
import { endJourneysOf, startCustomer, testConfig, track, useJourneySuite } from '../helpers/journeys';

const HOUR = 3600_000;

describe('${name} journey', () => {
  const config = testConfig({ journeys: { ${key}: { enabled: true } } });
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/workflows'), config);

  it('sends its email a day after the trigger', async () => {
    const startedAt = await env().currentTimeMs();
    const handle = await startCustomer(env(), taskQueue(), 'c-1', track('Signed Up', {}, 'c-1'));
    await env().sleep('25 hours');
    const [email] = stub.emailsTo('c-1').filter((e) => e.journey === '${name}');
    expect(email).toMatchObject({ step: 'message', template: '${name}' });
    expect(email.at.getTime() - startedAt).toBeGreaterThanOrEqual(24 * HOUR);
    await recordHistory(env().client.workflow.getHandle(journeyWorkflowId('${name}', 'c-1')), '${name}');
    await endJourneysOf(env(), handle);
  });

  it('sends nothing once the goal is reached', async () => {
    const handle = await startCustomer(env(), taskQueue(), 'c-2', track('Signed Up', {}, 'c-2'));
    await env().sleep('1 hour');
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-1' }, 'c-2'));
    await env().sleep('25 hours');
    expect(stub.emailsTo('c-2').filter((e) => e.journey === '${name}')).toEqual([]);
    await endJourneysOf(env(), handle);
  });
});
`;
}

/** The scripted customer of its golden timeline (test/simulate/golden/<name>/), with the journey turned on. */
export function goldenFiles({ key }: Names): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'customer.json': json({
      userId: 'kenji',
      traits: { email: 'kenji@example.com', first_name: 'Kenji' },
      context: { timezone: 'Asia/Tokyo', locale: 'en-US' },
    }),
    'events.json': json([
      { at: '+0', type: 'track', event: 'Email Confirmed' },
      { at: '+1h', type: 'track', event: 'Signed Up' },
    ]),
    'config.json': json({ journeys: { [key]: { enabled: true } } }),
  };
}
