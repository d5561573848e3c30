import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BASELINE, CURRENT, judge, main, report } from '../../scripts/contract-diff';

// Each test breaks (or extends) a copy of today's contract the way a designer might, and checks
// the verdict of the gate and what it says.
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const baseline = parse(readFileSync(CURRENT, 'utf8')) as Doc;
const edited = (edit: (doc: Doc) => void): Doc => {
  const doc = structuredClone(baseline);
  edit(doc);
  return doc;
};
const schemas = (doc: Doc) => doc.components.schemas;
const MAJOR = Number.parseInt(String(baseline.info.version), 10);
const findings = (head: Doc) =>
  judge(baseline, head).changes.map((c) => `${c.severity}: ${c.where}: ${c.message}`);

function expectBreaking(head: Doc, ...expected: string[]) {
  const verdict = judge(baseline, head);
  expect(verdict.ok).toBe(false);
  const breaking = verdict.changes.filter((c) => c.severity === 'breaking');
  for (const text of expected) {
    expect(breaking.map((c) => `${c.where}: ${c.message}`)).toContainEqual(
      expect.stringContaining(text),
    );
  }
}

describe('contract:diff', () => {
  it('when the contract only adds to the committed baseline, then the gate passes', () => {
    const published = parse(readFileSync(BASELINE, 'utf8')) as Doc;
    const verdict = judge(published, baseline);
    expect(verdict.ok).toBe(true);
    expect(verdict.changes.filter((c) => c.severity !== 'info')).toEqual([]);
  });

  describe('breaking changes fail the gate', () => {
    it('when an operation is removed, then it is breaking', () => {
      expectBreaking(
        edited((d) => delete d.paths['/api/v1/posts'].get),
        'GET /api/v1/posts (listPosts): operation removed',
      );
    });

    it('when a path is removed, then it is breaking', () => {
      expectBreaking(
        edited((d) => delete d.paths['/api/v1/jobs/{job_id}']),
        '/api/v1/jobs/{job_id}: path removed',
      );
    });

    it('when a response field is removed, then every response carrying it breaks', () => {
      const head = edited((d) => {
        delete schemas(d).Post.properties.body;
        schemas(d).Post.required = schemas(d).Post.required.filter((f: string) => f !== 'body');
      });
      expectBreaking(
        head,
        'GET /api/v1/posts/{post_id} (getPost) response 200 /body: field removed',
        'GET /api/v1/posts (listPosts) response 200 /items[]/body: field removed',
      );
    });

    it('when a response field becomes optional or nullable, then it is breaking', () => {
      const head = edited((d) => {
        schemas(d).User.required = schemas(d).User.required.filter((f: string) => f !== 'name');
        schemas(d).User.properties.email_verified.nullable = true;
      });
      expectBreaking(
        head,
        'response 200 /name: field may now be absent',
        '/email_verified: may now be null',
      );
    });

    it('when an enum value is removed, then it is breaking', () => {
      expectBreaking(
        edited((d) => (schemas(d).User.properties.role.enum = ['user'])),
        '(getMe) response 200 /role: enum value(s) removed: ["admin"]',
      );
    });

    it('when a request value becomes restricted to an enum, then it is breaking', () => {
      expectBreaking(
        edited((d) => (d.components.parameters.Cursor.schema.enum = ['a'])),
        '(listUsers) query parameter cursor /: is now limited to ["a"]',
      );
    });

    it('when a maxLength is lowered or a minimum raised, then it is breaking', () => {
      const head = edited((d) => {
        schemas(d).PostTitle.maxLength = 100;
        d.components.parameters.Limit.schema.minimum = 5;
      });
      expectBreaking(
        head,
        '(createPost) request body /title: maxLength lowered from 200 to 100',
        '(listPosts) query parameter limit /: minimum raised from 1 to 5',
      );
    });

    it('when a pattern or format is added to a request field, then it is breaking', () => {
      const head = edited((d) => (schemas(d).PostBody.pattern = '^[a-z ]*$'));
      expectBreaking(head, '(createPost) request body /body: pattern changed from undefined');
    });

    it('when a required parameter is added or an optional one becomes required, then it is breaking', () => {
      const head = edited((d) => {
        d.paths['/api/v1/posts'].get.parameters.push({
          name: 'q',
          in: 'query',
          required: true,
          description: 'Search.',
          schema: { type: 'string' },
        });
        d.components.parameters.Include = { ...d.components.parameters.Include, required: true };
      });
      expectBreaking(
        head,
        '(listPosts) query parameter q: new required parameter',
        '(getUser) query parameter include: parameter is now required',
      );
    });

    it('when a request field is added as required or an optional one becomes required, then it is breaking', () => {
      const head = edited((d) => {
        schemas(d).PostCreate.properties.tags = { type: 'array', items: { type: 'string' } };
        schemas(d).PostCreate.required.push('tags');
        schemas(d).UserUpdate.required = ['current_password'];
      });
      expectBreaking(
        head,
        '(createPost) request body /tags: new required field',
        '(updateMe) request body /current_password: field is now required',
      );
    });

    it('when a field changes type, then it is breaking', () => {
      expectBreaking(
        edited((d) => (schemas(d).Post.properties.id.type = 'string')),
        '(getPost) response 200 /id: type changed from integer to string',
      );
    });

    it('when a response status is removed, then it is breaking', () => {
      expectBreaking(
        edited((d) => delete d.paths['/api/v1/posts/{post_id}'].patch.responses['412']),
        'PATCH /api/v1/posts/{post_id} (updatePost) response 412: response status removed',
      );
    });

    it('when a public operation starts to require a token, then it is breaking', () => {
      expectBreaking(
        edited((d) => (d.paths['/api/v1/users'].post.security = [{ bearerAuth: [] }])),
        'POST /api/v1/users (createUser): now requires authentication',
      );
    });

    it('when an operationId is renamed, a media type dropped or a required header removed, then each is breaking', () => {
      const head = edited((d) => {
        d.paths['/api/v1/users/me'].get.operationId = 'getCurrentUser';
        d.paths['/api/v1/auth/login'].post.requestBody.content = {
          'application/json': { schema: { $ref: '#/components/schemas/LoginForm' } },
        };
        delete d.paths['/api/v1/posts'].post.responses['201'].headers.Location;
      });
      expectBreaking(
        head,
        'operationId changed from getMe',
        '(login) request body: media type application/x-www-form-urlencoded removed',
        '(createPost) response 201 header location: header removed',
      );
    });
  });

  describe('additive changes pass', () => {
    it('when operations, optional fields, parameters, statuses and enum values are added, then the gate passes', () => {
      const head = edited((d) => {
        d.paths['/api/v1/tags'] = {
          get: {
            operationId: 'listTags',
            security: [],
            responses: { 200: { description: 'Tags.' } },
          },
        };
        schemas(d).Post.properties.tags = { type: 'array', items: { type: 'string' } };
        schemas(d).PostCreate.properties.tags = { type: 'array', items: { type: 'string' } };
        d.paths['/api/v1/posts'].get.parameters.push({
          name: 'q',
          in: 'query',
          description: 'Search.',
          schema: { type: 'string' },
        });
        d.paths['/api/v1/users/me'].get.responses['429'] = {
          $ref: '#/components/responses/TooManyRequests',
        };
        schemas(d).ProblemType.enum.push('tag:inkwell,2026:problem/gone');
        schemas(d).PostTitle.maxLength = 300;
      });
      const verdict = judge(baseline, head);
      expect(verdict.changes.filter((c) => c.severity === 'breaking')).toEqual([]);
      expect(verdict.ok).toBe(true);
      expect(findings(head)).toEqual(
        expect.arrayContaining([
          'info: GET /api/v1/tags (listTags): operation added',
          'info: GET /api/v1/posts/{post_id} (getPost) response 200 /tags: field added',
          'info: POST /api/v1/posts (createPost) request body /tags: field added',
          'info: GET /api/v1/posts (listPosts) query parameter q: optional parameter added',
          'info: GET /api/v1/users/me (getMe) response 429: response status added',
          'info: POST /api/v1/posts (createPost) request body /title: maxLength raised from 200 to 300',
        ]),
      );
      // A reader may meet the new value, so it is worth a look, but it breaks no one.
      expect(findings(head)).toContainEqual(
        expect.stringMatching(/^warning: .*response 400 \/type: enum value\(s\) added/),
      );
    });

    it('when a path parameter is renamed, then the path is the same for clients', () => {
      const head = edited((d) => {
        d.paths['/api/v1/jobs/{id}'] = d.paths['/api/v1/jobs/{job_id}'];
        delete d.paths['/api/v1/jobs/{job_id}'];
        d.paths['/api/v1/jobs/{id}'].get.parameters = [
          { ...d.components.parameters.JobId, name: 'id' },
        ];
      });
      expect(judge(baseline, head).changes.filter((c) => c.severity === 'breaking')).toEqual([]);
    });

    it('when a breaking change comes with a new major version, then the gate passes and says why', () => {
      const head = edited((d) => {
        delete d.paths['/api/v1/posts'].get;
        d.info.version = `${MAJOR + 1}.0.0`;
      });
      const verdict = judge(baseline, head);
      expect(verdict).toMatchObject({ ok: true, newMajor: true, breaking: 1 });
      expect(report(baseline, head, verdict)).toContain(
        `Allowed by the new major version ${MAJOR + 1}.0.0`,
      );
      const minor = edited((d) => {
        delete d.paths['/api/v1/posts'].get;
        d.info.version = `${MAJOR}.1.0`;
      });
      expect(judge(baseline, minor).ok).toBe(false);
      expect(report(baseline, minor, judge(baseline, minor))).toContain('need a new major');
    });
  });

  it('when a schema refers to itself, then the comparison terminates', () => {
    const head = edited((d) => {
      schemas(d).Post.properties.replies = {
        type: 'array',
        items: { $ref: '#/components/schemas/Post' },
      };
    });
    const base = edited((d) => {
      schemas(d).Post.properties.replies = {
        type: 'array',
        items: { $ref: '#/components/schemas/Post' },
      };
    });
    expect(judge(base, head).changes).toEqual([]);
  });

  it('when run as the npm script, then it prints the comparison and exits 0 on today’s contract', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(main([])).toBe(0);
      expect(log.mock.calls.join('\n')).toContain('✔ No breaking changes.');
    } finally {
      log.mockRestore();
    }
  });
});
