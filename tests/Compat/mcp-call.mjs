// Drives @sentry/mcp-server over stdio with JSON-RPC, as an MCP host does: initialize, then one
// tools/call per request read from the JSON file named by argv[2] ([{name, arguments}, ...]).
// Prints one JSON object: {tools: [names], results: [{name, isError, text}]}. The server's own
// command line follows `--` (e.g. node dist/index.js --access-token=... --host=... --insecure-http).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const separator = process.argv.indexOf('--');
const calls = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const [command, ...args] = process.argv.slice(separator + 1);
const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', (d) => { stderr += d; });

let buffer = '';
const pending = new Map();
server.stdout.on('data', (chunk) => {
  buffer += chunk;
  let newline;
  while ((newline = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, newline).trim();
    buffer = buffer.slice(newline + 1);
    if (!line) continue;
    let message;
    try { message = JSON.parse(line); } catch { continue; }
    if (message.id !== undefined && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  }
});

let nextId = 1;
function request(method, params, timeoutMs = 60000) {
  const id = nextId++;
  server.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${method} timed out; server stderr: ${stderr.slice(-2000)}`)), timeoutMs);
    pending.set(id, (m) => { clearTimeout(timer); resolve(m); });
  });
}

try {
  const init = await request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'sentryrunbook-compat', version: '1.0.0' },
  });
  if (init.error) throw new Error('initialize failed: ' + JSON.stringify(init.error));
  server.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  const list = await request('tools/list', {});
  const tools = (list.result?.tools ?? []).map((t) => t.name);
  const results = [];
  for (const call of calls) {
    const reply = await request('tools/call', { name: call.name, arguments: call.arguments ?? {} });
    const content = reply.result?.content ?? [];
    results.push({
      name: call.name,
      isError: Boolean(reply.error) || Boolean(reply.result?.isError),
      text: reply.error ? JSON.stringify(reply.error) : content.filter((c) => c.type === 'text').map((c) => c.text).join('\n'),
    });
  }
  process.stdout.write(JSON.stringify({ tools, results }) + '\n');
} catch (error) {
  process.stdout.write(JSON.stringify({ error: String(error), stderr: stderr.slice(-4000) }) + '\n');
  process.exitCode = 1;
} finally {
  server.kill();
}
