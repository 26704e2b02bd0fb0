import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/api/errors';
import { previewRouter } from '../../src/api/preview-routes';
import { createRenderer } from '../../src/templates/renderer';
import { templateSamples } from '../fixtures/template-data';
import { testConfig } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';

describe('template preview', () => {
  const db = useMigratedPostgres();
  let app: express.Express;
  beforeAll(async () => {
    const config = testConfig();
    app = express()
      .use(
        previewRouter({
          pool: db.pool(),
          renderer: createRenderer({ defaultLocale: 'en' }),
          links: { publicUrl: 'https://mail.example.test', signingSecret: 'preview-secret' },
          messaging: () => config.messaging,
        }),
      )
      .use(errorHandler(() => {}));
    await db
      .pool()
      .query(`INSERT INTO customers (id, email, first_name, locale) VALUES ('pv-1', 'pv@example.test', 'Jonas', 'de')`);
  });
  const preview = (name: string, query: Record<string, string>) =>
    request(app).get(`/v1/templates/${name}/preview`).query(query);

  it('renders what the customer would get, in their language and with their name', async () => {
    const data = JSON.stringify(templateSamples['cart-reminder'].data);
    const res = await preview('cart-reminder', { customerId: 'pv-1', data });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-language']).toBe('de');
    expect(decodeURIComponent(res.headers['x-subject'])).toBe('Du hast etwas in deinem Warenkorb vergessen');
    expect(res.text).toContain('Jonas');
    const english = await preview('cart-reminder', { customerId: 'pv-1', locale: 'en', data });
    expect(english.headers['content-language']).toBe('en');
  });

  it('fails loudly when the data lacks a variable: 422 naming it', async () => {
    const res = await preview('birthday-offer', { customerId: 'pv-1' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'template_error',
      details: { template: 'birthday-offer', variable: 'offer' },
    });
  });

  it('answers 404 for an unknown template or customer, 400 for data that is not a JSON object', async () => {
    expect((await preview('no-such-template', {})).status).toBe(404);
    expect((await preview('..%2Fetc', {})).status).toBe(404);
    expect((await preview('welcome', { customerId: 'nobody' })).status).toBe(404);
    const bad = await preview('welcome', { data: '[1,2]' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'data', message: 'data must be a JSON object' }]);
    expect((await preview('welcome', { data: '{"customer": {}}' })).status).toBe(400);
  });

  describe('channel=sms', () => {
    const cartData = JSON.stringify(templateSamples['cart-reminder-incentive']!.data);

    it('answers the text message as JSON, in the customer language and with their name', async () => {
      const res = await preview('cart-reminder-incentive', { channel: 'sms', customerId: 'pv-1', data: cartData });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.headers['content-language']).toBe('de');
      expect(res.body).toEqual({
        channel: 'sms',
        locale: 'de',
        text: expect.stringMatching(/^.+: Hallo Jonas, dein Warenkorb wartet noch\..*COMEBACK10/),
        encoding: 'GSM-7',
        segments: 1,
        characters: res.body.text.length,
        nonGsmCharacters: [],
      });
      expect(res.body.text).toMatch(/\nAntworte STOP zum Abbestellen\.$/);
      const english = await preview('cart-reminder-incentive', { channel: 'sms', locale: 'en', data: cartData });
      expect(english.body).toMatchObject({ locale: 'en', text: expect.stringContaining('Hi Ada,') });
    });

    it('without a channel, or with channel=email, answers the HTML email as before', async () => {
      for (const query of [{}, { channel: 'email' }] as Record<string, string>[]) {
        const res = await preview('cart-reminder-incentive', { ...query, customerId: 'pv-1', data: cartData });
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toContain('text/html');
        expect(decodeURIComponent(res.headers['x-subject'])).toContain('Dein Warenkorb wartet');
      }
    });

    it('answers 404 for an unknown template, and for one that has no SMS text, saying so', async () => {
      expect((await preview('no-such-template', { channel: 'sms' })).status).toBe(404);
      const emailOnly = await preview('welcome', {
        channel: 'sms',
        data: '{"incentive": {"code": "W", "percentOff": 5}}',
      });
      expect(emailOnly.status).toBe(404);
      expect(emailOnly.body.error).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('no SMS text'),
      });
    });

    it('answers 422 naming a variable the data lacks', async () => {
      const res = await preview('cart-reminder-incentive', { channel: 'sms' });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({
        code: 'template_error',
        details: { template: 'cart-reminder-incentive', locale: 'en', variable: 'incentive' },
      });
    });

    it('answers 400 naming the field for a channel it does not know', async () => {
      const res = await preview('order-confirmation', { channel: 'fax' });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: 'invalid_request',
        message: 'channel must be "email" or "sms"',
        details: [{ path: 'channel', message: 'channel must be "email" or "sms"' }],
      });
    });
  });
});
