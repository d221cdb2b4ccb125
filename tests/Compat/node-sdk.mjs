// Drives the real @sentry/node SDK against the sandbox: one error with breadcrumbs, a user, tags and a
// release, inside a span, with a release-health session around it. Usage: node node-sdk.mjs DSN RELEASE
// (resolve @sentry/node from the client cache via NODE_PATH). Prints the captured event id.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Sentry = require('@sentry/node');
const [dsn, release] = process.argv.slice(2);

Sentry.init({
  dsn,
  release,
  environment: 'rehearsal',
  tracesSampleRate: 1.0,
  sendDefaultPii: false,
  // The sandbox is the only endpoint: nothing else to instrument.
  defaultIntegrations: false,
  integrations: [Sentry.linkedErrorsIntegration(), Sentry.contextLinesIntegration()],
});

Sentry.startSession();
Sentry.setUser({ id: 'node-42', email: 'grace@example.com' });
Sentry.setTag('compat', 'node-sdk');
Sentry.addBreadcrumb({ category: 'ui.click', message: 'checkout started', level: 'info' });
Sentry.addBreadcrumb({ category: 'http', message: 'POST /api/pay failed', level: 'error', data: { status_code: 502 } });

let eventId;
Sentry.startSpan({ name: 'compat checkout', op: 'task' }, () => {
  try {
    throw new TypeError('Card processor refused the charge');
  } catch (error) {
    eventId = Sentry.captureException(error);
  }
});
Sentry.endSession();
const flushed = await Sentry.flush(10000);
await Sentry.close(2000);
process.stdout.write(JSON.stringify({ eventId, flushed }) + '\n');
