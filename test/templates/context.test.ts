import { templateData } from '../../src/templates/context';
import { sampleGlobals } from '../fixtures/template-data';

test("the journey's data sits beside customer, links and brand", () => {
  const data = templateData(sampleGlobals, { orderId: 'o-1' });
  expect(data).toEqual({
    orderId: 'o-1',
    customer: { ...sampleGlobals.customer, phone: null },
    links: sampleGlobals.links,
    brand: sampleGlobals.brand,
  });
});

test('unknown optional customer fields are null, never absent', () => {
  const data = templateData({ ...sampleGlobals, customer: { email: 'a@example.com' } });
  expect(data.customer).toEqual({
    first_name: null,
    last_name: null,
    email: 'a@example.com',
    phone: null,
    locale: null,
  });
});

test("a text's customer has the number it goes to, and no email address", () => {
  const data = templateData({ ...sampleGlobals, customer: { phone: '+4915112345678', first_name: 'Anna' } });
  expect(data.customer).toEqual({
    first_name: 'Anna',
    last_name: null,
    email: null,
    phone: '+4915112345678',
    locale: null,
  });
});

test('journey data may not shadow the names every template relies on', () => {
  expect(() => templateData(sampleGlobals, { links: {} })).toThrow(/reserved template names: links/);
  expect(() => templateData(sampleGlobals, { message: 'x', brand: {} })).toThrow(/brand, message/);
});
