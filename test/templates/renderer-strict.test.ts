import { createRenderer } from '../../src/templates/renderer';
import { renderData, sampleGlobals } from '../fixtures/template-data';
import { failure, mjml, scratchDir } from './helpers';

const renderer = createRenderer({ defaultLocale: 'en' });

describe('strictness: fail loudly, never a blank email', () => {
  test('a variable missing from the data throws, naming the template, locale and variable', async () => {
    const data = renderData('welcome');
    delete data.incentive;
    const err = await failure(renderer.render('welcome', 'de-AT', data));
    // LiquidJS names the first part of the path that is missing.
    expect(err).toMatchObject({ template: 'welcome', locale: 'de', variable: 'incentive' });
    expect(err.message).toContain('template "welcome" (de): missing variable "incentive"');
  });

  test('a missing field of an object that is there is named with its full path', async () => {
    const data = renderData('welcome', { data: { incentive: { code: 'WELCOME10' } } });
    expect(await failure(renderer.render('welcome', 'en', data))).toMatchObject({ variable: 'incentive.percentOff' });
  });

  test('a nested field missing from a list item throws too', async () => {
    const items = [{ productId: 'p1', quantity: 1, price: 5 }]; // no name
    const err = await failure(renderer.render('cart-reminder', 'en', renderData('cart-reminder', { data: { items } })));
    expect(err.variable).toBe('product.name');
  });

  test('a link the template needs and the sender did not provide throws', async () => {
    const data = renderData('reengagement-check-in');
    const err = await failure(
      renderer.render('reengagement-check-in', 'en', { ...data, links: { ...sampleGlobals.links, fewer: 'x' } }),
    );
    expect(err.variable).toBe('links.pause');
  });

  test('an unknown template throws', async () => {
    const err = await failure(renderer.render('no-such-template', 'en', {}));
    expect(err).toMatchObject({ template: 'no-such-template' });
    expect(err.message).toContain('unknown template');
  });

  test.each(['../templates', '_partials', 'welcome/../welcome', ''])('%j is not a template name', async (name) => {
    expect((await failure(renderer.render(name, 'en', renderData('welcome')))).message).toContain('unknown template');
  });

  test('invalid MJML throws with the validator message', async () => {
    const dir = scratchDir({
      'bad/subject.en.liquid': 'Bad',
      'bad/body.en.mjml': '<mjml><mj-body><mj-section><mj-text>not in a column</mj-text></mj-section></mj-body></mjml>',
    });
    const err = await failure(createRenderer({ dir, defaultLocale: 'en' }).render('bad', 'en', {}));
    expect(err).toMatchObject({ template: 'bad', locale: 'en', file: 'body.en.mjml' });
    expect(err.message).toContain('mj-text cannot be used inside mj-section');
  });

  test('an unknown filter throws', async () => {
    const dir = scratchDir({ 'f/subject.en.liquid': '{{ name | shout }}', 'f/body.en.mjml': mjml('x') });
    const err = await failure(createRenderer({ dir, defaultLocale: 'en' }).render('f', 'en', { name: 'a' }));
    expect(err.message).toContain('undefined filter: shout');
  });

  test('a subject that renders empty throws', async () => {
    const dir = scratchDir({ 'e/subject.en.liquid': '{{ title }}\n', 'e/body.en.mjml': mjml('x') });
    const err = await failure(createRenderer({ dir, defaultLocale: 'en' }).render('e', 'en', { title: null }));
    expect(err.message).toContain('subject rendered empty');
  });

  test('the subject is one line, whatever the file looks like', async () => {
    const dir = scratchDir({ 's/subject.en.liquid': '  Hello\n  {{ name }}  \n', 's/body.en.mjml': mjml('x') });
    expect((await createRenderer({ dir, defaultLocale: 'en' }).render('s', 'en', { name: 'Anna' })).subject).toBe(
      'Hello Anna',
    );
  });

  test('a bad defaultLocale is refused up front', () => {
    expect(() => createRenderer({ defaultLocale: 'not a locale!' })).toThrow(/defaultLocale/);
  });
});
