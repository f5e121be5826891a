'use strict'

// dynalite plus the DynamoDB operations it lacks: TransactWriteItems,
// TransactGetItems, UpdateTimeToLive and a DescribeTimeToLive that reports what
// UpdateTimeToLive recorded. Everything else is answered by dynalite itself.
//
// The shim works on dynalite's own store and reuses dynalite's validation rules
// and write actions, so expressions, error texts and index maintenance behave
// exactly as they do for the plain operations.

const crypto = require('crypto')
const dynalite = require('dynalite')
const db = require('dynalite/db')
const validations = require('dynalite/validations')

const actions = {
  putItem: require('dynalite/actions/putItem'),
  updateItem: require('dynalite/actions/updateItem'),
  deleteItem: require('dynalite/actions/deleteItem'),
  getItem: require('dynalite/actions/getItem'),
}

const rules = {
  putItem: require('dynalite/validations/putItem'),
  updateItem: require('dynalite/validations/updateItem'),
  deleteItem: require('dynalite/validations/deleteItem'),
  getItem: require('dynalite/validations/getItem'),
  describeTimeToLive: require('dynalite/validations/describeTimeToLive'),
}

// dynalite parses an expression at every request, and again for every item of a
// transaction: a transaction of 100 Puts with one ConditionExpression spent most
// of its time in the parser. A parse depends only on the text, the names and
// values it may use, and whether it is a key condition, so each distinct one is
// parsed once; a hit marks the same names and values used as the parse did (an
// unused one is an error) and gets its own copy of the result.
const PARSES_KEPT = 2000
function parseOnce (parser) {
  const parse = parser.parse
  const kept = new Map()
  parser.parse = function (text, options) {
    const context = options && options.context
    if (!context) return parse.call(this, text, options)
    const key = JSON.stringify([ text, Boolean(context.isKeyCondition), context.attrNames || null, context.attrVals || null ])
    const known = kept.get(key)
    if (known) {
      for (const k of known.names) delete context.unusedAttrNames[k]
      for (const k of known.values) delete context.unusedAttrVals[k]
      if (known.error) throw known.error
      return structuredClone(known.result)
    }
    // The parse itself goes to this request; the kept copy is never handed out.
    const names = Object.keys(context.unusedAttrNames || {}), values = Object.keys(context.unusedAttrVals || {})
    const used = () => ({
      names: names.filter((k) => !Object.hasOwn(context.unusedAttrNames, k)),
      values: values.filter((k) => !Object.hasOwn(context.unusedAttrVals, k)),
    })
    if (kept.size >= PARSES_KEPT) kept.clear()
    let result
    try {
      result = parse.call(this, text, options)
    }
    catch (error) {
      kept.set(key, { error, ...used() })
      throw error
    }
    kept.set(key, { result: structuredClone(result), ...used() })
    return result
  }
}
for (const parser of [ 'conditionParser', 'updateParser', 'projectionParser' ]) parseOnce(require('dynalite/db/' + parser))

const API_VERSION = 'DynamoDB_20120810'
const ERR = 'com.amazonaws.dynamodb.v20120810#'
const MAX_REQUEST_BYTES = 16 * 1024 * 1024 // same limit as dynalite
const MAX_TRANSACT_ITEMS = 100
const MULTIPLE_OPS_MSG = 'Transaction request cannot include multiple operations on one item'
// TTL settings live in dynalite's LevelDB next to the tables (so they survive a
// restart with --path). dynalite only ever reads keys under its own prefixes
// ("table~", "item-…~", "index-…~", "tag-…~"), so it never sees these.
const TTL_KEY_PREFIX = 'lifeboat-ttl~'

const stores = new WeakMap()

// ---------------------------------------------------------------------------
// Request shapes. Sub-requests take their field rules from dynalite's own
// putItem/updateItem/deleteItem/getItem validations, restricted to the fields
// the transaction API allows; checkTypes drops every other field.

function pick (types, names, extra) {
  const out = {}
  for (const name of names) out[name] = { ...types[name] }
  return Object.assign(out, extra)
}

const returnValuesOnFailure = {
  ReturnValuesOnConditionCheckFailure: { type: 'String', enum: [ 'ALL_OLD', 'NONE' ] },
}
const exprFields = [ 'ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues' ]

const writeKinds = {
  ConditionCheck: {
    rules: rules.deleteItem,
    types: pick(rules.deleteItem.types, [ 'TableName', 'Key', ...exprFields ], returnValuesOnFailure),
  },
  Put: {
    rules: rules.putItem,
    types: pick(rules.putItem.types, [ 'TableName', 'Item', ...exprFields ], returnValuesOnFailure),
  },
  Delete: {
    rules: rules.deleteItem,
    types: pick(rules.deleteItem.types, [ 'TableName', 'Key', ...exprFields ], returnValuesOnFailure),
  },
  Update: {
    rules: rules.updateItem,
    types: pick(rules.updateItem.types, [ 'TableName', 'Key', 'UpdateExpression', ...exprFields ], returnValuesOnFailure),
  },
}
writeKinds.ConditionCheck.types.ConditionExpression.notNull = true
writeKinds.Update.types.UpdateExpression.notNull = true

const commonTopLevel = {
  ReturnConsumedCapacity: { ...rules.putItem.types.ReturnConsumedCapacity },
}

const transactWriteTypes = {
  TransactItems: {
    type: 'List',
    notNull: true,
    lengthGreaterThanOrEqual: 1,
    children: {
      type: 'ValueStruct<TransactWriteItem>',
      children: Object.fromEntries(Object.entries(writeKinds).map(([ kind, def ]) =>
        [ kind, { type: 'FieldStruct<' + kind + '>', children: def.types } ])),
    },
  },
  // Accepted for the SDK's sake; requests are not de-duplicated by token.
  ClientRequestToken: { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 36 },
  ReturnItemCollectionMetrics: { ...rules.putItem.types.ReturnItemCollectionMetrics },
  ...commonTopLevel,
}

const transactGetTypes = {
  TransactItems: {
    type: 'List',
    notNull: true,
    lengthGreaterThanOrEqual: 1,
    children: {
      type: 'ValueStruct<TransactGetItem>',
      children: {
        Get: {
          type: 'FieldStruct<Get>',
          notNull: true,
          children: pick(rules.getItem.types,
            [ 'TableName', 'Key', 'ProjectionExpression', 'ExpressionAttributeNames' ]),
        },
      },
    },
  },
  ...commonTopLevel,
}

const updateTimeToLiveTypes = {
  TableName: { ...rules.putItem.types.TableName },
  TimeToLiveSpecification: {
    type: 'FieldStruct<TimeToLiveSpecification>',
    notNull: true,
    children: {
      AttributeName: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 255 },
      Enabled: { type: 'Boolean', notNull: true },
    },
  },
}

// ---------------------------------------------------------------------------
// Small helpers

function promisify (fn, ...args) {
  return new Promise((resolve, reject) => {
    fn(...args, (err, value) => (err ? reject(err) : resolve(value)))
  })
}

function apiError (type, message) {
  const err = new Error(message)
  err.statusCode = 400
  err.body = { __type: ERR + type, message }
  return err
}

function checkTopLevel (data, types) {
  if (data == null || typeof data != 'object' || Array.isArray(data)) {
    const err = new Error('Start of list found where not expected')
    err.statusCode = 400
    err.body = { __type: 'com.amazon.coral.service#SerializationException' }
    throw err
  }
  // Checked before dynalite's rules because their message would quote all
  // items; the limit is what matters to a caller.
  if (Array.isArray(data.TransactItems) && data.TransactItems.length > MAX_TRANSACT_ITEMS) {
    throw db.validationError('1 validation error detected: Value at \'transactItems\' failed to satisfy ' +
      'constraint: Member must have length less than or equal to ' + MAX_TRANSACT_ITEMS +
      ' (got ' + data.TransactItems.length + ' items)')
  }
  data = validations.checkTypes(data, types)
  validations.checkValidations(data, types)
  return data
}

function runCustomRules (req, custom, store) {
  if (!custom) return
  const msg = custom(req, store)
  if (msg) throw db.validationError(msg)
}

async function getTables (store, names) {
  const tables = new Map()
  for (const name of names) {
    // checkStatus=true: a table that is still CREATING/DELETING counts as missing.
    if (!tables.has(name)) tables.set(name, await promisify(store.getTable, name, true))
  }
  return tables
}

async function readItem (store, tableName, key) {
  try {
    // Newer level versions answer a missing key with (null, undefined), older
    // ones with a NotFoundError; both mean "no item".
    return (await promisify(store.getItemDb(tableName).get, key)) || undefined
  }
  catch (err) {
    if (err.name == 'NotFoundError') return undefined
    throw err
  }
}

function keyAttributes (item, table) {
  const key = {}
  for (const { AttributeName } of table.KeySchema) key[AttributeName] = item[AttributeName]
  return key
}

function cancelled (reasons) {
  const err = apiError('TransactionCanceledException',
    'Transaction cancelled, please refer cancellation reasons for specific reasons [' +
    reasons.map((r) => r.Code).join(', ') + ']')
  err.body.CancellationReasons = reasons
  return err
}

// ---------------------------------------------------------------------------
// Operations

function createOperations (store) {
  // Every transaction (and TransactGetItems) runs inside this promise chain, one
  // at a time. dynalite only locks single items for the length of one write, so
  // without this two transactions could both pass their condition checks
  // before either writes (e.g. two attribute_not_exists guards both "winning"),
  // and a reader could see half of another transaction's writes.
  let tail = Promise.resolve()
  function serialised (fn) {
    const run = tail.then(fn)
    tail = run.catch(() => {})
    return run
  }

  async function prepareItems (entries, tables, keyOf) {
    const seen = new Set()
    for (const entry of entries) {
      const table = tables.get(entry.req.TableName)
      const invalid = entry.validate(table)
      if (invalid) throw invalid
      entry.keyAttrs = keyAttributes(keyOf(entry), table)
      entry.key = db.createKey(entry.keyAttrs, table)
      const id = entry.req.TableName + '\u0000' + entry.key
      if (seen.has(id)) throw db.validationError(MULTIPLE_OPS_MSG)
      seen.add(id)
    }
  }

  async function transactWriteItems (data) {
    data = checkTopLevel(data, transactWriteTypes)

    const entries = data.TransactItems.map((item) => {
      const kinds = Object.keys(writeKinds).filter((k) => item[k] != null)
      if (kinds.length != 1) {
        throw db.validationError('TransactItems can only contain one of Check, Put, Update or Delete')
      }
      const kind = kinds[0], req = item[kind]
      runCustomRules(req, writeKinds[kind].rules.custom, store)
      return {
        kind,
        req,
        validate (table) {
          if (kind == 'Put') return db.validateItem(req.Item, table)
          return db.validateKey(req.Key, table) ||
            (kind == 'Update' ? db.validateUpdates(null, req._updates, table) : null)
        },
      }
    })

    const tables = await getTables(store, entries.map((e) => e.req.TableName))
    await prepareItems(entries, tables, (e) => e.req.Item || e.req.Key)

    return serialised(async () => {
      // Distinct keys (prepareItems refused repeats): their reads, and below their writes, need no order among
      // themselves. One after another, a transaction of 100 items waited on 200 turns of the event loop.
      await Promise.all(entries.map(async (e) => { e.before = await readItem(store, e.req.TableName, e.key) }))

      // Like DynamoDB, evaluate every condition (not just up to the first
      // failure) so the caller gets one reason per item.
      const reasons = entries.map((e) => {
        if (!db.checkConditional(e.req, e.before)) return { Code: 'None' }
        const reason = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
        if (e.req.ReturnValuesOnConditionCheckFailure == 'ALL_OLD' && e.before) reason.Item = e.before
        return reason
      })
      if (reasons.some((r) => r.Code != 'None')) throw cancelled(reasons)

      // Writes go through dynalite's own actions (conditions already checked,
      // so none are passed) to get its update-expression semantics and GSI/LSI
      // maintenance. Some update errors only show up against the stored item
      // (wrong operand type, item too large), so when a write fails the ones
      // that went through are undone: the transaction stays all-or-nothing.
      const writes = entries.filter((e) => e.kind != 'ConditionCheck')
      const outcomes = await Promise.allSettled(writes.map(applyWrite))
      const failed = outcomes.findIndex((o) => o.status == 'rejected')
      if (failed >= 0) {
        await rollBack(writes.filter((_, j) => outcomes[j].status == 'fulfilled'))
        const err = outcomes[failed].reason, i = entries.indexOf(writes[failed])
        if (err.statusCode == 400 && err.body && /ValidationException$/.test(err.body.__type)) {
          throw cancelled(entries.map((_, j) => (j == i ?
            { Code: 'ValidationError', Message: err.body.message } : { Code: 'None' })))
        }
        throw err
      }
      return {}
    })
  }

  function applyWrite (e) {
    const TableName = e.req.TableName
    switch (e.kind) {
    case 'Put': return promisify(actions.putItem, store, { TableName, Item: e.req.Item })
    case 'Delete': return promisify(actions.deleteItem, store, { TableName, Key: e.req.Key })
    case 'Update': return promisify(actions.updateItem, store, { TableName, Key: e.req.Key, _updates: e.req._updates })
    }
  }

  async function rollBack (applied) {
    for (const e of applied.reverse()) {
      const TableName = e.req.TableName
      try {
        if (e.before) await promisify(actions.putItem, store, { TableName, Item: e.before })
        else await promisify(actions.deleteItem, store, { TableName, Key: e.keyAttrs })
      }
      catch (err) {
        console.error('[lifeboat-dynalite] rollback of ' + TableName + ' ' + JSON.stringify(e.keyAttrs) +
          ' failed:', err.body || err)
      }
    }
  }

  async function transactGetItems (data) {
    data = checkTopLevel(data, transactGetTypes)

    const entries = data.TransactItems.map((item) => {
      const req = item.Get
      runCustomRules(req, rules.getItem.custom, store)
      return {
        req,
        validate (table) {
          return db.validateKey(req.Key, table) ||
            db.validateKeyPaths((req._projection || {}).nestedPaths, table)
        },
      }
    })

    const tables = await getTables(store, entries.map((e) => e.req.TableName))
    await prepareItems(entries, tables, (e) => e.req.Key)

    // Serialised with the write transactions so the reads never observe a
    // transaction that is halfway through applying its writes.
    return serialised(async () => {
      const Responses = []
      for (const e of entries) {
        const item = await readItem(store, e.req.TableName, e.key)
        const paths = e.req._projection && e.req._projection.paths
        Responses.push(item ? { Item: paths ? db.mapPaths(paths, item) : item } : {})
      }
      return { Responses }
    })
  }

  // TTL is configuration only: it is recorded and reported back, but nothing
  // ever expires here. Tests that depend on expiry must delete items themselves.
  async function updateTimeToLive (data) {
    data = checkTopLevel(data, updateTimeToLiveTypes)
    const table = await promisify(store.getTable, data.TableName, false)
    const spec = data.TimeToLiveSpecification
    // TableId ties the setting to this incarnation of the table, so a deleted
    // and re-created table starts with TTL disabled again.
    await promisify(store.db.put, TTL_KEY_PREFIX + data.TableName, {
      TableId: table.TableId, AttributeName: spec.AttributeName, Enabled: spec.Enabled,
    })
    return { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } }
  }

  async function describeTimeToLive (data) {
    data = checkTopLevel(data, rules.describeTimeToLive.types)
    const table = await promisify(store.getTable, data.TableName, false)
    let ttl
    try {
      ttl = await promisify(store.db.get, TTL_KEY_PREFIX + data.TableName)
    }
    catch (err) {
      if (err.name != 'NotFoundError') throw err
    }
    if (ttl && ttl.TableId == table.TableId && ttl.Enabled) {
      return { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.AttributeName } }
    }
    return { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } }
  }

  return {
    TransactWriteItems: transactWriteItems,
    TransactGetItems: transactGetItems,
    UpdateTimeToLive: updateTimeToLive,
    DescribeTimeToLive: describeTimeToLive,
  }
}

// ---------------------------------------------------------------------------
// HTTP

// Same id shape as dynalite's (52 characters); SDKs log it, nothing checks it.
function requestId () {
  return crypto.randomBytes(39).toString('base64').toUpperCase().replace(/\+|\//g, '0')
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32 (buf) {
  let c = 0xffffffff
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function send (res, statusCode, data) {
  const body = Buffer.from(JSON.stringify(data), 'utf8')
  res.statusCode = statusCode
  // The AWS SDKs (Java v2 included) compare this with the CRC32 of the body they
  // received and fail the call on a mismatch or treat it as corruption, so every
  // response must carry the right value, exactly as DynamoDB and dynalite send it.
  res.setHeader('x-amz-crc32', String(crc32(body)))
  res.setHeader('Content-Type', res.contentTypeForReply || 'application/x-amz-json-1.0')
  res.setHeader('Content-Length', body.length)
  res.end(body)
}

function handleShimRequest (operation, req, res) {
  const chunks = []
  let size = 0, tooLarge = false
  req.on('data', (chunk) => {
    if (tooLarge) return
    size += chunk.length
    if (size > MAX_REQUEST_BYTES) {
      tooLarge = true
      res.statusCode = 413
      res.end()
      return
    }
    chunks.push(chunk)
  })
  req.on('end', () => {
    if (tooLarge) return
    res.setHeader('x-amzn-RequestId', requestId())
    const contentType = (req.headers['content-type'] || '').split(';')[0].trim()
    if (req.method != 'POST' || (contentType != 'application/json' && contentType != 'application/x-amz-json-1.0')) {
      // Same answer dynalite gives for this case.
      res.statusCode = 404
      res.setHeader('x-amz-crc32', 3552371480)
      res.setHeader('Content-Length', 29)
      return res.end('<UnknownOperationException/>\n')
    }
    // dynalite answers in the content type the client used; do the same.
    res.contentTypeForReply = contentType

    let data
    try {
      data = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    }
    catch {
      return send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' })
    }

    Promise.resolve()
      .then(() => operation(data))
      .then((result) => send(res, 200, result), (err) => {
        if (err && err.statusCode && err.body) return send(res, err.statusCode, err.body)
        console.error('[lifeboat-dynalite] internal error:', err)
        send(res, 500, { __type: ERR + 'InternalServerError', message: String((err && err.message) || err) })
      })
  })
  req.on('error', (err) => console.error('[lifeboat-dynalite] request error:', err.message))
}

/**
 * dynalite reads a table's description from its store and decodes it on every item it reads or writes (each Put of a
 * transaction, each key of a BatchGetItem): for a table with four GSIs, a decode of some kilobytes of JSON per item.
 * The decoded description is kept here until the table's entry is written again (created, updated, deleted), so a
 * reader never sees a description older than the store's. Callers get the kept object itself: only UpdateTable and
 * DeleteTable change a description, and they write it back at once, which drops it from the cache.
 */
function cacheTableDescriptions (tableDb) {
  const kept = new Map()
  let writes = 0
  const get = tableDb.get.bind(tableDb)
  tableDb.get = function (name, cb) {
    if (kept.has(name)) {
      process.nextTick(cb, null, kept.get(name))
      return
    }
    // A write that comes in while this read is under way may make it stale: it is kept only if nothing was written.
    const writesAtStart = writes
    get(name, (err, table) => {
      if (!err && table && writes == writesAtStart) kept.set(name, table)
      cb(err, table)
    })
  }
  for (const method of [ 'put', 'del', 'batch', 'clear' ]) {
    if (typeof tableDb[method] != 'function') continue
    const original = tableDb[method].bind(tableDb)
    tableDb[method] = function (...args) {
      writes++
      kept.clear()
      return original(...args)
    }
  }
}

/**
 * Create a dynalite HTTP server with the shim operations added.
 * @param {object} [options] dynalite options (path, createTableMs, ...). Not mutated.
 * @returns {import('http').Server} not yet listening
 */
function createServer (options) {
  // dynalite keeps its store in a closure; wrapping db.create while dynalite()
  // runs is the only way to get hold of that same store (a second store on the
  // same LevelDB path would fail on LevelDB's lock, and in memory it would be a
  // different, empty database).
  const originalCreate = db.create
  let store
  db.create = function (...args) {
    store = originalCreate.apply(this, args)
    return store
  }
  let server
  try {
    server = dynalite({ ...options })
  }
  finally {
    db.create = originalCreate
  }
  if (!store) throw new Error('dynalite did not create its store through db.create; unsupported dynalite version?')

  cacheTableDescriptions(store.tableDb)
  const operations = createOperations(store)
  const dynaliteListeners = server.listeners('request')
  server.removeAllListeners('request')
  server.on('request', (req, res) => {
    const [ api, name ] = (req.headers['x-amz-target'] || '').split('.')
    const operation = api == API_VERSION && Object.hasOwn(operations, name) ? operations[name] : null
    if (operation) return handleShimRequest(operation, req, res)
    for (const listener of dynaliteListeners) listener.call(server, req, res)
  })

  stores.set(server, store)
  return server
}

/** The dynalite store behind a server made by createServer (for start-up checks and tests). */
function storeOf (server) {
  return stores.get(server)
}

module.exports = createServer
module.exports.createServer = createServer
module.exports.storeOf = storeOf
module.exports.crc32 = crc32
