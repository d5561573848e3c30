import { createServer } from 'node:http';

/**
 * The ceiling: node:http writing precomputed bytes (the body Inkwell sends for the benchmarked
 * user, passed in BENCH_BODY), with no framework, routing, validation, authentication or I/O.
 */
const body = Buffer.from(process.env.BENCH_BODY ?? '{}');
const server = createServer((_req, res) => {
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
  });
  res.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
