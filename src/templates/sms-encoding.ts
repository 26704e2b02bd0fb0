import { SegmentedMessage } from 'sms-segments-calculator';

export type SmsEncodingName = 'GSM-7' | 'UCS-2';

/** How a text travels as SMS, and so what it costs. */
export interface SmsEncoding {
  /** GSM-7 when every character is in the GSM 03.38 alphabet or its extension table; UCS-2 otherwise. */
  encoding: SmsEncodingName;
  /**
   * The parts the network sends and bills: one holds 160 GSM-7 or 70 UCS-2 characters; a longer
   * text goes in parts of 153 or 67 (the rest of each carries the header that joins them).
   */
  segments: number;
  /**
   * The length as those limits count it: GSM-7 septets (the extension characters € { } [ ] ~ ^ | \
   * count 2), UCS-2 16-bit units (an emoji outside the Basic Multilingual Plane counts 2).
   */
  characters: number;
  /** The characters that force UCS-2, each once, in the order they appear; empty for GSM-7. */
  nonGsmCharacters: string[];
}

/**
 * The encoding and segment count of `text`, as Twilio counts them (its own calculator). Pure: the
 * renderer reports it for a template, and the sender measures the text again once its links are shortened.
 */
export function smsEncoding(text: string): SmsEncoding {
  const message = new SegmentedMessage(text, 'auto');
  const bitsPerCharacter = message.encodingName === 'GSM-7' ? 7 : 16;
  return {
    encoding: message.encodingName,
    segments: message.segmentsCount,
    // messageSize leaves out the joining headers, so it is the text's own length in bits.
    characters: message.messageSize / bitsPerCharacter,
    nonGsmCharacters: [...new Set(message.getNonGsmCharacters())],
  };
}
