// The quotas AWS enforces and aws-local-stepfunctions does not: run-execution.mjs fails where AWS would.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeLambda, runExecution } from './helpers.mjs'

const FAST = { waitOverrides: { '*': 0 }, retryOverrides: { '*': 0 } }
const ARN = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`

/** A Task caught by States.ALL into a recording state: the shape of Lifeboat's results sync. */
function caughtTask (resultPath = '$.result') {
  return {
    StartAt: 'List',
    States: {
      List: {
        Type: 'Task', Resource: ARN('list'), ResultPath: resultPath,
        Retry: [ { ErrorEquals: [ 'States.ALL' ], MaxAttempts: 2 } ],
        Catch: [ { ErrorEquals: [ 'States.ALL' ], ResultPath: '$.failure', Next: 'Report' } ],
        End: true,
      },
      Report: { Type: 'Pass', Result: 'reported', End: true },
    },
  }
}

test('a 300 KB task result fails the execution with States.DataLimitExceeded, which States.ALL neither retries nor catches',
  async () => {
    const lambda = await fakeLambda({ list: () => ({ result: { page: 'x'.repeat(300 * 1024) } }) })
    try {
      const { code, stderr, result } = await runExecution({ definition: caughtTask(), input: {}, ...FAST }, { endpoint: lambda.endpoint })
      assert.equal(code, 0, stderr)
      assert.equal(result.status, 'FAILED', JSON.stringify(result.limits))
      assert.equal(result.error, 'States.DataLimitExceeded')
      assert.match(result.cause, /result of task List is \d+ bytes/)
      assert.equal(lambda.calls.list, 1, 'not retried')
      assert.ok(!result.events.some((e) => e.type === 'StateEntered' && e.state.name === 'Report'), 'not caught')
      assert.ok(result.limits.largestPayloadBytes > 300 * 1024)
    } finally {
      await lambda.close()
    }
  })

test('a result under the quota whose state output goes over it fails too; 200 KB alone passes', async () => {
  const lambda = await fakeLambda({ list: () => ({ result: 'y'.repeat(200 * 1024) }) })
  try {
    const alone = await runExecution({ definition: caughtTask(), input: {}, ...FAST }, { endpoint: lambda.endpoint })
    assert.equal(alone.result.status, 'SUCCEEDED', alone.result.cause)
    assert.ok(alone.result.limits.largestPayloadBytes >= 200 * 1024)
    const doubled = await runExecution({ definition: caughtTask(), input: { before: 'z'.repeat(100 * 1024) }, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(doubled.result.status, 'FAILED')
    assert.equal(doubled.result.error, 'States.DataLimitExceeded')
    assert.match(doubled.result.cause, /output of state List/)
  } finally {
    await lambda.close()
  }
})

test('a Map whose gathered results go over the quota fails the execution, though each iteration is small', async () => {
  const lambda = await fakeLambda({ list: () => ({ result: 'w'.repeat(30 * 1024) }) })
  try {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 4,
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'List', States: { List: { Type: 'Task', Resource: ARN('list'), End: true } } },
          Catch: [ { ErrorEquals: [ 'States.ALL' ], ResultPath: '$.failure', Next: 'Report' } ],
          End: true,
        },
        Report: { Type: 'Pass', End: true },
      },
    }
    const { result } = await runExecution({ definition, input: { items: Array.from({ length: 10 }, (_, i) => i) }, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(result.status, 'FAILED')
    assert.equal(result.error, 'States.DataLimitExceeded')
    assert.match(result.cause, /output of state Each/)
  } finally {
    await lambda.close()
  }
})

test('an execution past 25,000 history events fails; the count and the transitions are reported', async () => {
  const definition = {
    StartAt: 'Loop',
    States: {
      Loop: { Type: 'Pass', Result: { done: false }, Next: 'Again' },
      Again: { Type: 'Choice', Choices: [ { Variable: '$.done', BooleanEquals: true, Next: 'Done' } ], Default: 'Loop' },
      Done: { Type: 'Succeed' },
    },
  }
  const { result } = await runExecution({ definition, input: {}, ...FAST })
  assert.equal(result.status, 'FAILED')
  assert.equal(result.error, 'States.Runtime')
  assert.match(result.cause, /25000 events/)
  assert.ok(result.limits.historyEvents > 25000)
  assert.ok(result.limits.transitions >= 12000, JSON.stringify(result.limits))
})
