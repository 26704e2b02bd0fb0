import { canonicalLocale, localeChain } from '../../src/templates/locale';

test.each([
  ['de-AT', 'en', ['de-AT', 'de', 'en']],
  ['de_at', 'en', ['de-AT', 'de', 'en']],
  ['zh-hant-tw', 'en', ['zh-Hant-TW', 'zh-Hant', 'zh', 'en']],
  ['en-US', 'en', ['en-US', 'en']],
  ['en-GB-u-ca-gregory', 'en', ['en-GB', 'en']],
  ['fr', 'en-US', ['fr', 'en-US', 'en']],
  [undefined, 'en', ['en']],
  ['', 'de', ['de']],
  ['../../etc/passwd', 'en', ['en']],
])('localeChain(%j, %j) is %j', (requested, fallback, chain) => {
  expect(localeChain(requested, fallback)).toEqual(chain);
});

test('canonicalLocale refuses what is not a locale tag', () => {
  expect(canonicalLocale('x y')).toBeUndefined();
  expect(canonicalLocale('DE')).toBe('de');
});
