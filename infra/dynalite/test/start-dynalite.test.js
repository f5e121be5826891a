'use strict'

// start-dynalite.js as a child process, the way the Java build uses it.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { dynamo, ok } = require('./helpers')

const LAUNCHER = path.join(__dirname, '..', 'start-dynalite.js')
const TIMEOUT_MS = 15000

function launch (args, stdin = 'ignore') {
  const child = spawn(process.execPath, [ LAUNCHER, ...args ], { stdio: [ stdin, 'pipe', 'pipe' ] })
  let stdout = '', stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d })
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
  exited.then(() => clearTimeout(timer))
  const port = new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      const nl = stdout.indexOf('\n')
      if (nl >= 0) resolve(Number(stdout.slice(0, nl)))
    })
    exited.then((r) => reject(new Error('launcher exited before printing its port: ' + JSON.stringify(r))))
  })
  port.catch(() => {}) // tests that expect a failed start only look at `exited`
  return { child, port, exited }
}

test('--path keeps tables, items and TTL settings across a SIGTERM restart', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-dynalite-'))
  const dir = path.join(tmp, 'not', 'yet', 'there') // the launcher creates it
  try {
    const first = launch([ '--path', dir ])
    const port1 = await first.port
    assert.ok(port1 > 0 && port1 < 65536)
    await ok(port1, 'CreateTable', {
      TableName: 'Persisted', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [ { AttributeName: 'pk', AttributeType: 'S' } ],
      KeySchema: [ { AttributeName: 'pk', KeyType: 'HASH' } ],
    })
    await ok(port1, 'PutItem', { TableName: 'Persisted', Item: { pk: { S: 'k1' }, n: { N: '42' } } })
    await ok(port1, 'UpdateTimeToLive', {
      TableName: 'Persisted', TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    })
    first.child.kill('SIGTERM')
    const r1 = await first.exited
    assert.equal(r1.code, 0, r1.stderr)
    assert.equal(r1.stdout, port1 + '\n', 'stdout carries the port line and nothing else')
    assert.ok(fs.existsSync(path.join(dir, 'CURRENT')), 'LevelDB files are in --path')

    const second = launch([ '--path', dir ])
    const port2 = await second.port
    const got = await ok(port2, 'GetItem', { TableName: 'Persisted', Key: { pk: { S: 'k1' } } })
    assert.deepEqual(got.Item, { pk: { S: 'k1' }, n: { N: '42' } })
    const ttl = await ok(port2, 'DescribeTimeToLive', { TableName: 'Persisted' })
    assert.deepEqual(ttl.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' })
    second.child.kill('SIGINT')
    const r2 = await second.exited
    assert.equal(r2.code, 0, r2.stderr)
    assert.equal(r2.stdout, port2 + '\n')
  }
  finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})

test('without --path the data is in memory and gone after a restart', async () => {
  const first = launch([])
  const port = await first.port
  await ok(port, 'CreateTable', {
    TableName: 'Volatile', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [ { AttributeName: 'pk', AttributeType: 'S' } ],
    KeySchema: [ { AttributeName: 'pk', KeyType: 'HASH' } ],
  })
  first.child.kill('SIGTERM')
  assert.equal((await first.exited).code, 0)

  const second = launch([])
  const res = await dynamo(await second.port, 'ListTables', {})
  assert.deepEqual(res.body, { TableNames: [] })
  second.child.kill('SIGTERM')
  assert.equal((await second.exited).code, 0)
})

test('--exit-with-stdin: the launcher exits when its stdin closes', async () => {
  const run = launch([ '--exit-with-stdin' ], 'pipe')
  const port = await run.port
  assert.equal((await dynamo(port, 'ListTables', {})).status, 200)
  run.child.stdin.end()
  const r = await run.exited
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.signal, null)
  assert.equal(r.stdout, port + '\n')
})

test('a port in use is a one-line error on stderr and exit code 1', async () => {
  const blocker = net.createServer()
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const taken = blocker.address().port
  try {
    const r = await launch([ '--port', String(taken), '--host', '127.0.0.1' ]).exited
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, 'port ' + taken + ' on 127.0.0.1 is already in use\n')
  }
  finally {
    await new Promise((resolve) => blocker.close(resolve))
  }
})

test('bad arguments exit with code 2 and a usage line', async () => {
  const r = await launch([ '--port', 'abc' ]).exited
  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /invalid --port: abc/)
  assert.match(r.stderr, /usage: node start-dynalite\.js/)
})
