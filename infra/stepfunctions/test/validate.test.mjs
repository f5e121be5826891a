// validate.mjs as a child process on Node 22.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { FIXTURES, runScript } from './helpers.mjs'

const file = (name) => path.join(FIXTURES, name)

test('valid definitions, ${Substitution} resources included: exit 0, one line each', async () => {
  const { code, stdout, stderr } = await runScript('validate.mjs', [ file('tiny.asl.json'), file('substitutions.asl.json') ])
  assert.equal(code, 0, stdout + stderr)
  assert.equal(stdout.trim().split('\n').length, 2)
  assert.match(stdout, /✓ .*tiny\.asl\.json is valid/)
})

test('a broken definition: exit 1 with each error, the valid ones still reported', async () => {
  const { code, stdout } = await runScript('validate.mjs', [ file('tiny.asl.json'), file('broken.asl.json') ])
  assert.equal(code, 1)
  assert.match(stdout, /✓ .*tiny\.asl\.json is valid/)
  assert.match(stdout, /✕ .*broken\.asl\.json is invalid/)
  assert.match(stdout, /MISSING_TRANSITION_TARGET: Missing 'StartAt'\|'Next'\|'Default' target: NoSuchState/)
  assert.match(stdout, /MISSING_TRANSITION_TARGET: State Orphan is not reachable/)
})

test('--json: one line with every file, its validity and its errors', async () => {
  const { code, stdout } = await runScript('validate.mjs',
    [ '--json', file('schema-error.asl.json'), file('not-json.asl.json'), file('missing.asl.json'), file('tiny.asl.json') ])
  assert.equal(code, 1)
  const results = JSON.parse(stdout)
  assert.deepEqual(results.map((r) => [ path.basename(r.file), r.valid ]),
    [ [ 'schema-error.asl.json', false ], [ 'not-json.asl.json', false ], [ 'missing.asl.json', false ],
      [ 'tiny.asl.json', true ] ])
  assert.deepEqual(results[0].errors, [ {
    code: 'SCHEMA_VALIDATION_FAILED', message: '/States/Task/Retry/0/BackoffRate is invalid. must be number',
  } ])
  assert.equal(results[1].errors[0].code, 'INVALID_JSON')
  assert.equal(results[2].errors[0].code, 'UNREADABLE')
  assert.deepEqual(results[3].errors, [])
})

test('no files or an unknown option: exit 2 with the usage', async () => {
  for (const args of [ [], [ '--yaml', file('tiny.asl.json') ] ]) {
    const { code, stderr } = await runScript('validate.mjs', args)
    assert.equal(code, 2)
    assert.match(stderr, /usage: node validate\.mjs/)
  }
})
