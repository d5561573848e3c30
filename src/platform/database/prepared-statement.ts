import type { Knex } from 'knex';
import type pg from 'pg';

/** What knex's client offers beyond its types: its pool, the way every knex query takes it. */
interface PooledClient {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
}

/** A placeholder for a value given at each run; its number passes knex's integer check (limit). */
class Parameter {
  constructor(
    readonly key: string,
    readonly code: number,
  ) {}

  toString(): string {
    return String(this.code);
  }
}

/** Above any constant a statement of ours binds (a limit of 1, say), below 2^31. */
const FIRST_CODE = 2_000_000_000;

/** A bound value: a run's parameter (by key) or a constant of the statement. */
type Slot<P> = { key: keyof P } | { constant: unknown };

/** Knex instances whose connections share one server session: see `sharesOneSession`. */
const oneSession = new WeakSet<Knex>();

/**
 * Marks a knex whose connections all reach one server session (the embedded database): a
 * statement's name outlives the connection that prepared it there, so a reconnect preparing it
 * again would fail. Its statements run unnamed (parsed on every run).
 */
export function sharesOneSession(knex: Knex): void {
  oneSession.add(knex);
}

/**
 * A statement knex builds once, when the repository is made, and that runs on a connection of
 * knex's pool (its load shedding, timeouts and validation included) as a named prepared statement:
 * no query building per call, and PostgreSQL parses and plans it once per connection. For the hot
 * reads and writes; the rest of a repository stays on plain knex queries.
 *
 * `build` gets a placeholder per parameter (`p.id`) to use where the value goes. List columns
 * rather than `*`: a prepared `select *` fails once a migration changes the table's columns.
 */
export class PreparedStatement<P extends object, Row> {
  private readonly text: string;
  /** knex's form of the statement (`?` placeholders), for `query` event listeners. */
  private readonly sql: string;
  private readonly slots: Slot<P>[];
  private readonly name: string | undefined;

  constructor(
    private readonly knex: Knex,
    name: string,
    build: (p: { readonly [K in keyof P]: P[K] }) => Knex.QueryBuilder | Knex.Raw,
  ) {
    const parameters: Parameter[] = [];
    const placeholders = new Proxy({} as { readonly [K in keyof P]: P[K] }, {
      get(_target, key) {
        const parameter = new Parameter(String(key), FIRST_CODE + parameters.length);
        parameters.push(parameter);
        return parameter;
      },
    });
    const query = build(placeholders).toSQL();
    const native = query.toNative();
    this.text = native.sql;
    this.sql = query.sql;
    const bound = new Set<Parameter>();
    this.slots = native.bindings.map((value): Slot<P> => {
      const parameter =
        value instanceof Parameter ? value : parameters.find((p) => p.code === value);
      if (!parameter) return { constant: value };
      bound.add(parameter);
      return { key: parameter.key as keyof P };
    });
    // A placeholder knex wrote into the SQL text (as an identifier, say) would run as a constant.
    const unbound = parameters.find((parameter) => !bound.has(parameter));
    if (unbound) throw new Error(`statement ${name}: ${unbound.key} is not a bound value`);
    this.name = oneSession.has(knex) ? undefined : name;
  }

  async rows(params: P): Promise<Row[]> {
    const values = this.slots.map((slot) => ('key' in slot ? params[slot.key] : slot.constant));
    const client = this.knex.client as unknown as PooledClient;
    const connection = await client.acquireConnection();
    try {
      // Test and debugging listeners see it as they see every knex query.
      if (this.knex.listenerCount('query') > 0) {
        this.knex.emit('query', { sql: this.sql, bindings: values, method: 'raw' });
      }
      const result = await connection.query<Row & pg.QueryResultRow>({
        name: this.name,
        text: this.text,
        values,
      });
      return result.rows;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  async first(params: P): Promise<Row | undefined> {
    return (await this.rows(params))[0];
  }
}
