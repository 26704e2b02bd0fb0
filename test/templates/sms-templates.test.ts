import fs from 'node:fs';
import { templateData } from '../../src/templates/context';
import { createRenderer, type SmsReplyKeyword } from '../../src/templates/renderer';
import { minimalCustomer, renderData, sampleGlobals, templateSamples } from '../fixtures/template-data';
import { failure } from './helpers';
import { templateFolders } from './template-folders';

const folders = templateFolders();
const renderer = createRenderer({ defaultLocale: 'en' });
const LOCALES = ['en', 'de'] as const;
const OPT_OUT = { en: 'Reply STOP to opt out.', de: 'Antworte STOP zum Abbestellen.' };

/** The shipped SMS texts: marketing ones end with the opt-out hint, transactional ones need none. */
const shipped: Record<string, { marketing: boolean; shows: string[] }> = {
  'cart-reminder-incentive': { marketing: true, shows: ['Anna', 'COMEBACK10', '10', 'https://shop.example/cart'] },
  'order-confirmation': {
    marketing: false,
    shows: ['ORD-50211', 'https://shop.example/account/orders/ORD-50211'],
  },
};

test('every template with SMS text is tested here, and has it in English and German', () => {
  const withSms = [...folders]
    .filter(([, folder]) => fs.readdirSync(folder).some((f) => f.startsWith('sms.')))
    .map(([name]) => name);
  expect(withSms.sort()).toEqual(Object.keys(shipped).sort());
  for (const name of withSms) {
    const files = fs.readdirSync(folders.get(name)!);
    expect(files).toEqual(expect.arrayContaining(LOCALES.map((l) => `sms.${l}.liquid`)));
  }
});

describe.each(Object.entries(shipped))('%s', (template, { marketing, shows }) => {
  test.each(LOCALES)('in %s with typical data: one GSM-7 segment, from the brand, with the data', async (locale) => {
    const sms = await renderer.renderSms(template, locale, renderData(template));
    expect(sms).toMatchObject({ locale, encoding: 'GSM-7', segments: 1, nonGsmCharacters: [] });
    expect(sms.text.startsWith(`${sampleGlobals.brand.name}: `)).toBe(true);
    for (const shown of shows) expect(sms.text).toContain(shown);
    if (marketing) expect(sms.text.endsWith(`\n${OPT_OUT[locale]}`)).toBe(true);
    else expect(sms.text).not.toContain('STOP');
  });

  test.each(LOCALES)('in %s with the least its journey can pass: still one segment, nothing blank', async (locale) => {
    const data = renderData(template, { globals: { customer: minimalCustomer } });
    const sms = await renderer.renderSms(template, locale, { ...data, ...templateSamples[template]!.minimal });
    expect(sms.segments).toBe(1);
    expect(sms.text).not.toMatch(/undefined|null|NaN|{{|{%|\s[,.]/);
  });

  test('English and German are different texts', async () => {
    const [en, de] = await Promise.all(LOCALES.map((l) => renderer.renderSms(template, l, renderData(template))));
    expect(de.text).not.toBe(en.text);
  });
});

test('the cart reminder links to the cart the journey names, when it names one', async () => {
  const cartUrl = 'https://shop.example/cart?restore=cart-8812';
  const sms = await renderer.renderSms('cart-reminder-incentive', 'de', {
    ...renderData('cart-reminder-incentive'),
    cartUrl,
  });
  expect(sms.text).toContain(`sparst du 10 %: ${cartUrl}\n`);
});

test('the cart reminder greets a customer whose name is unknown without one', async () => {
  const data = renderData('cart-reminder-incentive', { globals: { customer: minimalCustomer } });
  expect((await renderer.renderSms('cart-reminder-incentive', 'en', data)).text).toContain(': Hi there, your cart');
  expect((await renderer.renderSms('cart-reminder-incentive', 'de', data)).text).toContain(': Hallo, dein Warenkorb');
});

describe('renderSmsReply: the answers to STOP, START and HELP', () => {
  const data = templateData(sampleGlobals);
  const expected: Record<SmsReplyKeyword, Record<(typeof LOCALES)[number], string[]>> = {
    stop: {
      en: ['You will no longer receive marketing texts from Alpenglow Outfitters.', 'Reply START'],
      de: ['Du erhältst keine Werbe-SMS mehr von Alpenglow Outfitters.', 'Antworte START'],
    },
    start: { en: ['Alpenglow Outfitters', 'Reply STOP to opt out'], de: ['Alpenglow Outfitters', 'Antworte STOP'] },
    help: {
      en: ['Alpenglow Outfitters', 'https://shop.example', 'Reply STOP'],
      de: ['Alpenglow Outfitters', 'https://shop.example', 'Antworte STOP'],
    },
  };

  describe.each(Object.keys(expected) as SmsReplyKeyword[])('%s', (keyword) => {
    test.each(LOCALES)('in %s: one GSM-7 segment with the brand and what to reply', async (locale) => {
      const sms = await renderer.renderSmsReply(keyword, locale, data);
      expect(sms).toMatchObject({ locale, encoding: 'GSM-7', segments: 1 });
      for (const shown of expected[keyword][locale]) expect(sms.text).toContain(shown);
    });
  });

  test('falls back along the locale chain like the templates', async () => {
    expect((await renderer.renderSmsReply('stop', 'de-AT', data)).locale).toBe('de');
    expect((await renderer.renderSmsReply('help', 'fr', data)).locale).toBe('en');
  });

  test('a reply needs the brand: without it, it fails naming it', async () => {
    const err = await failure(renderer.renderSmsReply('help', 'en', {}));
    expect(err).toMatchObject({ template: '_sms-replies', file: 'help.en.liquid', variable: 'brand' });
  });

  test('only the keywords we answer: anything else is not a file name to look up', async () => {
    const err = await failure(renderer.renderSmsReply('../welcome/sms' as SmsReplyKeyword, 'en', data));
    expect(err.message).toContain('no reply for the keyword');
  });
});
