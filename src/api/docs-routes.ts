import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

/** GET /openapi.json (the OpenAPI 3.1 document) and /docs (Swagger UI reading it). */
export function docsRouter(document: object): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, { customSiteTitle: 'Journeys API', swaggerOptions: { url: '/openapi.json' } }),
  );
  return router;
}
