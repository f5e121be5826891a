#!/usr/bin/env node
'use strict'

// Starts dynalite (with the transaction/TTL shim) for tests and local runs.
//
//   node start-dynalite.js [--path DIR] [--port N] [--host 127.0.0.1] [--exit-with-stdin]
//
// Protocol for the parent process: once the server listens, exactly one line is
// written to stdout, the port number ("45123\n"), and nothing else ever
// follows on stdout; diagnostics go to stderr. Exit code 0 after SIGTERM/SIGINT
// (or stdin EOF with --exit-with-stdin), 1 when the server cannot start, 2 on
// bad arguments.

const fs = require('fs')
const path = require('path')

// The port line must be the only thing on stdout, whatever dynalite or a
// dependency decides to print; anything written through console goes to stderr.
console.log = console.error
console.info = console.error

const USAGE = 'usage: node start-dynalite.js [--path DIR] [--port N] [--host HOST] [--exit-with-stdin]'

function fail (message, code) {
  process.stderr.write(message + '\n')
  process.exit(code)
}

function parseArgs (argv) {
  const opts = { host: '127.0.0.1', port: 0, path: null, exitWithStdin: false }
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i], value
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1)
      arg = arg.slice(0, eq)
    }
    const takeValue = () => {
      if (value !== undefined) return value
      if (i + 1 >= argv.length) fail(arg + ' needs a value\n' + USAGE, 2)
      return argv[++i]
    }
    switch (arg) {
    case '--path': opts.path = takeValue(); break
    case '--host': opts.host = takeValue(); break
    case '--port': {
      const raw = takeValue()
      const port = Number(raw)
      if (!/^\d+$/.test(raw) || port > 65535) fail('invalid --port: ' + raw + '\n' + USAGE, 2)
      opts.port = port
      break
    }
    case '--exit-with-stdin': opts.exitWithStdin = true; break
    case '-h':
    case '--help':
      process.stderr.write(USAGE + '\n')
      process.exit(0)
      break
    default:
      fail('unknown argument: ' + argv[i] + '\n' + USAGE, 2)
    }
    if (opts.path === '' || opts.host === '') fail('empty value for ' + arg + '\n' + USAGE, 2)
  }
  return opts
}

async function main () {
  const args = parseArgs(process.argv.slice(2))
  const { createServer, storeOf } = require('./shim')

  const options = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }
  if (args.path) {
    options.path = path.resolve(args.path)
    fs.mkdirSync(options.path, { recursive: true })
  }

  const server = createServer(options)

  server.on('error', (err) => {
    if (err.code == 'EADDRINUSE') fail('port ' + args.port + ' on ' + args.host + ' is already in use', 1)
    fail('cannot listen on ' + args.host + ':' + args.port + ': ' + err.message, 1)
  })

  let stopping = false
  function stop (why) {
    if (stopping) return
    stopping = true
    process.stderr.write('[lifeboat-dynalite] stopping (' + why + ')\n')
    if (!server.listening) process.exit(0)
    // Keep-alive connections from SDK clients would hold server.close() open;
    // give in-flight requests a moment, then cut them and, as a last resort,
    // exit anyway: a stuck shutdown must never hang the parent's build.
    setTimeout(() => server.closeAllConnections(), 2000).unref()
    setTimeout(() => process.exit(0), 8000).unref()
    server.close((err) => {
      if (err) process.stderr.write('[lifeboat-dynalite] error while closing: ' + err.message + '\n')
      process.exit(0)
    })
    server.closeIdleConnections()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))

  if (args.exitWithStdin) {
    // A parent that dies (even by SIGKILL) closes our stdin pipe; that is the
    // only reliable signal we get, so treat EOF as a stop request.
    process.stdin.on('end', () => stop('stdin closed'))
    process.stdin.on('close', () => stop('stdin closed'))
    process.stdin.on('error', () => stop('stdin error'))
    process.stdin.resume()
  }

  // Open the database before listening so that a locked or unreadable LevelDB
  // directory (e.g. a second instance on the same --path) is a start-up error,
  // not a stream of failing requests.
  try {
    await storeOf(server).db.open()
  }
  catch (err) {
    const cause = err.cause && err.cause.message ? ' (' + err.cause.message + ')' : ''
    fail('cannot open database at ' + options.path + ': ' + err.message + cause, 1)
  }

  if (stopping) return
  server.listen(args.port, args.host, () => {
    process.stdout.write(server.address().port + '\n')
  })
}

main().catch((err) => fail('cannot start dynalite: ' + (err && err.stack || err), 1))
