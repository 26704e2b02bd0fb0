import fs from 'node:fs';
import { createRenderer, NoSmsText } from '../../src/templates/renderer';
import { renderData } from '../fixtures/template-data';
import { failure, scratchDir } from './helpers';

const renderer = createRenderer({ defaultLocale: 'en' });

describe('renderSms: the text message of a template', () => {
  test('a German customer gets the German text, with the Liquid variables filled', async () => {
    const sms = await renderer.renderSms('cart-reminder-incentive', 'de-AT', renderData('cart-reminder-incentive'));
    expect(sms.locale).toBe('de');
    expect(sms.text).toContain('Hallo Anna, dein Warenkorb wartet noch');
    expect(sms.text).toContain('COMEBACK10');
    expect(sms.text).toMatch(/Antworte STOP zum Abbestellen\.$/);
  });

  test('a locale without SMS text falls back to its language, then to the default locale', async () => {
    const data = renderData('order-confirmation');
    for (const [requested, used] of [
      ['de_at', 'de'],
      ['fr', 'en'],
      [undefined, 'en'],
    ] as const) {
      expect((await renderer.renderSms('order-confirmation', requested, data)).locale).toBe(used);
    }
  });

  test('is plain text, trimmed, with at most one blank line in a row', async () => {
    const dir = scratchDir({
      'note/sms.en.liquid':
        '\n  Hi {{ name }},  \n\n\n\n{{ shop }} says <b>hello</b>.\n{% if later %}\n\n{% endif %}\n\n\nBye\n\n',
    });
    const sms = await createRenderer({ dir, defaultLocale: 'en' }).renderSms('note', 'en', {
      name: 'Anna & "Jo"',
      shop: 'Berg <Sport>',
      later: true,
    });
    expect(sms.text).toBe('Hi Anna & "Jo",\n\nBerg <Sport> says <b>hello</b>.\n\nBye');
  });

  test('prices formatted for German stay GSM-7: the no-break space Intl puts before € becomes a space', async () => {
    const dir = scratchDir({ 'price/sms.de.liquid': 'Nur {{ amount | money: "EUR" }} heute.' });
    const sms = await createRenderer({ dir, defaultLocale: 'de' }).renderSms('price', 'de', { amount: 19.9 });
    expect(sms).toMatchObject({ text: 'Nur 19,90 € heute.', encoding: 'GSM-7', characters: 19, nonGsmCharacters: [] });
  });

  test('reports the encoding and segments of what it rendered, naming the characters that force UCS-2', async () => {
    const dir = scratchDir({ 'quote/sms.de.liquid': '„{{ product }}“ ist wieder da!' });
    const sms = await createRenderer({ dir, defaultLocale: 'de' }).renderSms('quote', 'de', { product: 'Parka' });
    expect(sms).toEqual({
      text: '„Parka“ ist wieder da!',
      locale: 'de',
      encoding: 'UCS-2',
      segments: 1,
      characters: 22,
      nonGsmCharacters: ['„', '“'],
    });
  });

  test('a folder with only SMS files is an SMS-only template', async () => {
    const dir = scratchDir({ 'code/sms.en.liquid': 'Your code is {{ code }}.' });
    const sms = await createRenderer({ dir, defaultLocale: 'en' }).renderSms('code', 'de', { code: '4711' });
    expect(sms).toMatchObject({ text: 'Your code is 4711.', locale: 'en', segments: 1 });
  });
});

describe('renderSms fails loudly, never a blank text', () => {
  test('a variable missing from the data throws, naming it', async () => {
    const data = renderData('cart-reminder-incentive', { data: { incentive: { code: 'COMEBACK10' } } });
    const err = await failure(renderer.renderSms('cart-reminder-incentive', 'en', data));
    expect(err).toMatchObject({
      template: 'cart-reminder-incentive',
      locale: 'en',
      variable: 'incentive.percentOff',
      file: 'sms.en.liquid',
    });
    expect(err.message).toContain('missing variable "incentive.percentOff"');
  });

  test('an unknown template throws, and the keyword replies are not a template', async () => {
    expect((await failure(renderer.renderSms('no-such-template', 'en', {}))).message).toContain('unknown template');
    for (const name of ['_sms-replies', '_partials', '../templates/_sms-replies']) {
      expect((await failure(renderer.renderSms(name, 'en', renderData('welcome')))).message).toContain(
        'unknown template',
      );
    }
  });

  test('an email-only template has no SMS text: NoSmsText, a TemplateError', async () => {
    const err = await failure(renderer.renderSms('welcome', 'en', renderData('welcome')));
    expect(err).toBeInstanceOf(NoSmsText);
    expect(err.message).toBe('template "welcome": has no SMS text (no sms.<locale>.liquid file)');
  });

  test('SMS text in some locales but not the default one is a mistake in the template', async () => {
    const dir = scratchDir({ 'only-de/sms.de.liquid': 'Hallo' });
    const err = await failure(createRenderer({ dir, defaultLocale: 'en' }).renderSms('only-de', 'fr', {}));
    expect(err).not.toBeInstanceOf(NoSmsText);
    expect(err.message).toContain('no sms.<locale>.liquid for any of the locales fr, en');
  });

  test('a text that renders empty throws', async () => {
    const dir = scratchDir({ 'blank/sms.en.liquid': '{% if promo %}Sale!{% endif %}\n\n' });
    const err = await failure(createRenderer({ dir, defaultLocale: 'en' }).renderSms('blank', 'en', { promo: false }));
    expect(err).toMatchObject({ template: 'blank', locale: 'en', file: 'sms.en.liquid' });
    expect(err.message).toContain('rendered empty');
  });
});

describe('SMS caching', () => {
  afterEach(() => jest.restoreAllMocks());

  test('each template and locale compiles once; the second render reads nothing', async () => {
    const r = createRenderer({ defaultLocale: 'en' });
    const data = renderData('order-confirmation');
    const first = await r.renderSms('order-confirmation', 'de', data);
    expect(r.stats).toMatchObject({ compiles: 1, fileReads: 2 }); // folder, sms.de.liquid

    const readFile = jest.spyOn(fs.promises, 'readFile');
    const readdir = jest.spyOn(fs.promises, 'readdir');
    const again = await r.renderSms('order-confirmation', 'de-AT', data);
    const other = await r.renderSms(
      'order-confirmation',
      'de',
      renderData('order-confirmation', {
        data: { order: { orderId: 'ORD-2', products: [], currency: 'EUR' } },
      }),
    );
    expect(readFile).not.toHaveBeenCalled();
    expect(readdir).not.toHaveBeenCalled();
    expect(r.stats).toMatchObject({ compiles: 1, fileReads: 2, renders: 3 });
    expect(again).toEqual(first);
    expect(other.text).toContain('ORD-2'); // the cache holds parsed templates, not output
  });

  test('concurrent first renders compile once; the email and the SMS text share only the folder listing', async () => {
    const r = createRenderer({ defaultLocale: 'en' });
    const data = renderData('order-confirmation');
    await Promise.all([1, 2, 3].map(() => r.renderSms('order-confirmation', 'en', data)));
    expect(r.stats).toMatchObject({ compiles: 1, fileReads: 2 });
    await r.render('order-confirmation', 'en', data);
    expect(r.stats).toMatchObject({ compiles: 2, fileReads: 4 }); // + subject, body
  });
});
