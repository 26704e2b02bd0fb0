import fs from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../src/config/schema';
import { createRenderer } from '../../src/templates/renderer';
import { templateFolders } from './template-folders';
import { minimalCustomer, renderData, sampleGlobals, templateSamples } from '../fixtures/template-data';

/** Every template name the journeys use by default: each `templates` entry and the nurture emails. */
function configuredTemplates(): string[] {
  const { journeys } = configSchema.parse({});
  const names = new Set<string>();
  for (const section of Object.values(journeys)) {
    if (!('templates' in section)) continue;
    // An optional template (the confirmation by text) is null until a shop turns it on.
    for (const name of Object.values(section.templates)) if (name) names.add(name);
  }
  for (const email of journeys.leadNurture.emails) names.add(email.template);
  return [...names].sort();
}

const folders = templateFolders();
const renderer = createRenderer({ defaultLocale: 'en' });
const LOCALES = ['en', 'de'] as const;
const templates = configuredTemplates();

test('the default configuration names the templates with sample data (the 21 starters and any added since), each with a folder', () => {
  expect(templates).toEqual(Object.keys(templateSamples).sort());
  expect(templates.length).toBeGreaterThanOrEqual(21);
  for (const name of templates) {
    expect(folders.has(name)).toBe(true);
    expect(templateSamples[name]).toBeDefined();
  }
});

test('every template folder has a subject and a body in English and German', () => {
  const names = [...folders.keys()];
  expect(names.sort()).toEqual(templates);
  for (const name of names) {
    const files = fs.readdirSync(folders.get(name)!);
    for (const locale of LOCALES)
      expect(files).toEqual(expect.arrayContaining([`subject.${locale}.liquid`, `body.${locale}.mjml`]));
  }
});

test('template sources are as written: no Liquid tag broken over lines (as a formatter would)', () => {
  const sharedDir = path.join(__dirname, '../../src/templates');
  const sources = [sharedDir, ...folders.values()]
    .flatMap((dir) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)))
    .filter((f) => /\.(mjml|liquid)$/.test(f));
  expect(sources.length).toBeGreaterThan(84);
  for (const file of sources) {
    const source = fs.readFileSync(file, 'utf8');
    expect({ file, broken: /{%-?\s*$|^\s*-?%}|{{-?\s*$|^\s*-?}}/m.test(source) }).toEqual({ file, broken: false });
  }
});

describe.each(templates)('%s', (template) => {
  const sample = templateSamples[template]!;

  test.each(LOCALES)('renders in %s with subject, html and text', async (locale) => {
    const email = await renderer.render(template, locale, renderData(template));
    expect(email.locale).toBe(locale);

    expect(email.subject.length).toBeGreaterThan(5);
    expect(email.subject).not.toMatch(/[{}]|\n/);

    // The journey's content, the footer every email must have, nothing left unrendered.
    for (const shown of [...sample.shows, ...(sample.pictures ?? [])]) expect(email.html).toContain(shown);
    expect(email.html).toContain(`href="${sampleGlobals.links.unsubscribe}"`);
    expect(email.html).toContain(`href="${sampleGlobals.links.preferences}"`);
    expect(email.html).toContain(sampleGlobals.brand.address);
    expect(email.html).toContain(`lang="${locale}"`);
    expect(email.html).not.toMatch(/{{|{%|<mj-/);

    // Phone layout: 600px wide, MJML's responsive columns under a @media query.
    expect(email.html).toMatch(/@media only screen and \(min-width:480px\)/);
    expect(email.html).toContain('max-width:600px');

    // The text part: readable, with the links written out.
    expect(email.text.length).toBeGreaterThan(100);
    expect(email.text).not.toMatch(/<[a-z]|{{|{%/i);
    expect(email.text).toContain(sampleGlobals.links.unsubscribe);
    for (const shown of sample.shows) expect(email.text).toContain(shown);
  });

  // What the template truly needs is checked here, when it is written, not at send time: the
  // least a journey can pass (no name, no price, no link the backend left out) must render too.
  test.each(LOCALES)('renders in %s with the least its journey can pass', async (locale) => {
    const data = renderData(template, { globals: { customer: minimalCustomer } });
    const least = { ...data, ...Object.fromEntries(Object.keys(sample.data).map((k) => [k, undefined])) };
    const email = await renderer.render(template, locale, { ...least, ...(sample.minimal ?? sample.data) });
    expect(email.subject.length).toBeGreaterThan(5);
    expect(email.html).not.toMatch(/{{|{%|<mj-|undefined|null|NaN/);
    expect(email.text).not.toMatch(/undefined|null|NaN/);
  });

  test('English and German are different emails', async () => {
    const [en, de] = await Promise.all(LOCALES.map((l) => renderer.render(template, l, renderData(template))));
    expect(de.subject).not.toBe(en.subject);
    expect(en.html).toContain('Unsubscribe');
    expect(de.html).toContain('Abmelden');
    expect(de.text).not.toBe(en.text);
  });
});

describe('content details', () => {
  test('the order confirmation shows prices and the total in the order currency, per locale', async () => {
    const en = await renderer.render('order-confirmation', 'en', renderData('order-confirmation'));
    expect(en.text).toContain('€149.95');
    expect(en.text).toContain('Qty 2 · €39.50');
    expect(en.text).toContain('Total: €238.95');
    const de = await renderer.render('order-confirmation', 'de', renderData('order-confirmation'));
    expect(de.text).toMatch(/Gesamt: 238,95\s€/);
  });

  test('an order total the backend did not send is left out, not printed blank', async () => {
    const data = renderData('order-confirmation');
    const order = { ...(data.order as Record<string, unknown>) };
    delete order.total;
    const email = await renderer.render('order-confirmation', 'en', { ...data, order });
    expect(email.text).not.toContain('Total');
    expect(email.text).toContain('Summit Headlamp 300');
  });

  test('the cart reminder lists every item with its quantity and the subtotal', async () => {
    const email = await renderer.render('cart-reminder', 'en', renderData('cart-reminder'));
    expect(email.text).toContain('Qty 1 · $149.95');
    expect(email.text).toContain('Qty 2 · $18.00');
    expect(email.text).toContain('Subtotal: $185.95');
    expect(email.text).toContain('You left 2 items');
  });

  test('a cart line without a price shows no price, and the cart no subtotal that would be wrong', async () => {
    const items = [{ productId: 'p-1', name: 'Boot', quantity: 2 }, ...(renderData('cart-reminder').items as object[])];
    const email = await renderer.render('cart-reminder', 'en', renderData('cart-reminder', { data: { items } }));
    expect(email.text).toContain('Boot\nQty 2\n');
    expect(email.text).not.toContain('Subtotal');
  });

  test('cart lines in a currency the catalogue knows are priced in it, the subtotal too', async () => {
    const data = renderData('cart-reminder');
    const items = (data.items as Record<string, unknown>[]).map((i) => ({ ...i, currency: 'EUR' }));
    const en = await renderer.render('cart-reminder', 'en', { ...data, items });
    expect(en.text).toContain('Qty 2 · €18.00');
    expect(en.text).toContain('Subtotal: €185.95');
    const de = await renderer.render('cart-reminder-incentive', 'de', {
      ...renderData('cart-reminder-incentive'),
      items,
    });
    expect(de.text).toMatch(/Zwischensumme vor Rabatt: 185,95\s€/);
  });

  test('the greeting uses the first name, and a neutral greeting when it is unknown (null)', async () => {
    const named = await renderer.render('welcome', 'en', renderData('welcome'));
    expect(named.text).toContain('Hi Anna,');
    const customer = { ...sampleGlobals.customer, first_name: null };
    for (const [locale, greeting] of [
      ['en', 'Hi there,'],
      ['de', 'Hallo,'],
    ]) {
      const email = await renderer.render('welcome', locale, renderData('welcome', { globals: { customer } }));
      expect(email.text).toContain(greeting);
    }
  });

  test('the check-in offers exactly the preferences the journey asks for', async () => {
    const only = renderData('reengagement-check-in', { data: { preferences: ['fewer'] } });
    const email = await renderer.render('reengagement-check-in', 'en', only);
    expect(email.html).toContain(templateSamples['reengagement-check-in']!.links!.fewer);
    expect(email.html).not.toContain(templateSamples['reengagement-check-in']!.links!.pause);
  });

  test('back in stock without a name or link still makes a sensible email', async () => {
    const data = renderData('back-in-stock');
    const email = await renderer.render('back-in-stock', 'en', { ...data, name: null, url: null, imageUrl: null });
    expect(email.subject).toBe("It's back in stock");
    expect(email.html).toContain('href="https://shop.example/products/sku-parka-m"');
    // As the journey sends it when the restock event has no details: the fields are absent.
    const absent = { ...data };
    for (const field of ['name', 'url', 'imageUrl']) delete absent[field];
    expect((await renderer.render('back-in-stock', 'de', absent)).subject).toBe('Dein Artikel ist wieder da');
  });

  test('anniversary counts one year in the singular', async () => {
    const email = await renderer.render('anniversary', 'en', renderData('anniversary', { data: { years: 1 } }));
    expect(email.subject).toMatch(/^One year with/);
  });

  test("text from the customer's data is escaped in the HTML", async () => {
    const items = [{ productId: 'x', name: 'Boots <b>&</b> "Laces"', quantity: 1, price: 10 }];
    const email = await renderer.render('cart-reminder', 'en', renderData('cart-reminder', { data: { items } }));
    expect(email.html).toContain('Boots &lt;b&gt;&amp;&lt;/b&gt; &#34;Laces&#34;');
    expect(email.html).not.toContain('<b>&</b>');
    expect(email.text).toContain('Boots <b>&</b> "Laces"');
  });

  test('buttons are large enough to tap: 17px text with 14px padding above and below', async () => {
    const email = await renderer.render('welcome', 'en', renderData('welcome'));
    expect(email.html).toMatch(/font-size:17px[^"]*padding:14px 28px|padding:14px 28px[^"]*font-size:17px/);
  });
});
