// A tiny static file server for the playground and the browser tests:
//   node scripts/static-server.mjs <dir> <port>
// Serves files under <dir> only, with the right MIME types (application/wasm
// for streaming compilation), and prints the URL. serve() can also mount the
// folder under a sub-path (the tests check that dist/ works there).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.rep': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.webmanifest': 'application/manifest+json',
};

export function serve(dir, port = 0, host = '127.0.0.1', prefix = '/') {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      // Serve under a sub-path (as a static host would), e.g. /playground/.
      if (!path.startsWith(prefix)) throw new Error('outside the prefix');
      path = `/${path.slice(prefix.length)}`;
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = 'www', port = '8080'] = process.argv.slice(2);
  const server = await serve(dir, Number(port), 'localhost');
  console.log(`Allocator Playground: http://localhost:${server.address().port}/`);
}
