'use strict'

// Milliseconds per TransactWriteItems of 100 conditional Puts against a table that already holds N items (four
// GSIs, as Lifeboat's table), with V8's default young generation and with the one DynaliteProcess starts dynalite
// with, each in its own process, and their ratio.
//
//   node infra/dynalite/bench/transactions.js [N]        default N: 300000 (about 45 s of seeding per variant)

const { spawnSync } = require('child_process')
const http = require('http')
const path = require('path')

const VARIANTS = [ [], [ '--max-semi-space-size=64' ] ]
const TIMED = 60 // transactions per round
const ROUNDS = 3

if (process.argv[2] == '--child') {
  child(Number(process.argv[3])).catch((err) => { console.error(err); process.exit(1) })
}
else {
  const items = Number(process.argv[2] || 300000)
  if (!Number.isInteger(items) || items < 0) {
    console.error('usage: node bench/transactions.js [items already in the table]')
    process.exit(2)
  }
  const results = VARIANTS.map((flags) => {
    const run = spawnSync(process.execPath, [ ...flags, __filename, '--child', String(items) ], { encoding: 'utf8' })
    if (run.status != 0) throw new Error('the run with [' + flags.join(' ') + '] failed: ' + run.stderr)
    return { flags: flags.join(' ') || '(V8 defaults)', ...JSON.parse(run.stdout.trim().split('\n').pop()) }
  })
  console.log('table of ' + items + ' items; ms per transaction of 100 Puts, per round of ' + TIMED + ':')
  for (const r of results) console.log('  ' + r.flags.padEnd(28) + r.rounds.map((ms) => ms.toFixed(1)).join(', ') + '   median ' + r.median.toFixed(1))
  console.log('ratio (second / first): ' + (results[1].median / results[0].median).toFixed(2))
}

async function child (items) {
  const { createServer } = require(path.join(__dirname, '..', 'shim.js'))
  const server = createServer({ createTableMs: 0 })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
  const call = (target, body) => new Promise((resolve, reject) => {
    const data = JSON.stringify(body)
    const req = http.request({
      port: server.address().port, host: '127.0.0.1', method: 'POST', agent,
      headers: {
        'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.' + target,
        // dynalite wants a SigV4-shaped header; it checks no signature.
        authorization: 'AWS4-HMAC-SHA256 Credential=a/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
        'x-amz-date': '20200101T000000Z', 'content-length': Buffer.byteLength(data),
      },
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks))
        if (res.statusCode == 200) resolve(answer)
        else reject(new Error(target + ': ' + JSON.stringify(answer)))
      })
    })
    req.on('error', reject)
    req.end(data)
  })
  const S = (s) => ({ S: s })
  const keys = [ 'PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK' ]
  const index = (name) => ({
    IndexName: name, Projection: { ProjectionType: 'ALL' },
    KeySchema: [ { AttributeName: name + 'PK', KeyType: 'HASH' }, { AttributeName: name + 'SK', KeyType: 'RANGE' } ],
  })
  await call('CreateTable', {
    TableName: 'bench', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: 'S' })),
    KeySchema: [ { AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' } ],
    GlobalSecondaryIndexes: [ 'GSI1', 'GSI2', 'GSI3', 'GSI4' ].map(index),
  })
  let n = 0
  // About the size of a backup item, in a sparse index as Lifeboat's held backups are.
  const item = () => {
    n++
    return { PK: S('VM#' + n), SK: S('BACKUP#' + n), GSI3PK: S('HELD#dc1'), GSI3SK: S('VM#' + n + '#b'), data: S('x'.repeat(600)) }
  }
  for (let k = 0; k < items; k += 25 * 8) {
    await Promise.all(Array.from({ length: 8 }, () => call('BatchWriteItem', {
      RequestItems: { bench: Array.from({ length: 25 }, () => ({ PutRequest: { Item: item() } })) },
    })))
  }
  const transaction = () => ({
    TransactItems: Array.from({ length: 100 }, () => ({ Put: { TableName: 'bench', Item: item(), ConditionExpression: 'attribute_not_exists(PK)' } })),
  })
  for (let k = 0; k < 20; k++) await call('TransactWriteItems', transaction()) // warm-up
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) {
    const started = process.hrtime.bigint()
    for (let k = 0; k < TIMED; k++) await call('TransactWriteItems', transaction())
    rounds.push(Number(process.hrtime.bigint() - started) / 1e6 / TIMED)
  }
  console.log(JSON.stringify({ rounds, median: [ ...rounds ].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] }))
  process.exit(0)
}
