'use strict'

// The shim in-process, on a random port, driven with plain HTTP JSON requests.
// Tests run in order and share the tables created by the first ones.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const zlib = require('node:zlib')
const { createServer, crc32 } = require('../shim')
const { dynamo, ok } = require('./helpers')

const CANCELLED = 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException'
const VALIDATION = 'com.amazon.coral.validate#ValidationException'
const NOT_FOUND = 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException'

let server, port

before(async () => {
  server = createServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = server.address().port
})

after(async () => {
  await new Promise((resolve) => server.close(resolve))
})

const call = (op, payload) => dynamo(port, op, payload)
const must = (op, payload) => ok(port, op, payload)

const S = (s) => ({ S: s })
const N = (n) => ({ N: String(n) })

async function getJob (pk) {
  return (await must('GetItem', { TableName: 'Jobs', Key: { pk: S(pk) }, ConsistentRead: true })).Item
}

async function jobsWithStatus (status) {
  const res = await must('Query', {
    TableName: 'Jobs',
    IndexName: 'byStatus',
    KeyConditionExpression: '#st = :st',
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: { ':st': S(status) },
  })
  return res.Items.map((i) => i.pk.S).sort()
}

function job (pk, status, version, extra) {
  return { pk: S(pk), status: S(status), createdAt: S('2024-01-01T00:00:' + pk), version: N(version), ...extra }
}

// The optimistic-locking update the DAO code uses.
function versionedUpdate (pk, expectedVersion, newStatus, extra) {
  return {
    Update: {
      TableName: 'Jobs',
      Key: { pk: S(pk) },
      ConditionExpression: '#v = :v',
      UpdateExpression: 'SET #v = #v + :one, #st = :st',
      ExpressionAttributeNames: { '#v': 'version', '#st': 'status' },
      ExpressionAttributeValues: { ':v': N(expectedVersion), ':one': N(1), ':st': S(newStatus) },
      ...extra,
    },
  }
}

test('create tables (one with a GSI)', async () => {
  await must('CreateTable', {
    TableName: 'Jobs',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
    ],
    KeySchema: [ { AttributeName: 'pk', KeyType: 'HASH' } ],
    GlobalSecondaryIndexes: [ {
      IndexName: 'byStatus',
      KeySchema: [ { AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' } ],
      Projection: { ProjectionType: 'ALL' },
    } ],
  })
  await must('CreateTable', {
    TableName: 'Locks',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [ { AttributeName: 'pk', AttributeType: 'S' } ],
    KeySchema: [ { AttributeName: 'pk', KeyType: 'HASH' } ],
  })
  const { Table } = await must('DescribeTable', { TableName: 'Jobs' })
  assert.equal(Table.TableStatus, 'ACTIVE')
  assert.equal(Table.GlobalSecondaryIndexes[0].IndexName, 'byStatus')
})

test('plain PutItem/GetItem still go to dynalite', async () => {
  await must('PutItem', { TableName: 'Jobs', Item: job('a', 'NEW', 1) })
  await must('PutItem', { TableName: 'Jobs', Item: job('c', 'NEW', 1) })
  assert.deepEqual(await getJob('a'), job('a', 'NEW', 1))
  const dup = await call('PutItem', {
    TableName: 'Jobs', Item: job('a', 'NEW', 1), ConditionExpression: 'attribute_not_exists(pk)',
  })
  assert.equal(dup.status, 400)
  assert.equal(dup.body.__type, 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException')
})

test('x-amz-crc32 matches the body, for shim and dynalite answers', async () => {
  const responses = [
    await call('DescribeTimeToLive', { TableName: 'Jobs' }), // shim
    await call('TransactGetItems', { TransactItems: [ { Get: { TableName: 'Jobs', Key: { pk: S('a') } } } ] }),
    await call('TransactWriteItems', { TransactItems: [] }), // shim error path
    await call('GetItem', { TableName: 'Jobs', Key: { pk: S('a') } }), // dynalite
  ]
  for (const res of responses) {
    assert.equal(res.headers['x-amz-crc32'], String(zlib.crc32(res.raw)), JSON.stringify(res.body))
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.0')
    assert.match(res.headers['x-amzn-requestid'], /^[A-Z0-9]{52}$/)
  }
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926)
})

test('TransactWriteItems applies Put + versioned Update + Delete together', async () => {
  const res = await call('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Jobs', Item: job('b', 'NEW', 1), ConditionExpression: 'attribute_not_exists(pk)' } },
      versionedUpdate('a', 1, 'DONE'),
      { Delete: { TableName: 'Jobs', Key: { pk: S('c') }, ConditionExpression: 'attribute_exists(pk)' } },
    ],
  })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  assert.deepEqual(res.body, {})

  assert.deepEqual(await getJob('a'), job('a', 'DONE', 2))
  assert.deepEqual(await getJob('b'), job('b', 'NEW', 1))
  assert.equal(await getJob('c'), undefined)
  // The GSI was maintained by dynalite's own write path.
  assert.deepEqual(await jobsWithStatus('DONE'), [ 'a' ])
  assert.deepEqual(await jobsWithStatus('NEW'), [ 'b' ])
})

test('a failed condition cancels the whole transaction and writes nothing', async () => {
  const beforeA = await getJob('a'), beforeB = await getJob('b')
  const res = await call('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Jobs', Item: job('d', 'NEW', 1) } },
      versionedUpdate('a', 1 /* stale: it is 2 now */, 'FAILED', { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
    ],
  })
  assert.equal(res.status, 400)
  assert.equal(res.body.__type, CANCELLED)
  assert.equal(res.body.message,
    'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]')
  assert.deepEqual(res.body.CancellationReasons, [
    { Code: 'None' },
    { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: beforeA },
  ])

  assert.equal(await getJob('d'), undefined)
  assert.deepEqual(await getJob('a'), beforeA)
  assert.deepEqual(await getJob('b'), beforeB)
  assert.deepEqual(await jobsWithStatus('NEW'), [ 'b' ])
  assert.deepEqual(await jobsWithStatus('FAILED'), [])
})

test('a failing ConditionCheck cancels the other writes; no Item without ALL_OLD', async () => {
  const res = await call('TransactWriteItems', {
    TransactItems: [
      { ConditionCheck: {
        TableName: 'Jobs', Key: { pk: S('a') },
        ConditionExpression: '#st = :st', ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':st': S('NEW') },
      } },
      { Put: { TableName: 'Jobs', Item: job('e', 'NEW', 1) } },
      { Delete: { TableName: 'Jobs', Key: { pk: S('b') } } },
    ],
  })
  assert.equal(res.status, 400)
  assert.equal(res.body.__type, CANCELLED)
  assert.deepEqual(res.body.CancellationReasons, [
    { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    { Code: 'None' },
    { Code: 'None' },
  ])
  assert.equal(await getJob('e'), undefined)
  assert.deepEqual(await getJob('b'), job('b', 'NEW', 1))
})

test('a passing ConditionCheck lets the transaction through without touching its item', async () => {
  const beforeA = await getJob('a')
  await must('TransactWriteItems', {
    TransactItems: [
      { ConditionCheck: { TableName: 'Jobs', Key: { pk: S('a') }, ConditionExpression: 'attribute_exists(pk)' } },
      { Put: { TableName: 'Jobs', Item: job('f', 'NEW', 1) } },
    ],
  })
  assert.deepEqual(await getJob('a'), beforeA)
  assert.deepEqual(await getJob('f'), job('f', 'NEW', 1))
})

test('an update that fails against the stored item rolls back the earlier writes', async () => {
  const beforeB = await getJob('b')
  const res = await call('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Jobs', Item: job('g', 'NEW', 1) } },
      { Delete: { TableName: 'Jobs', Key: { pk: S('f') } } },
      { Update: { // status is a string: "+ 1" only fails when applied
        TableName: 'Jobs', Key: { pk: S('b') }, UpdateExpression: 'SET #x = #st + :one',
        ExpressionAttributeNames: { '#x': 'x', '#st': 'status' }, ExpressionAttributeValues: { ':one': N(1) },
      } },
    ],
  })
  assert.equal(res.status, 400)
  assert.equal(res.body.__type, CANCELLED)
  assert.deepEqual(res.body.CancellationReasons.map((r) => r.Code), [ 'None', 'None', 'ValidationError' ])
  assert.match(res.body.CancellationReasons[2].Message, /incorrect data type/)
  assert.equal(await getJob('g'), undefined)
  assert.deepEqual(await getJob('f'), job('f', 'NEW', 1))
  assert.deepEqual(await getJob('b'), beforeB)
  assert.deepEqual(await jobsWithStatus('NEW'), [ 'b', 'f' ])
})

test('an expression parsed before is evaluated with its own values, and still refuses unused names', async () => {
  // The shim parses each distinct expression once; the same text must still be judged per request.
  const guarded = (expected) => ({
    TableName: 'Jobs', Item: job('h', 'NEW', 1), ConditionExpression: 'attribute_not_exists(pk) OR #v = :v',
    ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': N(expected) },
  })
  for (let k = 0; k < 2; k++) await must('PutItem', guarded(1)) // created, then replaced (version 1)
  const stale = await call('PutItem', guarded(7))
  assert.equal(stale.status, 400)
  assert.equal(stale.body.__type, 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException')
  const unused = await call('PutItem', { ...guarded(1), ExpressionAttributeNames: { '#v': 'version', '#w': 'w' } })
  assert.equal(unused.status, 400)
  assert.match(unused.body.message, /unused in expressions: keys: \{#w\}/)
  const again = await call('TransactWriteItems', {
    TransactItems: [ { Put: guarded(7) }, { Put: { ...guarded(1), Item: job('i', 'NEW', 1) } } ],
  })
  assert.deepEqual(again.body.CancellationReasons.map((r) => r.Code), [ 'ConditionalCheckFailed', 'None' ])
  const bad = await call('PutItem', { ...guarded(1), ConditionExpression: 'attribute_not_exists(pk) OR #v = = :v' })
  assert.equal(bad.status, 400)
  assert.match(bad.body.message, /Invalid ConditionExpression: Syntax error/)
  await must('DeleteItem', { TableName: 'Jobs', Key: { pk: S('h') } })
})

test('two operations on one item -> ValidationException', async () => {
  const res = await call('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Jobs', Item: job('a', 'NEW', 9) } },
      { ConditionCheck: { TableName: 'Jobs', Key: { pk: S('a') }, ConditionExpression: 'attribute_exists(pk)' } },
    ],
  })
  assert.equal(res.status, 400)
  assert.equal(res.body.__type, VALIDATION)
  assert.equal(res.body.message, 'Transaction request cannot include multiple operations on one item')
  assert.equal((await getJob('a')).version.N, '2')
})

test('more than 100 items -> ValidationException; 100 are fine', async () => {
  const puts = (n) => Array.from({ length: n }, (_, i) => ({ Put: { TableName: 'Locks', Item: { pk: S('bulk-' + i) } } }))
  const res = await call('TransactWriteItems', { TransactItems: puts(101) })
  assert.equal(res.status, 400)
  assert.equal(res.body.__type, VALIDATION)
  assert.match(res.body.message, /less than or equal to 100/)
  const gone = await must('GetItem', { TableName: 'Locks', Key: { pk: S('bulk-0') } })
  assert.equal(gone.Item, undefined)

  await must('TransactWriteItems', { TransactItems: puts(100) })
  const there = await must('GetItem', { TableName: 'Locks', Key: { pk: S('bulk-99') } })
  assert.deepEqual(there.Item, { pk: S('bulk-99') })
})

test('unknown table -> ResourceNotFoundException, nothing written', async () => {
  const res = await call('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Jobs', Item: job('h', 'NEW', 1) } },
      { Put: { TableName: 'NoSuchTable', Item: { pk: S('x') } } },
    ],
  })
  assert.equal(res.status, 400)
  assert.equal(res.body.__type, NOT_FOUND)
  assert.equal(await getJob('h'), undefined)
})

test('malformed requests -> dynalite\'s ValidationExceptions', async () => {
  const key = { pk: S('a') }
  const cases = [
    [ { Update: { TableName: 'Jobs', Key: key, UpdateExpression: 'SET version = version +' } },
      /^Invalid UpdateExpression: Syntax error/ ],
    [ { Update: { TableName: 'Jobs', Key: key, UpdateExpression: 'SET #v = :v',
      ExpressionAttributeNames: { '#v': 'version' } } },
    /attribute value used in expression is not defined; attribute value: :v/ ],
    [ { Update: { TableName: 'Jobs', Key: key, UpdateExpression: 'SET pk = :v',
      ExpressionAttributeValues: { ':v': S('z') } } },
    /Cannot update attribute pk. This attribute is part of the key/ ],
    [ { Update: { TableName: 'Jobs', Key: key } }, /updateExpression.*Member must not be null/ ],
    [ { Put: { TableName: 'Jobs', Item: { nopk: S('a') } } }, /Missing the key pk in the item/ ],
    [ { Delete: { TableName: 'Jobs', Key: { pk: N(1) } } }, /The provided key element does not match the schema/ ],
    [ { Put: { TableName: 'Jobs', Item: job('i', 'NEW', 1), ConditionExpression: 'attribute_not_exists(' } },
      /^Invalid ConditionExpression/ ],
    [ {}, /can only contain one of Check, Put, Update or Delete/ ],
  ]
  for (const [ item, pattern ] of cases) {
    const res = await call('TransactWriteItems', { TransactItems: [ item ] })
    assert.equal(res.status, 400, JSON.stringify(item))
    assert.equal(res.body.__type, VALIDATION, JSON.stringify(res.body))
    assert.match(res.body.message, pattern)
  }
  assert.equal((await call('TransactWriteItems', { TransactItems: [] })).body.__type, VALIDATION)
  assert.deepEqual(await getJob('a'), job('a', 'DONE', 2))
})

test('10 concurrent transactions racing for one guard item: exactly one wins', async () => {
  const attempt = (i) => call('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Locks', Item: { pk: S('guard'), owner: S('w' + i) }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: 'Locks', Item: { pk: S('owner-' + i) } } },
    ],
  })
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i)))
  const winners = results.map((r, i) => (r.status == 200 ? i : -1)).filter((i) => i >= 0)
  assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.status)))
  for (const r of results) {
    if (r.status != 200) assert.equal(r.body.__type, CANCELLED)
  }
  const guard = await must('GetItem', { TableName: 'Locks', Key: { pk: S('guard') }, ConsistentRead: true })
  assert.equal(guard.Item.owner.S, 'w' + winners[0])
  for (let i = 0; i < 10; i++) {
    const owner = await must('GetItem', { TableName: 'Locks', Key: { pk: S('owner-' + i) } })
    assert.equal(owner.Item != null, i == winners[0], 'owner-' + i)
  }
})

test('TransactGetItems answers in request order, {} for missing items, with projections', async () => {
  const res = await must('TransactGetItems', {
    TransactItems: [
      { Get: { TableName: 'Jobs', Key: { pk: S('a') } } },
      { Get: { TableName: 'Jobs', Key: { pk: S('missing') } } },
      { Get: { TableName: 'Jobs', Key: { pk: S('b') }, ProjectionExpression: 'pk, #st',
        ExpressionAttributeNames: { '#st': 'status' } } },
      { Get: { TableName: 'Locks', Key: { pk: S('guard') }, ProjectionExpression: 'pk' } },
    ],
  })
  assert.deepEqual(res, {
    Responses: [
      { Item: job('a', 'DONE', 2) },
      {},
      { Item: { pk: S('b'), status: S('NEW') } },
      { Item: { pk: S('guard') } },
    ],
  })
  const dup = await call('TransactGetItems', { TransactItems: [
    { Get: { TableName: 'Jobs', Key: { pk: S('a') } } }, { Get: { TableName: 'Jobs', Key: { pk: S('a') } } },
  ] })
  assert.equal(dup.body.__type, VALIDATION)
  const missing = await call('TransactGetItems', { TransactItems: [ { Get: { TableName: 'Nope', Key: { pk: S('a') } } } ] })
  assert.equal(missing.body.__type, NOT_FOUND)
})

test('UpdateTimeToLive is recorded and reported by DescribeTimeToLive', async () => {
  const describe = async () => (await must('DescribeTimeToLive', { TableName: 'Jobs' })).TimeToLiveDescription
  assert.deepEqual(await describe(), { TimeToLiveStatus: 'DISABLED' })

  const upd = await must('UpdateTimeToLive', {
    TableName: 'Jobs', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  })
  assert.deepEqual(upd, { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } })
  assert.deepEqual(await describe(), { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' })
  assert.deepEqual((await must('DescribeTimeToLive', { TableName: 'Locks' })).TimeToLiveDescription,
    { TimeToLiveStatus: 'DISABLED' })

  await must('UpdateTimeToLive', { TableName: 'Jobs', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: false } })
  assert.deepEqual(await describe(), { TimeToLiveStatus: 'DISABLED' })

  const noTable = await call('UpdateTimeToLive', {
    TableName: 'Nope', TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
  })
  assert.equal(noTable.body.__type, NOT_FOUND)
  const noSpec = await call('UpdateTimeToLive', { TableName: 'Jobs' })
  assert.equal(noSpec.body.__type, VALIDATION)
})

test('TTL setting does not outlive a deleted table', async () => {
  const spec = { AttributeName: 'ttl', Enabled: true }
  await must('UpdateTimeToLive', { TableName: 'Locks', TimeToLiveSpecification: spec })
  await must('DeleteTable', { TableName: 'Locks' })
  // Even with deleteTableMs=0 dynalite removes the table a tick after answering
  // (status DELETING until then): wait like the SDK's tableNotExists waiter.
  for (let i = 0; (await call('DescribeTable', { TableName: 'Locks' })).status == 200; i++) {
    assert.ok(i < 100, 'table Locks never went away')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await must('CreateTable', {
    TableName: 'Locks', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [ { AttributeName: 'pk', AttributeType: 'S' } ],
    KeySchema: [ { AttributeName: 'pk', KeyType: 'HASH' } ],
  })
  const { TimeToLiveDescription } = await must('DescribeTimeToLive', { TableName: 'Locks' })
  assert.deepEqual(TimeToLiveDescription, { TimeToLiveStatus: 'DISABLED' })
})

test('a table\'s description is read anew once it changes: deleted, re-created with another key, updated', async () => {
  const table = 'Described'
  // Even with createTableMs=0 the table is CREATING until a tick after the answer: wait like the SDK's waiter.
  const active = async () => {
    for (let i = 0; ; i++) {
      const { Table } = await must('DescribeTable', { TableName: table })
      if (Table.TableStatus == 'ACTIVE') return Table
      assert.ok(i < 100, 'table ' + table + ' never became ACTIVE')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  const create = async (key) => {
    await must('CreateTable', {
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [ { AttributeName: key, AttributeType: 'S' } ],
      KeySchema: [ { AttributeName: key, KeyType: 'HASH' } ],
    })
    await active()
  }
  await create('pk')
  // Items read and written many times: each used the description dynalite keeps (and the shim keeps decoded).
  for (let i = 0; i < 5; i++) await must('PutItem', { TableName: table, Item: { pk: S('a' + i) } })
  assert.equal((await must('GetItem', { TableName: table, Key: { pk: S('a1') } })).Item.pk.S, 'a1')

  await must('DeleteTable', { TableName: table })
  for (let i = 0; (await call('DescribeTable', { TableName: table })).status == 200; i++) {
    assert.ok(i < 100, 'table ' + table + ' never went away')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const gone = await call('PutItem', { TableName: table, Item: { pk: S('b') } })
  assert.equal(gone.status, 400)
  assert.equal(gone.body.__type, NOT_FOUND)

  // The same name with another key: a put is checked against the new key at once.
  await create('id')
  const oldKey = await call('PutItem', { TableName: table, Item: { pk: S('c') } })
  assert.equal(oldKey.status, 400)
  assert.equal(oldKey.body.__type, VALIDATION)
  assert.match(oldKey.body.message, /missing|key/i)
  await must('PutItem', { TableName: table, Item: { id: S('c') } })
  const txn = await call('TransactWriteItems', { TransactItems: [ { Put: { TableName: table, Item: { pk: S('d') } } } ] })
  assert.equal(txn.status, 400, 'a transaction is checked against the new key too')

  // An update (to provisioned capacity) shows in the next description read.
  await must('UpdateTable', { TableName: table, BillingMode: 'PROVISIONED',
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } })
  const described = await active()
  assert.equal(described.ProvisionedThroughput.ReadCapacityUnits, 5)
  assert.equal((described.BillingModeSummary || {}).BillingMode || 'PROVISIONED', 'PROVISIONED')
})

test('unknown operations and bad JSON are still answered like dynalite', async () => {
  const unknown = await call('ExecuteStatement', { Statement: 'SELECT * FROM Jobs' })
  assert.equal(unknown.body.__type, 'com.amazon.coral.service#UnknownOperationException')
  const bad = await new Promise((resolve, reject) => {
    const req = require('http').request({
      host: '127.0.0.1', port, method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.TransactWriteItems' },
    }, (res) => { res.resume(); res.on('end', () => resolve(res)) })
    req.on('error', reject)
    req.end('{not json')
  })
  assert.equal(bad.statusCode, 400)
})
