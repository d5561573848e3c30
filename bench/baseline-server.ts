import express from 'express';

/**
 * The floor: Express 5 answering a fixed user document with no routing table, validation,
 * authentication or database. What Inkwell adds on top of it is the cost of being correct.
 */
const app = express();
app.disable('x-powered-by');
const user = {
  id: 1,
  email: 'bench@example.com',
  name: 'Bench',
  role: 'user',
  email_verified: false,
  created_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
};
app.get('/api/v1/users/:id', (_req, res) => {
  res.json(user);
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.send?.('ready');
});
process.on('SIGTERM', () => server.close());
