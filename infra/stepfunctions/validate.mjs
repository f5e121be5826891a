// Validates Amazon States Language files with asl-validator (the pinned 4.0.0).
//
//   node validate.mjs [--json] FILE...
//
// Prints one line per valid file and the errors of each invalid one; with --json, one JSON line instead:
// [{"file": "...", "valid": false, "errors": [{"code": "...", "message": "..."}]}].
// Exit status: 0 all valid, 1 any invalid (or unreadable, or not JSON), 2 bad arguments.
//
// asl-validator stops at schema errors: a definition with a schema error and a missing Next target reports only the
// first kind. Fix and re-run.

import fs from 'node:fs'
import aslValidator from 'asl-validator'

function validateFile (file) {
  let definition
  try {
    definition = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    const code = e instanceof SyntaxError ? 'INVALID_JSON' : 'UNREADABLE'
    return { file, valid: false, errors: [ { code, message: e.message } ] }
  }
  // Resources written as ${Substitution} (SAM DefinitionSubstitutions) pass the ARN check as they are.
  const result = aslValidator(definition, { checkArn: true, checkPaths: true })
  const errors = result.errors.map((e) => ({ code: e['Error code'], message: e.Message }))
  return { file, valid: result.isValid, errors }
}

function main (args) {
  const json = args.includes('--json')
  const files = args.filter((a) => a !== '--json')
  const unknown = files.filter((f) => f.startsWith('--'))
  if (files.length === 0 || unknown.length > 0) {
    process.stderr.write('usage: node validate.mjs [--json] FILE...' +
      (unknown.length ? ` (unknown option ${unknown[0]})` : '') + '\n')
    return 2
  }
  const results = files.map(validateFile)
  if (json) {
    process.stdout.write(JSON.stringify(results) + '\n')
  } else {
    for (const r of results) {
      if (r.valid) {
        process.stdout.write(`✓ ${r.file} is valid\n`)
      } else {
        process.stdout.write(`✕ ${r.file} is invalid:\n`)
        for (const e of r.errors) process.stdout.write(`  ${e.code}: ${e.message}\n`)
      }
    }
  }
  return results.every((r) => r.valid) ? 0 : 1
}

process.exitCode = main(process.argv.slice(2))
