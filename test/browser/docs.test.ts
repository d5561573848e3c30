import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { assertConforms } from '../helpers/contract-validator';
import { register } from '../helpers/factories';
import { listen, type Listening } from '../helpers/listening';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { describeIf } from '../helpers/describe-if';

// Debian's Chromium, driven by playwright-core (which downloads no browser). .ci/run installs it.
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

let t: TestApp;
let server: Listening;
let context: BrowserContext;
let page: Page;
let profile: string;
const outside: string[] = [];
const refused: string[] = [];
const checks: Promise<unknown>[] = [];

describeIf(available, `needs ${CHROMIUM} (apt-get install chromium)`)(
  '/docs in a real browser',
  () => {
    beforeAll(async () => {
      t = await startTestApp();
      server = await listen(t.app);
      profile = mkdtempSync(path.join(tmpdir(), 'inkwell-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = context.pages()[0] ?? (await context.newPage());
      // What Swagger UI receives from the API is checked against the contract too.
      page.on('response', (response) => {
        const url = new URL(response.url());
        if (!response.url().startsWith(server.url) || !url.pathname.startsWith('/api/')) return;
        checks.push(
          (async () =>
            assertConforms({
              method: response.request().method(),
              path: url.pathname + url.search,
              status: response.status(),
              headers: await response.allHeaders(),
              text: await response.text(),
            }))(),
        );
      });
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) refused.push(message.text());
      });
      // The docs must work offline: any request to another origin is recorded (and refused).
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(server.url) || url.startsWith('data:') || url.startsWith('blob:')) {
          return route.continue();
        }
        outside.push(url);
        return route.abort();
      });
    });

    afterAll(async () => {
      await context?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
      await server?.close();
      await t?.close();
    });

    it('when a user logs in through Authorize and runs getMe, then Swagger UI shows their e-mail', async () => {
      const user = await register(t.http, { name: 'Grace Hopper' });
      await page.goto(`${server.url}/docs`);

      await page.locator('.auth-wrapper .authorize').click();
      const dialog = page.locator('.modal-ux');
      // The e-mail/password form comes first, with no text about scopes.
      await dialog.locator('#oauth_username').waitFor();
      const first = dialog.locator('.auth-container').first();
      expect(await first.locator('#oauth_username').count()).toBe(1);
      expect(await dialog.getByText(/Scopes are used/).isVisible()).toBe(false);
      await dialog.locator('#oauth_username').fill(user.email);
      await dialog.locator('#oauth_password').fill(user.password);
      await dialog
        .locator('.auth-container', { has: page.locator('#oauth_username') })
        .locator('button.authorize')
        .click();
      // Once the token is in, the form turns into "Authorized" with a Logout button.
      await dialog.getByText('Authorized').waitFor();
      await dialog.locator('button.btn-done').first().click();

      const getMe = page.locator('#operations-users-getMe');
      await getMe.locator('.opblock-summary').click();
      await getMe.locator('button.try-out__btn').click();
      await getMe.locator('button.execute').click();

      const response = getMe.locator('.live-responses-table .response-col_description');
      await expect(response).toContainTextEventually(user.email);
      await expect(
        getMe.locator('.live-responses-table tr.response .response-col_status'),
      ).toContainTextEventually('200');
      expect({ outside, refused }).toEqual({ outside: [], refused: [] });
      expect(checks.length).toBeGreaterThanOrEqual(2); // the login and getMe
      await Promise.all(checks);
    });

    it('when the reference page is opened, then Redoc renders the contract from local assets', async () => {
      await page.goto(`${server.url}/docs/reference`);
      await page.locator('h1', { hasText: 'Inkwell API' }).waitFor();
      await page.getByRole('heading', { name: 'Register a new account' }).waitFor();
      // Redoc's bundle asks for its attribution logo on a CDN; the page's policy refuses it.
      const logo = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
      expect(outside).toEqual([]);
      expect(refused.filter((message) => !message.includes(logo))).toEqual([]);
    });
  },
);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toContainTextEventually(text: string): Promise<R>;
    }
  }
}

expect.extend({
  async toContainTextEventually(locator: ReturnType<Page['locator']>, text: string) {
    try {
      await locator.filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
      return { pass: true, message: () => `expected no "${text}"` };
    } catch {
      const actual = (await locator.allInnerTexts().catch(() => [])).join('\n').slice(0, 500);
      return { pass: false, message: () => `expected "${text}" in:\n${actual}` };
    }
  },
});
