import express from 'express';

/**
 * The floor of the framework: express 5 answering the same user document (BENCH_BODY) with res.json
 * and no routing table, validation, authentication or database.
 */
const app = express();
app.disable('x-powered-by');
const user = JSON.parse(process.env.BENCH_BODY ?? '{}') as object;
app.get('/api/v1/users/:id', (_req, res) => {
  res.json(user);
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
