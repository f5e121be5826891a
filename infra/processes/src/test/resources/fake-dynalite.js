// Throwaway stand-in for infra/dynalite/start-dynalite.js in tests: the same stdout protocol (the port, alone on
// the first line), loopback only, stops on SIGTERM or when stdin closes. Every POST gets an empty table list.
const http = require('http');

const args = process.argv.slice(2);
const pathIndex = args.indexOf('--path');
if (pathIndex >= 0) {
  process.stderr.write('data path: ' + args[pathIndex + 1] + '\n');
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method !== 'POST') {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
    res.end('{"TableNames":[]}');
  });
});

server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
if (args.includes('--exit-with-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
