import fs from 'node:fs';
import { createRenderer } from '../../src/templates/renderer';
import { renderData, sampleGlobals } from '../fixtures/template-data';
import { failure, mjml, scratchDir } from './helpers';

const renderer = createRenderer({ defaultLocale: 'en' });

describe('locale fallback', () => {
  test.each([
    ['de-AT', 'de'],
    ['de_at', 'de'],
    ['fr', 'en'],
    ['fr-CA', 'en'],
    [undefined, 'en'],
    ['', 'en'],
    ['not a locale!', 'en'],
  ])('%s renders in %s', async (requested, used) => {
    const email = await renderer.render('welcome', requested, renderData('welcome'));
    expect(email.locale).toBe(used);
    expect(email.html).toContain(`lang="${used}"`);
  });

  test('an exact locale wins over its language, and partials fall back along the same chain', async () => {
    const dir = scratchDir({
      'hello/subject.de.liquid': 'Hallo',
      'hello/body.de.mjml': mjml('Deutsch {% include "sign" %}'),
      'hello/subject.de-AT.liquid': 'Servus',
      'hello/body.de-AT.mjml': mjml('Österreichisch {% include "sign" %}'),
      'hello/subject.en.liquid': 'Hello',
      'hello/body.en.mjml': mjml('English {% include "sign" %}'),
      '_partials/de/sign.mjml': 'Grüße',
      '_partials/en/sign.mjml': 'Regards',
    });
    const r = createRenderer({ dir, defaultLocale: 'en' });
    expect(await r.render('hello', 'de-AT', {})).toMatchObject({ subject: 'Servus', locale: 'de-AT' });
    expect((await r.render('hello', 'de-AT', {})).text).toBe('Österreichisch Grüße');
    expect(await r.render('hello', 'de-CH', {})).toMatchObject({ subject: 'Hallo', locale: 'de' });
    expect(await r.render('hello', 'es', {})).toMatchObject({
      subject: 'Hello',
      text: 'English Regards',
      locale: 'en',
    });
  });

  test('the default locale is configurable', async () => {
    const german = createRenderer({ defaultLocale: 'de' });
    expect((await german.render('welcome', 'fr', renderData('welcome'))).locale).toBe('de');
  });

  test('a locale with a subject but no body is a mistake, not a reason to fall back', async () => {
    const dir = scratchDir({
      'hello/subject.en.liquid': 'Hello',
      'hello/body.en.mjml': mjml('Hi'),
      'hello/subject.de.liquid': 'Hallo',
    });
    const err = await failure(createRenderer({ dir, defaultLocale: 'en' }).render('hello', 'de', {}));
    expect(err.message).toContain('body.de.mjml');
  });
});

describe('the text part', () => {
  test('comes from text.<locale>.liquid when the template has one', async () => {
    const email = await renderer.render('welcome-confirm', 'de', renderData('welcome-confirm'));
    expect(email.text).toMatch(/^Hallo Anna,\n\ndanke für deine Anmeldung/);
    expect(email.text).toContain('\nhttps://mail.shop.example/confirm/eyJtIjo0Mn0.Y29uZmlybQ\n');
    expect(email.text).toContain(`Abmelden: ${sampleGlobals.links.unsubscribe}`);
  });

  test('is generated from the HTML otherwise: no preview text, no pictures, links written out', async () => {
    const email = await renderer.render('cart-reminder', 'en', renderData('cart-reminder'));
    expect(email.text).not.toContain('Your cart is saved and waiting'); // the mj-preview text
    expect(email.html).toContain('Your cart is saved and waiting');
    expect(email.text).not.toContain('cdn.shop.example');
    expect(email.text).toContain('Return to my cart [https://shop.example/cart]');
  });
});

describe('caching', () => {
  afterEach(() => jest.restoreAllMocks());

  test('the second render of a template and locale reads and parses nothing', async () => {
    const r = createRenderer({ defaultLocale: 'en' });
    const first = await r.render('order-confirmation', 'de', renderData('order-confirmation'));
    expect(r.stats).toMatchObject({ compiles: 1, fileReads: 3 }); // folder, subject, body

    const readFile = jest.spyOn(fs.promises, 'readFile');
    const readdir = jest.spyOn(fs.promises, 'readdir');
    const readFileSync = jest.spyOn(fs, 'readFileSync');
    const again = await r.render('order-confirmation', 'de', renderData('order-confirmation'));
    const other = await r.render(
      'order-confirmation',
      'de-AT',
      renderData('order-confirmation', {
        data: { order: { orderId: 'ORD-2', products: [], total: 1, currency: 'EUR' } },
      }),
    );
    expect(readFile).not.toHaveBeenCalled();
    expect(readdir).not.toHaveBeenCalled();
    expect(readFileSync).not.toHaveBeenCalled();
    expect(r.stats).toMatchObject({ compiles: 1, fileReads: 3, renders: 3 });
    expect(again).toEqual(first);
    expect(other.html).toContain('ORD-2'); // the cache holds parsed templates, not output
  });

  test('concurrent first renders compile once', async () => {
    const r = createRenderer({ defaultLocale: 'en' });
    await Promise.all(Array.from({ length: 5 }, () => r.render('welcome', 'en', renderData('welcome'))));
    expect(r.stats.compiles).toBe(1);
  });

  test('each locale compiles once', async () => {
    const r = createRenderer({ defaultLocale: 'en' });
    for (const locale of ['en', 'de', 'de-AT', 'fr', 'en']) await r.render('welcome', locale, renderData('welcome'));
    expect(r.stats.compiles).toBe(2);
  });

  test('a failed render is not cached as a failure', async () => {
    const r = createRenderer({ defaultLocale: 'en' });
    await failure(r.render('welcome', 'en', {}));
    await expect(r.render('welcome', 'en', renderData('welcome'))).resolves.toMatchObject({ locale: 'en' });
  });
});
