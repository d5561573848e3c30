import path from 'node:path';
import { Router, type Response } from 'express';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const REDOC_BUNDLE = require.resolve('redoc/bundles/redoc.standalone.js');

/** The only files /docs serves from node_modules: no CDN, no directory listing. */
const ASSETS = new Map<string, string>(
  Object.entries({
    'swagger-ui.css': path.join(SWAGGER_UI_DIR, 'swagger-ui.css'),
    'swagger-ui-bundle.js': path.join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'),
    'favicon-32x32.png': path.join(SWAGGER_UI_DIR, 'favicon-32x32.png'),
    'redoc.standalone.js': REDOC_BUNDLE,
  }),
);

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" />
    ${head}
  </head>
  <body>
    ${body}
  </body>
</html>
`;

const SWAGGER_PAGE = page(
  'Inkwell API · try it out',
  // The password grant declares no scopes: Swagger UI's general text about scopes only confuses.
  `<link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
    <style>.auth-container .scope-def { display: none; }</style>`,
  `<p style="font-family: sans-serif; margin: 12px 20px">
      Reference: <a href="/docs/reference">/docs/reference</a> · contract:
      <a href="/openapi.yaml">/openapi.yaml</a>, <a href="/openapi.json">/openapi.json</a>
    </p>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-initializer.js"></script>`,
);

// "Try it out" and the OAuth2 token URL go to the server that serves the page, whatever its host
// and port (the contract lists the local development server). In the Authorize dialog, the
// e-mail/password form (the OAuth2 password grant) comes first: Swagger UI puts every non-OAuth2
// scheme first, so its list is drawn twice, OAuth2 schemes, then the others.
const SWAGGER_INITIALIZER = `const PasswordFlowFirst = (system) => ({
  wrapComponents: {
    auths: (Original) => (props) => {
      const oauth2 = (definition) => definition.get('type') === 'oauth2';
      const h = system.React.createElement;
      return h('div', null,
        h(Original, { ...props, definitions: props.definitions.filter(oauth2) }),
        h(Original, { ...props, definitions: props.definitions.filterNot(oauth2) }));
    },
  },
});
fetch('/openapi.json')
  .then((response) => response.json())
  .then((spec) => {
    spec.servers = [{ url: window.location.origin, description: 'This server' }];
    const schemes = Object.entries(spec.components.securitySchemes);
    const oauth2First = (entry) => (entry[1].type === 'oauth2' ? 0 : 1);
    spec.components.securitySchemes = Object.fromEntries(
      schemes.sort((a, b) => oauth2First(a) - oauth2First(b)),
    );
    window.ui = SwaggerUIBundle({
      spec,
      dom_id: '#swagger-ui',
      deepLinking: true,
      displayRequestDuration: true,
      persistAuthorization: false,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis],
      plugins: [PasswordFlowFirst],
      layout: 'BaseLayout',
    });
  });
`;

// The pages load nothing from elsewhere, and the browser enforces it (Redoc's bundle would fetch
// its attribution logo from a CDN; it is simply not shown).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
].join('; ');

const REDOC_PAGE = page(
  'Inkwell API · reference',
  '<style>body { margin: 0; }</style>',
  `<redoc spec-url="/openapi.json"></redoc>
    <script src="/docs/assets/redoc.standalone.js"></script>`,
);

function sendText(res: Response, type: string, text: string): void {
  res.type(type).setHeader('Cache-Control', 'no-cache');
  if (type === 'html') res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.send(text);
}

/**
 * Interactive docs (Swagger UI, with the OAuth2 password flow behind "Authorize") at /docs and a
 * reference page (Redoc) at /docs/reference, both from local assets, both reading /openapi.json.
 */
export function docsRouter(): Router {
  const router = Router({ strict: false });
  router.get('/docs', (_req, res) => sendText(res, 'html', SWAGGER_PAGE));
  router.get('/docs/reference', (_req, res) => sendText(res, 'html', REDOC_PAGE));
  router.get('/docs/swagger-initializer.js', (_req, res) =>
    sendText(res, 'text/javascript', SWAGGER_INITIALIZER),
  );
  router.get('/docs/assets/:file', (req, res, next) => {
    const file = ASSETS.get(req.params.file);
    if (!file) return next();
    res.sendFile(file, { maxAge: '1h' });
  });
  return router;
}
