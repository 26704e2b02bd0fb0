import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  batchSchema,
  customerParams,
  identifySchema,
  journeyParams,
  messagesQuery,
  previewQuery,
  productsSchema,
  statsQuery,
  templateParams,
  trackSchema,
} from './schemas';
import { customer, error, journeyStats, message, readiness, success } from './openapi-responses';

// The OpenAPI 3.1 document served at /openapi.json, built from the zod schemas the routes validate
// with, and the response descriptions in openapi-responses.ts.

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const failures = {
  400: json(error, 'Invalid request: the details name each field'),
  401: json(error, 'Missing or unknown key (WWW-Authenticate says how to send one)'),
  429: json(error, 'Too many requests for this key (Retry-After says when to retry)'),
  503: json(error, 'Temporal or PostgreSQL is unreachable (Retry-After); nothing was half-applied'),
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
    200: json(success, 'Accepted: stored, and delivered to the customer workflow once'),
    ...failures,
    413: json(error, 'An event over 32 KB, or a body over 500 KB'),
  },
});

const admin = (route: Route): Route => ({
  ...route,
  security: [{ bearer: [] }, { adminBasic: [] }],
  responses: { ...route.responses, 401: failures[401], 429: failures[429] },
});

const routes: Route[] = [
  ingest(
    '/v1/identify',
    identifySchema.meta({
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
    trackSchema.meta({
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
  ingest('/v1/batch', batchSchema.meta({ id: 'Batch' }), 'Up to 2,500 identify and track calls in one request'),
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
    request: { params: customerParams, query: messagesQuery },
    responses: { 200: json(z.object({ messages: z.array(message) }), 'Messages'), 400: failures[400] },
  }),
  admin({
    method: 'delete',
    path: '/v1/customers/{id}',
    tags: ['Inspection'],
    summary: 'Erase a customer: end their workflows, delete personal data, suppress the address',
    request: { params: customerParams },
    responses: { 204: { description: 'Erased' }, 404: json(error, 'Nothing to erase') },
  }),
  admin({
    method: 'get',
    path: '/v1/stats/journeys',
    tags: ['Statistics'],
    summary: 'Sends, opens, clicks, conversions and revenue per journey',
    request: { query: statsQuery },
    responses: { 200: json(z.object({ journeys: z.array(journeyStats) }), 'Per journey'), 400: failures[400] },
  }),
  admin({
    method: 'get',
    path: '/v1/stats/journeys/{name}',
    tags: ['Statistics'],
    summary: 'One journey per step and variant, with the holdout lift',
    request: { params: journeyParams, query: statsQuery },
    responses: { 200: json(journeyStats, 'Per step and variant'), 400: failures[400], 404: json(error, 'No messages') },
  }),
  admin({
    method: 'get',
    path: '/v1/templates/{name}/preview',
    tags: ['Templates'],
    summary: 'The HTML a customer would get (X-Subject carries the subject)',
    request: { params: templateParams, query: previewQuery },
    responses: {
      200: { description: 'Rendered HTML', content: { 'text/html': { schema: z.string() } } },
      400: failures[400],
      404: json(error, 'No such template or customer'),
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
      413: json(error, 'A body over 500 KB'),
    },
  }),
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
    summary: 'Ready: PostgreSQL and Temporal answer',
    responses: {
      200: json(readiness, 'Ready'),
      503: json(readiness, 'Not ready: `checks` names what does not answer (Retry-After)'),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tags: ['Operations'],
    summary: 'Prometheus metrics: requests, latencies, events accepted and rejected, delivery failures',
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
