/**
 * The borders of src/, checked by `npm run lint` (dependency-cruiser, type-only imports included).
 *
 * Layers, from the top; an import may only point down or sideways where a rule below allows it:
 *
 *   entries       main.ts, worker.ts, cli/*, mock/main.ts   processes: config → container → doors
 *   root          container.ts (composition root), app.ts (the express app), services.ts (the type)
 *   doors         http/ (the contract's door), jobs/ (the job runner's door), mock/ (reuses http/)
 *   modules       modules/<name>/ — business rules and data access, no HTTP, no job runtime;
 *                 each module's index.ts is its public surface, everything else is private to it
 *   kernel        kernel/ — what every module shares: Principal, Role, Page, ids, domain errors,
 *                 the task names modules may enqueue
 *   platform      platform/ — plumbing with no business words, given only the settings it needs
 *                 (it may throw the kernel's DomainError; nothing else of the kernel)
 *
 * config.ts (the only reader of process.env) is read by entries and the root, nothing below.
 * Modules depend on each other through their index, without circles:
 *   sessions, posts  ←  users  ←  auth  ←  mail;   exports → users, posts
 */
const layer = (name, comment, from, to) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle means neither side can be understood, tested or moved without the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-is-generic',
      comment:
        'platform/ is plumbing: nothing of the application (no config, module or door); it may ' +
        "throw the kernel's DomainError (a limit reached), the one thing it shares with modules.",
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/(?!platform/)', pathNot: '^src/kernel/domain-error\\.ts$' },
    },
    layer(
      'kernel-is-the-base',
      'kernel/ is shared by every module, so it depends on none of them (nor on platform/).',
      '^src/kernel/',
      '^src/(?!kernel/)',
    ),
    layer(
      'modules-know-no-door',
      'Modules know nothing of HTTP, jobs, the composition root or config: the doors call them.',
      '^src/modules/',
      '^src/(http|jobs|mock|cli|sdk)/|^src/(app|container|services|config|main|worker)\\.ts$',
    ),
    {
      name: 'module-internals-are-private',
      comment:
        'A module uses another module through its index.ts only, never its repository or model.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'outside-uses-module-index',
      comment: 'Doors and the composition root see a module only through its index.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/modules/' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    layer(
      'http-is-a-door',
      'http/ adapts the contract to services: it never reaches up to the root or to other doors.',
      '^src/http/',
      '^src/(jobs|mock|cli|sdk)/|^src/(app|container|config|main|worker)\\.ts$',
    ),
    layer(
      'jobs-are-a-door',
      'jobs/ are thin entry points into services: no HTTP, no root, no other door.',
      '^src/jobs/',
      '^src/(http|mock|cli|sdk)/|^src/(app|container|config|main|worker)\\.ts$',
    ),
    layer(
      'config-at-the-top',
      'Only entries and the composition root read config; everything else is handed its settings.',
      '^src/(platform|kernel|modules|http|jobs|sdk)/|^src/services\\.ts$',
      '^src/config\\.ts$',
    ),
    layer(
      'nothing-imports-an-entry',
      'Process entries are the top: nothing imports them.',
      '^src/',
      '^src/(main|worker)\\.ts$|^src/cli/|^src/mock/main\\.ts$',
    ),
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'src/ ships; a devDependency is not installed in production.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^generated/' },
  },
};
