// The arn:aws:states:::lambda:invoke integration in run-execution.mjs: the function named by the state's parameters is
// called with their Payload, its answer comes back wrapped as AWS wraps it, and errors keep the names Retry and Catch match.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeLambda, runExecution } from './helpers.mjs'

const FAST = { waitOverrides: { '*': 0 }, retryOverrides: { '*': 0 } }
const ARN = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`

/** One plugin-call state whose function is chosen by the input, as Lifeboat's workflows choose it by manager type. */
function pluginCall (extra = {}) {
  const definition = {
    StartAt: 'Call',
    States: {
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { 'FunctionName.$': '$.run.pluginFunction', 'Payload.$': '$.run.command' },
        ResultSelector: { 'answer.$': '$.Payload' },
        ResultPath: '$.called',
        End: true,
        ...extra,
      },
    },
  }
  // A state no transition reaches is refused, so the Catch target exists only when a Catch does.
  if (extra.Catch) definition.States.Report = { Type: 'Pass', End: true }
  return definition
}

test('lambda:invoke calls FunctionName (an alias ARN, a name) with Payload and wraps the answer as AWS does', async () => {
  const lambda = await fakeLambda({
    veeam: (payload) => ({ result: { job: { ref: 'veeam-' + payload.vm } } }),
    networker: (payload) => ({ result: { job: { ref: 'nw-' + payload.vm } } }),
  })
  try {
    const definition = pluginCall({ ResultSelector: undefined, ResultPath: '$.raw' })
    delete definition.States.Call.ResultSelector
    const raw = await runExecution({ definition, input: { run: { pluginFunction: ARN('veeam') + ':live', command: { vm: 'vm-1' } } }, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(raw.result.status, 'SUCCEEDED', raw.result.cause)
    assert.deepEqual(raw.result.output.raw, { ExecutedVersion: '$LATEST', Payload: { job: { ref: 'veeam-vm-1' } }, StatusCode: 200 })
    const invoked = raw.result.events.find((e) => e.type === 'LambdaInvoked')
    assert.equal(invoked.functionName, ARN('veeam') + ':live')
    assert.deepEqual(invoked.input, { vm: 'vm-1' }, 'the function gets the Payload alone, not the integration parameters')

    const selected = await runExecution({ definition: pluginCall(), input: { run: { pluginFunction: 'networker', command: { vm: 'vm-2' } } }, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(selected.result.status, 'SUCCEEDED', selected.result.cause)
    assert.deepEqual(selected.result.output.called, { answer: { job: { ref: 'nw-vm-2' } } })
    assert.equal(lambda.calls.veeam, 1)
    assert.equal(lambda.calls.networker, 1)
  } finally {
    await lambda.close()
  }
})

test('a function error keeps its errorType as the error name: retried, then caught with the error payload', async () => {
  const lambda = await fakeLambda({
    veeam: (payload, call) => ({ error: { type: call === 1 ? 'dev.lifeboat.plugin.RetryableError' : 'dev.lifeboat.plugin.PluginError', message: 'SERVER_ERROR: try ' + call } }),
  })
  try {
    const definition = pluginCall({
      Retry: [ { ErrorEquals: [ 'dev.lifeboat.plugin.RetryableError' ], MaxAttempts: 3 } ],
      Catch: [ { ErrorEquals: [ 'States.ALL' ], ResultPath: '$.failure', Next: 'Report' } ],
    })
    const { result } = await runExecution({ definition, input: { run: { pluginFunction: ARN('veeam'), command: {} } }, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(result.status, 'SUCCEEDED', result.cause)
    assert.equal(lambda.calls.veeam, 2, 'retried once, the second error is not retryable')
    assert.equal(result.output.failure.Error, 'dev.lifeboat.plugin.PluginError')
    assert.match(result.output.failure.Cause, /SERVER_ERROR: try 2/)
  } finally {
    await lambda.close()
  }
})

test('the Lambda service\'s errors carry the Lambda. prefix that AWS\'s recommended Retry names', async () => {
  const lambda = await fakeLambda({})
  try {
    const unknown = await runExecution({ definition: pluginCall(), input: { run: { pluginFunction: 'gone', command: {} } }, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(unknown.result.status, 'FAILED')
    assert.equal(unknown.result.error, 'Lambda.ResourceNotFoundException')
  } finally {
    await lambda.close()
  }
  const definition = pluginCall({ Retry: [ { ErrorEquals: [ 'Lambda.ServiceException' ], MaxAttempts: 1 } ] })
  const down = await runExecution({ definition, input: { run: { pluginFunction: 'veeam', command: {} } }, ...FAST },
    { endpoint: 'http://127.0.0.1:9' })
  assert.equal(down.result.status, 'FAILED')
  assert.equal(down.result.error, 'Lambda.ServiceException')
  assert.equal(down.result.events.filter((e) => e.type === 'StateRetried').length, 1, 'retried under its Lambda. name')
})

test('the 256 KB quota holds for the wrapped answer, uncaught by States.ALL', async () => {
  const lambda = await fakeLambda({ veeam: () => ({ result: { page: 'x'.repeat(300 * 1024) } }) })
  try {
    const definition = pluginCall({ Catch: [ { ErrorEquals: [ 'States.ALL' ], ResultPath: '$.failure', Next: 'Report' } ] })
    const big = await runExecution({ definition, input: { run: { pluginFunction: 'veeam', command: {} } }, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(big.result.status, 'FAILED')
    assert.equal(big.result.error, 'States.DataLimitExceeded')
    assert.match(big.result.cause, /result of task Call is \d+ bytes/)
    assert.ok(!big.result.events.some((e) => e.type === 'StateEntered' && e.state.name === 'Report'), 'not caught')
  } finally {
    await lambda.close()
  }
})

test('a lambda:invoke without FunctionName fails with States.Runtime; other integrations are refused as a bad request', async () => {
  const lambda = await fakeLambda({})
  try {
    const missing = await runExecution({ definition: pluginCall({ Parameters: { 'Payload.$': '$' } }), input: {}, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(missing.result.status, 'FAILED')
    assert.equal(missing.result.error, 'States.Runtime')
    const other = await runExecution({ definition: pluginCall({ Resource: 'arn:aws:states:::sqs:sendMessage' }), input: {}, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(other.code, 2)
    assert.match(other.stderr, /sqs:sendMessage is not supported/)
  } finally {
    await lambda.close()
  }
})
