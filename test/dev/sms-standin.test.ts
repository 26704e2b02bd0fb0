import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { startSmsStandin, type SmsStandin } from '../../src/dev/sms-standin';
import { eventually } from '../helpers/eventually';

const ACCOUNT_SID = 'AC' + '0'.repeat(31) + '1';
const AUTH_TOKEN = 'test-auth-token';
const CUSTOMER = '+4915112345678';
const OUR_NUMBER = '+15005550006';

/** What the official client would send to api.twilio.com goes to the stand-in instead. */
class StandinHttpClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }
  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', this.baseUrl) });
  }
}

interface Posted {
  url: string;
  signature: string;
  params: Record<string, string>;
}

/** Our API's side: receives status callbacks and inbound texts as Twilio posts them. */
function startOurApi() {
  const posted: Posted[] = [];
  const failuresLeft = { flaky: 1 };
  let inboundAnswer = '<Response><Message>Thanks &amp; bye &lt;3</Message></Response>';
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post('/{*path}', (req, res) => {
    const url = `http://127.0.0.1:${port()}${req.originalUrl}`;
    posted.push({ url, signature: req.get('x-twilio-signature') ?? '', params: req.body as Record<string, string> });
    if (req.path === '/flaky' && failuresLeft.flaky-- > 0) return void res.status(500).end();
    if (req.path === '/inbound') return void res.type('text/xml').send(inboundAnswer);
    res.status(204).end();
  });
  const server: Server = app.listen(0, '127.0.0.1');
  const port = () => (server.address() as AddressInfo).port;
  return {
    server,
    posted,
    url: (path: string) => `http://127.0.0.1:${port()}${path}`,
    answerInboundWith(twiml: string) {
      inboundAnswer = twiml;
    },
    callbacksFor: (sid: string) => posted.filter((p) => p.params.MessageSid === sid && p.params.MessageStatus),
  };
}

let ourApi: ReturnType<typeof startOurApi>;
let standin: SmsStandin;
const logged: string[] = [];

function client(accountSid = ACCOUNT_SID, authToken = AUTH_TOKEN) {
  return twilio(accountSid, authToken, { httpClient: new StandinHttpClient(standin.url) });
}

beforeAll(async () => {
  ourApi = startOurApi();
  await new Promise((resolve) => ourApi.server.once('listening', resolve));
  standin = await startSmsStandin({
    port: 0,
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    inboundUrl: ourApi.url('/inbound'),
    ourNumber: OUR_NUMBER,
    log: (line) => logged.push(line),
  });
});

afterAll(async () => {
  await standin?.stop();
  await new Promise((resolve) => ourApi?.server.close(resolve));
});

describe('sending with the official twilio client', () => {
  it('gets back a queued Message with its sid and segments, and the stand-in keeps it', async () => {
    const message = await client().messages.create({ to: CUSTOMER, from: OUR_NUMBER, body: 'Your code is 1234' });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(message.numSegments).toBe('1');
    expect(message.direction).toBe('outbound-api');
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(message.dateCreated.getTime()).not.toBeNaN();
    expect(message.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${message.sid}.json`);
    expect(standin.messages().find((t) => t.sid === message.sid)).toMatchObject({
      to: CUSTOMER,
      from: OUR_NUMBER,
      body: 'Your code is 1234',
      direction: 'outbound-api',
    });
    expect(logged).toContain(`[sms] to ${CUSTOMER}: Your code is 1234`);
  });

  it('counts segments as Twilio does: 160 GSM-7 characters fit one, an emoji makes it UCS-2', async () => {
    const send = (body: string) => client().messages.create({ to: CUSTOMER, from: OUR_NUMBER, body });
    expect((await send('a'.repeat(160))).numSegments).toBe('1');
    expect((await send('a'.repeat(161))).numSegments).toBe('2');
    expect((await send('🎉' + 'a'.repeat(69))).numSegments).toBe('2');
  });

  it('sends from a Messaging Service with our number', async () => {
    const message = await client().messages.create({
      to: CUSTOMER,
      messagingServiceSid: 'MG' + '0'.repeat(32),
      body: 'Via a service',
    });
    expect(message.from).toBe(OUR_NUMBER);
    expect(message.messagingServiceSid).toBe('MG' + '0'.repeat(32));
  });
});

describe('refusals, in the shape the client turns into a RestException', () => {
  it('401 20003 for a wrong auth token or another account', async () => {
    const send = (c: ReturnType<typeof client>) => c.messages.create({ to: CUSTOMER, from: OUR_NUMBER, body: 'x' });
    const authenticate = { status: 401, code: 20003, moreInfo: 'https://www.twilio.com/docs/errors/20003' };
    await expect(send(client(ACCOUNT_SID, 'wrong'))).rejects.toMatchObject(authenticate);
    await expect(send(client('AC' + 'f'.repeat(32), AUTH_TOKEN))).rejects.toMatchObject(authenticate);
  });

  it('400 21211 for a number that is not E.164, or Twilio\u2019s invalid test number', async () => {
    const send = (to: string) => client().messages.create({ to, from: OUR_NUMBER, body: 'x' });
    await expect(send('0151 1234567')).rejects.toMatchObject({
      status: 400,
      code: 21211,
      message: "The 'To' number 0151 1234567 is not a valid phone number.",
    });
    await expect(send('+15005550001')).rejects.toMatchObject({ status: 400, code: 21211 });
  });

  it('400 21614 for the test number that is not a mobile, 21602 without a body', async () => {
    await expect(client().messages.create({ to: '+15005550009', from: OUR_NUMBER, body: 'x' })).rejects.toMatchObject({
      status: 400,
      code: 21614,
    });
    await expect(client().messages.create({ to: CUSTOMER, from: OUR_NUMBER })).rejects.toMatchObject({
      status: 400,
      code: 21602,
    });
    expect(standin.messages().some((t) => t.to === '+15005550009')).toBe(false);
  });
});

describe('status callbacks', () => {
  const sendWithCallback = (to: string, path = '/status') =>
    client().messages.create({ to, from: OUR_NUMBER, body: 'Hi', statusCallback: ourApi.url(path) });

  it('posts sent, then delivered, each signed so twilio.validateRequest accepts it', async () => {
    const { sid } = await sendWithCallback(CUSTOMER);

    const callbacks = await eventually(() => {
      const got = ourApi.callbacksFor(sid);
      return got.length >= 2 && got;
    }, 'sent and delivered callbacks');
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const callback of callbacks) {
      expect(twilio.validateRequest(AUTH_TOKEN, callback.signature, callback.url, callback.params)).toBe(true);
      expect(twilio.validateRequest('another-token', callback.signature, callback.url, callback.params)).toBe(false);
      expect(callback.params).toMatchObject({
        SmsSid: sid,
        AccountSid: ACCOUNT_SID,
        From: OUR_NUMBER,
        To: CUSTOMER,
        ApiVersion: '2010-04-01',
      });
      expect(callback.params.ErrorCode).toBeUndefined();
    }
    expect(standin.messages().find((t) => t.sid === sid)?.status).toBe('delivered');
  });

  it('+15005550004 ends undelivered with 30003; +15005550005 fails with 30005, never sent', async () => {
    const unreachable = await sendWithCallback('+15005550004');
    const unknown = await sendWithCallback('+15005550005');

    const undelivered = await eventually(
      () => ourApi.callbacksFor(unreachable.sid).find((c) => c.params.MessageStatus === 'undelivered'),
      'the undelivered callback',
    );
    expect(undelivered.params.ErrorCode).toBe('30003');
    const failed = await eventually(
      () => ourApi.callbacksFor(unknown.sid).find((c) => c.params.MessageStatus === 'failed'),
      'the failed callback',
    );
    expect(failed.params.ErrorCode).toBe('30005');
    expect(twilio.validateRequest(AUTH_TOKEN, failed.signature, failed.url, failed.params)).toBe(true);
    expect(ourApi.callbacksFor(unknown.sid).map((c) => c.params.MessageStatus)).toEqual(['failed']);
    expect(standin.messages().find((t) => t.sid === unreachable.sid)).toMatchObject({
      status: 'undelivered',
      errorCode: 30003,
    });
  });

  it('retries a callback our API failed, and logs the failure', async () => {
    const { sid } = await sendWithCallback(CUSTOMER, '/flaky');

    const callbacks = await eventually(() => {
      const got = ourApi.callbacksFor(sid);
      return got.some((c) => c.params.MessageStatus === 'delivered') && got;
    }, 'the delivered callback after a retry');
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(['sent', 'sent', 'delivered']);
    expect(logged.some((line) => line.includes(`'sent' for ${sid}`) && line.includes('HTTP 500'))).toBe(true);
  });

  it('logs a callback URL nobody listens on, and goes on', async () => {
    const { sid } = await client().messages.create({
      to: CUSTOMER,
      from: OUR_NUMBER,
      body: 'Hi',
      statusCallback: 'http://127.0.0.1:1/status',
    });
    await eventually(
      () => logged.some((line) => line.includes(`for ${sid}`) && line.includes('attempt 3 of 3')),
      'the last failed attempt logged',
    );
    await eventually(() => standin.messages().find((t) => t.sid === sid)?.status === 'delivered', 'delivered');
  });
});

describe('inbound texts', () => {
  it('posts Twilio\u2019s signed inbound webhook and keeps the TwiML reply as a text to the customer', async () => {
    const answer = await standin.replyFrom(CUSTOMER, 'STOP');

    expect(answer.status).toBe(200);
    expect(answer.twiml).toContain('<Message>');
    const inbound = ourApi.posted.filter((p) => p.url === ourApi.url('/inbound')).at(-1)!;
    expect(twilio.validateRequest(AUTH_TOKEN, inbound.signature, inbound.url, inbound.params)).toBe(true);
    expect(inbound.params).toMatchObject({
      AccountSid: ACCOUNT_SID,
      From: CUSTOMER,
      To: OUR_NUMBER,
      Body: 'STOP',
      NumMedia: '0',
      NumSegments: '1',
      ApiVersion: '2010-04-01',
    });
    expect(inbound.params.SmsMessageSid).toBe(inbound.params.MessageSid);
    const [reply, received] = standin.messages();
    expect(received).toMatchObject({ sid: inbound.params.MessageSid, direction: 'inbound', body: 'STOP' });
    expect(reply).toMatchObject({
      direction: 'outbound-reply',
      from: OUR_NUMBER,
      to: CUSTOMER,
      body: 'Thanks & bye <3',
    });
    expect(logged).toContain(`[sms] from ${CUSTOMER}: STOP`);
  });

  it('takes a text from the web page at POST /api/inbound; an empty TwiML answer sends nothing back', async () => {
    ourApi.answerInboundWith('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    const before = standin.messages().length;

    const res = await fetch(`${standin.url}/api/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+44 7700 900123', body: 'When is my order coming?' }),
    });

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 200, twiml: expect.stringContaining('<Response>') });
    expect(standin.messages()).toHaveLength(before + 1);
    expect(standin.messages()[0]).toMatchObject({ from: '+447700900123', direction: 'inbound' });
    const bad = await fetch(`${standin.url}/api/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'nobody', body: 'x' }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('the web page and its API', () => {
  it('escapes what a text says and links only its http(s) URLs', async () => {
    await client().messages.create({
      to: CUSTOMER,
      from: OUR_NUMBER,
      body: '<script>alert(1)</script> Track it at https://shop.example/t?a=1&b=2. Not javascript:alert(2)',
    });

    const page = await (await fetch(standin.url)).text();

    expect(page).toContain('<title>SMS inbox</title>');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('<a href="https://shop.example/t?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">');
    expect(page).not.toContain('href="javascript:');
  });

  it('lists texts newest first at GET /api/messages, and DELETE clears them', async () => {
    const listed = (await (await fetch(`${standin.url}/api/messages`)).json()) as { createdAt: string }[];
    expect(listed.length).toBeGreaterThan(1);
    const times = listed.map((t) => t.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    expect((await fetch(`${standin.url}/api/messages`, { method: 'DELETE' })).status).toBe(204);
    expect(standin.messages()).toEqual([]);
  });
});
