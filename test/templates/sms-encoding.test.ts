import { smsEncoding } from '../../src/templates/sms-encoding';

describe('smsEncoding: what a text costs to send', () => {
  test('plain text is GSM-7: 160 characters in one segment, 153 per segment beyond', () => {
    expect(smsEncoding('Your order is on its way.')).toEqual({
      encoding: 'GSM-7',
      segments: 1,
      characters: 25,
      nonGsmCharacters: [],
    });
    expect(smsEncoding('a'.repeat(160))).toMatchObject({ segments: 1, characters: 160 });
    expect(smsEncoding('a'.repeat(161))).toMatchObject({ segments: 2, characters: 161 });
    expect(smsEncoding('a'.repeat(306))).toMatchObject({ segments: 2 });
    expect(smsEncoding('a'.repeat(307))).toMatchObject({ segments: 3 });
  });

  test('German umlauts and ß are in the GSM-7 alphabet', () => {
    expect(smsEncoding('Schöne Grüße aus Österreich, Straße')).toMatchObject({ encoding: 'GSM-7', characters: 35 });
  });

  test('€ and { are GSM-7 extension characters and count double', () => {
    expect(smsEncoding('10€ off {today}')).toEqual({
      encoding: 'GSM-7',
      segments: 1,
      characters: 18,
      nonGsmCharacters: [],
    });
    expect(smsEncoding('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', segments: 1, characters: 160 });
    expect(smsEncoding('€'.repeat(81))).toMatchObject({ segments: 2, characters: 162 });
    expect(smsEncoding(`${'a'.repeat(159)}{`)).toMatchObject({ segments: 2, characters: 161 });
  });

  test('one character outside GSM-7 makes the whole text UCS-2: 70 in one segment, 67 per segment beyond', () => {
    expect(smsEncoding('„Danke“')).toEqual({
      encoding: 'UCS-2',
      segments: 1,
      characters: 7,
      nonGsmCharacters: ['„', '“'],
    });
    const quoted = (n: number) => `„${'a'.repeat(n - 1)}`;
    expect(smsEncoding(quoted(70))).toMatchObject({ encoding: 'UCS-2', segments: 1, characters: 70 });
    expect(smsEncoding(quoted(71))).toMatchObject({ segments: 2 });
    expect(smsEncoding(quoted(134))).toMatchObject({ segments: 2 });
    expect(smsEncoding(quoted(135))).toMatchObject({ segments: 3 });
  });

  test('an emoji counts two UCS-2 characters, and each offending character is listed once', () => {
    const text = `See you soon 😀 😀 ’${'a'.repeat(50)}`;
    expect(smsEncoding(text)).toEqual({
      encoding: 'UCS-2',
      segments: 1,
      characters: 70,
      nonGsmCharacters: ['😀', '’'],
    });
    expect(smsEncoding(`${text}a`).segments).toBe(2);
  });
});
