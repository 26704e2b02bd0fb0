import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  customerParams,
  journeyParams,
  limitQuery,
  pageQuery,
  previewQuery,
  segmentParams,
  productsSchema,
  statsQuery,
  storeParams,
  storeSchema,
  storesQuery,
  storesSchema,
  templateParams,
} from './schemas';
import { batchSchema, callSchemas } from './segment-calls';
import {
  batchAccepted,
  customer,
  error,
  journeyStepStats,
  journeysReport,
  message,
  readiness,
  rejectedEvent,
  segmentCondition,
  segmentMembersPage,
  success,
} from './openapi-responses';

// The OpenAPI 3.1 document served at /openapi.json, built from the zod schemas the routes validate
// with, and the response descriptions in openapi-responses.ts.

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const header = (description: string, schema: object) => ({ description, required: true, schema });
const retryAfter = { 'Retry-After': header('Seconds to wait before retrying', { type: 'integer', minimum: 1 }) };
const failures = {
  400: json(error, 'Invalid request: the details name each field'),
  401: {
    ...json(error, 'Missing or unknown key (WWW-Authenticate says how to send one)'),
    headers: { 'WWW-Authenticate': header('The schemes and realm to authenticate with', { type: 'string' }) },
  },
  413: json(error, 'A body over 500 KB'),
  415: json(error, 'A body that is not JSON, or in a charset or Content-Encoding the API does not read'),
  429: { ...json(error, 'Too many requests for this key (Retry-After says when to retry)'), headers: retryAfter },
  503: {
    ...json(error, 'A backend this call needs is unreachable (Retry-After); nothing was half-applied'),
    headers: retryAfter,
  },
};

type Route = Omit<RouteConfig, 'responses'> & { responses: RouteConfig['responses'] };

const ingest = (path: string, schema: z.ZodType, summary: string): Route => ({
  method: 'post',
  path,
  tags: ['Ingestion'],
  summary,
  security: [{ writeKey: [] }, { bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema } } } },
  responses: {
    200: json(success, 'Accepted: stored; delivered to the customer workflow once, in order, shortly after'),
    ...failures,
    413: json(error, 'An event over 32 KB, or a body over 500 KB'),
  },
});

/** /v1/batch: the valid calls are accepted, and the others answered by index. */
const batchIngest = (): Route => {
  const route = ingest('/v1/batch', batchSchema.meta({ id: 'Batch' }), 'Up to 2,500 calls of any type in one request');
  return {
    ...route,
    responses: {
      ...route.responses,
      200: json(
        batchAccepted,
        'The valid calls are stored (and delivered shortly after); `rejected` lists the others, by index',
      ),
      400: json(error, 'The body is not a batch, or no call in it is valid (`details` lists each, by index)'),
    },
  };
};

const admin = (route: Route): Route => ({
  ...route,
  security: [{ bearer: [] }, { adminBasic: [] }],
  responses: { ...route.responses, 401: failures[401], 429: failures[429], 503: failures[503] },
});

// The links in our emails: public (the signed token is the credential), answered for a reader's
// browser or mail client. A token that does not verify is a 404.
const tokenParams = z.object({ token: z.string().min(1).meta({ description: 'The signed token from the email' }) });
const unknownLink = json(error, 'Unknown link: the token does not verify, or its message is gone');
const link = (route: Route): Route => ({
  ...route,
  tags: ['Email links'],
  request: { ...route.request, params: tokenParams },
  responses: { ...route.responses, 404: unknownLink, 503: failures[503] },
});

/** The preview of a text message (channel=sms): its text and what it costs to send. */
const smsPreview = z
  .object({
    channel: z.literal('sms'),
    locale: z.string().meta({ description: 'The locale used, after fallback', example: 'de' }),
    text: z.string(),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    segments: z
      .int()
      .meta({ description: 'Parts sent and billed: 160 GSM-7 or 70 UCS-2 characters in one, 153 or 67 per part' }),
    characters: z
      .int()
      .meta({ description: 'The length as the network counts it (GSM-7 extension characters such as € count 2)' }),
    nonGsmCharacters: z.array(z.string()).meta({ description: 'The characters that force UCS-2; empty for GSM-7' }),
  })
  .meta({ id: 'SmsPreview' });

const routes: Route[] = [
  ingest(
    '/v1/identify',
    callSchemas.identify.meta({
      id: 'Identify',
      example: {
        userId: 'c-1',
        messageId: 'msg-1',
        traits: { email: 'ada@example.test', first_name: 'Ada', locale: 'en', timezone: 'Europe/Berlin' },
      },
    }),
    "Identify a customer (Segment's identify call)",
  ),
  ingest(
    '/v1/track',
    callSchemas.track.meta({
      id: 'Track',
      example: {
        userId: 'c-1',
        messageId: 'msg-2',
        event: 'Product Added',
        properties: { cart_id: 'cart-1', product_id: 'p-1', name: 'Trail shoe', price: 89.9, quantity: 1 },
      },
    }),
    "Record an event (Segment's track call)",
  ),
  ingest(
    '/v1/page',
    callSchemas.page.meta({
      id: 'Page',
      example: { anonymousId: 'a-7', name: 'Pricing', properties: { url: 'https://shop.example/pricing' } },
    }),
    "A page viewed on the web (Segment's page call)",
  ),
  ingest(
    '/v1/screen',
    callSchemas.screen.meta({ id: 'Screen', example: { userId: 'c-1', name: 'Basket' } }),
    "A screen viewed in an app (Segment's screen call)",
  ),
  ingest(
    '/v1/group',
    callSchemas.group.meta({ id: 'Group', example: { userId: 'c-1', groupId: 'acme', traits: { plan: 'team' } } }),
    "The customer belongs to a group, such as a company (Segment's group call)",
  ),
  ingest(
    '/v1/alias',
    callSchemas.alias.meta({ id: 'Alias', example: { userId: 'c-1', previousId: 'a-7' } }),
    "Links an earlier id (an anonymous visitor's) to the customer (Segment's alias call)",
  ),
  batchIngest(),
  admin({
    method: 'get',
    path: '/v1/customers/{id}',
    tags: ['Inspection'],
    summary: 'Profile, lifecycle state, running journeys and last messages',
    request: { params: customerParams },
    responses: { 200: json(customer, 'The customer'), 400: failures[400], 404: json(error, 'No such customer') },
  }),
  admin({
    method: 'get',
    path: '/v1/customers/{id}/messages',
    tags: ['Inspection'],
    summary: "The customer's messages with their opens and clicks, newest first",
    request: { params: customerParams, query: limitQuery },
    responses: { 200: json(z.object({ messages: z.array(message) }), 'Messages'), 400: failures[400] },
  }),
  admin({
    method: 'get',
    path: '/v1/segments',
    tags: ['Inspection'],
    summary: "The segments: each one's condition and how many customers are in it",
    responses: {
      200: json(
        z.object({ segments: z.array(z.object({ name: z.string(), condition: segmentCondition, members: z.int() })) }),
        'Segments',
      ),
    },
  }),
  admin({
    method: 'get',
    path: '/v1/segments/{name}/customers',
    tags: ['Inspection'],
    summary: "A segment's customers in id order, a page at a time",
    request: { params: segmentParams, query: pageQuery },
    responses: {
      200: json(segmentMembersPage, 'A page of members'),
      400: failures[400],
      404: json(error, 'No such segment'),
    },
  }),
  admin({
    method: 'get',
    path: '/v1/rejected-events',
    tags: ['Inspection'],
    summary: 'Calls the ingestion API refused for what they contain, newest first, as they were sent',
    request: { query: limitQuery },
    responses: {
      200: json(z.object({ rejected: z.array(rejectedEvent) }), 'Refused calls'),
      400: failures[400],
    },
  }),
  admin({
    method: 'delete',
    path: '/v1/customers/{id}',
    tags: ['Inspection'],
    summary: 'Erase a customer: end their workflows, delete personal data, suppress the address',
    request: { params: customerParams },
    responses: { 204: { description: 'Erased' }, 400: failures[400], 404: json(error, 'Nothing to erase') },
  }),
  admin({
    method: 'get',
    path: '/v1/stats/journeys',
    tags: ['Statistics'],
    summary: 'Sends, deliveries, opens, clicks, opt-outs, conversions and revenue per journey and per channel',
    request: { query: statsQuery },
    responses: {
      200: json(journeysReport, 'Per journey (each by channel), and every journey together by channel'),
      400: failures[400],
    },
  }),
  admin({
    method: 'get',
    path: '/v1/stats/journeys/{name}',
    tags: ['Statistics'],
    summary: 'One journey per step, variant and channel, by channel, with the holdout lift',
    request: { params: journeyParams, query: statsQuery },
    responses: {
      200: json(journeyStepStats, 'Per step, variant and channel, and per channel'),
      400: failures[400],
      404: json(error, 'No messages'),
    },
  }),
  admin({
    method: 'get',
    path: '/v1/templates/{name}/preview',
    tags: ['Templates'],
    summary:
      'What a customer would get: the email as HTML (X-Subject: its subject), or with channel=sms the text as JSON',
    request: { params: templateParams, query: previewQuery },
    responses: {
      200: {
        description: 'The rendered email as HTML, or (channel=sms) the text message as JSON',
        headers: {
          'Content-Language': header('The locale used, after fallback (de-AT → de → default)', { type: 'string' }),
        },
        content: { 'text/html': { schema: z.string() }, 'application/json': { schema: smsPreview } },
      },
      400: failures[400],
      404: json(error, 'No such template or customer, or (channel=sms) the template has no SMS text'),
      422: json(error, 'The template needs a variable the data lacks (named in details)'),
    },
  }),
  admin({
    method: 'post',
    path: '/v1/products',
    tags: ['Catalogue'],
    summary: 'Create or replace products and their cross-sell and upsell lists',
    request: {
      body: { required: true, content: { 'application/json': { schema: productsSchema.meta({ id: 'Products' }) } } },
    },
    responses: {
      200: json(z.object({ success: z.literal(true), products: z.number().int() }), 'Stored'),
      400: failures[400],
      413: failures[413],
      415: failures[415],
    },
  }),
  admin({
    method: 'post',
    path: '/v1/stores',
    tags: ['Stores'],
    summary: 'Create or replace stores: where they are, their opening hours and time zone',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: storesSchema.meta({
              id: 'Stores',
              example: {
                stores: [
                  {
                    id: 'berlin-mitte',
                    name: 'Journeys Shop Berlin-Mitte',
                    address: 'Rosenthaler Straße 40, 10178 Berlin',
                    latitude: 52.5249,
                    longitude: 13.4022,
                    timezone: 'Europe/Berlin',
                    openingHours: [
                      { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], opens: '10:00', closes: '20:00' },
                    ],
                  },
                ],
              },
            }),
          },
        },
      },
    },
    responses: {
      200: json(z.object({ success: z.literal(true), stores: z.number().int() }), 'Stored'),
      400: failures[400],
      413: failures[413],
      415: failures[415],
    },
  }),
  admin({
    method: 'get',
    path: '/v1/stores',
    tags: ['Stores'],
    summary: 'The stores in id order, a page at a time',
    request: { query: storesQuery },
    responses: {
      200: json(
        z.object({
          stores: z.array(storeSchema),
          next: z.string().optional().meta({ description: "The next page's `after`; absent on the last page" }),
        }),
        'A page of stores',
      ),
      400: failures[400],
    },
  }),
  admin({
    method: 'get',
    path: '/v1/stores/{id}',
    tags: ['Stores'],
    summary: 'One store',
    request: { params: storeParams },
    responses: { 200: json(storeSchema, 'The store'), 400: failures[400], 404: json(error, 'No such store') },
  }),
  admin({
    method: 'delete',
    path: '/v1/stores/{id}',
    tags: ['Stores'],
    summary: 'Remove a store (journeys waiting to tell a customer about it then send nothing)',
    request: { params: storeParams },
    responses: { 204: { description: 'Removed' }, 400: failures[400], 404: json(error, 'No such store') },
  }),
  link({
    method: 'get',
    path: '/t/o/{token}.gif',
    summary: 'Open tracking: records the open, answers a 1x1 transparent GIF',
    responses: {
      200: { description: 'The pixel', content: { 'image/gif': { schema: z.string().meta({ format: 'binary' }) } } },
    },
  }),
  link({
    method: 'get',
    path: '/t/c/{token}',
    summary: 'Click tracking: records the click, redirects to the link the email carried',
    responses: {
      302: {
        description: 'To the original link',
        headers: { Location: header('The URL the token was signed for', { type: 'string' }) },
      },
    },
  }),
  link({
    method: 'get',
    path: '/c/{token}',
    summary: 'Double opt-in: confirms the address the email went to',
    responses: { 200: html('The confirmation page') },
  }),
  link({
    method: 'get',
    path: '/u/{token}',
    summary:
      "The preference centre, in the email's language: leave a topic or a channel's marketing, rejoin, pause 30 days, fewer messages, or unsubscribe from everything (changes nothing by itself)",
    request: {
      query: z.object({
        action: z
          .enum(['unsubscribe', 'pause', 'fewer'])
          .optional()
          .meta({ description: 'The choice to highlight; any other value highlights none' }),
      }),
    },
    responses: { 200: html('The page, with a button per choice') },
  }),
  link({
    method: 'post',
    path: '/u/{token}',
    summary: "A choice from the preferences page, or a mail client's RFC 8058 one-click unsubscribe",
    request: {
      body: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: z.object({
              action: z.enum(['unsubscribe', 'resubscribe', 'pause', 'fewer']).optional(),
              channel: z
                .enum(['email', 'sms', 'all'])
                .optional()
                .meta({ description: 'For unsubscribe and resubscribe: the channel (all: every channel)' }),
              topic: z.string().optional().meta({
                description:
                  'For unsubscribe and resubscribe: a topic id (messaging.topics), or marketing for all of it',
              }),
              'List-Unsubscribe': z
                .literal('One-Click')
                .optional()
                .meta({ description: 'RFC 8058: unsubscribes, whatever the action' }),
            }),
          },
        },
      },
    },
    responses: {
      200: html('Done: the page says what changed'),
      400: json(
        error,
        'Neither a known action nor List-Unsubscribe=One-Click, or an unknown channel or topic (details name the field)',
      ),
      413: json(error, 'A body over 4 KB'),
      415: json(error, 'A body in a charset or Content-Encoding the API does not read'),
    },
  }),
  {
    method: 'get',
    path: '/s/{token}',
    tags: ['Text messages'],
    summary: "A text's short link: records the click, redirects to the link the text carried",
    request: { params: tokenParams },
    responses: {
      302: {
        description: 'To the original link',
        headers: { Location: header('The URL the short link stands for', { type: 'string' }) },
      },
      404: unknownLink,
      503: failures[503],
    },
  },
  ...(['/v1/sms/status', '/v1/sms/inbound'] as const).map((path): Route => ({
    method: 'post',
    path,
    tags: ['Text messages'],
    summary:
      path === '/v1/sms/status'
        ? "Twilio's delivery report on a text (StatusCallback): delivered, undelivered or failed"
        : "A text a customer sent to the shop's number (Twilio's incoming message webhook): STOP, START, HELP",
    request: {
      headers: z.object({
        'x-twilio-signature': z
          .string()
          .meta({ description: "Twilio's signature of PUBLIC_URL + path and the fields, with TWILIO_AUTH_TOKEN" }),
      }),
      body: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: z.looseObject({
              MessageSid: z.string(),
              From: z.string().optional(),
              To: z.string().optional(),
              ...(path === '/v1/sms/status'
                ? { MessageStatus: z.string(), ErrorCode: z.string().optional() }
                : { Body: z.string() }),
            }),
          },
        },
      },
    },
    responses: {
      ...(path === '/v1/sms/status'
        ? { 204: { description: 'Recorded (or not ours: ignored)' } }
        : {
            200: {
              description: "TwiML: the answer to a keyword, in the customer's language; an empty Response otherwise",
              content: { 'text/xml': { schema: z.string() } },
            },
          }),
      400: json(error, 'A body that cannot be read (malformed, or not compressed as Content-Encoding says)'),
      403: json(error, 'X-Twilio-Signature does not verify'),
      413: json(error, 'A body over 64 KB, or over 100 fields'),
      415: json(error, 'A body in a charset or Content-Encoding the API does not read'),
      503: failures[503],
    },
  })),
  {
    method: 'get',
    path: '/healthz',
    tags: ['Operations'],
    summary: 'Alive',
    responses: { 200: json(z.object({ ok: z.literal(true) }), 'The process answers') },
  },
  {
    method: 'get',
    path: '/readyz',
    tags: ['Operations'],
    summary: 'Ready: events are accepted (PostgreSQL answers); `ok` also says they are delivered promptly',
    responses: {
      200: json(readiness, 'Accepting; `ok` false when Temporal is unreachable or the delivery is behind'),
      503: { ...json(readiness, 'Not accepting: PostgreSQL does not answer (Retry-After)'), headers: retryAfter },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tags: ['Operations'],
    summary:
      'Prometheus metrics: requests, latencies, events accepted, rejected, pending and delivered, the oldest wait',
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
  },
];

/** Builds the document; `serverUrl` is where clients reach this API (PUBLIC_URL). */
export function openApiDocument(serverUrl: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'writeKey', {
    type: 'http',
    scheme: 'basic',
    description: "Segment's way: a write key from API_KEYS as the user name, no password",
  });
  registry.registerComponent('securitySchemes', 'adminBasic', {
    type: 'http',
    scheme: 'basic',
    description: 'An admin key from ADMIN_API_KEYS as the user name',
  });
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A write key (ingestion) or an admin key (everything else)',
  });
  for (const route of routes) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Journeys API',
      version: '1.0.0',
      description:
        'Segment-compatible event ingestion, customer inspection, statistics and the catalogue. Errors are always JSON: `{ error: { code, message, details } }`.',
    },
    servers: [{ url: serverUrl }],
  });
}
