// run-execution.mjs as a child process on Node 22, against a fake Lambda endpoint in this process.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeLambda, fixture, runExecution } from './helpers.mjs'

const INPUT = { vm: 'vm-1', password: 'pw-in-the-input' }
const FAST = { waitOverrides: { '*': 0 }, retryOverrides: { '*': 0 } }

function types (result) {
  return result.events.map((e) => e.type + (e.state ? ':' + e.state.name : ''))
}

test('a Task retried on its errorType, a Wait overridden to 0 ms, the context object, and every payload in the events',
  async () => {
    const lambda = await fakeLambda({
      'start-job': (payload, call) => call <= 2
        ? { error: { type: 'dev.lifeboat.Transient', message: 'busy, try #' + call } }
        : { result: { job: 'job-7', token: 'token-only-in-the-lambda-answer' } },
    })
    try {
      const started = Date.now()
      const { code, stderr, result } = await runExecution(
        { definition: fixture('tiny.asl.json'), input: INPUT, name: 'exec-1', ...FAST }, { endpoint: lambda.endpoint })
      const wallMs = Date.now() - started
      assert.equal(code, 0, stderr)
      assert.equal(result.status, 'SUCCEEDED', JSON.stringify(result))
      assert.deepEqual(result.output, { vm: 'vm-1', job: 'job-7', execution: 'exec-1' })
      assert.equal(result.error, null)
      assert.equal(lambda.calls['start-job'], 3)
      assert.deepEqual(result.events.filter((e) => e.type === 'StateRetried').map((e) => e.retry.attempt), [ 1, 2 ])
      assert.deepEqual(result.events.filter((e) => e.type === 'StateFailed').map((e) => e.Error),
        [ 'dev.lifeboat.Transient', 'dev.lifeboat.Transient' ])
      for (const state of [ 'StartJob', 'Pause', 'Report' ]) {
        assert.ok(types(result).includes('StateEntered:' + state), state)
        assert.ok(types(result).includes('StateExited:' + state), state)
      }
      const invocations = result.events.filter((e) => e.type === 'LambdaInvoked')
      assert.equal(invocations.length, 3)
      assert.equal(invocations[0].functionName, 'arn:aws:lambda:us-east-1:123456789012:function:start-job')
      assert.deepEqual(invocations[2].input, { vm: 'vm-1', password: 'pw-in-the-input' })
      assert.equal(invocations[0].functionError, 'Unhandled')
      // ResultSelector drops the token from the state, but the Lambda's answer is in the log, as in AWS's history.
      const log = JSON.stringify(result.events)
      assert.ok(log.includes('token-only-in-the-lambda-answer'))
      assert.ok(!JSON.stringify(result.output).includes('token-only'))
      assert.ok(wallMs < 10000, `the 30 s Wait and the 5 s retry intervals are overridden (took ${wallMs} ms)`)
    } finally {
      await lambda.close()
    }
  })

test('recordPayloads false: the same run and limits, but no state or invocation payload in the events', async () => {
  const lambda = await fakeLambda({ 'start-job': () => ({ result: { job: 'job-7', token: 'token-only-in-the-lambda-answer' } }) })
  try {
    const { code, stderr, result } = await runExecution(
      { definition: fixture('tiny.asl.json'), input: INPUT, ...FAST, recordPayloads: false }, { endpoint: lambda.endpoint })
    assert.equal(code, 0, stderr)
    assert.equal(result.status, 'SUCCEEDED', JSON.stringify(result))
    assert.deepEqual(result.output, { vm: 'vm-1', job: 'job-7', execution: result.output.execution })
    assert.ok(result.limits.largestPayloadBytes > 0, 'the limits still measure every payload')
    assert.ok(types(result).includes('StateEntered:StartJob'))
    assert.equal(result.events.filter((e) => e.type === 'LambdaInvoked').length, 1)
    const log = JSON.stringify(result.events)
    assert.ok(!log.includes('token-only-in-the-lambda-answer'), log)
    assert.ok(!log.includes('pw-in-the-input'), log)
  } finally {
    await lambda.close()
  }
})

test('a Catch matches the errorType; the Fail state names the execution error', async () => {
  const lambda = await fakeLambda({
    'start-job': () => ({ error: { type: 'dev.lifeboat.Terminal', message: 'job refused' } }),
  })
  try {
    const { result } = await runExecution({ definition: fixture('tiny.asl.json'), input: INPUT, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(result.status, 'FAILED')
    assert.equal(result.error, 'BackupFailed')
    assert.equal(result.cause, 'the backup system refused the job')
    assert.equal(lambda.calls['start-job'], 1, 'Terminal is not retried')
    assert.ok(types(result).includes('StateCaught:StartJob'))
    const failed = result.events.find((e) => e.type === 'StateEntered' && e.state.name === 'Failed')
    // The library's Catch output: Cause is "errorType: errorMessage" (AWS puts the error payload's JSON there).
    assert.deepEqual(failed.state.input.failure, { Error: 'dev.lifeboat.Terminal', Cause: 'dev.lifeboat.Terminal: job refused' })
  } finally {
    await lambda.close()
  }
})

test('an uncaught function error fails the execution with the errorType and the error payload as the cause', async () => {
  const lambda = await fakeLambda({
    'start-job': () => ({ error: { type: 'java.lang.IllegalStateException', message: 'no such VM' } }),
  })
  try {
    const { result } = await runExecution({ definition: fixture('tiny.asl.json'), input: INPUT, ...FAST },
      { endpoint: lambda.endpoint })
    assert.equal(result.status, 'FAILED')
    assert.equal(result.error, 'java.lang.IllegalStateException')
    assert.deepEqual(JSON.parse(result.cause),
      { errorType: 'java.lang.IllegalStateException', errorMessage: 'no such VM', stackTrace: [] })
    assert.equal(result.events.at(-1).type, 'ExecutionFailed')
  } finally {
    await lambda.close()
  }
})

test('an unknown function fails with the SDK error name ResourceNotFoundException (AWS: Lambda.ResourceNotFoundException)',
  async () => {
    const lambda = await fakeLambda({})
    try {
      const { result } = await runExecution({ definition: fixture('tiny.asl.json'), input: INPUT, ...FAST },
        { endpoint: lambda.endpoint })
      assert.equal(result.status, 'FAILED')
      assert.equal(result.error, 'ResourceNotFoundException')
      assert.match(result.cause, /Function not found: arn:aws:lambda:us-east-1:123456789012:function:start-job/)
      const invoked = result.events.find((e) => e.type === 'LambdaInvoked')
      assert.equal(invoked.statusCode, 404)
    } finally {
      await lambda.close()
    }
  })

test('an unreachable Lambda endpoint fails the Task with ServiceException and says which endpoint', async () => {
  const { result } = await runExecution({ definition: fixture('tiny.asl.json'), input: INPUT, ...FAST },
    { endpoint: 'http://127.0.0.1:9' })
  assert.equal(result.status, 'FAILED')
  assert.equal(result.error, 'ServiceException')
  assert.match(result.cause, /the Lambda endpoint http:\/\/127\.0\.0\.1:9 is unreachable: ECONNREFUSED/)
  // The history tells the failed call as AWS's LambdaFunctionStartFailed would, with the same message.
  const invoked = result.events.filter((e) => e.type === 'LambdaInvoked')
  assert.equal(invoked.length, 1)
  assert.equal(invoked[0].statusCode, 502)
  assert.match(invoked[0].output, /is unreachable: ECONNREFUSED/)
})

test('SIGTERM aborts: ABORTED with the events so far', async () => {
  let child
  const lambda = await fakeLambda({
    'start-job': () => {
      setTimeout(() => child.kill('SIGTERM'), 200) // the execution is then in its 30 s Wait
      return { result: { job: 'job-1' } }
    },
  })
  try {
    const { code, result } = await runExecution({ definition: fixture('tiny.asl.json'), input: INPUT },
      { endpoint: lambda.endpoint, onSpawn: (c) => { child = c } })
    assert.equal(code, 0)
    assert.equal(result.status, 'ABORTED')
    assert.deepEqual(types(result).slice(-2), [ 'StateEntered:Pause', 'ExecutionAborted' ])
  } finally {
    await lambda.close()
  }
})

test('TimeoutSeconds of the definition: TIMED_OUT', async () => {
  const definition = { TimeoutSeconds: 1, StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 60, End: true } } }
  const { result } = await runExecution({ definition })
  assert.equal(result.status, 'TIMED_OUT')
  assert.equal(result.error, 'States.Timeout')
})

test('"ResultPath": "$" replaces the state\'s input with its result, as AWS does', async () => {
  const definition = {
    StartAt: 'Both',
    States: {
      Both: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'next.$': '$.cursor' }, End: true } } },
          { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'listed', End: true } } },
        ],
        ResultSelector: { 'recorded.$': '$[0]', 'page.$': '$[1]' },
        ResultPath: '$',
        Next: 'Keep',
      },
      Keep: { Type: 'Pass', Result: { kept: true }, ResultPath: '$', End: true },
    },
  }
  const { code, result } = await runExecution({ definition, input: { cursor: 'c2' } })
  assert.equal(code, 0)
  assert.equal(result.status, 'SUCCEEDED')
  assert.deepEqual(result.output, { kept: true })
  const both = result.events.find((e) => e.type === 'StateExited' && e.state.name === 'Both')
  assert.deepEqual(both.state.output, { recorded: { next: 'c2' }, page: 'listed' })
})

test('a definition given as text, without Tasks, needs no Lambda endpoint', async () => {
  const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, End: true } } })
  const { code, result } = await runExecution({ definition })
  assert.equal(code, 0)
  assert.deepEqual(result.output, { ok: true })
})

test('bad requests exit 2 with one message on stderr', async (t) => {
  const tiny = fixture('tiny.asl.json')
  const cases = [
    [ 'no endpoint for Tasks', { definition: tiny, input: INPUT }, /AWS_ENDPOINT_URL_LAMBDA is not set/ ],
    [ 'invalid definition', { definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } } },
      /Missing 'StartAt'\|'Next'\|'Default' target: B/ ],
    [ 'override of no such state', { definition: tiny, waitOverrides: { Paus: 0 } }, /waitOverrides names Paus/ ],
    [ 'override of a state that is no Wait', { definition: tiny, waitOverrides: { Report: 0 } },
      /waitOverrides names Report/ ],
    [ 'no definition', { input: {} }, /no definition/ ],
    [ 'recordPayloads not a boolean', { definition: tiny, recordPayloads: 'no' }, /recordPayloads must be true or false/ ],
  ]
  for (const [ name, request, message ] of cases) {
    await t.test(name, async () => {
      const { code, stdout, stderr } = await runExecution(request, { endpoint: name === 'no endpoint for Tasks' ? undefined : 'http://127.0.0.1:9' })
      assert.equal(code, 2, stderr)
      assert.equal(stdout, '')
      assert.match(stderr, message)
    })
  }
})

test('$$.State.Name and $$.State.EnteredTime as AWS gives them: the time the state was entered, retries included',
  async () => {
    const lambda = await fakeLambda({
      'poll-job': (payload, call) => call === 1
        ? { error: { type: 'dev.lifeboat.Transient', message: 'busy' } }
        : { result: { state: 'RUNNING' } },
    })
    try {
      const { code, stderr, result } = await runExecution({
        definition: fixture('state-context.asl.json'), input: { items: [ 1, 2 ] },
        waitOverrides: { Pause: 30 }, retryOverrides: { Call: 40 },
      }, { endpoint: lambda.endpoint })
      assert.equal(code, 0, stderr)
      assert.equal(result.status, 'SUCCEEDED', JSON.stringify(result))
      const out = result.output
      const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
      const entered = (name) => result.events.filter((e) => e.type === 'StateEntered' && e.state.name === name)
        .map((e) => new Date(e.timestamp).toISOString())
      assert.equal(out.called.name, 'Call')
      assert.match(out.called.at, iso)
      // Entered once, before the failed attempt: the retry 40 ms later does not move it.
      assert.deepEqual(entered('Call'), [ out.called.at ])
      const retried = result.events.find((e) => e.type === 'StateRetried')
      assert.ok(retried.timestamp - Date.parse(out.called.at) >= 40, 'the retry came after the entry')
      assert.equal(out.after.name, 'After')
      assert.deepEqual(entered('After'), [ out.after.at ])
      assert.ok(Date.parse(out.after.at) - Date.parse(out.called.at) >= 30, 'after the 30 ms Wait')
      // Each iteration of the Map has its own State; the Map's ResultSelector sees the Map's own.
      assert.deepEqual(out.each.iterations.map((i) => i.name), [ 'Inner', 'Inner' ])
      for (const i of out.each.iterations) assert.match(i.at, iso)
      assert.equal(out.each.name, 'Each')
    } finally {
      await lambda.close()
    }
  })
