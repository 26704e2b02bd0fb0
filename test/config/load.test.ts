import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';

const writeJson = (value: unknown): string => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-config-')), 'journeys.json');
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};

describe('journey configuration', () => {
  it('has the brief as its defaults', () => {
    const config = loadConfig(undefined, {});
    expect(config.journeys.abandonedCart).toMatchObject({
      firstReminderAfter: '1 hour',
      secondReminderAfter: '24 hours',
    });
    expect(config.journeys.reengagement.silenceAfter).toBe('90 days');
    expect(config.messaging.quietHours).toEqual({ start: '21:00', end: '08:00' });
  });

  it('takes a file, then environment overrides on top', () => {
    const file = writeJson({ journeys: { welcome: { bestContentAfter: '3 days', holdoutShare: 0.1 } } });
    const config = loadConfig(file, {
      JOURNEYS__journeys__welcome__holdoutShare: '0.2',
      JOURNEYS__journeys__abandonedCart__firstReminderAfter: '2 hours',
      JOURNEYS__messaging__quietHours: 'null',
    });
    expect(config.journeys.welcome).toMatchObject({ bestContentAfter: '3 days', holdoutShare: 0.2 });
    expect(config.journeys.abandonedCart.firstReminderAfter).toBe('2 hours');
    expect(config.messaging.quietHours).toBeNull();
  });

  it('names every bad key in one error', () => {
    const file = writeJson({ journeys: { birthday: { sendAt: '9am' } }, lifecycle: { loyalAfterOrders: 0 } });
    let error: unknown;
    try {
      loadConfig(file, { JOURNEYS__journeys__welcome__bestContentAfter: 'soon' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('journeys.birthday.sendAt: expected a local time as HH:MM');
    expect(message).toContain('journeys.welcome.bestContentAfter: expected a duration');
    expect(message).toContain('lifecycle.loyalAfterOrders');
  });

  it('refuses a key it does not know, so a misspelt one cannot leave its default in place', () => {
    const file = writeJson({ '//': 'a comment', journeys: { abandonedCart: { firstRemindrAfter: '5 minutes' } } });
    expect(() => loadConfig(file, {})).toThrow(/journeys\.abandonedCart: Unrecognized key: "firstRemindrAfter"/);
    expect(() => loadConfig(undefined, { JOURNEYS__messaging__quietHour: 'null' })).toThrow(/quietHour/);
    expect(loadConfig(writeJson({ '//': 'comments are fine', messaging: { '//': 'here too' } }), {})).toBeDefined();
  });

  it('refuses a journey topic the preference centre does not offer, and a sender that is not a number', () => {
    const file = writeJson({
      messaging: { topics: [{ id: 'offers', names: { en: 'Offers' } }], sms: { from: '0151 123' } },
    });
    let message = '';
    try {
      loadConfig(file, {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('journeys.abandonedCart.topic: "reminders" is not one of messaging.topics (offers)');
    expect(message).toContain('messaging.sms.from: expected a number such as +15017122661');
  });

  it('says which file could not be read', () => {
    expect(() => loadConfig(writeJson('{ not json'), {})).toThrow(/JOURNEYS_CONFIG=.*could not be read as JSON/);
    expect(() => loadConfig('/nonexistent/journeys.json', {})).toThrow(ConfigError);
  });
});
